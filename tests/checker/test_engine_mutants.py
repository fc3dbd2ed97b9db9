"""What checker/explore.py, liveness.py and check.py must get right, written against the
mutants of the issue-16 campaign (.ci/mutants.py) that survived the fast tests.

Every expected value is derived independently of the engine: by hand from the model, or by a
brute-force walk written here.
"""

from __future__ import annotations

import resource
import time
from array import array
from collections import deque

import pytest
from models import peterson, pipeline
from test_soundness import Counter

from vfpath.checker import Options, Property, System, check
from vfpath.checker.check import judge
from vfpath.checker.edge_graph import Graph
from vfpath.checker.explore import explore, trace_to
from vfpath.checker.product import Overflow, Product


def one_counter(*props: Property, top: int = 3) -> System:
    """A counter 0..top then ``done``: by hand, top + 2 states in a chain, depth top + 1."""
    sysm = System("one-counter")
    sysm.add("c", Counter, params={"top": top})
    sysm.properties.extend(props)
    return sysm


def _bfs(product: Product) -> tuple[int, int]:
    """(states, depth) by a plain breadth-first walk over ``product.successors``."""
    dist = {product.initial: 0}
    queue = deque([product.initial])
    while queue:
        s = queue.popleft()
        for _m, t in product.successors(s):
            if isinstance(t, Overflow):
                continue
            if t not in dist:
                dist[t] = dist[s] + 1
                queue.append(t)
    return len(dist), max(dist.values())


def test_peak_memory_is_the_process_peak_in_bytes() -> None:
    # ru_maxrss is in KiB on Linux; the exploration reports bytes, between the peak before
    # the run and the peak after it
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    ex = explore(peterson().build(), [])
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert before <= ex.peak_memory <= after
    assert 0 <= ex.seconds <= wall


def test_a_complete_exploration_has_no_stop_reason() -> None:
    # the JSON report prints ``stop_reason or None``: any text here would show as a reason
    ex = explore(peterson().build(), [])
    assert ex.complete
    assert ex.stop_reason == ""


def test_the_first_violation_is_kept_and_every_invariant_is_judged() -> None:
    # n < 2 fails first at n == 2 (depth 2) and again at n == 3 and in ``done``; n < 3 fails
    # first at n == 3: both must be reported, each at its first (shortest) violation
    below2 = Property.always("below-2", lambda s: s["c"].n < 2)
    below3 = Property.always("below-3", lambda s: s["c"].n < 3)
    ex = explore(one_counter().build(), [below2, below3], Options(symmetry=False))
    view = ex.product.describe
    assert set(ex.hits) == {"below-2", "below-3"}
    assert view(ex.states[ex.hits["below-2"]])["c.n"] == 2
    assert view(ex.states[ex.hits["below-3"]])["c.n"] == 3
    assert ex.hits["below-2"] == 2 and ex.hits["below-3"] == 3  # state ids are BFS order


def test_a_violation_in_the_initial_state_is_state_zero() -> None:
    ex = explore(one_counter().build(), [Property.always("started", lambda s: s["c"].n > 0)])
    assert ex.hits == {"started": 0}


def test_depth_and_states_match_a_plain_breadth_first_walk() -> None:
    ex = explore(one_counter().build(), [])
    assert (len(ex.states), ex.depth) == (5, 4)  # by hand: n = 0..3, then done
    for system in (peterson(), pipeline(capacity=1, credit=2)):
        product = system.build()
        ex = explore(product, [], Options(symmetry=False))
        assert (len(ex.states), ex.depth) == _bfs(product)


def test_progress_is_reported_every_16384_expanded_states() -> None:
    # two counters to 130: 131 * 131 run/run states and more, so more than 16384 and fewer
    # than 32768 states are expanded: exactly one report, after the 16384th
    sysm = System("two-counters")
    for i in (0, 1):
        sysm.add(f"c{i}", Counter, params={"top": 130})
    calls: list[tuple[int, int, float]] = []
    t0 = time.perf_counter()
    ex = explore(sysm.build(), [], Options(symmetry=False, progress=lambda *a: calls.append(a)))
    wall = time.perf_counter() - t0
    assert 16384 < len(ex.states) < 32768
    assert len(calls) == 1
    seen, frontier, seconds = calls[0]
    assert frontier == seen - 16384  # discovered but not yet expanded
    assert 0 <= seconds <= wall


def test_a_state_limit_equal_to_the_state_count_is_complete() -> None:
    # top = -1: neither ``tick`` nor ``stop`` is enabled, so the initial state is the only one
    alone = explore(one_counter(top=-1).build(), [], Options(max_states=1))
    assert alone.complete and alone.stop_reason == "" and len(alone.states) == 1
    # 5 states by hand: the 5th is found while expanding the 4th, and is never expanded
    short = explore(one_counter().build(), [], Options(max_states=5))
    assert not short.complete
    assert short.stop_reason == "state limit of 5"


def test_the_counterexample_starts_in_the_initial_state() -> None:
    # by hand: run/0 --tick--> run/1 --tick--> run/2, the first state with n >= 2
    ex = explore(one_counter().build(), [Property.always("below-2", lambda s: s["c"].n < 2)])
    trace = trace_to(ex, ex.hits["below-2"])
    assert trace.initial == {"c": "run", "c.n": 0}
    assert [dict(st) for st in trace.states] == [{"c": "run", "c.n": n} for n in (0, 1, 2)]
    assert [st.changes for st in trace.steps] == [{"c.n": (0, 1)}, {"c.n": (1, 2)}]
    assert [(st.index, st.label) for st in trace.steps] == [(1, "c.tick"), (2, "c.tick")]


@pytest.mark.parametrize(
    "src",
    [[0, 1, 0], [1, 0, 2], [2, 2, 1, 0, 0], [0, 0, 1, 1, 2]],
    ids=["last-pair-descends", "first-pair-descends", "reversed", "sorted"],
)
def test_graph_rows_hold_each_source_s_edges_in_any_input_order(src: list[int]) -> None:
    dst = [(s + 1 + k) % 3 for k, s in enumerate(src)]
    move = list(range(len(src)))
    g = Graph(3, (array("l", src), array("l", dst), array("l", move)))
    for s in range(3):
        expected = sorted((dst[k], move[k]) for k in range(len(src)) if src[k] == s)
        assert sorted((g.dst[k], g.move[k]) for k in g.out(s)) == expected


def test_a_run_stopped_in_set_up_reports_no_step_and_its_own_seconds() -> None:
    t0 = time.perf_counter()
    result = check(peterson(), Options(max_memory_mb=1))
    wall = time.perf_counter() - t0
    stats = result.stats
    assert (stats.states, stats.transitions, stats.depth, stats.complete) == (0, 0, 0, False)
    assert 0 <= stats.seconds <= wall


def test_reported_seconds_are_the_exploration_s_plus_the_liveness_s() -> None:
    # many liveness properties on a 5-state chain: judging them takes time of its own, which
    # the reported seconds must add to the exploration's (and nothing more)
    props = [
        Property.always_eventually(f"done-{k}", lambda s: s["c"].state == "done") for k in range(50)
    ]
    props.append(Property.leads_to("eventually-3", lambda s: True, lambda s: s["c"].n == 3))
    product = one_counter(*props).build()
    ex = explore(product, props)
    t0 = time.perf_counter()
    stats = judge(product, ex, props, Options(), name="one-counter").stats
    wall = time.perf_counter() - t0
    assert ex.seconds < stats.seconds <= ex.seconds + wall
    safety = judge(product, ex, [], Options(), name="one-counter").stats
    assert safety.seconds == ex.seconds
