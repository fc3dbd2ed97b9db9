"""Breadth-first exploration of a product: exact counts and shortest counterexamples.

Breadth-first order makes the first violating state found one of the nearest to the initial
state, so its parent chain is a shortest counterexample (as in TLC and Stateright's BFS).
"""

from __future__ import annotations

import resource
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import FingerprintRefused, LimitError
from .limits import MemoryGuard
from .memo import memoise
from .product import Overflow, Product, State
from .properties import Expectation, Property, disjuncts, implication_parts, implies
from .result import Step, Trace
from .symmetry import AsymmetricProperty, Reduction

__all__ = [
    "ENGINES",
    "Exploration",
    "Options",
    "explore",
    "holds_everywhere",
    "holds_on_every_state",
    "trace_to",
]

Progress = Callable[[int, int, float], None]
ENGINES = ("compiled", "python")


@dataclass(frozen=True)
class Options:
    """Every knob of one exploration, in one place."""

    max_states: int | None = None
    max_memory_mb: int | None = None
    deadlock: bool = True
    graph: bool = False
    progress: Progress | None = None
    # symmetry reduction in check() where the system declares it and it is sound (see
    # checker.symmetry); explore() itself reduces only when handed a Reduction
    symmetry: bool = True
    # "compiled": the compiled core (checker.compiled) where it is built and can run this
    # exploration, else the Python engine, saying why; "python": the Python engine, the reference
    engine: str = "compiled"
    # store 64-bit fingerprints, not states, from the start (checker.fingerprint); an exact
    # run switches by itself past checker.fingerprint.SWITCH_AT states, calling ``notify``
    fingerprint: bool = False
    notify: Callable[[str], None] | None = None
    # threads in the compiled core (checker/_threads.pxi: N - 1 stage states ahead of the one
    # that stores them) and for the liveness searches; the results are those of one; the
    # Python engine always explores on one
    workers: int = 1


@dataclass
class Exploration:
    """The raw outcome of a BFS: states, parent pointers, optional edges, first hits."""

    product: Product
    states: list[State]
    parent: array
    via: array
    depth: int
    transitions: int
    seconds: float
    complete: bool
    stop_reason: str
    # property name -> first state id that violates (ALWAYS) or satisfies (SOMETIMES)
    hits: dict[str, int] = field(default_factory=dict)
    # property name -> whether its antecedent (`when`) held somewhere
    triggered: dict[str, bool] = field(default_factory=dict)
    deadlock: int | None = None
    overflow: tuple[int, int, str, State] | None = None  # (from id, move, channel, to)
    edges: tuple[array, array, array] | None = None
    peak_memory: int = 0
    reduction: Reduction | None = None
    concrete_states: int = 0  # with a reduction: the sum of the orbit sizes
    engine: str = "python"  # which engine ran, and why the Python one where compiled was asked
    bytes_per_state: float = 0.0  # the compiled core's storage per state (0: not measured)
    # the compiled engine: memoised predicates (checker.memo) on every state, from its tables
    truths: Callable[[list[Any]], list[bytearray]] | None = None
    # fingerprint mode: checker.fingerprint.collision_report (None: every state stored exactly)
    fingerprint: dict[str, Any] | None = None


def holds_on_every_state(ex: Exploration, pred: Callable[[Any], Any]) -> bytearray:
    """``pred`` (over a state view) on every explored state, in order: 1 where it holds."""
    return holds_everywhere(ex, [pred])[0]


def holds_everywhere(ex: Exploration, preds: list[Callable[[Any], Any]]) -> list[bytearray]:
    """Each of ``preds`` (over a state view) on every explored state, in order: 1 where it holds.

    Predicates that carry their memo (``pred.memo``, see :func:`checker.check._memoised`) are
    read from the compiled core's tables when the compiled engine explored, all in one pass:
    decoding a million states into tuples to run Python on each would cost more than the
    exploration.
    """
    from .view import StateView

    memos = [getattr(p, "memo", None) for p in preds]
    if ex.truths is not None and preds and all(m is not None for m in memos):
        return ex.truths(memos)
    product = ex.product
    return [bytearray(bool(p(StateView(product, s))) for s in ex.states) for p in preds]


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def validate(options: Options) -> None:
    """Refuse limits that cannot be met (:class:`~checker.errors.LimitError`)."""
    if options.max_states is not None and options.max_states < 1:
        raise LimitError(f"max_states must be at least 1, got {options.max_states}")
    if options.max_memory_mb is not None and options.max_memory_mb < 1:
        raise LimitError(f"max_memory_mb must be at least 1, got {options.max_memory_mb}")
    if options.engine not in ENGINES:
        raise LimitError(f"engine must be one of {', '.join(ENGINES)}, got {options.engine!r}")
    if options.workers < 1:
        raise LimitError(f"workers must be at least 1, got {options.workers}")


def explore(
    product: Product,
    props: list[Property],
    options: Options = Options(),
    reduction: Reduction | None = None,
) -> Exploration:
    """Explore every state reachable from the initial one, breadth first.

    With a ``reduction``, states are orbit representatives; a property the reduction does not
    trust (:meth:`~checker.symmetry.Reduction.trusts`) is evaluated on every image of every
    explored state, and :class:`~checker.symmetry.AsymmetricProperty` is raised at the first
    difference (the caller falls back to a plain exploration). ``options.max_memory_mb`` is
    watched on every state (:class:`~checker.limits.MemoryGuard`).
    """
    validate(options)
    why = ""
    if options.fingerprint and options.engine != "compiled":
        raise FingerprintRefused("fingerprint mode needs the compiled engine (not --engine python)")
    if options.engine == "compiled":
        from .compiled import explore_compiled, unavailable

        why = unavailable(reduction)
        if not why:
            with MemoryGuard(options.max_memory_mb) as guard:
                return explore_compiled(product, props, options, guard, reduction)
    if options.fingerprint:
        raise FingerprintRefused(f"fingerprint mode needs the compiled core, and {why}")
    with MemoryGuard(options.max_memory_mb) as guard:
        ex = _explore(product, props, options, reduction, guard)
    notes = [why] if why else []
    if options.workers > 1:  # the Python engine has no threads
        notes.append(f"1 worker, not {options.workers}")
    ex.engine = f"python ({'; '.join(notes)})" if notes else "python"
    return ex


def _gate(reduction: Reduction, s: State, preds: list[tuple[str, Any]]) -> None:
    bad = reduction.asymmetric(s, [f for _n, f in preds])
    if bad is not None:
        raise AsymmetricProperty(preds[bad][0])


def judged_parts(
    props: list[Property],
) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]], list[tuple[str, Any]]]:
    """The predicates both engines judge on each new state, named by their property:
    invariants (``when -> check``, one entry per conjunct of ``check``), goals and antecedents
    (one entry per disjunct). A property is hit in the first state where one of its entries
    is (see :class:`~checker.properties.AllOf`)."""
    inv = [
        (p.name, c)
        for p in props
        if p.expectation is Expectation.ALWAYS
        for c in implication_parts(p.when, p.check)
    ]
    gls = [
        (p.name, c)
        for p in props
        if p.expectation is Expectation.SOMETIMES
        for c in disjuncts(p.check)
    ]
    trg = [(p.name, w) for p in props if p.when is not None for w in disjuncts(p.when)]
    return inv, gls, trg


def gated(props: list[Property], untrusted: frozenset[str] | set[str]) -> list[tuple[str, Any]]:
    """The whole predicates of the properties in ``untrusted`` (invariants as implications,
    then goals, then antecedents), whose answer the symmetry gate compares across a state's
    images: a part alone (one VM's) is not symmetric even where its property is."""
    out = [
        (p.name, implies(p.when, p.check))
        for p in props
        if p.expectation is Expectation.ALWAYS and p.name in untrusted
    ]
    out += [
        (p.name, p.check)
        for p in props
        if p.expectation is Expectation.SOMETIMES and p.name in untrusted
    ]
    out += [(p.name, p.when) for p in props if p.when is not None and p.name in untrusted]
    return out


def _explore(
    product: Product,
    props: list[Property],
    options: Options,
    reduction: Reduction | None,
    guard: MemoryGuard,
) -> Exploration:
    start = time.perf_counter()
    triggers = [p for p in props if p.when is not None]
    hits: dict[str, int] = {}
    triggered = {p.name: False for p in triggers}
    keep_edges = options.graph or any(p.expectation.is_liveness for p in props)
    esrc, edst, emove = array("l"), array("l"), array("l")

    canon = reduction.canon if reduction is not None else None
    canon_size = reduction.canon_size if reduction is not None else None
    init, concrete = canon_size(product.initial) if canon_size is not None else (product.initial, 1)
    seen: dict[State, int] = {init: 0}
    states: list[State] = [init]
    parent = array("l", [-1])
    via = array("l", [-1])
    deadlock: int | None = None
    overflow: tuple[int, int, str, State] | None = None
    transitions = 0
    depth = 0
    level_end = 1  # states with id < level_end are at depth <= depth
    complete = True
    stop_reason = ""
    max_states = options.max_states
    successors = product.successors
    is_final = product.is_final
    want_deadlock = options.deadlock

    # memoised predicates over packed states; an invariant is judged as implications
    # (``when -> check``, part by part), its antecedent separately only until seen to hold
    inv, gls, trg = ([(n, memoise(product, f)) for n, f in part] for part in judged_parts(props))
    judging = bool(inv or gls or trg)
    untrusted = {p.name for p in props if reduction is not None and not reduction.trusts(p)}
    sym_preds = [(n, memoise(product, f)) for n, f in gated(props, untrusted)]

    def judge(sid: int, s: State) -> None:
        nonlocal trg, inv, gls
        if trg:
            for name, when in trg:
                if when(s):
                    triggered[name] = True
            trg = [t for t in trg if not triggered[t[0]]]
        for name, holds in inv:
            if not holds(s):
                hits[name] = sid
                inv = [t for t in inv if t[0] not in hits]
        for name, check in gls:
            if check(s):
                hits[name] = sid
                gls = [t for t in gls if t[0] not in hits]

    if judging:
        judge(0, init)
    if sym_preds:
        assert reduction is not None
        _gate(reduction, init, sym_preds)
    i = 0
    while i < len(states):
        if i == level_end:
            depth += 1
            level_end = len(states)
        s = states[i]
        any_succ = False
        for m, nxt in successors(s):
            if isinstance(nxt, Overflow):
                if overflow is None:
                    to = canon(nxt.state) if canon is not None else nxt.state
                    overflow = (i, m, nxt.channel, to)
                continue
            any_succ = True
            transitions += 1
            # every key of ``seen`` is a representative, so a successor found there is one
            j = seen.get(nxt)
            if j is None and canon_size is not None:
                nxt, size = canon_size(nxt)
                j = seen.get(nxt)
                if j is None:
                    concrete += size
            if j is None:
                j = len(states)
                if sym_preds:
                    _gate(reduction, nxt, sym_preds)  # type: ignore[arg-type]
                seen[nxt] = j
                states.append(nxt)
                parent.append(i)
                via.append(m)
                if judging:
                    judge(j, nxt)
            if keep_edges:
                esrc.append(i)
                edst.append(j)
                emove.append(m)
        if not any_succ and want_deadlock and deadlock is None and not is_final(s):
            deadlock = i
        i += 1
        if i & 0x3FFF == 0 and options.progress is not None:
            options.progress(len(states), len(states) - i, time.perf_counter() - start)
        if guard.tripped and i < len(states):
            complete, stop_reason = False, f"memory limit of {options.max_memory_mb} MB"
            break
        if max_states is not None and len(states) >= max_states and i < len(states):
            complete, stop_reason = False, f"state limit of {max_states}"
            break
    return Exploration(
        product=product,
        states=states,
        parent=parent,
        via=via,
        depth=depth,
        transitions=transitions,
        seconds=time.perf_counter() - start,
        complete=complete,
        stop_reason=stop_reason,
        hits=hits,
        triggered=triggered,
        deadlock=deadlock,
        overflow=overflow,
        edges=(esrc, edst, emove) if keep_edges else None,
        peak_memory=_peak_rss(),
        reduction=reduction,
        concrete_states=concrete if reduction is not None else len(states),
    )


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (before[k], v) for k, v in after.items() if before[k] != v}


def trace_to(ex: Exploration, sid: int, extra: list[tuple[int, State]] | None = None) -> Trace:
    """The shortest path from the initial state to state ``sid``, plus optional extra steps."""
    ids: list[int] = []
    while sid != -1:
        ids.append(sid)
        sid = ex.parent[sid]
    ids.reverse()
    hops = [(ex.via[j], ex.states[j]) for j in ids[1:]] + list(extra or [])
    if ex.reduction is not None:
        return path_trace(ex.product, ex.product.initial, _replay(ex.product, ex.reduction, hops))
    return path_trace(ex.product, ex.states[ids[0]], hops)


def _replay(
    product: Product, red: Reduction, hops: list[tuple[int, State]]
) -> list[tuple[int, State]]:
    """Concrete steps from the initial state through the orbits of ``hops``: a reduced path
    joins representatives, which need not be successors of one another."""
    cur = product.initial
    out: list[tuple[int, State]] = []
    for _m, hop in hops:
        rep = red.canon(hop)  # the compiled engine stores another member of the orbit
        for m, nxt in product.successors(cur):
            s = nxt.state if isinstance(nxt, Overflow) else nxt
            if red.canon(s) == rep:
                out.append((m, s))
                cur = s
                break
        else:  # pragma: no cover - the group maps successors onto successors
            raise AssertionError("a reduced path has no concrete counterpart")
    return out


def path_trace(product: Product, first: State, hops: list[tuple[int, State]]) -> Trace:
    """A :class:`Trace` from a start state and ``(move, next state)`` hops."""
    prev = product.describe(first)
    initial = prev
    steps: list[Step] = []
    described = [prev]
    for n, (m, s) in enumerate(hops, start=1):
        cur = product.describe(s)
        move = product.moves[m]
        parts = tuple((product.names[i], ev) for i, ev in move.parts)
        steps.append(Step(n, move.label, parts, _changes(prev, cur)))
        described.append(cur)
        prev = cur
    return Trace(initial=initial, steps=tuple(steps), states=tuple(described))
