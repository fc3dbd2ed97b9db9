"""Fairness on the explored graph: which moves a property treats as fair, the strongly
connected components a cycle can traverse fairly, and one fair cycle through such a component.

The semantics (weak and strong fairness per move or per group, stuttering steps that neither
enable nor take a move, the Emerson-Lei refinement) are described in :mod:`checker.liveness`,
which uses these to judge leads-to and always-eventually properties. The C search
(checker/_fair.pyx) mirrors :func:`fair_components`; this module stays the reference.

References: Emerson and Lei, "Modalities for model checking" (1987); Lamport, "Specifying
Systems", ch. 8 (fairness).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from .edge_graph import Graph, _bfs, strongly_connected
from .product import Product
from .properties import Property

__all__ = ["fair_components"]


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
