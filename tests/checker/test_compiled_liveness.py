"""The compiled fair-cycle search against the Python one (the reference): same sets, same lassos.

With the compiled engine, liveness runs its graph work in C (checker/_fair.pyx, driven by
checker/fair_arrays.py): the edge rows, the region reachable from the triggers, Tarjan's SCCs,
the fair components' refinement, the stuck states and the reverse reachability of the lasso.
Each is compared with its namesake in checker/liveness.py on the same graph: on random graphs
(self-loops, more than 64 moves so that the constraint bit sets span several words, weak,
strong and grouped fairness), and on the explored graphs of the domain-free models and of
SR-IOV 1/1/1 and 2/1/1. Then whole checks under both engines must give the same verdicts and
the same lassos, and every compiled lasso is replayed step by step through a freshly built
Python product: it closes, and Q is false on its cycle.
"""

from __future__ import annotations

import random
from array import array
from typing import Any

import pytest
from live_models import crossing, request_reply
from models import broken_lock, peterson, philosophers
from test_compiled_core import random_system
from test_liveness import _replay

from vfpath.checker import Fairness, Options, Property, Status, System, check
from vfpath.checker import fair_arrays as fa
from vfpath.checker.check import _memoised
from vfpath.checker.edge_graph import Graph, _can_reach, _reach, strongly_connected
from vfpath.checker.explore import explore, holds_on_every_state
from vfpath.checker.fair_cycles import _Fair, _fairness, fair_components
from vfpath.checker.liveness import _NOT, Found, _search, _stuck
from vfpath.checker.product import Product
from vfpath.checker.result import Trace

pytestmark = pytest.mark.skipif(
    not fa.available(), reason="the compiled graph module is not built on this machine"
)

Edge = tuple[int, int, int]


# -- random graphs --------------------------------------------------------------------------


def graphs(n: int, edges: list[Edge]) -> tuple[Graph, Graph]:
    """The Python engine's graph (int64 columns, rows built in Python) and the compiled one
    (int32 columns, as the core keeps them, rows built in C)."""
    edges = sorted(edges, key=lambda e: e[0])
    cols = [[e[k] for e in edges] for k in range(3)]
    py = Graph(n, (array("l", cols[0]), array("l", cols[1]), array("l", cols[2])))
    co = fa.graph(n, (array("i", cols[0]), array("i", cols[1]), array("i", cols[2])))
    assert co is not None
    assert list(co.start) == list(py.start)
    return py, co


def random_edges(rng: random.Random, n: int, count: int, moves: int) -> list[Edge]:
    out = [(rng.randrange(n), rng.randrange(n), rng.randrange(moves)) for _ in range(count)]
    out += [(s, s, rng.randrange(moves)) for s in rng.sample(range(n), n // 10)]  # self-loops
    return out


def random_fair(rng: random.Random, moves: int) -> _Fair:
    weak = rng.getrandbits(moves)
    strong = rng.getrandbits(moves) & rng.getrandbits(moves)
    groups = tuple(
        (rng.getrandbits(moves) & rng.getrandbits(moves), rng.random() < 0.5)
        for _ in range(rng.randrange(3))
    )
    return _Fair(weak & ~strong, strong, tuple((m, st) for m, st in groups if m))


def random_mask(rng: random.Random, n: int, p: float) -> bytearray:
    return bytearray(rng.random() < p for _ in range(n))


def frozen(comps: Any) -> set[frozenset[int]]:
    return {frozenset(c) for c in comps}


def members(mask: bytes | bytearray) -> set[int]:
    return {s for s, b in enumerate(mask) if b}


def test_rows_are_refused_unless_int32_and_in_source_order() -> None:
    cols = (array("i", [1, 0]), array("i", [0, 1]), array("i", [0, 0]))
    assert fa.graph(2, cols) is None  # the Python graph sorts; the C rows do not
    assert fa.graph(2, tuple(array("l", c) for c in cols)) is None  # type: ignore[arg-type]
    assert fa.graph(2, None) is None


@pytest.mark.parametrize("seed", range(6))
def test_sccs_equal_the_python_tarjan(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.choice([50, 400, 3000])
    py, co = graphs(n, random_edges(rng, n, rng.randrange(n, 3 * n), 5))
    for p in (1.0, 0.8, 0.5):
        inside = random_mask(rng, n, p)
        region = members(inside)
        want = strongly_connected(py, sorted(region), region.__contains__)
        got = fa._fair.strongly_connected(co.start, co.dst, inside)
        assert frozen(got) == frozen(want)
        assert sorted(len(c) for c in got) == sorted(len(c) for c in want)


@pytest.mark.parametrize("moves", [6, 70, 150])
@pytest.mark.parametrize("seed", range(8))
def test_fair_components_equal_the_python_refinement(seed: int, moves: int) -> None:
    rng = random.Random(seed * 1000 + moves)
    n = rng.choice([20, 200, 2000])
    # dense enough for big SCCs, so that the refinement has something to refine
    py, co = graphs(n, random_edges(rng, n, rng.randrange(2 * n, 4 * n), moves))
    for _ in range(6):
        fair = random_fair(rng, moves)
        inside = random_mask(rng, n, rng.choice([1.0, 0.9, 0.6]))
        want = fair_components(py, members(inside), fair)
        got = fa.fair_components(co, inside, fair, moves)
        assert frozen(got) == frozen(want), (seed, moves, fair)


@pytest.mark.parametrize("seed", range(6))
def test_reach_can_reach_and_stuck_equal_python(seed: int) -> None:
    rng = random.Random(seed)
    moves = rng.choice([4, 80])
    n = rng.choice([30, 500, 4000])
    py, co = graphs(n, random_edges(rng, n, rng.randrange(n // 2, 2 * n), moves))
    allowed = random_mask(rng, n, 0.7)
    sources = bytearray(a and rng.random() < 0.05 for a in allowed)
    region = fa._fair.reach(co.start, co.dst, sources, allowed)
    want = _reach(py, sorted(members(sources)), allowed)
    assert members(region) == want
    targets = {s for s in want if rng.random() < 0.02}
    able = fa._fair.can_reach(co.start, co.dst, region, bytearray(s in targets for s in range(n)))
    assert members(able) == _can_reach(py, want, targets)
    fair = random_fair(rng, moves)
    c = fa.Constraints(fair, moves)
    got = set(fa._fair.stuck(co.start, co.dst, co.move, region, c.fair_move))
    # every state here has been expanded (a complete exploration): _stuck reads the graph only
    complete: Any = type("Complete", (), {"complete": True})()
    assert got == {s for s in want if _stuck(None, complete, py, s, fair)}  # type: ignore[arg-type]


# -- explored graphs: the whole search, property by property ----------------------------------


def searches(system: System, **options: Any) -> int:
    """Explore ``system`` with the compiled core; for each liveness property run the Python
    and the compiled search on the same truths and compare every set they find. Returns how
    many properties had a fair component or a stuck state (a violation)."""
    product = system.build()
    live = [_memoised(product, p) for p in system.properties if p.expectation.is_liveness]
    assert live
    ex = explore(product, live, Options(engine="compiled", **options))
    assert ex.engine == "compiled" and ex.edges is not None
    n = len(ex.states)
    py_g = Graph(n, ex.edges)
    co_g = fa.graph(n, ex.edges)
    assert co_g is not None
    violated = 0
    for p in live:
        not_q = holds_on_every_state(ex, p.check).translate(_NOT)
        when = None if p.when is None else holds_on_every_state(ex, p.when)
        fair = _fairness(product, p)
        py: Found = _search(product, ex, py_g, not_q, when, fair)
        co: Found = fa.search(product, ex, co_g, not_q, when, fair)
        assert (co.p_count, co.n_triggers) == (py.p_count, py.n_triggers), p.name
        assert list(co.triggers()) == list(py.triggers())
        assert [co.inside(s) for s in range(n)] == [py.inside(s) for s in range(n)], p.name
        assert frozen(co.comps) == frozen(py.comps), p.name
        assert co.stuck == py.stuck, p.name
        if co.comps or co.stuck:
            violated += 1
            targets = set(co.stuck).union(*co.comps)
            a, b = co.can_reach(targets), py.can_reach(targets)
            assert [a(s) for s in range(n)] == [b(s) for s in range(n)]
    return violated


def eats(i: int) -> Property:
    """Philosopher ``i``, once holding its left fork, eventually eats."""
    return Property.leads_to(
        f"phil{i}-eats",
        lambda s: s[f"phil[{i}]"].state == "has_left",
        lambda s: s[f"phil[{i}]"].state == "eating",
    )


def with_props(make: Any, *props: Property) -> Any:
    def build() -> System:
        system = make()
        system.properties[:] = [*system.properties, *props]
        return system

    return build


def fair(p: Property, *fairness: Fairness) -> Property:
    from dataclasses import replace

    return replace(
        p, name=f"{p.name}-{len(fairness)}-{fairness[0] if fairness else ''}", fairness=fairness
    )


def _phil_props() -> list[Property]:
    out = []
    for i in (0, 2):
        out += [
            fair(eats(i)),
            fair(eats(i), Fairness("*")),
            fair(eats(i), Fairness("*", strong=True)),
            fair(eats(i), Fairness("phil[*", group=True)),
            fair(eats(i), Fairness(f"phil[{i}].*", group=True, strong=True), Fairness("*")),
        ]
    return out


def _peterson_props() -> list[Property]:
    enters = Property.leads_to(
        "p0-enters-once-waiting",
        lambda s: s["p0"].state == "waiting",
        lambda s: s["p0"].state == "critical",
    )
    return [fair(enters), fair(enters, Fairness("*")), fair(enters, Fairness("p1.*"))]


def _lock_props() -> list[Property]:
    often = Property.always_eventually("p0-critical-often", lambda s: s["p0"].state == "critical")
    return [fair(often, Fairness("*")), fair(often, Fairness("*", strong=True)), fair(often)]


def _random_props(seed: int) -> list[Property]:
    rng = random.Random(seed)
    flavours = [
        (Fairness("*"),),
        (Fairness("*", strong=True),),
        (Fairness("u0.*", group=True), Fairness("u1.*", group=True, strong=True)),
        (Fairness("u2.*"), Fairness("u0.e1", strong=True)),
    ]
    return [
        fair(
            Property.always_eventually("u0-at-0", lambda s: s["u0"].v == 0),
            *rng.choice(flavours),
        ),
        fair(
            Property.leads_to(
                "u1-back-to-s0",
                lambda s: s["u1"].state != "s0",
                lambda s: s["u1"].state == "s0",
            ),
            *rng.choice(flavours),
        ),
    ]


MODELS = {
    "philosophers-4": with_props(lambda: philosophers(4), *_phil_props()),
    "philosophers-4-put-back": with_props(lambda: philosophers(4, put_back=True), *_phil_props()),
    "peterson": with_props(peterson, *_peterson_props()),
    "broken-lock": with_props(broken_lock, *_lock_props()),
    "request-reply-weak": lambda: request_reply(Fairness("server.serve")),
    "crossing-strong": lambda: crossing(Fairness("walker.cross", strong=True)),
    "crossing-weak-gf": lambda: crossing(Fairness("walker.cross"), always_eventually=True),
    **{
        f"random-{seed}": with_props(lambda seed=seed: random_system(seed), *_random_props(seed))
        for seed in range(6)
    },
}


@pytest.mark.parametrize("name", MODELS)
def test_both_searches_find_the_same_sets_on_explored_graphs(name: str) -> None:
    searches(MODELS[name]())


def test_the_models_hold_and_fail_both_ways() -> None:
    """The comparison is not vacuous: some properties are violated, some hold."""
    violated = sum(searches(MODELS[name]()) for name in ("philosophers-4-put-back", "peterson"))
    total = len(_phil_props()) + len(_peterson_props())
    assert 0 < violated < total


def test_an_incomplete_exploration_searches_alike() -> None:
    searches(MODELS["philosophers-4-put-back"](), max_states=60)


@pytest.mark.parametrize("config", [(1, 1, 1), (2, 1, 1)])
def test_sriov_searches_alike(config: tuple[int, int, int]) -> None:
    from vfpath.api import build_system
    from vfpath.model import Config

    searches(build_system(Config(*config)))


# -- whole checks: verdicts and lassos ----------------------------------------------------------


def replay_lasso(system: System, prop: Property, trace: Trace) -> None:
    """``trace`` step by step through a fresh Python product (every step a real transition);
    the cycle returns to its first state, and Q is false on it."""
    product: Product = system.build()
    packed = _replay(product, trace)
    start = trace.loop_start
    assert start is not None and 0 <= start <= len(trace)
    if start < len(trace):
        assert packed[-1] == packed[start], "the cycle does not close"
    view = product.reader()
    assert not any(prop.check(view(s)) for s in packed[start:]), "Q holds on the cycle"


def verdicts(make: Any, **options: Any) -> int:
    """check() under both engines: same statuses, notes and lassos; compiled lassos replay.
    Returns the number of lassos compared."""
    py, co = (check(make(), Options(engine=e, **options)) for e in ("python", "compiled"))
    assert co.extra["engine"] == "compiled" and py.extra["engine"] == "python"
    system = make()
    by_name = {p.name: p for p in system.properties}
    lassos = 0
    for a, b in zip(py.properties, co.properties, strict=True):
        assert (a.name, a.status, a.note) == (b.name, b.status, b.note)
        if not a.expectation.is_liveness:
            continue
        ta, tb = a.counterexample, b.counterexample
        assert (ta is None) == (tb is None)
        if ta is not None and tb is not None:
            assert (tb.labels, tb.loop_start, tb.states) == (ta.labels, ta.loop_start, ta.states)
            replay_lasso(system, by_name[b.name], tb)
            lassos += 1
    return lassos


@pytest.mark.parametrize("name", MODELS)
def test_both_engines_give_the_same_liveness_verdicts_and_lassos(name: str) -> None:
    verdicts(MODELS[name])


def test_lassos_on_an_incomplete_exploration_agree() -> None:
    assert verdicts(MODELS["philosophers-4-put-back"], max_states=60) > 0


LIVENESS_VARIANTS = [
    "doc-host-ignores-removal-timeout",
    "lx-probe-misses-registered-vf",
    "lx-register-once",
    "dpdk-hotplug-gives-up",
]


@pytest.mark.parametrize("name", LIVENESS_VARIANTS)
def test_sriov_liveness_mutants_give_the_same_lassos(name: str) -> None:
    from vfpath.model.variants import CATALOG

    entry = next(v for v in CATALOG if v.name == name)
    make = entry.system

    assert verdicts(make) > 0
    result = check(make(), Options())
    assert result.extra["engine"] == "compiled"
    assert {p.name: p.status for p in result.properties}[entry.expected] is Status.VIOLATED


# -- which search runs ---------------------------------------------------------------------------


def _count_searches(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    from vfpath.checker import liveness

    calls = {"python": 0, "c": 0}
    py_search, c_search = liveness._search, fa.search

    def py(*a: Any) -> Found:
        calls["python"] += 1
        return py_search(*a)

    def c(*a: Any) -> Found:
        calls["c"] += 1
        return c_search(*a)

    monkeypatch.setattr(liveness, "_search", py)
    monkeypatch.setattr(fa, "search", c)
    return calls


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_the_compiled_engine_searches_in_c_and_the_python_engine_in_python(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_searches(monkeypatch)
    result = check(MODELS["crossing-strong"](), Options(engine=engine))
    assert result.extra["engine"] == engine
    assert calls == ({"python": 0, "c": 1} if engine == "compiled" else {"python": 1, "c": 0})


def test_without_the_graph_module_the_compiled_engine_searches_in_python(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_searches(monkeypatch)
    monkeypatch.setattr(fa, "_fair", None)
    result = check(MODELS["crossing-strong"](), Options(engine="compiled"))
    assert result.extra["engine"] == "compiled"
    assert calls == {"python": 1, "c": 0}
    reference = check(MODELS["crossing-strong"](), Options(engine="python"))
    assert [(p.status, p.note) for p in result.properties] == [
        (p.status, p.note) for p in reference.properties
    ]
