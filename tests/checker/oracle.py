"""An independent oracle for the compiled product: python-statemachine's own ``send()``.

``live_graph`` explores a system by driving fresh live instances (checker/live.py) along move
paths, asking the library which moves are enabled and packing what ``send()`` leaves behind;
``product_graph`` explores the compiled product. Equal graphs (same states, same labelled
edges, same overflows) mean the compiler and the product agree with the library on every
reachable state, not only on a random walk.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from vfpath.checker import System
from vfpath.checker.live import LiveSystem
from vfpath.checker.product import Overflow, Product, State

Edge = tuple[State, str, Any]


def _replay(product: Product, path: list[int]) -> LiveSystem:
    live = LiveSystem(product)
    for m in path:
        live.step(m)
    return live


def live_graph(system: System, limit: int = 2000) -> tuple[State, set[State], set[Edge]]:
    """(initial, states, edges) as the library runs them; an overflow edge ends in
    ``("overflow", channel, state)``."""
    product = system.build()
    first = LiveSystem(product).snapshot()
    paths: dict[State, list[int]] = {first: []}
    edges: set[Edge] = set()
    queue = deque([first])
    while queue:
        s = queue.popleft()
        path = paths[s]
        for m in _replay(product, path).enabled():
            live = _replay(product, [*path, m])
            t = live.snapshot()
            label = product.moves[m].label
            if live.overflowed is not None:
                edges.add((s, label, ("overflow", live.overflowed, t)))
                continue
            edges.add((s, label, t))
            if t not in paths:
                assert len(paths) < limit, "the live graph is larger than expected"
                paths[t] = [*path, m]
                queue.append(t)
    return first, set(paths), edges


def product_graph(system: System, limit: int = 2000) -> tuple[State, set[State], set[Edge]]:
    """(initial, states, edges) as the compiled product runs them."""
    product = system.build()
    seen = {product.initial}
    edges: set[Edge] = set()
    queue = deque([product.initial])
    while queue:
        s = queue.popleft()
        for m, t in product.successors(s):
            label = product.moves[m].label
            if isinstance(t, Overflow):
                edges.add((s, label, ("overflow", t.channel, t.state)))
                continue
            edges.add((s, label, t))
            if t not in seen:
                assert len(seen) < limit, "the product graph is larger than expected"
                seen.add(t)
                queue.append(t)
    return product.initial, seen, edges


def assert_agree(system: System) -> tuple[set[State], set[Edge]]:
    """Both graphs, asserted equal; returns the product's states and edges."""
    li, ls, le = live_graph(system)
    pi, ps, pe = product_graph(system)
    assert pi == li, "the initial states differ"
    assert ps == ls, f"states: product only {ps - ls}, live only {ls - ps}"
    assert pe == le, f"edges: product only {pe - le}, live only {le - pe}"
    return ps, pe
