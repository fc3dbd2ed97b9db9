"""The virtualization stack's VF lifecycle for one VM NIC (host, parent partition).

The stack is one per host; its per-NIC state machine (MS-VFINIT, MS-VFTD) is factored per VM so
that the interleavings between NICs are explicit. The host it talks to is the one the VM runs on
(``vm.host``). OIDs are rendezvous with ``nic[host]``; VPCI messages go over channels.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from vfpath.checker.actor import Actor

from .config import serial_of
from .messages import EJECT, EJECTED, OFFER
from .nic import VF_FREE

__all__ = ["OFFER_DUE", "VF_PRESENT", "VMStack"]

# states in which the VF's PCI device exists for the guest (offered and not yet removed)
VF_PRESENT = ("vport", "offered", "ejecting")
# NetVSP's states in which the VF's device is to be offered to the guest: its VF_DEVICE_DELAY
# expired (Ready), or a switch request cut it short [OVMM OfferVfDevice; 9f89c9e68]
OFFER_DUE = (
    "ready",
    "switch_pending",
    "switch_done",
    "switched",
    "switch_back_pending",
    "syn_notice",
)


class VMStack(Actor, StateMachine):
    """Per-NIC VF lifecycle, in the step order of MS-VFINIT and MS-VFTD (states inferred).

    ``vf`` is ``(host, vf index)`` while a VF is allocated; ``surprise`` records that the last
    removal timed out and was a surprise removal [MS-FO].
    """

    variables = {"vf": None, "surprise": False}
    vfs_per_host = 1  # wiring params
    serials = "vf"  # wiring params: how the host numbers serials (model/config.py)
    vnic = 0  # wiring params: the synthetic NIC's index in its VM (its adapter index)

    sources = {
        "allocate_vf": "MS-SERIAL, MS-VFINIT, MS-ALLOC (B2.2: for a running, offload-enabled VM)",
        "create_vport": "MS-CVP, MS-VFINIT (B2.3)",
        "offer": "MS-VFINIT step 5 (B2.5: notify the VPCI VSP, which exposes the device), once "
        "NetVSP's offer is due: after the association and VF_DEVICE_DELAY [OVMM OfferVfDevice, "
        "guest_ready_for_device; AZ-AN: 'VF slot 1 added' comes seconds before the VF registers]",
        "withdraw": "OVMM (a VF removed before its device was offered: AvailableAdvertised -> "
        "UnavailableFromAvailable cancels the offer delay); the same reasons as detach "
        "(MS-OV, MS-FO, AZ-AN), for a VF the guest never saw",
        "detach": "MS-OV, MS-FO, MS-RMVF, AZ-AN (B6.1-2: reassignment, migration, servicing, stop)",
        "ejected": "LX-PCI, MS-VFTD (B6.3: PCI_EJECTION_COMPLETE after the guest removed it)",
        "timeout": "MS-FO (B6.3: not removed gracefully in time, so surprise removed); the "
        "host's timer fires whatever the guest is doing (issue 14)",
        "delete_vport": "MS-VFTD, MS-DVP (B6.4: after filters are back on the default VPort)",
        "reset_vf": "MS-VFTD, MS-RESET (B6.4, B8.1: FLR before resources are deallocated)",
        "free_vf": "MS-VFTD, MS-FREE (B6.4)",
        "free_early": "MS-FREE (a doc-derived mutant: FREE_VF with the VPort still attached)",
        "create_vport_failed": "MS-CVP (OID_NIC_SWITCH_CREATE_VPORT fails, e.g. "
        "NDIS_STATUS_RESOURCES with no VPort left on the NIC switch): the VF is not offered and "
        "is reset and freed as in MS-VFTD B6.4 (the teardown of a VF never offered is inferred; "
        "a fallible step: model/failures.py)",
        "offer_without_vport": "MS-VFINIT (a doc-derived mutant: the VF offered with no VPort, "
        "after CREATE_VPORT failed or was skipped)",
        "reset_freed": "MS-RESET (a doc-derived mutant: RESET_VF on the VF just freed)",
    }
    hooks = {
        "free_early": "a mutant hook (variant doc-free-vf-with-vport)",
        "reset_freed": "a mutant hook (variant doc-reset-after-free)",
        "create_vport_failed": "failure point oid",
        "offer_without_vport": "a mutant hook (variant doc-offer-without-vport)",
    }
    # events that are rendezvous with nic[host] (the wiring reads this)
    nic_moves = {
        "allocate_vf": "allocate_vf",
        "create_vport": "create_vport",
        "delete_vport": "delete_vport",
        "reset_vf": "reset_vf",
        "free_vf": "free_vf",
        "free_early": "free_vf",
        "reset_freed": "reset_vf",
    }

    no_vf = State(initial=True)
    allocated = State()
    vport = State()
    offered = State()
    ejecting = State()
    removed = State()
    vport_deleted = State()
    flr_done = State()

    allocate_vf = no_vf.to(allocated, cond="may_allocate", on="take_vf")
    create_vport = allocated.to(vport, cond="is_my_vf")
    # CREATE_VPORT failing: the PF's answer changes nothing on the NIC, so it is the stack's
    # own step (never taken unless a variant says the OID may fail: model/failures.py)
    create_vport_failed = allocated.to(vport_deleted, cond="vport_may_fail")
    offer = vport.to(offered, cond="offer_due", on="send_offer")
    # the stack takes back a VF whose device the guest never got (reassignment, migration,
    # servicing, stop, while NetVSP's offer delay runs or the guest's NetVSC is not up)
    withdraw = vport.to(removed, cond="may_withdraw")
    # a mutant hook: the VF offered although it has no VPort (the guard is False)
    offer_without_vport = allocated.to(offered, cond="offers_without_vport", on="send_offer")
    detach = offered.to(ejecting, cond="vm_running", on="send_eject")
    ejected = ejecting.to(removed, cond="guest_ejected", on="take_ejected")
    timeout = ejecting.to(removed, cond="may_time_out", on="surprise_remove")
    delete_vport = removed.to(vport_deleted, cond="may_delete_vport")
    reset_vf = vport_deleted.to(flr_done, cond="is_my_vf")
    free_vf = flr_done.to(no_vf, cond="is_my_vf", on="release_vf")
    # FREE_VF straight after the guest removal, skipping DELETE_VPORT and RESET_VF: never
    # taken by the model (the guard is False); a variant enables it [MS-FREE, doc mutant]
    free_early = removed.to(no_vf, cond="frees_without_teardown", on="release_vf")
    # RESET_VF on a VF already freed: never taken by the model either (the guard is False)
    reset_freed = no_vf.to.itself(cond="resets_freed_vf", on="forget_freed")

    # -- guards --------------------------------------------------------------------------------
    def may_allocate(self) -> bool:
        """ALLOCATE_VF only for a running VM on this host, for a free VF [MS-VFINIT, MS-ALLOC]."""
        vm = self.peer("vm")
        if vm.state != "running" or vm.host != self.arg("host"):
            return False
        # a new device is offered only once the guest has let go of the previous one (inferred)
        if self.peer("vfmp").state != "absent" or self.peek("vpci") is not None:
            return False
        # NetVSP has withdrawn the previous VF (Unavailable) before a new one [OVMM]
        if self.peer("netvsp").state != "unavailable":
            return False
        nic = self.peers("nics")[self.arg("host")]
        return bool(nic.state == "ready" and nic.vfs[self.arg("vf")][0] == VF_FREE)

    def vm_running(self) -> bool:
        """Detach a running VM's VF (abstraction: not while the guest hibernates; inferred)."""
        return bool(self.peer("vm").state == "running")

    def offer_due(self) -> bool:
        """NetVSP has sent the association and its VF_DEVICE_DELAY has expired (or a switch
        cut it short) [OVMM OfferVfDevice, 9f89c9e68]."""
        return bool(self.peer("netvsp").state in OFFER_DUE)

    def may_withdraw(self) -> bool:
        """A running VM's VF not yet offered, while NetVSP is not offering it: once its offer
        is under way, the coordinator awaits guest_ready_for_device and handles no VF change
        first [OVMM 4188-4200] (inferred: the stack's removal waits for that offer)."""
        return self.vm_running() and not self.offer_due()

    def is_my_vf(self) -> bool:
        return bool(self.vf == (self.arg("host"), self.arg("vf")))

    def guest_ejected(self) -> bool:
        return bool(self.peek("vpci_done") == (EJECTED,))

    def may_time_out(self) -> bool:
        """The host's removal timer fires whatever the guest is doing: eject unread, a graceful
        removal half done, a data-path switch in flight [MS-FO]. Only a PCI_EJECTION_COMPLETE
        the host already holds stops it (the host handles the completion first; inferred).
        The host revokes the device at once; the guest learns of it later, when its PCI layer
        processes the removal (``VFMiniport.surprise_removed``)."""
        return bool(self.peek("vpci_done") is None and self.allows_surprise_removal())

    def allows_surprise_removal(self) -> bool:
        """The host gives up on a graceful removal after a timeout [MS-FO]."""
        return True

    def vport_may_fail(self) -> bool:
        """Whether CREATE_VPORT may fail: not in the model; a variant says it may
        (``failures.may_fail(system, "oid")``)."""
        return False

    def offers_without_vport(self) -> bool:
        """The model's stack offers a VF only once its VPort exists; the hook is for variants."""
        return False

    def frees_without_teardown(self) -> bool:
        """The model's stack never skips the teardown; the hook exists for variants."""
        return False

    def resets_freed_vf(self) -> bool:
        """The model's stack resets a VF only before freeing it; the hook is for variants."""
        return False

    def may_delete_vport(self) -> bool:
        """DELETE_VPORT once the filters are back on the default VPort [MS-VFTD, MS-DVP] and the
        guest's VF miniport is halted: "the virtualization stack ensures that the VF miniport
        driver ... has been previously paused and halted" [MS-DVP], after a surprise removal
        too [MS-FO]; NDIS halts a miniport only after unbinding its protocols [MS-SURP], and
        Linux's VF driver removal returns only after NETDEV_UNREGISTER (netvsc_unregister_vf).
        The host learns it from the guest's release of the rescinded vPCI channel (Linux:
        hv_pci_remove, then vmbus_release_relid's RELID_RELEASED; read here as the miniport
        gone and unbound, an abstraction: inferred)."""
        if not self.is_my_vf() or self.peer("vfmp").state != "absent":
            return False
        if self.peer("binding").state != "unbound":
            return False
        nic = self.peers("nics")[self.arg("host")]
        return bool(nic.filters[self.index] is None)

    # -- actions -------------------------------------------------------------------------------
    def take_vf(self) -> None:
        self.vf = (self.arg("host"), self.arg("vf"))
        self.surprise = False

    def send_offer(self) -> None:
        host, k = self.vf
        self.emit("vpci", (OFFER, serial_of(host, k, self.vfs_per_host, self.serials, self.vnic)))

    def send_eject(self) -> None:
        self.emit("vpci", (EJECT,))

    def take_ejected(self) -> None:
        self.recv("vpci_done")

    def surprise_remove(self) -> None:
        self.surprise = True

    def forget_freed(self) -> None:
        """Nothing to forget in the model (a variant remembers the VF it freed)."""

    def release_vf(self) -> None:
        """FREE_VF ends the VF's life: nothing is left of its removal, surprise or not (the
        guest released the device before DELETE_VPORT [MS-DVP])."""
        self.vf = None
        self.surprise = False
