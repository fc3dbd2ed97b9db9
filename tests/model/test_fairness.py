"""Fairness is a claim about the real system: each assumption says why it holds, and the two
strong ones are shown to be needed (weakening each breaks exactly the property it is for).

The expected lassos are read off the model: with the host's backend failing every switch
(OVMM's "remaining on synthetic"), the guest asks again and again (NetVSC.vf_up stays true
after a failed completion), so the successful switch and the removal that waits for rtnl are
enabled only between two attempts.
"""

from __future__ import annotations

import dataclasses

import pytest

from vfpath.api import build_system
from vfpath.checker import Options, System, check
from vfpath.model import Config
from vfpath.model.variants import shows

FAILING_BACKEND = (
    "netvsc[0].switch_to_vf",
    "netvsp[0].switch_vf_fail",
    "netvsc[0].vf_switch_failed",
)


def _weakened(system: System, pattern: str) -> System:
    def weaken(p):  # type: ignore[no-untyped-def]
        fair = tuple(
            dataclasses.replace(f, strong=False) if f.pattern == pattern else f for f in p.fairness
        )
        return dataclasses.replace(p, fairness=fair)

    return system.with_properties(weaken(p) for p in system.properties)


def test_every_fairness_assumption_gives_its_reason() -> None:
    system = build_system(Config(2, 1, 2))
    fair = {f for p in system.properties for f in p.fairness}
    assert fair and all(len(f.reason) > 20 for f in fair)


@pytest.mark.parametrize(
    ("pattern", "broken"),
    [
        # a backend that always fails keeps the guest synthetic: the documented fallback
        ("netvsp[*].switch_vf_ok*", "L1-eventually-on-vf"),
        # the removal of a revoked VF waits for rtnl, which the retried switches keep taking
        ("vfmp[*].surprise_removed", "L3-detach-terminates"),
    ],
)
def test_each_strong_fairness_is_needed_and_only_for_its_property(
    pattern: str, broken: str
) -> None:
    system = build_system(Config(1, 1, 1))
    assert all(p.status.value == "holds" for p in check(system, Options()).properties)
    weak = check(_weakened(system, pattern), Options())
    violated = [p for p in weak.properties if p.status.value != "holds"]
    assert [p.name for p in violated] == [broken]
    assert shows(violated[0].counterexample, FAILING_BACKEND)
