"""Removing one guard from the model breaks the property that guard protects.

Each variant overrides exactly one guard method (the model's classes are unchanged) and must
violate its property in the smallest configuration, while the unmodified model satisfies it.
"""

from __future__ import annotations

from functools import cache

import pytest
from statemachine import StateMachine

from vfpath.api import build_system
from vfpath.checker import CheckResult, Status, check
from vfpath.model import Binding, Config, NetVSC, VMStack
from vfpath.model.messages import DONE
from vfpath.properties import safety_properties

CFG = Config(1, 1, 1)


class AnyProtocolMayBind(Binding):
    """The VF's INF without UpperRange "ndisvf": any protocol may bind [MS-VFINF]."""

    def inf_allows_other_protocols(self) -> bool:
        return True


class AnyCompletionMeansVF(NetVSC):
    """The guest takes any completion of SWITCH(VF) as success (drops the ok check)."""

    def vf_ok_waiting(self) -> bool:
        msg = self.peek("from_host")
        return msg is not None and msg[0] == DONE and msg[1] == "vf"


class NoWaitForEjection(VMStack):
    """The host does not wait for PCI_EJECTION_COMPLETE before tearing the VF down."""

    def guest_ejected(self) -> bool:
        return True

    def take_ejected(self) -> None:
        if self.peek("vpci_done") is not None:
            self.recv("vpci_done")


class UnbindWhileOnVF(Binding):
    """NetVSC lets go of the VF without waiting to be off it (no GOING_DOWN wait)."""

    def must_let_go(self) -> bool:
        return self.peer("vfmp").state in ("remove_pending", "stopped")


@cache
def run(replacement: type[StateMachine] | None) -> CheckResult:
    system = build_system(CFG).with_properties(safety_properties(CFG))
    if replacement is not None:
        system = system.replace({replacement.__mro__[1].__name__: replacement})
    return check(system)


CASES = [
    (AnyProtocolMayBind, "S1-only-netvsc-binds-the-vf"),
    (AnyCompletionMeansVF, "S8-no-tx-on-unswitched-vf"),
    (NoWaitForEjection, "S10-no-packet-on-detached-vf"),
    (UnbindWhileOnVF, "S14-traffic-always-has-a-working-path"),
]


@pytest.mark.parametrize(("variant", "prop"), CASES, ids=[c[1][:3] for c in CASES])
def test_removing_the_guard_breaks_the_property(variant: type, prop: str) -> None:
    assert run(None)[prop].status is Status.HOLDS
    result = run(variant)
    assert result[prop].status is Status.VIOLATED
    trace = result[prop].counterexample
    assert trace is not None and len(trace) > 0


def test_the_unmodified_model_satisfies_every_safety_property() -> None:
    result = run(None)
    assert result.complete
    bad = [(p.name, p.status.value) for p in result.properties if p.status is not Status.HOLDS]
    assert bad == []
