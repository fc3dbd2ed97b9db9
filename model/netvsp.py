"""NetVSP: the host's per-NIC guest-VF state machine, after OpenVMM's PrimaryChannelGuestVfState.

Windows' own NetVSP is closed source; OpenVMM's is one conforming implementation of the same
NVSP protocol [OVMM]. ``set_data_path_to_guest_vf(true/false)`` is modelled as the receive-filter
move between the default VPort and the VF VPort (a rendezvous with ``nic[host]``): that is where
the host starts or stops steering the VM's traffic to the VF (inferred: MS-VFINIT lists the move
before the VPCI offer; we follow OVMM, which moves traffic when the guest asks).
"""

from __future__ import annotations

from statemachine import State, StateMachine

from vfpath.checker.actor import Actor

from .config import serial_of
from .messages import SWITCH, SYNTHETIC, TO_SYNTHETIC, VF, assoc, done
from .netvsc import GUEST_UP
from .vmstack import VF_PRESENT

__all__ = ["NetVSP"]

# NetVSC's states with RNDIS operational: up, or still in its probe before register_netdevice
RNDIS_UP = (*GUEST_UP, "probing")


class NetVSP(Actor, StateMachine):
    """Host side of one VM NIC [OVMM; states named after PrimaryChannelGuestVfState].

    ``unavailable`` = Unavailable/Initializing/Available; ``advertised`` = AvailableAdvertised
    (association sent, the VF offer's VF_DEVICE_DELAY timer armed); ``ready`` = Ready (the
    timer fired: the device is offered); ``switch_pending``/``switch_back_pending`` =
    DataPathSwitchPending (``result`` None); ``switch_done`` = DataPathSwitchPending{to_guest,
    result: Some(true)} (the filters moved, the completion not yet sent); ``switched`` =
    DataPathSwitched; ``syn_notice`` = DataPathSynthetic (the backend switch failed; the notice
    is still to send); ``unavail_switched`` = UnavailableFromDataPathSwitched;
    ``unavail_advertised`` = UnavailableFromAvailable.
    ``serial`` is the serial of the last
    association sent (S15).

    Available (a VF exists, its association not yet sent) is folded into ``unavailable``: it
    is "unavailable and the stack holds a VF", which the guards read from the stack, and OVMM
    treats a guest request the same in both; an explicit step would only add interleavings
    that no actor or property can tell apart (measured: 23% more states on 2/1/1).
    """

    variables = {"serial": 0}

    sources = {
        "advertise": "OVMM guest_vf_is_available (Available -> AvailableAdvertised once RNDIS is "
        "operational: send the association, allocated=1, without waiting for the guest to read "
        "earlier packets; arm VF_DEVICE_DELAY)",
        "offer_vf_device": "OVMM Message::OfferVfDevice (VF_DEVICE_DELAY expired: "
        "AvailableAdvertised -> Ready; the coordinator then awaits guest_ready_for_device, "
        "i.e. the stack's VPCI offer)",
        "request_vf": "OVMM switch_data_path (SWITCH_DATA_PATH(VF) in AvailableAdvertised|Ready)",
        "switch_vf_ok": "OVMM restore_guest_vf_state (the coordinator's "
        "set_data_path_to_guest_vf(true): result Some(true))",
        "complete_switch": "OVMM handle_state_change, 8b31f8c982b7 (the restarted worker sends "
        "the completion: DataPathSwitched)",
        "vanish_done": "OVMM restore_guest_vf_state (VF gone after the backend switch, before "
        "the completion: UnavailableFromDataPathSwitchPending{to_guest: true}); the filters go "
        "back to the default VPort first, as for DataPathSwitched [MS-VFTD] (OpenVMM at "
        "1488a37b7cfe does not revert here: see vanish_done_unreverted)",
        "vanish_done_unreverted": "OVMM 1488a37b7cfe lib.rs ~4605-4620 as read (suspected, "
        "unconfirmed): the revert covers only DataPathSwitchPending{to_guest: false} and "
        "DataPathSwitched, so a switch to the VF that completed in the backend stays",
        "switch_vf_fail": "OVMM handle_state_change ('Failure switching to guest VF, remaining on "
        "synthetic'): the completion, then DataPathSynthetic",
        "notify_failed": "OVMM handle_state_change (DataPathSynthetic sends an unsolicited "
        "SWITCH_DATA_PATH(SYNTHETIC), tid 0x8000...1, then Ready)",
        "request_syn": "OVMM (SWITCH_DATA_PATH(SYNTHETIC) in DataPathSwitched)",
        "switch_syn_ok": "OVMM, MS-VFTD (set_data_path_to_guest_vf(false): filters to default; "
        "then Ready)",
        "wrong_state": "OVMM ('Data path switch requested while device is in wrong state'; S12)",
        "vanish": "OVMM (VF gone while AvailableAdvertised, which cancels the offer delay, or "
        "Ready -> UnavailableFromAvailable)",
        "vanish_pending": "OVMM (UnavailableFromDataPathSwitchPending{to_guest: true}: send the "
        "completion first, then the notice, as from UnavailableFromDataPathSwitched)",
        "vanish_switched": "OVMM (VF gone while it was the data path: force synthetic first)",
        "vanish_failed": "OVMM (VF gone in DataPathSynthetic -> UnavailableFromDataPathSwitched: "
        "the notice, then the disassociation)",
        "notify_synthetic": "OVMM (send SWITCH_DATA_PATH(SYNTHETIC) to the guest)",
        "disassociate": "OVMM, 67d5a6d45 (association allocated=0 with the same serial; S15)",
        "channel_closed": "de214e52de1b (closing the VMBus channel returns the host to synthetic)",
        "channel_closed_on_vf": "de214e52de1b (channel closed while on the VF: filters to default)",
    }
    # events that are rendezvous with nic[host] (the wiring reads this)
    nic_moves = {
        "switch_vf_ok": "move_filter_vf",
        "vanish_done": "move_filter_default",
        "switch_syn_ok": "move_filter_default",
        "vanish_switched": "move_filter_default",
        "channel_closed_on_vf": "move_filter_default",
    }

    hooks = {
        **dict.fromkeys(
            ("advertised:wrong_state", "ready:wrong_state"),
            "SWITCH(SYNTHETIC) while not switched: a guest that believes a failed switch (linux "
            "profile) or whose switch to the VF was never sent (vmbus-send)",
        ),
        "switched:wrong_state": "SWITCH(VF) while switched: after a switch back that was never "
        "sent (failure point vmbus-send)",
        "vanish_done_unreverted": "a mutant hook (OpenVMM HEAD as read; tests/model/"
        "test_switch_window.py)",
    }

    unavailable = State(initial=True)
    advertised = State()
    ready = State()
    switch_pending = State()
    switch_done = State()
    switched = State()
    switch_back_pending = State()
    syn_notice = State()
    unavail_switched = State()
    unavail_advertised = State()

    advertise = unavailable.to(advertised, cond="may_advertise", on="send_association")
    # the VF_DEVICE_DELAY timer fires (OVMM arms it only while the path is not already switched,
    # which it never is here: a closed channel returned the path to synthetic)
    offer_vf_device = advertised.to(ready)
    request_vf = advertised.to(switch_pending, cond="vf_requested", on="take_request") | ready.to(
        switch_pending, cond="vf_requested", on="take_request"
    )
    switch_vf_ok = switch_pending.to(switch_done, cond="may_switch_to_vf")
    complete_switch = switch_done.to(switched, on="complete_vf_ok")
    switch_vf_fail = switch_pending.to(syn_notice, cond="backend_may_fail", on="complete_vf_fail")
    notify_failed = syn_notice.to(ready, on="send_to_synthetic")
    request_syn = switched.to(switch_back_pending, cond="syn_requested", on="take_request")
    switch_syn_ok = switch_back_pending.to(ready, cond="vf_here", on="complete_syn_ok")
    wrong_state = (
        unavailable.to.itself(cond="any_request", on="complete_at_once")
        | advertised.to.itself(cond="syn_requested", on="complete_at_once")
        | ready.to.itself(cond="syn_requested", on="complete_at_once")
        | switched.to.itself(cond="vf_requested", on="complete_at_once")
        | unavail_switched.to.itself(cond="any_request", on="complete_at_once")
        | unavail_advertised.to.itself(cond="any_request", on="complete_at_once")
    )
    vanish = advertised.to(unavail_advertised, cond="vf_gone") | ready.to(
        unavail_advertised, cond="vf_gone"
    )
    vanish_pending = switch_pending.to(unavail_switched, cond="vf_gone", on="complete_vf_fail")
    vanish_done = switch_done.to(unavail_switched, cond="gone_and_reverted", on="complete_vf_ok")
    # a mutant hook: the same without the revert of the filters (the guard is False)
    vanish_done_unreverted = switch_done.to(
        unavail_switched, cond="gone_not_reverted", on="complete_vf_ok"
    )
    vanish_switched = switched.to(unavail_switched, cond="vf_gone_here")
    vanish_failed = syn_notice.to(unavail_switched, cond="vf_gone")
    notify_synthetic = unavail_switched.to(unavail_advertised, on="send_to_synthetic")
    disassociate = unavail_advertised.to(
        unavailable, cond="may_disassociate", on="send_disassociation"
    )
    channel_closed = (
        advertised.to(unavailable, cond="guest_closed", on="drop_channel")
        | ready.to(unavailable, cond="guest_closed", on="drop_channel")
        | syn_notice.to(unavailable, cond="guest_closed", on="drop_channel")
        | unavail_switched.to(unavailable, cond="guest_closed", on="drop_channel")
        | unavail_advertised.to(unavailable, cond="guest_closed", on="drop_channel")
    )
    channel_closed_on_vf = switched.to(unavailable, cond="guest_closed_here", on="drop_channel")

    # -- guards --------------------------------------------------------------------------------
    def guest_up(self) -> bool:
        """RNDIS is operational: the guest's NetVSC has the channel open [OVMM], from its probe
        on (rndis_filter_device_add runs before register_netdevice: d30fb712e529)."""
        return self.peer("netvsc").state in RNDIS_UP

    def guest_closed(self) -> bool:
        return self.peer("netvsc").state in ("down", "suspended", "reopening", "unloading")

    def vf_present(self) -> bool:
        return self.peer("vmstack").state in VF_PRESENT

    def may_advertise(self) -> bool:
        """RNDIS up and the VF still there (abstraction: OVMM's worker may advertise a VF whose
        removal its coordinator has not processed yet; the model lets the removal win). The
        guest need not have read the previous VF's disassociation: both are queued [OVMM]."""
        return self.vf_present() and self.guest_up() and self.offers_vf_to_guest()

    def caught_up(self) -> bool:
        """Withdraw an association only once the guest has read the previous messages.

        Abstraction (inferred): it bounds the NVSP ring in the model; the guest reads every
        message in order anyway, so only a queue of stale disassociations is left out.
        """
        return self.peek("to_guest") is None

    def offers_vf_to_guest(self) -> bool:
        """OpenVMM skips the association when the guest does not support it [OVMM]."""
        return True

    def may_disassociate(self) -> bool:
        return self.guest_up() and self.caught_up()

    def vf_gone(self) -> bool:
        return not self.vf_present()

    def here(self) -> bool:
        """This rendezvous with a NIC is for the VF the stack holds for this VM."""
        return bool(self.peer("vmstack").vf == (self.arg("host"), self.arg("vf")))

    def vf_here(self) -> bool:
        return self.here()

    def vf_present_here(self) -> bool:
        """Steer to the VF only while it exists (OVMM switches only for a present VF; S11)."""
        return self.vf_present() and self.here()

    def may_switch_to_vf(self) -> bool:
        """The coordinator moves the path once the VF's device is the guest's: in Ready it
        awaits guest_ready_for_device before it handles any message [OVMM 4188-4200]. (A switch
        taken while the offer delay runs offers the device at once [9f89c9e68]; OVMM then moves
        the filters before it awaits the offer, an order left out here: a guest asks for the VF
        only once it has its device.)"""
        return self.vf_present_here() and self.device_offered()

    def device_offered(self) -> bool:
        return bool(self.peer("vmstack").state != "vport")

    def vf_gone_here(self) -> bool:
        return self.vf_gone() and self.here()

    def guest_closed_here(self) -> bool:
        return self.guest_closed() and self.here()

    def gone_and_reverted(self) -> bool:
        return self.vf_gone_here() and not self.skips_revert()

    def gone_not_reverted(self) -> bool:
        return self.vf_gone() and self.skips_revert()

    def skips_revert(self) -> bool:
        """The model's host moves the filters back when the VF goes mid-switch [MS-VFTD]; the
        hook is for OpenVMM HEAD as read (tests/model/test_switch_window.py)."""
        return False

    def backend_may_fail(self) -> bool:
        """The backend switch may fail; the guest stays synthetic [OVMM]."""
        return True

    def vf_requested(self) -> bool:
        return bool(self.peek("from_guest") == (SWITCH, VF))

    def syn_requested(self) -> bool:
        return bool(self.peek("from_guest") == (SWITCH, SYNTHETIC))

    def any_request(self) -> bool:
        return bool(self.vf_requested() or self.syn_requested())

    # -- actions -------------------------------------------------------------------------------
    def send_association(self) -> None:
        host, k = self.peer("vmstack").vf
        self.serial = serial_of(host, k, self.vfs_per_host, self.serials, self.vnic)
        self.emit("to_guest", assoc(True, self.serial))

    def take_request(self) -> None:
        self.recv("from_guest")

    def complete_vf_ok(self) -> None:
        self.emit("to_guest", done(VF, True))

    def complete_vf_fail(self) -> None:
        self.emit("to_guest", done(VF, False))

    def complete_syn_ok(self) -> None:
        self.emit("to_guest", done(SYNTHETIC, True))

    def complete_at_once(self) -> None:
        """A switch request always gets a completion [OVMM, S12]; switching to synthetic
        when already synthetic succeeds, switching to the VF here does not."""
        _, path = self.recv("from_guest")
        self.emit("to_guest", done(path, path == SYNTHETIC))

    def send_to_synthetic(self) -> None:
        self.emit("to_guest", (TO_SYNTHETIC,))

    def send_disassociation(self) -> None:
        self.emit("to_guest", assoc(False, self.disassociation_serial()))
        self.serial = 0

    def disassociation_serial(self) -> int:
        """The disassociation carries the association's serial [OVMM 67d5a6d45]."""
        return int(self.serial)

    def drop_channel(self) -> None:
        """Closing the channel discards what was in flight on it (the rings go away)."""
        self.serial = 0
        self.drain("to_guest")
        self.drain("from_guest")

    vfs_per_host = 1  # wiring params
    serials = "vf"  # wiring params: how the host numbers serials (model/config.py)
    vnic = 0  # wiring params: the synthetic NIC's index in its VM (its adapter index)
