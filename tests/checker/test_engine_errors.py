"""Definition and wiring errors fail fast and name the offender; limits never say "holds"."""

from __future__ import annotations

import pytest
from models import Fork, Philosopher, peterson, philosophers, pipeline
from statemachine import State, StateMachine

from vfpath.checker import (
    DefinitionError,
    LimitError,
    Options,
    Status,
    System,
    VfpathError,
    WiringError,
    check,
)
from vfpath.checker.actor import Actor
from vfpath.checker.compile import compile_actor


class ExpressionGuard(Actor, StateMachine):
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b, cond="ready and steady")

    def ready(self) -> bool:
        return True

    def steady(self) -> bool:
        return True


class MissingGuard(Actor, StateMachine):
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b, cond="nowhere_defined")


class GuardWithArgument(Actor, StateMachine):
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b, cond="wants_arg")

    def wants_arg(self, n: int) -> bool:
        return n > 0


class VariableLikeState(Actor, StateMachine):
    variables = {"b": 0}
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b)


class ReservedVariable(Actor, StateMachine):
    variables = {"peer": 0}
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b)


class WithValidator(Actor, StateMachine):
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b, validators="check_it")

    def check_it(self) -> None:
        return None


class DoubleRecv(Actor, StateMachine):
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b, cond="has_msg", on="take_two")

    def has_msg(self) -> bool:
        return self.peek("inbox") is not None

    def take_two(self) -> None:
        self.recv("inbox")
        self.recv("inbox")


class Sender(Actor, StateMachine):
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b, on="put")

    def put(self) -> None:
        self.emit("out", 1)


class UnguardedRecv(Actor, StateMachine):
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b, on="take")

    def take(self) -> None:
        self.recv("inbox")


@pytest.mark.parametrize(
    ("cls", "fragments"),
    [
        (ExpressionGuard, ["ExpressionGuard", "ready and steady", "expression"]),
        (MissingGuard, ["MissingGuard", "nowhere_defined", "not defined"]),
        (GuardWithArgument, ["GuardWithArgument", "wants_arg", "no arguments"]),
        (VariableLikeState, ["VariableLikeState", "['b']"]),
        (WithValidator, ["WithValidator", "validators", "a -> b"]),
    ],
)
def test_definition_errors_name_the_offender(cls: type, fragments: list[str]) -> None:
    with pytest.raises(DefinitionError) as info:
        compile_actor(cls)
    for fragment in fragments:
        assert fragment in str(info.value)
    # the same error surfaces when a system using the class is built
    with pytest.raises(DefinitionError):
        System().add("x", cls).build()


def test_not_a_state_machine_is_refused() -> None:
    with pytest.raises(DefinitionError, match="not a python-statemachine"):
        compile_actor(int)  # type: ignore[arg-type]


def test_reserved_variable_names_are_refused() -> None:
    with pytest.raises(DefinitionError, match=r"ReservedVariable.*\['peer'\].*reserved"):
        System().add("x", ReservedVariable).build()


def test_receiving_twice_in_one_step_is_refused() -> None:
    sysm = System().channel("c", 2)
    sysm.add("s", Sender, ports={"out": "c"}).add("r", DoubleRecv, ports={"inbox": "c"})
    with pytest.raises(DefinitionError, match=r"r: recv\('inbox'\) twice"):
        check(sysm)


def test_receiving_from_an_empty_channel_is_refused() -> None:
    sysm = System().channel("c", 1).add("r", UnguardedRecv, ports={"inbox": "c"})
    with pytest.raises(DefinitionError, match=r"r: recv\('inbox'\) on an empty channel"):
        check(sysm)


def _phil_pair() -> System:
    return System().add("phil", Philosopher).add("fork", Fork)


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda: System().build(), "no instances"),
        (lambda: _phil_pair().add("phil", Philosopher), "'phil' is added twice"),
        (lambda: _phil_pair().channel("c").channel("c"), "channel 'c' is declared twice"),
        (lambda: _phil_pair().channel("c", 0), "channel 'c': capacity"),
        (lambda: _phil_pair().sync("s", ("phil", "take_left")), "'s' needs at least two"),
        (
            lambda: (
                _phil_pair()
                .sync("s", ("phil", "take_left"), ("fork", "pick_a"))
                .sync("s", ("phil", "put_down"), ("fork", "drop_a"))
            ),
            "'s' is declared twice",
        ),
        (
            lambda: _phil_pair().sync("s", ("ghost", "take_left"), ("fork", "pick_a")).build(),
            "sync 's': unknown instance 'ghost'",
        ),
        (
            lambda: _phil_pair().sync("s", ("phil", "fly"), ("fork", "pick_a")).build(),
            "sync 's': phil has no event 'fly'",
        ),
        (
            lambda: System().add("p", Philosopher, peers={"other": "nobody"}).build(),
            "p: peer 'other' names unknown 'nobody'",
        ),
        (
            lambda: System().add("s", Sender, ports={"out": "nowhere"}).build(),
            "s: port 'out' names unknown channel 'nowhere'",
        ),
        (
            lambda: System().add("f", Fork, init={"colour": 1}).build(),
            r"f: init names unknown variables \['colour'\]",
        ),
        (lambda: philosophers(3).replace({"Spoon": Fork}), r"no instance or actor class.*Spoon"),
    ],
)
def test_wiring_errors_name_the_offender(build, pattern: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WiringError, match=pattern):
        build()


def test_a_port_missing_from_the_wiring_is_named_when_used() -> None:
    sysm = System().channel("c").add("s", Sender)
    with pytest.raises(WiringError, match="s: no port 'out'"):
        check(sysm)


def test_every_error_is_a_vfpath_error() -> None:
    for exc in (DefinitionError, WiringError, LimitError):
        assert issubclass(exc, VfpathError)


# -- limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [Options(max_states=0), Options(max_memory_mb=0)])
def test_nonsense_limits_are_refused(options: Options) -> None:
    with pytest.raises(LimitError):
        check(peterson(), options)


@pytest.mark.parametrize(
    "make",
    [peterson, lambda: philosophers(5, put_back=True), pipeline],
    ids=["peterson", "philosophers-5", "pipeline"],
)
@pytest.mark.parametrize("limit", [1, 5])
def test_state_limit_is_incomplete_and_never_holds(make, limit: int) -> None:  # type: ignore[no-untyped-def]
    full = check(make())
    assert full.stats.states > limit + 10, "the model must be larger than the limit"
    result = check(make(), Options(max_states=limit))
    assert result.complete is False and result.stats.complete is False
    assert "state limit" in result.stats.stop_reason
    assert result.stats.states < full.stats.states
    assert not result
    for p in result.properties:
        if p.witness is None:
            assert p.status is Status.UNKNOWN, p.name
        else:  # a reachability goal already witnessed is a proof even on a partial run
            assert p.status is Status.HOLDS
    with pytest.raises(AssertionError, match="INCOMPLETE"):
        result.assert_holds()


def test_violation_found_before_the_limit_is_still_reported() -> None:
    from vfpath.checker import Property

    sysm = philosophers(6, put_back=True)
    sysm.properties.append(
        Property.always("phil0-never-eats", lambda s: s["phil[0]"].state != "eating")
    )
    result = check(sysm, Options(max_states=40))
    assert not result.complete
    prop = result["phil0-never-eats"]
    assert prop.status is Status.VIOLATED
    assert prop.counterexample is not None and len(prop.counterexample) == 2
    assert result["deadlock-free"].status is Status.UNKNOWN
