"""Symmetry reduction: explore one canonical representative per orbit of interchangeable units.

A system declares its symmetry in ``system.meta["symmetry"]`` as a :class:`Symmetry`: sorts of
interchangeable *units* (a unit is a tuple of instance and channel names that move together,
such as one VM's actors and channels) and *data* sorts (indices with no instance of their own,
such as the VFs of a host), plus a hook that renames the indices stored inside variables and
messages. A group element permutes every sort at once; it moves each unit's slots to its image
unit's and renames the stored values. If every element maps the transition relation onto itself
and every property checked is invariant under it, the quotient graph has the same safety
verdicts (Emerson and Sistla, "Symmetry and model checking", 1996; Ip and Dill, "Better
verification through symmetry", 1996). The representative of a state is the least of its images
under a total order that does not depend on hashing (values are numbered in the order they are
first met), so runs are reproducible.

Soundness gates, next to the reduction (:func:`reduction_for`): symmetry is refused, with the
reason, when a liveness property is checked (per-instance fairness is not invariant; TLC warns the
same), when an instance's class is no longer the one the declaration was made for (a variant may
break the symmetry), or when a property is not declared symmetric. The count of concrete states
(the sum of the orbit sizes) is reported, so a test can compare it with an unreduced run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .product import Product, State
    from .properties import Property

__all__ = ["AsymmetricProperty", "Perm", "Reduction", "Sort", "Symmetry", "reduction_for"]

Perm = Mapping[str, tuple[int, ...]]  # sort name -> image of each index
Remap = Callable[[str, Any, Perm], Any]  # (slot, value, perm) -> renamed value


@dataclass(frozen=True)
class Sort:
    """Interchangeable indices ``0..size-1``; ``units[k]`` names index ``k``'s instances and
    channels (empty for a data sort such as VF numbers)."""

    name: str
    size: int
    units: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Symmetry:
    """A declared symmetry: sorts, the slots whose values name indices, and the renaming hook.

    ``slots`` lists ``"Class.variable"`` and channel names whose values the hook renames;
    ``classes`` maps instance names to the classes the declaration was made for.
    """

    sorts: tuple[Sort, ...]
    remap: Remap
    slots: frozenset[str]
    classes: Mapping[str, type] = field(default_factory=dict)


class _Ids(dict[Any, int]):
    """Values numbered in the order they are first met: a total order free of hash seeds."""

    def __missing__(self, key: Any) -> int:
        n = self[key] = len(self)
        return n


class Reduction:
    """The group of a :class:`Symmetry` acting on a product's packed states."""

    def __init__(self, product: Product, sym: Symmetry) -> None:
        self.product = product
        self.symmetry = sym
        perms = [list(itertools.permutations(range(s.size))) for s in sym.sorts]
        self.elements: list[Perm] = [
            {s.name: p for s, p in zip(sym.sorts, combo, strict=True)}
            for combo in itertools.product(*perms)
        ]
        self._ids = _Ids()
        self._others = [g for g in self.elements if not self._is_identity(g)]
        self._actions = [self._action(g) for g in self._others]
        self._key = self._ids.__getitem__

    @staticmethod
    def _is_identity(g: Perm) -> bool:
        return all(p == tuple(range(len(p))) for p in g.values())

    def _slot_names(self) -> list[str]:
        p = self.product
        names = [""] * p.width
        for i, inst in enumerate(p.names):
            o = p.offsets[i]
            names[o] = f"{inst}"
            for v, k in p.varidx[i].items():
                names[o + k] = f"{p.tables[i].cls.__name__}.{v}"
        for c, ch in enumerate(p.channel_names):
            names[p.channel_base + c] = ch
        return names

    def _action(self, g: Perm) -> tuple[Callable[[State], tuple[Any, ...]], list[Any]]:
        """``(gather, renames)``: ``gather(s)`` moves slots, then each ``(slot, table)`` renames."""
        p = self.product
        src = list(range(p.width))
        for sort in self.symmetry.sorts:
            for k, unit in enumerate(sort.units):
                image = sort.units[g[sort.name][k]]
                for a, b in zip(unit, image, strict=True):
                    for x, y in zip(self._span(a), self._span(b), strict=True):
                        src[y] = x
        names = self._slot_names()
        renames: list[tuple[int, str, dict[Any, Any]]] = []
        for j, name in enumerate(names):
            if name in self.symmetry.slots:
                renames.append((j, name, {}))
        return itemgetter(*src), renames

    def _span(self, name: str) -> range:
        p = self.product
        if name in p.index:
            i = p.index[name]
            return range(p.offsets[i], p.offsets[i] + 1 + len(p.tables[i].variables))
        c = p.channel_base + p.channel_names.index(name)
        return range(c, c + 1)

    def images(self, s: State) -> list[State]:
        """``s`` and its image under every other group element."""
        out = [s]
        remap = self.symmetry.remap
        for (gather, renames), g in zip(self._actions, self._others, strict=True):
            t = list(gather(s))
            for j, name, memo in renames:
                v = t[j]
                try:
                    t[j] = memo[v]
                except KeyError:
                    t[j] = memo[v] = remap(name, v, g)
            out.append(tuple(t))
        return out

    def canon(self, s: State) -> State:
        """The representative of ``s``'s orbit."""
        key = self._key
        best = s
        best_key = tuple(map(key, s))
        for t in self.images(s)[1:]:
            k = tuple(map(key, t))
            if k < best_key:
                best, best_key = t, k
        return best

    def orbit_size(self, s: State) -> int:
        """How many concrete states ``s`` stands for."""
        return len(set(self.images(s)))

    def asymmetric(self, s: State, preds: list[Callable[[State], Any]]) -> int | None:
        """Index of a predicate whose value differs between ``s`` and one of its images."""
        images = self.images(s)[1:]
        for n, pred in enumerate(preds):
            v = bool(pred(s))
            if any(bool(pred(t)) != v for t in images):
                return n
        return None


class AsymmetricProperty(Exception):
    """A property gave different values on two states of one orbit: symmetry is unsound for it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def reduction_for(
    product: Product, props: list[Property], *, enabled: bool = True, graph: bool = False
) -> tuple[Reduction | None, str]:
    """The reduction to use for ``props`` (or None) and a one-line reason for the choice."""
    sym = product.system.meta.get("symmetry")
    if not enabled:
        return None, "off (--no-symmetry)"
    if not isinstance(sym, Symmetry):
        return None, "off (the system declares no symmetry)"
    if graph:
        return None, "off (the full product graph was asked for)"
    live = [p.name for p in props if p.expectation.is_liveness]
    if live:
        return None, (
            f"off: liveness ({live[0]}{', ...' if len(live) > 1 else ''}) under per-instance "
            "fairness is not symmetric; exploring without symmetry"
        )
    changed = sorted(
        n
        for n, cls in sym.classes.items()
        if n in product.index and product.tables[product.index[n]].cls is not cls
    )
    if changed:
        return None, (
            f"off: {changed[0]} is not the class the symmetry was declared for (a variant "
            "may break it)"
        )
    if all(s.size <= 1 for s in sym.sorts):
        return None, "off (every sort has one member)"
    return Reduction(product, sym), "on"
