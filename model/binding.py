"""The NDIS binding between NetVSC's protocol edge and the VF miniport (MS-BIND states).

Only NetVSC may bind: the VF miniport's INF declares ``UpperRange "ndisvf"`` so that no other
protocol binds [MS-VFINF, MS-OV]. ``other_bound`` records a second protocol binding (S1). On
Linux the binding is the VF's enslavement to the netvsc netdev (``netvsc_register_vf``,
``netvsc_vf_join``) [LX-DRV, LX-DOC].
"""

from __future__ import annotations

from statemachine import State, StateMachine

from vfpath.checker.actor import Actor

from .netvsc import GUEST_UP

__all__ = ["Binding"]


class Binding(Actor, StateMachine):
    """NetVSC's binding to the VF miniport of the same VM NIC [MS-BIND, MS-VFINF, MS-SURP].

    MS-BIND's in-progress states are folded: binding goes Unbound -> Running in one step (through
    Opening, Paused and Restarting), and Running -> Paused -> Unbound on the way down (through
    Pausing and Closing). NDIS serialises the PnP operations on one binding, no other actor
    reads the folded states and no property needs them (an abstraction; see the README).
    """

    variables = {"other_bound": False, "paired_serial": 0, "paired_vnic": None}

    sources = {
        "release": "ec158f77def2 netvsc_remove -> netvsc_unregister_vf: 'VF unregistering', the "
        "VF left registered and open, no data path switch",
        "bind": "MS-OV, MS-BIND, LX-DRV netvsc_register_vf, 64ff412ad41f (B4: Unbound -> "
        "Opening -> Paused -> Restarting -> Running)",
        "pause": "MS-BIND, MS-VFTD, 34b06a2eee44 (B6.3: Running -> Pausing -> Paused)",
        "unbind": "MS-BIND, MS-FO, MS-SURP (ProtocolUnbindAdapterEx: Paused -> Closing -> Unbound)",
        "surprise_unbind": "MS-SURP, MS-FO (the device vanished: NetVSC is unbound)",
        "suspend_unbind": "de214e52de1b (B9.2: netvsc_suspend unregisters the VF); since "
        "19162fd4063a Linux keeps it registered and enslaved (the binding stays)",
        "bind_other": "MS-VFINF (a protocol outside 'ndisvf' binds: only if the INF allows it)",
    }

    hooks = {
        "bind_other": "a mutant hook (variant doc-second-protocol-binds)",
        "paused:suspend_unbind": "hibernation with the binding paused mid-removal: only when the "
        "stack tears the VF down early (variants doc-free-vf-with-vport, "
        "doc-delete-vport-with-filters; the row that keeps it paused on the linux profile)",
        "release": "only where user space may unload hv_netvsc (Config.reconfigure)",
        "rediscover": "a mutant hook (variants lx-probe-misses-registered-vf, lx-register-once)",
        "miss": "a mutant hook (variant lx-register-once)",
        "running:release": "the second row (the VF stays joined to a NetVSC being removed) is "
        "a mutant hook (variant lx-remove-keeps-vf-joined); the first only where user space "
        "may unload hv_netvsc (Config.reconfigure)",
        "running:suspend_unbind": "the second row (the binding stays) is the linux guest's, which "
        "keeps the VF across hibernation; the first row is every other guest's",
    }

    unbound = State(initial=True)
    paused = State()
    running = State()

    bind = unbound.to(running, cond="vf_matches", on="pair")
    pause = running.to(paused, cond="must_let_go")
    # NETDEV_UNREGISTER: netvsc_unregister_vf unlinks the VF from the synthetic NIC
    unbind = paused.to(unbound, cond="may_unregister", on="unpair")
    # part of the hibernation rendezvous: netvsc_suspend unregisters the VF [de214e52de1b], or,
    # in a guest that keeps it across hibernation, leaves the binding as it is [19162fd4063a]
    suspend_unbind = (
        paused.to(unbound, cond="lets_go_at_suspend", on="unpair")
        | running.to(unbound, cond="lets_go_at_suspend", on="unpair")
        | running.to.itself()
        | paused.to.itself()
        | unbound.to.itself()
    )
    # after a surprise removal: NDIS unbinds NetVSC once its GOING_DOWN handler returned
    surprise_unbind = paused.to(unbound, cond="vanished_unregisters", on="unpair") | running.to(
        unbound, cond="vanished_unregisters", on="unpair"
    )
    # part of hv_netvsc's unload: netvsc_remove unregisters an enslaved VF (netvsc_unregister_vf,
    # ec158f77def2); not while NDIS has it paused for a removal, which holds rtnl until it ends
    release = (
        running.to(unbound, cond="unregisters_vf_at_unload", on="let_go_at_unload")
        | running.to.itself()
        | unbound.to.itself(on="note_unload")
    )
    # a mutant hook: a guest whose netvsc_probe does not look for a VF registered before it
    # forgets the missed VF once that netdev is gone (variant lx-probe-misses-registered-vf)
    rediscover = unbound.to.itself(cond="missed_vf_gone", on="forget_missed")
    # a mutant hook: a guest that tries to join a VF only once, at its NETDEV_REGISTER, and
    # misses it when no association matches yet (variant lx-register-once)
    miss = unbound.to.itself(cond="misses_vf", on="mark_missed")
    bind_other = unbound.to.itself(cond="other_may_bind", on="other_binds") | running.to.itself(
        cond="other_may_bind", on="other_binds"
    )

    unregisters_at_suspend = True  # wiring params: False for a guest that keeps the VF
    mac_fallback = False  # wiring params: True for a guest that pairs by MAC (linux)
    vnic = 0  # wiring params: the index of the VF's own synthetic NIC in its VM

    # -- guards --------------------------------------------------------------------------------
    def lets_go_at_suspend(self) -> bool:
        return bool(self.unregisters_at_suspend)

    def vf_matches(self) -> bool:
        """Bind an initialized VF whose serial matches the host's association for this NIC
        [MS-OV, MS-SERIAL, 64ff412ad41f, 365e1ececb29]; not while the guest is going away."""
        return self.vf_ready() and self.match() is not None

    def match(self) -> int | None:
        """The synthetic NIC of the VM the VF netdev is matched to (its index), as
        get_netvsc_byslot does [64ff412ad41f; LX-DRV]: the first NIC, in order, that is up and
        whose association carries the VF's serial and whose MAC is the VF's; else the VF's
        own NIC if :meth:`serial_matches` takes it (a guest's MAC fallback)."""
        serial = self.peer("vfmp").serial
        for m, nsc in enumerate(self.peers("netvscs")):
            if (
                nsc.state in GUEST_UP
                and bool(nsc.vf_alloc)
                and nsc.vf_serial == serial
                and self.mac_matches(m)
            ):
                return m
        return self.vnic if self.vf_serial_matches() else None

    def mac_matches(self, vnic: int) -> bool:
        """A VF's MAC is its own synthetic NIC's: Hyper-V requires them equal, and a VF cannot
        take the MAC of an unrelated netvsc device (the comment in get_netvsc_byslot)."""
        return vnic == self.vnic

    def vf_ready(self) -> bool:
        """An initialized VF, a guest that is up and a running VM: NetVSC may look at it."""
        return (
            self.peer("vfmp").state == "running"
            and self.peer("netvsc").state in GUEST_UP
            and self.peer("vm").state == "running"
        )

    def vf_serial_matches(self) -> bool:
        vfmp, netvsc = self.peer("vfmp"), self.peer("netvsc")
        return self.serial_matches(vfmp.serial, netvsc.vf_alloc, netvsc.vf_serial)

    def serial_matches(self, vf_serial: int, vf_alloc: bool, assoc_serial: int) -> bool:
        """By the association's serial; a guest with the MAC fallback (linux: get_netvsc_byslot,
        365e1ececb29) also takes a VF with no matching association, since the VF's MAC is its
        synthetic NIC's [LX-DRV]."""
        return (bool(vf_alloc) and vf_serial == assoc_serial) or bool(self.mac_fallback)

    def must_let_go(self) -> bool:
        """Pause/unbind on a PnP remove once NetVSC is off the VF (its GOING_DOWN handler
        waited for the switch) [MS-VFTD, 34b06a2eee44]."""
        return self.peer("vfmp").state in ("remove_pending", "stopped") and self.peer(
            "netvsc"
        ).state in (
            "synthetic",
            "down",
            "suspended",
        )

    def may_unregister(self) -> bool:
        """NETDEV_UNREGISTER reaches netvsc_unregister_vf once the removal paused the binding;
        it unlinks the VF (3d43de8dab6e) without waiting for the VF's setup work, which may be
        waiting for rtnl (fb84af8a4397: rtnl_trylock, else reschedule)."""
        return self.must_let_go() and self.unregister_returns()

    def unregister_returns(self) -> bool:
        """netvsc_unregister_vf returns (a variant's may not: a hang, not a failure)."""
        return True

    def vanished_unregisters(self) -> bool:
        return self.vf_vanished() and self.unregister_returns()

    def unregisters_vf_at_unload(self) -> bool:
        """netvsc_remove unregisters an enslaved VF first [ec158f77def2]."""
        return True

    def vf_vanished(self) -> bool:
        """The device is gone and NetVSC's GOING_DOWN handler (its switch) has returned
        [MS-SURP; the order of the log lines in SRIOV.md (e)]."""
        return self.peer("vfmp").state == "absent" and self.peer("netvsc").state not in (
            "to_syn",
            "on_vf",
        )

    def other_may_bind(self) -> bool:
        """The INF's ``UpperRange "ndisvf"`` keeps every other protocol away [MS-VFINF]."""
        return self.inf_allows_other_protocols() and self.peer("vfmp").state != "absent"

    def inf_allows_other_protocols(self) -> bool:
        return False

    def missed_vf_gone(self) -> bool:
        """Only a guest that can miss a VF (variants)."""
        return False

    def misses_vf(self) -> bool:
        """The match is a standing guard: NetVSC joins the VF whenever it comes to match."""
        return False

    def pair(self) -> None:
        """Record the synthetic NIC and the association serial the VF was matched against (two
        ghosts, for S2). Past a wrong match the model does not follow the VF's traffic into the
        other NIC: S2 is violated at that step."""
        m = self.match()
        self.paired_vnic = self.vnic if m is None else m
        self.paired_serial = self.peers("netvscs")[self.paired_vnic].vf_serial

    def unpair(self) -> None:
        self.paired_serial = 0
        self.paired_vnic = None

    def let_go_at_unload(self) -> None:
        self.unpair()
        self.note_unload()

    def note_unload(self) -> None:
        """hv_netvsc goes away; the VF netdev, if any, stays registered [ec158f77def2]."""

    def forget_missed(self) -> None:
        """Nothing to forget in a guest that never misses a VF."""

    def mark_missed(self) -> None:
        """Nothing to mark in a guest that never misses a VF."""

    def other_binds(self) -> None:
        self.other_bound = True
