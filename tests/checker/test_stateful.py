"""The generated Hypothesis state machine on domain-free models.

It must pass where the exhaustive check says every property holds, find (and shrink) the
violations the exhaustive check finds, and fail when the compiled product is made to disagree
with the live instances. Expected lengths come from the exhaustive check (a different
algorithm: breadth first over the compiled product, not Hypothesis over live instances).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from models import broken_lock, peterson, philosophers, pipeline

from vfpath.checker import Options, VfpathError, check
from vfpath.checker.explore import explore
from vfpath.checker.product import Overflow, Product, State
from vfpath.checker.stateful import (
    PropertyViolation,
    SemanticsMismatch,
    _seed_targets,
    coverage_of_runs,
    machine_for,
    measure_coverage,
    paths_to,
)

# detection is what these tests are about; shrinking them only costs time
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


def run(cls: type, **overrides: Any) -> None:
    """Run with the active profile (``ci`` by default: derandomized), printing nothing extra."""
    config = settings(settings.default, print_blob=False, report_multiple_bugs=False, **overrides)
    run_state_machine_as_test(cls, settings=config)


@pytest.mark.parametrize(
    "make", [peterson, lambda: philosophers(3, put_back=True), lambda: pipeline(2, 2)]
)
def test_machine_passes_where_every_property_holds(make) -> None:  # type: ignore[no-untyped-def]
    system = make()
    assert check(system, Options(deadlock=False)), "precondition: the exhaustive check passes"
    run(machine_for(system))


def test_machine_finds_and_shrinks_the_broken_lock() -> None:
    shortest = check(broken_lock())["mutual-exclusion"].counterexample
    assert shortest is not None and len(shortest) == 4
    with pytest.raises(PropertyViolation) as info:
        run(machine_for(broken_lock()))
    err = info.value
    assert err.property == "mutual-exclusion"
    # Hypothesis shrinks to a counterexample as short as breadth-first search's
    assert len(err.trace) == len(shortest)
    last = err.trace.states[-1]
    assert last["p0"] == last["p1"] == "critical"
    assert str(err).startswith("property 'mutual-exclusion' violated after 4 steps")


def test_overflow_is_a_named_violation() -> None:
    with pytest.raises(PropertyViolation) as info:
        run(machine_for(pipeline(1, 2)))
    assert info.value.property == "channels-bounded"
    assert "'link' overflows" in str(info.value)
    assert info.value.trace.labels.count("prod.produce") == 2


def test_deadlock_is_reported_only_when_asked() -> None:
    run(machine_for(philosophers(3)))  # every philosopher holding its left fork: just stuck
    # shrinking this one costs half a minute and stops at a detour; the trace cuts loops anyway
    with pytest.raises(PropertyViolation) as info:
        run(machine_for(philosophers(3), deadlock=True), phases=NO_SHRINK)
    trace = info.value.trace
    assert info.value.property == "deadlock-free"
    assert all(v == "has_left" for k, v in trace.states[-1].items() if k.startswith("phil"))
    # shrinking on the compiled product deletes runs of steps; the detours of this model
    # interleave (phil 2 eats around phil 1's moves), so the shortest (3) is not guaranteed
    assert len(trace) >= 3
    assert len({tuple(sorted(st.items())) for st in trace.states}) == len(trace.states)


def _corrupt(monkeypatch: pytest.MonkeyPatch, label: str, how: str) -> None:
    """Make the compiled product wrong for one move: a different successor, or none."""
    original = Product.successors

    def successors(self: Product, state: State) -> Iterator[tuple[int, State | Overflow]]:
        for m, nxt in original(self, state):
            if self.moves[m].label != label:
                yield m, nxt
            elif how == "wrong-state" and not isinstance(nxt, Overflow):
                i = self.index["p0"]
                flag = self.offsets[i] + self.varidx[i]["flag"]
                yield m, (*nxt[:flag], not nxt[flag], *nxt[flag + 1 :])

    monkeypatch.setattr(Product, "successors", successors)


def test_a_wrong_compiled_successor_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    _corrupt(monkeypatch, "p0.raise_flag", "wrong-state")
    with pytest.raises(SemanticsMismatch) as info:
        run(machine_for(peterson()), phases=NO_SHRINK)
    msg = str(info.value)
    assert "p0.raise_flag leads to different states" in msg
    assert "p0.flag: compiled False, live True" in msg


def test_a_missing_compiled_move_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    _corrupt(monkeypatch, "p1.leave", "drop")
    with pytest.raises(SemanticsMismatch) as info:
        run(machine_for(peterson()), phases=NO_SHRINK)
    assert "only live ['p1.leave']" in str(info.value)


def test_weights_steer_the_runs_away_from_the_bug() -> None:
    # p1 never moves while p0 can: the check-then-set race needs both, so no run finds it
    run(machine_for(broken_lock(), weights={"p1.*": 0}))


@pytest.mark.parametrize("weights", [{"nothing.*": 1}, {"p0.*": -1}, {"p0.*": 1.5}])
def test_bad_weights_are_refused(weights: dict[str, int]) -> None:
    with pytest.raises(VfpathError):
        machine_for(broken_lock(), weights=weights)


def test_paths_to_are_shortest_and_replayable() -> None:
    system = broken_lock()
    product = system.build()
    ex = explore(product, [])
    both = next(
        s for s in ex.states if product.state_of(s, "p0") == product.state_of(s, "p1") == "critical"
    )
    (path,) = paths_to(ex, [both])
    assert len(path) == 4
    state = product.initial
    for move in path:
        state = dict(product.successors(state))[move]  # type: ignore[assignment]
    assert state == both


def test_a_seed_reaches_the_bug_at_once() -> None:
    # p1 only moves when p0 cannot, so only the seeded prefix can reach the race
    system = broken_lock()
    ex = explore(system.build(), system.properties)
    target = ex.hits["mutual-exclusion"]
    cls = machine_for(system, seeds=paths_to(ex, [target]), weights={"p1.*": 0})
    with pytest.raises(PropertyViolation) as info:
        run(cls)
    assert len(info.value.trace) == 4


def test_an_impossible_seed_is_refused() -> None:
    system = broken_lock()
    enter = next(m for m, mv in enumerate(system.build().moves) if mv.label == "p0.enter")
    with pytest.raises(VfpathError, match=r"seed 0: step 1 \(p0\.enter\) is not enabled"):
        machine_for(system, seeds=[(enter,)])


def test_seed_targets_cover_every_missed_region() -> None:
    ex = explore(philosophers(3, put_back=True).build(), [], Options(graph=True))
    assert ex.edges is not None
    every = set(zip(ex.edges[0], ex.edges[2], strict=True))  # nothing missed but states
    targets = _seed_targets(ex, {0}, every, k=len(ex.states))
    covered = set()
    for t in targets:
        while t != -1:
            covered.add(t)
            t = ex.parent[t]
    assert covered == set(range(len(ex.states)))
    assert len(targets) < len(ex.states)  # interior states come free with deeper targets


def test_coverage_counts_against_the_exhaustive_graph() -> None:
    system = philosophers(3, put_back=True)
    full = check(system, Options(deadlock=False)).stats
    cov = measure_coverage(system, runs=6, steps=15, seed=1, seeded=False)
    assert (cov.total_states, cov.total_transitions) == (full.states, full.transitions)
    assert 1 < cov.states <= cov.total_states and 1 <= cov.transitions <= cov.total_transitions
    fractions = coverage_of_runs(system, runs=6, steps=15, seed=1, seeded=True)
    assert all(0 < f <= 1 for f in fractions)
