"""The seeded bugs' classes: each overrides a guard or an action *method* of one actor.

Each class is the code before (or without) the fix its comment cites; ``variants`` names each
with the property that must catch it. Kept apart from the catalog so that both stay readable.
"""

from __future__ import annotations

from .binding import Binding
from .config import serial_of
from .messages import EJECTED, VF, done
from .netvsc import NetVSC
from .netvsp import NetVSP
from .nic import NIC
from .vfminiport import VFMiniport
from .vmstack import VMStack

__all__ = [
    "BindingAnyProtocol",
    "BindingClosesWithoutWaiting",
    "BindingIgnoresSerial",
    "BindingKeptAcrossHibernation",
    "BindingMacFallback",
    "BindingMissesRegisteredVF",
    "BindingNeverUnlinks",
    "BindingOutlivesNetVSC",
    "BindingRegistersOnce",
    "BindingSerialOnly",
    "BindingWaitsForSetupWork",
    "NICKeepsFiltersOnVF",
    "NetVSCIgnoresGoingDown",
    "NetVSCKeepsCacheOnResume",
    "NetVSCLeavesOnCompletion",
    "NetVSCNoAssociationWait",
    "NetVSCSendUnchecked",
    "NetVSCStopsVFOnVFPath",
    "NetVSCSwitchesAtResume",
    "NetVSCSwitchesOnRequest",
    "NetVSCWakesAfterDisable",
    "NetVSPCompletesEarly",
    "NetVSPDropsPendingSwitch",
    "NetVSPIndexZeroSerial",
    "NetVSPKeepsBackendSwitch",
    "NetVSPSwitchesToVanishedVF",
    "VFHotplugGivesUp",
    "VFNotSlaveAtPostInit",
    "VFRegistersDuringProbe",
    "VFReleasedUnderTraffic",
    "VFWithSetupWork",
    "VMStackDeletesWithFilters",
    "VMStackFreesEarly",
    "VMStackNoTimeout",
    "VMStackOffersWithoutVPort",
    "VMStackResetsAfterFree",
    "VMStackSkipsEjectWait",
]


# Before 8b31f8c982b7: ``data_path_is_vf`` is set when the request is sent.
class NetVSCSwitchesOnRequest(NetVSC):
    def request_vf(self) -> None:
        self.data_path_is_vf = True
        NetVSC.request_vf(self)


# Keeps sending on the VF until the switch back completes (no 'block sending to VF').
class NetVSCLeavesOnCompletion(NetVSC):
    def request_synthetic(self) -> None:
        NetVSC.request_synthetic(self)
        self.data_path_is_vf = True

    def take_completion(self) -> None:
        NetVSC.take_completion(self)
        self.data_path_is_vf = False


# Before 34b06a2eee44: no switch on NETDEV_GOING_DOWN, only once the VF is down.
class NetVSCIgnoresGoingDown(NetVSC):
    def switches_on_going_down(self) -> bool:
        return False


# ...so nothing holds the VF's close back until the data path left it.
class BindingClosesWithoutWaiting(Binding):
    def must_let_go(self) -> bool:
        return self.peer("vfmp").state in ("remove_pending", "stopped")


# 365e1ececb29 without its wait for the host's VF association.
class NetVSCNoAssociationWait(NetVSC):
    def waits_for_association(self) -> bool:
        return True


# 365e1ececb29's MAC fallback: an unassociated VF is matched by MAC alone.
class BindingMacFallback(Binding):
    def serial_matches(self, vf_serial: int, vf_alloc: bool, assoc_serial: int) -> bool:
        return not vf_alloc or vf_serial == assoc_serial


# Before c807d6cd089d: IFF_SLAVE is set at join, after NETDEV_REGISTER.
class VFNotSlaveAtPostInit(VFMiniport):
    def marks_slave_at_post_init(self) -> bool:
        return False


# Before da26658c3d70: the cached data path survives the channel re-open.
class NetVSCKeepsCacheOnResume(NetVSC):
    def data_path_after_resume(self) -> bool:
        return bool(self.data_path_is_vf)


# Before 00d7ddba1143: the VF is paired by MAC alone, whatever association is in force.
class BindingIgnoresSerial(Binding):
    def serial_matches(self, vf_serial: int, vf_alloc: bool, assoc_serial: int) -> bool:
        return bool(vf_alloc)


# Before 64ff412ad41f: get_netvsc_byslot matches by serial alone, and MANA's vPort netdevs
# share their VF device's serial, so a vPort is paired with the first NIC holding that serial.
class BindingSerialOnly(Binding):
    def mac_matches(self, vnic: int) -> bool:
        return True


# Before OVMM 9f89c9e68: a pending switch is reset to Ready without its completion.
class NetVSPDropsPendingSwitch(NetVSP):
    def complete_vf_fail(self) -> None:
        return None


# Without OVMM's UnavailableFromDataPathSwitchPending: the pending switch to the VF is carried
# out although the VF vanished (the host's timeout revoked it) while the switch was pending.
# Not a catalog entry: it is an equivalent mutant. The stack deletes the VPort only once the
# guest released the revoked device [MS-DVP], so the late switch lands on a VPort that still
# exists, and every state it reaches is reached by the switch just before the timeout
# (tests/model/test_variants.py checks that the state sets are equal).
class NetVSPSwitchesToVanishedVF(NetVSP):
    def vf_present_here(self) -> bool:
        return self.here()


# Before OVMM 2fe9f1849: the completion is sent before the backend switch is done.
class NetVSPCompletesEarly(NetVSP):
    def take_request(self) -> None:
        if self.recv("from_guest") == ("switch", VF):
            self.emit("to_guest", done(VF, True))

    def complete_vf_ok(self) -> None:
        return None


# OpenVMM at 1488a37b7cfe as read (suspected, unconfirmed): restore_guest_vf_state reverts the
# backend for DataPathSwitchPending{to_guest: false} and DataPathSwitched only, so a VF that goes
# after the backend switched to it and before the completion leaves the filters on its VPort.
class NetVSPKeepsBackendSwitch(NetVSP):
    def skips_revert(self) -> bool:
        return True


# Before OVMM 67d5a6d45: the disassociation serial is the host's adapter index 0's.
class NetVSPIndexZeroSerial(NetVSP):
    def disassociation_serial(self) -> int:
        """Adapter index 0's serial: NIC 0's where serials are per NIC (the real case: a VM's
        second NIC, 67d5a6d45), VF 0's of the same host where they are per VF."""
        serial = int(self.serial)
        if self.serials == "vf":
            return serial - (serial - 1) % self.vfs_per_host
        return serial_of(0, 0, self.vfs_per_host, self.serials, 0)


# Before DPDK 81938ebb54: the VF is handed back while a queue still uses it.
class VFReleasedUnderTraffic(VFMiniport):
    def take_eject(self) -> None:
        self.recv("vpci")
        self.emit("vpci_done", (EJECTED,))

    def device_removed(self) -> None:
        self.forget_device()


# Before DPDK 03d66f18dd: after a removal, the hotplug retries give up before the probe.
class VFHotplugGivesUp(VFMiniport):
    variables = {**VFMiniport.variables, "attached_once": False}

    def offer_waiting(self) -> bool:
        return VFMiniport.offer_waiting(self) and not self.attached_once

    def take_offer(self) -> None:
        VFMiniport.take_offer(self)
        self.attached_once = True


class _BindingThatMisses(Binding):
    """A guest that can miss a VF: it never joins it until that netdev is gone."""

    variables = {**Binding.variables, "missed": False}

    def vf_matches(self) -> bool:
        return Binding.vf_matches(self) and not self.missed

    def missed_vf_gone(self) -> bool:
        return bool(self.missed) and self.peer("vfmp").state != "running"

    def forget_missed(self) -> None:
        self.missed = False

    def mark_missed(self) -> None:
        self.missed = True


# Before 9cae43da9867: netvsc_probe does not look for a VF netdev that registered while
# hv_netvsc was not loaded; its NETDEV_REGISTER was missed, so it never joins until it
# registers again.
class BindingMissesRegisteredVF(_BindingThatMisses):
    def note_unload(self) -> None:
        self.missed = self.peer("vfmp").state == "running"


# Before 365e1ececb29: netvsc_register_vf runs once, at the VF's NETDEV_REGISTER; with no
# association yet, get_netvsc_byslot finds no synthetic NIC and the VF is never joined.
class BindingRegistersOnce(_BindingThatMisses):
    def misses_vf(self) -> bool:
        return not self.missed and self.vf_ready() and not self.vf_serial_matches()


class BindingAnyProtocol(Binding):  # The VF miniport's INF without ``UpperRange "ndisvf"``.
    def inf_allows_other_protocols(self) -> bool:
        return True


# The stack frees the VF right after the guest removal: no DELETE_VPORT, no RESET_VF.
class VMStackFreesEarly(VMStack):
    def frees_without_teardown(self) -> bool:
        return True


# The stack waits for the guest's eject forever: no surprise removal after a timeout.
class VMStackNoTimeout(VMStack):
    def allows_surprise_removal(self) -> bool:
        return False


# The stack tears the VF down without waiting for PCI_EJECTION_COMPLETE.
class VMStackSkipsEjectWait(VMStack):
    def guest_ejected(self) -> bool:
        return True

    def take_ejected(self) -> None:
        if self.peek("vpci_done") is not None:
            self.recv("vpci_done")


# RESET_VF issued again after FREE_VF, on the VF the stack just freed.
class VMStackResetsAfterFree(VMStack):
    variables = {**VMStack.variables, "freed": None}

    def release_vf(self) -> None:
        self.freed = self.vf
        VMStack.release_vf(self)

    def resets_freed_vf(self) -> bool:
        return bool(self.freed == (self.arg("host"), self.arg("vf")))

    def forget_freed(self) -> None:
        self.freed = None


# DELETE_VPORT without first checking that the filters left the VPort.
class VMStackDeletesWithFilters(VMStack):
    def may_delete_vport(self) -> bool:
        return self.is_my_vf()


# The move back to the default VPort is lost: the filters stay on the VF VPort.
class NICKeepsFiltersOnVF(NIC):
    def do_move_filter_default(self) -> None:
        return None


# Before de214e52de1b: netvsc_resume calls netvsc_vf_changed itself, so a guest that keeps its
# VF across hibernation (19162fd4063a) asks for the VF before the VF has resumed.
class NetVSCSwitchesAtResume(NetVSC):
    keeps_vf_across_hibernation = True

    def vf_started(self) -> bool:
        return self.peer("vfmp").state in ("running", "suspended")


class BindingKeptAcrossHibernation(Binding):  # 19162fd4063a: netvsc_suspend keeps the VF joined.
    def lets_go_at_suspend(self) -> bool:
        return False


# Before d30fb712e529: netvsc_probe advertises SR-IOV before it takes rtnl, so the VF's
# register_netdevice can run before the synthetic NIC's.
class VFRegistersDuringProbe(VFMiniport):
    def rtnl_free(self) -> bool:
        return True


# Before fb84af8a4397: netvsc_unregister_vf, under rtnl, waits for the VF's setup work
# (cancel_delayed_work_sync), and that work waits for rtnl; a VF removed before its setup ran
# is never unregistered.
class VFWithSetupWork(VFMiniport):
    variables = {**VFMiniport.variables, "setup_pending": False}

    def register_netdev(self) -> None:
        VFMiniport.register_netdev(self)
        self.setup_pending = True

    def open_link(self) -> None:
        VFMiniport.open_link(self)
        self.setup_pending = False


class BindingWaitsForSetupWork(Binding):
    def unregister_returns(self) -> bool:
        return not self.peer("vfmp").setup_pending


# Before 3d43de8dab6e: netvsc_unregister_vf leaves the VF linked under the synthetic NIC, so
# unregister_netdevice waits forever for the VF's last reference.
class BindingNeverUnlinks(Binding):
    def unregister_returns(self) -> bool:
        return False


# Before ec158f77def2: netvsc_remove leaves an enslaved VF joined (its rx_handler still pointing
# at the synthetic NIC being freed).
class BindingOutlivesNetVSC(Binding):
    def unregisters_vf_at_unload(self) -> bool:
        return False


# The VF offered to the guest although it has no VPort (CREATE_VPORT failed or was skipped).
class VMStackOffersWithoutVPort(VMStack):
    def offers_without_vport(self) -> bool:
        return True


# Before DPDK da1fcd9b36d8: stopping the port (hn_vf_stop) stops the VF without switching the
# data path to synthetic first; the host keeps steering to a VF whose queues are stopped.
class NetVSCStopsVFOnVFPath(NetVSC):
    def switches_on_close(self) -> bool:
        return False


# Before d0922bf79817: netvsc_switch_datapath ignores vmbus_sendpacket's result and waits for
# the completion of a request that was never sent, under rtnl, forever.
class NetVSCSendUnchecked(NetVSC):
    def send_may_fail(self) -> bool:
        return True

    def ignores_send_result(self) -> bool:
        return True


# Before 1b704c4a1ba9: a TX completion that arrives after netvsc_detach's netif_tx_disable wakes
# the queue, and netvsc_xmit sends on the channel being torn down.
class NetVSCWakesAfterDisable(NetVSC):
    def tx_wakes_after_disable(self) -> bool:
        return True
