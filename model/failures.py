"""Steps that may fail: named failure points a variant switches on without rewriting an actor.

Each entry names an actor class and the hook method that says whether the step may fail; the
hook is False in the model, so the failing alternative (its own event, since an event takes its
first enabled transition) is never taken. ``may_fail(system, name)`` returns the system with
subclasses whose hook says True: the checker then explores both outcomes at every such step,
a nondeterministic choice like any other. A failure is a fact of the real system, so each entry
cites where it happens.
"""

from __future__ import annotations

from dataclasses import dataclass

from vfpath.checker import System
from vfpath.checker.errors import VfpathError

__all__ = ["FALLIBLE", "Fallible", "may_fail"]


@dataclass(frozen=True)
class Fallible:
    """One failure point: the actor class (by the name of the model's base class), its hook
    method, and the source that says it can fail and what the driver then does."""

    name: str
    actor: str
    hook: str
    source: str


FALLIBLE: dict[str, Fallible] = {
    f.name: f
    for f in (
        Fallible(
            "vmbus-send",
            "NetVSC",
            "send_may_fail",
            "d0922bf79817 netvsc_switch_datapath: vmbus_sendpacket fails (ring full past "
            "RETRY_MAX, or another error); the switch is not made and 'Data path failed to "
            "switch to|from VF' is printed, with data_path_is_vf false",
        ),
        Fallible(
            "vf-probe",
            "VFMiniport",
            "probe_may_fail",
            "LX-PCI: the VF driver's probe returns an error (mlx5_core or mana failing to "
            "initialise the function), so the device stays on the vPCI bus with no netdev and "
            "NetVSC never sees a VF; an eject removes it at once",
        ),
        Fallible(
            "oid",
            "VMStack",
            "vport_may_fail",
            "MS-CVP: OID_NIC_SWITCH_CREATE_VPORT fails (NDIS_STATUS_RESOURCES when the NIC "
            "switch has no VPort left); the stack does not offer the VF, and resets and frees "
            "it. The other OIDs that fail are the PF's 'must fail' cases, latched as faults, "
            "and the filter move of a switch to the VF (NetVSP's switch_vf_fail)",
        ),
    )
}


def may_fail(system: System, *names: str) -> System:
    """``system`` with the failure points ``names`` switched on, for every instance of their
    actor (whatever subclass it already runs, e.g. a guest profile or a variant)."""
    unknown = [n for n in names if n not in FALLIBLE]
    if unknown:
        raise VfpathError(
            f"unknown failure point {unknown[0]!r}; the known ones are {', '.join(FALLIBLE)}"
        )
    replacements: dict[str, type] = {}
    for name in names:
        point = FALLIBLE[name]
        for inst, spec in system.instances.items():
            cls = replacements.get(inst, spec.cls)
            if point.actor not in {c.__name__ for c in cls.__mro__}:
                continue
            replacements[inst] = type(
                f"{cls.__name__}Failing",
                (cls,),
                {point.hook: _always, "__module__": cls.__module__},
            )
    return system.replace(replacements)


def _always(self: object) -> bool:
    """This step may fail (switched on by ``failures.may_fail``)."""
    return True
