"""Faults that once passed every test: each case here fails when its fault is put back.

Overflow ignored by the exhaustive check, invariant vacuity dropped, ``unless`` read as
``cond``. (A vacuous verdict exiting 0 is pinned in tests/cli/test_check_outputs.py; per-VM
liveness always reading VM 0 in tests/model/test_liveness_mirror.py and, domain-free, by the
mirror tests in test_soundness.py.) Every expected count is derived by hand in the docstring.
"""

from __future__ import annotations

from models import pipeline
from statemachine import State, StateMachine

from vfpath.checker import Options, Property, Status, System, check
from vfpath.checker.actor import Actor
from vfpath.checker.explore import explore


def test_an_overflow_is_a_violation_with_the_overflowing_step_last() -> None:
    """Credit 2 on a channel of 1: the producer's second put overflows the link."""
    result = check(pipeline(capacity=1, credit=2))
    bounded = result["channels-bounded"]
    assert bounded.status is Status.VIOLATED
    assert "'link'" in bounded.note
    trace = bounded.counterexample
    assert trace is not None
    assert [s.label for s in trace.steps] == ["prod.produce", "prod.produce"]
    assert trace.states[-1]["link"] == [0, 1]  # the state the overflowing step leads to
    assert not result  # a violation: the result is falsy


def test_an_overflow_found_is_still_reported_when_the_run_is_cut_short() -> None:
    ex = explore(pipeline(capacity=1, credit=2).build(), [], Options(max_states=3))
    assert ex.overflow is not None and ex.overflow[2] == "link"


def test_a_channel_big_enough_holds() -> None:
    assert check(pipeline(capacity=2, credit=2))["channels-bounded"].status is Status.HOLDS


def test_an_invariant_whose_antecedent_never_holds_is_vacuous_not_holding() -> None:
    sysm = pipeline()
    sysm.properties.append(
        Property.always(
            "total-small-when-five",
            lambda s: s["cons"].total < 4,
            when=lambda s: s["prod"].credit == 5,  # credit never exceeds 2
        )
    )
    sysm.properties.append(
        Property.always(
            "total-small-when-empty",
            lambda s: s["cons"].total < 4,
            when=lambda s: s["prod"].credit == 0,  # reached after two puts
        )
    )
    result = check(sysm)
    assert result["total-small-when-five"].status is Status.VACUOUS
    assert result["total-small-when-empty"].status is Status.HOLDS
    assert not result  # a vacuous property proves nothing: the run does not pass


class Door(Actor, StateMachine):
    """``open`` needs the door unlocked (``unless``); ``lock`` needs it unlocked too (``cond``
    on the negation would be the same; the point is that ``unless`` means "not")."""

    variables = {"locked": True}
    shut = State(initial=True)
    ajar = State()
    open = shut.to(ajar, unless="is_locked")
    close = ajar.to(shut)
    unlock = shut.to.itself(cond="is_locked", on="do_unlock")

    def is_locked(self) -> bool:
        return bool(self.locked)

    def do_unlock(self) -> None:
        self.locked = False


def test_unless_disables_the_transition_when_its_guard_holds() -> None:
    """From (shut, locked) only ``unlock`` is enabled; then (shut, unlocked) opens to
    (ajar, unlocked) and back: three states, and ``open`` never fires while locked."""
    sysm = System("door").add("d", Door)
    sysm.properties.append(
        Property.always(
            "never-open-locked", lambda s: not (s["d"].state == "ajar" and s["d"].locked)
        )
    )
    result = check(sysm)
    # unlock, open, close: three steps; the farthest state (ajar) is two steps away
    assert (result.stats.states, result.stats.transitions, result.stats.depth) == (3, 3, 2)
    assert result["never-open-locked"].status is Status.HOLDS
    product = sysm.build()
    labels = [product.moves[m].label for m, _s in product.successors(product.initial)]
    assert labels == ["d.unlock"]


class Jams(Actor, StateMachine):
    """Moves once, into a state that is not final and has no enabled step: a deadlock."""

    variables = {"ok": False}
    a = State(initial=True)
    b = State()
    c = State(final=True)
    go = a.to(b)
    finish = b.to(c, cond="is_ok")

    def is_ok(self) -> bool:
        return bool(self.ok)


def test_a_deadlock_is_reported_with_its_path_and_nothing_else_is() -> None:
    result = check(System("jams").add("j", Jams))
    dead = result["deadlock-free"]
    assert dead.status is Status.VIOLATED
    assert dead.counterexample is not None
    assert [s.label for s in dead.counterexample.steps] == ["j.go"]
    assert result["channels-bounded"].status is Status.HOLDS
    assert check(System("jams").add("j", Jams), Options(deadlock=False)).properties[0].name == (
        "channels-bounded"
    )


def test_a_goal_never_reached_is_violated_and_one_reached_holds_with_a_witness() -> None:
    sysm = System("jams").add("j", Jams)
    sysm.properties.append(Property.sometimes("reaches-c", lambda s: s["j"].state == "c"))
    sysm.properties.append(Property.sometimes("reaches-b", lambda s: s["j"].state == "b"))
    result = check(sysm)
    assert result["reaches-c"].status is Status.VIOLATED
    reached = result["reaches-b"]
    assert reached.status is Status.HOLDS
    assert reached.witness is not None and len(reached.witness) == 1
    cut = check(sysm, Options(max_states=1))
    assert cut["reaches-c"].status is Status.UNKNOWN


def test_a_leads_to_whose_trigger_never_happens_is_vacuous() -> None:
    sysm = pipeline()
    sysm.properties.append(
        Property.leads_to(
            "five-credits-drain",
            lambda s: s["prod"].credit == 5,  # never: credit stays within 0..2
            lambda s: s["prod"].credit == 0,
        )
    )
    sysm.properties.append(
        Property.leads_to(
            "empty-refills",
            lambda s: s["prod"].credit == 0,
            lambda s: s["prod"].credit == 5,  # never: violated once credit runs out
        )
    )
    result = check(sysm)
    assert result["five-credits-drain"].status is Status.VACUOUS
    assert result["empty-refills"].status is Status.VIOLATED


def test_the_graph_has_every_state_and_every_step() -> None:
    sysm = pipeline()
    result = check(sysm, Options(graph=True))
    product = sysm.build()
    ex = explore(product, [], Options(graph=True))
    g = result.graph()
    assert g.number_of_nodes() == result.stats.states == len(ex.states)
    assert ex.edges is not None
    pairs = set(zip(ex.edges[0], ex.edges[1], strict=True))
    assert set(g.edges()) == pairs
    labels = {product.moves[m].label for m in ex.edges[2]}
    assert {d["move"] for _a, _b, d in g.edges(data=True)} <= labels
    # the oracle: each state's successors, recomputed and looked up by value
    index = {st: k for k, st in enumerate(ex.states)}
    for k, st in enumerate(ex.states):
        assert set(g.successors(k)) == {index[nxt] for _m, nxt in product.successors(st)}
    assert any(0 in set(g.successors(k)) for k in g.nodes)  # the pipeline returns to its start


def test_an_antecedent_that_does_not_hold_makes_the_invariant_hold() -> None:
    sysm = pipeline()
    sysm.properties.append(
        Property.always(
            "credit-zero-when-zero",
            lambda s: s["prod"].credit == 0,
            when=lambda s: s["prod"].credit == 0,
        )
    )
    assert check(sysm)["credit-zero-when-zero"].status is Status.HOLDS
