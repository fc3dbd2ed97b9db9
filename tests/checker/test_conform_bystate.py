"""ByState names that read the state before the step, or pick silence, and ITF traces naming
such moves by their label. Domain-free: a counter modulo 3 whose only move is seen as "up" when
it leaves 0 and is silent otherwise -- the visible effect is a change, not a final value.
"""

from __future__ import annotations

import json

from statemachine import State, StateMachine

from vfpath.checker import System
from vfpath.checker.actor import Actor
from vfpath.checker.conform import ByState, Observation, Oracle
from vfpath.checker.report import trace_to_itf
from vfpath.checker.traces import read_itf
from vfpath.checker.view import StateView


class Dial(Actor, StateMachine):
    """Counts modulo 3."""

    variables = {"n": 0}
    on = State(initial=True)
    turn = on.to.itself(on="advance")

    def advance(self) -> None:
        self.n = (self.n + 1) % 3


def leaves_zero(after: StateView, before: StateView) -> str | None:
    return "up" if before["dial"].n == 0 else None


SYSTEM = System("dial").add("dial", Dial)
SEEN = {"dial.turn": ByState(("up",), leaves_zero, before=True)}


def obs(event: str | None, n: int | None = None) -> Observation:
    return Observation(event, None, {} if n is None else {"dial.n": n})


def test_a_move_named_by_the_state_it_leaves() -> None:
    o = Oracle(SYSTEM, SEEN)
    assert o.allowed() == {"up"}
    # 0 -up-> 1 -silent-> 2 -silent-> 0 -up-> 1: two "up"s with silent turns between
    assert o.run([obs("up", 1), obs("up", 1)])


def test_a_silent_pick_is_taken_between_observations() -> None:
    o = Oracle(SYSTEM, SEEN)
    assert o.feed(obs("up"))
    # after the first "up" the silent turns reach 1, 2 and 0; from 1 and 2 nothing is seen
    assert {s[1] for s in o.states()} == {0, 1, 2}
    # but "up" never lands anywhere but 1
    assert not Oracle(SYSTEM, SEEN).run([obs("up", 2)])


def test_an_itf_trace_names_such_moves_by_label() -> None:
    o = Oracle(SYSTEM, SEEN)
    verdict = o.run([obs("up"), obs("up")])
    assert verdict and len(verdict.trace.steps) == 4  # up, silent, silent, up
    doc = trace_to_itf(verdict.trace)
    back = read_itf(json.dumps(doc), o.vocabulary())
    assert [b.event for b in back[1:]] == ["dial.turn"] * 4
    assert Oracle(SYSTEM, SEEN).run(back)
    # the labelled step still has to agree with the recorded state
    forged = [back[0], Observation("dial.turn", None, {"dial.n": 2}, 1, "", "state 1")]
    assert not Oracle(SYSTEM, SEEN).run(forged)
