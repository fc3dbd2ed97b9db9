"""Read-only views of a packed product state, for properties and reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import UnknownName
from .values import decode, decode_all

if TYPE_CHECKING:
    from .product import Product

__all__ = ["InstanceView", "StateView"]


def unknown_variable(inst: str, name: str, names: dict[str, int]) -> UnknownName:
    known = ", ".join(names) or "none"
    return UnknownName(
        f"{inst or 'the instance'} has no variable {name!r} (its variables: {known})"
    )


def unknown_instance(product: Product, inst: str) -> UnknownName:
    return UnknownName(
        f"no instance {inst!r} in this system (its instances: {', '.join(product.names)})"
    )


def channel_slot(product: Product, name: str) -> int:
    """The slot of channel ``name``; an unknown name says which channels there are."""
    try:
        return product.channel_base + product.channel_names.index(name)
    except ValueError:
        known = ", ".join(product.channel_names) or "none"
        raise UnknownName(f"no channel {name!r} in this system (its channels: {known})") from None


class InstanceView:
    """One instance inside a product state: ``.state`` is its state id, variables are attributes."""

    __slots__ = ("_inst", "_names", "_offset", "_s", "_states")

    def __init__(
        self,
        s: tuple[Any, ...],
        offset: int,
        names: dict[str, int],
        states: tuple[str, ...],
        inst: str = "",
    ):
        self._s = s
        self._offset = offset
        self._names = names
        self._states = states
        self._inst = inst

    @property
    def state(self) -> str:
        return self._states[self._s[self._offset]]

    def __getattr__(self, name: str) -> Any:
        try:
            return decode(self._s[self._offset + self._names[name]])
        except KeyError:
            raise unknown_variable(self._inst, name, self._names) from None

    def __repr__(self) -> str:
        vals = ", ".join(
            f"{n}={decode(self._s[self._offset + k])!r}" for n, k in self._names.items()
        )
        return f"<{self.state} {vals}>"


class StateView:
    """A product state as properties read it: ``view["inst"]``, ``view.channel("name")``."""

    __slots__ = ("_p", "raw")

    def __init__(self, product: Product, s: tuple[Any, ...]) -> None:
        self._p = product
        self.raw = s

    def __getitem__(self, inst: str) -> InstanceView:
        p = self._p
        try:
            i = p.index[inst]
        except KeyError:
            raise unknown_instance(p, inst) from None
        return InstanceView(self.raw, p.offsets[i], p.varidx[i], p.tables[i].states, inst)

    def __contains__(self, inst: str) -> bool:
        return inst in self._p.index

    def channel(self, name: str) -> tuple[Any, ...]:
        """The messages waiting on channel ``name``, oldest first."""
        return decode_all(self.raw[channel_slot(self._p, name)])

    def instances(self) -> list[str]:
        return list(self._p.names)
