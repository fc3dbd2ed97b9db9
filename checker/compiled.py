"""The compiled engine: :mod:`checker._core`'s loop, with Python answering every table miss.

The core holds integer tables only; this module is the bridge that fills them. On a successor
miss it decodes the state, walks (and if need be extends) the product's own per-instance trie,
exactly as :meth:`~checker.product.Product.successors` does, and installs that one path; on a
property miss it asks the property's memo (:mod:`checker.memo`) and installs the memo's path;
on a channel-table miss it applies the step's channel operations to that channel's contents as
:meth:`~checker.product.Product._apply` does. So the states, their order, the transitions and
every verdict are the Python engine's (tests/checker/test_compiled_core.py compares them), and
the core never decides anything itself.

With a symmetry reduction the core stores the least image of each state under every element
of the group (the bridge lists the elements' slot moves, and the declaration's hook renames values
on a table miss, as in the Python engine): another representative than the Python engine's, of
the same orbits. Where the core does not go (a group too large to try every element; no compiled
extension on this machine), :func:`unavailable` says why and the explorer runs the Python engine
instead, saying so.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from .memo import memoise
from .product import Overflow, Product, State
from .properties import Property
from .symmetry import ENUMERATED_ORDER

if TYPE_CHECKING:
    from .explore import Exploration, Options
    from .limits import MemoryGuard
    from .symmetry import Reduction

# The core's worker threads (OpenMP) sleep once a run is over rather than spin: a spinning
# idle thread takes a core from what runs next (the liveness search). Read when the library
# loads; a value set by the user stands.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

try:
    from . import _core
except ImportError:  # no compiler when the package was installed: the Python engine only
    _core = None  # type: ignore[assignment]

__all__ = ["PackedStates", "available", "explore_compiled", "unavailable"]


def available() -> bool:
    """True when the compiled core was built for this interpreter."""
    return _core is not None


def unavailable(reduction: Reduction | None) -> str:
    """Why the compiled engine cannot run this exploration ("" when it can)."""
    if _core is None:
        return "the compiled core is not built (no C compiler when vfpath was installed)"
    if reduction is not None and reduction.order > ENUMERATED_ORDER:
        return (
            f"the compiled core tries every element of a symmetry group, and this one has "
            f"{reduction.order:,} (more than {ENUMERATED_ORDER:,})"
        )
    return ""


class PackedStates(Sequence[State]):
    """The explored states, decoded from the core's packed words on each access (a list of
    tuples would cost ~650 bytes a state; the packed words cost a few)."""

    def __init__(self, core: Any) -> None:
        self._core = core

    def __len__(self) -> int:
        return int(self._core.count)

    @overload
    def __getitem__(self, i: int) -> State: ...
    @overload
    def __getitem__(self, i: slice) -> list[State]: ...
    def __getitem__(self, i: int | slice) -> State | list[State]:
        if isinstance(i, slice):
            return [self._one(j) for j in range(*i.indices(len(self)))]
        sid = i + len(self) if i < 0 else i
        if not 0 <= sid < len(self):
            raise IndexError(i)
        return self._one(sid)

    def _one(self, sid: int) -> State:
        return self._core.decode(sid)  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[State]:
        decode = self._core.decode
        return (decode(j) for j in range(len(self)))


def _say(line: str) -> None:
    """The default announcer of the switch to fingerprints: a line on stderr (a library
    must not be silent about it)."""
    print(line, file=sys.stderr, flush=True)


def _bits(n: int) -> int:
    return max(1, (n - 1).bit_length())


class _Bridge:
    """The callbacks of one compiled exploration (the core calls them on misses)."""

    def __init__(
        self,
        product: Product,
        preds: list[tuple[str, int, Any]],
        props: list[Property],
        reduction: Reduction | None = None,
        untrusted: frozenset[str] = frozenset(),
    ) -> None:
        """The core calls ``succ_miss``, ``pred_miss``, ``pred_eval``, ``fill``,
        ``overflow`` and ``is_final`` on this object (and with a reduction ``rename``, and
        ``gate`` when some property in ``untrusted`` is not declared symmetric)."""
        self.p = product
        self.preds = preds
        self.reduction = reduction
        self.leaders = list(product._leaders)
        chans = list(range(product.channel_base, product.width))
        init_bits = [1] * product.width
        for i, o in enumerate(product.offsets):
            init_bits[o] = _bits(len(product.tables[i].states))
        self.core = _core.Core(
            product.width, chans, init_bits, len(self.leaders), [k for _n, k, _m in preds], self
        )
        self.own = [
            list(range(product.offsets[i], product.offsets[i] + product._widths[i]))
            for i in self.leaders
        ]
        self.leaf_of: dict[int, int] = {}
        self.kept: list[Any] = []  # the Python entry lists the leaves mirror (ids stay valid)
        self.entries: list[tuple[int, Any, Any]] = []  # by the core's entry number
        # channel-table number (a node number of the core) -> (channel slot, its operations)
        self.tables: dict[int, tuple[int, list[Any]]] = {}
        self.found_overflow: tuple[int, int, str, State] | None = None
        self.notify: Callable[[str], None] = _say
        # rename-table number -> (slot, group element); properties checked on every image
        self.renames: dict[int, tuple[int, Any]] = {}
        self.gated: list[tuple[str, Any]] = []
        if reduction is not None:
            self._group(reduction, props, untrusted)

    def _group(self, red: Reduction, props: list[Property], untrusted: frozenset[str]) -> None:
        """Give the core every element of ``red``'s group but the identity (their slot moves
        and renamed slots), after making slots moved onto one another share their values'
        numbers."""
        width = self.p.width
        elements = [(g, red.sources(g)) for g, act in red._everything() if act is not None]
        pool = list(range(width))

        def root(x: int) -> int:
            while pool[x] != x:
                x = pool[x]
            return x

        for _g, src in elements:
            for y, x in enumerate(src):
                a, b = root(x), root(y)
                if a != b:
                    pool[max(a, b)] = min(a, b)
        self.core.share([root(x) for x in range(width)])
        renamed = red.renamed_slots()
        tables = self.core.set_group([src for _g, src in elements], renamed, bool(untrusted))
        for (g, _src), row in zip(elements, tables, strict=True):
            for j, t in zip(renamed, row, strict=True):
                self.renames[t] = (j, g)
        from .explore import gated

        # whole properties (a part alone is not symmetric), in the Python engine's order
        self.gated = [(n, memoise(self.p, f)) for n, f in gated(props, untrusted)]

    def rename(self, t: int, old: int) -> int:
        """Rename-table ``t``'s answer for value number ``old`` (the declaration's hook)."""
        j, g = self.renames[t]
        assert self.reduction is not None
        return int(self.core.intern(j, self.reduction.rename(j, self.core.value(j, old), g)))

    def gate(self, sid: int) -> None:
        """Raise :class:`~checker.symmetry.AsymmetricProperty` when a property not declared
        symmetric differs between state ``sid`` and one of its images."""
        from .explore import _gate

        assert self.reduction is not None
        _gate(self.reduction, self.core.decode(sid), self.gated)

    # -- decoding -------------------------------------------------------------------------
    def state(self, ids: list[int]) -> State:
        value = self.core.value
        return tuple([value(s, v) for s, v in enumerate(ids)])

    @staticmethod
    def _read(s: State, k: int) -> Any:
        return s[k] if k >= 0 else (s[~k][0] if s[~k] else None)

    # -- successors -----------------------------------------------------------------------
    def _python_path(self, i: int, s: State) -> tuple[list[int], Any]:
        """The Python trie's path for instance ``i`` in ``s`` (extending it on a miss)."""
        p = self.p
        o = p.offsets[i]
        for attempt in range(2):
            keys: list[int] = []
            node: Any = p._imemo[i].get(s[o : o + p._widths[i]])
            while node.__class__ is tuple:
                keys.append(node[0])
                node = node[1].get(self._read(s, node[0]))
            if node is not None:
                return keys, node
            if attempt == 0:
                p._enabled_here(i, s)
        raise AssertionError("the product's trie has no path for a state it just evaluated")

    def succ_miss(self, li: int, ids: list[int]) -> int:
        s = self.state(ids)
        keys, entries = self._python_path(self.leaders[li], s)
        leaf = self.leaf_of.get(id(entries))
        if leaf is None:
            leaf = self._add_leaf(entries)
            self.leaf_of[id(entries)] = leaf
            self.kept.append(entries)
        self.core.install(li, self.own[li] + keys, ids, leaf)
        return leaf

    def _add_leaf(self, entries: list[tuple[int, Any, Any]]) -> int:
        intern = self.core.intern
        compiled = []
        for m, patches, ops in entries:
            chans: list[tuple[int, int]] = []
            if ops is None:
                a, local, _b = patches
                writes = [(a + k, intern(a + k, v)) for k, v in enumerate(local)]
            else:
                writes = [
                    (o + k, intern(o + k, v)) for o, local in patches for k, v in enumerate(local)
                ]
                for ch in dict.fromkeys(op[1] for op in ops):
                    t = self.core.new_table()
                    self.tables[t] = (ch, [op for op in ops if op[1] == ch])
                    chans.append((ch, t))
            compiled.append((m, writes, chans))
        code, first = self.core.add_leaf(compiled)
        assert first == len(self.entries)
        self.entries.extend(entries)
        return int(code)

    def fill(self, t: int, old: int) -> int:
        """The new contents of channel-table ``t``'s channel from contents ``old`` (-2: the
        step overflows it); the operations apply as :meth:`Product._apply` applies them."""
        ch, ops = self.tables[t]
        msgs = self.core.value(ch, old)
        for op in ops:
            if op[0] == "pop":
                msgs = msgs[1:]
            elif op[0] == "clear":
                msgs = ()
        for op in ops:
            if op[0] == "push":
                msgs = (*msgs, op[2])
        if len(msgs) > self.p.capacity[ch - self.p.channel_base]:
            return -2
        return int(self.core.intern(ch, msgs))

    def overflow(self, sid: int, e: int) -> None:
        m, patches, ops = self.entries[e]
        s = self.core.decode(sid)
        out = self.p._apply(m, s, patches, ops)
        assert isinstance(out, Overflow)
        to = out.state if self.reduction is None else self.reduction.canon(out.state)
        self.found_overflow = (sid, m, out.channel, to)

    def is_final(self, sid: int) -> bool:
        return self.p.is_final(self.core.decode(sid))

    def switched(self, count: int) -> None:
        """The core has just left exact storage: say so at once."""
        from . import fingerprint

        self.notify(
            f"fingerprint mode: {count:,} states stored exactly (the limit is "
            f"{fingerprint.SWITCH_AT:,}); from here each state is kept as a "
            f"{fingerprint.BITS}-bit fingerprint, and a 'holds' becomes probabilistic"
        )

    # -- properties -----------------------------------------------------------------------
    def truths(self, memos: list[Any]) -> list[bytearray]:
        """Each of ``memos`` (:func:`~checker.memo.memoise` predicates) on every explored
        state, all in one pass over the stored states."""
        ps = []
        for memo in memos:
            ps.append(self.core.add_pred())
            self.preds.append(("", 1, memo))
            assert len(self.preds) == ps[-1] + 1
        return self.core.truths(ps)

    def pred_eval(self, p: int, ids: list[int]) -> bool:
        return bool(self.preds[p][2](self.state(ids)))

    def pred_miss(self, p: int, ids: list[int]) -> int:
        memo = self.preds[p][2]
        s = self.state(ids)
        result = bool(memo(s))
        if getattr(memo, "_fallback", True):
            self.core.set_fallback(p)
            return -3 if result else -2
        keys: list[int] = []
        node = memo.root
        while node.__class__ is tuple:
            keys.append(node[0])
            node = node[1][s[node[0]]]
        assert bool(node) == result, "a memo's trie disagrees with its own answer"
        leaf = -3 if result else -2
        self.core.install(len(self.leaders) + p, keys, ids, leaf)
        return leaf


def _workers(asked: int, fingerprints: bool = False) -> tuple[int, str]:
    """How many threads the core runs for ``asked`` workers, and the engine's name saying so.
    (A run that switches to fingerprints on its own goes on with one: the workers read the
    exact table the switch drops.)"""
    if asked == 1:
        return 1, "compiled"
    if fingerprints:
        return 1, f"compiled (1 worker, not {asked}: fingerprint mode expands on one)"
    if not _core.threaded():
        return 1, f"compiled (1 worker, not {asked}: the core was built without OpenMP)"
    return asked, f"compiled ({asked} workers)"


def _predicates(product: Product, props: list[Property]) -> list[tuple[str, int, Any]]:
    """Triggers, then invariants (``when -> check``), then goals: the Python engine's order,
    a property's parts each one predicate of the core (see :func:`checker.explore.judged_parts`)."""
    from .explore import judged_parts

    inv, gls, trg = judged_parts(props)
    out: list[tuple[str, int, Any]] = []
    for kind, part in ((0, trg), (1, inv), (2, gls)):
        out += [(name, kind, memoise(product, f)) for name, f in part]
    return out


def explore_compiled(
    product: Product,
    props: list[Property],
    options: Options,
    guard: MemoryGuard,
    reduction: Reduction | None = None,
) -> Exploration:
    """:func:`checker.explore.explore` on the compiled core."""
    from . import fingerprint
    from .explore import Exploration, _peak_rss

    start = time.perf_counter()
    preds = _predicates(product, props)
    untrusted = frozenset(
        p.name for p in props if reduction is not None and not reduction.trusts(p)
    )
    bridge = _Bridge(product, preds, props, reduction, untrusted)
    core = bridge.core
    initial = [core.intern(s, v) for s, v in enumerate(product.initial)]
    liveness = any(p.expectation.is_liveness for p in props)
    keep_edges = options.graph or liveness
    if options.fingerprint and keep_edges:
        raise fingerprint.refuse_graph("check liveness" if liveness else "keep the graph")
    if options.notify is not None:
        bridge.notify = options.notify
    # an exact run that keeps the graph never switches: liveness and the graph need it all
    switch_at = 0 if options.fingerprint else -1 if keep_edges else fingerprint.SWITCH_AT
    core.fingerprints(switch_at, fingerprint.BITS)
    core.start(initial)
    root = core.decode(0)
    workers, engine = _workers(options.workers, options.fingerprint)
    limits = (
        -1 if options.max_states is None else options.max_states,
        options.deadlock,
        keep_edges,
        options.progress,
        guard,
        start,
    )
    if workers > 1:
        core.run_threads(*limits, workers)
    else:
        core.run(*limits)
    hit, active = core.hits()
    hits: dict[str, int] = {}
    triggered = {p.name: False for p in props if p.when is not None}
    for (name, kind, _m), h, on in zip(preds, hit, active, strict=True):
        if kind == 0:
            triggered[name] = triggered[name] or not on
        elif h >= 0:  # a property's first hit is its parts' first
            hits[name] = min(h, hits.get(name, h))
    parent = core.parents()
    via = core.moves()
    states: Sequence[State] = PackedStates(core)
    collisions = None
    if core.fp:
        states = fingerprint.ReplayedStates(core, product, root, parent, via)
        collisions = fingerprint.collision_report(core, options.fingerprint)
    return Exploration(
        product=product,
        states=states,  # type: ignore[arg-type]
        parent=parent,
        via=via,
        depth=core.depth,
        transitions=core.transitions,
        seconds=time.perf_counter() - start,
        complete=core.complete,
        stop_reason=core.stop_reason,
        hits=hits,
        triggered=triggered,
        deadlock=None if core.deadlock < 0 else core.deadlock,
        overflow=bridge.found_overflow,
        edges=core.edges() if keep_edges else None,
        peak_memory=_peak_rss(),
        reduction=reduction,
        concrete_states=len(states) if reduction is None else core.concrete,
        engine=engine,
        truths=None if core.fp else bridge.truths,
        bytes_per_state=core.state_bytes(),
        fingerprint=collisions,
    )
