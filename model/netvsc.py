"""NetVSC: the guest's synthetic NIC driver, which owns the choice of data path.

States follow SRIOV.md's suggested abstract states for Linux ``hv_netvsc`` (inferred); the
variables are the driver's own (``struct net_device_context``): ``vf_alloc``/``vf_serial`` from
the host's association, ``data_path_is_vf`` the cached data path [LX-DRV, da26658c3d70].
``fault`` is a ghost: it latches the first packet sent on a path that could not carry it (and a
mismatched disassociation), so "packet sent on a dead path" is a state property.
"""

from __future__ import annotations

from statemachine import State, StateMachine

from vfpath.checker.actor import Actor

from .messages import ASSOC, DONE, SWITCH, SYNTHETIC, TO_SYNTHETIC, VF

__all__ = ["GUEST_UP", "HOST_SILENT", "NetVSC", "tx_uses_vf"]

GUEST_UP = ("synthetic", "awaiting_assoc", "to_vf", "on_vf", "to_syn")
# NetVSP's states that hold nothing of the guest's channel: no VF, or a VF not yet associated
HOST_SILENT = ("unavailable", "available")
VF_RUNNING = ("running", "remove_pending")  # the VF still carries traffic in GOING_DOWN


def tx_uses_vf(data_path_is_vf: bool, binding: str, vfmp: str, link: str) -> bool:
    """``netvsc_xmit`` uses the VF only if it is enslaved, its netdev is open
    (``netif_running(vf_netdev)``), and the cached data path is the VF [69d25a6cf4ca, LX-DRV
    netvsc_xmit]; otherwise it sends on the synthetic path."""
    return bool(data_path_is_vf) and binding == "running" and vfmp in VF_RUNNING and link == "up"


class NetVSC(Actor, StateMachine):
    """Guest NetVSC for one VM NIC [MS-OV, MS-VFDP, MS-FO, LX-DRV and the patches cited]."""

    # ``closed``: user space has closed the synthetic netdev (``ip link set ethN down``:
    # !netif_running(ndev)); it sends nothing until user space opens it again [LX-DRV netvsc_close]
    variables = {
        "vf_alloc": False,
        "vf_serial": 0,
        "data_path_is_vf": False,
        "fault": None,
        "closed": False,
    }
    # whether the driver reads the status of a SWITCH_DATA_PATH completion (what its log prints)
    reads_completion_status = True
    # whether hibernation leaves the VF registered and enslaved (the wiring then leaves the
    # binding out of the hibernation rendezvous): the documented guest lets it go at suspend
    keeps_vf_across_hibernation = False
    # whether a VF with no matching association is enslaved anyway, by its MAC address
    pairs_by_mac_fallback = False

    sources = {
        "probe": "LX-DRV netvsc_probe, d30fb712e529 (B1: rndis_filter_device_add opens the "
        "channel and advertises SR-IOV, which triggers the VF offer; rtnl is taken first)",
        "registered": "d30fb712e529 netvsc_probe: register_netdevice, then rtnl_unlock (B1.3: "
        "the synthetic netdev is registered before any VF can register)",
        "association": "LX-DRV netvsc_send_vf, AZ-AN ('VF slot N added|removed'); also during "
        "netvsc_probe, once RNDIS is up and before register_netdevice (the host sends it when "
        "RNDIS is operational: OVMM)",
        "switch_to_vf": "LX-DRV netvsc_vf_changed, 8b31f8c982b7, 365e1ececb29, da26658c3d70 (B5)",
        "vf_switched": "8b31f8c982b7 (data_path_is_vf = true only after the completion)",
        "vf_switch_failed": "LX-DRV ('Data path failed to switch to VF')",
        "going_down": "34b06a2eee44 (switch to synthetic on NETDEV_GOING_DOWN, VF still running;"
        " also when user space closes the VF netdev: LX-DRV netvsc_vf_changed, and when the "
        "guest's PCI layer removes a VF the host revoked: LX-PCI)",
        "vf_lost": "LX-DRV (NETDEV_DOWN/UNREGISTER when GOING_DOWN did not switch; inferred)",
        "syn_switched": "8b31f8c982b7 (wait for the completion of SWITCH_DATA_PATH(SYNTHETIC))",
        "host_to_synthetic": "OVMM (unsolicited SWITCH_DATA_PATH(SYNTHETIC); the documented guest "
        "leaves the VF: inferred from MS-FO)",
        "send_packet": "69d25a6cf4ca (netvsc_xmit path choice); a ghost packet token",
        "switch_to_vf_unsent": "d0922bf79817 netvsc_switch_datapath: vmbus_sendpacket fails "
        "(-EAGAIN past RETRY_MAX, or another error): 'Data path failed to switch to VF', "
        "data_path_is_vf stays false (a fallible step: model/failures.py)",
        "going_down_unsent": "d0922bf79817, 8b31f8c982b7: data_path_is_vf cleared first, then "
        "the send fails: 'Data path failed to switch from VF'; the host was never asked "
        "(a fallible step: model/failures.py)",
        "vf_lost_unsent": "as going_down_unsent, on NETDEV_DOWN (a fallible step)",
        "suspend": "de214e52de1b (B9.2: netvsc_suspend unregisters the VF, closes the channel)",
        "resume": "de214e52de1b, da26658c3d70 (B9.2: data_path_is_vf = false on resume)",
        "remove": "LX-DRV netvsc_remove (B9.1: VF unregistered before the synthetic device)",
        "awaiting_assoc": "365e1ececb29 netvsc_vf_changed: 'Waiting for the VF association from "
        "host', wait_for_completion(&vf_add) under rtnl, no timeout",
        "reopen": "7b2ee50c0cd5 netvsc_detach (netvsc_change_mtu, netvsc_set_channels, "
        "netvsc_set_ringparam under rtnl): TX disabled, RNDIS closed, the channel closed; the VF "
        "stays enslaved",
        "reattach": "7b2ee50c0cd5 netvsc_attach: a new channel; the host went back to synthetic "
        "when the old one closed (19162fd4063a); the documented guest starts over (inferred)",
        "close_nic": "LX-DRV netvsc_close (ip link set down, under rtnl): netif_tx_disable, "
        "rndis_filter_close; no VF is open, so there is no dev_close(vf_netdev)",
        "close_nic_with_vf": "LX-DRV netvsc_close, then dev_close(vf_netdev), whose "
        "NETDEV_GOING_DOWN switches the data path from the VF (netvsc_vf_changed, as going_down)",
        "close_nic_with_vf_unsent": "as close_nic_with_vf, the SWITCH_DATA_PATH send failing "
        "(d0922bf79817; a fallible step: model/failures.py)",
        "open_nic": "LX-DRV netvsc_open: rndis_filter_open, TX woken; no enslaved VF to open",
        "unload": "ec158f77def2 netvsc_remove (rmmod hv_netvsc, or the device unbound by user "
        "space): netvsc_unregister_vf lets an enslaved VF go without a switch; "
        "rndis_filter_device_remove closes the channel; the host goes back to synthetic when it "
        "closes (19162fd4063a)",
        "unloaded": "ec158f77def2 netvsc_remove returns once the host closed the channel: "
        "unregister_netdevice frees the context (vf_alloc, vf_serial, data_path_is_vf)",
        "reload": "9cae43da9867 netvsc_probe (modprobe hv_netvsc): a new synthetic netdev and "
        "channel; a VF already registered is registered from the probe (the host's association "
        "comes again on the new channel)",
        "open_nic_with_vf": "LX-DRV netvsc_open, then dev_open(vf_netdev) ('Setting synthetic "
        "device up transparently sets slave as up'); its NETDEV_UP switches to the VF "
        "(switch_to_vf)",
    }

    hooks = {
        "send_packet": "the ghost packet: a step only where a packet would be lost (bug variants)",
        "vf_lost": "NETDEV_DOWN's switch, for a guest that does not switch on GOING_DOWN (variant "
        "lx-switch-on-down-only)",
        "switch_to_vf_unsent": "failure point vmbus-send; the first row (waiting anyway for a "
        "completion that cannot come) is a mutant hook (variant lx-switch-send-unchecked)",
        "going_down_unsent": "failure point vmbus-send",
        "vf_lost_unsent": "failure point vmbus-send, in a guest that switches only on "
        "NETDEV_DOWN (variant lx-switch-on-down-only)",
        "on_vf:going_down": "the row of a guest that does not switch on GOING_DOWN (variants), "
        "or that does (the first row) and is still on the VF",
        "on_vf:host_to_synthetic": "the row of a guest that ignores the notice (linux profile)",
        "on_vf:association": "a disassociation read on a revoked VF (linux profile, which "
        "ignores the notice before it)",
        "down:going_down": "a VF going down while user space has hv_netvsc unloaded "
        "(Config.reconfigure); otherwise the stack detaches only a running VM's VF, whose "
        "NetVSC is up",
        "reopen": "only where user space may reconfigure the NIC (Config.reconfigure)",
        "synthetic:switch_to_vf": "the second row (waiting for the association) is the linux "
        "profile's (365e1ececb29)",
        "awaiting_assoc:association": "the linux profile's wait for the association",
        "awaiting_assoc:host_to_synthetic": "a totality row: the guest reads every message in "
        "order, so a notice cannot be left ahead of it once it waits; kept so that no message "
        "could block the association behind it",
        "reattach": "only where user space may reconfigure the NIC (Config.reconfigure)",
        "reopening:reattach": "the first row (back on the VF, the cache kept) is the linux "
        "profile's, with a reconfigurable NIC (Config.reconfigure)",
        **dict.fromkeys(
            (
                "close_nic",
                "close_nic_with_vf",
                "open_nic",
                "open_nic_with_vf",
                "unload",
                "unloaded",
                "reload",
            ),
            "only where user space may reconfigure the NIC (Config.reconfigure)",
        ),
        "on_vf:open_nic": "opening the NIC on the VF, the VF's own link already open",
        "close_nic_with_vf_unsent": "failure point vmbus-send, where user space may reconfigure "
        "the NIC (Config.reconfigure)",
        "on_vf:close_nic_with_vf": "the second row: a guest that does not switch on GOING_DOWN "
        "(variant lx-switch-on-down-only, with a reconfigurable NIC) or when its NIC stops "
        "(variant dpdk-stop-without-switch)",
        "suspended:going_down": "a VF going down in a hibernated guest: only when the stack tears "
        "the VF down early (variants doc-free-vf-with-vport, doc-delete-vport-with-filters)",
    }

    down = State(initial=True)
    # netvsc_probe has opened the channel and initialised RNDIS, advertising SR-IOV (which lets
    # the host offer the VF), but register_netdevice has not run yet; rtnl is held across both
    # since d30fb712e529, so a VF's register_netdevice waits
    probing = State()
    synthetic = State()
    # netvsc_vf_changed waits for the host's association under rtnl (a guest that switches
    # before the association arrives: linux, 365e1ececb29); the synthetic path still carries
    awaiting_assoc = State()
    to_vf = State()
    on_vf = State()
    to_syn = State()
    suspended = State()
    # netvsc_detach has closed the channel for a reconfiguration; netvsc_attach reopens it
    reopening = State()
    # netvsc_remove (rmmod) has let the VF go and closed the channel; it returns, and frees the
    # netdev with its context, once the host has handled the close: tearing down the ring's and
    # buffers' GPADLs waits for the host's answers, which come after the close (one message
    # connection, in order; inferred from vmbus_close and netvsc_teardown_gpadl); rtnl is
    # held meanwhile, so a VF going down waits
    unloading = State()

    # the next three are rendezvous with the VM's own steps (see the wiring)
    probe = down.to(probing, on="reset_state")
    registered = probing.to(synthetic)
    association = (
        awaiting_assoc.to(to_vf, cond="allocation_waiting", on="take_association_and_switch")
        | awaiting_assoc.to.itself(cond="assoc_waiting", on="take_association")
        | synthetic.to.itself(cond="assoc_waiting", on="take_association")
        | probing.to.itself(cond="assoc_waiting", on="take_association")
        | to_vf.to.itself(cond="assoc_waiting", on="take_association")
        | on_vf.to.itself(cond="assoc_waiting", on="take_association")
        | to_syn.to.itself(cond="assoc_waiting", on="take_association")
    )
    switch_to_vf = synthetic.to(to_vf, cond="vf_up", on="request_vf") | synthetic.to(
        awaiting_assoc, cond="vf_up_unassociated"
    )
    vf_switched = to_vf.to(on_vf, cond="vf_ok_waiting", on="take_vf_completion")
    vf_switch_failed = to_vf.to(synthetic, cond="vf_fail_waiting", on="take_completion")
    # NETDEV_GOING_DOWN, a rendezvous with the VF's removal; rtnl is held while a switch is in
    # flight, so there is no transition from to_vf / to_syn
    going_down = (
        on_vf.to(to_syn, cond="switches_on_going_down", on="request_synthetic")
        | on_vf.to.itself()
        | synthetic.to.itself()
        | down.to.itself()
        | suspended.to.itself()
    )
    # (no row from ``reopening``: the reconfiguration holds rtnl, so a VF going down waits)
    vf_lost = on_vf.to(to_syn, cond="vf_is_down", on="request_synthetic")
    # the same requests when the VMBus send fails (never, unless a variant says the send may
    # fail: model/failures.py); separate events, since an event takes its first enabled row
    switch_to_vf_unsent = synthetic.to(to_vf, cond="waits_after_failed_send") | synthetic.to.itself(
        cond="vf_up_send_fails", on="send_failed"
    )
    going_down_unsent = on_vf.to(synthetic, cond="going_down_send_fails", on="leave_unsent")
    vf_lost_unsent = on_vf.to(synthetic, cond="vf_down_send_fails", on="leave_unsent")
    syn_switched = to_syn.to(synthetic, cond="syn_done_waiting", on="take_completion")
    # a guest that obeys the notice leaves the VF; one that ignores it (Linux) only reads it
    host_to_synthetic = (
        on_vf.to(synthetic, cond="notice_obeyed", on="take_notice")
        | on_vf.to.itself(cond="notice_waiting", on="ignore_notice")
        | synthetic.to.itself(cond="notice_waiting", on="take_notice")
        | to_vf.to.itself(cond="notice_waiting", on="take_notice")
        | to_syn.to.itself(cond="notice_waiting", on="take_notice")
        | awaiting_assoc.to.itself(cond="notice_waiting", on="take_notice")
    )
    # a packet that gets through changes nothing, so only a send that would be lost is a step
    # (a no-op self-loop adds no state and no behaviour a property can tell apart)
    send_packet = (
        synthetic.to.itself(cond="packet_would_be_lost", on="transmit")
        | on_vf.to.itself(cond="packet_would_be_lost", on="transmit")
        | to_vf.to.itself(cond="packet_would_be_lost", on="transmit")
        | to_syn.to.itself(cond="packet_would_be_lost", on="transmit")
        | reopening.to.itself(cond="tx_woken_while_detached", on="transmit_while_detached")
    )
    # part of the hibernation rendezvous (see the wiring); the cache is kept, as Linux does
    suspend = synthetic.to(suspended, on="close_channel") | on_vf.to(suspended, on="close_channel")
    resume = suspended.to(synthetic, on="resume_state")
    # part of the VM's reconfiguration rendezvous (user space changes the MTU, the channels or
    # the rings); netvsc_attach runs right after, once the host has the channel closed
    reopen = synthetic.to(reopening, on="close_channel") | on_vf.to(reopening, on="close_channel")
    reattach = reopening.to(on_vf, cond="reattaches_on_vf", on="reattach_state") | reopening.to(
        synthetic, cond="host_closed", on="reattach_state"
    )
    remove = synthetic.to(down, cond="may_remove")
    # user space unloads hv_netvsc and loads it again (a rendezvous with the VM's choice and with
    # the binding, which netvsc_remove's netvsc_unregister_vf lets go; see the wiring); rtnl is
    # free, as for a reconfiguration
    unload = synthetic.to(unloading, on="close_channel") | on_vf.to(unloading, on="close_channel")
    unloaded = unloading.to(down, cond="host_closed", on="reset_state")
    reload = down.to(probing, cond="vm_running", on="reset_state")
    # user space closes / opens the synthetic netdev (ip link set ethN down|up), a rendezvous
    # with the VM's choice and, where netvsc_close / netvsc_open pass it on to an enslaved VF,
    # with the VF's link (see the wiring); not while rtnl is held (a switch in flight, the wait
    # for the association, a reconfiguration), nor while user space is frozen (hibernation)
    # (on the VF, the VF is open and enslaved outside its own teardown, which holds rtnl)
    close_nic = synthetic.to.itself(cond="closes_alone", on="mark_closed")
    close_nic_with_vf = (
        on_vf.to(to_syn, cond="switches_on_close", on="close_and_request_synthetic")
        | on_vf.to.itself(on="mark_closed")
        | synthetic.to.itself(on="mark_closed")
    )
    close_nic_with_vf_unsent = on_vf.to(
        synthetic, cond="going_down_send_fails", on="close_and_leave_unsent"
    )
    open_nic = synthetic.to.itself(cond="opens_alone", on="mark_open") | on_vf.to.itself(
        cond="opens_alone", on="mark_open"
    )
    open_nic_with_vf = synthetic.to.itself(on="mark_open") | on_vf.to.itself(on="mark_open")

    # -- guards --------------------------------------------------------------------------------
    def vm_running(self) -> bool:
        return self.peer("vm").state in ("running", "stopping")

    def head_is(self, kind: str) -> bool:
        msg = self.peek("from_host")
        return msg is not None and msg[0] == kind

    def assoc_waiting(self) -> bool:
        return self.head_is(ASSOC)

    def notice_waiting(self) -> bool:
        return self.head_is(TO_SYNTHETIC)

    def notice_obeyed(self) -> bool:
        return self.notice_waiting() and self.obeys_host_notice()

    def obeys_host_notice(self) -> bool:
        """The documented guest leaves the VF when the host says the data path is synthetic
        [MS-FO, OVMM]; a profile may not (see ``guests``)."""
        return True

    def host_closed(self) -> bool:
        """netvsc_attach opens a new channel after the host has closed the old one (VMBus
        handles the close before the open on the one message connection; inferred)."""
        return bool(self.peer("netvsp").state in HOST_SILENT)

    def reattaches_on_vf(self) -> bool:
        return self.host_closed() and self.data_path_after_reopen()

    def data_path_after_reopen(self) -> bool:
        """What the guest believes of the data path once its channel is reopened: the host went
        back to synthetic when the channel closed [19162fd4063a], so the documented guest
        starts over as after resume; a profile may keep its cache (see ``netvsc_linux``)."""
        return False

    def vf_ok_waiting(self) -> bool:
        return bool(self.peek("from_host") == (DONE, VF, True))

    def vf_fail_waiting(self) -> bool:
        return bool(self.peek("from_host") == (DONE, VF, False))

    def syn_done_waiting(self) -> bool:
        msg = self.peek("from_host")
        return msg is not None and msg[0] == DONE and msg[1] == SYNTHETIC

    def vf_up(self) -> bool:
        """NETDEV_UP/CHANGE of an enslaved, open VF (vf_is_up = netif_running(vf_netdev)):
        switch unless the cache says VF already
        [da26658c3d70], and only once the host's association is here [365e1ececb29]."""
        return self.vf_up_conditions() and self.waits_for_association()

    def vf_up_conditions(self) -> bool:
        return (
            self.peer("binding").state == "running"
            and self.vf_started()
            and self.peer("vfmp").link == "up"
            and self.peer("vm").state == "running"
            and not self.data_path_is_vf
        )

    def vf_started(self) -> bool:
        """Only a VF whose miniport runs raises NETDEV_UP/CHANGE: after hibernation that is
        once the VF itself has resumed, not when NetVSC resumes [de214e52de1b]."""
        return bool(self.peer("vfmp").state == "running")

    def waits_for_association(self) -> bool:
        """'Waiting for the VF association from host' before switching [365e1ececb29]."""
        return bool(self.vf_alloc)

    def vf_up_unassociated(self) -> bool:
        """The same NETDEV_UP/CHANGE with no association yet, in a guest that then waits for it
        inside the notifier, under rtnl (``blocks_for_association``)."""
        return self.blocks_for_association() and self.vf_up_conditions() and not self.vf_alloc

    def blocks_for_association(self) -> bool:
        """The documented guest binds a VF only by the association's serial, so it never sees
        an enslaved VF before the association [MS-SERIAL]; see ``netvsc_linux``."""
        return False

    def allocation_waiting(self) -> bool:
        """complete(&vf_add) in netvsc_send_vf runs only for an allocated association."""
        msg = self.peek("from_host")
        return msg is not None and msg[0] == ASSOC and bool(msg[1])

    def switches_on_going_down(self) -> bool:
        """Switch while the VF still carries traffic [34b06a2eee44]."""
        return True

    def switches_on_close(self) -> bool:
        """Closing the NIC closes the VF, whose NETDEV_GOING_DOWN switches away first (LX-DRV
        netvsc_close; DPDK da1fcd9b36d8 switches before stopping the VF as well)."""
        return self.switches_on_going_down()

    def send_may_fail(self) -> bool:
        """Whether a VMBus send of SWITCH_DATA_PATH may fail: not in the model, whose rings never
        fill; a variant says it may (``failures.may_fail(system, "vmbus-send")``)."""
        return False

    def waits_after_failed_send(self) -> bool:
        """netvsc_switch_datapath checks vmbus_sendpacket's result before it waits for the
        completion [d0922bf79817]; a variant's driver waits anyway."""
        return self.vf_up_send_fails() and self.ignores_send_result()

    def ignores_send_result(self) -> bool:
        return False

    def vf_up_send_fails(self) -> bool:
        return self.send_may_fail() and self.vf_up()

    def going_down_send_fails(self) -> bool:
        return self.send_may_fail() and self.switches_on_going_down()

    def vf_down_send_fails(self) -> bool:
        return self.send_may_fail() and self.vf_is_down()

    def vf_is_down(self) -> bool:
        """NETDEV_DOWN: the VF is closed (removed, or its netdev closed by user space); switch
        if GOING_DOWN did not [LX-DRV netvsc_vf_changed; the fallback is inferred]."""
        vfmp = self.peer("vfmp")
        return vfmp.state in ("stopped", "absent") or vfmp.link == "down"

    def vf_link_open(self) -> bool:
        """An enslaved VF whose netdev is open: netvsc_close closes it with the NIC."""
        vfmp = self.peer("vfmp")
        return vfmp.state == "running" and vfmp.link == "up" and self.vf_enslaved()

    def vf_enslaved(self) -> bool:
        return bool(self.peer("binding").state == "running")

    def closes_alone(self) -> bool:
        return not self.vf_link_open()

    def opens_alone(self) -> bool:
        """netvsc_open opens an enslaved VF that is not open (the VF's link_up)."""
        vfmp = self.peer("vfmp")
        return not (vfmp.state == "running" and vfmp.link != "up" and self.vf_enslaved())

    def may_remove(self) -> bool:
        """netvsc_remove unregisters the VF before the synthetic device [LX-DRV]."""
        return (
            self.peer("vm").state == "stopping"
            and self.peer("binding").state == "unbound"
            and self.peer("vfmp").state == "absent"
        )

    # -- actions -------------------------------------------------------------------------------
    def reset_state(self) -> None:
        self.closed = False
        self.vf_alloc = False
        self.vf_serial = 0
        self.data_path_is_vf = False

    def mark_closed(self) -> None:
        self.closed = True

    def mark_open(self) -> None:
        self.closed = False

    def close_and_request_synthetic(self) -> None:
        self.closed = True
        self.request_synthetic()

    def close_and_leave_unsent(self) -> None:
        self.closed = True
        self.leave_unsent()

    def resume_state(self) -> None:
        """The channel re-open switched the host to synthetic: reset the cache [da26658c3d70]."""
        self.start_over_on_new_channel(self.data_path_after_resume())

    def start_over_on_new_channel(self, data_path_is_vf: bool) -> None:
        """A new channel after resume or a reconfiguration: a guest that lets its VF go at
        suspend also forgets the association; one that keeps the VF
        (``keeps_vf_across_hibernation``) keeps it [19162fd4063a]."""
        if not self.keeps_vf_across_hibernation:
            self.vf_alloc = False
            self.vf_serial = 0
        self.data_path_is_vf = data_path_is_vf

    def data_path_after_resume(self) -> bool:
        return False

    def reattach_state(self) -> None:
        """netvsc_attach on the new channel: the documented guest resets its cache and its
        association as on resume; a guest that keeps them (linux) keeps both."""
        self.start_over_on_new_channel(self.data_path_after_reopen())

    def take_association(self) -> None:
        _, allocated, serial = self.recv("from_host")
        if self.vf_alloc and not allocated and serial != self.vf_serial and self.fault is None:
            # a Windows guest fails a disassociation whose serial differs [OVMM 67d5a6d45]
            self.fault = "S15: disassociation serial differs from the association's"
        self.vf_alloc = bool(allocated)
        self.vf_serial = serial if allocated else 0

    def take_association_and_switch(self) -> None:
        """The association completes vf_add; the waiter wakes and sends the switch
        [365e1ececb29, netvsc_switch_datapath]."""
        self.take_association()
        self.request_vf()

    def close_channel(self) -> None:
        """netvsc_detach closes the VMBus channel: what was in flight on it is gone."""
        self.drain("from_host")
        self.drain("to_host")

    def request_vf(self) -> None:
        if not self.vf_alloc and self.fault is None:
            self.fault = "S11: switch to the VF requested before the host's association"
        self.emit("to_host", (SWITCH, VF))

    def send_failed(self) -> None:
        """The switch was never sent: nothing changes (no retry until the next netdev event)."""

    def leave_unsent(self) -> None:
        """Block sending to the VF, then the send fails: the guest is synthetic, the host still
        steers to the VF [8b31f8c982b7, d0922bf79817]."""
        self.data_path_is_vf = False

    def take_vf_completion(self) -> None:
        self.recv("from_host")
        self.data_path_is_vf = True

    def take_completion(self) -> None:
        self.recv("from_host")

    def request_synthetic(self) -> None:
        """Block sending traffic to the VF before asking to leave it [8b31f8c982b7, S9]."""
        self.data_path_is_vf = False
        self.emit("to_host", (SWITCH, SYNTHETIC))

    def take_notice(self) -> None:
        self.recv("from_host")
        self.data_path_is_vf = False

    def ignore_notice(self) -> None:
        self.recv("from_host")

    def packet_would_be_lost(self) -> bool:
        """A closed NIC sends nothing (netvsc_close: netif_tx_disable)."""
        return (
            self.vm_running() and not self.closed and self.fault is None and self.loss() is not None
        )

    def loss(self) -> str | None:
        """Why a packet sent now on the path netvsc_xmit picks would be lost, if it would."""
        vfmp = self.peer("vfmp")
        if tx_uses_vf(self.data_path_is_vf, self.peer("binding").state, vfmp.state, vfmp.link):
            vmstack = self.peer("vmstack")
            if vmstack.state not in ("vport", "offered", "ejecting"):
                if vmstack.surprise:
                    # revoked by the host's timeout before the guest could know: lost by
                    # design [MS-FO]; S8 judges the guest once the host's notice is read
                    return None
                return "S10: packet sent on a VF the host has detached"
            if self.peer("netvsp").state != "switched":
                return "S8: packet sent on a VF the host has not switched to"
        return None

    def tx_woken_while_detached(self) -> bool:
        """netvsc_detach disables TX before it closes the channel (netif_tx_disable), and a
        late TX completion does not wake the queue again (nvdev->tx_disable, 1b704c4a1ba9), so
        nothing is sent while the channel is being reopened; a variant's driver wakes it."""
        return self.tx_wakes_after_disable() and self.vm_running() and self.fault is None

    def tx_wakes_after_disable(self) -> bool:
        return False

    def transmit_while_detached(self) -> None:
        self.fault = "S14: packet sent on a channel netvsc_detach is closing"

    def transmit(self) -> None:
        """Send one packet; it is lost, so latch why (the first loss only)."""
        self.fault = self.loss()
