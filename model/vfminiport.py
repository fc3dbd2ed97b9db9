"""The VF miniport (the IHV's driver in the guest) together with the guest's VPCI device.

Adapter states follow MS-MPST; ``absent`` is Halted with no PCI device. The VPCI offer and eject
arrive on their own channel, separate from NVSP, so the offer can race the association [bug 3].
``remove_pending`` is the window between the PnP remove / ``NETDEV_GOING_DOWN`` and the pause,
in which the VF still carries traffic [34b06a2eee44].
"""

from __future__ import annotations

from statemachine import State, StateMachine

from vfpath.checker.actor import Actor

from .messages import EJECT, EJECTED, OFFER
from .vmstack import VF_PRESENT

__all__ = ["VFMiniport"]


class VFMiniport(Actor, StateMachine):
    """VF miniport and guest VPCI for one VM NIC [MS-MPST, MS-VFMPINIT, MS-VFINIT, LX-PCI].

    MS-MPST's states on the way up (Initializing, Paused, Restarting) are folded into the one
    step that loads and starts the miniport, and Pausing into the pause; ``stopped`` is Paused
    on the way to Halted. No other actor reads the folded states and no property needs them
    (the interleavings they add are of the miniport with itself).

    ``before_nic`` is a ghost: the VF netdev registered while its synthetic NIC's probe was under
    way (S20; only a variant gets there [d30fb712e529]).
    ``serial`` is the serial of the offered device; ``slave`` whether NetVSC marked the VF as
    its slave before user space could see it [c807d6cd089d]; ``visible`` whether the VF netdev
    is registered (visible to user space). ``link`` is the VF netdev's own administrative state
    (``netif_running``), which changes without any PCI removal: "new" after registration (never
    opened yet), "up", or "down" (closed by user space). Linux switches the data path on every
    change of it [LX-DRV netvsc_netdev_event -> netvsc_vf_changed; AZ-AN, B5 point 3].
    """

    variables = {
        "serial": 0,
        "slave": False,
        "visible": False,
        "link": "new",
        "unloading": False,
        "before_nic": False,
    }
    # ``suspended``: the guest hibernates and the PM core has suspended the VF's PCI device (its
    # driver's suspend callback); it resumes after NetVSC, and its NETDEV_CHANGE then reaches
    # NetVSC [de214e52de1b]
    reloads = False  # wiring params: whether user space may reload the VF driver

    sources = {
        "offer": "MS-VFINIT, MS-VFS, MS-MPST, MS-VFMPINIT, c807d6cd089d (B3: Halted -> "
        "Initializing -> Paused -> Restarting -> Running)",
        "eject": "MS-VFTD, LX-PCI, 34b06a2eee44 (B6.3: graceful removal starts, GOING_DOWN)",
        "pause": "MS-MPST, MS-SURP (protocols paused first; Pausing -> Paused)",
        "halt": "MS-MPST, LX-PCI (halt only from Paused; then PCI_EJECTION_COMPLETE)",
        "surprise_removed": "MS-FO, MS-SURP (NdisHaltDeviceSurpriseRemoved); LX-PCI: the host "
        "rescinds the revoked device's vPCI channel, hv_pci_remove removes the bus, the VF "
        "driver's remove unregisters the netdev under rtnl (17978524a636; inferred order)",
        "unload": "LX-DRV netvsc_unregister_vf keeps vf_alloc/vf_serial; a driver unload or "
        "reset (rmmod, openibd restart, mlx4 reset as in LIS/lis-next#556, MANA recovery) "
        "unregisters the netdev: NETDEV_GOING_DOWN first (34b06a2eee44)",
        "reload": "the driver probes the device again: a new netdev registers and NetVSC pairs "
        "it by the association it kept (netvsc_register_vf, get_netvsc_byslot)",
        "probe_failed": "LX-PCI: the VF driver's probe fails (mlx5_core, mana: an error "
        "return from probe), so no netdev registers; the device stays on the bus (a fallible "
        "step: model/failures.py)",
        "revoked_offer": "LX-PCI (a device the host revoked before the guest probed it is no "
        "longer on the vPCI bus: its pending offer and eject are dropped; inferred)",
        "takeover": "LX-DRV netvsc_vf_join schedules vf_takeover; netvsc_vf_setup dev_open()s "
        "the VF when the synthetic netdev runs (0c195567a8f6); NETDEV_UP -> netvsc_vf_changed",
        "link_up": "user space opens the VF netdev (ip link set up, a network manager, the "
        "boot's rename and reconfiguration: AZ-AN, B5 point 3); NETDEV_UP -> netvsc_vf_changed",
        "link_down": "user space closes the VF netdev (ip link set down; AZ-AN boot flap): "
        "dev_close takes rtnl and sends NETDEV_GOING_DOWN -> netvsc_vf_changed(vf_is_up=false); "
        "also netvsc_close's dev_close(vf_netdev) when user space closes the synthetic NIC",
        "opened_with_nic": "LX-DRV netvsc_open: dev_open(vf_netdev) when user space opens the "
        "synthetic NIC; NETDEV_UP -> netvsc_vf_changed",
        "suspend": "de214e52de1b (B9.2: hibernation suspends every device, the VF's PCI device "
        "too: 'the mlx5 VF NIC has not been resumed yet' when netvsc_resume runs)",
        "resume_vf": "de214e52de1b (the VF resumes after NetVSC: the PM core resumes devices in "
        "the order they registered, and the VF's vPCI bus is offered after the synthetic NIC; "
        "inferred from dpm_resume); its NETDEV_CHANGE then switches the data path "
        "(netvsc_netdev_event -> netvsc_vf_changed)",
    }

    hooks = {
        "probe_failed": "failure point vf-probe",
        "failed:eject": "failure point vf-probe (a driverless device ejected)",
        "failed:surprise_removed": "failure point vf-probe (a driverless device revoked)",
        "unload": "only where user space may reload the VF driver (Config.reconfigure)",
        "opened_with_nic": "only where user space may reconfigure the NIC (Config.reconfigure)",
        "reload": "only where user space may reload the VF driver (Config.reconfigure)",
        "stopped:halt": "the first row (a driver unloaded, the device kept) only where user "
        "space may reload the VF driver (Config.reconfigure)",
    }

    absent = State(initial=True)
    running = State()
    remove_pending = State()
    stopped = State()
    # the device is there but its driver's probe failed: no netdev (only when a variant says
    # the probe may fail: model/failures.py)
    failed = State()
    # the guest hibernates: the PM core suspended the device (not a PnP removal: the netdev stays)
    suspended = State()

    offer = absent.to(running, cond="offer_waiting", on="take_offer")
    probe_failed = absent.to(failed, cond="offer_waiting_probe_fails", on="take_failed_offer")
    # a rendezvous with NetVSC's NETDEV_GOING_DOWN handler (a driverless device has no netdev:
    # NetVSC's part is then a no-op)
    eject = running.to(remove_pending, cond="eject_waiting", on="take_eject") | failed.to(
        absent, cond="eject_waiting", on="eject_driverless"
    )
    pause = remove_pending.to(stopped, cond="protocols_paused")
    # a driver unload ends with the device still on the bus, driverless; a removal, without it
    halt = stopped.to(failed, cond="driver_unloaded", on="driver_gone") | stopped.to(
        absent, cond="protocols_unbound", on="device_removed"
    )
    # user space unloads the VF driver (rmmod, openibd restart) or the driver resets itself
    # (mlx4 reset, MANA recovery): the netdev unregisters as in a removal (a rendezvous with
    # NetVSC's NETDEV_GOING_DOWN, see the wiring) but the device stays; the driver then probes
    # it again and a new netdev registers, with no new association from the host
    unload = running.to(remove_pending, cond="may_unload", on="start_unload")
    reload = failed.to(running, cond="may_reload", on="reprobe")
    # after the host's timeout revoked the device: the guest's PCI layer removes it, NDIS
    # unbinds NetVSC and halts the miniport, and NETDEV_GOING_DOWN reaches NetVSC -- one
    # rendezvous (see the wiring); it waits for rtnl while a switch is in flight
    surprise_removed = (
        running.to(absent, cond="revoked", on="vanish")
        | remove_pending.to(absent, cond="revoked", on="vanish")
        | stopped.to(absent, cond="revoked", on="vanish")
        | failed.to(absent, cond="revoked", on="vanish")
        | suspended.to(absent, cond="revoked", on="vanish")
    )
    revoked_offer = absent.to.itself(cond="revoked_messages_waiting", on="drop_messages")
    # part of the hibernation rendezvous (see the wiring): a device present is suspended with
    # the guest; it resumes on its own after NetVSC has (a step of the guest's resume)
    suspend = running.to(suspended) | absent.to.itself()
    resume_vf = suspended.to(running, cond="guest_resumed")

    # the VF netdev's link, independent of the device: the driver's takeover opens it once after
    # the join; user space may close and reopen it at any time while it is registered
    takeover = running.to.itself(cond="takes_over", on="open_link")
    link_up = running.to.itself(cond="link_closed", on="open_link")
    # netvsc_open opens the enslaved VF with the synthetic NIC (a rendezvous, see the wiring)
    opened_with_nic = running.to.itself(cond="link_closed", on="open_link")
    # a rendezvous with NetVSC's NETDEV_GOING_DOWN handler, as the removal's (see the wiring)
    link_down = running.to.itself(cond="link_open", on="close_link")

    # -- guards --------------------------------------------------------------------------------
    def offer_waiting(self) -> bool:
        """A new device starts once NDIS has torn down the binding to the previous one
        (NDIS serialises PnP on the adapter; inferred)."""
        msg = self.peek("vpci")
        return (
            msg is not None
            and msg[0] == OFFER
            and self.peer("binding").state == "unbound"
            and not self.revoked()
            and self.rtnl_free()
        )

    def rtnl_free(self) -> bool:
        """register_netdevice takes rtnl, which netvsc_probe holds from before it advertises
        SR-IOV until its own register_netdevice [d30fb712e529]."""
        return bool(self.peer("netvsc").state != "probing")

    def probe_may_fail(self) -> bool:
        """Whether the VF driver's probe may fail: not in the model; a variant says it may
        (``failures.may_fail(system, "vf-probe")``)."""
        return False

    def offer_waiting_probe_fails(self) -> bool:
        return self.probe_may_fail() and self.offer_waiting()

    def revoked(self) -> bool:
        """The host no longer presents this device: its timeout surprise-removed it [MS-FO].
        (A new VF is allocated only once the guest let go of the old one, so the host's
        state is about this device.)"""
        return self.peer("vmstack").state not in VF_PRESENT

    def revoked_messages_waiting(self) -> bool:
        return self.peek("vpci") is not None and self.revoked()

    def eject_waiting(self) -> bool:
        return bool(self.peek("vpci") == (EJECT,))

    def guest_resumed(self) -> bool:
        """The PM core resumes the VF after NetVSC (see ``sources``), so once NetVSC runs again."""
        return bool(self.peer("netvsc").state != "suspended")

    def takes_over(self) -> bool:
        """netvsc_vf_setup opens a VF that was never opened, once it is joined, if the
        synthetic netdev runs (netif_running(ndev)) [LX-DRV, 0c195567a8f6]."""
        return (
            self.link == "new"
            and self.peer("binding").state == "running"
            and self.peer("netvsc").state in ("synthetic", "to_vf", "on_vf", "to_syn")
            and not self.peer("netvsc").closed
        )

    def link_closed(self) -> bool:
        return self.link != "up" and self.enslaved() and self.user_space_runs()

    def link_open(self) -> bool:
        return self.link == "up" and self.enslaved() and self.user_space_runs()

    def user_space_runs(self) -> bool:
        """User space is frozen while the guest hibernates: the PM core freezes tasks before
        the drivers' suspend and thaws them after their resume (freeze_processes, thaw_processes;
        a VF kept enslaved across hibernation by the linux guest is therefore not reconfigured
        then)."""
        return bool(self.peer("netvsc").state != "suspended")

    def enslaved(self) -> bool:
        """User space configures the VF once NetVSC has joined it: the join runs inside the
        VF's NETDEV_REGISTER (netvsc_register_vf), before user space sees the netdev, and the
        VF is marked a slave at POST_INIT [c807d6cd089d]. User space opening a VF that is still
        waiting for its association is left out (an abstraction, inferred as rare)."""
        return bool(self.peer("binding").state == "running")

    def protocols_paused(self) -> bool:
        return self.peer("binding").state in ("paused", "unbound")

    def protocols_unbound(self) -> bool:
        return bool(self.peer("binding").state == "unbound")

    def driver_unloaded(self) -> bool:
        return bool(self.unloading) and self.protocols_unbound()

    def may_unload(self) -> bool:
        """Only where user space may reload the driver (``Config.reconfigure``); the unload's
        unregister_netdev takes rtnl, so it waits for a switch in flight (see the wiring)."""
        return bool(self.reloads) and not self.revoked()

    def may_reload(self) -> bool:
        """The driver probes the device again once NDIS/netvsc let go of the old netdev (or
        user space retries a probe that failed)."""
        return (
            bool(self.reloads)
            and not self.revoked()
            and self.peer("binding").state == "unbound"
            and self.peek("vpci") is None
            and self.rtnl_free()
        )

    # -- actions -------------------------------------------------------------------------------
    def take_offer(self) -> None:
        _, self.serial = self.recv("vpci")
        self.register_netdev()

    def register_netdev(self) -> None:
        """POST_INIT marks the VF as NetVSC's slave before NETDEV_REGISTER [c807d6cd089d]."""
        self.slave = self.marks_slave_at_post_init()
        self.visible = True
        self.before_nic = self.before_nic or self.peer("netvsc").state == "probing"
        self.link = "new"

    def marks_slave_at_post_init(self) -> bool:
        return True

    def open_link(self) -> None:
        self.link = "up"

    def close_link(self) -> None:
        self.link = "down"

    def take_eject(self) -> None:
        self.recv("vpci")

    def start_unload(self) -> None:
        self.unloading = True

    def driver_gone(self) -> None:
        """The old netdev is gone; the device and its serial stay on the bus, driverless until
        user space loads the driver again (``unloading`` stays set until then)."""
        self.slave = False
        self.visible = False
        self.link = "new"

    def reprobe(self) -> None:
        self.unloading = False
        self.register_netdev()

    def take_failed_offer(self) -> None:
        """The device is on the bus, its driver failed: no netdev is registered."""
        _, self.serial = self.recv("vpci")

    def eject_driverless(self) -> None:
        """A device without a driver is removed at once, then PCI_EJECTION_COMPLETE [LX-PCI]."""
        self.recv("vpci")
        self.device_removed()

    def device_removed(self) -> None:
        """The eject work removes the device, then sends PCI_EJECTION_COMPLETE [LX-PCI] —
        unless the host already gave up on it (surprise removal)."""
        if self.peer("vmstack").state == "ejecting":
            self.emit("vpci_done", (EJECTED,))
        self.forget_device()

    def vanish(self) -> None:
        """Surprise removal: the device and whatever VPCI messages were pending for it are gone
        [MS-FO, MS-SURP; dropping the unread offer/eject is inferred]."""
        self.drop_messages()
        self.forget_device()

    def drop_messages(self) -> None:
        self.drain("vpci")

    def forget_device(self) -> None:
        self.unloading = False
        self.serial = 0
        self.slave = False
        self.visible = False
        self.link = "new"
