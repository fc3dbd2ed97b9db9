"""vfpath.properties: named safety and liveness properties of the SR-IOV model.

``properties_for(config)`` gives every property the model expresses; ``NOT_MODELLED`` lists the
ones of SRIOV.md it does not, with the reason.
"""

from __future__ import annotations

from vfpath.checker import Property
from vfpath.model import Config

from .liveness import DRIVER_FAIRNESS, liveness_properties
from .safety import safety_properties

__all__ = [
    "DRIVER_FAIRNESS",
    "NOT_MODELLED",
    "liveness_properties",
    "properties_for",
    "safety_properties",
]

NOT_MODELLED: dict[str, str] = {
    "S17": (
        "VF driver only in a child partition: the model has no root-partition guest, so a VF "
        "miniport can only ever start in a child; the rule has nothing to refute."
    ),
    "S18": (
        "Extensible-switch port/NIC lifecycle: switch ports and NIC connections are not actors; "
        "the synthetic path is assumed connected while NetVSC is up."
    ),
    "L5": (
        "The VF returns after servicing or migration: the stack's re-add (allocate, VPort, offer) "
        "is weakly fair in the model, but the environment may migrate or reassign again before "
        "it runs, forever, and a leads-to cannot say 'once the moves stop'; L1 covers the return "
        "once a VF is offered. DPDK's retry-limit bug (03d66f18dd) needs a timed retry (issue 14)."
    ),
    "L6": (
        "Registration is not lost whatever the order of probe, notifier registration and VF "
        "netdev registration: driver load/unload order is not modelled (probe is part of VM start)."
    ),
    "L7": (
        "No stuck wait on the association: the model's NetVSC does not block on vf_add; it "
        "switches once the association arrived (L1 covers the outcome)."
    ),
}


def properties_for(config: Config, *, liveness: bool = True) -> list[Property]:
    """Every property of ``config``: the safety invariants, then the liveness properties."""
    props = safety_properties(config)
    if liveness:
        props += liveness_properties(config)
    return props
