"""Fairness of a set of moves as one constraint (``Fairness(..., group=True)``, TLA+'s
``WF_vars(Next_p)`` for a whole process), against per-move fairness.

The model: an environment cycles through its states forever (it is not fair: it may also stop),
and a worker may finish by one of two moves, each enabled in only some of the environment's
states. Expected verdicts, by hand: per move, neither move is continuously enabled while the
environment cycles, so weak fairness forces nothing (violated); as a group, some move of the
worker is enabled in every state of the cycle (two states) and weak fairness of the group forces
it (holds). With a third environment state in which neither move is enabled (and the
environment weakly fair, so that it keeps cycling rather than stopping there), the group is no
longer continuously enabled: weak fairness of the group fails, strong fairness of it holds.
"""

from __future__ import annotations

import pytest
from statemachine import State, StateMachine

from vfpath.checker import Fairness, Options, Property, System, check
from vfpath.checker.actor import Actor
from vfpath.checker.result import PropertyResult


class Env2(Actor, StateMachine):
    a = State(initial=True)
    b = State()
    tick = a.to(b)
    tock = b.to(a)


class Env3(Actor, StateMachine):
    a = State(initial=True)
    b = State()
    c = State()
    tick = a.to(b)
    tock = b.to(c)
    tack = c.to(a)


class Worker(Actor, StateMachine):
    idle = State(initial=True)
    done = State(final=True)
    finish_in_a = idle.to(done, cond="env_in_a")
    finish_in_b = idle.to(done, cond="env_in_b")

    def env_in_a(self) -> bool:
        return bool(self.peer("env").state == "a")

    def env_in_b(self) -> bool:
        return bool(self.peer("env").state == "b")


# with three states the environment must keep cycling (weakly fair), or a run could stop in its
# third state, where no worker move is enabled, and stutter there
ENV = Fairness("env.*")


def _finishes(env: type, fairness: tuple[Fairness, ...]) -> PropertyResult:
    """The worker eventually finishes, beside ``env``, under ``fairness``."""
    s = System("work")
    s.add("env", env)
    s.add("worker", Worker, peers={"env": "env"})
    s.properties = [
        Property.leads_to(
            "finishes",
            lambda v: v["worker"].state == "idle",
            lambda v: v["worker"].state == "done",
            fairness=fairness,
        )
    ]
    return check(s, Options(deadlock=False))["finishes"]


def _verdict(env: type, fairness: tuple[Fairness, ...]) -> str:
    return str(_finishes(env, fairness).status.value)


@pytest.mark.parametrize(
    ("env", "fairness", "expected"),
    [
        (Env2, (Fairness("worker.*"),), "violated"),
        (Env2, (Fairness("worker.*", group=True),), "holds"),
        (Env3, (ENV, Fairness("worker.*", group=True)), "violated"),
        (Env3, (ENV, Fairness("worker.*", strong=True, group=True)), "holds"),
        (Env3, (ENV, Fairness("worker.*", strong=True)), "holds"),
    ],
)
def test_a_group_is_one_constraint(
    env: type, fairness: tuple[Fairness, ...], expected: str
) -> None:
    assert _verdict(env, fairness) == expected


def test_the_lasso_of_a_violated_group_is_fair_to_the_group() -> None:
    """Weak group fairness on Env3: the counterexample cycles through the state where neither
    move is enabled (that is what makes it fair), and never takes a worker move."""
    cex = _finishes(Env3, (ENV, Fairness("worker.*", group=True))).counterexample
    assert cex is not None and cex.loop_start is not None
    loop = [step.label for step in cex.steps[cex.loop_start :]]
    assert "env.tack" in loop and not any(label.startswith("worker.") for label in loop)


class Env4(Actor, StateMachine):
    """Env3 with ``tack`` also leading back from b: the cycle a, b, a takes every fair
    environment move (tick and tack) and never disables the worker."""

    a = State(initial=True)
    b = State()
    c = State()
    tick = a.to(b)
    tock = b.to(c)
    tack = b.to(a) | c.to(a)


def test_the_lasso_takes_the_long_way_when_only_it_is_fair_to_the_group() -> None:
    """On Env4 the cycle a, b, a keeps some worker move enabled all along and never takes one,
    so weak fairness of the group rules it out; the only fair cycles pass through c, where
    neither move is enabled, and only the group's obligation sends them there (tick and tack,
    the fair environment moves, are both taken on a, b, a; tock is not fair). Found by hand:
    the component is {a, b, c}; the lasso must take tock."""
    # tick and tack fair, tock not: only the group's obligation sends the cycle through c
    fairness = (Fairness("env.tick"), Fairness("env.tack"), Fairness("worker.*", group=True))
    result = _finishes(Env4, fairness)
    assert result.status.value == "violated"
    cex = result.counterexample
    assert cex is not None and cex.loop_start is not None
    loop = [step.label for step in cex.steps[cex.loop_start :]]
    assert "env.tock" in loop, loop
    assert not any(label.startswith("worker.") for label in loop)
