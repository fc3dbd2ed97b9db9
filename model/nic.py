"""The physical NIC of one host: PF miniport, NIC switch, default VPort and the VF pool.

Every hardware request reaches the PF as an OID from the host's virtualization stack (or the
extensible switch, for filter moves); each is one rendezvous with its caller, whose arguments
name the VM and the VF. Where the WDK says the PF "must fail" an OID, the model latches the
caller's mistake in ``fault`` so a property can name it (S3, S4, S5, S6, S16).
"""

from __future__ import annotations

from statemachine import State, StateMachine

from vfpath.checker.actor import Actor

__all__ = ["NIC", "VF_ALLOCATED", "VF_FREE", "VF_VPORT"]

VF_FREE, VF_ALLOCATED, VF_VPORT = "free", "allocated", "vport"


class NIC(Actor, StateMachine):
    """PF + NIC switch + VFs [MS-VFINIT, MS-ALLOC, MS-CVP, MS-DVP, MS-RESET, MS-FREE, MS-VPORTS].

    ``vfs[k]`` is ``(state, owner VM, FLR done since allocation)``; ``filters[vm]`` is the VF
    whose VPort holds VM ``vm``'s MAC/VLAN filters, or None for the default (PF) VPort.
    """

    variables = {"vfs": (), "filters": (), "fault": None}

    sources = {
        "create_switch": "MS-VFINIT (B2.1: NDIS creates the NIC switch and its default VPort)",
        "allocate_vf": "MS-ALLOC, MS-VFINIT (B2.2: OID_NIC_SWITCH_ALLOCATE_VF)",
        "create_vport": "MS-CVP, MS-VFINIT (B2.3: OID_NIC_SWITCH_CREATE_VPORT on the VF)",
        "move_filter_vf": "MS-VFINIT, OVMM (B2.4/B5: OID_RECEIVE_FILTER_MOVE_FILTER to VF VPort)",
        "move_filter_default": "MS-VFTD, OVMM (B6.4: MOVE_FILTER back to the default VPort)",
        "delete_vport": "MS-DVP, MS-VFTD (B6.4: OID_NIC_SWITCH_DELETE_VPORT)",
        "reset_vf": "MS-RESET, MS-VFTD (B6.4, B8.1: OID_SRIOV_RESET_VF, an FLR)",
        "free_vf": "MS-FREE, MS-VFTD (B6.4: OID_NIC_SWITCH_FREE_VF)",
    }

    no_switch = State(initial=True)
    ready = State()

    create_switch = no_switch.to(ready)
    allocate_vf = ready.to.itself(cond="vf_is_free", on="do_allocate")
    create_vport = ready.to.itself(on="do_create_vport")
    move_filter_vf = ready.to.itself(on="do_move_filter_vf")
    move_filter_default = ready.to.itself(on="do_move_filter_default")
    delete_vport = ready.to.itself(on="do_delete_vport")
    reset_vf = ready.to.itself(on="do_reset")
    free_vf = ready.to.itself(on="do_free")

    # -- helpers -------------------------------------------------------------------------------
    def _set_vf(self, k: int, value: tuple[str, int | None, bool]) -> None:
        vfs = list(self.vfs)
        vfs[k] = value
        self.vfs = tuple(vfs)

    def _set_filter(self, vm: int, value: int | None) -> None:
        filters = list(self.filters)
        filters[vm] = value
        self.filters = tuple(filters)

    def _fail(self, why: str) -> None:
        if self.fault is None:
            self.fault = why

    # -- guards and actions --------------------------------------------------------------------
    def vf_is_free(self) -> bool:
        """The PF hands out a free VF; VFId is unique on the switch [MS-ALLOC]."""
        return bool(self.vfs[self.arg("vf")][0] == VF_FREE)

    def do_allocate(self) -> None:
        self._set_vf(self.arg("vf"), (VF_ALLOCATED, self.arg("vm"), False))

    def do_create_vport(self) -> None:
        """Only on an allocated VF, and only one non-default VPort per VF [MS-CVP, S3, S4]."""
        k, vm = self.arg("vf"), self.arg("vm")
        state, owner, flr = self.vfs[k]
        if state == VF_VPORT:
            self._fail("S4: CREATE_VPORT on a VF that already has a VPort")
        elif state != VF_ALLOCATED or owner != vm:
            self._fail("S3: CREATE_VPORT on a VF not allocated to this VM")
        else:
            self._set_vf(k, (VF_VPORT, owner, flr))

    def do_move_filter_vf(self) -> None:
        """Filters move only onto the VM's own VF VPort, which must exist [MS-VFINIT, S5]."""
        k, vm = self.arg("vf"), self.arg("vm")
        if self.vfs[k][:2] != (VF_VPORT, vm):
            self._fail("S5: MOVE_FILTER to a VF VPort that does not exist")
        self._set_filter(vm, k)

    def do_move_filter_default(self) -> None:
        self._set_filter(self.arg("vm"), None)

    def do_delete_vport(self) -> None:
        """Filters must be moved or cleared before the VPort is deleted [MS-DVP, S5]."""
        k, vm = self.arg("vf"), self.arg("vm")
        state, owner, flr = self.vfs[k]
        if state != VF_VPORT or owner != vm:
            self._fail("S3: DELETE_VPORT on a VF without this VM's VPort")
            return
        if self.filters[vm] == k:
            self._fail("S5: DELETE_VPORT while the VM's filters are still on it")
        self._set_vf(k, (VF_ALLOCATED, owner, flr))

    def do_reset(self) -> None:
        """RESET_VF only on an allocated VF, after its VPort is gone [MS-RESET, MS-VFTD, S3, S6]."""
        k = self.arg("vf")
        state, owner, _ = self.vfs[k]
        if state == VF_FREE:
            self._fail("S3: RESET_VF on a VF that is not allocated")
            return
        if state == VF_VPORT:
            self._fail("S6: RESET_VF while the VF's VPort still exists")
        self._set_vf(k, (state, owner, True))

    def do_free(self) -> None:
        """FREE_VF needs an allocated VF with no VPort, reset first, freed by its allocator
        [MS-FREE, MS-VFTD, MS-ALLOC; S3, S6, S16]."""
        k, vm = self.arg("vf"), self.arg("vm")
        state, owner, flr = self.vfs[k]
        if state == VF_FREE:
            self._fail("S3: FREE_VF on a VF that is not allocated")
            return
        if state == VF_VPORT:
            self._fail("S3: FREE_VF while a VPort is attached to the VF")
        elif owner != vm:
            self._fail("S16: FREE_VF by a component that did not allocate the VF")
        elif not flr:
            self._fail("S6: FREE_VF before RESET_VF")
        self._set_vf(k, (VF_FREE, None, False))
