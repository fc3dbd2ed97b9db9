"""Liveness under fairness: lassos that really are fair non-progress cycles, and verdicts.

Every expectation is argued from the model in the test. Lassos are checked independently: they
are replayed against the product's successor function, their cycle must close, the property's
Q must be false on every cycle state, and the cycle must satisfy the fairness assumptions by a
direct reading of the definitions (weak: not enabled throughout or taken; strong: never enabled
or taken).
"""

from __future__ import annotations

import json
import random
import sys
from array import array
from fnmatch import fnmatchcase
from typing import Any

from live_models import Clock, Counter, counter, crossing, job, request_reply

from vfpath.checker import Fairness, Options, Property, Status, System, Trace, check
from vfpath.checker.edge_graph import Graph, strongly_connected
from vfpath.checker.fair_cycles import _Fair, _fair_cycle, fair_components
from vfpath.checker.product import Product
from vfpath.checker.report import render_json
from vfpath.checker.view import StateView


def _replay(product: Product, trace: Trace) -> list[tuple[Any, ...]]:
    """The packed states of ``trace``, found step by step among the real successors."""
    cur = product.initial
    assert product.describe(cur) == trace.states[0]
    packed = [cur]
    for k, step in enumerate(trace.steps):
        nxt = [
            s
            for m, s in product.successors(cur)
            if product.moves[m].label == step.label and product.describe(s) == trace.states[k + 1]
        ]
        assert nxt, f"step {k + 1} ({step.label}) is not a real transition"
        cur = nxt[0]
        packed.append(cur)
    return packed


def _enabled(product: Product, state: tuple[Any, ...]) -> set[str]:
    return {product.moves[m].label for m, _s in product.successors(state)}


def _assert_fair_lasso(product: Product, trace: Trace, q: Any, fairness: tuple[Fairness, ...]):
    """The lasso is real, closes, never satisfies Q on its cycle, and its cycle is fair."""
    assert trace.loop_start is not None
    packed = _replay(product, trace)
    start = trace.loop_start
    assert packed[-1] == packed[start], "the cycle must return to its first state"
    cycle = packed[start:-1] if len(packed) - 1 > start else [packed[start]]
    view = product.reader()
    assert not any(q(view(s)) for s in cycle), "Q holds somewhere on the cycle"
    taken = {st.label for st in trace.steps[start:]}
    enabled = [_enabled(product, s) for s in cycle]
    for move in product.moves:
        for f in fairness:
            if not fnmatchcase(move.label, f.pattern) or move.label in taken:
                continue
            on = [move.label in e for e in enabled]
            unfair = any(on) if f.strong else all(on)
            assert not unfair, f"{move.label} is starved on the printed cycle"
    return packed


def _waiting(s: Any) -> bool:
    return bool(s["client"].state == "waiting")


def _idle(s: Any) -> bool:
    return bool(s["client"].state == "idle")


def test_unfair_scheduler_lets_the_request_stutter_forever() -> None:
    # Without fairness a behaviour may stutter forever (TLA+ semantics), so the shortest lasso
    # is the single request step followed by stuttering in the waiting state: an empty cycle.
    sysm = request_reply()
    res = check(sysm)["request-answered"]
    assert res.status is Status.VIOLATED
    trace = res.counterexample
    assert trace is not None
    assert trace.labels == ["client.request"]
    assert trace.loop_start == len(trace) == 1
    product = sysm.build()
    assert _waiting(StateView(product, product.pack(trace.states[-1])))


def test_weak_fairness_on_each_move_makes_requests_answered() -> None:
    # WF on every move individually: the server's serve stays enabled while a request waits, so
    # it runs; then finish stays enabled while the reply waits, so it runs. (If "*" were one
    # group, ticking forever would count as fair and this would fail.)
    res = check(request_reply(Fairness("*")))["request-answered"]
    assert res.status is Status.HOLDS
    res = check(request_reply(Fairness("server.serve"), Fairness("client.finish")))
    assert res["request-answered"].status is Status.HOLDS


def test_removing_the_clients_fairness_turns_a_pass_into_a_violation() -> None:
    # Only the server is fair: it answers, but the client may then never take its reply while
    # the clock ticks. The cycle must therefore have the reply waiting in every state.
    fairness = (Fairness("server.*"),)
    sysm = request_reply(*fairness)
    res = check(sysm)["request-answered"]
    assert res.status is Status.VIOLATED
    assert res.counterexample is not None
    packed = _assert_fair_lasso(sysm.build(), res.counterexample, _idle, fairness)
    view = sysm.build().reader()
    start = res.counterexample.loop_start
    assert start is not None
    assert all(view(s).channel("rep") == ("rep",) for s in packed[start:])


def test_weak_fairness_cannot_force_an_intermittently_enabled_move() -> None:
    # cross is enabled only while the light is green; the light keeps switching, so cross is
    # never continuously enabled and WF allows the walker to wait forever.
    fairness = (Fairness("*"),)
    for ae in (False, True):
        sysm = crossing(*fairness, always_eventually=ae)
        res = check(sysm).properties[-1]
        assert res.status is Status.VIOLATED, ae
        assert res.counterexample is not None
        crossed = lambda s: s["walker"].state == "crossed"  # noqa: E731
        packed = _assert_fair_lasso(sysm.build(), res.counterexample, crossed, fairness)
        start = res.counterexample.loop_start
        view = sysm.build().reader()
        # the printed cycle passes through red, where cross is disabled: that is why it is fair
        assert any(view(s)["light"].state == "red" for s in packed[start:])


def test_strong_fairness_forces_an_intermittently_enabled_move() -> None:
    # With the light weakly fair it keeps blinking, so cross is enabled infinitely often (every
    # green) and SF makes the walker cross.
    fairness = (Fairness("*"), Fairness("walker.cross", strong=True))
    for ae in (False, True):
        res = check(crossing(*fairness, always_eventually=ae)).properties[-1]
        assert res.status is Status.HOLDS, (fairness, ae)
    # SF on cross alone is not enough: the light need not change, so a behaviour may stutter on
    # red forever (TLA+ semantics), where cross is never enabled.
    res = check(crossing(Fairness("walker.cross", strong=True))).properties[-1]
    assert res.status is Status.VIOLATED
    assert res.counterexample is not None
    assert res.counterexample.loop_start == len(res.counterexample)


def test_a_state_without_successor_stutters_and_violates() -> None:
    # queued -> running -> aborted (final, no successor) never reaches finished: the lasso is
    # start, abort, then stuttering, i.e. an empty cycle at the end.
    sysm = job(may_abort=True)
    res = check(sysm)["job-finishes"]
    assert res.status is Status.VIOLATED
    trace = res.counterexample
    assert trace is not None
    assert trace.labels == ["job.start", "job.abort"]
    assert trace.loop_start == len(trace) == 2
    assert trace.states[-1]["job"] == "aborted"
    # without abort every run ends in finished, with no cycle at all: holds, even unfairly
    assert check(job(may_abort=False))["job-finishes"].status is Status.HOLDS


def test_deep_cycle_needs_no_recursion() -> None:
    # counter 0..5000 then wrap: one cycle of 5001 states, deeper than the recursion limit.
    # The counter is weakly fair, so it never stutters (its one move is always enabled).
    limit = 5000
    assert sys.getrecursionlimit() < limit
    n = lambda s: s["c"].n  # noqa: E731
    wf = (Fairness("c.*"),)
    res = check(
        counter(
            limit,
            Property.always_eventually("reaches-top", lambda s: n(s) == limit, fairness=wf),
            Property.always_eventually("never", lambda s: n(s) == -1, fairness=wf),
            Property.leads_to(
                "one-then-zero", lambda s: n(s) == 1, lambda s: n(s) == 0, fairness=wf
            ),
            Property.leads_to(
                "vacuous", lambda s: n(s) == limit + 1, lambda s: n(s) == 0, fairness=wf
            ),
        )
    )
    assert res.stats.states == limit + 1
    # every cycle passes through the top, and after 1 the counter wraps to 0: both hold
    assert res["reaches-top"].status is Status.HOLDS
    assert res["one-then-zero"].status is Status.HOLDS
    assert res["vacuous"].status is Status.VACUOUS
    # never true: the initial state is a trigger on the only cycle, so the lasso is that cycle
    trace = res["never"].counterexample
    assert res["never"].status is Status.VIOLATED and trace is not None
    assert trace.loop_start == 0
    assert len(trace) == limit + 1
    assert trace.states[-1] == trace.states[0]
    assert sorted(st["c.n"] for st in trace.states[:-1]) == list(range(limit + 1))


def _clocked_counter(*props: Property) -> System:
    sysm = System("clocked-counter")
    sysm.add("c", Counter, params={"limit": 1000})
    sysm.add("clock", Clock)
    sysm.properties.extend(props)
    return sysm


def test_incomplete_exploration_reports_only_real_violations() -> None:
    # Moves in order c.inc, c.wrap, clock.tick; BFS ids: 0 (0,a), 1 (1,a), 2 (0,b), 3 (2,a),
    # 4 (1,b), 5 (3,a), 6 (2,b), then expanding 5 passes 8 states and stops: 0..5 expanded.
    zero_to_one = Property.leads_to("zero-to-one", lambda s: s["c"].n == 0, lambda s: s["c"].n == 1)
    res = check(_clocked_counter(zero_to_one), Options(max_states=8))
    assert not res.complete
    got = res["zero-to-one"]
    # (0,a) <-> (0,b) (ids 0 and 2, both expanded) is a real clock cycle at n = 0
    assert got.status is Status.VIOLATED
    assert got.counterexample is not None
    assert all(st["c.n"] == 0 for st in got.counterexample.states)
    fair = Property.leads_to(
        "fair", lambda s: s["c"].n == 0, lambda s: s["c"].n == 1, fairness=(Fairness("*"),)
    )
    assert check(_clocked_counter(fair), Options(max_states=8))["fair"].status is Status.UNKNOWN
    # unexpanded states have no edges yet; they must not pass for states without successor
    top = Property.always_eventually("top", lambda s: s["c"].n == 1000, fairness=(Fairness("c.*"),))
    assert check(counter(1000, top), Options(max_states=50))["top"].status is Status.UNKNOWN


def test_lasso_in_json_carries_the_loop_start() -> None:
    # only the clock is fair: after the request, ticking forever is a fair cycle
    res = check(request_reply(Fairness("clock.*")))
    data = json.loads(render_json(res))
    (prop,) = [p for p in data["properties"] if p["name"] == "request-answered"]
    assert prop["status"] == "violated"
    assert prop["counterexample"]["loop_start"] == 1
    assert "cycle starts here" in str(res)


def test_tarjan_on_a_long_chain_and_known_components() -> None:
    # 0 -> 1 -> ... -> 99999 (trivial SCCs), plus a 3-cycle 100000 -> 100001 -> 100002 -> 100000
    # and a self-loop on 100003.
    chain = 100_000
    src = array("l", [*range(chain - 1), chain, chain + 1, chain + 2, chain + 3])
    dst = array("l", [*range(1, chain), chain + 1, chain + 2, chain, chain + 3])
    g = Graph(chain + 4, (src, dst, array("l", [0] * len(src))))
    comps = strongly_connected(g, range(chain + 4), lambda s: True)
    assert len(comps) == chain + 2
    big = [sorted(c) for c in comps if len(c) > 1]
    assert big == [[chain, chain + 1, chain + 2]]
    # restricted to odd nodes, the 3-cycle breaks apart
    odd = strongly_connected(g, range(chain + 4), lambda s: s % 2 == 1)
    assert all(len(c) == 1 for c in odd)


def _brute_fair_set_exists(
    n: int, edges: list[tuple[int, int, int]], region: set[int], weak: int, strong: int
) -> bool:
    """By definition: some strongly connected set of region states, traversed by all its inner
    edges (the fairest way through it), starves no weakly or strongly fair move. A self-loop
    neither enables nor takes its move (TLA+'s ``<<A>>_vars``)."""
    enabled = [0] * n
    for a, b, m in edges:
        if a != b:
            enabled[a] |= 1 << m
    nodes = sorted(region)
    for bits in range(1, 1 << len(nodes)):
        s = {v for k, v in enumerate(nodes) if bits >> k & 1}
        inner = [(a, b, m) for a, b, m in edges if a in s and b in s]
        if not inner:
            continue
        reach = {v: {v} for v in s}
        for _ in s:
            for a, b, _m in inner:
                reach[a] |= reach[b]
        if not all(reach[a] >= s for a in s) or not all(any(e[0] == v for e in inner) for v in s):
            continue
        taken = 0
        for a, b, m in inner:
            if a != b:
                taken |= 1 << m
        every, some = -1, 0
        for v in s:
            every &= enabled[v]
            some |= enabled[v]
        if not (weak & every & ~taken) and not (strong & some & ~taken):
            return True
    return False


def _random_cases(count: int) -> Any:
    """Small random graphs (seeded, so deterministic) with random weak and strong masks."""
    rng = random.Random(20240501)
    for _ in range(count):
        n = rng.randint(2, 6)
        edges = {(rng.randrange(n), rng.randrange(n), rng.randrange(3)) for _ in range(12)}
        region = {v for v in range(n) if rng.random() < 0.8} or {0}
        yield n, sorted(edges)[: rng.randint(0, 12)], region, rng.randrange(8), rng.randrange(8)


def _check_case(case: Any) -> None:
    n, edges, region, weak, strong = case
    edges.sort()
    g = Graph(
        n,
        tuple(array("l", col) for col in zip(*edges, strict=True))
        if edges
        else (array("l"), array("l"), array("l")),
    )
    fair = _Fair(weak & ~strong, strong)
    comps = fair_components(g, set(region), fair)
    assert bool(comps) == _brute_fair_set_exists(n, edges, set(region), weak & ~strong, strong)
    for comp in comps:
        entry = min(comp)
        cycle = _fair_cycle(g, comp, entry, fair)
        assert cycle, "a fair component has a non-empty cycle"
        at = entry
        visited = [entry]
        for k in cycle:
            assert g.dst[k] in comp
            assert k in g.out(at), "consecutive edges"
            at = g.dst[k]
            visited.append(at)
        assert at == entry
        taken = 0
        at = entry
        for k in cycle:
            if g.dst[k] != at:
                taken |= 1 << g.move[k]
            at = g.dst[k]
        every, some = -1, 0
        for v in visited:
            every &= g.enabled(v)
            some |= g.enabled(v)
        assert not fair.weak & every & ~taken and not fair.strong & some & ~taken


def test_fair_components_agree_with_the_definition() -> None:
    # a few mutations of the algorithm (no Streett refinement; a cycle that skips the states
    # where a weakly fair move is disabled) each show up in a handful of these cases
    for case in _random_cases(6000):
        _check_case(case)


def test_strong_refinement_finds_a_fair_cycle_inside_a_starved_component() -> None:
    # a <-> b by move 0, b <-> c by move 1; move 2 (strongly fair) leaves c for d, outside the
    # region. The SCC {a, b, c} starves move 2 (enabled at c, never taken inside), but the
    # cycle a <-> b never enables it: it is fair, and the refinement must find it.
    a, b, c, d = 0, 1, 2, 3
    edges = [(a, b, 0), (b, a, 0), (b, c, 1), (c, b, 1), (c, d, 2)]
    _check_case((4, edges, {a, b, c}, 0, 0b100))
    g = Graph(4, tuple(array("l", col) for col in zip(*edges, strict=True)))
    assert fair_components(g, {a, b, c}, _Fair(0, 0b100)) == [{a, b}]
    # weakly fair, move 2 is disabled at a and b, so the whole SCC is fair
    assert fair_components(g, {a, b, c}, _Fair(0b100, 0)) == [{a, b, c}]
