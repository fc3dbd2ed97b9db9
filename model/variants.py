"""Seeded bugs: one model variant per real bug of SRIOV.md (d) and per doc-derived mutant.

A variant swaps actor classes for subclasses that override a guard or an action *method* (never
a transition: python-statemachine subclasses share their parent's State objects). The checker
must then find the property the catalog names violated: that is what makes the properties and
the model credible. ``vfpath mutants`` prints the kill matrix. An implementer models their own
driver the same way: subclass, override, ``build_system(cfg).replace({"NetVSC": Mine})``, check.
Overrides here call the parent by name (``NetVSC.request_vf(self)``); ``super()`` works too and,
for a variant layered on a guest profile (``on_profile``), reaches the profile's method first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vfpath.checker import System, Trace

from .config import Config
from .guests import DEFAULT_GUEST
from .guests import guest as guest_profile
from .mutant_classes import (
    BindingAnyProtocol,
    BindingClosesWithoutWaiting,
    BindingIgnoresSerial,
    BindingKeptAcrossHibernation,
    BindingMacFallback,
    BindingMissesRegisteredVF,
    BindingNeverUnlinks,
    BindingOutlivesNetVSC,
    BindingRegistersOnce,
    BindingSerialOnly,
    BindingWaitsForSetupWork,
    NetVSCIgnoresGoingDown,
    NetVSCKeepsCacheOnResume,
    NetVSCLeavesOnCompletion,
    NetVSCNoAssociationWait,
    NetVSCSendUnchecked,
    NetVSCStopsVFOnVFPath,
    NetVSCSwitchesAtResume,
    NetVSCSwitchesOnRequest,
    NetVSCWakesAfterDisable,
    NetVSPCompletesEarly,
    NetVSPDropsPendingSwitch,
    NetVSPIndexZeroSerial,
    NICKeepsFiltersOnVF,
    VFHotplugGivesUp,
    VFNotSlaveAtPostInit,
    VFRegistersDuringProbe,
    VFReleasedUnderTraffic,
    VFWithSetupWork,
    VMStackDeletesWithFilters,
    VMStackFreesEarly,
    VMStackNoTimeout,
    VMStackOffersWithoutVPort,
    VMStackResetsAfterFree,
    VMStackSkipsEjectWait,
)
from .netvsc import NetVSC

__all__ = ["CATALOG", "NOT_EXPRESSIBLE", "Variant", "on_profile", "shows"]


@dataclass(frozen=True)
class Variant:
    """A seeded bug: which classes change, and what must catch it.

    ``key_events`` are move-label fragments that must appear, in this order, in the expected
    property's counterexample (a fragment also matches a rendezvous part ``"inst.event"``);
    ``absent`` fragments must not appear in it at all. ``also`` names further properties the
    bug must violate. ``config`` is the smallest configuration in which the bug is killed.
    """

    name: str
    source: str
    description: str
    expected: str
    replacements: Mapping[str, type]
    config: Config = field(default_factory=lambda: Config(1, 1, 1))
    key_events: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    also: tuple[str, ...] = ()

    def system(self, guest: str = DEFAULT_GUEST) -> System:
        """The SR-IOV system of ``config`` on guest profile ``guest``, with every property,
        and this variant's classes (a NetVSC variant is layered on the profile's NetVSC)."""
        from vfpath.api import build_system  # the API imports the model: resolve at call time

        config = dataclasses.replace(self.config, guest=guest)
        return build_system(config).replace(on_profile(self.replacements, guest))


def on_profile(replacements: Mapping[str, type], guest: str) -> dict[str, type]:
    """``replacements`` for guest profile ``guest``: a variant of the reference NetVSC becomes a
    class whose own overrides come first and the profile's next (both subclass NetVSC, so the
    MRO is variant, profile, NetVSC); other replacements are unchanged."""
    profile = guest_profile(guest).netvsc
    out: dict[str, type] = {}
    for key, cls in replacements.items():
        if profile is not NetVSC and key == "NetVSC" and issubclass(cls, NetVSC):
            name = f"{cls.__name__}On{profile.__name__}"
            out[profile.__name__] = type(name, (cls, profile), {"__module__": cls.__module__})
        else:
            out[key] = cls
    return out


def shows(trace: Trace | None, key_events: Sequence[str], absent: Sequence[str] = ()) -> bool:
    """Whether ``trace`` has every key event in order (as a subsequence) and no absent one."""
    if trace is None:
        return False
    names = [[s.label, *(f"{i}.{ev}" for i, ev in s.parts)] for s in trace.steps]
    if any(a in n for step in names for n in step for a in absent):
        return False
    pos = 0
    for frag in key_events:
        while pos < len(names) and not any(frag in n for n in names[pos]):
            pos += 1
        if pos == len(names):
            return False
        pos += 1
    return True


# -- the catalog -------------------------------------------------------------------------------
_TWO_VFS = Config(1, 2, 1)  # two VFs on one host: two serials
# a VM with two synthetic NICs whose VFs share one serial: MANA's vPorts of one VF device
_MANA = Config(1, 1, 1, vnics=2, serials="vm")
# a Windows guest with two synthetic NICs: OpenVMM sends each NIC's adapter index as the serial
_TWO_NICS = Config(1, 1, 1, vnics=2, serials="vnic")

CATALOG: tuple[Variant, ...] = (
    Variant(
        "doc-free-vf-with-vport",
        "MS-FREE, MS-VFTD",
        "VF removed (ejected, or withdrawn before its offer) -> FREE_VF at once, with the VPort "
        "still attached and no FLR",
        "S3-vf-resource-ordering",
        {"VMStack": VMStackFreesEarly},
        key_events=("vmstack[0].create_vport", "vmstack[0].free_early"),
    ),
    Variant(
        "doc-reset-after-free",
        "MS-RESET, MS-FREE",
        "VF torn down and freed -> RESET_VF issued on the freed VF",
        "S3-vf-resource-ordering",
        {"VMStack": VMStackResetsAfterFree},
        key_events=("vmstack[0].free_vf", "vmstack[0].reset_freed"),
    ),
    Variant(
        "doc-host-ignores-removal-timeout",
        "MS-FO, OVMM f92044216be4",
        "detach -> the guest never answers the eject -> the host waits forever, never frees",
        "L3-detach-terminates",
        {"VMStack": VMStackNoTimeout},
        key_events=("vmstack[0].detach",),
    ),
    Variant(
        "lx-vf-path-before-completion",
        "8b31f8c982b7",
        "VF up -> data_path_is_vf set when SWITCH(VF) is sent -> TX on the VF, host not switched",
        "S8-no-tx-on-unswitched-vf",
        {"NetVSC": NetVSCSwitchesOnRequest},
        key_events=("netvsc[0].association", "binding[0].bind", "netvsc[0].switch_to_vf"),
        absent=("netvsp[0].switch_vf_ok",),
        also=("S14-traffic-always-has-a-working-path",),
    ),
    Variant(
        "lx-vf-tx-while-leaving",
        "8b31f8c982b7 (switch away)",
        "leaving the VF -> SWITCH(SYNTHETIC) sent -> guest still sends on the VF until completion",
        "S9-stop-vf-tx-before-leaving",
        {"NetVSC": NetVSCLeavesOnCompletion},
        key_events=("netvsc[0].vf_switched", "netvsc[0].going_down"),
    ),
    Variant(
        "lx-switch-send-unchecked",
        "d0922bf79817",
        "VF up -> the SWITCH_DATA_PATH(VF) send fails (ring full) -> the guest waits under rtnl "
        "for a completion the host can never send",
        "L2-switch-requests-terminate",
        {"NetVSC": NetVSCSendUnchecked},
        key_events=("netvsc[0].switch_to_vf_unsent",),
        absent=("netvsp[0].request_vf",),
    ),
    Variant(
        "lx-tx-woken-after-disable",
        "1b704c4a1ba9",
        "user space changes the MTU -> netvsc_detach disables TX -> a late TX completion wakes "
        "the queue -> a packet is sent on the channel being closed",
        "S14-traffic-always-has-a-working-path",
        {"NetVSC": NetVSCWakesAfterDisable},
        Config(1, 1, 1, reconfigure=True),
        key_events=("vm[0].reconfigure", "netvsc[0].send_packet"),
    ),
    Variant(
        "lx-switch-on-down-only",
        "34b06a2eee44",
        "VPCI eject -> GOING_DOWN ignored -> VF closes while RX is still steered to it",
        "S14-traffic-always-has-a-working-path",
        {"NetVSC": NetVSCIgnoresGoingDown, "Binding": BindingClosesWithoutWaiting},
        key_events=("netvsc[0].vf_switched", "vfmp[0].eject", "binding[0].pause"),
    ),
    Variant(
        "lx-switch-before-association",
        "365e1ececb29",
        "VPCI offer read before the association -> VF matched by MAC -> SWITCH(VF) before "
        "association",
        "S11-switch-only-to-advertised-vf",
        {"NetVSC": NetVSCNoAssociationWait, "Binding": BindingMacFallback},
        key_events=("vfmp[0].offer", "binding[0].bind", "netvsc[0].switch_to_vf"),
        absent=("netvsc[0].association",),
        # not L1: OpenVMM sends the association before it offers the device, so the early
        # SWITCH(VF) finds the host advertised and is carried out (switch_data_path); the
        # never-joined half of the bug is lx-register-once
    ),
    Variant(
        "lx-probe-misses-registered-vf",
        "9cae43da9867",
        "VF registered -> rmmod/modprobe hv_netvsc -> the probe misses the VF -> never joined",
        "L1-eventually-on-vf",
        {"Binding": BindingMissesRegisteredVF},
        Config(1, 1, 1, reconfigure=True),
        key_events=("vfmp[0].offer", "vm[0].unload_netvsc", "vm[0].reload_netvsc"),
    ),
    Variant(
        "lx-register-once",
        "365e1ececb29 (before it)",
        "VPCI offer before the association -> NETDEV_REGISTER finds no match -> never joined",
        "L1-eventually-on-vf",
        {"Binding": BindingRegistersOnce},
        key_events=("vfmp[0].offer", "binding[0].miss", "netvsc[0].association"),
        absent=("binding[0].bind",),
    ),
    Variant(
        "lx-vf-registers-during-probe",
        "d30fb712e529 (bug 5)",
        "boot -> SR-IOV advertised, rtnl not yet held -> VF offered and registered -> the "
        "synthetic netdev registers after its VF",
        "S20-synthetic-nic-registers-first",
        {"VFMiniport": VFRegistersDuringProbe},
        key_events=("vm[0].start", "vfmp[0].offer"),
        absent=("netvsc[0].registered",),
    ),
    Variant(
        "lx-unregister-waits-for-setup",
        "fb84af8a4397",
        "VF joined, its setup work not yet run -> VF removed -> netvsc_unregister_vf waits for "
        "the work under rtnl, the work waits for rtnl -> the removal never ends",
        "L3-detach-terminates",
        {"Binding": BindingWaitsForSetupWork, "VFMiniport": VFWithSetupWork},
        key_events=("binding[0].bind", "vfmp[0].surprise_removed"),
        absent=("vfmp[0].takeover",),
    ),
    Variant(
        "lx-vf-not-unlinked",
        "3d43de8dab6e",
        "VF joined -> VF removed -> netvsc_unregister_vf leaves the upper link, "
        "unregister_netdevice waits for the VF's last reference forever",
        "L3-detach-terminates",
        {"Binding": BindingNeverUnlinks},
        key_events=("binding[0].bind", "vfmp[0].surprise_removed"),
    ),
    Variant(
        "lx-remove-keeps-vf-joined",
        "ec158f77def2",
        "VF joined -> rmmod hv_netvsc -> netvsc_remove frees the synthetic NIC with the VF "
        "still joined to it",
        "S1-only-netvsc-binds-the-vf",
        {"Binding": BindingOutlivesNetVSC},
        Config(1, 1, 1, reconfigure=True),
        key_events=("binding[0].bind", "vm[0].unload_netvsc", "netvsc[0].unloaded"),
    ),
    Variant(
        "lx-vf-visible-before-slave",
        "c807d6cd089d",
        "VF netdev registered -> user space sees it without IFF_SLAVE before NetVSC joins it",
        "S1-only-netvsc-binds-the-vf",
        {"VFMiniport": VFNotSlaveAtPostInit},
        key_events=("vfmp[0].offer",),
        absent=("binding[0].bind",),
    ),
    Variant(
        "lx-stale-cache-after-resume",
        "da26658c3d70 (with de214e52de1b)",
        "on the VF -> hibernate (host back to synthetic) -> resume keeps data_path_is_vf = true",
        "S13-cached-path-is-real-path",
        {"NetVSC": NetVSCKeepsCacheOnResume},
        key_events=("netvsc[0].vf_switched", "vm[0].hibernate", "vm[0].resume"),
        also=("S8-no-tx-on-unswitched-vf",),
    ),
    Variant(
        "lx-switch-before-vf-resumed",
        "de214e52de1b (bug 7)",
        "VF kept across hibernation -> resume -> netvsc_resume switches to the VF before the VF "
        "resumed",
        "S19-vf-path-only-when-started",
        {"NetVSC": NetVSCSwitchesAtResume, "Binding": BindingKeptAcrossHibernation},
        key_events=("vm[0].hibernate", "vm[0].resume", "netvsc[0].switch_to_vf", "switch_vf_ok"),
        absent=("vfmp[0].resume_vf",),
    ),
    Variant(
        "lx-pair-by-mac-only",
        "00d7ddba1143",
        "the pairing before 00d7ddba1143, by MAC alone: VF freed, old association unread -> new "
        "VF (new serial) bound against the old association (the commit's own reason, a non-VF "
        "netdev with the VF's MAC, has no counterpart in the model: this path is inferred)",
        "S2-correct-pairing",
        {"Binding": BindingIgnoresSerial},
        _TWO_VFS,
        key_events=("free_vf", "allocate_vf", "vfmp[0].offer", "binding[0].bind"),
    ),
    Variant(
        "lx-pair-by-serial-only",
        "64ff412ad41f",
        "MANA: a vPort netdev per synthetic NIC, all with the VF device's serial -> NIC 0 holds "
        "an association with that serial -> NIC 1's vPort registers -> get_netvsc_byslot "
        "matches by serial alone -> NIC 1's vPort paired with NIC 0",
        "S2-correct-pairing",
        {"Binding": BindingSerialOnly},
        _MANA,
        key_events=("netvsc[0.0].association", "vfmp[0.1].offer", "binding[0.1].bind"),
    ),
    Variant(
        "ovmm-pending-switch-dropped",
        "OVMM 9f89c9e68",
        "SWITCH(VF) pending -> host returns to Ready without a completion -> guest waits forever",
        "S12-one-completion-per-switch",
        {"NetVSP": NetVSPDropsPendingSwitch},
        key_events=("netvsc[0].switch_to_vf", "netvsp[0].request_vf", "netvsp[0].switch_vf_fail"),
        also=("L2-switch-requests-terminate",),
    ),
    Variant(
        "ovmm-completion-before-backend",
        "OVMM 2fe9f1849",
        "SWITCH(VF) taken -> completion sent at once -> guest on the VF before the filters moved",
        "S12-one-completion-per-switch",
        {"NetVSP": NetVSPCompletesEarly},
        key_events=("netvsc[0].switch_to_vf", "netvsp[0].request_vf"),
        absent=("netvsp[0].switch_vf_ok",),
        also=("S8-no-tx-on-unswitched-vf",),
    ),
    Variant(
        "ovmm-disassociation-serial",
        "OVMM 67d5a6d45",
        "a Windows guest's second NIC (adapter index 1) associated -> VF gone -> its "
        "disassociation carries adapter index 0's serial",
        "S15-disassociation-serial",
        {"NetVSP": NetVSPIndexZeroSerial},
        _TWO_NICS,
        key_events=(
            "netvsp[0.1].advertise",
            "netvsc[0.1].association",
            "netvsp[0.1].disassociate",
            "netvsc[0.1].association",
        ),
    ),
    Variant(
        "dpdk-remove-under-traffic",
        "DPDK 81938ebb54",
        "VF bound -> eject completes while a queue still does rx/tx on the VF",
        "S10-no-packet-on-detached-vf",
        {"VFMiniport": VFReleasedUnderTraffic},
        key_events=("binding[0].bind", "vfmp[0].eject", "vmstack[0].ejected"),
        absent=("vfmp[0].halt",),
    ),
    Variant(
        "dpdk-stop-without-switch",
        "DPDK da1fcd9b36d8",
        "on the VF -> the port stops (user space closes the NIC) -> the VF stops with the host "
        "still steering to it",
        "S19-vf-path-only-when-started",
        {"NetVSC": NetVSCStopsVFOnVFPath},
        Config(1, 1, 1, reconfigure=True),
        key_events=("switch_vf_ok", "netvsc[0].vf_switched", "vm[0].close_nic/vf"),
    ),
    Variant(
        "dpdk-hotplug-gives-up",
        "DPDK 03d66f18dd",
        "VF removed -> offered again -> hotplug retries give up before the probe ends -> no VF",
        "L1-eventually-on-vf",
        {"VFMiniport": VFHotplugGivesUp},
        key_events=("vfmp[0].offer", "vmstack[0].free_vf", "vmstack[0].offer"),
    ),
    Variant(
        "doc-second-protocol-binds",
        "MS-VFINF, MS-OV",
        "VF miniport up -> a protocol other than NetVSC binds to it",
        "S1-only-netvsc-binds-the-vf",
        {"Binding": BindingAnyProtocol},
        key_events=("vfmp[0].offer", "binding[0].bind_other"),
    ),
    Variant(
        "doc-teardown-before-guest-removal",
        "MS-VFTD, MS-DVP",
        "detach -> stack proceeds to DELETE_VPORT/RESET/FREE before the guest removed the VF",
        "S6-teardown-order",
        {"VMStack": VMStackSkipsEjectWait},
        key_events=("vmstack[0].detach", "vmstack[0].ejected"),
        absent=("vfmp[0].halt",),
    ),
    Variant(
        "doc-offer-without-vport",
        "MS-VFINIT, MS-CVP",
        "ALLOCATE_VF -> no VPort (CREATE_VPORT failed or skipped) -> VF offered -> the switch "
        "moves the filters to a VPort that does not exist",
        "S5-filters-on-one-existing-vport",
        {"VMStack": VMStackOffersWithoutVPort},
        key_events=("offer_without_vport", "vfmp[0].offer", "switch_vf_ok"),
        absent=("create_vport",),
    ),
    Variant(
        "doc-delete-vport-with-filters",
        "MS-DVP",
        "on the VF -> VF removed -> DELETE_VPORT while the VM's filters are still on it",
        "S5-filters-on-one-existing-vport",
        {"VMStack": VMStackDeletesWithFilters},
        key_events=("netvsp[0].switch_vf_ok", "vmstack[0].delete_vport"),
        absent=("nic[0].move_filter_default",),
        also=("S7-synthetic-before-vf-freed",),
    ),
    Variant(
        "doc-filters-never-moved-back",
        "MS-VFTD, MS-FO",
        "on the VF -> host leaves the VF, the move back to the default VPort is lost -> RX lost",
        "S14-traffic-always-has-a-working-path",
        {"NIC": NICKeepsFiltersOnVF},
        key_events=("netvsp[0].switch_vf_ok", "nic[0].move_filter_default"),
    ),
)

# bug or mutant -> why the current model cannot express it, and the model change that would
NOT_EXPRESSIBLE: dict[str, str] = {}
