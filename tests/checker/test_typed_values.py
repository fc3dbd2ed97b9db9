"""Values equal under ``==`` but of different types stay distinct states (issue 16).

Python says ``True == 1 == 1.0``, and a state store that compares with ``==`` merges them,
though a guard that asks ``type(v) is int`` tells them apart. Each model below reaches its
states by two paths that store equal values of different types; the expected counts are
worked out by hand in the docstrings, and the live python-statemachine instances must agree
with the product step by step.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from statemachine import State, StateMachine
from test_differential import walk

from vfpath.checker import Options, Property, Status, System, check
from vfpath.checker.actor import Actor
from vfpath.checker.explore import explore
from vfpath.checker.symmetry import Perm, Sort, Symmetry
from vfpath.checker.values import Distinct, Encoder

# pairs that compare equal; the first is what ``set_a`` stores, the second ``set_b``
PAIRS = [
    (True, 1),
    (1, True),
    (0, False),
    (1.0, 1),
    ((True, "a"), (1, "a")),
    (frozenset({1}), frozenset({True})),
]


def tagged(a: Any, b: Any) -> type:
    """An actor that stores ``a`` or ``b`` and then judges it by its exact type.

    States by hand: s0; s1 holding ``a``; s1 holding ``b``; ``same`` (the value has ``a``'s
    type) and ``other``: 5 states, 4 of them past the choice. Merged: 4.
    """

    class Tagged(Actor, StateMachine):
        variables = {"v": None}
        s0 = State(initial=True)
        s1 = State()
        same = State(final=True)
        other = State(final=True)
        set_a = s0.to(s1, on="store_a")
        set_b = s0.to(s1, on="store_b")
        judge = s1.to(same, cond="typed_as_a") | s1.to(other, unless="typed_as_a")

        def store_a(self) -> None:
            self.v = a

        def store_b(self) -> None:
            self.v = b

        def typed_as_a(self) -> bool:
            return repr(self.v) == repr(a)

    return Tagged


def _tagged(a: Any, b: Any) -> System:
    return System("tagged").add("x", tagged(a, b))


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_equal_values_of_different_types_are_different_states(a: Any, b: Any) -> None:
    sysm = _tagged(a, b)
    sysm.properties.append(Property.always("never-other", lambda s: s["x"].state != "other"))
    # what a property reads has its real type: ``other`` is reached only with ``b``
    sysm.properties.append(
        Property.always(
            "other-holds-b", lambda s: s["x"].state != "other" or repr(s["x"].v) == repr(b)
        )
    )
    result = check(sysm, Options())
    assert result.stats.states == 5
    assert result["never-other"].status is Status.VIOLATED
    assert result["other-holds-b"].status is Status.HOLDS
    trace = result["never-other"].counterexample
    assert trace is not None
    stored = [st.changes["x.v"][1] for st in trace.steps if "x.v" in st.changes]
    assert [repr(v) for v in stored] == [repr(b)]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_both_semantics_agree_and_describe_is_inverted_by_pack(a: Any, b: Any) -> None:
    product = _tagged(a, b).build()
    rng = random.Random(3)
    for _ in range(12):
        walk(product, rng, 5)
    seen = explore(product, []).states
    assert len(seen) == 5
    for s in seen:
        assert product.pack(product.describe(s)) == s
    values = {repr(product.describe(s)["x.v"]) for s in seen}
    assert values == {"None", repr(a), repr(b)}


class Sender(Actor, StateMachine):
    """Sends ``True`` or ``1`` once."""

    s0 = State(initial=True)
    sent = State(final=True)
    as_bool = s0.to(sent, on="send_bool")
    as_int = s0.to(sent, on="send_int")

    def send_bool(self) -> None:
        self.emit("out", True)

    def send_int(self) -> None:
        self.emit("out", 1)


class Receiver(Actor, StateMachine):
    """Takes the message and files it by its type."""

    wait = State(initial=True)
    got_int = State(final=True)
    got_bool = State(final=True)
    take = wait.to(got_int, cond="is_int", on="get") | wait.to(got_bool, cond="is_bool", on="get")

    def is_int(self) -> bool:
        return type(self.peek("inbox")) is int

    def is_bool(self) -> bool:
        return type(self.peek("inbox")) is bool

    def get(self) -> None:
        self.recv("inbox")


def test_messages_of_different_types_stay_distinct() -> None:
    """By hand: (s0, wait, []), (sent, wait, [True]), (sent, wait, [1]), (sent, got_bool, []),
    (sent, got_int, []): 5 states, 4 transitions; merged, the receiver files both as one."""
    sysm = System("typed-messages")
    sysm.channel("c", 1)
    sysm.add("s", Sender, ports={"out": "c"})
    sysm.add("r", Receiver, ports={"inbox": "c"})
    result = check(sysm, Options())
    assert (result.stats.states, result.stats.transitions) == (5, 4)
    product = sysm.build()
    ends = {product.state_of(s, "r") for s in explore(product, []).states}
    assert ends == {"wait", "got_int", "got_bool"}
    queued = {tuple(type(m) for m in product.describe(s)["c"]) for s in explore(product, []).states}
    assert queued == {(), (bool,), (int,)}
    rng = random.Random(1)
    for _ in range(8):
        walk(product, rng, 4)


def _keep(_slot: str, value: Any, _p: Perm) -> Any:
    return value


def test_the_encoding_survives_the_symmetry_reduction() -> None:
    """Two interchangeable units, each with the 5 local states of ``tagged(True, 1)``: 25
    states, 15 orbits (unordered pairs with repetition of 5 local states). Merging True and 1
    would give 16 and 10."""
    sysm = System("two-tagged")
    cls = tagged(True, 1)
    for i in range(2):
        sysm.add(f"x{i}", cls)
    sort = Sort("x", 2, (("x0",), ("x1",)))
    sysm.meta["symmetry"] = Symmetry((sort,), _keep, frozenset(), {"x0": cls, "x1": cls}, {})
    full = check(sysm, Options(symmetry=False))
    reduced = check(sysm, Options())
    assert full.stats.states == 25
    assert reduced.extra["symmetry"]["status"] == "on"
    assert reduced.stats.states == 15


def test_the_encoder_keeps_the_first_type_plain_and_boxes_the_others() -> None:
    enc = Encoder()
    assert enc.encode(True) is True
    one = enc.encode(1)
    assert type(one) is Distinct and one != True and one != 1  # noqa: E712
    assert enc.encode(1) == one and hash(enc.encode(1)) == hash(one)
    assert enc.encode(1.0) != one  # a third type gets its own box
    assert enc.encode("x") == "x"
