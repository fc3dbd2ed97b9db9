"""Values that compare equal but differ in type stay distinct inside packed states.

States, the visited set and every memo trie compare slot values with ``==`` and hash them, and
Python says ``True == 1 == 1.0``: a model that stores ``True`` on one path and ``1`` on another
would have two states merged although a guard (``type(v) is int``) tells them apart. The
:class:`Encoder` keeps the first type it meets for each equal-value class as is (so the common
case costs nothing on the hot path) and boxes a later value of another type in a
:class:`Distinct`, which equals only a box of the same typed value. The product keeps one encoder
per class variable (shared by every instance of the class) and one for all channels, so moving
slots between symmetric units (the symmetry reduction) keeps the encoding.

Actors, properties and reports never see a box: the product decodes on every read it hands out.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Distinct", "Encoder", "decode", "decode_all", "typed_key"]


def typed_key(v: Any) -> Any:
    """``v`` with the type of every part attached: equal only for values of equal types."""
    t = type(v)
    if t is tuple or t is list:
        return (t, tuple(typed_key(x) for x in v))
    if t is frozenset:
        return (t, frozenset(typed_key(x) for x in v))
    return (t, v)


class Distinct:
    """A value stored beside an equal value of another type (``1`` where ``True`` came first)."""

    __slots__ = ("key", "value")

    def __init__(self, value: Any, key: Any) -> None:
        self.value = value
        self.key = key

    def __eq__(self, other: object) -> bool:
        return type(other) is Distinct and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return repr(self.value)


def decode(v: Any) -> Any:
    """The value a box stands for (anything else is itself)."""
    return v.value if type(v) is Distinct else v


def decode_all(msgs: tuple[Any, ...]) -> tuple[Any, ...]:
    """A channel's messages as the actors sent them."""
    if any(type(m) is Distinct for m in msgs):
        return tuple(decode(m) for m in msgs)
    return msgs


class Encoder:
    """The product-wide choice of which type of an equal-value class is stored unboxed.

    Raises TypeError for an unhashable value (the caller names the variable or channel).
    """

    __slots__ = ("_first",)

    def __init__(self) -> None:
        self._first: dict[Any, Any] = {}  # value -> typed key of the first value met equal to it

    def encode(self, v: Any) -> Any:
        if type(v) is Distinct:
            return v
        key = typed_key(v)
        first = self._first.setdefault(v, key)
        return v if first == key else Distinct(v, key)
