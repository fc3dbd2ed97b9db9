"""The one protocol users build: named actor instances, channels and synchronisations.

A :class:`System` is pure wiring. ``build()`` compiles it into a :class:`~checker.product.Product`
that the explorers run. Labels are scoped by the wiring: an event synchronises only the instances
named in one ``sync``; every other event of an instance is its own interleaved step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statemachine import StateMachine

from .errors import WiringError

if TYPE_CHECKING:
    from .product import Product
    from .properties import Property

__all__ = ["ChannelSpec", "InstanceSpec", "SyncSpec", "System"]


@dataclass(frozen=True)
class InstanceSpec:
    """One actor instance: its class, aliases of the peers it reads, ports, constants, overrides."""

    name: str
    cls: type[StateMachine]
    peers: Mapping[str, str | tuple[str, ...]]
    ports: Mapping[str, str]
    params: Mapping[str, Any]
    init: Mapping[str, Any]


@dataclass(frozen=True)
class ChannelSpec:
    """A bounded FIFO channel; exceeding ``capacity`` is reported as a violation."""

    name: str
    capacity: int


@dataclass(frozen=True)
class SyncSpec:
    """A rendezvous: every ``(instance, event)`` part moves in one atomic step, or none does.

    ``args`` are values the step passes to every participant (``self.arg(name)`` in guards and
    actions), as in a rendezvous with value passing; one event may take part in several syncs
    with different partners or args, each a move of its own.
    """

    label: str
    parts: tuple[tuple[str, str], ...]
    args: tuple[tuple[str, Any], ...] = ()


@dataclass
class System:
    """Named actor instances wired together, plus the properties to check on them."""

    name: str = "system"
    instances: dict[str, InstanceSpec] = field(default_factory=dict)
    channels: dict[str, ChannelSpec] = field(default_factory=dict)
    syncs: dict[str, SyncSpec] = field(default_factory=dict)
    properties: list[Property] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def add(
        self,
        name: str,
        cls: type[StateMachine],
        *,
        peers: Mapping[str, str | Sequence[str]] | None = None,
        ports: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        init: Mapping[str, Any] | None = None,
    ) -> System:
        """Add an instance of ``cls`` called ``name``; returns the system for chaining."""
        if name in self.instances:
            raise WiringError(f"instance {name!r} is added twice")
        norm: dict[str, str | tuple[str, ...]] = {}
        for alias, target in (peers or {}).items():
            norm[alias] = target if isinstance(target, str) else tuple(target)
        self.instances[name] = InstanceSpec(
            name, cls, norm, dict(ports or {}), dict(params or {}), dict(init or {})
        )
        return self

    def channel(self, name: str, capacity: int = 1) -> System:
        """Declare a FIFO channel holding at most ``capacity`` messages."""
        if name in self.channels:
            raise WiringError(f"channel {name!r} is declared twice")
        if capacity < 1:
            raise WiringError(f"channel {name!r}: capacity must be at least 1, got {capacity}")
        self.channels[name] = ChannelSpec(name, capacity)
        return self

    def sync(
        self, label: str, *parts: tuple[str, str], args: Mapping[str, Any] | None = None
    ) -> System:
        """Make the given ``(instance, event)`` pairs one atomic step named ``label``.

        A single part is allowed when ``args`` are given: it binds values to one instance's event.
        """
        if label in self.syncs:
            raise WiringError(f"synchronisation {label!r} is declared twice")
        if len(parts) < 2 and not args:
            raise WiringError(f"synchronisation {label!r} needs at least two parts")
        self.syncs[label] = SyncSpec(label, tuple(parts), tuple(sorted((args or {}).items())))
        return self

    def replace(self, replacements: Mapping[str, type[StateMachine]]) -> System:
        """A copy in which instances (by name, or every instance of a class name) use new classes.

        This is how a variant (a seeded bug, or an implementer's own driver) is expressed: a
        subclass that changes one transition, guard or action, swapped in by name.
        """
        unknown = [
            k
            for k in replacements
            if k not in self.instances and all(i.cls.__name__ != k for i in self.instances.values())
        ]
        if unknown:
            raise WiringError(f"replace: no instance or actor class named {unknown}")
        new = System(self.name, {}, dict(self.channels), dict(self.syncs), list(self.properties))
        new.meta = dict(self.meta)
        for name, spec in self.instances.items():
            cls = replacements.get(name, replacements.get(spec.cls.__name__, spec.cls))
            new.instances[name] = InstanceSpec(
                name, cls, spec.peers, spec.ports, spec.params, spec.init
            )
        return new

    def with_properties(self, props: Iterable[Property]) -> System:
        """A copy of the wiring that checks ``props`` instead."""
        new = self.replace({})
        new.properties = list(props)
        return new

    def build(self) -> Product:
        """Compile the classes and the wiring into the packed product the explorers run."""
        from .product import Product

        return Product(self)
