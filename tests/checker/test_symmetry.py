"""Symmetry reduction and memoised predicates on domain-free models, against unreduced runs."""

from __future__ import annotations

from typing import Any

from models import CheckThenSet, broken_lock, mutex, peterson

from vfpath.checker import Options, Property, Status, check
from vfpath.checker.explore import explore
from vfpath.checker.memo import memoise
from vfpath.checker.symmetry import Perm, Reduction, Sort, Symmetry
from vfpath.checker.view import StateView


def _keep(_slot: str, value: Any, _p: Perm) -> Any:
    return value


def _sym_lock() -> Any:
    sysm = broken_lock()
    classes = {n: s.cls for n, s in sysm.instances.items()}
    sysm.meta["symmetry"] = Symmetry(
        (Sort("p", 2, (("p0",), ("p1",))),), _keep, frozenset(), classes
    )
    return sysm


def _sym_peterson() -> Any:
    """Swapping the processes renames the turn (t0 <-> t1): the state code of ``turn``."""
    sysm = peterson()
    sysm.properties[:] = [mutex("p0", "p1")]

    def remap(slot: str, value: Any, p: Perm) -> Any:
        assert slot == "turn"
        return p["p"][value]  # state codes of Turn: t0 = 0, t1 = 1

    classes = {n: s.cls for n, s in sysm.instances.items()}
    sym = Symmetry((Sort("p", 2, (("p0",), ("p1",))),), remap, frozenset({"turn"}), classes)
    sysm.meta["symmetry"] = sym
    return sysm


def test_broken_lock_reduced_counts_and_a_real_counterexample() -> None:
    sysm = _sym_lock()
    full = check(sysm, Options(symmetry=False))
    red = check(sysm)
    info = red.extra["symmetry"]
    assert info["status"] == "on"
    # the initial state is symmetric, so the orbits hold exactly the reachable states
    assert info["states"] == full.stats.states
    assert red.stats.states < full.stats.states
    assert [(p.name, p.status) for p in red.properties] == [
        (p.name, p.status) for p in full.properties
    ]
    trace = red["mutual-exclusion"].counterexample
    assert trace is not None
    assert len(trace) == len(full["mutual-exclusion"].counterexample or ())
    last = trace.states[-1]
    assert last["p0"] == "critical" and last["p1"] == "critical"


def test_peterson_orbits_are_the_canonical_forms_of_the_reachable_states() -> None:
    sysm = _sym_peterson()
    product = sysm.build()
    plain = explore(product, [])
    red = Reduction(product, sysm.meta["symmetry"])
    reduced = explore(product, [], reduction=red)
    assert len(reduced.states) == len({red.canon(s) for s in plain.states})
    assert len(reduced.states) < len(plain.states)
    assert check(sysm)["mutual-exclusion"].status is Status.HOLDS


def test_an_asymmetric_property_falls_back_to_a_plain_exploration() -> None:
    sysm = _sym_lock()
    sysm.properties.append(
        Property.always("p0-never-critical", lambda s: s["p0"].state != "critical")
    )
    full = check(sysm, Options(symmetry=False))
    red = check(sysm)
    assert "p0-never-critical" in red.extra["symmetry"]["status"]
    assert red.stats.states == full.stats.states
    assert red["p0-never-critical"].status is Status.VIOLATED


def test_liveness_and_variants_switch_symmetry_off() -> None:
    sysm = _sym_lock()
    sysm.properties.append(
        Property.always_eventually("p0-critical-often", lambda s: s["p0"].state == "critical")
    )
    assert "liveness" in check(sysm).extra["symmetry"]["status"]

    class Variant(CheckThenSet):
        pass

    other = _sym_lock().replace({"p0": Variant})
    assert "variant" in check(other).extra["symmetry"]["status"]


def test_memoised_predicates_agree_with_plain_evaluation() -> None:
    product = peterson().build()
    states = explore(product, []).states
    raw_reads: list[bool] = []

    def both(s: Any) -> bool:
        return s["p0"].state == "critical" or (s["p1"].flag and s["turn"].state == "t0")

    def opaque(s: Any) -> bool:
        raw_reads.append(True)
        return len(s.raw) % 2 == 0 and s["p0"].flag

    for pred in (both, opaque):
        memo = memoise(product, pred)
        assert [memo(s) for s in states] == [bool(pred(StateView(product, s))) for s in states]
    assert raw_reads  # the opaque predicate was evaluated plainly, and still agrees


def test_sorting_units_gives_the_same_orbits_as_trying_every_permutation() -> None:
    """With ``names`` the processes are sorted instead of permuted: same orbits, same sizes,
    and the representative is the same for every member of an orbit."""
    sysm = _sym_peterson()
    product = sysm.build()
    plain = explore(product, []).states
    slow_sym: Symmetry = sysm.meta["symmetry"]
    fast_sym = Symmetry(
        slow_sym.sorts, slow_sym.remap, slow_sym.slots, slow_sym.classes, {"turn": frozenset("p")}
    )
    slow, fast = Reduction(product, slow_sym), Reduction(product, fast_sym)
    assert slow.sorted_sort is None and fast.sorted_sort is not None
    assert fast.sorted_sort.name == "p"
    for s in plain:
        rep = fast.canon(s)
        assert all(fast.canon(t) == rep for t in fast.images(s))
        assert fast.orbit_size(s) == slow.orbit_size(s) == len(set(slow.images(s)))
    assert len({fast.canon(s) for s in plain}) == len({slow.canon(s) for s in plain})
    a, b = explore(product, [], reduction=slow), explore(product, [], reduction=fast)
    assert len(a.states) == len(b.states) < len(plain)
    assert a.concrete_states == b.concrete_states


def test_a_unit_slot_naming_its_own_sort_is_not_sorted() -> None:
    """Sorting is refused when a unit's own slots name indices of its sort (sorting by
    contents would then not commute with the renaming): every element is tried instead."""
    sysm = _sym_peterson()
    sym: Symmetry = sysm.meta["symmetry"]
    own = Symmetry(sym.sorts, sym.remap, frozenset({"p0"}), sym.classes, {"p0": frozenset("p")})
    assert Reduction(sysm.build(), own).sorted_sort is None
