"""Liveness's fair-cycle search over the compiled core's edges, in C (:mod:`checker._fair`).

Why: on the default SR-IOV configuration (1.26 million states, 6.6 million edges) the Python
search of :mod:`checker.liveness` -- the edge rows, the region reachable from the triggers,
Tarjan's SCCs and the Emerson-Lei refinement over sets and dicts -- took longer than the
compiled exploration itself. Here the same steps run in C over the edge arrays the core keeps
(source-ordered ``int32``), and the per-state truths come as bytes, so a property that holds
costs a few passes over flat arrays. Only a violation builds Python sets: the lasso (stem,
entry path, fair cycle) is then made by :mod:`checker.liveness` itself and decoded through the
Python product, exactly as for the Python engine.

The Python search (:func:`checker.liveness._search`) stays the reference;
tests/checker/test_compiled_liveness.py compares the two on the same graphs.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator

from .edge_graph import Graph
from .explore import Exploration
from .fair_cycles import _Fair
from .liveness import Found, _stuck
from .product import Product

try:
    from . import _fair
except ImportError:  # no compiler when the package was installed: the Python search only
    _fair = None  # type: ignore[assignment]

__all__ = ["Constraints", "available", "graph", "search"]


def available() -> bool:
    """True when the compiled graph algorithms were built for this interpreter."""
    return _fair is not None


def graph(n: int, edges: tuple[array, array, array] | None) -> Graph | None:
    """The edge rows of ``n`` states, built in C; None when the compiled module is missing or
    the edges are not ``int32`` arrays in source order (the Python search then runs)."""
    if _fair is None or edges is None:
        return None
    src, dst, mv = edges
    if not all(isinstance(a, array) and a.typecode == "i" for a in edges):
        return None
    try:
        start = _fair.row_starts(n, src)
    except ValueError:
        return None
    return Graph.from_rows(start, dst, mv)


class Constraints:
    """A property's fairness as the C search reads it: one constraint per single fair move
    (bit ``m`` for move ``m``) and one per group (bits from the number of moves on); ``cons``
    holds, for each move, the constraints it belongs to (``kw`` 64-bit words a row)."""

    def __init__(self, fair: _Fair, moves: int) -> None:
        groups = fair.groups
        kw = max(1, (moves + len(groups) + 63) // 64)
        cons = array("Q", bytes(8 * kw * max(moves, 1)))
        weak = array("Q", bytes(8 * kw))
        strong = array("Q", bytes(8 * kw))

        def put(words: array, at: int, bit: int) -> None:
            words[at + bit // 64] |= 1 << (bit % 64)

        for m in range(moves):
            if fair.weak >> m & 1:
                put(weak, 0, m)
                put(cons, m * kw, m)
            elif fair.strong >> m & 1:
                put(strong, 0, m)
                put(cons, m * kw, m)
        for k, (mask, is_strong) in enumerate(groups):
            bit = moves + k
            put(strong if is_strong else weak, 0, bit)
            for m in range(moves):
                if mask >> m & 1:
                    put(cons, m * kw, bit)
        self.kw = kw
        self.cons = cons
        self.weak = weak
        self.strong = strong
        self.fair_move = bytes(fair.any >> m & 1 for m in range(moves))


def fair_components(g: Graph, region: bytes | bytearray, fair: _Fair, moves: int) -> list[set[int]]:
    """:func:`checker.fair_cycles.fair_components` in C: the fair SCCs of ``region`` (one byte
    per state), as sets."""
    comp_of, count = _components(g, region, Constraints(fair, moves))
    return _sets(comp_of, count)


def _components(g: Graph, region: bytes | bytearray, c: Constraints) -> tuple[array, int]:
    return _fair.fair_components(g.start, g.dst, g.move, region, c.cons, c.kw, c.weak, c.strong)


def _sets(comp_of: array, count: int) -> list[set[int]]:
    comps: list[set[int]] = [set() for _ in range(count)]
    if count:
        for s, c in enumerate(comp_of):
            if c >= 0:
                comps[c].add(s)
    return comps


def _ones(mask: bytes | bytearray) -> Iterator[int]:
    """The positions of the 1 bytes of ``mask``, ascending."""
    k = mask.find(1)
    while k >= 0:
        yield k
        k = mask.find(1, k + 1)


def _and(a: bytes | bytearray, b: bytes | bytearray) -> bytes:
    """Byte-wise ``a and b`` of two 0/1 masks of one length."""
    n = len(a)
    return (int.from_bytes(a, "little") & int.from_bytes(b, "little")).to_bytes(n, "little")


def search(
    product: Product,
    ex: Exploration,
    g: Graph,
    not_q: bytearray,
    when: bytearray | None,
    fair: _Fair,
) -> Found:
    """:func:`checker.liveness._search` over the edge arrays (``g`` from :func:`graph`)."""
    if when is not None:
        p_count = when.count(1)
        trig: bytes | bytearray = _and(when, not_q)
    else:
        p_count = len(not_q)
        trig = not_q
    region = _fair.reach(g.start, g.dst, trig, not_q)
    c = Constraints(fair, len(product.moves))
    comp_of, count = _components(g, region, c)
    stuck = set(_fair.stuck(g.start, g.dst, g.move, region, c.fair_move))
    if not ex.complete:  # an edgeless state may only be unexpanded: the product decides
        stuck = {s for s in stuck if _stuck(product, ex, g, s, fair)}

    def can_reach(targets: set[int]) -> Callable[[int], bool]:
        mask = bytearray(len(region))
        for s in targets:
            mask[s] = 1
        able = _fair.can_reach(g.start, g.dst, region, mask)
        return lambda s: able[s] == 1

    return Found(
        p_count,
        trig.count(1),
        lambda: _ones(trig),
        lambda s: region[s] == 1,
        _sets(comp_of, count),
        stuck,
        can_reach,
    )
