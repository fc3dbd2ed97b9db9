"""What checker/liveness.py's verdict notes and mirror gate must get right, written against
the mutants of liveness.py (lines 325 on) that survived the fast tests in the issue-16
campaign (.ci/mutants.py).

Counts in the notes are worked out by hand from the models. A mirror that must not take its
original's verdict is one whose true verdict differs (the model makes the mirrored unit
unable to finish): the gate letting it through shows as a wrong verdict.
"""

from __future__ import annotations

from array import array

import pytest
from live_models import counter, job
from statemachine import State, StateMachine
from test_soundness import Counter, _finishes, _keep, counters
from test_symmetry_mutants import flaggers
from test_symmetry_refs import arbiter

from vfpath.checker import Fairness, Mirror, Property, Status, System, check
from vfpath.checker.actor import Actor
from vfpath.checker.edge_graph import Graph
from vfpath.checker.fair_cycles import _Fair, _fair_cycle, fair_components
from vfpath.checker.symmetry import Sort, Symmetry

# -- the notes: how many states a predicate holds in, how long the cycle is --------------------


def test_notes_count_the_states_and_the_cycle() -> None:
    # the counter runs 0, 1, 2, 3, then wraps to 0: 4 states on one cycle of 4 steps
    never = Property.always_eventually(
        "never-99", lambda s: s["c"].n == 99, fairness=(Fairness("*"),)
    )
    late = Property.leads_to(
        "late-99",
        lambda s: s["c"].n >= 1,  # 3 of the 4 states; the first is 1 step from the start
        lambda s: s["c"].n == 99,
        fairness=(Fairness("*"),),
    )
    result = check(counter(3, never, late))
    ge = result["never-99"]
    assert ge.status is Status.VIOLATED and ge.counterexample is not None
    assert ge.counterexample.loop_start == 0  # the initial state is on the cycle
    assert ge.note == "holds in 0 of 4 states; ends in a fair cycle of 4 steps where it never holds"
    lt = result["late-99"]
    assert lt.status is Status.VIOLATED and lt.counterexample is not None
    assert (lt.counterexample.loop_start, len(lt.counterexample)) == (1, 5)
    assert lt.note == (
        "trigger holds in 3 of 4 states; ends in a fair cycle of 4 steps where it never holds"
    )


def test_notes_of_a_stuttering_end_and_of_a_vacuous_trigger() -> None:
    # queued, running, finished, aborted: the trigger (queued or running) holds in 2 of 4;
    # aborted has no successor, so the lasso ends stuttering there
    res = check(job(may_abort=True))["job-finishes"]
    assert res.status is Status.VIOLATED
    assert res.note == (
        "trigger holds in 2 of 4 states; ends in a state it may stutter in forever where it "
        "never holds"
    )
    sysm = job(may_abort=False)
    sysm.properties.append(Property.leads_to("never-triggered", lambda s: False, lambda s: False))
    res = check(sysm)["never-triggered"]
    assert (res.status, res.note) == (Status.VACUOUS, "its trigger is never reached")


# -- the lasso builder: a group's edge stays wanted until one of the group's moves is taken ----


def test_a_strongly_fair_group_edge_is_taken_even_after_other_edges() -> None:
    # a -0-> b, b -1-> a, b -2-> c, c -3-> a; move 2 alone is a strongly fair group. It is
    # enabled at b, which every cycle through a visits, so a fair cycle from a must take it:
    # a, b, c, a. (a, b, a takes moves 0 and 1 first and leaves move 2 starved.)
    a, b, c = 0, 1, 2
    edges = [(a, b, 0), (b, a, 1), (b, c, 2), (c, a, 3)]
    g = Graph(3, tuple(array("l", col) for col in zip(*edges, strict=True)))  # type: ignore[arg-type]
    fair = _Fair(0, 0, ((1 << 2, True),))
    assert fair_components(g, {a, b, c}, fair) == [{a, b, c}]
    cycle = _fair_cycle(g, {a, b, c}, a, fair)
    assert [(g.dst[k], g.move[k]) for k in cycle] == [(b, 0), (c, 2), (a, 3)]


# -- the mirror gate: a mirror takes its original's verdict only under the symmetry ------------


def test_a_mirror_without_a_declared_symmetry_is_checked_on_its_own() -> None:
    props = (_finishes(0), _finishes(1, Mirror("c0-finishes", (("c", (1, 0)),))))
    sysm = counters(*props)
    del sysm.meta["symmetry"]
    res = check(sysm)["c1-finishes"]
    assert res.status is Status.HOLDS
    assert "by symmetry" not in res.note


class Keeper(Actor, StateMachine):
    """The arbiter's stand-in, except that process 1 may never give it back."""

    variables = {"owner": None, "last": None}
    free = State(initial=True)
    held = State()
    grant = free.to(held, on="take")
    release = held.to(free, cond="lets_go", on="give_back")

    def take(self) -> None:
        self.owner = self.arg("who")

    def lets_go(self) -> bool:
        return bool(self.owner != 1)

    def give_back(self) -> None:
        self.owner = None


def _leaves(i: int, mirror: Mirror | None = None) -> Property:
    return Property.leads_to(
        f"p{i}-leaves",
        lambda s, i=i: s[f"p{i}"].state == "crit",  # type: ignore[misc]
        lambda s, i=i: s[f"p{i}"].state == "idle",  # type: ignore[misc]
        fairness=(Fairness("*"),),
        mirror=mirror,
    )


def test_a_shared_instance_of_another_class_stops_the_mirror() -> None:
    # both processes keep their class and params; only the arbiter they share is replaced
    # by one that never lets p1 go: p1 enters and is stuck there
    props = (_leaves(0), _leaves(1, Mirror("p0-leaves", (("p", (1, 0)),))))
    same = check(arbiter(2, *props))
    assert same["p1-leaves"].status is Status.HOLDS
    assert "by symmetry" in same["p1-leaves"].note
    kept = check(arbiter(2, *props).replace({"arb": Keeper}))
    assert kept["p0-leaves"].status is Status.HOLDS
    assert kept["p1-leaves"].status is Status.VIOLATED


def test_a_param_set_on_the_mirrored_unit_only_stops_the_mirror() -> None:
    # c0 keeps the class default (it counts to TOP and stops); c1 is given top = -1, so it
    # can neither count nor stop. Each unit also holds a channel, after its counter.
    props = (_finishes(0), _finishes(1, Mirror("c0-finishes", (("c", (1, 0)),))))
    sysm = System("counters-with-channels")
    for i in (0, 1):
        sysm.channel(f"k{i}", 1)
        sysm.add(f"c{i}", Counter, params={} if i == 0 else {"top": -1})
    sort = Sort("c", 2, (("c0", "k0"), ("c1", "k1")))
    classes = {name: spec.cls for name, spec in sysm.instances.items()}
    sysm.meta["symmetry"] = Symmetry((sort,), _keep, frozenset(), classes, {})
    sysm.properties.extend(props)
    result = check(sysm)
    assert result["c0-finishes"].status is Status.HOLDS
    assert result["c1-finishes"].status is Status.VIOLATED


def _reaches(inst: str, final: str, fair: Fairness, mirror: Mirror | None = None) -> Property:
    """``inst`` eventually reaches state ``final`` (named ``inst-final``), under ``fair``."""
    return Property.leads_to(
        f"{inst}-{final}",
        lambda s: True,
        lambda s: s[inst].state == final,
        fairness=(fair,),
        mirror=mirror,
    )


@pytest.mark.parametrize(
    ("fair", "image"),
    [
        (Fairness("c0.*"), (1, 0)),
        (Fairness("c0.*", strong=True), (1, 0)),
        (Fairness("c0.*", group=True), (1, 0)),
        (Fairness("c0.*"), (0, 0)),
    ],
    ids=["weak", "strong", "group", "not-a-permutation"],
)
def test_a_mirror_whose_fairness_is_not_the_renamed_one_is_checked_on_its_own(
    fair: Fairness, image: tuple[int, ...]
) -> None:
    # the mirror copies c0's fairness instead of renaming it: c1 is not fair, may stutter
    # before it stops, and so need not finish. (0, 0) sends both counters to c0: read as a
    # renaming, it would map c0's fairness onto the copy.
    rep = _reaches("c0", "done", fair)
    mirror = _reaches("c1", "done", fair, Mirror("c0-done", (("c", image),)))
    result = check(counters(rep, mirror))
    assert result["c0-done"].status is Status.HOLDS
    assert result["c1-done"].status is Status.VIOLATED


def test_a_param_naming_an_index_is_renamed_before_it_is_compared() -> None:
    # f0 has me = 0, f1 has me = 1: equal up to the declared renaming of "Flagger.me", so the
    # mirror takes the original's verdict
    sysm = flaggers("ch0", "ch1", "Flagger.me")
    mirror = Mirror("f0-sent", (("f", (1, 0)),))
    sysm.properties.extend(
        [_reaches("f0", "sent", Fairness("f0.*")), _reaches("f1", "sent", Fairness("f1.*"), mirror)]
    )
    res = check(sysm)["f1-sent"]
    assert res.status is Status.HOLDS
    assert "by symmetry" in res.note
