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

from array import array
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from .explore import Exploration, holds_everywhere, path_trace
from .product import Overflow, Product, State
from .properties import Expectation, Property
from .result import PropertyResult, Status, Trace

_NOT = bytes([1, 0]) + bytes(254)  # bytes.translate: 0 -> 1, 1 -> 0

__all__ = ["Graph", "check_liveness", "fair_components", "mirror_gate", "strongly_connected"]


class Graph:
    """The explored edges in compressed rows: ``out(s)`` is ``range(start[s], start[s + 1])``.

    ``dst[k]`` and ``move[k]`` describe edge ``k``. Built once per check, shared by properties.
    """

    def __init__(self, n: int, edges: tuple[array, array, array]) -> None:
        src, dst, mv = edges
        if any(src[k] > src[k + 1] for k in range(len(src) - 1)):
            # explore appends edges in source order; sort only if that ever changes
            order = sorted(range(len(src)), key=src.__getitem__)
            src = array("l", (src[k] for k in order))
            dst = array("l", (dst[k] for k in order))
            mv = array("l", (mv[k] for k in order))
        start = array("l", bytes(8 * (n + 1)))
        for s in src:
            start[s + 1] += 1
        for s in range(n):
            start[s + 1] += start[s]
        self._rows(start, dst, mv)

    @classmethod
    def from_rows(cls, start: array, dst: array, move: array) -> Graph:
        """The graph whose edge rows are already built (``start`` has ``n + 1`` offsets)."""
        g = cls.__new__(cls)
        g._rows(start, dst, move)
        return g

    def _rows(self, start: array, dst: array, move: array) -> None:
        self.n = len(start) - 1
        self.start = start
        self.dst = dst
        self.move = move
        self._enabled: list[int | None] = [None] * self.n

    def out(self, s: int) -> range:
        return range(self.start[s], self.start[s + 1])

    def enabled(self, s: int) -> int:
        """The moves enabled in ``s`` as a bit mask (bit ``m`` for move ``m``); a move whose
        step from ``s`` is a self-loop is not (it cannot change the state: ``<<A>>_vars``)."""
        mask = self._enabled[s]
        if mask is None:
            mask = 0
            mv, dst = self.move, self.dst
            for k in self.out(s):
                if dst[k] != s:
                    mask |= 1 << mv[k]
            self._enabled[s] = mask
        return mask


def strongly_connected(
    g: Graph, nodes: Iterable[int], inside: Callable[[int], bool]
) -> list[list[int]]:
    """Tarjan's SCCs of the subgraph of ``g`` on the nodes where ``inside`` holds.

    Iterative (an explicit stack of edge cursors), so a chain of a million states is fine.
    Every SCC is returned, trivial ones included.
    """
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    start, dst = g.start, g.dst
    counter = 0
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work = [(root, start[root])]
        while work:
            v, k = work[-1]
            end = start[v + 1]
            while k < end:
                w = dst[k]
                k += 1
                if not inside(w):
                    continue
                if w not in index:
                    work[-1] = (v, k)
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, start[w]))
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out


@dataclass(frozen=True)
class _Fair:
    weak: int  # bit mask of weakly fair moves
    strong: int  # bit mask of strongly fair moves (strong wins when both match)
    groups: tuple[tuple[int, bool], ...] = ()  # (moves, strong): each set one constraint

    @property
    def any(self) -> int:
        mask = self.weak | self.strong
        for moves, _strong in self.groups:
            mask |= moves
        return mask


def _fairness(product: Product, prop: Property) -> _Fair:
    """Moves matched by the property's fairness globs (``*`` and ``?`` only: brackets are
    literal, since instance names such as ``netvsc[0]`` use them)."""
    weak = strong = 0
    groups: list[tuple[int, bool]] = []
    for f in prop.fairness:
        mask = 0
        for m, move in enumerate(product.moves):
            if fnmatchcase(move.label, f.pattern.replace("[", "[[]")):
                mask |= 1 << m
        if f.group:
            if mask:
                groups.append((mask, f.strong))
        elif f.strong:
            strong |= mask
        else:
            weak |= mask
    return _Fair(weak & ~strong, strong, tuple(groups))


def _taken(g: Graph, comp: set[int]) -> int:
    """Moves taken by some edge inside ``comp`` that changes the state, as a bit mask."""
    mask = 0
    dst, mv = g.dst, g.move
    for s in comp:
        for k in g.out(s):
            if dst[k] in comp and dst[k] != s:
                mask |= 1 << mv[k]
    return mask


def _is_cycle(g: Graph, comp: list[int]) -> bool:
    if len(comp) > 1:
        return True
    s = comp[0]
    return any(g.dst[k] == s for k in g.out(s))


def fair_components(g: Graph, region: set[int], fair: _Fair) -> list[set[int]]:
    """SCCs of ``region`` that a cycle can traverse fairly (see the module docstring)."""
    found: list[set[int]] = []
    todo = [
        c for c in strongly_connected(g, sorted(region), region.__contains__) if _is_cycle(g, c)
    ]
    while todo:
        comp = set(todo.pop())
        taken = _taken(g, comp)
        somewhere, everywhere = 0, -1
        for s in comp:
            e = g.enabled(s)
            somewhere |= e
            everywhere &= e
        if fair.weak & everywhere & ~taken:
            continue  # a weakly fair move is always enabled and never taken: no fair cycle here
        if any(
            not strong and not moves & taken and all(g.enabled(s) & moves for s in comp)
            for moves, strong in fair.groups
        ):
            continue  # a weakly fair group is always enabled and none of it taken
        starved = fair.strong & somewhere & ~taken
        starved_groups = [
            moves
            for moves, strong in fair.groups
            if strong and moves & somewhere and not moves & taken
        ]
        if starved or starved_groups:
            rest = {
                s
                for s in comp
                if not g.enabled(s) & starved
                and not any(g.enabled(s) & moves for moves in starved_groups)
            }
            todo.extend(
                c for c in strongly_connected(g, sorted(rest), rest.__contains__) if _is_cycle(g, c)
            )
            continue
        found.append(comp)
    return found


def _bfs(
    g: Graph,
    inside: Callable[[int], bool],
    src: int,
    goal: Callable[[int], bool],
    *,
    min_one: bool = False,
) -> list[int] | None:
    """Edge indices of a shortest path from ``src`` to a node satisfying ``goal``, inside.

    ``min_one`` demands at least one step (to close a cycle back to ``src``).
    """
    if not min_one and goal(src):
        return []
    back: dict[int, tuple[int, int]] = {}  # node -> (previous node, edge index)
    seen = {src} if not min_one else set()
    frontier = deque([src])
    dst = g.dst
    while frontier:
        v = frontier.popleft()
        for k in g.out(v):
            w = dst[k]
            if w in seen or not inside(w):
                continue
            seen.add(w)
            back[w] = (v, k)
            if goal(w):
                path = []
                while True:
                    u, e = back[w]
                    path.append(e)
                    if u == src:
                        break
                    w = u
                path.reverse()
                return path
            frontier.append(w)
    return None


def _fair_cycle(g: Graph, comp: set[int], entry: int, fair: _Fair) -> list[int]:
    """Edge indices of a cycle from ``entry`` back to it, inside ``comp``, that is itself fair.

    For each fair move enabled somewhere in ``comp`` the cycle either takes it (when some edge
    of ``comp`` does) or visits a state where it is disabled (a weakly fair move that ``comp``
    never takes; :func:`fair_components` guaranteed such a state exists). Greedy: go to the
    nearest state that settles a pending obligation, repeat, then return to ``entry``.
    """
    somewhere = 0
    for s in comp:
        somewhere |= g.enabled(s)
    taken = _taken(g, comp)
    single = fair.weak | fair.strong
    need_edge = single & somewhere & taken
    need_off = single & somewhere & ~taken
    # a group is settled by an edge taking any of its moves, or else by a state where none
    # of its moves is enabled (fair_components guaranteed one exists)
    group_edge = [moves for moves, _ in fair.groups if moves & somewhere and moves & taken]
    group_off = [moves for moves, _ in fair.groups if moves & somewhere and not moves & taken]
    dst, mv = g.dst, g.move
    inside = comp.__contains__

    def settle(v: int) -> None:
        nonlocal need_off, group_off
        need_off &= g.enabled(v)
        group_off = [moves for moves in group_off if g.enabled(v) & moves]

    def take(k: int) -> None:
        nonlocal need_edge, group_edge
        need_edge &= ~(1 << mv[k])
        group_edge = [moves for moves in group_edge if not moves >> mv[k] & 1]

    def wanted(k: int, v: int) -> bool:
        if dst[k] not in comp or dst[k] == v:
            return False
        return bool(need_edge >> mv[k] & 1) or any(moves >> mv[k] & 1 for moves in group_edge)

    def useful(v: int) -> bool:
        if need_off & ~g.enabled(v) or any(not g.enabled(v) & m for m in group_off):
            return True
        return any(wanted(k, v) for k in g.out(v))

    cycle: list[int] = []
    cur = entry
    settle(cur)
    while need_edge or need_off or group_edge or group_off:
        path = _bfs(g, inside, cur, useful)
        assert path is not None, "a fair component must settle every obligation"
        for k in path:
            take(k)
            settle(dst[k])
        cycle.extend(path)
        cur = dst[path[-1]] if path else cur
        if need_edge or group_edge:
            for k in g.out(cur):
                if wanted(k, cur):
                    cycle.append(k)
                    take(k)
                    cur = dst[k]
                    settle(cur)
                    break
    if cur != entry or not cycle:
        back = _bfs(g, inside, cur, entry.__eq__, min_one=not cycle)
        assert back is not None, "a component is strongly connected"
        cycle.extend(back)
    return cycle


def _reach(g: Graph, sources: list[int], allowed: bytearray) -> set[int]:
    """States reachable from ``sources`` through states where ``allowed`` is set."""
    seen = set(sources)
    frontier = deque(sources)
    dst = g.dst
    while frontier:
        v = frontier.popleft()
        for k in g.out(v):
            w = dst[k]
            if allowed[w] and w not in seen:
                seen.add(w)
                frontier.append(w)
    return seen


def _can_reach(g: Graph, region: set[int], targets: set[int]) -> set[int]:
    """States of ``region`` from which some target is reachable inside ``region``."""
    rev: dict[int, list[int]] = {}
    dst = g.dst
    for s in region:
        for k in g.out(s):
            w = dst[k]
            if w in region:
                rev.setdefault(w, []).append(s)
    seen = set(targets)
    frontier = deque(targets)
    while frontier:
        v = frontier.popleft()
        for u in rev.get(v, ()):
            if u not in seen:
                seen.add(u)
                frontier.append(u)
    return seen


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


def mirror_gate(product: Product, rep: Property, prop: Property) -> str | None:
    """Why ``prop`` may not take ``rep``'s verdict by symmetry (None: it may).

    ``prop.mirror`` declares ``prop`` the image of ``rep`` under a group element ``g`` of the
    system's declared symmetry. The verdicts agree when ``g`` is an automorphism of the
    explored graph that maps ``rep``'s fairness onto ``prop``'s [Emerson and Sistla 1996]:
    the declaration holds for the classes it was made for, and here every instance keeps its
    declared class, ``g`` maps instances onto instances of the same class with equal params
    (up to the declared renaming) and fixes the initial state, and the fair moves of ``rep``,
    renamed, are exactly those of ``prop``. These are the facts the reduction relies on, plus
    the initial state, which liveness on the unreduced graph needs.
    """
    from .symmetry import Reduction, Symmetry, TooLarge, changed_classes

    m = prop.mirror
    sym = product.system.meta.get("symmetry")
    if m is None or not isinstance(sym, Symmetry):
        return "the system declares no symmetry"
    changed = changed_classes(product, sym)
    if changed:
        return f"{changed[0]} is not the class the symmetry was declared for"
    sizes = {srt.name: srt.size for srt in sym.sorts}
    g = {name: tuple(range(n)) for name, n in sizes.items()}
    for name, image in m.perm:
        if name not in sizes or sorted(image) != list(range(sizes[name])):
            return f"{name}={image} is not a permutation of a declared sort"
        g[name] = tuple(image)
    rename: dict[str, str] = {}
    for srt in sym.sorts:
        for k, unit in enumerate(srt.units):
            rename.update(zip(unit, srt.units[g[srt.name][k]], strict=True))
    for a, b in rename.items():
        if a not in product.index:
            continue  # a channel
        sa, sb = product.specs[product.index[a]], product.specs[product.index[b]]
        if sa.cls is not sb.cls:
            return f"{a} and {b} are of different classes"
        for key, value in sa.params.items():
            slot = f"{sa.cls.__name__}.{key}"
            want = sym.remap(slot, value, g) if slot in sym.slots else value
            if sb.params.get(key) != want:
                return f"{b}'s param {key!r} is not {a}'s renamed"
    try:
        red = Reduction(product, sym)
    except TooLarge as e:
        return str(e)
    if red.image(product.initial, g) != product.initial:
        return "the renaming does not fix the initial state"
    index = {n: i for i, n in enumerate(product.names)}
    names = product.names

    def parts(mask: int, moved: bool) -> set[tuple[tuple[int, str], ...]]:
        out = set()
        for mv, move in enumerate(product.moves):
            if mask >> mv & 1:
                out.add(
                    tuple((index[rename.get(names[i], names[i])], ev) for i, ev in move.parts)
                    if moved
                    else move.parts
                )
        return out

    fa, fb = _fairness(product, rep), _fairness(product, prop)
    groups_a = {(frozenset(parts(m, True)), st) for m, st in fa.groups}
    groups_b = {(frozenset(parts(m, False)), st) for m, st in fb.groups}
    if (
        parts(fa.weak, True) != parts(fb.weak, False)
        or parts(fa.strong, True) != parts(fb.strong, False)
        or groups_a != groups_b
    ):
        return "the renaming does not map the fairness assumptions onto each other"
    return None


def check_liveness(
    product: Product, ex: Exploration, props: list[Property]
) -> list[PropertyResult]:
    """Judge leads-to and always-eventually properties on the explored graph, under fairness.

    Returns one result per property, in order: VIOLATED with a lasso counterexample
    (``loop_start`` marks the cycle), VACUOUS when a leads-to's trigger is never reached,
    UNKNOWN when the exploration stopped at a limit and no real violation was found, else HOLDS.
    A violation found on an incomplete exploration is real: its cycle uses only fully expanded
    states, whose enabled moves are all known.
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
    if ex.engine == "compiled":  # the compiled core's edges: the search runs in C too
        from . import fair_arrays

        g = fair_arrays.graph(len(ex.states), ex.edges)
        if g is not None:
            search = fair_arrays.search
    if g is None:
        g = Graph(len(ex.states), ex.edges)
    # every property's truths in one pass (the compiled core unpacks each state once)
    whens = [p.when if p.expectation is Expectation.LEADS_TO else None for p in props]
    truths = iter(holds_everywhere(ex, [p.check for p in props] + [w for w in whens if w]))
    qs = [next(truths) for _p in props]
    return [
        _one(product, ex, g, p, search, (q, next(truths) if w else None))
        for p, q, w in zip(props, qs, whens, strict=True)
    ]
