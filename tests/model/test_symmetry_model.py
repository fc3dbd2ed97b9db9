"""The SR-IOV symmetry declaration is sound: reduced runs agree with unreduced ones.

Every orbit the reduced run explores is the orbit of a reachable state and vice versa (compared
as canonical forms of the unreduced run's states), and every safety verdict is the same.
"""

from __future__ import annotations

import pytest

from vfpath.api import build_system
from vfpath.checker import Options, check
from vfpath.checker.explore import explore
from vfpath.checker.symmetry import Reduction
from vfpath.model import Config


def _agree(config: Config) -> None:
    sysm = build_system(config)
    sysm.properties[:] = [p for p in sysm.properties if not p.expectation.is_liveness]
    product = sysm.build()
    red = Reduction(product, sysm.meta["symmetry"])
    plain = explore(product, [])
    reduced = explore(product, [], reduction=red)
    assert len(reduced.states) == len({red.canon(s) for s in plain.states})
    assert reduced.depth <= plain.depth  # an orbit is as near as its nearest member
    full = check(sysm, Options(symmetry=False))
    fast = check(sysm)
    assert fast.extra["symmetry"]["status"] == "on"
    assert fast.stats.states < full.stats.states
    assert [(p.name, p.status) for p in fast.properties] == [
        (p.name, p.status) for p in full.properties
    ]


@pytest.mark.parametrize("config", [Config(1, 2, 1), Config(1, 1, 2)], ids=str)
def test_vf_and_host_symmetry_agree_with_the_unreduced_run(config: Config) -> None:
    _agree(config)


def test_vm_symmetry_agrees_with_the_unreduced_run_slow() -> None:
    _agree(Config(2, 1, 1))


def test_liveness_keeps_symmetry_off() -> None:
    result = check(build_system(Config(1, 1, 1)))
    assert "liveness" in result.extra["symmetry"]["status"]
