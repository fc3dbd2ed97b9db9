"""What checker/symmetry.py must get right, written against the mutants of symmetry.py that
survived the fast tests in the issue-16 campaign (.ci/mutants.py).

Every expected count is worked out by hand from the model (``n`` counters that can each only
stop give ``2 ** n`` states in ``n + 1`` orbits, told apart by how many have stopped) or by a
brute-force orbit computation written here over the described states of an unreduced run; none
uses the engine's canonical forms.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from statemachine import State, StateMachine
from test_soundness import Counter, _keep

from vfpath.checker import Options, Property, Status, System, check
from vfpath.checker.actor import Actor
from vfpath.checker.explore import explore
from vfpath.checker.symmetry import Perm, Sort, Symmetry


def stoppers(
    n: int, *extra: Sort, names: Any = None, slots: frozenset[str] = frozenset()
) -> System:
    """``n`` counters with ``top = 0``: each can only stop, so by hand ``2 ** n`` states, and
    ``n + 1`` orbits under permuting the counters (how many have stopped). ``extra`` sorts are
    declared beside the counters' sort ``c`` (data sorts that rename nothing)."""
    sysm = System(f"stoppers-{n}")
    for i in range(n):
        sysm.add(f"c{i}", Counter, params={"top": 0})
    sort = Sort("c", n, tuple((f"c{i}",) for i in range(n)))
    classes = {name: spec.cls for name, spec in sysm.instances.items()}
    sym = Symmetry((sort, *extra), _keep, slots, classes)  # ``names`` left to its default
    sysm.meta["symmetry"] = sym if names is None else dataclasses.replace(sym, names=names)
    return sysm


def _assert_reduced(sysm: System, orbits: int, states: int) -> None:
    info = check(sysm).extra["symmetry"]
    assert info["status"] == "on"
    assert (info["orbits"], info["states"]) == (orbits, states)
    assert type(info["states"]) is int  # a count, printed without a fraction


# -- group sizes at the limits: 5,040 elements are still tried, 120 still checked --------------


@pytest.mark.parametrize(
    "declare",
    [
        # no ``names``: every element of the 7! = 5,040 is tried on each state
        lambda: stoppers(7),
        # names given, but each counter's own slot claims to name a counter: nothing is
        # sorted, the 5,040 elements are tried
        lambda: stoppers(7, names={"Counter.n": frozenset({"c"})}, slots=frozenset({"Counter.n"})),
    ],
    ids=["no-names", "own-slot"],
)
def test_a_group_of_exactly_5040_elements_is_tried(declare: Any) -> None:
    _assert_reduced(declare(), orbits=8, states=2**7)


def test_5040_elements_beside_the_sorted_sort_are_tried() -> None:
    # two sorted counters and a data sort of 7 values (declared without units, as data
    # sorts are): 5,040 elements of the data sort are tried on each state; it renames
    # nothing, so by hand the orbits are the counters' 3 and the states their 4
    _assert_reduced(stoppers(2, Sort("d", 7), names={}), orbits=3, states=4)


def test_eight_units_without_names_are_refused_not_tried() -> None:
    # 8! = 40,320 elements per state without a sort to sort: symmetry is off, said so
    status = check(stoppers(8)).extra["symmetry"]["status"]
    assert status.startswith("off: the declaration names no sort to sort")


def test_a_sort_of_one_member_switches_symmetry_off() -> None:
    assert check(stoppers(1, names={})).extra["symmetry"]["status"] == (
        "off (every sort has one member)"
    )


def test_a_symmetry_declared_without_classes_is_used() -> None:
    sysm = stoppers(3, names={})
    sym = sysm.meta["symmetry"]
    sysm.meta["symmetry"] = Symmetry(sym.sorts, sym.remap, sym.slots, names=sym.names)
    _assert_reduced(sysm, orbits=4, states=8)


def _at_most_six_stopped(s: Any) -> bool:
    return sum(s[f"c{i}"].state == "done" for i in range(len(s.instances()))) <= 6


def test_a_property_declared_symmetric_keeps_a_group_too_large_to_check() -> None:
    # 6! = 720 elements, more than the 120 a property not declared symmetric is checked
    # against; this one is declared symmetric over ``c``, the only sort that moves (``z``
    # has one member), so the reduction stays on
    sysm = stoppers(6, Sort("z", 1), names={})
    sysm.properties.append(Property.always("bounded", _at_most_six_stopped, symmetric=("c",)))
    _assert_reduced(sysm, orbits=7, states=2**6)


def test_an_undeclared_property_switches_a_group_of_720_off() -> None:
    sysm = stoppers(6, names={})
    sysm.properties.append(Property.always("bounded", _at_most_six_stopped))
    result = check(sysm)
    assert result.extra["symmetry"]["status"].startswith(
        "off: property 'bounded' is not declared symmetric over every sort, and a group of 720"
    )
    assert result.stats.states == 2**6
    assert result["bounded"].status is Status.HOLDS


def test_an_undeclared_property_is_checked_against_a_group_of_120() -> None:
    sysm = stoppers(5, names={})
    sysm.properties.append(Property.always("bounded", _at_most_six_stopped))
    _assert_reduced(sysm, orbits=6, states=2**5)


# -- a data sort that units name: canonical forms must try every renaming of it ----------------


class Painter(Actor, StateMachine):
    """Paints itself one of three colours and may repaint it any colour: ``col`` names an
    index of the data sort ``d`` (None while blank)."""

    variables = {"col": None}
    blank = State(initial=True)
    painted = State()
    paint0 = blank.to(painted, on="set0") | painted.to.itself(on="set0")
    paint1 = blank.to(painted, on="set1") | painted.to.itself(on="set1")
    paint2 = blank.to(painted, on="set2") | painted.to.itself(on="set2")

    def set0(self) -> None:
        self.col = 0

    def set1(self) -> None:
        self.col = 1

    def set2(self) -> None:
        self.col = 2


def _recolour(slot: str, value: Any, p: Perm) -> Any:
    assert slot == "Painter.col"
    return None if value is None else p["d"][value]


def painters(n: int) -> System:
    sysm = System(f"painters-{n}")
    for i in range(n):
        sysm.add(f"q{i}", Painter)
    slots = frozenset({"Painter.col"})
    sysm.meta["symmetry"] = Symmetry(
        (Sort("q", n, tuple((f"q{i}",) for i in range(n))), Sort("d", 3)),
        _recolour,
        slots,
        {name: spec.cls for name, spec in sysm.instances.items()},
        {"Painter.col": frozenset({"d"})},
    )
    return sysm


def _painter_orbits(n: int, states: list[dict[str, Any]]) -> set[frozenset[tuple[Any, ...]]]:
    """Orbits by brute force: every permutation of the painters times every one of the
    colours, applied to the described states."""
    orbits = set()
    for d in states:
        cols = [d[f"q{i}.col"] for i in range(n)]
        images = frozenset(
            tuple(None if c is None else sigma[c] for c in (cols[k] for k in pi))
            for pi in itertools.permutations(range(n))
            for sigma in itertools.permutations(range(3))
        )
        orbits.add(images)
    return orbits


@pytest.mark.parametrize("n", [2, 3])
def test_painter_orbits_match_a_brute_force_count(n: int) -> None:
    sysm = painters(n)
    product = sysm.build()
    plain = explore(product, [], Options(symmetry=False))
    described = [product.describe(s) for s in plain.states]
    assert len(described) == 4**n  # by hand: blank or one of three colours, each painter
    orbits = _painter_orbits(n, described)
    info = check(sysm).extra["symmetry"]
    assert info["status"] == "on"
    assert (info["orbits"], info["states"]) == (len(orbits), 4**n)
    assert sum(len(o) for o in orbits) == 4**n


# -- the renaming hook sees messages as they were sent, on every channel -----------------------


class Flagger(Actor, StateMachine):
    """Puts one message on its own channel: its index and a flag, ``True`` or ``1`` (equal
    values of different types, which the product keeps apart by boxing the one met later)."""

    me = 0
    idle = State(initial=True)
    sent = State(final=True)
    send_true = idle.to(sent, on="put_true")
    send_one = idle.to(sent, on="put_one")

    def put_true(self) -> None:
        self.emit("out", ("from", self.me, True))

    def put_one(self) -> None:
        self.emit("out", ("from", self.me, 1))


def _rename_sender(slot: str, value: Any, p: Perm) -> Any:
    if slot == "Flagger.me":  # when the declaration lists the param (mirror checks rename it)
        return p["f"][value]
    return tuple((tag, p["f"][who], flag) for tag, who, flag in value)


def flaggers(*slots: str) -> System:
    """Two flaggers, each with its channel; ``slots`` are the renamed ones."""
    sysm = System("flaggers")
    for i in (0, 1):
        sysm.channel(f"ch{i}", 1)
        sysm.add(f"f{i}", Flagger, params={"me": i}, ports={"out": f"ch{i}"})
    sysm.meta["symmetry"] = Symmetry(
        (Sort("f", 2, (("f0", "ch0"), ("f1", "ch1"))),),
        _rename_sender,
        frozenset(slots),
        {name: spec.cls for name, spec in sysm.instances.items()},
        {s: frozenset({"f"}) for s in slots},
    )
    return sysm


def test_the_hook_sees_unboxed_messages_on_the_first_channel() -> None:
    # by hand: each flagger is idle (empty channel) or has sent True or 1, 3 * 3 = 9 states;
    # swapping the two leaves (idle, idle), (True, True), (1, 1) alone and pairs the other
    # six: 6 orbits
    sysm = flaggers("ch0", "ch1")
    assert check(sysm, Options(symmetry=False)).stats.states == 9
    _assert_reduced(sysm, orbits=6, states=9)
