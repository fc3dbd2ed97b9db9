"""Hypothesis stateful tests generated from any system: live classes checked against the product.

:func:`machine_for` turns a :class:`~checker.system.System` into a ``RuleBasedStateMachine``. Each
run holds two copies of the system side by side: a :class:`~checker.live.LiveSystem`, whose
python-statemachine instances move by their own ``send()`` (the interpreted semantics, what the
classes mean), and the packed product state (the compiled semantics, what the explorer checks).
Its one rule draws a move among those enabled now and takes it on the live side; the step must
then exist in the product's transition relation and lead to the same packed state, and both
sides must agree on which moves are enabled next. Its invariants are the system's ALWAYS
properties and the channel bounds. So a run fails for one of two reasons: the model breaks a
property (a bug in the design), or the compiler disagrees with the library (a bug in the engine).

Random runs rarely reach deep states (a failover while a switch is pending needs a dozen
particular steps in a row). Two levers: per-move ``weights`` bias the draw, and ``seeds`` (paths
of moves, usually shortest paths found by exhaustive exploration, see :func:`paths_to`) are
replayed by an initialize step before the run continues at random. :func:`coverage_of_runs`
measures how much of an exhaustively explored product the runs visit, with and without seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from .errors import VfpathError
from .explore import Exploration, path_trace
from .live import LiveSystem
from .product import Overflow, Product, State
from .properties import Expectation
from .report import render_trace
from .result import Trace
from .simulate import Fails, breaks, move_weights, overflows, shrink_path
from .system import System
from .view import StateView

__all__ = [
    "Coverage",
    "PropertyViolation",
    "SemanticsMismatch",
    "coverage_of_runs",
    "live_enabled",
    "machine_for",
    "measure_coverage",
    "paths_to",
    "trim_seeds",
]

# called after every step with (state before, move index, state after)
Observer = Callable[[State, int, State], None]


class PropertyViolation(AssertionError):
    """A run reached a state that breaks a property; carries the property's name and the path.

    The path is the run's, shortened on the compiled product by :func:`checker.simulate.shrink_path`
    (Hypothesis shrinks the choices it drew, which can leave detours; a run without Hypothesis's
    shrink phase, which is slow on long paths, still reports a short trace).
    """

    def __init__(self, prop: str, description: str, trace: Trace, note: str = "") -> None:
        self.property = prop
        self.trace = trace
        head = f"property {prop!r} violated after {len(trace)} steps"
        body = "\n".join([f"{head}: {note or description}", *render_trace(trace)])
        super().__init__(body)


class SemanticsMismatch(AssertionError):
    """The live instances and the compiled product disagree: an engine bug, not a model bug."""

    def __init__(self, what: str, trace: Trace) -> None:
        self.trace = trace
        where = "\n".join(render_trace(trace, title="after"))
        super().__init__(f"compiled and live semantics disagree: {what}\n{where}")


class _Choice:
    """A drawn move; its repr is the move's label, so Hypothesis prints readable steps.

    (Not a dataclass: Hypothesis pretty-prints dataclasses field by field, ignoring ``__repr__``.)
    """

    __slots__ = ("index", "label")

    def __init__(self, index: int, label: str) -> None:
        self.index = index
        self.label = label

    def __repr__(self) -> str:
        return self.label


class _Seed:
    """A path to replay before the random part of a run; its repr says how long it is."""

    __slots__ = ("name", "path")

    def __init__(self, path: tuple[int, ...], name: str) -> None:
        self.path = path
        self.name = name

    def __repr__(self) -> str:
        return self.name


def trim_seeds(system: System, seeds: Sequence[Sequence[int]]) -> list[tuple[int, ...]]:
    """Each seed cut to its longest prefix that ``system`` can follow (empty ones dropped).

    Seeds usually come from exploring one system and are replayed on a variant of it (a seeded
    bug, an implementer's driver) whose guards differ: a path may then stop being one part way.
    """
    product = system.build()
    out = []
    for path in seeds:
        state, keep = product.initial, 0
        for move in path:
            nxt = dict(product.successors(state)).get(move)
            if not isinstance(nxt, tuple):
                break
            state, keep = nxt, keep + 1
        if keep:
            out.append(tuple(path[:keep]))
    return out


def _check_seeds(product: Product, seeds: Sequence[Sequence[int]]) -> None:
    """Refuse, before any run, a seed path that the compiled product cannot follow."""
    for n, path in enumerate(seeds):
        state = product.initial
        for k, move in enumerate(path):
            nxt = dict(product.successors(state)).get(move)
            if not isinstance(nxt, tuple):
                label = product.moves[move].label if 0 <= move < len(product.moves) else move
                raise VfpathError(f"seed {n}: step {k + 1} ({label}) is not enabled there")
            state = nxt


def live_enabled(live: LiveSystem) -> list[int]:
    """The moves whose every participant the library says is enabled, as
    :meth:`LiveSystem.enabled` computes them, but cheaper on large systems.

    A participant is asked for its enabled events (which runs its guards) only when the library
    says its current state has a transition on the move's event at all, and once per distinct
    set of synchronisation arguments rather than once per move: a large configuration has
    hundreds of moves, most of them structurally impossible in any one state.
    """
    product = live.product
    names = product.names
    structural: dict[int, set[str]] = {}
    asked: dict[tuple[int, Any], set[str]] = {}
    out = []
    try:
        for m, move in enumerate(product.moves):
            for i, ev in move.parts:
                allowed = structural.get(i)
                if allowed is None:
                    allowed = structural[i] = {
                        e.id for e in live.instances[names[i]].allowed_events
                    }
                if ev not in allowed:
                    break
            else:
                live._args = dict(move.args)
                for i, ev in move.parts:
                    key = (i, move.args)
                    events = asked.get(key)
                    if events is None:
                        found = live.instances[names[i]].enabled_events()
                        events = asked[key] = {e.id for e in found}
                    if ev not in events:
                        break
                else:
                    out.append(m)
    finally:
        live._args = {}
    return out


def paths_to(ex: Exploration, targets: Iterable[State | int]) -> list[tuple[int, ...]]:
    """Shortest move paths (from the BFS parent pointers) to each target state or state id."""
    index: dict[State, int] | None = None
    out = []
    for t in targets:
        if isinstance(t, int):
            sid = t
        else:
            if index is None:
                index = {s: i for i, s in enumerate(ex.states)}
            sid = index[t]
        moves: list[int] = []
        while ex.parent[sid] != -1:
            moves.append(ex.via[sid])
            sid = ex.parent[sid]
        out.append(tuple(reversed(moves)))
    return out


def _diff(product: Product, want: State, got: State) -> str:
    a, b = product.describe(want), product.describe(got)
    return ", ".join(f"{k}: compiled {a[k]!r}, live {b[k]!r}" for k in a if a[k] != b[k])


def machine_for(
    system: System,
    *,
    weights: Mapping[str, int] | None = None,
    seeds: Sequence[Sequence[int]] | None = None,
    deadlock: bool = False,
    observer: Observer | None = None,
) -> type[RuleBasedStateMachine]:
    """A ``RuleBasedStateMachine`` class that drives ``system`` live and checks it as it goes.

    Parameters
    ----------
    system: any system; its ALWAYS properties become invariants.
    weights: label glob -> non-negative integer weight of a move in the draw (default 1; 0
        means "only when nothing else is enabled"), see :func:`checker.simulate.move_weights`.
    seeds: move paths from the initial state; an initialize step replays one of them (or none:
        Hypothesis shrinks towards no seed), checking every step as the random ones are checked.
    deadlock: also fail in a state that is not final and has no enabled move.
    observer: called with ``(before, move, after)`` after every step, e.g. to measure coverage.

    Run it with ``hypothesis.stateful.run_state_machine_as_test(cls, settings=...)`` or expose
    ``cls.TestCase`` to pytest. A failure raises :class:`PropertyViolation` or
    :class:`SemanticsMismatch`, both :class:`AssertionError` with the path in the message.
    """
    product = system.build()
    invariants = [p for p in system.properties if p.expectation is Expectation.ALWAYS]
    wts = move_weights(product, weights)
    _check_seeds(product, seeds or ())
    choices = [_Choice(m, move.label) for m, move in enumerate(product.moves)]
    seed_list = [_Seed(tuple(p), f"seed[{n}] ({len(p)} steps)") for n, p in enumerate(seeds or ())]
    initial = product.initial

    def _deadlocked(o: State | Overflow) -> bool:
        return (
            not isinstance(o, Overflow)
            and not product.is_final(o)
            and next(iter(product.successors(o)), None) is None
        )

    class GeneratedMachine(RuleBasedStateMachine):
        replayed = 0  # steps replayed from seeds, over every run of this class

        def __init__(self) -> None:
            super().__init__()
            self.live = LiveSystem(product)
            self.state: State = initial
            self.hops: list[tuple[int, State]] = []
            got = self.live.snapshot()
            if got != initial:
                raise SemanticsMismatch(
                    f"initial states differ ({_diff(product, initial, got)})", self.trace()
                )
            self.succ = self._enabled()

        def trace(self) -> Trace:
            return path_trace(product, initial, self.hops)

        def short_trace(self, fails: Fails) -> Trace:
            # the run's path shortened on the compiled product (its steps were just checked
            # against the live instances); the last step still fails the same way
            return path_trace(product, initial, shrink_path(product, self.hops, fails))

        def _enabled(self) -> dict[int, State | Overflow]:
            compiled = dict(product.successors(self.state))
            live = set(live_enabled(self.live))
            if live != set(compiled):
                only_c = sorted(product.moves[m].label for m in set(compiled) - live)
                only_l = sorted(product.moves[m].label for m in live - set(compiled))
                raise SemanticsMismatch(
                    f"enabled moves differ: only compiled {only_c}, only live {only_l}",
                    self.trace(),
                )
            return compiled

        def _take(self, move: int) -> None:
            expected = self.succ[move]
            before = self.state
            self.live.step(move)
            got = self.live.snapshot()
            want = expected.state if isinstance(expected, Overflow) else expected
            self.hops.append((move, got))
            if got != want:
                label = product.moves[move].label
                raise SemanticsMismatch(
                    f"{label} leads to different states ({_diff(product, want, got)})",
                    self.trace(),
                )
            self.state = got
            if observer is not None:
                observer(before, move, got)
            if isinstance(expected, Overflow):
                note = f"channel {expected.channel!r} overflows"
                fails = overflows(expected.channel)
                raise PropertyViolation("channels-bounded", note, self.short_trace(fails), note)
            self.succ = self._enabled()

        def _check_properties(self) -> None:
            view = StateView(product, self.state)
            for p in invariants:
                if (p.when is None or p.when(view)) and not p.check(view):
                    trace = self.short_trace(breaks(product, p))
                    raise PropertyViolation(p.name, p.description, trace)

        if seed_list:

            @initialize(seed=st.sampled_from([None, *seed_list]))
            def replay(self, seed: _Seed | None) -> None:
                for move in seed.path if seed is not None else ():
                    if move not in self.succ:  # only if the live side disagrees
                        label = product.moves[move].label
                        raise SemanticsMismatch(f"{seed!r}: {label} is not enabled", self.trace())
                    self._take(move)
                    self._check_properties()
                if seed is not None:
                    type(self).replayed += len(seed.path)

        @precondition(lambda self: bool(self.succ))
        @rule(data=st.data())
        def step(self, data: st.DataObject) -> None:
            # An index into the moves enabled now, in move order. (Drawing from every move and
            # filtering to the enabled ones keeps a choice's meaning when the shrinker deletes
            # earlier steps, but measured slower and shrank no further on the test models.)
            enabled = sorted(self.succ)
            pool = [choices[m] for m in enabled for _ in range(wts[m])]
            pick = data.draw(st.sampled_from(pool or [choices[m] for m in enabled]), label="move")
            self._take(pick.index)

        @precondition(lambda self: not self.succ)
        @rule()
        def stuck(self) -> None:
            # nothing is enabled: stay put (Hypothesis needs some rule it may run)
            if deadlock and not product.is_final(self.state):
                raise PropertyViolation(
                    "deadlock-free",
                    "a state that is not final has no enabled move",
                    self.short_trace(_deadlocked),
                )

        @invariant()
        def always_properties(self) -> None:
            self._check_properties()

    GeneratedMachine.__name__ = GeneratedMachine.__qualname__ = _class_name(system.name)
    return GeneratedMachine


def _class_name(name: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in name).split()
    return "".join(w[:1].upper() + w[1:] for w in words) + "Machine"


# -- coverage ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """How much of an exhaustively explored product some runs visited."""

    states: int  # distinct product states visited
    total_states: int
    transitions: int  # distinct (state, move) steps taken
    total_transitions: int
    seeds: int = 0  # seed paths offered to the runs
    replayed: int = 0  # steps that were replays of seed paths

    @property
    def state_fraction(self) -> float:
        return self.states / self.total_states

    @property
    def transition_fraction(self) -> float:
        return self.transitions / self.total_transitions if self.total_transitions else 1.0


def _run(cls: type[RuleBasedStateMachine], runs: int, steps: int, seed: int) -> None:
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis import seed as use_seed
    from hypothesis.stateful import run_state_machine_as_test

    def factory() -> RuleBasedStateMachine:
        return cls()

    config = settings(
        max_examples=runs,
        stateful_step_count=steps,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    # Hypothesis accepts any zero-argument factory at run time (its parameter is named
    # state_machine_factory); the function, not the class, carries the seed, so runs stay apart.
    seeded = cast("type[RuleBasedStateMachine]", use_seed(seed)(factory))
    run_state_machine_as_test(seeded, settings=config)


def _seed_targets(
    ex: Exploration, visited: set[int], taken: set[tuple[int, int]], k: int
) -> list[int]:
    """Up to ``k`` states to seed runs towards: missed states first, then states with a missed
    outgoing transition, deepest first.

    A deep missed state's shortest path also passes through the missed states above it, so
    greedily taking the deepest targets whose paths still add a missed state spreads the seeds
    over the unvisited regions of the graph. Once every state was visited, the sources of
    transitions never taken are the next best: a run resumed there may take them.
    """
    depth = [0] * len(ex.states)
    for sid in range(1, len(ex.states)):  # parents precede children in BFS order
        depth[sid] = depth[ex.parent[sid]] + 1
    missed = [sid for sid in range(len(ex.states)) if sid not in visited]
    missed.sort(key=lambda sid: (-depth[sid], sid))
    covered: set[int] = set()
    out: list[int] = []
    for sid in missed:
        if len(out) == k:
            return out
        if sid in covered:
            continue
        node = sid
        while node != -1 and node not in covered:
            if node not in visited:
                covered.add(node)
            node = ex.parent[node]
        out.append(sid)
    if ex.edges is not None:
        src, _dst, mv = ex.edges
        sources = {a for a, m in zip(src, mv, strict=True) if (a, m) not in taken} - set(out)
        out.extend(sorted(sources, key=lambda sid: (-depth[sid], sid))[: k - len(out)])
    return out


def measure_coverage(
    system: System,
    runs: int,
    steps: int,
    seed: int,
    seeded: bool,
    *,
    weights: Mapping[str, int] | None = None,
    max_states: int = 200_000,
) -> Coverage:
    """Run the generated machine ``runs`` times (``steps`` steps each) and count what it visited.

    The system must be small enough to explore exhaustively (at most ``max_states`` states).
    With ``seeded``, the budget is split: half the runs are plain; the other half are seeded
    with shortest paths to the deepest states (then transitions) the first half missed, so both
    modes spend the same number of runs and random steps (the replayed prefixes come on top, see
    ``replayed``). The system's properties are dropped here: coverage measures reach (a property
    violation would end the measurement), while the semantics are still checked at every step.
    """
    from .errors import LimitError
    from .explore import Options, explore

    # properties are not what coverage measures; the runs still check the semantics
    system = system.with_properties([])
    options = Options(max_states=max_states, deadlock=False, graph=True)
    ex = explore(system.build(), [], options)
    if not ex.complete:
        raise LimitError(f"coverage needs an exhaustive exploration; {ex.stop_reason} was hit")
    ids = {s: i for i, s in enumerate(ex.states)}
    visited: set[int] = {0}
    taken: set[tuple[int, int]] = set()

    def observe(before: State, move: int, after: State) -> None:
        if after in ids:  # an overflowing step leaves the explored graph
            visited.add(ids[after])
            taken.add((ids[before], move))

    plain = runs // 2 if seeded else runs
    if plain:
        _run(machine_for(system, weights=weights, observer=observe), plain, steps, seed)
    paths: list[tuple[int, ...]] = []
    replayed = 0
    if seeded and runs - plain:
        paths = paths_to(ex, _seed_targets(ex, visited, taken, max(1, runs - plain)))
        cls = machine_for(system, weights=weights, seeds=paths, observer=observe)
        _run(cls, runs - plain, steps, seed + 1)
        replayed = cls.replayed  # type: ignore[attr-defined]
    return Coverage(len(visited), len(ex.states), len(taken), ex.transitions, len(paths), replayed)


def coverage_of_runs(
    system: System, runs: int, steps: int, seed: int, seeded: bool
) -> tuple[float, float]:
    """``(state fraction, transition fraction)`` of the product that the runs visited; see
    :func:`measure_coverage` for what seeding means and for the raw counts."""
    c = measure_coverage(system, runs, steps, seed, seeded)
    return c.state_fraction, c.transition_fraction
