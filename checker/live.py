"""The interpreted semantics: live python-statemachine instances driven by their own ``send()``.

Used to check the compiled product (differential tests, Hypothesis), never in the explorer's hot
loop. Instances get their variables and constants as attributes and a world that resolves peers
and channels, so the same guard and action methods run here and in the explorer.
"""

from __future__ import annotations

from typing import Any

from statemachine import StateMachine

from .errors import WiringError
from .product import Product, State

__all__ = ["LiveSystem"]


def _state_id(inst: StateMachine) -> str:
    return str(next(iter(inst.configuration)).id)


class _LivePeer:
    """A peer as a live instance sees it; during a rendezvous, a partner reads as it was before
    the step (the product's semantics: every part is judged on the state before the step)."""

    __slots__ = ("_inst", "_name", "_vars", "_world")

    def __init__(
        self, world: LiveSystem, name: str, inst: StateMachine, variables: tuple[str, ...]
    ) -> None:
        object.__setattr__(self, "_world", world)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_inst", inst)
        object.__setattr__(self, "_vars", variables)

    @property
    def state(self) -> str:
        frozen = self._world._frozen.get(self._name)
        return frozen[0] if frozen is not None else _state_id(self._inst)

    def __getattr__(self, name: str) -> Any:
        if name not in self._vars:
            raise AttributeError(f"peer has no variable {name!r}")
        frozen = self._world._frozen.get(self._name)
        return frozen[1][name] if frozen is not None else getattr(self._inst, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("peers are read-only")


class LiveSystem:
    """Live instances of every actor of a product's system, plus the channel contents."""

    def __init__(self, product: Product) -> None:
        self.product = product
        self.channels: dict[str, list[Any]] = {c: [] for c in product.channel_names}
        self.overflowed: str | None = None
        self._args: dict[str, Any] = {}
        # during step(): the participants and channels as they were before it, and the channel
        # operations its parts made (applied when every part has run, as the product does)
        self._frozen: dict[str, tuple[str, dict[str, Any]]] = {}
        self._before: dict[str, list[Any]] | None = None
        self._ops: list[tuple[str, str, Any]] = []
        self.instances: dict[str, StateMachine] = {}
        for spec, table in zip(product.specs, product.tables, strict=True):
            cls = spec.cls
            obj = cls.__new__(cls)
            obj.__dict__["_vf_world"] = self
            obj.__dict__["_vf_name"] = spec.name
            values = dict(zip(table.variables, table.initial_values, strict=True))
            values.update(spec.init)
            obj.__dict__.update(values)
            obj.__dict__.update(spec.params)
            self.instances[spec.name] = obj
        for obj in self.instances.values():
            type(obj).__init__(obj)

    # -- the World protocol --------------------------------------------------------------------
    def _view(self, name: str) -> _LivePeer:
        i = self.product.index[name]
        return _LivePeer(self, name, self.instances[name], self.product.tables[i].variables)

    def peer(self, who: str, alias: str) -> _LivePeer:
        target = self.product.alias(who, alias)
        if isinstance(target, tuple):
            raise WiringError(f"{who}: peer alias {alias!r} is a list; use peers()")
        return self._view(target)

    def peers(self, who: str, alias: str) -> tuple[_LivePeer, ...]:
        target = self.product.alias(who, alias)
        names = (target,) if isinstance(target, str) else target
        return tuple(self._view(n) for n in names)

    def _chan(self, who: str, port: str) -> str:
        ch = self.product.port(who, port)
        return self.product.channel_names[ch - self.product.channel_base]

    def _queue(self, name: str) -> list[Any]:
        return self._before[name] if self._before is not None else self.channels[name]

    def peek(self, who: str, port: str) -> Any:
        q = self._queue(self._chan(who, port))
        return q[0] if q else None

    def pending(self, who: str, port: str) -> int:
        return len(self._queue(self._chan(who, port)))

    def recv(self, who: str, port: str) -> Any:
        name = self._chan(who, port)
        if self._before is None:
            return self.channels[name].pop(0)
        self._ops.append(("pop", name, None))
        return self._before[name][0]

    def emit(self, who: str, port: str, msg: Any) -> None:
        name = self._chan(who, port)
        if self._before is not None:
            self._ops.append(("push", name, msg))
            return
        self._push(name, msg)

    def _push(self, name: str, msg: Any) -> None:
        q = self.channels[name]
        q.append(msg)
        if len(q) > self.product.capacity[self.product.channel_names.index(name)]:
            self.overflowed = name

    def drain(self, who: str, port: str) -> None:
        name = self._chan(who, port)
        if self._before is not None:
            self._ops.append(("clear", name, None))
            return
        self.channels[name].clear()

    def arg(self, who: str, name: str) -> Any:
        try:
            return self._args[name]
        except KeyError:
            raise WiringError(f"{who}: this step passes no argument {name!r}") from None

    # -- stepping ------------------------------------------------------------------------------
    def enabled(self) -> list[int]:
        """Moves whose every part the library itself says is enabled now."""
        out = []
        names = self.product.names
        for m, move in enumerate(self.product.moves):
            self._args = dict(move.args)
            if all(
                ev in {e.id for e in self.instances[names[i]].enabled_events()}
                for i, ev in move.parts
            ):
                out.append(m)
        self._args = {}
        return out

    def step(self, move: int) -> None:
        """Take a move through ``send()`` on every participant, in wiring order.

        Callers take only moves that :meth:`enabled` reported. Participants are sent one after
        the other, but each part sees its partners and the channels as they were before the
        step, and the channel operations apply once every part has run (pops and clears, then
        pushes): the product's atomic rendezvous, where every part is judged on the state
        before the step.
        """
        names = self.product.names
        mv = self.product.moves[move]
        self._args = dict(mv.args)
        self._frozen = {names[i]: self._freeze(names[i]) for i, _ev in mv.parts}
        self._before = {c: list(q) for c, q in self.channels.items()}
        self._ops = []
        try:
            for i, ev in mv.parts:
                self.instances[names[i]].send(ev)
        finally:
            self._args = {}
            self._frozen = {}
            self._before = None
        ops, self._ops = self._ops, []
        for op, name, _msg in ops:
            if op == "pop":
                self.channels[name].pop(0)
            elif op == "clear":
                self.channels[name].clear()
        for op, name, msg in ops:
            if op == "push":
                self._push(name, msg)

    def _freeze(self, name: str) -> tuple[str, dict[str, Any]]:
        inst = self.instances[name]
        table = self.product.tables[self.product.index[name]]
        return _state_id(inst), {v: getattr(inst, v) for v in table.variables}

    def snapshot(self) -> State:
        """The live state packed exactly as the product packs it (``Product.pack``)."""
        described: dict[str, Any] = dict(self.channels)
        for name, table in zip(self.product.names, self.product.tables, strict=True):
            obj = self.instances[name]
            described[name] = _state_id(obj)
            described.update({f"{name}.{v}": getattr(obj, v) for v in table.variables})
        return self.product.pack(described)
