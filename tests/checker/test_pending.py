"""``self.pending(port)``: a guard may ask how many messages wait on a channel (issue 17).

The model: a producer that puts a message only while fewer than two wait on a channel of
capacity three, and a consumer that takes them. By hand: the channel holds 0, 1 or 2 messages
(3 states); puts from 0 and 1, takes from 1 and 2 (4 transitions); it never overflows. The
compiled product and the live python-statemachine instances must agree step by step.
"""

from __future__ import annotations

import random

from statemachine import State, StateMachine
from test_differential import walk

from vfpath.checker import Options, System, check
from vfpath.checker.actor import Actor


class Polite(Actor, StateMachine):
    ready = State(initial=True)
    put = ready.to.itself(cond="room", on="post")

    def room(self) -> bool:
        return self.pending("out") < 2

    def post(self) -> None:
        self.emit("out", "m")


class Taker(Actor, StateMachine):
    ready = State(initial=True)
    take = ready.to.itself(cond="waiting", on="get")

    def waiting(self) -> bool:
        return self.pending("inbox") > 0

    def get(self) -> None:
        self.recv("inbox")


def polite() -> System:
    s = System("polite")
    s.channel("c", 3)
    s.add("p", Polite, ports={"out": "c"})
    s.add("t", Taker, ports={"inbox": "c"})
    return s


def test_a_guard_can_count_the_messages_waiting() -> None:
    r = check(polite(), Options())
    assert (r.stats.states, r.stats.transitions) == (3, 4)
    assert r["channels-bounded"].status.value == "holds"


def test_the_count_agrees_with_live_semantics() -> None:
    product = polite().build()
    rng = random.Random(5)
    moves = {m for _ in range(20) for m in walk(product, rng, 30)}
    assert {product.moves[m].label for m in moves} == {"p.put", "t.take"}


class Shadowing(Actor, StateMachine):
    ready = State(initial=True)
    put = ready.to.itself(on="send")

    def send(self) -> None:  # StateMachine.send: python-statemachine refuses it as a callback
        pass


def test_a_method_shadowing_the_library_is_refused_at_compile_time() -> None:
    """python-statemachine will not resolve ``send`` as an action (InvalidDefinition when the
    live machine is built), so the explorer must not run it either: it refuses, naming it."""
    import pytest

    from vfpath.checker.errors import DefinitionError

    s = System("shadow")
    s.add("a", Shadowing)
    with pytest.raises(DefinitionError, match=r"Shadowing\.send shadows python-statemachine's"):
        check(s, Options())
