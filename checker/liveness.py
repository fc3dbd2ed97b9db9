"""Liveness under fairness on the explored product graph, with lasso counterexamples.

``P ~> Q`` (leads-to) fails exactly when some fair run reaches a state where ``P and not Q``
and then never meets ``Q``. Such a run stays, from the trigger on, inside the states where ``Q``
is false, so it ends in a strongly connected component (SCC) of that subgraph which it can
traverse fairly, or it stops in a state without successor. ``GF Q`` is ``True ~> Q``.

Fairness, as in TLA+'s ``WF``/``SF`` on each action: every move whose label matches a
:class:`~checker.properties.Fairness` glob is one fairness constraint of its own, unless the
glob is a ``group``: then its moves together are one constraint (fairness of their
disjunction, as ``WF_vars(Next_p)`` of a whole process); a weak group fails on ``C`` when some
move of it is enabled in every state of ``C`` and none is taken, a strong group when one is
enabled somewhere in ``C`` and none is taken. A move is
enabled in a state when the state has an edge labelled with it (a step that only overflows a
channel is not an edge; the ``channels-bounded`` property reports it). An SCC ``C`` can be
traversed by a cycle that visits all of its states and edges, which is the fairest way through it:

* weak fairness on ``m`` fails on ``C`` when ``m`` is enabled in every state of ``C`` and no edge
  of ``C`` takes it; a smaller cycle inside ``C`` cannot fix that, so ``C`` is dropped;
* strong fairness on ``m`` fails on ``C`` when ``m`` is enabled in some state of ``C`` and never
  taken inside it; a cycle avoiding those states may still be fair, so they are removed and the
  SCCs of the rest recomputed (the Emerson-Lei / Streett refinement).

Stuttering is always allowed (TLA+ semantics): a behaviour may stay in a state forever unless a
fair move is enabled there. So a state in which no fair move is enabled -- in particular one
without any successor -- violates the property if ``Q`` is false there. Such a lasso has an
empty cycle: ``loop_start == len(trace)``.

A step that leaves the state unchanged (a self-loop) is a stuttering step: as in TLA+'s
``WF_vars(A)`` and ``SF_vars(A)``, which speak of ``<<A>>_vars`` (an ``A`` step that changes the
state), it neither enables its move nor counts as taking it. It still forms a cycle: a behaviour
may stutter there, unless a fair move is enabled.

References: Tarjan, "Depth-first search and linear graph algorithms" (1972); Emerson and Lei,
"Modalities for model checking" (1987); Lamport, "Specifying Systems", ch. 8 (fairness).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .edge_graph import Graph, _bfs, _can_reach, _reach
from .explore import Exploration, holds_everywhere, path_trace
from .fair_cycles import _Fair, _fair_cycle, _fairness, fair_components
from .product import Overflow, Product, State
from .properties import Expectation, Property
from .result import PropertyResult, Status, Trace

_NOT = bytes([1, 0]) + bytes(254)  # bytes.translate: 0 -> 1, 1 -> 0

__all__ = ["check_liveness"]


def _stuck(product: Product, ex: Exploration, g: Graph, s: int, fair: _Fair) -> bool:
    """True when a fair behaviour may stutter in ``s`` forever: no fair move is enabled there
    (TLA+ semantics: stuttering is always allowed; fairness alone forbids it). A state with no
    successor at all is the special case; one left unexpanded by a limit is not stuck."""
    if g.start[s] != g.start[s + 1]:
        return not (g.enabled(s) & fair.any)
    if ex.complete:
        return True
    return all(isinstance(nxt, Overflow) for _m, nxt in product.successors(ex.states[s]))


@dataclass
class Found:
    """What the search of one property found on the explored graph: the states it may get stuck
    in (``region``: reachable from a trigger without meeting Q), the fair components and the
    stuck states there; enough to build the lasso when one of those is non-empty."""

    p_count: int  # states where the trigger holds
    n_triggers: int  # states where it holds and Q does not
    triggers: Callable[[], Iterable[int]]  # those states, ascending
    inside: Callable[[int], bool]  # membership of the region
    comps: list[set[int]]
    stuck: set[int]
    # the states of the region that can reach the given ones inside it
    can_reach: Callable[[set[int]], Callable[[int], bool]]


# the search: (product, exploration, graph, where Q fails, where the trigger holds, fairness)
Search = Callable[[Product, Exploration, Graph, bytearray, "bytearray | None", _Fair], Found]


def _search(
    product: Product,
    ex: Exploration,
    g: Graph,
    not_q: bytearray,
    when: bytearray | None,
    fair: _Fair,
) -> Found:
    """The fair-cycle search in Python over sets and dicts (the reference)."""
    n = len(not_q)
    if when is not None:
        p_count = 0
        triggers: list[int] = []
        for s in range(n):
            if when[s]:
                p_count += 1
                if not_q[s]:
                    triggers.append(s)
    else:
        p_count = n
        triggers = [s for s in range(n) if not_q[s]]
    region = _reach(g, triggers, not_q)
    comps = fair_components(g, region, fair)
    stuck = {s for s in region if _stuck(product, ex, g, s, fair)}

    def can_reach(targets: set[int]) -> Callable[[int], bool]:
        return _can_reach(g, region, targets).__contains__

    return Found(
        p_count, len(triggers), lambda: triggers, region.__contains__, comps, stuck, can_reach
    )


def _lasso(product: Product, ex: Exploration, g: Graph, found: Found, fair: _Fair) -> Trace:
    """Shortest stem to a trigger that can reach a fair component, a path in, a fair cycle."""
    comps, stuck = found.comps, found.stuck
    targets = set(stuck).union(*comps)
    able = found.can_reach(targets)
    trigger = next(s for s in found.triggers() if able(s))  # ids follow BFS: shortest stem
    ids: list[int] = []
    sid = trigger
    while sid != -1:
        ids.append(sid)
        sid = ex.parent[sid]
    ids.reverse()
    states = ex.states
    hops: list[tuple[int, State]] = [(ex.via[j], states[j]) for j in ids[1:]]
    path = _bfs(g, found.inside, trigger, targets.__contains__)
    assert path is not None
    entry = g.dst[path[-1]] if path else trigger
    cycle: list[int] = []
    if entry not in stuck:
        comp = next(c for c in comps if entry in c)
        cycle = _fair_cycle(g, comp, entry, fair)
    edges = path + cycle
    hops.extend((g.move[k], states[g.dst[k]]) for k in edges)
    trace = path_trace(product, states[0], hops)
    loop_start = len(ids) - 1 + len(path)
    return Trace(trace.initial, trace.steps, trace.states, loop_start)


def _one(
    product: Product,
    ex: Exploration,
    g: Graph,
    prop: Property,
    search: Search,
    truths: tuple[bytearray, bytearray | None],
) -> PropertyResult:
    """One property's verdict; ``truths``: where its Q holds, and where its trigger does."""

    def result(status: Status, note: str, trace: Trace | None = None) -> PropertyResult:
        return PropertyResult(
            prop.name,
            prop.expectation,
            status,
            prop.description,
            prop.source,
            counterexample=trace,
            note=note,
        )

    n = len(ex.states)
    q, when = truths
    not_q = q.translate(_NOT)
    fair = _fairness(product, prop)
    found = search(product, ex, g, not_q, when, fair)
    p_count = found.p_count
    if when is not None:
        about = f"trigger holds in {p_count:,} of {n:,} states"
    else:
        about = f"holds in {n - found.n_triggers:,} of {n:,} states"
    incomplete = "" if ex.complete else f"; exploration incomplete ({ex.stop_reason})"
    if found.comps or found.stuck:
        trace = _lasso(product, ex, g, found, fair)
        cycle = len(trace) - (trace.loop_start or 0)
        how = f"a fair cycle of {cycle} steps" if cycle else "a state it may stutter in forever"
        note = f"{about}; ends in {how} where it never holds{incomplete}"
        return result(Status.VIOLATED, note, trace)
    if not ex.complete:
        return result(Status.UNKNOWN, about + incomplete)
    if p_count == 0:
        return result(Status.VACUOUS, "its trigger is never reached")
    return result(Status.HOLDS, about)


def check_liveness(
    product: Product, ex: Exploration, props: list[Property], workers: int = 1
) -> list[PropertyResult]:
    """Judge leads-to and always-eventually properties on the explored graph, under fairness.

    Returns one result per property, in order: VIOLATED with a lasso counterexample
    (``loop_start`` marks the cycle), VACUOUS when a leads-to's trigger is never reached,
    UNKNOWN when the exploration stopped at a limit and no real violation was found, else HOLDS.
    A violation found on an incomplete exploration is real: its cycle uses only fully expanded
    states, whose enabled moves are all known. With ``workers > 1`` and the C search, the
    properties are searched side by side on that many threads (the C search lets go of the GIL
    while it looks for fair components); the results are the same, in the same order.
    """
    if ex.edges is None:
        return [
            PropertyResult(
                p.name,
                p.expectation,
                Status.UNKNOWN,
                p.description,
                p.source,
                note="the exploration kept no edges",
            )
            for p in props
        ]
    if not props:
        return []
    g: Graph | None = None
    search: Search = _search
    from . import fair_arrays

    # the compiled core's edges, on any number of workers: the search runs in C too
    g = fair_arrays.graph(len(ex.states), ex.edges)
    if g is not None:
        search = fair_arrays.search
    if g is None:
        g = Graph(len(ex.states), ex.edges)
    # every property's truths in one pass (the compiled core unpacks each state once)
    whens = [p.when if p.expectation is Expectation.LEADS_TO else None for p in props]
    truths = iter(holds_everywhere(ex, [p.check for p in props] + [w for w in whens if w]))
    qs = [next(truths) for _p in props]
    jobs = [(p, (q, next(truths) if w else None)) for p, q, w in zip(props, qs, whens, strict=True)]
    if workers > 1 and len(jobs) > 1 and search is fair_arrays.search:
        with ThreadPoolExecutor(min(workers, len(jobs))) as pool:
            return list(pool.map(lambda job: _one(product, ex, g, job[0], search, job[1]), jobs))
    return [_one(product, ex, g, p, search, t) for p, t in jobs]
