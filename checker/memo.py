"""Memoised state predicates: each property runs once per distinct situation it reads.

A property predicate reads a few slots of a packed state through a view. Evaluated through a
*tracking* view, the slots it read, in order, and their values determine its result: a
deterministic predicate that reads the same values takes the same path. The results are kept in
a decision trie keyed on those reads (the idea :meth:`checker.product.Product.local` uses for
guards), so a predicate that reads five slots costs five dictionary look-ups on a state whose
situation it has seen before, instead of building views and running Python.

Soundness gate: a predicate that escapes tracking (reads ``view.raw``) or whose second run on
the same reads takes a different path (it is not a function of the state) is evaluated plainly
from then on; memoisation never changes a verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .values import decode, decode_all
from .view import channel_slot, unknown_instance, unknown_variable

if TYPE_CHECKING:
    from .product import Product

__all__ = ["StatePredicate", "memoise"]

StatePredicate = Callable[[tuple[Any, ...]], bool]
# a trie node: (slot index, {value read -> node}); a leaf is the predicate's boolean result
_MISS = object()


class _Opaque(Exception):
    """The predicate read the state in a way the trie cannot key on."""


class _TrackedInstance:
    """One instance, every read recorded (the tracking twin of :class:`view.InstanceView`)."""

    __slots__ = ("_inst", "_names", "_offset", "_reads", "_s", "_states")

    def __init__(
        self,
        s: tuple[Any, ...],
        reads: list[tuple[int, Any]],
        offset: int,
        names: dict[str, int],
        states: tuple[str, ...],
        inst: str,
    ) -> None:
        self._inst = inst
        self._s = s
        self._reads = reads
        self._offset = offset
        self._names = names
        self._states = states

    @property
    def state(self) -> str:
        v = self._s[self._offset]
        self._reads.append((self._offset, v))
        return self._states[v]

    def __getattr__(self, name: str) -> Any:
        try:
            k = self._offset + self._names[name]
        except KeyError:
            raise unknown_variable(self._inst, name, self._names) from None
        v = self._s[k]
        self._reads.append((k, v))
        return decode(v)

    def __repr__(self) -> str:
        for k in range(len(self._names) + 1):
            self._reads.append((self._offset + k, self._s[self._offset + k]))
        vals = ", ".join(
            f"{n}={decode(self._s[self._offset + k])!r}" for n, k in self._names.items()
        )
        return f"<{self._states[self._s[self._offset]]} {vals}>"


class _TrackingView:
    """A state view that records every slot read (same interface as :class:`view.StateView`)."""

    __slots__ = ("_p", "_reads", "_s")

    def __init__(self, product: Product, s: tuple[Any, ...], reads: list[tuple[int, Any]]):
        self._p = product
        self._s = s
        self._reads = reads

    @property
    def raw(self) -> tuple[Any, ...]:
        raise _Opaque

    def __getitem__(self, inst: str) -> _TrackedInstance:
        p = self._p
        try:
            i = p.index[inst]
        except KeyError:
            raise unknown_instance(p, inst) from None
        return _TrackedInstance(
            self._s, self._reads, p.offsets[i], p.varidx[i], p.tables[i].states, inst
        )

    def __contains__(self, inst: str) -> bool:
        return inst in self._p.index

    def channel(self, name: str) -> tuple[Any, ...]:
        k = channel_slot(self._p, name)
        v = self._s[k]
        self._reads.append((k, v))
        return decode_all(v)

    def instances(self) -> list[str]:
        return list(self._p.names)


class _Memo:
    """One predicate with its decision trie; call it on a packed state.

    In front of the trie, a flat cache keyed on the projection of the state onto every slot
    any path of the trie reads: two states equal there take the same path, so one hashed
    look-up replaces a walk of several levels. The cache is emptied when a new path reads a
    slot outside the projection (it grows; a predicate reads a bounded set of slots).
    """

    __slots__ = ("_cache", "_fallback", "_p", "_pred", "_project", "_slots", "root")

    def __init__(self, product: Product, pred: Callable[[Any], Any]) -> None:
        self._p = product
        self._pred = pred
        self._fallback = False
        self.root: Any = _MISS
        self._slots: list[int] = []
        self._cache: dict[Any, Any] = {}
        self._project: Callable[[tuple[Any, ...]], Any] = lambda s: ()

    def __call__(self, s: tuple[Any, ...]) -> bool:
        key = self._project(s)
        v = self._cache.get(key, _MISS)
        if v is not _MISS:
            return v  # type: ignore[no-any-return]
        node = self.root
        while node.__class__ is tuple:
            node = node[1].get(s[node[0]], _MISS)
        if node is _MISS:
            node = self._miss(s)
            if self._fallback:
                self._cache = {}
                return node  # type: ignore[no-any-return]
            key = self._project(s)
        self._cache[key] = node
        return node  # type: ignore[no-any-return]

    def _widen(self, reads: list[tuple[int, Any]]) -> None:
        new = sorted({k for k, _v in reads} - set(self._slots))
        if not new:
            return
        self._slots = sorted(self._slots + new)
        self._cache = {}
        slots = self._slots
        if len(slots) == 1:
            j = slots[0]
            self._project = lambda s: s[j]
        else:
            self._project = itemgetter(*slots)

    def _miss(self, s: tuple[Any, ...]) -> bool:
        from .view import StateView

        if self._fallback:
            return self._norm(self._pred(StateView(self._p, s)))
        reads: list[tuple[int, Any]] = []
        try:
            result = self._norm(self._pred(_TrackingView(self._p, s, reads)))
        except _Opaque:
            self._fallback = True
            return self._norm(self._pred(StateView(self._p, s)))
        if not self._insert(reads, result):
            self._fallback = True
        self._widen(reads)
        return result

    @staticmethod
    def _norm(value: Any) -> Any:
        return value if type(value) is int else bool(value)

    def _insert(self, reads: list[tuple[int, Any]], result: Any) -> bool:
        """Add one path; False when it contradicts the trie (the predicate is not a function
        of the slots it reads)."""
        seen: set[int] = set()
        reads = [r for r in reads if not (r[0] in seen or seen.add(r[0]))]  # type: ignore[func-returns-value]
        if not reads:
            if self.root is _MISS or self.root == result:
                self.root = result
                return True
            return False
        if self.root is _MISS:
            self.root = (reads[0][0], {})
        node = self.root
        last = len(reads) - 1
        for n, (k, v) in enumerate(reads):
            if node.__class__ is not tuple or node[0] != k:
                return False
            children = node[1]
            nxt = children.get(v, _MISS)
            if n == last:
                if nxt is _MISS:
                    children[v] = result
                    return True
                return bool(nxt == result)
            if nxt is _MISS:
                nxt = children[v] = (reads[n + 1][0], {})
            node = nxt
        return True  # pragma: no cover - the loop always returns


def memoise(product: Product, pred: Callable[[Any], Any]) -> StatePredicate:
    """``pred`` (a predicate over a state view) as a memoised predicate over packed states."""
    return _Memo(product, pred)
