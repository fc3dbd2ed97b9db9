"""The configuration of an SR-IOV system: VMs, synthetic NICs per VM, VFs per host, hosts, and
how the host numbers VF serials."""

from __future__ import annotations

from dataclasses import dataclass

from vfpath.checker.errors import VfpathError

__all__ = ["SERIALS", "Config", "Unit", "serial_of"]

# How the host numbers the serial of a VF it associates with a synthetic NIC (the PCI slot the
# guest pairs by) [MS-SERIAL; OVMM get_guest_vf_serial_number, lib.rs 3441]:
SERIALS = {
    "vf": "unique per VF across hosts (MS-SERIAL: generated before the VF is allocated)",
    "vnic": "the synthetic NIC's adapter index, reused by every VF that backs it (OpenVMM sends "
    "Windows guests NetworkAdapterIndex; Azure logs print 'VF slot 1' on every attach)",
    "vm": "one serial for every NIC of a VM: a MANA VF is one PCI device with one vPort netdev "
    "per synthetic NIC, all with the device's serial (64ff412ad41f)",
}


def serial_of(host: int, vf: int, vfs_per_host: int, scheme: str = "vf", vnic: int = 0) -> int:
    """The serial of VF ``vf`` on ``host`` when it backs synthetic NIC ``vnic`` of its VM, under
    ``scheme`` (:data:`SERIALS`); never 0, which means "no VF"."""
    if scheme == "vnic":
        return vnic + 1
    if scheme == "vm":
        return 1
    return host * vfs_per_host + vf + 1


@dataclass(frozen=True)
class Unit:
    """One synthetic NIC of one VM and everything that serves it: its stack, NetVSP, NetVSC,
    binding, VF miniport and channels. ``index`` numbers the units of a system (the NIC switch
    keeps filters per unit); ``tag`` is what goes between the brackets of their names: ``i``
    with one NIC per VM, ``i.j`` with several."""

    vm: int
    vnic: int
    index: int
    tag: str

    def name(self, kind: str) -> str:
        return f"{kind}[{self.tag}]"


@dataclass(frozen=True)
class Config:
    """VMs, VFs per host, hosts and the guest profile. The default (2 VMs, 1 VF, 2 hosts, the
    reference guest) makes both VF reassignment (two VMs on one host with one VF) and live
    migration reachable."""

    vms: int = 2
    vfs: int = 1
    hosts: int = 2
    guest: str = "reference"
    # whether user space may reconfigure the synthetic NIC (MTU, channels, rings), which closes
    # and reopens its channel, and reload the VF driver: off by default, because it multiplies
    # the default configuration (README, "State counts"); conform turns it on (logs show it)
    reconfigure: bool = False
    # synthetic NICs per VM, each with its own VF (on MANA, its own vPort of the VM's VF)
    vnics: int = 1
    serials: str = "vf"

    def __post_init__(self) -> None:
        # vfs >= 1: a host without VFs has no VF data path to check
        for name, value, lo in (
            ("vms", self.vms, 1),
            ("vfs", self.vfs, 1),
            ("hosts", self.hosts, 1),
            ("vnics", self.vnics, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < lo:
                raise VfpathError(f"{name} must be an integer >= {lo}, got {value!r}")
        from .guests import guest  # the profiles import the actors, which import this module

        guest(self.guest)
        if not isinstance(self.reconfigure, bool):
            raise VfpathError(f"reconfigure must be True or False, got {self.reconfigure!r}")
        if self.serials not in SERIALS:
            raise VfpathError(f"serials must be one of {', '.join(SERIALS)}, got {self.serials!r}")
        if self.reconfigure and self.vnics > 1:
            # user space's commands are the VM's events, one rendezvous with the NIC's NetVSC;
            # several NICs would need one event per NIC, which the model does not have
            raise VfpathError("reconfigure with several NICs per VM is not modelled")

    @property
    def units(self) -> tuple[Unit, ...]:
        """Every VM's synthetic NICs, VM by VM."""
        return tuple(
            Unit(i, j, i * self.vnics + j, f"{i}" if self.vnics == 1 else f"{i}.{j}")
            for i in range(self.vms)
            for j in range(self.vnics)
        )

    def __str__(self) -> str:
        text = f"{self.vms} VMs, {self.vfs} VF(s) per host, {self.hosts} host(s)"
        if self.vnics > 1:
            text += f", {self.vnics} NICs per VM"
        if self.serials != "vf":
            text += f", serials per {self.serials}"
        if self.guest != "reference":
            text += f", {self.guest} guest"
        return text + (", NIC reconfigured by user space" if self.reconfigure else "")
