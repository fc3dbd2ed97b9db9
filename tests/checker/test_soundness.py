"""Wrong verdicts the public API could be led into, each pinned by a case that used to pass.

Every test here failed on the engine before the fix it names: a sampled symmetry gate, strong
fairness satisfied by a stuttering step, ``self`` stand-ins that differ from python-statemachine,
rendezvous partners seeing each other's new state, and ``True == 1`` merging distinct states.
"""

from __future__ import annotations

import dataclasses
from array import array
from typing import Any

import pytest
from statemachine import State, StateMachine

from vfpath.checker import (
    DefinitionError,
    Fairness,
    Mirror,
    Options,
    Property,
    Status,
    System,
    check,
)
from vfpath.checker.actor import Actor
from vfpath.checker.edge_graph import Graph
from vfpath.checker.explore import explore
from vfpath.checker.fair_cycles import _Fair, _fairness, fair_components
from vfpath.checker.live import LiveSystem
from vfpath.checker.symmetry import Perm, Reduction, Sort, Symmetry

# -- symmetry: the property gate ---------------------------------------------------------------

TOP = 30


class Counter(Actor, StateMachine):
    """Counts up to TOP, then stops: two of them give TOP² interchangeable states."""

    variables = {"n": 0}
    top = TOP  # a param may lower it
    run = State(initial=True)
    done = State(final=True)
    tick = run.to.itself(cond="below", on="inc")
    stop = run.to(done, cond="at_top")

    def below(self) -> bool:
        return bool(self.n < self.top)

    def at_top(self) -> bool:
        return bool(self.n == self.top)

    def inc(self) -> None:
        self.n += 1


def _keep(_slot: str, value: Any, _p: Perm) -> Any:
    return value


def counters(*props: Property, n: int = 2, top: int = TOP) -> System:
    sysm = System("counters")
    for i in range(n):
        sysm.add(f"c{i}", Counter, params={"top": top})
    classes = {n: s.cls for n, s in sysm.instances.items()}
    sort = Sort("c", n, tuple((f"c{i}",) for i in range(n)))
    sysm.meta["symmetry"] = Symmetry((sort,), _keep, frozenset(), classes, {})
    sysm.properties.extend(props)
    return sysm


@pytest.mark.parametrize("behind", ["c0", "c1"])
def test_an_asymmetric_property_is_judged_on_every_state_not_a_sample(behind: str) -> None:
    # treats the counters differently, late in BFS order (one counter just behind the other
    # at the top); whichever of the two the reduction keeps, the verdict must be the same
    ahead = "c1" if behind == "c0" else "c0"

    def late(s: Any) -> bool:
        return not (s[behind].n == TOP - 1 and s[ahead].n == TOP)

    prop = Property.always("late-asymmetry", late)
    full = check(counters(prop), Options(symmetry=False))
    assert full["late-asymmetry"].status is Status.VIOLATED
    red = check(counters(prop))
    assert red["late-asymmetry"].status is Status.VIOLATED
    assert "late-asymmetry" in red.extra["symmetry"]["status"]


def test_a_property_declared_symmetric_keeps_the_reduction() -> None:
    prop = Property.always(
        "never-both-top",
        lambda s: not (s["c0"].n == TOP and s["c1"].n == TOP),
        symmetric=("c",),
    )
    red = check(counters(prop))
    assert red.extra["symmetry"]["status"] == "on"
    assert red["never-both-top"].status is Status.VIOLATED
    assert red.stats.states < check(counters(prop), Options(symmetry=False)).stats.states


def test_an_undeclared_symmetric_property_is_checked_and_keeps_the_reduction() -> None:
    # symmetric in fact, though not declared: checked on every state, the reduction stays on
    prop = Property.always("sum-bounded", lambda s: s["c0"].n + s["c1"].n <= 2 * TOP)
    red = check(counters(prop))
    assert red.extra["symmetry"]["status"].startswith("on")
    assert red["sum-bounded"].status is Status.HOLDS


# -- strong fairness: a stuttering step is not taking the move (TLA+ <<A>>_vars) ---------------


def test_a_self_loop_does_not_satisfy_strong_fairness() -> None:
    # a <-> b by move 1 (weakly fair); move 2 (strongly fair) loops on a and leaves b for c,
    # outside the region. The cycle a <-> b enables move 2 at b infinitely often and takes it
    # only as a stuttering self-loop at a, which in TLA+ is not a <<2>>_vars step: unfair. Alone,
    # a is left by move 1, weakly fair and continuously enabled: no fair cycle stays inside.
    a, b, c = 0, 1, 2
    edges = [(a, a, 2), (a, b, 1), (b, a, 1), (b, c, 2)]
    g = Graph(3, tuple(array("l", col) for col in zip(*edges, strict=True)))  # type: ignore[arg-type]
    assert fair_components(g, {a, b}, _Fair(weak=1 << 1, strong=1 << 2)) == []


class Spinner(Actor, StateMachine):
    """``spin`` is a self-loop in ``a`` that changes nothing, a real step in ``b``."""

    a = State(initial=True)
    b = State()
    c = State(final=True)
    flip = a.to(b) | b.to(a)
    spin = a.to.itself(internal=True) | b.to(c)


def test_strong_fairness_is_not_met_by_stuttering_in_a_system() -> None:
    sysm = System("spinner").add("s", Spinner)
    sysm.properties.append(
        Property.leads_to(
            "reaches-c",
            lambda s: True,
            lambda s: s["s"].state == "c",
            fairness=(Fairness("s.flip"), Fairness("s.spin", strong=True)),
        )
    )
    assert check(sysm)["reaches-c"].status is Status.HOLDS


# -- the explorer's stand-in for self agrees with python-statemachine, or refuses -------------


class ReadsIsActive(Actor, StateMachine):
    variables = {"seen": False}
    s0 = State(initial=True)
    s1 = State(final=True)
    go = s0.to(s1, cond="in_s0", on="note")

    def in_s0(self) -> bool:
        return bool(self.s0.is_active)

    def note(self) -> None:
        self.seen = bool(self.s0.is_active)


class StaticHelper(Actor, StateMachine):
    s0 = State(initial=True)
    s1 = State(final=True)
    go = s0.to(s1, cond="ok")

    @staticmethod
    def always() -> bool:
        return True

    def ok(self) -> bool:
        return self.always()


class ChecksItsClass(Actor, StateMachine):
    s0 = State(initial=True)
    s1 = State(final=True)
    go = s0.to(s1, cond="mine")

    def mine(self) -> bool:
        return isinstance(self, ChecksItsClass)


class AsksItsType(Actor, StateMachine):
    s0 = State(initial=True)
    s1 = State(final=True)
    go = s0.to(s1, cond="exact")

    def exact(self) -> bool:
        return type(self) is AsksItsType


class WritesUndeclared(Actor, StateMachine):
    """``mark`` writes an attribute not in ``variables``: kept on a reused stand-in, it would
    silently disable ``fresh`` in every later state."""

    variables = {"n": 0}
    s0 = State(initial=True)
    s1 = State()
    go = s0.to(s1, cond="fresh", on="mark") | s1.to(s0, on="count")

    def fresh(self) -> bool:
        return not getattr(self, "used", False)

    def mark(self) -> None:
        self.used = True

    def count(self) -> None:
        self.n = (self.n + 1) % 3


class OverridesEmit(Actor, StateMachine):
    s0 = State(initial=True)
    s1 = State(final=True)
    go = s0.to(s1)

    def emit(self, port: str, msg: Any) -> None:
        return None


def _one(cls: type) -> System:
    return System(cls.__name__).add("x", cls)


@pytest.mark.parametrize("cls", [ReadsIsActive, StaticHelper, ChecksItsClass])
def test_self_behaves_as_in_python_statemachine(cls: type) -> None:
    result = check(_one(cls))
    live = LiveSystem(_one(cls).build())
    assert result.stats.states == 2  # the guard held, as it does live
    assert live.enabled() == [0]
    live.step(0)
    last = result["deadlock-free"]
    assert last.status is Status.HOLDS
    product = _one(cls).build()
    ((_m, nxt),) = product.successors(product.initial)
    assert nxt == live.snapshot()


@pytest.mark.parametrize(
    ("cls", "fragments"),
    [
        (AsksItsType, ["AsksItsType", "exact", "type(self)"]),
        (WritesUndeclared, ["WritesUndeclared", "mark", "used"]),
        (OverridesEmit, ["OverridesEmit", "emit"]),
    ],
)
def test_what_the_stand_in_cannot_mirror_is_refused(cls: type, fragments: list[str]) -> None:
    with pytest.raises(DefinitionError) as err:
        check(_one(cls))
    for f in fragments:
        assert f in str(err.value)


# -- rendezvous: every part's guards see the state before the step, in both semantics --------


class Leader(Actor, StateMachine):
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b)


class Follower(Actor, StateMachine):
    """Takes part in the rendezvous only if the leader has not moved yet."""

    variables = {"saw": ""}
    a = State(initial=True)
    b = State(final=True)
    go = a.to(b, cond="leader_waits", on="look")

    def leader_waits(self) -> bool:
        return bool(self.peer("leader").state == "a")

    def look(self) -> None:
        self.saw = self.peer("leader").state


def test_rendezvous_guards_see_the_state_before_the_step_in_both_semantics() -> None:
    sysm = System("rendezvous").add("l", Leader).add("f", Follower, peers={"leader": "l"})
    sysm.sync("go", ("l", "go"), ("f", "go"))
    product = sysm.build()
    ((m, nxt),) = product.successors(product.initial)
    assert product.describe(nxt)["f.saw"] == "a"
    live = LiveSystem(product)
    assert live.enabled() == [m]
    live.step(m)
    assert live.snapshot() == nxt


# -- values of different types that compare equal stay distinct ------------------------------


class BoolOrInt(Actor, StateMachine):
    """Two paths store ``True`` and ``1``; ``judge`` tells them apart by type."""

    variables = {"v": 0}
    s0 = State(initial=True)
    s1 = State()
    s2 = State(final=True)
    bad = State(final=True)
    as_bool = s0.to(s1, on="set_bool")
    as_int = s0.to(s1, on="set_int")
    judge = s1.to(s2, cond="is_int") | s1.to(bad, unless="is_int")

    def set_bool(self) -> None:
        self.v = True

    def set_int(self) -> None:
        self.v = 1

    def is_int(self) -> bool:
        return type(self.v) is int


def test_true_and_one_are_not_merged() -> None:
    sysm = _one(BoolOrInt)
    sysm.properties.append(Property.always("never-bad", lambda s: s["x"].state != "bad"))
    result = check(sysm)
    assert result["never-bad"].status is Status.VIOLATED
    assert result.stats.states == 5  # s0, s1 with True, s1 with 1, s2, bad


# -- a mirrored liveness property reuses its original's verdict only under the symmetry -------


class NeverStops(Counter):
    def at_top(self) -> bool:
        return False


def _finishes(i: int, mirror: Mirror | None = None) -> Property:
    return Property.leads_to(
        f"c{i}-finishes",
        lambda s: True,
        lambda s, i=i: s[f"c{i}"].state == "done",  # type: ignore[misc]
        fairness=(Fairness("c*"),),
        mirror=mirror,
    )


def test_a_mirror_takes_the_verdict_only_while_the_symmetry_holds() -> None:
    props = (_finishes(0), _finishes(1, Mirror("c0-finishes", (("c", (1, 0)),))))
    same = check(counters(*props))
    assert same["c1-finishes"].status is Status.HOLDS
    assert "by symmetry" in same["c1-finishes"].note
    variant = check(counters(*props).replace({"c1": NeverStops}))
    assert variant["c0-finishes"].status is Status.HOLDS
    assert variant["c1-finishes"].status is Status.VIOLATED


def test_a_mirror_whose_renaming_moves_the_initial_state_is_checked_on_its_own() -> None:
    props = (_finishes(0), _finishes(1, Mirror("c0-finishes", (("c", (1, 0)),))))
    sysm = counters(*props)
    sysm.instances["c1"] = dataclasses.replace(sysm.instances["c1"], init={"n": 1})
    result = check(sysm)
    assert result["c1-finishes"].status is Status.HOLDS
    assert "by symmetry" not in result["c1-finishes"].note


# -- canonical forms without enumerating the group --------------------------------------------


@pytest.mark.parametrize(("n", "top"), [(3, TOP), (4, 3)])
def test_tied_units_count_their_orbits_exactly(n: int, top: int) -> None:
    """Three or four counters: many states have two or more equal counters (tied units; with
    four, two separate ties, as in 0 0 2 2). The orbit sizes must add up to the unreduced
    count (the initial state is symmetric) and match the enumerated group."""
    sysm = counters(n=n, top=top)
    product = sysm.build()
    plain = explore(product, [])
    red = Reduction(product, sysm.meta["symmetry"])
    reduced = explore(product, [], reduction=red)
    assert reduced.concrete_states == len(plain.states)
    assert len(reduced.states) == len({red.canon(s) for s in plain.states})
    brute = {s: len(set(red.images(s))) for s in reduced.states}
    assert all(red.orbit_size(s) == brute[s] for s in reduced.states)


def test_twelve_equal_units_are_canonicalised_without_the_group() -> None:
    sysm = counters(n=12)
    product = sysm.build()
    red = Reduction(product, sysm.meta["symmetry"])
    assert red.canon_size(product.initial) == (product.initial, 1)
    (_m, one), *_ = product.successors(product.initial)
    assert red.canon_size(one)[1] == 12
    assert red._all is None  # the 479,001,600 elements were never listed


def _finishes3(i: int, fairness: tuple[Fairness, ...]) -> Property:
    swap = [0, 1, 2]
    swap[0], swap[i] = i, 0
    return Property.leads_to(
        f"c{i}-finishes",
        lambda s: True,
        lambda s, i=i: s[f"c{i}"].state == "done",  # type: ignore[misc]
        fairness=fairness,
        mirror=None if i == 0 else Mirror("c0-finishes", (("c", tuple(swap)),)),
    )


def test_every_mirror_of_a_holding_property_takes_its_verdict() -> None:
    props = [_finishes3(i, (Fairness("c*"),)) for i in range(3)]
    result = check(counters(*props, n=3, top=3))
    assert [result[f"c{i}-finishes"].status for i in range(3)] == [Status.HOLDS] * 3
    assert all("by symmetry" in result[f"c{i}-finishes"].note for i in (1, 2))


def test_a_mirror_of_a_violated_property_is_checked_for_its_own_counterexample() -> None:
    props = [_finishes3(i, ()) for i in range(3)]  # no fairness: a counter may stop forever
    result = check(counters(*props, n=3, top=3))
    for i in range(3):
        r = result[f"c{i}-finishes"]
        assert r.status is Status.VIOLATED
        assert r.counterexample is not None
        last = r.counterexample.states[-1]
        assert last[f"c{i}"] != "done"


# -- fairness globs and the edge index -------------------------------------------------------


class Two(Actor, StateMachine):
    s = State(initial=True)
    a_ = s.to.itself(internal=True)
    b_ = s.to.itself(internal=True)
    c_ = s.to.itself(internal=True)


def test_fairness_globs_match_labels_literally_and_each_move_counts() -> None:
    """Brackets in a glob are literal (instance names use them); every matching move is fair,
    strongly or weakly, on its own."""
    sysm = System("globs").add("w[0]", Two).add("w0", Two)
    product = sysm.build()
    prop = Property.leads_to(
        "x",
        lambda s: True,
        lambda s: True,
        fairness=(
            Fairness("w[0].a_", strong=True),
            Fairness("w[0].b_", strong=True),
            Fairness("w[0].c_"),
            Fairness("w[0].b_"),  # strong wins where both match
        ),
    )
    fair = _fairness(product, prop)
    label = {m: mv.label for m, mv in enumerate(product.moves)}
    strong = {label[m] for m in label if fair.strong >> m & 1}
    weak = {label[m] for m in label if fair.weak >> m & 1}
    assert (strong, weak) == ({"w[0].a_", "w[0].b_"}, {"w[0].c_"})


def test_the_edge_index_does_not_depend_on_the_order_edges_come_in() -> None:
    edges = [(0, 1, 0), (1, 2, 1), (2, 0, 0), (1, 0, 2), (0, 2, 1)]
    ordered = Graph(3, tuple(array("l", c) for c in zip(*sorted(edges), strict=True)))  # type: ignore[arg-type]
    mixed = Graph(3, tuple(array("l", c) for c in zip(*edges, strict=True)))  # type: ignore[arg-type]
    for s in range(3):
        assert sorted((ordered.dst[k], ordered.move[k]) for k in ordered.out(s)) == sorted(
            (mixed.dst[k], mixed.move[k]) for k in mixed.out(s)
        )
