"""Random walks on the compiled product: deterministic per seed, and they find the known bugs.

Expected counts come from the exhaustive check (breadth first), a different algorithm.
"""

from __future__ import annotations

import pytest
from models import broken_lock, peterson, philosophers, pipeline

from vfpath.checker import Options, VfpathError, check
from vfpath.checker.simulate import breaks, remove_loops, shrink_path, simulate
from vfpath.checker.view import StateView


def _outcome(r):  # type: ignore[no-untyped-def]
    v = r.violation
    return (r.runs, r.steps, r.distinct_states, r.stuck, v and (v.property, v.trace.labels))


def test_same_seed_same_walks() -> None:
    a = simulate(philosophers(4, put_back=True), steps=200, seed=7, runs=5)
    b = simulate(philosophers(4, put_back=True), steps=200, seed=7, runs=5)
    assert _outcome(a) == _outcome(b)


def test_seeds_matter() -> None:
    # over ten seeds the walks through the broken lock do not all find the same counterexample
    found = {
        tuple(simulate(broken_lock(), 50, seed, runs=10).violation.trace.labels)  # type: ignore[union-attr]
        for seed in range(10)
    }
    assert len(found) > 1


def test_finds_the_broken_lock() -> None:
    r = simulate(broken_lock(), steps=100, seed=0, runs=20)
    assert not r
    v = r.violation
    assert v is not None and v.property == "mutual-exclusion"
    assert v.trace.states[-1]["p0"] == v.trace.states[-1]["p1"] == "critical"
    # shrunk on the compiled product to a one-minimal path, which here is the shortest one
    assert len(v.trace) == len(check(broken_lock())["mutual-exclusion"].counterexample)  # type: ignore[arg-type]
    assert len(v.trace) <= v.raw_length


def test_peterson_walks_visit_every_state_and_break_nothing() -> None:
    r = simulate(peterson(), steps=500, seed=3, runs=4)
    assert r and r.violation is None
    assert r.runs == 4 and r.steps == 2000
    assert r.distinct_states == check(peterson()).stats.states


def test_stuck_walks_are_counted() -> None:
    # philosophers without put-back deadlock; every long walk ends there
    r = simulate(philosophers(3), steps=1000, seed=1, runs=5)
    assert r and r.stuck == 5 and r.steps < 5000


def test_overflow_is_reported() -> None:
    r = simulate(pipeline(1, 2), steps=50, seed=0, runs=5)
    v = r.violation
    assert v is not None and v.property == "channels-bounded"
    assert "'link' overflows" in v.note
    assert len(v.trace.states[-1]["link"]) == 2
    assert v.trace.labels == ["prod.produce", "prod.produce"]


def test_without_shrinking_the_walk_is_reported_as_taken() -> None:
    r = simulate(broken_lock(), steps=100, seed=0, runs=20, shrink=False)
    assert r.violation is not None and len(r.violation.trace) == r.violation.raw_length


def test_shrink_path_keeps_a_failing_path() -> None:
    system = broken_lock()
    product = system.build()
    walk = simulate(system, steps=200, seed=4, runs=50, shrink=False).violation
    assert walk is not None
    # rebuild the walk's hops from its labels and shrink them by hand
    by_label = {mv.label: m for m, mv in enumerate(product.moves)}
    hops, state = [], product.initial
    for label in walk.trace.labels:
        state = dict(product.successors(state))[by_label[label]]  # type: ignore[assignment]
        hops.append((by_label[label], state))
    prop = system.properties[0]
    short = shrink_path(product, hops, breaks(product, prop))
    assert (len(short) == 4 and short[-1][1] == hops[-1][1]) or len(short) == 4
    assert not prop.check(StateView(product, short[-1][1]))
    assert shrink_path(product, hops, lambda o: False) == remove_loops(product.initial, hops)


def test_weights_keep_walks_off_the_race() -> None:
    assert simulate(broken_lock(), steps=100, seed=0, runs=20, weights={"p1.*": 0})


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"steps": 0}, "at least 1"),
        ({"runs": 0}, "at least 1"),
        ({"weights": {"nope.*": 2}}, "matches no move"),
        ({"weights": {"p0.*": -1}}, "non-negative integer"),
    ],
)
def test_bad_input(kw: dict, message: str) -> None:  # type: ignore[type-arg]
    args = {"steps": 10, "seed": 0, "runs": 1, **kw}
    with pytest.raises(VfpathError, match=message):
        simulate(broken_lock(), **args)


def test_remove_loops_cuts_cycles_and_keeps_the_end() -> None:
    a, b, c, d = ("a",), ("b",), ("c",), ("d",)
    hops = [(1, b), (2, c), (3, a), (4, b), (5, d)]  # a->b->c->a is a loop back to the start
    assert remove_loops(a, hops) == [(4, b), (5, d)]
    assert remove_loops(a, [(1, b), (2, c)]) == [(1, b), (2, c)]
    assert remove_loops(a, [(1, b), (2, b), (3, c)]) == [(1, b), (3, c)]  # a self-loop
    assert remove_loops(a, []) == []


def test_exhaustive_counts_bound_the_walks() -> None:
    full = check(philosophers(4, put_back=True), Options(deadlock=False)).stats
    r = simulate(philosophers(4, put_back=True), steps=300, seed=2, runs=10)
    assert 1 < r.distinct_states <= full.states
