"""The configuration of an SR-IOV system: how many VMs, VFs per host and hosts."""

from __future__ import annotations

from dataclasses import dataclass

from vfpath.checker.errors import VfpathError

__all__ = ["Config", "serial_of"]


def serial_of(host: int, vf: int, vfs_per_host: int) -> int:
    """The VF serial number the virtualization stack generates before allocating it
    [MS-SERIAL]: unique per VF across hosts, never 0 (0 means "no VF")."""
    return host * vfs_per_host + vf + 1


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

    def __post_init__(self) -> None:
        # vfs >= 1: a host without VFs has no VF data path to check
        for name, value, lo in (
            ("vms", self.vms, 1),
            ("vfs", self.vfs, 1),
            ("hosts", self.hosts, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < lo:
                raise VfpathError(f"{name} must be an integer >= {lo}, got {value!r}")
        from .guests import guest  # the profiles import the actors, which import this module

        guest(self.guest)
        if not isinstance(self.reconfigure, bool):
            raise VfpathError(f"reconfigure must be True or False, got {self.reconfigure!r}")

    def __str__(self) -> str:
        text = f"{self.vms} VMs, {self.vfs} VF(s) per host, {self.hosts} host(s)"
        if self.guest != "reference":
            text += f", {self.guest} guest"
        return text + (", NIC reconfigured by user space" if self.reconfigure else "")
