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
same), or when an instance's class is no longer the one the declaration was made for (a variant may
break the symmetry). A property is trusted when it is declared symmetric over every sort the group
moves (``Property.symmetric``); any other property is evaluated on every image of every explored
state, never on a sample, and the first difference switches the reduction off (the explorer starts
again without it); a group too large for that (more than :data:`CHECKED_ORDER` elements) is not
used for such a property at all. The count of concrete states (the sum of the orbit sizes) is
reported, so a test can compare it with an unreduced run.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .values import decode, decode_all

if TYPE_CHECKING:
    from .product import Product, State
    from .properties import Property

__all__ = [
    "CHECKED_ORDER",
    "ENUMERATED_ORDER",
    "AsymmetricProperty",
    "Perm",
    "Reduction",
    "Sort",
    "Symmetry",
    "TooLarge",
    "changed_classes",
    "reduction_for",
]

# the most group elements tried on every state to find a canonical form (beyond the units
# of one sort, which are sorted instead); a larger group switches the reduction off
ENUMERATED_ORDER = 5040


class TooLarge(Exception):
    """The declared group cannot be canonicalised within :data:`ENUMERATED_ORDER` tries."""


# the largest group whose every element is applied to every explored state, to check a property
# not declared symmetric (each element costs one image and one evaluation per state)
CHECKED_ORDER = 120

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

    ``slots`` lists ``"Class.variable"`` and channel names whose values the hook renames (and
    ``"Class.param"`` for a param naming an index, which a mirror check renames);
    ``classes`` maps instance names to the classes the declaration was made for.
    """

    sorts: tuple[Sort, ...]
    remap: Remap
    slots: frozenset[str]
    classes: Mapping[str, type] = field(default_factory=dict)
    # slot -> the sorts whose indices its values name; when given for every slot in ``slots``,
    # the largest unit sort whose own slots name no index of it is canonicalised by sorting
    # its units instead of trying every permutation (see Reduction.canon)
    names: Mapping[str, frozenset[str]] | None = None


class _Ids(dict[Any, int]):
    """Values numbered in the order they are first met: a total order free of hash seeds."""

    def __missing__(self, key: Any) -> int:
        n = self[key] = len(self)
        return n


class Reduction:
    """The group of a :class:`Symmetry` acting on a product's packed states.

    Canonical form: among the images of a state whose units of the *sorted sort* (the largest
    unit sort whose own slots name none of its indices) come in nondecreasing order of their
    contents, the least one. That set of images depends only on the orbit, so its least member
    is an exact representative; it is found by trying every element of the other sorts
    (``|H|`` of them, few) and, for each, sorting the units instead of trying all their
    permutations (units with equal contents are tried in every order: swapping them may still
    rename values elsewhere). Without ``names`` in the declaration every element is tried.
    """

    def __init__(self, product: Product, sym: Symmetry) -> None:
        self.product = product
        self.symmetry = sym
        self.order = math.prod(math.factorial(s.size) for s in sym.sorts)
        self._ids = _Ids()
        self._key = self._ids.__getitem__
        self._all: list[Any] | None = None
        self._names = self._slot_names()
        self._plan()

    # -- group elements --------------------------------------------------------------------
    @property
    def elements(self) -> list[Perm]:
        """Every group element (built on first use: a large group is only enumerated for
        sampling and for declarations that cannot be sorted)."""
        return [g for g, _act in self._everything()]

    def _everything(self) -> list[Any]:
        if self._all is None:
            sorts = self.symmetry.sorts
            perms = [list(itertools.permutations(range(s.size))) for s in sorts]
            self._all = []
            for combo in itertools.product(*perms):
                g = {s.name: q for s, q in zip(sorts, combo, strict=True)}
                self._all.append((g, None if self._is_identity(g) else self._action(g)))
        return self._all

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

    def _action(self, g: Perm, only: frozenset[str] | None = None) -> Any:
        """``(gather, renames, g)``: ``gather(s)`` moves slots, then each ``(slot, name, memo)``
        is renamed; ``only`` keeps the renames of slots naming one of those sorts."""
        names = self.symmetry.names
        renames: list[tuple[int, str, dict[Any, Any]]] = []
        for j in self.renamed_slots():
            name = self._names[j]
            if only is not None and names is not None and not names[name] & only:
                continue
            renames.append((j, name, {}))
        return itemgetter(*self.sources(g)), renames, g

    def sources(self, g: Perm) -> list[int]:
        """For each slot, the slot whose value ``g`` moves into it."""
        src = list(range(self.product.width))
        for sort in self.symmetry.sorts:
            for k, unit in enumerate(sort.units):
                image = sort.units[g[sort.name][k]]
                for a, b in zip(unit, image, strict=True):
                    for x, y in zip(self._span(a), self._span(b), strict=True):
                        src[y] = x
        return src

    def renamed_slots(self) -> list[int]:
        """The slots whose values the declaration's hook renames, in slot order."""
        return [j for j, name in enumerate(self._names) if name in self.symmetry.slots]

    def rename(self, j: int, v: Any, g: Perm) -> Any:
        """The value ``v`` of slot ``j`` renamed by ``g`` (after ``g`` moved it there), as the
        product stores it."""
        return self._remap(self.symmetry.remap, j, self._names[j], v, g)

    def _apply(self, act: Any, s: State) -> State:
        gather, renames, g = act
        if not renames:
            return gather(s)  # type: ignore[no-any-return]
        t = list(gather(s))
        remap = self.symmetry.remap
        for j, name, memo in renames:
            v = t[j]
            try:
                t[j] = memo[v]
            except KeyError:
                t[j] = memo[v] = self._remap(remap, j, name, v, g)
        return tuple(t)

    def _remap(self, remap: Remap, j: int, name: str, v: Any, g: Perm) -> Any:
        """The hook sees values as the actors stored them; its answer is stored as the product
        stores values (values.py)."""
        p = self.product
        if j >= p.channel_base:
            return tuple(p.encode(j, m) for m in remap(name, decode_all(v), g))
        return p.encode(j, remap(name, decode(v), g))  # a state code is kept as it is

    def _span(self, name: str) -> range:
        p = self.product
        if name in p.index:
            i = p.index[name]
            return range(p.offsets[i], p.offsets[i] + 1 + len(p.tables[i].variables))
        c = p.channel_base + p.channel_names.index(name)
        return range(c, c + 1)

    # -- the sorting plan ------------------------------------------------------------------
    def _plan(self) -> None:
        """Choose the sorted sort (or none: every element is tried)."""
        sym = self.symmetry
        self.sorted_sort: Sort | None = None
        names = sym.names
        if names is None or any(n not in names for n in sym.slots):
            if self.order > ENUMERATED_ORDER:
                raise TooLarge(
                    f"the declaration names no sort to sort, and a group of {self.order:,} "
                    "elements is too many to try on every state"
                )
            return
        for cand in sorted(sym.sorts, key=lambda s: -s.size):
            if not cand.units or cand.size < 2:
                continue
            held = {self._names[j] for u in cand.units for a in u for j in self._span(a)}
            if not any(cand.name in names[n] for n in held & sym.slots):
                self.sorted_sort = cand
                break
        sort = self.sorted_sort
        if sort is None:
            if self.order > ENUMERATED_ORDER:
                raise TooLarge(
                    f"no sort can be sorted, and a group of {self.order:,} elements is too "
                    "many to try on every state"
                )
            return
        units = [[j for a in u for j in self._span(a)] for u in sort.units]
        self.sorted_units = units
        self._unit_get = [_getter(u) for u in units]
        inside = {j for u in units for j in u}
        self._rest_get = _getter([j for j in range(self.product.width) if j not in inside])
        others = [s for s in sym.sorts if s is not sort]
        if math.prod(math.factorial(s.size) for s in others) > ENUMERATED_ORDER:
            raise TooLarge(
                f"the sorts other than {sort.name!r} have more than {ENUMERATED_ORDER:,} "
                "permutations to try on every state"
            )
        other_names = frozenset(s.name for s in others)
        ident = tuple(range(sort.size))
        self._h: list[Any] = []
        for combo in itertools.product(*(itertools.permutations(range(s.size)) for s in others)):
            g = {s.name: q for s, q in zip(others, combo, strict=True)}
            g[sort.name] = ident
            self._h.append(None if self._is_identity(g) else self._action(g, other_names))
        self._sigma: dict[tuple[int, ...], Any] = {ident: None}
        self._own = frozenset({sort.name})
        self._ident = {s.name: tuple(range(s.size)) for s in others}

    def _sigma_action(self, image: tuple[int, ...]) -> Any:
        act = self._sigma.get(image, False)
        if act is False:
            assert self.sorted_sort is not None
            g = dict(self._ident)
            g[self.sorted_sort.name] = image
            act = self._sigma[image] = self._action(g, self._own)
        return act

    def _swaps_fix(self, t: State, run: list[int]) -> bool:
        """True when swapping each two neighbours of ``run`` (units with equal contents) maps
        ``t`` onto itself: those swaps generate every permutation of the run, so then every
        one of them fixes ``t`` and all their arrangements give one image."""
        n = len(self.sorted_units)
        for a, b in itertools.pairwise(run):
            swap = list(range(n))
            swap[a], swap[b] = b, a
            act = self._sigma_action(tuple(swap))
            if self._apply(act, t) != t:
                return False
        return True

    def _arrangements(self, keys: list[int], t: State) -> Iterator[tuple[tuple[int, ...], int]]:
        """Each permutation (image of every unit) putting the units in order of ``keys``, with
        how many permutations give the same image of ``t``. Units with equal contents are
        tried in every order only when swapping them changes ``t`` (it may rename values
        elsewhere); when every swap fixes ``t``, one order stands for ``r!``."""
        order = sorted(range(len(keys)), key=keys.__getitem__)
        if len(set(keys)) == len(keys):  # no ties: one arrangement
            image = [0] * len(keys)
            for pos, k in enumerate(order):
                image[k] = pos
            yield tuple(image), 1
            return
        runs: list[list[int]] = []
        for k in order:
            if runs and keys[runs[-1][0]] == keys[k]:
                runs[-1].append(k)
            else:
                runs.append([k])
        weight = 1
        choices: list[list[tuple[int, ...]]] = []
        for r in runs:
            if len(r) > 1 and self._swaps_fix(t, r):
                weight *= math.factorial(len(r))
                choices.append([tuple(r)])
            else:
                choices.append(list(itertools.permutations(r)))
        for combo in itertools.product(*choices):
            image = [0] * len(keys)
            pos = 0
            for run in combo:
                for k in run:
                    image[k] = pos
                    pos += 1
            yield tuple(image), weight

    def _sorted_canon(self, s: State) -> tuple[State, int]:
        """The representative and how many group elements map ``s`` onto it."""
        key = self._key
        best: State = s
        best_key: Any = None
        hits = 0
        for hact in self._h:
            t = s if hact is None else self._apply(hact, s)
            keys = [key(get(t)) for get in self._unit_get]
            head = tuple(sorted(keys))
            if best_key is not None and head > best_key[0]:
                continue
            for image, weight in self._arrangements(keys, t):
                act = self._sigma_action(image)
                u = t if act is None else self._apply(act, t)
                k = (head, key(self._rest_get(u)))
                if best_key is None or k < best_key:
                    best, best_key, hits = u, k, weight
                elif k == best_key:
                    hits += weight
        return best, hits

    # -- public ------------------------------------------------------------------------------
    def images(self, s: State) -> list[State]:
        """``s`` and its image under every other group element."""
        return [s] + [self._apply(act, s) for _g, act in self._everything() if act is not None]

    def canon(self, s: State) -> State:
        """The representative of ``s``'s orbit."""
        return self.canon_size(s)[0]

    def canon_size(self, s: State) -> tuple[State, int]:
        """The representative of ``s``'s orbit and the orbit's size."""
        if self.sorted_sort is not None:
            rep, stab = self._sorted_canon(s)
            return rep, self.order // stab
        key = self._key
        images = self.images(s)
        best = min(images, key=lambda t: tuple(map(key, t)))
        return best, len(set(images))

    def orbit_size(self, s: State) -> int:
        """How many concrete states ``s`` stands for."""
        return self.canon_size(s)[1]

    def image(self, s: State, g: Perm) -> State:
        """The image of ``s`` under the group element ``g``."""
        return s if self._is_identity(g) else self._apply(self._action(g), s)

    def trusts(self, prop: Property) -> bool:
        """True when ``prop`` is declared symmetric over every sort the group moves."""
        moved = {s.name for s in self.symmetry.sorts if s.size > 1}
        return moved <= set(prop.symmetric)

    def asymmetric(self, s: State, preds: list[Callable[[State], Any]]) -> int | None:
        """Index of a predicate whose value differs between ``s`` and one of its images."""
        images = self.images(s)[1:]
        for n, pred in enumerate(preds):
            v = bool(pred(s))
            if any(bool(pred(t)) != v for t in images):
                return n
        return None


def _getter(idx: list[int]) -> Callable[[State], Any]:
    """A tuple of the slots ``idx`` (a tuple even for one or none)."""
    if len(idx) >= 2:
        return itemgetter(*idx)
    if len(idx) == 1:
        j = idx[0]
        return lambda s: (s[j],)
    return lambda s: ()


class AsymmetricProperty(Exception):
    """A property gave different values on two states of one orbit: symmetry is unsound for it."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def changed_classes(product: Product, sym: Symmetry) -> list[str]:
    """Instances whose class is not the one the declaration was made for, sorted."""
    return sorted(
        n
        for n, cls in sym.classes.items()
        if n in product.index and product.tables[product.index[n]].cls is not cls
    )


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
    changed = changed_classes(product, sym)
    if changed:
        return None, (
            f"off: {changed[0]} is not the class the symmetry was declared for (a variant "
            "may break it)"
        )
    if all(s.size <= 1 for s in sym.sorts):
        return None, "off (every sort has one member)"
    try:
        red = Reduction(product, sym)
    except TooLarge as e:
        return None, f"off: {e}"
    unsure = [p.name for p in props if not red.trusts(p)]
    if unsure and red.order > CHECKED_ORDER:
        return None, (
            f"off: property {unsure[0]!r} is not declared symmetric over every sort, and a "
            f"group of {red.order:,} elements is too large to check it on every state"
        )
    return red, "on"
