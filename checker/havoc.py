"""A sound "does not conform" when some instances were lazy: the lazy ones as havoc.

A lazy :class:`~checker.conform.Oracle` keeps a *subset* of the consistent states, so a line it
cannot explain is only inconclusive. This module answers the other way round, with a superset:
an abstract system in which the lazy instances are gone and every rendezvous they share with the
others (the *interface* moves) may happen at any time, as far as the other parts allow. If even
that system cannot explain the trace, the real one cannot either, and the divergence is sound.

Why it is a superset: take any real path. Drop its steps by lazy instances alone, and keep of
each interface step only the other parts' effect. What is left is a path of the abstract system,
provided the non-lazy instances never read nor write the lazy ones' slots or channels (checked
on every state the search visits, and on the decision tries of every move it ran: if one did,
the answer is "cannot tell"), the interface parts send nothing, and what is observed (the
trace's fields, the observable's ``ByState`` picks) is no lazy instance's state: the picks are
the caller's to keep so (vfpath's read the observed VM's instances only). The lazy moves are
silent, so both paths show the same observations.

The search replays the trace from its start (so it needs the whole trace kept), bounded per step
by ``max_silent`` like the oracle; a bound hit is "cannot tell" too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .product import Overflow, State

if TYPE_CHECKING:
    from .conform import Observation, Oracle

__all__ = ["havoc_rejects"]


class _Unsupported(Exception):
    """The abstraction's side condition does not hold here: no sound answer."""


class _Havoc:
    def __init__(self, oracle: Oracle, lazy_channels: Iterable[str]) -> None:
        p = oracle.product
        self.oracle, self.product = oracle, p
        lazy = {p.index[n] for n in oracle._lazy}
        slots: list[int] = []
        for i in lazy:
            slots.extend(range(p.offsets[i], p.offsets[i] + p._widths[i]))
        chans = [p.channel_base + p.channel_names.index(c) for c in lazy_channels]
        self.frozen = frozenset(slots + chans)
        self.lazy_channels = frozenset(chans)
        key = itemgetter(*sorted(self.frozen))
        self.key: Callable[[State], Any] = key
        # the interface moves: each one's non-lazy parts, fired as a move of their own
        self.interface = []
        for m in sorted(oracle._skip):
            move = p.moves[m]
            rest = tuple((i, ev) for i, ev in move.parts if i not in lazy)
            if rest:
                self.interface.append((m, rest, move.args))

    def successors(self, s: State) -> Iterable[tuple[int, State]]:
        o = self.oracle
        before = self.key(s)
        for m, t in self.product.successors(s, o._leading, o._skip):
            if isinstance(t, Overflow):
                continue
            if self.key(t) != before:
                raise _Unsupported(f"{self.product.moves[m].label} changes a lazy instance")
            yield m, t
        for m, rest, args in self.interface:
            fired = self._fire(s, rest, args)
            if fired is not None:
                yield m, fired

    def _fire(self, s: State, rest: Any, args: Any) -> State | None:
        p = self.product
        lst = list(s)
        for i, ev in rest:
            if (s[p.offsets[i]], ev) not in p.tables[i].rows:
                return None
            out, reads = p._evaluate(i, ev, s, args)
            if any(k in self.frozen or ~k in self.lazy_channels for k, _v in reads):
                raise _Unsupported("an interface part reads a lazy instance")
            if out is None:
                return None
            local, ops = out
            if ops:
                raise _Unsupported("an interface part sends or receives a message")
            a = p.offsets[i]
            lst[a : a + len(local)] = local
        return tuple(lst)

    def check_tries(self) -> None:
        """No non-lazy leader's decision trie branches on a lazy slot or channel."""
        p = self.product
        for i in self.oracle._leading:
            stack = list(p._imemo[i].values())
            while stack:
                node = stack.pop()
                if node.__class__ is tuple:
                    k = node[0]
                    if k in self.frozen or (k < 0 and ~k in self.lazy_channels):
                        raise _Unsupported(f"{p.names[i]} reads a lazy instance")
                    stack.extend(node[1].values())

    def close(self, seed: Iterable[State], bound: int, every: bool = False) -> set[State]:
        o = self.oracle
        out = set(seed)
        queue = list(out)
        while queue:
            s = queue.pop()
            for m, t in self.successors(s):
                if t in out:
                    continue
                if not every and o._names[m] is not None and o._name(m, s, t) is not None:
                    continue
                if len(out) >= bound:
                    raise _Unsupported(f"the bound of {bound:,} states was hit")
                out.add(t)
                queue.append(t)
        return out

    def step(self, current: set[State], obs: Observation) -> set[State]:
        o = self.oracle
        key = obs.key
        test = o._test(obs)
        if key is None:
            return {s for s in current if test(s)}
        by_label = key in o._by_label
        nxt = set()
        for s in current:
            for m, t in self.successors(s):
                if o._names[m] is None:
                    continue
                seen = self.product.moves[m].label if by_label else o._name(m, s, t)
                if seen == key and test(t):
                    nxt.add(t)
        return nxt


def havoc_rejects(
    oracle: Oracle, observations: list[Observation], lazy_channels: Iterable[str]
) -> tuple[bool, str]:
    """Whether the system with ``oracle``'s lazy instances as havoc rejects ``observations``
    (the whole trace, from its start) at its last one; ``lazy_channels`` are the channels only
    lazy instances use. (False, why) when it cannot tell or does not reject."""
    h = _Havoc(oracle, lazy_channels)
    lazy = set(oracle._lazy) | set(
        h.product.channel_names[c - h.product.channel_base] for c in h.lazy_channels
    )
    if any(f.partition(".")[0] in lazy for o in observations for f in o.fields):
        return False, "the trace observes a lazy instance's state"
    try:
        bound = oracle.max_silent
        if oracle.from_any_state:
            start = h.close([oracle.product.initial], oracle._max_states or 10**9, every=True)
        else:
            start = h.close([oracle.product.initial], bound)
        current = start
        for k, obs in enumerate(observations):
            nxt = h.step(current, obs)
            if not nxt:
                h.check_tries()
                if k + 1 < len(observations):
                    return False, f"the abstraction rejects earlier, at {obs.location}"
                return True, ""
            current = h.close(nxt, bound)
        h.check_tries()
    except _Unsupported as e:
        return False, str(e)
    return False, "an over-approximation of the lazy instances explains the trace"
