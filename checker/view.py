"""Read-only views of a packed product state, for properties and reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .product import Product

__all__ = ["InstanceView", "StateView"]


class InstanceView:
    """One instance inside a product state: ``.state`` is its state id, variables are attributes."""

    __slots__ = ("_names", "_offset", "_s", "_states")

    def __init__(
        self, s: tuple[Any, ...], offset: int, names: dict[str, int], states: tuple[str, ...]
    ):
        self._s = s
        self._offset = offset
        self._names = names
        self._states = states

    @property
    def state(self) -> str:
        return self._states[self._s[self._offset]]

    def __getattr__(self, name: str) -> Any:
        try:
            return self._s[self._offset + self._names[name]]
        except KeyError:
            raise AttributeError(f"no variable {name!r}") from None

    def __repr__(self) -> str:
        vals = ", ".join(f"{n}={self._s[self._offset + k]!r}" for n, k in self._names.items())
        return f"<{self.state} {vals}>"


class StateView:
    """A product state as properties read it: ``view["inst"]``, ``view.channel("name")``."""

    __slots__ = ("_p", "raw")

    def __init__(self, product: Product, s: tuple[Any, ...]) -> None:
        self._p = product
        self.raw = s

    def __getitem__(self, inst: str) -> InstanceView:
        p = self._p
        i = p.index[inst]
        return InstanceView(self.raw, p.offsets[i], p.varidx[i], p.tables[i].states)

    def __contains__(self, inst: str) -> bool:
        return inst in self._p.index

    def channel(self, name: str) -> tuple[Any, ...]:
        """The messages waiting on channel ``name``, oldest first."""
        p = self._p
        return self.raw[p.channel_base + p.channel_names.index(name)]  # type: ignore[no-any-return]

    def instances(self) -> list[str]:
        return list(self._p.names)
