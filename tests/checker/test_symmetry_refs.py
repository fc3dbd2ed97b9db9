"""Symmetry with a cross-unit reference: a shared arbiter stores the index of the process it
granted, so every renaming must rewrite that value, and processes with equal contents are
told apart only by it. Oracle: the unreduced run (same verdicts, same concrete count) and
the group enumerated element by element (orbit sizes)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from statemachine import State, StateMachine

from vfpath.checker import Options, Property, Status, System, check
from vfpath.checker.actor import Actor
from vfpath.checker.explore import explore
from vfpath.checker.symmetry import Perm, Reduction, Sort, Symmetry


class Proc(Actor, StateMachine):
    """Thinks, asks the arbiter (a rendezvous carrying its index), works, gives back."""

    variables = {"rounds": 0}
    idle = State(initial=True)
    crit = State()
    enter = idle.to(crit)
    leave = crit.to(idle, on="count")

    def count(self) -> None:
        self.rounds = min(self.rounds + 1, 2)


class Arbiter(Actor, StateMachine):
    variables = {"owner": None, "last": None}
    free = State(initial=True)
    held = State()
    grant = free.to(held, on="take")
    release = held.to(free, on="give_back")

    def take(self) -> None:
        self.owner = self.arg("who")

    def give_back(self) -> None:
        self.last, self.owner = self.owner, None


def _rename(slot: str, value: Any, p: Perm) -> Any:
    assert slot in ("Arbiter.owner", "Arbiter.last")
    return None if value is None else p["p"][value]


def arbiter(n: int, *props: Property) -> System:
    sysm = System(f"arbiter-{n}").add("arb", Arbiter)
    for i in range(n):
        sysm.add(f"p{i}", Proc)
        sysm.sync(f"p{i}.enter", (f"p{i}", "enter"), ("arb", "grant"), args={"who": i})
        sysm.sync(f"p{i}.leave", (f"p{i}", "leave"), ("arb", "release"))
    slots = frozenset({"Arbiter.owner", "Arbiter.last"})
    sysm.meta["symmetry"] = Symmetry(
        (Sort("p", n, tuple((f"p{i}",) for i in range(n))),),
        _rename,
        slots,
        {name: spec.cls for name, spec in sysm.instances.items()},
        {s: frozenset({"p"}) for s in slots},
    )
    sysm.properties.extend(props)
    return sysm


def _owner_works(s: Any) -> bool:
    """The arbiter's owner is the one process at work (true in every reachable state)."""
    o = s["arb"].owner
    busy = [i for i in range(len(s.instances()) - 1) if s[f"p{i}"].state == "crit"]
    return busy == ([] if o is None else [o])


def _last_was_counted(s: Any) -> bool:
    """Whoever left last has finished a round (false only under a wrong renaming)."""
    last = s["arb"].last
    return last is None or s[f"p{last}"].rounds >= 1


@pytest.mark.parametrize("n", [2, 3])
def test_reduced_and_plain_runs_agree_with_a_cross_reference(n: int) -> None:
    props = [
        Property.always("owner-works", _owner_works, symmetric=("p",)),
        Property.always("last-counted", _last_was_counted, symmetric=("p",)),
        Property.sometimes(
            "someone-done",
            lambda s: any(s[f"p{i}"].rounds == 2 for i in range(n)),
            symmetric=("p",),
        ),
    ]
    plain = check(arbiter(n, *props), Options(symmetry=False))
    red = check(arbiter(n, *props))
    assert red.extra["symmetry"]["status"] == "on"
    assert [(p.name, p.status) for p in red.properties] == [
        (p.name, p.status) for p in plain.properties
    ]
    assert all(p.status is Status.HOLDS for p in plain.properties)
    # the initial state is symmetric: the orbits hold exactly the reachable states
    assert red.extra["symmetry"]["exact"] is True
    assert red.extra["symmetry"]["states"] == plain.stats.states
    assert red.stats.states < plain.stats.states


def _assert_orbits_match_the_group(product: Any, red: Reduction) -> None:
    """Each reachable state's orbit, enumerated from the group, has the size and the
    representative the canonical form claims."""
    for s in explore(product, []).states:
        images = red.images(s)
        rep, size = red.canon_size(s)
        assert size == len(set(images))
        assert rep in images
        assert all(red.canon(t) == rep for t in images)


def test_orbit_sizes_match_the_enumerated_group() -> None:
    sysm = arbiter(3)
    product = sysm.build()
    red = Reduction(product, sysm.meta["symmetry"])
    assert red.sorted_sort is not None and red.sorted_sort.name == "p"
    _assert_orbits_match_the_group(product, red)


# -- two sorts and unit channels: processes and arbiters name each other ----------------------


class Client(Actor, StateMachine):
    """Asks an arbiter, waits for its grant message (which names the arbiter), works, leaves."""

    variables = {"at": None}
    idle = State(initial=True)
    waiting = State()
    crit = State()
    ask = idle.to(waiting)
    take = waiting.to(crit, cond="granted", on="note")
    leave = crit.to(idle, cond="mine", on="forget")

    def granted(self) -> bool:
        return self.peek("inbox") is not None

    def note(self) -> None:
        self.at = self.recv("inbox")[1]

    def mine(self) -> bool:
        return bool(self.at == self.arg("arb"))

    def forget(self) -> None:
        self.at = None


class Desk(Actor, StateMachine):
    """An arbiter that grants to one client at a time and tells it so on its channel."""

    variables = {"owner": None}
    free = State(initial=True)
    held = State()
    grant = free.to(held, on="take")
    release = held.to(free, on="give_back")

    def take(self) -> None:
        who = self.arg("who")
        self.owner = who
        self.emit(f"to{who}", ("grant", self.arg("arb")))

    def give_back(self) -> None:
        self.owner = None


def _rename2(slot: str, value: Any, p: Perm) -> Any:
    if value is None:
        return None
    if slot == "Client.at":
        return p["a"][value]
    if slot == "Desk.owner":
        return p["p"][value]
    return tuple(("grant", p["a"][m[1]]) for m in value)  # a client's channel


def desks(n: int, *props: Property) -> System:
    sysm = System(f"desks-{n}")
    for j in (0, 1):
        sysm.add(f"d{j}", Desk, ports={f"to{i}": f"ch{i}" for i in range(n)})
    for i in range(n):
        sysm.channel(f"ch{i}", 1)
        sysm.add(f"c{i}", Client, ports={"inbox": f"ch{i}"})
        for j in (0, 1):
            sysm.sync(
                f"c{i}.ask(d{j})", (f"c{i}", "ask"), (f"d{j}", "grant"), args={"who": i, "arb": j}
            )
            sysm.sync(
                f"c{i}.leave(d{j})", (f"c{i}", "leave"), (f"d{j}", "release"), args={"arb": j}
            )
    slots = frozenset({"Client.at", "Desk.owner", *(f"ch{i}" for i in range(n))})
    names = {s: frozenset({"a"}) for s in slots}
    names["Desk.owner"] = frozenset({"p"})
    sysm.meta["symmetry"] = Symmetry(
        (
            Sort("p", n, tuple((f"c{i}", f"ch{i}") for i in range(n))),
            Sort("a", 2, (("d0",), ("d1",))),
        ),
        _rename2,
        slots,
        {name: spec.cls for name, spec in sysm.instances.items()},
        names,
    )
    sysm.properties.extend(props)
    return sysm


def _consistent(s: Any) -> bool:
    """A desk's owner waits for its grant (on its channel, naming the desk) or works at it."""
    n = len(s.instances()) - 2
    for j in (0, 1):
        o = s[f"d{j}"].owner
        if o is None:
            continue
        c = s[f"c{o}"]
        if c.state == "waiting" and s.channel(f"ch{o}") != (("grant", j),):
            return False
        if c.state == "crit" and c.at != j:
            return False
    return all(s[f"c{i}"].state != "idle" or s[f"c{i}"].at is None for i in range(n))


def test_two_sorts_with_unit_channels_agree_with_the_plain_run() -> None:
    prop = Property.always("desks-consistent", _consistent, symmetric=("p", "a"))
    plain = check(desks(3, prop), Options(symmetry=False))
    red = check(desks(3, prop))
    assert red.extra["symmetry"]["status"] == "on"
    assert plain["desks-consistent"].status is Status.HOLDS
    assert [(p.name, p.status) for p in red.properties] == [
        (p.name, p.status) for p in plain.properties
    ]
    assert red.extra["symmetry"]["states"] == plain.stats.states
    assert red.stats.states < plain.stats.states
    info = red.extra["symmetry"]
    assert (info["group"], info["orbits"]) == (12, red.stats.states)
    assert info["factor"] == pytest.approx(plain.stats.states / red.stats.states)


def test_two_sorts_orbit_sizes_match_the_enumerated_group() -> None:
    sysm = desks(3)
    product = sysm.build()
    red = Reduction(product, sysm.meta["symmetry"])
    assert red.sorted_sort is not None and red.sorted_sort.name == "p"
    assert red.order == 12
    _assert_orbits_match_the_group(product, red)


class LoudDesk(Desk):
    """Sends its grant twice: the client's channel (capacity 1) overflows."""

    def take(self) -> None:
        super().take()
        self.emit(f"to{self.arg('who')}", ("grant", self.arg("arb")))


def test_an_overflow_under_symmetry_has_a_real_counterexample() -> None:
    sysm = desks(2).replace({"Desk": LoudDesk})
    sysm.meta["symmetry"] = dataclasses.replace(
        sysm.meta["symmetry"], classes={n: sp.cls for n, sp in sysm.instances.items()}
    )
    plain = check(sysm, Options(symmetry=False))
    red = check(sysm)
    assert red.extra["symmetry"]["status"] == "on"
    for r in (plain, red):
        bounded = r["channels-bounded"]
        assert bounded.status is Status.VIOLATED
        assert bounded.counterexample is not None
        assert len(bounded.counterexample.steps) == 1
        assert bounded.counterexample.steps[0].label.endswith(".ask(d0)")
