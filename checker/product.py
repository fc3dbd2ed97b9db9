"""The compiled product of a system: packed states and a memoised successor function.

A product state is one flat tuple: for each instance its state code then its variables, then one
tuple of messages per channel. The successor of ``(instance, event)`` depends on the instance's own
slots and on whatever its guards and actions read; it is memoised in a small decision tree keyed on
those reads, so each distinct local situation runs the actor's Python code once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statemachine import StateMachine

from .compile import ActorTable, TransitionRow, compile_actor
from .errors import DefinitionError, WiringError
from .values import Encoder, decode, decode_all

if TYPE_CHECKING:
    from .system import System

__all__ = ["Move", "Overflow", "Product"]

State = tuple[Any, ...]
# a local outcome: the new slots of the instance, and channel operations
# ("push", ch, msg) / ("pop", ch) / ("clear", ch)
# (instance, event, its own slots, move arguments): the root of one local decision trie
_MemoKey = tuple[int, str, tuple[Any, ...], tuple[tuple[str, Any], ...]]
Outcome = tuple[tuple[Any, ...], tuple[tuple[Any, ...], ...]]

_RESERVED = frozenset(dir(StateMachine)) | {
    "peer",
    "peers",
    "peek",
    "pending",
    "recv",
    "emit",
    "drain",
    "arg",
    "state",
}


@dataclass(frozen=True)
class Move:
    """A step kind of the product: one instance's event, or a synchronisation of several."""

    label: str
    parts: tuple[tuple[int, str], ...]
    args: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Overflow:
    """A step that pushes a message past a channel's bound; ``state`` is where it leads."""

    state: State
    move: int
    channel: str


class _Branch:
    __slots__ = ("children", "key")

    def __init__(self, key: int) -> None:
        self.key = key
        self.children: dict[Any, _Branch | _Leaf] = {}


class _Leaf:
    __slots__ = ("outcome",)

    def __init__(self, outcome: Outcome | None) -> None:
        self.outcome = outcome


class _TrackedPeer:
    """A peer as the compiled semantics sees it: every read is recorded for the memo."""

    __slots__ = ("_ctx", "_index", "_names", "_offset", "_peer", "_states")

    def __init__(
        self,
        ctx: _Context,
        offset: int,
        names: dict[str, int],
        states: tuple[str, ...],
        peer: str = "",
    ):
        self._ctx = ctx
        self._offset = offset
        self._names = names
        self._states = states
        self._peer = peer

    @property
    def state(self) -> str:
        return self._states[self._ctx._read(self._offset)]

    def __getattr__(self, name: str) -> Any:
        try:
            idx = self._names[name]
        except KeyError:
            known = ", ".join(self._names) or "none"
            raise AttributeError(
                f"{self._ctx._name}: its peer {self._peer} has no variable {name!r} "
                f"(its variables: {known})"
            ) from None
        return self._ctx._read(self._offset + idx)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _TrackedPeer.__slots__:
            object.__setattr__(self, name, value)
        else:
            raise AttributeError("peers are read-only")


class _ActiveState:
    """``self.<state>`` in a guard or action: ``is_active`` as python-statemachine answers it
    (the source state until the enter actions, then the target)."""

    __slots__ = ("_code", "_ctx", "_state")

    def __init__(self, ctx: _Context, code: int, state: Any) -> None:
        self._ctx = ctx
        self._code = code
        self._state = state

    @property
    def is_active(self) -> bool:
        return bool(self._ctx.__dict__["_active"] == self._code)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._state, name)


# what python-statemachine adds to an instance; the stand-in has none of it
_MACHINE_API = frozenset(dir(StateMachine)) - frozenset(dir(object)) - {"variables"}


class _Context:
    """Stands in for ``self`` when the explorer runs an actor's guards and actions.

    Agrees with a live instance on what guards and actions may use: declared variables,
    params, states' ``is_active``, methods (static and class methods too), properties and
    ``isinstance``; refuses, naming class, method and attribute, a write to anything but a
    declared variable and a read of the library's own machinery.
    """

    def __init__(self, product: Product, inst: int) -> None:
        d = self.__dict__
        d["_cls"] = product.tables[inst].cls
        d["_name"] = product.names[inst]
        d["_state"] = None
        d["_active"] = None
        d["_running"] = ""
        d["_reads"] = []
        d["_ops"] = []
        d["_popped"] = set()
        d["_args"] = {}
        d["_peers"] = {}
        d["_ports"] = {}
        d["_product"] = product
        d["_table"] = product.tables[inst]
        d["_writable"] = frozenset(product.tables[inst].variables)
        d["_attrs"] = {}
        d.update(product.specs[inst].params)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance(self, ActorClass) holds, as it does live
        return self.__dict__["_cls"]  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        cls = d["_cls"]
        kind = d["_attrs"].get(name)
        if kind is None:
            kind = d["_attrs"][name] = self._classify(cls, name)
        how, what = kind
        if how == "state":
            return _ActiveState(self, what, getattr(cls, name))
        if how == "bind":
            return what.__get__(self, cls)
        if how == "property":
            return what(self)
        return what

    def _classify(self, cls: type, name: str) -> tuple[str, Any]:
        table = self.__dict__["_table"]
        if name in table.code:
            return "state", table.code[name]
        try:
            raw = inspect.getattr_static(cls, name)
        except AttributeError:
            raise AttributeError(
                f"{cls.__name__}.{self.__dict__['_running']}: no attribute {name!r}"
            ) from None
        owner = next((k for k in cls.__mro__ if name in vars(k)), cls)
        if name in _MACHINE_API and owner.__module__.startswith("statemachine"):
            raise DefinitionError(
                f"{cls.__name__}.{self.__dict__['_running']}: reads self.{name}, the library's "
                "own machinery, which the explorer does not run; read a state's is_active or a "
                "declared variable instead"
            )
        if isinstance(raw, property):
            return "property", raw.fget
        if isinstance(raw, staticmethod | classmethod) or inspect.isfunction(raw):
            return "bind", raw
        return "value", getattr(cls, name)

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if name not in d["_writable"]:
            raise DefinitionError(
                f"{d['_cls'].__name__}.{d['_running']}: writes self.{name}, which is not "
                "declared in variables (the explorer would carry it from one state into others)"
            )
        d[name] = value

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)

    def _read(self, key: int) -> Any:
        s = self.__dict__["_state"]
        value = s[key] if key >= 0 else (s[~key][0] if s[~key] else None)
        self.__dict__["_reads"].append((key, value))
        return decode(value)

    def peer(self, alias: str) -> Any:
        target = self._product.alias(self._name, alias)
        if isinstance(target, tuple):
            raise WiringError(f"{self._name}: peer alias {alias!r} is a list; use peers()")
        return self._product.tracked_peer(self, target, alias)

    def peers(self, alias: str) -> tuple[Any, ...]:
        target = self._product.alias(self._name, alias)
        names = (target,) if isinstance(target, str) else target
        return tuple(self._product.tracked_peer(self, n, alias) for n in names)

    def peek(self, port: str) -> Any:
        return self._read(~self._product.port(self._name, port))

    def pending(self, port: str) -> int:
        # the whole channel is the value read (the memo keys on it), its length the answer
        return len(self._read(self._product.port(self._name, port)))

    def recv(self, port: str) -> Any:
        ch = self._product.port(self._name, port)
        if ch in self._popped:
            raise DefinitionError(f"{self._name}: recv({port!r}) twice in one step")
        msg = self._read(~ch)
        if msg is None:
            raise DefinitionError(f"{self._name}: recv({port!r}) on an empty channel; guard it")
        self._popped.add(ch)
        self._ops.append(("pop", ch))
        return msg

    def emit(self, port: str, msg: Any) -> None:
        try:
            hash(msg)
        except TypeError:
            raise DefinitionError(
                f"{self._name}: the message {msg!r} emitted on port {port!r} is not hashable; "
                "a message must be hashable (use a tuple)"
            ) from None
        self._ops.append(("push", self._product.port(self._name, port), msg))

    def drain(self, port: str) -> None:
        self._ops.append(("clear", self._product.port(self._name, port)))

    def arg(self, name: str) -> Any:
        try:
            return self._args[name]
        except KeyError:
            raise WiringError(f"{self._name}: this step passes no argument {name!r}") from None


def _guards_hold(ctx: _Context, row: TransitionRow) -> bool:
    d = ctx.__dict__
    for g in row.guards:
        d["_running"] = g.name
        if bool(g.func(ctx)) is not g.expected:
            return False
    return True


class Product:
    """The packed, compiled product of a :class:`~checker.system.System`."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.specs = list(system.instances.values())
        if not self.specs:
            raise WiringError("the system has no instances")
        self.names = [s.name for s in self.specs]
        self.index = {n: i for i, n in enumerate(self.names)}
        cache: dict[type, ActorTable] = {}
        self.tables = [cache.setdefault(s.cls, compile_actor(s.cls)) for s in self.specs]
        self.offsets: list[int] = []
        self.varidx: list[dict[str, int]] = []
        pos = 0
        for spec, table in zip(self.specs, self.tables, strict=True):
            bad = sorted(set(table.variables) & _RESERVED)
            if bad:
                raise DefinitionError(f"{table.cls.__name__}: variable names {bad} are reserved")
            self.offsets.append(pos)
            self.varidx.append({v: k + 1 for k, v in enumerate(table.variables)})
            unknown = sorted(set(spec.init) - set(table.variables))
            if unknown:
                raise WiringError(f"{spec.name}: init names unknown variables {unknown}")
            pos += 1 + len(table.variables)
        self.channel_names = list(system.channels)
        self.channel_base = pos
        self.capacity = [c.capacity for c in system.channels.values()]
        self.width = pos + len(self.channel_names)
        self._check_wiring()
        self.moves = self._moves()
        # per instance: state code -> moves whose part for this instance leaves that state
        self._memo: dict[_MemoKey, _Branch | _Leaf] = {}
        self._ctx = [_Context(self, i) for i in range(len(self.specs))]
        self.encoders = self._encoders()  # True and 1 stay distinct (values.py)
        self._tracked: dict[tuple[int, str, str], _TrackedPeer] = {}
        self.initial = self._initial_state()
        self._candidates = self._candidate_table()
        self._widths = [1 + len(t.variables) for t in self.tables]
        self._leaders = [i for i, c in enumerate(self._candidates) if c]
        # per instance: own slots -> decision trie on its reads -> enabled (move, outcome) list
        self._imemo: list[dict[tuple[Any, ...], Any]] = [{} for _ in self.specs]

    # -- wiring ------------------------------------------------------------------------------
    def _check_wiring(self) -> None:
        chans = set(self.channel_names)
        for spec in self.specs:
            for alias, target in spec.peers.items():
                for t in (target,) if isinstance(target, str) else target:
                    if t not in self.index:
                        raise WiringError(f"{spec.name}: peer {alias!r} names unknown {t!r}")
            for port, ch in spec.ports.items():
                if ch not in chans:
                    raise WiringError(f"{spec.name}: port {port!r} names unknown channel {ch!r}")

    def _moves(self) -> list[Move]:
        synced: dict[tuple[str, str], str] = {}
        moves: list[Move] = []
        for sync in self.system.syncs.values():
            parts = []
            for inst, ev in sync.parts:
                if inst not in self.index:
                    raise WiringError(f"sync {sync.label!r}: unknown instance {inst!r}")
                if ev not in self.tables[self.index[inst]].events:
                    raise WiringError(f"sync {sync.label!r}: {inst} has no event {ev!r}")
                synced[(inst, ev)] = sync.label
                parts.append((self.index[inst], ev))
            if len({i for i, _ in parts}) != len(parts):
                raise WiringError(f"sync {sync.label!r}: an instance takes part twice")
            moves.append(Move(sync.label, tuple(parts), sync.args))
        for i, (name, table) in enumerate(zip(self.names, self.tables, strict=True)):
            for ev in table.events:
                if (name, ev) not in synced:
                    moves.append(Move(f"{name}.{ev}", ((i, ev),)))
        return moves

    def _candidate_table(self) -> list[dict[int, tuple[int, ...]]]:
        """Per instance and state code, the moves that instance could lead from there."""
        lead: list[dict[int, list[int]]] = [{} for _ in self.specs]
        for m, move in enumerate(self.moves):
            i, ev = move.parts[0]
            for code in range(len(self.tables[i].states)):
                if (code, ev) in self.tables[i].rows:
                    lead[i].setdefault(code, []).append(m)
        return [{c: tuple(ms) for c, ms in d.items()} for d in lead]

    def alias(self, who: str, alias: str) -> str | tuple[str, ...]:
        try:
            return self.specs[self.index[who]].peers[alias]
        except KeyError:
            raise WiringError(f"{who}: no peer alias {alias!r} in the wiring") from None

    def port(self, who: str, port: str) -> int:
        try:
            ch = self.specs[self.index[who]].ports[port]
        except KeyError:
            raise WiringError(f"{who}: no port {port!r} in the wiring") from None
        return self.channel_base + self.channel_names.index(ch)

    def tracked_peer(self, ctx: _Context, name: str, alias: str = "") -> _TrackedPeer:
        j = self.index[name]
        key = (id(ctx), name, alias)
        view = self._tracked.get(key)
        if view is None:
            label = f"{name} (alias {alias!r})" if alias else name
            view = _TrackedPeer(ctx, self.offsets[j], self.varidx[j], self.tables[j].states, label)
            self._tracked[key] = view
        return view

    # -- local evaluation --------------------------------------------------------------------
    def _initial_state(self) -> State:
        slots: list[Any] = []
        for i, (spec, table) in enumerate(zip(self.specs, self.tables, strict=True)):
            values = dict(zip(table.variables, table.initial_values, strict=True))
            values.update(spec.init)
            slots.append(table.initial)
            slots.extend(values[v] for v in table.variables)
            del i
        slots.extend(() for _ in self.channel_names)
        state = tuple(slots)
        for i, table in enumerate(self.tables):
            if table.initial_actions:
                ctx = self._load(i, state)
                for name, fn in table.initial_actions:
                    ctx.__dict__["_running"] = name
                    fn(ctx)
                if ctx._ops:
                    raise DefinitionError(f"{self.names[i]}: initial enter actions may not send")
                lst = list(state)
                o = self.offsets[i]
                lst[o + 1 : o + 1 + len(table.variables)] = [
                    ctx.__dict__[v] for v in table.variables
                ]
                state = tuple(lst)
        lst = list(state)
        for i in range(len(self.specs)):
            o = self.offsets[i]
            b = o + 1 + len(self.tables[i].variables)
            lst[o:b] = self._encode(i, state[o:b], [])[0]
        return tuple(lst)

    def _load(self, i: int, state: State) -> _Context:
        ctx = self._ctx[i]
        d = ctx.__dict__
        d["_state"] = state
        d["_reads"] = []
        d["_ops"] = []
        d["_popped"] = set()
        o = self.offsets[i]
        d["_active"] = state[o]
        for v, k in self.varidx[i].items():
            d[v] = decode(state[o + k])
        return ctx

    def _evaluate(
        self, i: int, event: str, state: State, args: tuple[tuple[str, Any], ...] = ()
    ) -> tuple[Outcome | None, list[Any]]:
        """Run the actor's code for ``event`` on ``state``: the outcome and the reads it made."""
        table = self.tables[i]
        code = state[self.offsets[i]]
        rows: tuple[TransitionRow, ...] = table.rows.get((code, event), ())
        ctx = self._load(i, state)
        ctx.__dict__["_args"] = dict(args)
        d = ctx.__dict__
        for row in rows:
            if _guards_hold(ctx, row):
                for n, (name, fn) in enumerate(row.actions):
                    if n == row.entered:
                        d["_active"] = row.target
                    d["_running"] = name
                    fn(ctx)
                local = (row.target, *(d[v] for v in table.variables))
                return self._encode(i, local, ctx._ops), ctx._reads
        return None, ctx._reads

    def _encoders(self) -> list[Encoder | None]:
        """One encoder per slot, shared by the slots of one class's variable and by all the
        channels, so a symmetry that moves slots between units keeps the encoding."""
        shared: dict[Any, Encoder] = {}
        out: list[Encoder | None] = [None] * self.width
        for i, table in enumerate(self.tables):
            for v, k in self.varidx[i].items():
                out[self.offsets[i] + k] = shared.setdefault((table.cls, v), Encoder())
        messages = Encoder()
        for c in range(len(self.channel_names)):
            out[self.channel_base + c] = messages
        return out

    def _encode(
        self, i: int, local: tuple[Any, ...], ops: list[Any]
    ) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """``local`` and ``ops`` with every value encoded so that values equal but of different
        types (``True`` and ``1``) stay distinct (values.py). Once per memo miss, not per
        state."""
        o = self.offsets[i]
        out = (local[0], *(self._encode_value(o + k, v, i) for k, v in enumerate(local[1:], 1)))
        if ops:
            ops = [
                (op[0], op[1], self._encode_value(op[1], op[2], i)) if op[0] == "push" else op
                for op in ops
            ]
        return out, tuple(ops)

    def _encode_value(self, slot: int, value: Any, i: int) -> Any:
        try:
            return self.encode(slot, value)
        except TypeError:
            if slot >= self.channel_base:
                return value  # unhashable message: emit() refuses it with its own error
            var = self.tables[i].variables[slot - self.offsets[i] - 1]
            raise DefinitionError(
                f"{self.tables[i].cls.__name__} ({self.names[i]}): variable {var!r} was set to "
                f"{value!r}, which is not hashable; a state must be hashable (use a tuple or "
                "a frozenset)"
            ) from None

    def which_row(
        self, i: int, event: str, state: State, args: tuple[tuple[str, Any], ...] = ()
    ) -> int | None:
        """Index (in ``rows[(code, event)]``) of the transition instance ``i`` takes, or None.

        Not memoised: for coverage and diagrams, off the hot path.
        """
        table = self.tables[i]
        rows = table.rows.get((state[self.offsets[i]], event), ())
        for n, row in enumerate(rows):
            ctx = self._load(i, state)
            ctx.__dict__["_args"] = dict(args)
            if _guards_hold(ctx, row):
                return n
        return None

    def local(
        self, i: int, event: str, state: State, args: tuple[tuple[str, Any], ...] = ()
    ) -> Outcome | None:
        """The memoised outcome of instance ``i`` taking ``event`` in ``state`` (None: disabled)."""
        o = self.offsets[i]
        key = (i, event, state[o : o + 1 + len(self.tables[i].variables)], args)
        node = self._memo.get(key)
        while node is not None and type(node) is _Branch:
            k = node.key
            v = state[k] if k >= 0 else (state[~k][0] if state[~k] else None)
            node = node.children.get(v)
        if node is not None:
            return node.outcome  # type: ignore[union-attr]
        outcome, reads = self._evaluate(i, event, state, args)
        self._insert(key, reads, outcome)
        return outcome

    def _insert(self, key: Any, reads: list[Any], outcome: Outcome | None) -> None:
        leaf = _Leaf(outcome)
        if not reads:
            self._memo[key] = leaf
            return
        node = self._memo.get(key)
        if node is None:
            node = self._memo[key] = _Branch(reads[0][0])
        for n, (k, v) in enumerate(reads):
            if not isinstance(node, _Branch) or node.key != k:
                raise DefinitionError(
                    f"{self.names[key[0]]}.{key[1]}: guards or actions are not deterministic "
                    "in the state they read"
                )
            if n + 1 == len(reads):
                node.children[v] = leaf
            else:
                nxt = node.children.get(v)
                if nxt is None:
                    nxt = node.children[v] = _Branch(reads[n + 1][0])
                node = nxt

    # -- product steps -----------------------------------------------------------------------
    def leaders_except(self, instances: Iterable[int]) -> list[int]:
        """The instances that lead some move, but ``instances``: for :meth:`successors` when the
        moves these instances lead are not wanted (an observer keeping some instances still)."""
        left_out = set(instances)
        return [i for i in self._leaders if i not in left_out]

    def successors(
        self,
        state: State,
        leaders: Sequence[int] | None = None,
        skip: Container[int] | None = None,
    ) -> Iterator[tuple[int, State | Overflow]]:
        """Every enabled move from ``state`` with its successor (or the overflow it causes);
        with ``leaders`` (from :meth:`leaders_except`), only the moves those instances lead;
        the moves in ``skip`` are left out before their successor is built.

        Per instance, one decision trie keyed on the instance's own slots and then on whatever
        the guards of the moves it leads read (including, for a rendezvous, its partners'
        slots) answers "which of these moves are enabled, with what effect": one walk per
        leading instance per state instead of one evaluation per candidate move.
        """
        widths = self._widths
        imemo = self._imemo
        for i in self._leaders if leaders is None else leaders:
            o = self.offsets[i]
            node: Any = imemo[i].get(state[o : o + widths[i]])
            while node.__class__ is tuple:
                k = node[0]
                node = node[1].get(state[k] if k >= 0 else (state[~k][0] if state[~k] else None))
            if node is None:
                node = self._enabled_here(i, state)
            for m, patches, ops in node:
                if skip is not None and m in skip:
                    continue
                if ops is None:
                    a, local, b = patches
                    yield m, state[:a] + local + state[b:]
                else:
                    yield m, self._apply(m, state, patches, ops)

    def _apply(self, m: int, state: State, patches: Any, ops: Any) -> State | Overflow:
        lst = list(state)
        for a, local in patches:
            lst[a : a + len(local)] = local
        for op in ops:
            ch = op[1]
            if op[0] == "pop":
                lst[ch] = lst[ch][1:]
            elif op[0] == "clear":
                lst[ch] = ()
        full = None
        for op in ops:
            if op[0] == "push":
                ch = op[1]
                lst[ch] = (*lst[ch], op[2])
                if len(lst[ch]) > self.capacity[ch - self.channel_base]:
                    full = self.channel_names[ch - self.channel_base]
        if full is not None:
            return Overflow(tuple(lst), m, full)
        return tuple(lst)

    def _enabled_here(self, i: int, state: State) -> list[tuple[int, Any, Any]]:
        """Evaluate every move instance ``i`` leads from ``state`` and remember the answer.

        An entry is ``(move, (start, local, end), None)`` for a step of one instance that sends
        nothing, else ``(move, [(offset, local), ...], ops)`` with pops and clears before pushes.
        """
        entries: list[tuple[int, Any, Any]] = []
        reads: list[Any] = []
        for m in self._candidates[i].get(state[self.offsets[i]], ()):
            move = self.moves[m]
            outs: list[tuple[int, Outcome]] = []
            for n, (j, ev) in enumerate(move.parts):
                if n:
                    # a partner's own slots decide its part, so they key the memo too
                    oj = self.offsets[j]
                    reads.extend((oj + k, state[oj + k]) for k in range(self._widths[j]))
                    if (state[oj], ev) not in self.tables[j].rows:
                        break
                out, r = self._evaluate(j, ev, state, move.args)
                reads.extend(r)
                if out is None:
                    break
                outs.append((j, out))
            else:
                entries.append(self._entry(m, outs))
        seen: set[int] = set()
        path = [(k, v) for k, v in reads if not (k in seen or seen.add(k))]  # type: ignore[func-returns-value]
        o = self.offsets[i]
        key = state[o : o + self._widths[i]]
        memo = self._imemo[i]
        if not path:
            memo[key] = entries
            return entries
        node = memo.get(key)
        if node is None:
            node = memo[key] = (path[0][0], {})
        for n, (k, v) in enumerate(path):
            if node.__class__ is not tuple or node[0] != k:
                raise DefinitionError(
                    f"{self.names[i]}: guards or actions are not deterministic in the state "
                    "they read"
                )
            if n + 1 == len(path):
                node[1][v] = entries
            else:
                nxt = node[1].get(v)
                if nxt is None:
                    nxt = node[1][v] = (path[n + 1][0], {})
                node = nxt
        return entries

    def _entry(self, m: int, outs: list[tuple[int, Outcome]]) -> tuple[int, Any, Any]:
        if len(outs) == 1 and not outs[0][1][1]:
            j, (local, _ops) = outs[0]
            a = self.offsets[j]
            return (m, (a, local, a + len(local)), None)
        patches = tuple((self.offsets[j], local) for j, (local, _ops) in outs)
        ops = [op for _j, (_l, ops) in outs for op in ops]
        ordered = tuple(
            [op for op in ops if op[0] != "push"] + [op for op in ops if op[0] == "push"]
        )
        return (m, patches, ordered)

    def _fire(
        self, move: Move, m: int, state: State, lead: Outcome | None = None
    ) -> State | Overflow | None:
        """The successor of ``move`` (None: disabled); ``lead`` is its first part's outcome
        when already known."""
        parts = move.parts
        args = move.args
        outs: list[tuple[int, Outcome]] = []
        for n, (i, ev) in enumerate(parts):
            if n == 0 and lead is not None:
                out: Outcome | None = lead
            else:
                if (state[self.offsets[i]], ev) not in self.tables[i].rows:
                    return None
                out = self.local(i, ev, state, args)
            if out is None:
                return None
            outs.append((i, out))
        patches = [(self.offsets[i], local) for i, (local, _ops) in outs]
        return self._apply(m, state, patches, tuple(op for _i, (_l, ops) in outs for op in ops))

    def is_final(self, state: State) -> bool:
        """True when every instance is in a final state (so having no successor is no deadlock)."""
        return all(state[o] in t.final for o, t in zip(self.offsets, self.tables, strict=True))

    # -- presentation ------------------------------------------------------------------------
    def describe(self, state: State) -> dict[str, Any]:
        """A readable mapping: ``inst`` -> state id, ``inst.var`` -> value, ``channel`` -> list."""
        out: dict[str, Any] = {}
        for i, name in enumerate(self.names):
            o = self.offsets[i]
            out[name] = self.tables[i].states[state[o]]
            for v, k in self.varidx[i].items():
                out[f"{name}.{v}"] = decode(state[o + k])
        for c, ch in enumerate(self.channel_names):
            out[ch] = list(decode_all(state[self.channel_base + c]))
        return out

    def pack(self, described: dict[str, Any]) -> State:
        """The packed state that :meth:`describe` turned into ``described`` (its inverse)."""
        slots: list[Any] = []
        for i, name in enumerate(self.names):
            slots.append(self.tables[i].code[described[name]])
            o = self.offsets[i]
            slots.extend(
                self.encode(o + k, described[f"{name}.{v}"]) for v, k in self.varidx[i].items()
            )
        for c, ch in enumerate(self.channel_names):
            slots.append(tuple(self.encode(self.channel_base + c, m) for m in described[ch]))
        return tuple(slots)

    def encode(self, slot: int, value: Any) -> Any:
        """``value`` as this product stores it in variable ``slot``, or as one message of
        channel ``slot`` (values.py); a state code is stored as it is."""
        enc = self.encoders[slot]
        return value if enc is None else enc.encode(value)

    def state_of(self, state: State, inst: str) -> str:
        """The state id of instance ``inst`` in a packed state."""
        i = self.index[inst]
        return self.tables[i].states[state[self.offsets[i]]]

    def reader(self) -> Callable[[State], Any]:
        """A factory of :class:`~checker.view.StateView` for this product (properties use it)."""
        from .view import StateView

        return lambda s: StateView(self, s)
