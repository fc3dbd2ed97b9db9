"""Liveness L1-L5 of SRIOV.md and the headline "traffic never stalls", under explicit fairness.

Fairness (Lamport's WF/SF per move): the drivers' own steps and message deliveries are weakly
fair -- an enabled driver step eventually runs, a message is eventually read. The environment's
choices are not: a VM need not start, stop, hibernate or migrate, the stack need not detach a VF
or time out, a backend need not fail. The host's successful data-path switch is strongly fair,
since a backend failure may disable it again and again [OVMM].
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vfpath.checker import Fairness, Mirror, Property
from vfpath.model import Config

from .paths import VMView

__all__ = ["DETACH_FAIRNESS", "DRIVER_FAIRNESS", "liveness_properties"]

# the host's own steps: NetVSP, the stack's OIDs and its handling of the guest's answers
HOST_FAIRNESS: tuple[Fairness, ...] = (
    Fairness("netvsp[*"),
    Fairness("vmstack[*].allocate_vf*"),
    Fairness("vmstack[*].create_vport*"),
    Fairness("vmstack[*].offer"),
    Fairness("vmstack[*].ejected"),
    Fairness("vmstack[*].delete_vport*"),
    Fairness("vmstack[*].reset_vf*"),
    Fairness("vmstack[*].free_vf*"),
    Fairness("vm[*].hibernation_done"),
    Fairness("vm[*].stopped"),
    Fairness("nic[*].create_switch"),
    Fairness("netvsp[*].switch_vf_ok*", strong=True),
)
# the guest's drivers, except that the guest may never start handling a VPCI eject (an
# unresponsive guest [MS-FO]); once it has started a removal it finishes it
GUEST_FAIRNESS: tuple[Fairness, ...] = (
    Fairness("netvsc[*"),
    Fairness("binding[*"),
    Fairness("vfmp[*].offer"),
    Fairness("vfmp[*].pause"),
    Fairness("vfmp[*].halt"),
    # netvsc_vf_setup opens a newly joined VF by itself (0c195567a8f6); user space's own
    # link_up/link_down are choices of the environment and are not fair
    Fairness("vfmp[*].takeover"),
)
# the drivers' steps and deliveries: an enabled driver step eventually runs
DRIVER_FAIRNESS = HOST_FAIRNESS + GUEST_FAIRNESS + (Fairness("vfmp[*].eject"),)
# detach must finish even when the guest never answers: the host's timeout is a timer that fires
# whatever the guest does [MS-FO]. The model lets it fire only while no switch is in flight (the
# guest side waits for rtnl), so a guest that keeps switching (user space flapping the VF link)
# disables it again and again: strong fairness is the timer's "eventually fires" in that model.
DETACH_FAIRNESS = HOST_FAIRNESS + GUEST_FAIRNESS + (Fairness("vmstack[*].timeout", strong=True),)


def _flows(v: VMView) -> bool:
    """Traffic flows: the guest is up, nothing is being switched, and TX and RX agree on a
    path that carries them (synthetic, or a VF that runs bound to NetVSC)."""
    if not v.guest_up or v.switch_in_flight:
        return False
    if v.tx_on_vf:
        return v.rx_vf is not None and v.vf_carries_traffic and v.netvsp.state == "switched"
    return v.rx_vf is None


def mirror_of_vm0(config: Config, i: int) -> tuple[tuple[str, tuple[int, ...]], ...] | None:
    """The renaming that maps VM 0 to VM ``i`` and fixes the initial state, if there is one.

    Swapping VMs 0 and ``i`` (and, with two hosts, the hosts too) maps the initial state to
    itself when every VM starts on the one host, or each of two VMs alone on its own host; the
    properties and fairness assumptions are written per actor kind, so VM ``i``'s property is
    VM 0's renamed [Emerson and Sistla, "Symmetry and model checking", 1996]. The checker
    reuses VM 0's verdict only after checking that the system still has that symmetry
    (:func:`vfpath.checker.liveness.mirror_gate`: a variant of one VM's actor breaks it).
    """
    if i == 0 or not (config.hosts == 1 or config.vms == config.hosts == 2):
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
    for i in range(config.vms):

        def p(s: Any, i: int = i) -> bool:
            return when(VMView(s, i))

        def q(s: Any, i: int = i) -> bool:
            return then(VMView(s, i))

        suffix = f"[vm{i}]" if config.vms > 1 else ""
        perm = mirror_of_vm0(config, i)
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
        lambda v: v.vm.state != "running" or (_flows(v) and not v.tx_on_vf),
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
            lambda v: v.vm.state == "running" and v.vm.host != v.i % config.hosts,
            lambda v: v.vm.state != "running" or _flows(v),
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
        ),
        "If a VF stays attached to a running VM, the data path is eventually the VF, unless the "
        "guest's user space has closed the VF interface (Linux then stays synthetic by design).",
        "LX-DOC, AZ-AN, LX-DRV netvsc_vf_changed",
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
