"""Liveness L1-L5 of SRIOV.md and the headline "traffic never stalls", under explicit fairness.

Fairness (Lamport's WF/SF per move): the drivers' own steps and message deliveries are weakly
fair -- an enabled driver step eventually runs, a message is eventually read. The environment's
choices are not: a VM need not start, stop, hibernate or migrate, the stack need not detach a VF
or time out, a backend need not fail. The host's successful data-path switch and the guest's
removal of a revoked VF are strongly fair. Each assumption carries its reason (``check --list``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vfpath.checker import Fairness, Mirror, Property
from vfpath.model import Config
from vfpath.model.config import Unit

from .paths import VMView

__all__ = ["DETACH_FAIRNESS", "DRIVER_FAIRNESS", "liveness_properties"]

_HOST_STEP = (
    "the host's own worker runs it once it is enabled and stays so (a service loop, not a "
    "choice) [OVMM, MS-VFTD]"
)
_OID = (
    "an OID the stack issues as the next step of its VF lifecycle; the PF completes it "
    "[MS-VFINIT, MS-VFTD]"
)
_GUEST_STEP = (
    "the guest driver's own work (a notifier, a workqueue item) runs once it is enabled [LX-DRV]"
)

# the host's own steps: NetVSP, the stack's OIDs and its handling of the guest's answers
HOST_FAIRNESS: tuple[Fairness, ...] = (
    Fairness("netvsp[*", reason=_HOST_STEP),
    Fairness(
        "netvsp[*].offer_vf_device",
        reason="VF_DEVICE_DELAY is a one-second timer the coordinator arms; it fires "
        "[OVMM lib.rs 135, Message::OfferVfDevice]",
    ),
    Fairness("vmstack[*].allocate_vf*", reason=_OID),
    Fairness("vmstack[*].create_vport*", reason=_OID),
    Fairness("vmstack[*].offer", reason=_OID),
    Fairness("vmstack[*].ejected", reason="the host reads PCI_EJECTION_COMPLETE [LX-PCI]"),
    Fairness("vmstack[*].delete_vport*", reason=_OID),
    Fairness("vmstack[*].reset_vf*", reason=_OID),
    Fairness("vmstack[*].free_vf*", reason=_OID),
    Fairness(
        "vm[*].hibernation_done", reason="the stack completes a guest's hibernation [de214e52de1b]"
    ),
    Fairness("vm[*].stopped", reason="the stack completes a stop it started [MS-VSWST]"),
    Fairness("nic[*].create_switch", reason="NDIS creates the NIC switch at boot [MS-VFINIT]"),
    Fairness(
        "netvsp[*].switch_vf_ok*",
        strong=True,
        reason="ASSUMED: the host backend's failures are transient, so a switch asked for again "
        "and again eventually succeeds (OVMM logs 'Failure switching to guest VF, remaining on "
        "synthetic' and keeps the VF advertised). Under weak fairness L1 is violated by a backend "
        "that always fails (tests/model/test_fairness.py): the guest then stays synthetic, the "
        "documented fallback, and every other property still holds",
    ),
)
# the guest's drivers, except that the guest may never start handling a VPCI eject (an
# unresponsive guest [MS-FO]); once it has started a removal it finishes it
GUEST_FAIRNESS: tuple[Fairness, ...] = (
    Fairness("netvsc[*", reason=_GUEST_STEP),
    Fairness(
        "binding[*",
        reason="NDIS binds and unbinds a matching protocol [MS-BIND]; on "
        "Linux netvsc_register_vf/netvsc_unregister_vf run in the VF's netdev notifier",
    ),
    Fairness(
        "vfmp[*].offer", reason="the guest's PCI layer probes an offered device [LX-PCI, MS-VFINIT]"
    ),
    Fairness(
        "vfmp[*].pause", reason="NDIS pauses the miniport once its protocols paused [MS-MPST]"
    ),
    Fairness("vfmp[*].halt", reason="NDIS halts a paused miniport being removed [MS-MPST, LX-PCI]"),
    # user space's own link_up/link_down are choices of the environment and are not fair
    Fairness(
        "vfmp[*].takeover",
        reason="netvsc_vf_setup opens a newly joined VF by itself (0c195567a8f6)",
    ),
    Fairness(
        "vfmp[*].surprise_removed",
        strong=True,
        reason="a device the host revoked is removed by the guest's PCI layer when the host "
        "rescinds its vPCI channel (hv_pci_remove, 17978524a636). It needs rtnl, which switches "
        "in flight take and release again and again; the kernel mutex hands the lock to a waiter "
        "rather than let it starve (lock handoff, 9d659ae14b54)",
    ),
    Fairness(
        "vfmp[*].revoked_offer",
        reason="the guest's PCI layer drops a device the host revoked [LX-PCI]",
    ),
    Fairness(
        "vfmp[*].resume_vf",
        reason="the PM core resumes every device it suspended before the guest runs again "
        "(dpm_resume; de214e52de1b waits for the VF's resume)",
    ),
)
_EJECT = Fairness(
    "vfmp[*].eject",
    strong=True,
    reason="a responsive guest handles the VPCI eject (L3 does not assume it: an unresponsive "
    "guest is why the host has a timeout [MS-FO]). Strong: the removal's NETDEV_GOING_DOWN "
    "needs rtnl, which a user reconfiguring the synthetic NIC again and again takes and "
    "releases; the kernel mutex hands the lock to a waiter rather than let it starve (lock "
    "handoff, 9d659ae14b54)",
)
# the drivers' steps and deliveries: an enabled driver step eventually runs
DRIVER_FAIRNESS = HOST_FAIRNESS + GUEST_FAIRNESS + (_EJECT,)
_TIMEOUT = Fairness(
    "vmstack[*].timeout",
    reason="the host's removal timer fires whatever the guest does [MS-FO]; the model lets it "
    "fire in every state of a detach until the guest's PCI_EJECTION_COMPLETE is in the host's "
    "hands, so weak fairness is the timer's 'eventually fires'",
)
# detach must finish even when the guest never answers the eject
DETACH_FAIRNESS = HOST_FAIRNESS + GUEST_FAIRNESS + (_TIMEOUT,)


def _flows(v: VMView) -> bool:
    """Traffic flows: the guest is up, nothing is being switched, and TX and RX agree on a
    path that carries them (synthetic, or a VF that runs bound to NetVSC)."""
    if not v.guest_up or v.switch_in_flight:
        return False
    if v.tx_on_vf:
        return v.rx_vf is not None and v.vf_carries_traffic and v.netvsp.state == "switched"
    return v.rx_vf is None


def _unloaded(v: VMView) -> bool:
    """User space has unloaded hv_netvsc in a running VM (rmmod; ``Config.reconfigure``): there
    is no synthetic NIC to carry traffic until it loads the driver again, which it may never
    do [ec158f77def2]."""
    return v.vm.state == "running" and v.netvsc.state == "down"


def mirror_of_vm0(config: Config, i: int) -> tuple[tuple[str, tuple[int, ...]], ...] | None:
    """The renaming that maps VM 0 to VM ``i`` and fixes the initial state, if there is one.

    Swapping VMs 0 and ``i`` (and, with two hosts, the hosts too) maps the initial state to
    itself when every VM starts on the one host, or each of two VMs alone on its own host; the
    properties and fairness assumptions are written per actor kind, so VM ``i``'s property is
    VM 0's renamed [Emerson and Sistla, "Symmetry and model checking", 1996]. The checker
    reuses VM 0's verdict only after checking that the system still has that symmetry
    (:func:`vfpath.checker.mirror_gate.mirror_gate`: a variant of one VM's actor breaks it).
    """
    if i == 0 or config.vnics > 1 or not (config.hosts == 1 or config.vms == config.hosts == 2):
        return None
    swap = list(range(config.vms))
    swap[0], swap[i] = i, 0
    perm: list[tuple[str, tuple[int, ...]]] = [("vm", tuple(swap))]
    if config.hosts == 2:
        perm.append(("host", (1, 0)))
    return tuple(perm)


def _per_vm(
    config: Config,
    name: str,
    when: Callable[[VMView], bool],
    then: Callable[[VMView], bool],
    description: str,
    source: str,
    fairness: tuple[Fairness, ...] = DRIVER_FAIRNESS,
) -> list[Property]:
    """One leads-to per VM (fairness makes a per-VM property cheaper to read and to refute)."""
    out = []
    units = config.units
    for u in units:

        def p(s: Any, u: Unit = u) -> bool:
            return when(VMView(s, u))

        def q(s: Any, u: Unit = u) -> bool:
            return then(VMView(s, u))

        suffix = f"[vm{u.tag}]" if len(units) > 1 else ""
        perm = mirror_of_vm0(config, u.vm)
        out.append(
            Property.leads_to(
                f"{name}{suffix}",
                p,
                q,
                fairness=fairness,
                description=description,
                source=source,
                mirror=None if perm is None else Mirror(f"{name}[vm0]", perm),
            )
        )
    return out


def liveness_properties(config: Config) -> list[Property]:
    """The liveness properties the model expresses, for ``config``."""
    props: list[Property] = []
    props += _per_vm(
        config,
        "no-stall-during-failover",
        lambda v: v.vm.state == "running" and v.vmstack.state in ("ejecting", "removed"),
        lambda v: v.vm.state != "running" or (_flows(v) and not v.tx_on_vf) or _unloaded(v),
        "Traffic never stalls during VF failover: once the VF is being removed, guest traffic "
        "eventually flows again on the synthetic path.",
        "MS-FO, MS-VFTD, AZ-AN, 34b06a2eee44",
    )
    props += (
        []
        if config.hosts < 2
        else _per_vm(
            config,
            "no-stall-after-migration",
            lambda v: v.vm.state == "running" and v.vm.host != v.unit.vm % config.hosts,
            lambda v: v.vm.state != "running" or _flows(v) or _unloaded(v),
            "Traffic never stalls during live migration: a VM that has moved to another host "
            "eventually has flowing traffic (synthetic, then a VF where one is given).",
            "MS-OV, MS-FO, AZ-AN",
        )
    )
    props += _per_vm(
        config,
        "L1-eventually-on-vf",
        lambda v: v.vm.state == "running" and v.vmstack.state == "offered" and v.guest_up,
        lambda v: (
            (v.tx_on_vf and v.netvsp.state == "switched")
            or v.vmstack.state != "offered"
            or v.vm.state != "running"
            or v.vfmp.link == "down"
            or bool(v.netvsc.closed)
            or _unloaded(v)
            or v.netvsc.state == "reopening"
            or bool(v.vfmp.unloading)
        ),
        "If a VF stays attached to a running VM, the data path is eventually the VF, unless the "
        "guest's user space has closed the VF interface (Linux then stays synthetic by design) "
        "or the synthetic one (which sends nothing then), "
        "is reconfiguring the synthetic NIC (its channel is closed meanwhile) or is unloading "
        "the VF driver (so a user who does either again and again keeps it off the VF).",
        "LX-DOC, AZ-AN, LX-DRV netvsc_vf_changed, netvsc_change_mtu, netvsc_close",
    )
    props += _per_vm(
        config,
        "L2-switch-requests-terminate",
        lambda v: v.netvsc.state in ("to_vf", "to_syn"),
        lambda v: v.netvsc.state not in ("to_vf", "to_syn"),
        "Every SWITCH_DATA_PATH request eventually gets its completion and the guest's wait ends.",
        "OVMM, 8b31f8c982b7",
    )
    props += _per_vm(
        config,
        "L3-detach-terminates",
        lambda v: v.vmstack.state == "ejecting",
        lambda v: v.vmstack.state == "no_vf",
        "Once detach starts, the VF is eventually freed: by graceful removal, or by surprise "
        "removal when the guest never answers the eject (the host's timeout is fair here).",
        "MS-FO",
        DETACH_FAIRNESS,
    )
    props += _per_vm(
        config,
        "L4-synthetic-after-vf-loss",
        lambda v: v.vmstack.state == "removed",
        lambda v: v.rx_vf is None and not v.tx_on_vf and v.netvsp.state != "switched",
        "After the VF is removed, traffic eventually uses the synthetic path with the host data "
        "path synthetic.",
        "MS-FO, AZ-AN",
    )
    return props
