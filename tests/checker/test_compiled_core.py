"""The compiled engine against the Python engine (the reference): same exploration, same verdicts.

The compiled core (checker/_core.pyx) only replays tables that the Python product and memos
filled, so on every model it must find the very same states in the very same order: the same
state sets, level sizes, transitions, parents, deadlock and overflow, property hits and
counterexample lengths. Each compiled counterexample is also replayed step by step through a
freshly built Python product. Where the compiled engine cannot run (no compiled extension, a
symmetry group too large to try every element: tests/checker/test_compiled_symmetry.py) it must
say that the Python engine ran, never differ silently.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from typing import Any

import pytest
from click.testing import CliRunner
from live_models import crossing, request_reply
from models import broken_lock, peterson, philosophers, pipeline
from statemachine import State, StateMachine

from vfpath.checker import Options, Property, System, check
from vfpath.checker import compiled as compiled_engine
from vfpath.checker.actor import Actor
from vfpath.checker.explore import Exploration, explore
from vfpath.checker.product import Overflow
from vfpath.checker.properties import Fairness
from vfpath.checker.values import typed_key

pytestmark = pytest.mark.skipif(
    not compiled_engine.available(), reason="the compiled core is not built on this machine"
)


def levels(ex: Exploration) -> list[int]:
    """How many states lie at each BFS depth, from the parent pointers."""
    depth = [0] * len(ex.states)
    for sid in range(1, len(ex.states)):
        depth[sid] = depth[ex.parent[sid]] + 1
    counts = Counter(depth)
    return [counts[d] for d in range(max(depth) + 1)]


def typed(product: Any, s: Any) -> dict[str, Any]:
    """A state as its values and their types: two products may box ``True`` and ``1``
    differently (the first met is stored as is), never type them differently."""
    return {k: typed_key(v) for k, v in product.describe(s).items()}


def replays(system: System, ex: Exploration, sid: int) -> int:
    """Follow the path to ``sid`` through a freshly built Python product; its length."""
    product = system.build()
    ids = []
    while sid != -1:
        ids.append(sid)
        sid = ex.parent[sid]
    ids.reverse()
    cur = product.initial
    assert typed(product, cur) == typed(ex.product, ex.states[ids[0]])
    for j in ids[1:]:
        want = typed(ex.product, ex.states[j])
        nxt = [
            s for m, s in product.successors(cur) if m == ex.via[j] and not isinstance(s, Overflow)
        ]
        assert [typed(product, s) for s in nxt] == [want], "a step the product does not take"
        cur = nxt[0]
    return len(ids) - 1


def explored(make: Any, props: Any = None, **options: Any) -> Exploration:
    """``make()``'s exploration (a fresh system: no memo is shared with another run)."""
    system = make()
    ps = system.properties if props is None else props(system)
    return explore(system.build(), ps, Options(**options))


def alike(a: Exploration, b: Exploration) -> None:
    """The same exploration: the same states discovered in the same order, levels, parents,
    moves, transitions, limits, deadlock, overflow, property hits and edges."""
    assert len(b.states) == len(a.states)
    assert list(b.states) == list(a.states)  # same states, discovered in the same order
    assert levels(b) == levels(a)
    assert list(b.parent) == list(a.parent) and list(b.via) == list(a.via)
    assert (b.transitions, b.depth) == (a.transitions, a.depth)
    assert (b.complete, b.stop_reason) == (a.complete, a.stop_reason)
    assert b.deadlock == a.deadlock
    assert b.overflow == a.overflow
    assert b.hits == a.hits and b.triggered == a.triggered
    if a.edges is not None:
        assert b.edges is not None
        assert [list(x) for x in b.edges] == [list(x) for x in a.edges]


def replay_findings(make: Any, co: Exploration) -> None:
    """Every state ``co`` reports (hits, deadlock, overflow) is reached, step by step, by a
    freshly built Python product; the overflow is one of its state's steps."""
    system = make()
    for sid in [*co.hits.values(), co.deadlock]:
        if sid is not None:
            replays(system, co, sid)
    if co.overflow is not None:
        sid, m, _channel, to = co.overflow
        replays(system, co, sid)
        over = [s for k, s in co.product.successors(co.states[sid]) if isinstance(s, Overflow)]
        assert Overflow(to, m, co.overflow[2]) in over


def both(make: Any, props: Any = None, **options: Any) -> tuple[Exploration, Exploration]:
    """Explore ``make()`` with each engine (fresh systems: no memo is shared) and compare."""
    py, co = (explored(make, props, engine=e, **options) for e in ("python", "compiled"))
    assert py.engine == "python" and co.engine == "compiled"
    alike(py, co)
    replay_findings(make, co)
    return py, co


def same_verdicts(py: Any, co: Any) -> None:
    """Two check() results: the same statuses and counterexample lengths, states and
    transitions."""
    for a, b in zip(py.properties, co.properties, strict=True):
        assert (a.name, a.status) == (b.name, b.status)
        for trace in ("counterexample", "witness"):
            ta, tb = getattr(a, trace), getattr(b, trace)
            assert (ta is None) == (tb is None)
            if ta is not None:
                assert len(ta) == len(tb)
                assert ta.loop_start == tb.loop_start
    assert (co.stats.states, co.stats.transitions) == (py.stats.states, py.stats.transitions)


def verdicts(make: Any, **options: Any) -> None:
    """check() under both engines: same statuses and counterexample lengths."""
    results = [check(make(), Options(engine=e, **options)) for e in ("python", "compiled")]
    py, co = results
    assert co.extra["engine"] == "compiled"
    same_verdicts(py, co)


MODELS = {
    "philosophers-5-put-back": lambda: philosophers(5, put_back=True),
    "philosophers-4 (deadlocks)": lambda: philosophers(4),
    "peterson": peterson,
    "broken-lock": broken_lock,
    "pipeline-overflows": lambda: pipeline(2, 3),
    "pipeline": lambda: pipeline(2, 2),
}


@pytest.mark.parametrize("name", MODELS)
def test_both_engines_explore_the_same_states(name: str) -> None:
    _py, co = both(MODELS[name])
    if name.startswith("philosophers-4"):
        assert co.deadlock is not None  # the classic deadlock: every philosopher holds a fork
    if name == "pipeline-overflows":
        assert co.overflow is not None
    if name == "broken-lock":
        assert "mutual-exclusion" in co.hits


@pytest.mark.parametrize("name", MODELS)
def test_both_engines_give_the_same_verdicts(name: str) -> None:
    verdicts(MODELS[name])


def test_liveness_reads_the_same_edges() -> None:
    weak = Fairness("server.serve")
    for make in (request_reply, lambda: request_reply(weak), lambda: crossing(weak)):
        both(make)
        verdicts(make)


def test_limits_stop_both_engines_at_the_same_state() -> None:
    _py, co = both(lambda: philosophers(6, put_back=True), max_states=100)
    assert not co.complete and co.stop_reason == "state limit of 100"


def test_progress_is_reported_as_by_the_python_engine() -> None:
    calls: dict[str, list[tuple[int, int]]] = {"python": [], "compiled": []}
    for engine in calls:
        system = philosophers(12, put_back=True)  # past 16,384 states
        explore(
            system.build(),
            [],
            Options(
                engine=engine, progress=lambda n, left, _t, e=engine: calls[e].append((n, left))
            ),
        )
    assert calls["compiled"] and calls["compiled"] == calls["python"]


# -- random systems: guards on peers and channel heads, sends, receives, True next to 1 -------


def random_class(seed: int) -> type:
    """An actor class drawn at random: 2-4 states, 5-7 events, each with a random guard (own
    variable, the next unit's variable or state, the inbox's head, the type of a value) and a
    random action (count, store True or 1, send, receive); a ring of events keeps every state
    reachable in the class's own graph."""
    rng = random.Random(seed)
    names = [f"s{k}" for k in range(rng.randint(2, 4))]
    body: dict[str, Any] = {"variables": {"v": 0}}
    states = {n: State(initial=k == 0) for k, n in enumerate(names)}
    body.update(states)
    guards = [
        lambda self: self.v != 2,
        lambda self: self.peer("next").v == 0,
        lambda self: self.peer("next").state == "s0",
        lambda self: self.peek("inbox") is not None,
        lambda self: type(self.v) is bool,
        lambda self: self.peek("inbox") == 1 and type(self.peek("inbox")) is int,
    ]
    actions = [
        lambda self: setattr(self, "v", (self.v + 1) % 3),
        lambda self: setattr(self, "v", True),
        lambda self: setattr(self, "v", 1),
        lambda self: self.emit("out", self.v),
        lambda self: self.emit("out", True),
        lambda self: self.emit("out", 1),
    ]
    ring = [(a, names[(k + 1) % len(names)]) for k, a in enumerate(names)]  # connected
    extra = [(rng.choice(names), rng.choice(names)) for _ in range(3)]
    for e, (src, dst) in enumerate(ring + extra):
        g = rng.randrange(len(guards))
        kw: dict[str, Any] = {"cond": f"g{e}"}
        body[f"g{e}"] = guards[g]
        if g in (3, 5) and rng.random() < 0.7:
            body[f"a{e}"] = lambda self: setattr(self, "v", self.recv("inbox"))
        else:
            body[f"a{e}"] = actions[rng.randrange(len(actions))]
        kw["on"] = f"a{e}"
        body[f"e{e}"] = states[src].to(states[dst], **kw)
    return type(f"Random{seed}", (Actor, StateMachine), body)


def random_system(seed: int, units: int = 3) -> System:
    """``units`` units of one random class in a ring of two-slot channels."""
    cls = random_class(seed)
    sysm = System(f"random-{seed}")
    n = units
    for i in range(n):
        sysm.channel(f"c{i}", 2)
    for i in range(n):
        sysm.add(
            f"u{i}",
            cls,
            peers={"next": f"u{(i + 1) % n}"},
            ports={"inbox": f"c{i}", "out": f"c{(i + 1) % n}"},
        )
    sysm.properties += [
        Property.always("u0-not-2", lambda s: s["u0"].v != 2),
        Property.always(
            "typed", lambda s: type(s["u1"].v) is not bool, when=lambda s: s["u1"].state != "s0"
        ),
        Property.sometimes("u2-holds-true", lambda s: s["u2"].v is True),
        Property.sometimes("c0-full", lambda s: len(s.channel("c0")) == 2),
    ]
    return sysm


def test_a_property_reading_the_raw_state_is_judged_on_every_new_state() -> None:
    """The core judges a new state only on the predicates whose trie reads a slot its move
    writes; a predicate reading ``view.raw`` has no trie, so it must count as reading every
    slot (it is first hit several moves away from where it was last judged)."""

    def props(_system: System) -> list[Property]:
        return [
            Property.always("raw", lambda s: s.raw is not None and s["phil[1]"].state != "eating"),
            Property.sometimes(
                "raw-goal", lambda s: s.raw is not None and s["phil[2]"].state == "eating"
            ),
        ]

    _py, co = both(lambda: philosophers(3), props)
    assert set(co.hits) == {"raw", "raw-goal"}


@pytest.mark.parametrize("seed", range(12))
def test_random_systems_explore_alike(seed: int) -> None:
    both(lambda: random_system(seed))


@pytest.mark.parametrize("seed", range(4))
def test_random_systems_get_the_same_verdicts(seed: int) -> None:
    verdicts(lambda: random_system(seed))


# -- SR-IOV ---------------------------------------------------------------------------------


def _sriov(vms: int, vfs: int, hosts: int) -> Any:
    from vfpath.model import Config, build

    return lambda: build(Config(vms, vfs, hosts))


def _safety(system: System) -> list[Property]:
    return [p for p in system.properties if not p.expectation.is_liveness]


@pytest.mark.parametrize("config", [(1, 1, 1), (2, 1, 1)])
def test_sriov_safety_explores_alike(config: tuple[int, int, int]) -> None:
    _py, co = both(_sriov(*config), _safety)
    assert len(co.states) > 500


def test_sriov_check_with_liveness_gives_the_same_verdicts() -> None:
    verdicts(_sriov(1, 1, 1))


@pytest.mark.skipif(
    os.environ.get("VFPATH_SLOW_TESTS") != "1",
    reason="2/1/2 takes a minute under the Python engine; set VFPATH_SLOW_TESTS=1",
)
def test_sriov_2_1_2_safety_explores_alike() -> None:
    both(_sriov(2, 1, 2), _safety)


# -- fallbacks ------------------------------------------------------------------------------


def test_symmetry_runs_on_the_compiled_core() -> None:
    from vfpath.model import Config, build

    system = build(Config(2, 1, 1))
    system.properties[:] = _safety(system)
    result = check(system, Options(engine="compiled"))
    assert result.extra["symmetry"].get("orbits")  # the reduction ran ...
    assert result.extra["engine"] == "compiled"  # ... on the compiled core


def test_without_the_extension_the_python_engine_runs_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compiled_engine, "_core", None)
    ex = explore(peterson().build(), [], Options(engine="compiled"))
    assert ex.engine.startswith("python (the compiled core is not built")
    assert len(ex.states) == 20


def test_an_unknown_engine_is_refused() -> None:
    from vfpath.checker.errors import LimitError

    with pytest.raises(LimitError, match="engine must be one of"):
        explore(peterson().build(), [], Options(engine="fast"))


def cli_reports(*runs: list[str]) -> list[list[str]]:
    """``vfpath check --vms 1 --hosts 1 --safety-only`` with each extra argument list: the
    lines of each report, but for the engine and the speed line (seconds, speed and memory
    differ from run to run); a run's engine line first."""
    from vfpath.cli import cli

    runner = CliRunner()
    out = []
    for extra in runs:
        run = runner.invoke(cli, ["check", "--vms", "1", "--hosts", "1", "--safety-only", *extra])
        assert run.exit_code in (0, 1), run.output
        lines = run.output.splitlines()
        engine = [x for x in lines if x.startswith("engine:")]
        out.append(engine + [x for x in lines if x not in engine and " states/s" not in x])
    return out


def test_the_cli_names_the_engine() -> None:
    py, co = cli_reports(["--engine", "python"], ["--engine", "compiled"])
    assert py[0] == "engine: python" and co[0] == "engine: compiled"
    assert py[1:] == co[1:]  # the same report otherwise
