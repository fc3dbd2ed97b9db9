"""Symmetry declarations of the SR-IOV properties, against oracles that do not trust them.

Per-VM liveness takes VM 0's verdict for another VM only while the VMs are interchangeable
(oracle: the same property checked on its own); the safety invariants declared symmetric are
(oracle: their value on every image of every reachable state).
"""

from __future__ import annotations

import dataclasses

import pytest

from vfpath.api import build_system
from vfpath.checker import Status, check
from vfpath.checker.explore import explore
from vfpath.checker.memo import memoise
from vfpath.checker.symmetry import Reduction
from vfpath.model import Config
from vfpath.model.mutant_classes import VMStackNoTimeout


def test_a_variant_of_one_vm_has_its_liveness_checked_on_its_own() -> None:
    sysm = build_system(Config(2, 1, 1)).replace({"vmstack[1]": VMStackNoTimeout})
    result = check(sysm)
    assert result["L3-detach-terminates[vm0]"].status is Status.HOLDS
    vm1 = result["L3-detach-terminates[vm1]"]
    assert vm1.status is Status.VIOLATED
    assert vm1.counterexample is not None and vm1.counterexample.loop_start is not None


def test_interchangeable_vms_share_the_verdict_and_it_is_the_true_one() -> None:
    sysm = build_system(Config(2, 1, 1))
    result = check(sysm)
    shared = [p for p in result.properties if p.name.endswith("[vm1]")]
    assert shared and all("by symmetry" in p.note for p in shared)
    # the oracle: each VM 1 property checked on its own, without the mirror declaration
    own = [dataclasses.replace(p, mirror=None) for p in sysm.properties if p.mirror is not None]
    alone = check(sysm.with_properties(own))
    assert [(p.name, p.status) for p in shared] == [
        (p.name, p.status) for p in alone.properties if p.name.endswith("[vm1]")
    ]


@pytest.mark.parametrize("config", [Config(2, 1, 1), Config(1, 2, 1), Config(1, 1, 2)], ids=str)
def test_the_safety_properties_declared_symmetric_are(config: Config) -> None:
    """The oracle for ``symmetric=``: every image of every reachable state (the group
    enumerated, no canonical form involved) gives every safety property the same value."""
    sysm = build_system(config)
    product = sysm.build()
    red = Reduction(product, sysm.meta["symmetry"])
    safety = [p for p in sysm.properties if not p.expectation.is_liveness]
    assert safety and all(red.trusts(p) for p in safety)
    # the antecedent and the check each (the explorer judges vacuity on the antecedent)
    # (memoised: checker.memo is tested against plain evaluation on its own)
    preds = [memoise(product, f) for p in safety for f in (p.check, p.when) if f is not None]
    states = explore(product, []).states
    for s in states:
        values = [pred(s) for pred in preds]
        for t in red.images(s)[1:]:
            assert [pred(t) for pred in preds] == values
