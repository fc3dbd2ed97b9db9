"""One entry point: explore a system and judge every property, returning a CheckResult."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from .errors import PropertyError, UnknownName
from .explore import Exploration, Options, explore, trace_to, validate
from .limits import MemoryExhausted, MemoryGuard, rss_bytes
from .memo import memoise
from .product import Product
from .properties import Expectation, Property, map_parts
from .result import CheckResult, PropertyResult, Stats, Status
from .symmetry import AsymmetricProperty, reduction_for
from .system import System

__all__ = ["builtin_properties", "check", "judge", "symmetry_summary"]

_DEADLOCK = Property(
    "deadlock-free",
    Expectation.DEADLOCK_FREE,
    lambda s: True,
    description="Every reachable state that is not final has an enabled step.",
)
_BOUNDED = Property(
    "channels-bounded",
    Expectation.BOUNDED,
    lambda s: True,
    description="No step pushes a message onto a full channel: the channel bounds are sound.",
)


def builtin_properties(options: Options) -> list[Property]:
    """The properties every check reports besides the system's own."""
    return ([_DEADLOCK] if options.deadlock else []) + [_BOUNDED]


def check(system: System, options: Options = Options()) -> CheckResult:  # noqa: B008 - frozen
    """Explore ``system`` breadth first and report every property (see :func:`judge`).

    ``options.max_memory_mb`` holds from the first instruction: when compiling the system or
    planning its symmetry reaches it, every property is reported unknown (inconclusive).
    """
    validate(options)
    props = [_named(p) for p in system.properties]
    start = time.perf_counter()
    try:
        with MemoryGuard(options.max_memory_mb, raising=True):
            product = system.build()
            reduction, why = reduction_for(
                product, props, enabled=options.symmetry, graph=options.graph
            )
    except MemoryExhausted as e:
        return _stopped_in_setup(system, props, options, f"{e} (during set-up)", start)
    try:
        ex = explore(product, props, options, reduction)
    except AsymmetricProperty as e:
        why = f"off: property {e.name!r} differs between symmetric states; exploring without"
        ex = explore(product, props, options)
    result = judge(product, ex, props, options, name=system.name)
    result.extra["symmetry"] = symmetry_summary(ex, why)
    result.extra["engine"] = ex.engine
    if ex.fingerprint is not None:
        result.extra["fingerprint"] = ex.fingerprint
    return result


def _named(p: Property) -> Property:
    """``p`` whose predicates name it when they read something the system does not have (a
    misspelled variable or instance): a one-line error, not a traceback from deep inside."""

    def wrap(pred: Callable[[Any], Any], part: str) -> Callable[[Any], Any]:
        def named(s: Any) -> Any:
            try:
                return pred(s)
            except UnknownName as e:
                raise PropertyError(f"property {p.name!r} ({part}): {e}") from None

        return named

    when = None if p.when is None else map_parts(p.when, lambda q: wrap(q, "when"))
    return dataclasses.replace(p, check=map_parts(p.check, lambda q: wrap(q, "check")), when=when)


def _stopped_in_setup(
    system: System, props: list[Property], options: Options, reason: str, start: float
) -> CheckResult:
    """Every property unknown: a limit stopped the run before the first state."""
    out = [
        _result(p, Status.UNKNOWN, note=f"not judged: {reason}")
        for p in builtin_properties(options) + props
    ]
    stats = Stats(0, 0, 0, time.perf_counter() - start, rss_bytes(), False, reason)
    result = CheckResult(system.name, stats, out)
    result.extra["symmetry"] = {"status": f"off ({reason})"}
    return result


def symmetry_summary(ex: Exploration, why: str) -> dict[str, Any]:
    """What the symmetry reduction did: ``{"status", "group", "orbits", "states", "exact",
    "factor"}``.

    ``states`` is the number of concrete states the explored orbits hold (the sum of their
    sizes). It is the unreduced count (``exact``) when the initial state is symmetric (its
    orbit is itself); otherwise the orbits may also hold states that are images of reachable
    ones without being reachable (e.g. a VM starting on the other host), so it is an upper
    bound and ``factor`` an estimate.
    """
    if ex.reduction is None:
        return {"status": why}
    orbits = len(ex.states)
    return {
        "status": why,
        "group": ex.reduction.order,
        "orbits": orbits,
        "states": ex.concrete_states,
        "exact": ex.reduction.orbit_size(ex.product.initial) == 1,
        "factor": ex.concrete_states / orbits if orbits else 1.0,
    }


def _memoised(product: Product, p: Property) -> Property:
    """``p`` with memoised predicates (same verdicts: see :mod:`checker.memo`); liveness
    evaluates them on every explored state."""

    def viewed(pred: Callable[[Any], Any]) -> Callable[[Any], bool]:
        memo = memoise(product, pred)

        def on_view(view: Any) -> bool:
            return memo(view.raw)

        on_view.memo = memo  # type: ignore[attr-defined]  # holds_on_every_state reads it
        return on_view

    when = None if p.when is None else viewed(p.when)
    return dataclasses.replace(p, check=viewed(p.check), when=when)


def _result(p: Property, status: Status, **kw: object) -> PropertyResult:
    return PropertyResult(p.name, p.expectation, status, p.description, p.source, **kw)  # type: ignore[arg-type]


def judge(
    product: Product, ex: Exploration, props: list[Property], options: Options, *, name: str
) -> CheckResult:
    """Turn an exploration into per-property verdicts."""
    out: list[PropertyResult] = []
    complete = ex.complete
    for p in builtin_properties(options):
        if p.expectation is Expectation.DEADLOCK_FREE and ex.deadlock is not None:
            out.append(_result(p, Status.VIOLATED, counterexample=trace_to(ex, ex.deadlock)))
        elif p.expectation is Expectation.BOUNDED and ex.overflow is not None:
            sid, move, channel, to = ex.overflow
            out.append(
                _result(
                    p,
                    Status.VIOLATED,
                    counterexample=trace_to(ex, sid, [(move, to)]),
                    note=f"channel {channel!r} overflows",
                )
            )
        else:
            out.append(_result(p, Status.HOLDS if complete else Status.UNKNOWN))
    liveness = [p for p in props if p.expectation.is_liveness]
    live_results: dict[str, PropertyResult] = {}
    live_seconds = 0.0
    if liveness:
        began = time.perf_counter()
        live_results = _judge_liveness(product, ex, liveness, options.workers)
        live_seconds = time.perf_counter() - began
    for p in props:
        if p.expectation.is_liveness:
            out.append(live_results[p.name])
            continue
        hit = ex.hits.get(p.name)
        if p.expectation is Expectation.ALWAYS:
            if hit is not None:
                out.append(_result(p, Status.VIOLATED, counterexample=trace_to(ex, hit)))
            elif not complete:
                out.append(_result(p, Status.UNKNOWN))
            elif p.when is not None and not ex.triggered.get(p.name, False):
                out.append(_result(p, Status.VACUOUS, note="its antecedent is never reached"))
            else:
                out.append(_result(p, Status.HOLDS))
        elif p.expectation is Expectation.SOMETIMES:
            if hit is not None:
                out.append(_result(p, Status.HOLDS, witness=trace_to(ex, hit)))
            elif not complete:
                out.append(_result(p, Status.UNKNOWN))
            else:
                out.append(_result(p, Status.VIOLATED, note="no reachable state satisfies it"))
    stats = Stats(
        states=len(ex.states),
        transitions=ex.transitions,
        depth=ex.depth,
        seconds=ex.seconds + live_seconds,  # exploration and liveness: the whole verdict
        peak_memory=ex.peak_memory,
        complete=complete,
        stop_reason=ex.stop_reason,
    )
    graph = to_networkx(ex) if options.graph else None
    return CheckResult(name, stats, out, _graph=graph)


def _judge_liveness(
    product: Product, ex: Exploration, liveness: list[Property], workers: int = 1
) -> dict[str, PropertyResult]:
    """Every liveness verdict; a declared mirror takes its original's verdict when that holds
    (or is vacuous) and :func:`~checker.mirror_gate.mirror_gate` finds the symmetry intact."""
    from .liveness import check_liveness
    from .mirror_gate import mirror_gate

    by_name = {p.name: p for p in liveness}

    def original(p: Property) -> Property | None:
        return by_name.get(p.mirror.of) if p.mirror is not None else None

    first = [p for p in liveness if original(p) is None]

    def judged(ps: list[Property]) -> list[PropertyResult]:
        return check_liveness(product, ex, [_memoised(product, p) for p in ps], workers)

    out = {r.name: r for r in judged(first)}
    rest: list[Property] = []
    for p in liveness:
        rep = original(p)
        if rep is None:
            continue
        done = out.get(rep.name)
        agrees = done is not None and done.status in (Status.HOLDS, Status.VACUOUS)
        if done is not None and agrees and mirror_gate(product, rep, p) is None:
            note = f"{done.note}; by symmetry, as {rep.name}".lstrip("; ")
            out[p.name] = _result(p, done.status, note=note)
            continue
        rest.append(p)
    out.update((r.name, r) for r in judged(rest))
    return out


def to_networkx(ex: Exploration):  # type: ignore[no-untyped-def]
    """The reachable product as a DiGraph: node = state id (``state`` attribute: the packed
    tuple), edge attribute ``move`` = the move label; parallel moves keep the first label."""
    import networkx as nx

    g = nx.DiGraph()
    for sid, s in enumerate(ex.states):
        g.add_node(sid, state=s)
    if ex.edges is not None:
        labels = [m.label for m in ex.product.moves]
        src, dst, mv = ex.edges
        for a, b, m in zip(src, dst, mv, strict=True):
            if not g.has_edge(a, b):
                g.add_edge(a, b, move=labels[m])
    return g
