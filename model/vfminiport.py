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

__all__ = ["VFMiniport"]


class VFMiniport(Actor, StateMachine):
    """VF miniport and guest VPCI for one VM NIC [MS-MPST, MS-VFMPINIT, MS-VFINIT, LX-PCI].

    MS-MPST's states on the way up (Initializing, Paused, Restarting) are folded into the one
    step that loads and starts the miniport, and Pausing into the pause; ``stopped`` is Paused
    on the way to Halted. No other actor reads the folded states and no property needs them
    (the interleavings they add are of the miniport with itself).

    ``serial`` is the serial of the offered device; ``slave`` whether NetVSC marked the VF as
    its slave before user space could see it [c807d6cd089d]; ``visible`` whether the VF netdev
    is registered (visible to user space).
    """

    variables = {"serial": 0, "slave": False, "visible": False}

    sources = {
        "offer": "MS-VFINIT, MS-VFS, MS-MPST, MS-VFMPINIT, c807d6cd089d (B3: Halted -> "
        "Initializing -> Paused -> Restarting -> Running)",
        "eject": "MS-VFTD, LX-PCI, 34b06a2eee44 (B6.3: graceful removal starts, GOING_DOWN)",
        "pause": "MS-MPST, MS-SURP (protocols paused first; Pausing -> Paused)",
        "halt": "MS-MPST, LX-PCI (halt only from Paused; then PCI_EJECTION_COMPLETE)",
        "surprise_removed": "MS-FO, MS-SURP (NdisHaltDeviceSurpriseRemoved)",
    }

    absent = State(initial=True)
    running = State()
    remove_pending = State()
    stopped = State()

    offer = absent.to(running, cond="offer_waiting", on="take_offer")
    # a rendezvous with NetVSC's NETDEV_GOING_DOWN handler
    eject = running.to(remove_pending, cond="eject_waiting", on="take_eject")
    pause = remove_pending.to(stopped, cond="protocols_paused")
    halt = stopped.to(absent, cond="protocols_unbound", on="device_removed")
    # the host's timeout: the device vanishes, NDIS unbinds NetVSC and halts the miniport, and
    # NETDEV_GOING_DOWN reaches NetVSC -- one rendezvous (see the wiring)
    surprise_removed = (
        running.to(absent, on="vanish")
        | remove_pending.to(absent, on="vanish")
        | stopped.to(absent, on="vanish")
        | absent.to.itself(on="vanish")
    )

    # -- guards --------------------------------------------------------------------------------
    def offer_waiting(self) -> bool:
        """A new device starts once NDIS has torn down the binding to the previous one
        (NDIS serialises PnP on the adapter; inferred)."""
        msg = self.peek("vpci")
        return msg is not None and msg[0] == OFFER and self.peer("binding").state == "unbound"

    def eject_waiting(self) -> bool:
        return bool(self.peek("vpci") == (EJECT,))

    def protocols_paused(self) -> bool:
        return self.peer("binding").state in ("paused", "unbound")

    def protocols_unbound(self) -> bool:
        return bool(self.peer("binding").state == "unbound")

    # -- actions -------------------------------------------------------------------------------
    def take_offer(self) -> None:
        _, self.serial = self.recv("vpci")
        self.register_netdev()

    def register_netdev(self) -> None:
        """POST_INIT marks the VF as NetVSC's slave before NETDEV_REGISTER [c807d6cd089d]."""
        self.slave = self.marks_slave_at_post_init()
        self.visible = True

    def marks_slave_at_post_init(self) -> bool:
        return True

    def take_eject(self) -> None:
        self.recv("vpci")

    def device_removed(self) -> None:
        """The eject work removes the device, then sends PCI_EJECTION_COMPLETE [LX-PCI] —
        unless the host already gave up on it (surprise removal)."""
        if self.peer("vmstack").state == "ejecting":
            self.emit("vpci_done", (EJECTED,))
        self.forget_device()

    def vanish(self) -> None:
        """Surprise removal: the device and whatever VPCI messages were pending for it are gone
        [MS-FO, MS-SURP; dropping the unread offer/eject is inferred]."""
        self.drain("vpci")
        self.forget_device()

    def forget_device(self) -> None:
        self.serial = 0
        self.slave = False
        self.visible = False
