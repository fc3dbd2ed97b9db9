"""What the properties read off a state: the data paths of one VM NIC, computed once here.

A VM NIC's traffic has two directions. TX goes where ``netvsc_xmit`` sends it [69d25a6cf4ca];
RX goes where the NIC switch steers the VM's MAC/VLAN filters: the default VPort (synthetic
path through the extensible switch) or the VF's VPort [MS-VFINIT, MS-VFTD, MS-VPORTS].
"""

from __future__ import annotations

from typing import Any

from vfpath.model.config import Unit
from vfpath.model.netvsc import GUEST_UP, VF_RUNNING, tx_uses_vf
from vfpath.model.vmstack import VF_PRESENT

__all__ = ["PENDING", "STEERS_TO_VF", "VMView", "vm_view"]

# NetVSP's states that hold a switch request not yet completed [OVMM DataPathSwitchPending]
PENDING = ("switch_pending", "switch_done", "switch_back_pending")
# NetVSP's states in which the host steers the VM's traffic to the VF: the backend switched,
# whether or not the guest has its completion yet [OVMM set_data_path_to_guest_vf]
STEERS_TO_VF = ("switch_done", "switched")


class VMView:
    """The instances of one VM NIC (a :class:`Unit`: a synthetic NIC of a VM, and its VM) inside
    one state, with the derived facts the properties use. ``i`` is the unit's index, which the
    PF knows it by (its filters, its VFs' owner)."""

    __slots__ = (
        "binding",
        "i",
        "netvsc",
        "netvsp",
        "nic",
        "s",
        "unit",
        "vfmp",
        "vm",
        "vmstack",
    )

    def __init__(self, s: Any, unit: Unit) -> None:
        self.s, self.unit, self.i = s, unit, unit.index
        self.vm = s[f"vm[{unit.vm}]"]
        self.vmstack = s[unit.name("vmstack")]
        self.netvsp = s[unit.name("netvsp")]
        self.netvsc = s[unit.name("netvsc")]
        self.binding = s[unit.name("binding")]
        self.vfmp = s[unit.name("vfmp")]
        self.nic = s[f"nic[{self.vm.host}]"]

    @property
    def guest_up(self) -> bool:
        return self.netvsc.state in GUEST_UP

    @property
    def tx_on_vf(self) -> bool:
        """``netvsc_xmit`` would send on the VF. Only while the synthetic NIC is up: suspended
        or removed, its queues are stopped (netvsc_detach -> netvsc_tx_disable), so it sends
        nothing, though a guest that keeps its VF across hibernation [19162fd4063a] still has
        it enslaved and its cache set until resume [da26658c3d70]."""
        return self.guest_up and tx_uses_vf(
            self.netvsc.data_path_is_vf, self.binding.state, self.vfmp.state, self.vfmp.link
        )

    @property
    def rx_vf(self) -> int | None:
        """The VF whose VPort holds this VM's filters, or None for the default VPort."""
        return self.nic.filters[self.i]  # type: ignore[no-any-return]

    @property
    def vf_present(self) -> bool:
        return self.vmstack.state in VF_PRESENT

    @property
    def vf_carries_traffic(self) -> bool:
        """The guest's VF miniport is running and NetVSC is bound to it [MS-MPST, MS-BIND],
        on a device the host has not revoked."""
        return (
            self.vfmp.state in VF_RUNNING and self.binding.state == "running" and not self.revoked
        )

    @property
    def revoked(self) -> bool:
        """The host's timeout surprise-removed the VF and the guest's PCI layer has not yet
        removed it: the guest's driver still holds a device that no longer exists [MS-FO]."""
        return bool(self.vmstack.surprise) and not self.vf_present and self.vfmp.state != "absent"

    @property
    def notice_pending(self) -> bool:
        """The host's SWITCH_DATA_PATH(SYNTHETIC) notice for a VF it had switched to has not
        yet been read by the guest: not yet sent (NetVSP has still to notice the VF is gone, or
        to send it) or still in the ring [OVMM]."""
        h2g = self.s.channel(self.unit.name("nvsp_h2g"))
        return self.netvsp.state in ("switch_done", "switched", "unavail_switched") or any(
            m[0] == "to_syn" for m in h2g
        )

    @property
    def surprise(self) -> bool:
        """The last removal of this VM's VF was a surprise removal (a lossy path by design)."""
        return bool(self.vmstack.surprise)

    @property
    def switch_in_flight(self) -> bool:
        """A data-path change is under way somewhere between guest and host."""
        h2g = self.s.channel(self.unit.name("nvsp_h2g"))
        return (
            self.netvsc.state in ("to_vf", "to_syn")
            or bool(self.s.channel(self.unit.name("nvsp_g2h")))
            or self.netvsp.state in (*PENDING, "unavail_switched")
            or any(m[0] in ("done", "to_syn") for m in h2g)
        )


def vm_view(s: Any, unit: Unit) -> VMView:
    return VMView(s, unit)
