"""The explored product graph in compressed rows, and the plain graph searches liveness uses.

Why a module of its own: these know nothing of fairness or properties; they are the graph
algorithms (Tarjan's SCCs, shortest paths, forward and backward reachability) that
:mod:`checker.fair_cycles` and :mod:`checker.liveness` build on, and that the C versions in
checker/_fair.pyx (:mod:`checker.fair_arrays`) mirror. All of them are iterative, so a chain of
a million states is fine.

Reference: Tarjan, "Depth-first search and linear graph algorithms" (1972).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterable

__all__ = ["Graph", "strongly_connected"]


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
