"""What checker/compile.py must get right, judged by python-statemachine's own ``send()``.

Each actor below uses one feature of the library that the compiler turns into tables: the order
of before/exit/on/enter/after actions and which state is active while each runs, self and
internal transitions, the initial state's enter actions, convention callbacks filtered by event,
guards written as properties, static and class methods, plain functions and ``unless``, final
states. The oracle (tests/checker/oracle.py) explores the same system through live instances;
both graphs must be equal. These tests were written against mutants of compile.py that survived
the older suite (the README's mutation table).
"""

from __future__ import annotations

from typing import Any

import pytest
from oracle import assert_agree
from statemachine import State, StateMachine

from vfpath.checker import DefinitionError, Options, Status, System, check
from vfpath.checker.actor import Actor
from vfpath.checker.compile import compile_actor
from vfpath.checker.explore import explore


class Entries(Actor, StateMachine):
    """Logs every action it runs with the active state it sees, so order and ``is_active``
    are part of the state. Every event is capped by ``room`` to keep the graph finite."""

    variables = {"log": ()}

    a = State(initial=True)
    b = State()

    go = a.to(b, cond="room", before="b_go", on="o_go", after="a_go")
    loop = b.to.itself(cond="room", on="o_loop")
    inner = b.to.itself(cond="room", internal=True, on="o_inner")
    back = b.to(a, cond="room")

    def room(self) -> bool:
        return len(self.log) < 9

    def _note(self, what: str) -> None:
        self.log = (*self.log, f"{what}:{'a' if self.a.is_active else 'b'}")

    def b_go(self) -> None:
        self._note("before")

    def o_go(self) -> None:
        self._note("on")

    def a_go(self) -> None:
        self._note("after")

    def o_loop(self) -> None:
        self._note("loop")

    def o_inner(self) -> None:
        self._note("inner")

    def on_enter_a(self) -> None:
        self._note("enter_a")

    def on_exit_a(self) -> None:
        self._note("exit_a")

    def on_enter_b(self) -> None:
        self._note("enter_b")

    def on_exit_b(self) -> None:
        self._note("exit_b")


class EntriesOn(Entries):
    """The same, with the library's switch that makes an internal self transition enter its
    state again (StateMachine's default is off)."""

    enable_self_transition_entries = True


def _one(cls: type) -> System:
    return System(cls.__name__).add("x", cls)


def _logs(system: System) -> set[tuple[str, ...]]:
    product = system.build()
    states, _edges = assert_agree(system)
    return {product.describe(s)["x.log"] for s in states}


FIRST_GO = ("enter_a:a", "before:a", "exit_a:a", "on:a", "enter_b:b", "after:b")


def test_action_order_and_active_state_agree_with_the_library() -> None:
    logs = _logs(_one(Entries))
    # by hand: the initial enter runs at start; go runs before, exit, on with a active, then
    # enter and after with b active
    assert ("enter_a:a",) in logs
    assert FIRST_GO in logs
    # an external self transition exits and enters (python-statemachine 3 does, whatever
    # enable_self_transition_entries says: the compiler used to skip both), an internal one
    # does neither
    assert (*FIRST_GO, "exit_b:b", "loop:b", "enter_b:b") in logs
    assert (*FIRST_GO, "inner:b") in logs


def test_self_transition_entries_switched_on_agree_with_the_library() -> None:
    logs = _logs(_one(EntriesOn))
    # by hand: the internal self transition now enters b again, still without exiting it
    assert (*FIRST_GO, "inner:b", "enter_b:b") in logs
    assert (*FIRST_GO, "exit_b:b", "loop:b", "enter_b:b") in logs
    assert (*FIRST_GO, "inner:b") not in logs


def plain_guard() -> bool:
    return True


class Guards(Actor, StateMachine):
    """Guards of every kind the compiler resolves; ``n`` counts steps modulo 4.

    ``step`` has two transitions in library order: the first is taken whenever its guards
    hold, so ``other`` is reached only when they do not.
    """

    variables = {"n": 0, "seen": ()}
    limit = 2  # a class constant a static guard cannot see, a class method can

    s = State(initial=True)
    t = State()
    other = State()
    done = State(final=True)

    step = s.to(t, cond=["even", "small"], unless="at_three", on="count") | s.to(other, on="count")
    ret = t.to(s, cond="yes_static", on="mark_t") | other.to(s, cond="yes_class", on="mark_o")
    fin = s.to(done, cond=plain_guard, unless="busy")
    x_or_y = t.to(s, event="x_ev y_ev", cond="room")

    @property
    def even(self) -> bool:
        return self.n % 2 == 0

    @staticmethod
    def yes_static() -> bool:
        return True

    @classmethod
    def yes_class(cls) -> bool:
        return cls.limit == 2

    def small(self) -> bool:
        return self.n < 3

    def at_three(self) -> bool:
        return self.n == 3

    def busy(self) -> bool:
        return self.n != 2

    def room(self) -> bool:
        return len(self.seen) < 3

    def count(self) -> None:
        self.n = (self.n + 1) % 4

    def mark_t(self) -> None:
        self.seen = (*self.seen, "t")[-3:]

    def mark_o(self) -> None:
        self.seen = (*self.seen, "o")[-3:]

    def on_x_ev(self) -> None:
        self.seen = (*self.seen, "x")

    def on_y_ev(self) -> None:
        self.seen = (*self.seen, "y")


def test_guard_kinds_and_event_filtered_conventions_agree_with_the_library() -> None:
    system = _one(Guards)
    states, edges = assert_agree(system)
    product = system.build()
    seen = {product.describe(s)["x.seen"] for s in states}
    labels = {label for _s, label, _t in edges}
    # by hand: from s with n = 0 the property and the method hold and n != 3: step goes to t
    # and counts; x_ev then logs only "x", y_ev only "y"; fin needs n == 2 (unless busy)
    assert {"x.step", "x.ret", "x.fin", "x.x_ev", "x.y_ev"} <= labels
    assert ("x",) in seen and ("y",) in seen and ("x", "y") not in seen
    assert ("o",) in seen  # n = 1 is odd: the first transition's guard fails, other is taken
    ex = explore(system.build(), [], Options(symmetry=False))
    assert len(ex.states) == len(states)


class Ends(Actor, StateMachine):
    """Stops in a final state or, with ``bad``, in a state that is not final."""

    run = State(initial=True)
    ok = State(final=True)
    stuck = State()
    finish = run.to(ok)
    jam = run.to(stuck, cond="bad")
    unjam = stuck.to(run, cond="never")  # the library wants a way out; it is never taken
    bad_param = False

    def never(self) -> bool:
        return False

    def bad(self) -> bool:
        return bool(self.bad_param)


@pytest.mark.parametrize(("bad", "deadlock"), [(False, False), (True, True)])
def test_final_states_are_no_deadlock(bad: bool, deadlock: bool) -> None:
    system = System("ends").add("e", Ends, params={"bad_param": bad})
    table = compile_actor(Ends)
    assert table.final == frozenset({table.code["ok"]})
    result = check(system, Options(symmetry=False))
    assert (result["deadlock-free"].status is Status.VIOLATED) == deadlock


def test_events_from_lists_the_events_leaving_a_state() -> None:
    table = compile_actor(Entries)
    assert table.events_from(table.code["a"]) == ("go",)
    assert set(table.events_from(table.code["b"])) == {"loop", "inner", "back"}


class Nested(Actor, StateMachine):
    """A compound state: python-statemachine runs it, the compiled tables cannot hold it."""

    class outer(State.Compound):
        a = State(initial=True)
        b = State(final=True)
        go = a.to(b)

    done = State(final=True)
    leave = outer.to(done)


def test_a_compound_state_is_refused_naming_it() -> None:
    with pytest.raises(DefinitionError, match=r"Nested: compound state 'outer' is not supported"):
        compile_actor(Nested)


class Flexible(Actor, StateMachine):
    """Callbacks whose extra parameters all have defaults or are ``*args``/``**kwargs``: the
    library calls them with nothing they need, so they are accepted."""

    variables = {"n": 0}

    s = State(initial=True)
    step = s.to.itself(cond="room", on="add")

    def room(self, *args: Any, **kwargs: Any) -> bool:
        return self.n < 2

    def add(self, by: int = 1) -> None:
        self.n += by


def test_parameters_with_defaults_or_star_are_accepted() -> None:
    states, _edges = assert_agree(_one(Flexible))
    # by hand: n = 0, 1, 2
    assert len(states) == 3


class Plain(Actor, StateMachine):
    """A well-formed actor to derive variants from."""

    s0 = State(initial=True)
    s1 = State(final=True)
    go = s0.to(s1)


@pytest.mark.parametrize(
    "name", ["peer", "peers", "peek", "pending", "recv", "emit", "drain", "arg"]
)
def test_overriding_any_world_call_is_refused(name: str) -> None:
    # each world call is answered by the explorer itself; an override would only run live
    variant = type("Overrides", (Plain,), {name: lambda self, *a: None})
    with pytest.raises(DefinitionError, match=rf"Overrides\.{name} overrides a world call"):
        compile_actor(variant)


class Dunders(Plain):
    """Defines dunder methods python-statemachine's StateMachine also has: not callbacks the
    library skips, just Python protocol; accepted."""

    def __repr__(self) -> str:
        return "Dunders()"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


def test_dunder_methods_are_not_taken_for_shadowed_library_names() -> None:
    table = compile_actor(Dunders)
    assert table.states == ("s0", "s1")


class AsksType(Actor, StateMachine):
    """Reads type(self) in a guard; its subclass below has no source of its own."""

    s0 = State(initial=True)
    s1 = State(final=True)
    go = s0.to(s1, cond="exact")

    def exact(self) -> bool:
        return type(self) is AsksType


def test_a_base_class_is_read_even_when_a_subclass_has_no_source() -> None:
    # a class made by type() has no source: the check must go on to its bases, not stop
    dynamic = type("Dynamic", (AsksType,), {})
    with pytest.raises(DefinitionError, match=r"Dynamic\.exact: type\(self\)"):
        compile_actor(dynamic)


class WritesExtra(Actor, StateMachine):
    """Writes an undeclared attribute of self, and an attribute of a local object (fine)."""

    variables = {"n": 0}
    s0 = State(initial=True)
    s1 = State(final=True)
    go = s0.to(s1, on="mark")

    def mark(self) -> None:
        box = type("Box", (), {})()
        box.extra = 1
        self.extra = box.extra


class WritesLocal(Actor, StateMachine):
    """Writes only an attribute of a local object: nothing the stand-in carries over."""

    variables = {"n": 0}
    s0 = State(initial=True)
    s1 = State(final=True)
    go = s0.to(s1, on="mark")

    def mark(self) -> None:
        box = type("Box", (), {})()
        box.extra = 1
        self.n = box.extra


def test_an_undeclared_write_is_refused_when_compiling_not_only_when_run() -> None:
    with pytest.raises(DefinitionError, match=r"WritesExtra\.mark: writes self\.extra"):
        compile_actor(WritesExtra)
    table = compile_actor(WritesLocal)
    assert table.variables == ("n",)
    states, _edges = assert_agree(_one(WritesLocal))
    assert len(states) == 2
