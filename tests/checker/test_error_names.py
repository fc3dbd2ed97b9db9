"""Errors that name the culprit (issue 17): a property or guard that reads a name the system
does not have says which property or instance, which name, and which names there are."""

from __future__ import annotations

import pytest
from statemachine import State, StateMachine

from vfpath.checker import Options, Property, System, check
from vfpath.checker.actor import Actor
from vfpath.checker.errors import PropertyError, VfpathError


class Counter(Actor, StateMachine):
    variables = {"x": 0}
    s0 = State(initial=True)
    s1 = State()
    go = s0.to(s1)
    back = s1.to(s0)


class Reader(Actor, StateMachine):
    s0 = State(initial=True)
    s1 = State()
    go = s0.to(s1, cond="peer_ok")
    back = s1.to(s0)

    def peer_ok(self) -> bool:
        return bool(self.peer("p").xx == 0)


def _system(*props: Property) -> System:
    s = System("t")
    s.add("a", Counter)
    s.properties = list(props)
    return s


@pytest.mark.parametrize(
    ("prop", "message"),
    [
        (
            Property.always("misspelled", lambda s: s["a"].y == 0),
            "property 'misspelled' (check): a has no variable 'y' (its variables: x)",
        ),
        (
            Property.always("no-such-instance", lambda s: s["b"].x == 0),
            "property 'no-such-instance' (check): no instance 'b' in this system "
            "(its instances: a)",
        ),
        (
            Property.always("guarded", lambda s: True, when=lambda s: s["a"].z == 1),
            "property 'guarded' (when): a has no variable 'z'",
        ),
        (
            Property.leads_to("live", lambda s: s["a"].x == 0, lambda s: s["a"].w == 1),
            "property 'live' (check): a has no variable 'w'",
        ),
        (
            Property.always("channel", lambda s: not s.channel("q")),
            "property 'channel' (check): no channel 'q' in this system (its channels: none)",
        ),
    ],
)
def test_a_property_reading_a_missing_name_is_named(prop: Property, message: str) -> None:
    with pytest.raises(PropertyError) as info:
        check(_system(prop), Options())
    assert str(info.value).startswith(message)
    assert isinstance(info.value, VfpathError)  # the CLI prints it on one line, exit 2


def test_a_property_may_still_probe_with_getattr() -> None:
    """The missing-variable error is an AttributeError too, so getattr with a default works."""
    prop = Property.always("probe", lambda s: getattr(s["a"], "y", 0) == 0)
    assert check(_system(prop), Options())["probe"].status.value == "holds"


def test_a_guard_reading_a_missing_peer_variable_names_the_reader_peer_and_alias() -> None:
    s = _system()
    s.add("b", Reader, peers={"p": "a"})
    with pytest.raises(
        AttributeError,
        match=r"b: its peer a \(alias 'p'\) has no variable 'xx' \(its variables: x\)",
    ):
        check(s, Options())


class GuardIntrospective(Actor, StateMachine):
    s0 = State(initial=True)
    s1 = State()
    go = s0.to(s1, cond="at_start")
    back = s1.to(s0)

    def at_start(self) -> bool:
        return bool(self.current_state == self.s0)


def test_current_state_in_a_guard_is_refused_naming_class_method_and_the_way_out() -> None:
    """The explorer runs no python-statemachine machinery, so ``self.current_state`` has no
    meaning there; the error names the guard and says what to read instead."""
    s = System("t")
    s.add("a", GuardIntrospective)
    with pytest.raises(VfpathError) as info:
        check(s, Options())
    message = str(info.value)
    assert message.startswith("GuardIntrospective.at_start: reads self.current_state")
    assert "is_active" in message


class Hoarder(Actor, StateMachine):
    variables = {"x": 0}
    s0 = State(initial=True)
    s1 = State()
    keep = s0.to(s1, on="store")
    send = s1.to(s0, on="post")

    def store(self) -> None:
        self.x = [1]  # a list: unhashable

    def post(self) -> None:
        self.emit("out", ["m"])


class Poster(Hoarder):
    def store(self) -> None:
        self.x = 1


def test_an_unhashable_variable_names_the_class_instance_and_variable() -> None:
    s = System("t")
    s.channel("c", 2)
    s.add("h", Hoarder, ports={"out": "c"})
    with pytest.raises(
        VfpathError, match=r"Hoarder \(h\): variable 'x' was set to \[1\], which is not hashable"
    ):
        check(s, Options())


def test_an_unhashable_message_names_the_instance_and_port() -> None:
    s = System("t")
    s.channel("c", 2)
    s.add("p", Poster, ports={"out": "c"})
    with pytest.raises(
        VfpathError, match=r"p: the message \['m'\] emitted on port 'out' is not hashable"
    ):
        check(s, Options())


class Stepper(Actor, StateMachine):
    variables = {"x": 0}
    s0 = State(initial=True)
    s1 = State()
    go = s0.to(s1, on="step")
    back = s1.to(s0)

    def step(self) -> None:
        self.x = (self.x + 1) % 3


class Doubler(Stepper):
    """A variant calling its parent with super(): the explorer's stand-in for self is an
    instance of the class, so the call resolves as in python-statemachine."""

    def step(self) -> None:
        super().step()
        self.x = (self.x * 2) % 5


class Named(Stepper):
    def step(self) -> None:
        Stepper.step(self)
        self.x = (self.x * 2) % 5


def test_super_in_a_variant_behaves_as_calling_the_parent_by_name() -> None:
    counts = []
    for cls in (Stepper, Doubler, Named):
        s = System("t")
        s.add("a", cls)
        r = check(s, Options())
        counts.append((r.stats.states, r.stats.transitions))
    assert counts[1] == counts[2] != counts[0]


class Introspective(Stepper):
    def step(self) -> None:
        if self.current_state == self.s0:
            self.x = 1


def test_current_state_in_a_method_is_refused_naming_class_and_method() -> None:
    from vfpath.checker.errors import DefinitionError

    s = System("t")
    s.add("a", Introspective)
    with pytest.raises(DefinitionError, match=r"Introspective\.step: reads self\.current_state"):
        check(s, Options())
