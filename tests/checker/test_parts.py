"""Properties declared as parts (``AllOf``, ``AnyOf``): judged part by part, same verdicts.

An invariant that is an ``AllOf`` fails in the first state where one of its parts fails, which
is the first state where the whole fails; an antecedent or goal that is an ``AnyOf`` holds first
where one part does. So a property written with parts must get exactly the verdict, hit state
and counterexample of the same property written as one ``all``/``any`` lambda, in both engines.
The oracle here is that plain lambda, judged by the Python engine as a whole (a path the part
machinery never touches). The parts must also really be memoised on their own (each evaluated
about once per situation of the slots it reads, not once per combination of every part's), and
the symmetry gate must compare whole properties: one VM's part is not symmetric even where its
property is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from models import philosophers
from test_compiled_symmetry import two_philosophers

from vfpath.checker import AllOf, AnyOf, Options, Property, System, check
from vfpath.checker import compiled as compiled_engine
from vfpath.checker.errors import PropertyError

N = 4
ENGINES = ["python"] + (["compiled"] if compiled_engine.available() else [])


def at(i: int, state: str) -> Callable[[Any], bool]:
    return lambda s: s[f"phil[{i}]"].state == state


def parted() -> list[Property]:
    """Properties with parts: one per philosopher."""
    never_eats = AllOf(tuple((lambda s, i=i: not at(i, "eating")(s)) for i in range(N)))
    hungry = AnyOf(tuple(at(i, "has_left") for i in range(N)))
    return [
        Property.always("never-eats", never_eats),
        Property.always(
            "no-neighbours-eat",
            AllOf(
                tuple(
                    (lambda s, i=i: not (at(i, "eating")(s) and at((i + 1) % N, "eating")(s)))
                    for i in range(N)
                )
            ),
        ),
        Property.always("hungry-never-eats", never_eats, when=hungry),
        Property.always(
            "nested", AllOf((AllOf((never_eats,)), lambda s: s["phil[0]"].state != "has_left"))
        ),
        Property.always(
            "eater-holds-its-fork",  # the last part of its antecedent never holds
            lambda s: s["fork[0]"].state == "held",
            when=AnyOf((at(0, "eating"), at(0, "nowhere"))),
        ),
        Property.sometimes("someone-eats", AnyOf(tuple(at(i, "eating") for i in range(N)))),
        Property.sometimes("all-hungry", AllOf(tuple(at(i, "has_left") for i in range(N)))),
    ]


def plain() -> list[Property]:
    """The same properties as single lambdas (the oracle)."""
    eats = [at(i, "eating") for i in range(N)]
    left = [at(i, "has_left") for i in range(N)]
    return [
        Property.always("never-eats", lambda s: not any(e(s) for e in eats)),
        Property.always(
            "no-neighbours-eat",
            lambda s: not any(eats[i](s) and eats[(i + 1) % N](s) for i in range(N)),
        ),
        Property.always(
            "hungry-never-eats",
            lambda s: not any(e(s) for e in eats),
            when=lambda s: any(h(s) for h in left),
        ),
        Property.always(
            "nested", lambda s: not any(e(s) for e in eats) and s["phil[0]"].state != "has_left"
        ),
        Property.always(
            "eater-holds-its-fork",
            lambda s: s["fork[0]"].state == "held",
            when=lambda s: eats[0](s) or s["phil[0]"].state == "nowhere",
        ),
        Property.sometimes("someone-eats", lambda s: any(e(s) for e in eats)),
        Property.sometimes("all-hungry", lambda s: all(h(s) for h in left)),
    ]


def with_props(props: list[Property]) -> System:
    sysm = philosophers(N)
    sysm.properties[:] = props
    return sysm


def status(result: Any, name: str) -> str:
    return next(p.status.value for p in result.properties if p.name == name)


def verdicts(sysm: System, engine: str) -> dict[str, tuple[str, Any]]:
    result = check(sysm, Options(engine=engine, symmetry=False))
    out = {}
    for p in result.properties:
        t = p.counterexample or p.witness
        out[p.name] = (
            p.status.value,
            None if t is None else ([s.label for s in t.steps], t.states),
        )
    return out


@pytest.mark.parametrize("engine", ENGINES)
def test_parts_give_the_verdicts_and_traces_of_the_plain_predicates(engine: str) -> None:
    oracle = verdicts(with_props(plain()), "python")
    got = verdicts(with_props(parted()), engine)
    assert got == oracle
    # the properties are not all trivially true: the comparison covers hits and traces
    statuses = Counter(status for status, _t in oracle.values())
    assert statuses["violated"] >= 3 and statuses["holds"] >= 3


@pytest.mark.parametrize("engine", ENGINES)
def test_each_part_is_memoised_on_its_own_slots(engine: str) -> None:
    """Each part reads one philosopher's state (3 values): judged on its own it runs a few
    times; inside one trie for the whole conjunction it would run once per combination of
    the philosophers before it (up to 3**3 for the last)."""
    calls: Counter[int] = Counter()

    def part(i: int) -> Callable[[Any], bool]:
        def ok(s: Any) -> bool:
            calls[i] += 1
            return s[f"phil[{i}]"].state != "eating" or s[f"fork[{i}]"].state == "held"

        return ok

    sysm = with_props([Property.always("parts", AllOf(tuple(part(i) for i in range(N))))])
    result = check(sysm, Options(engine=engine, symmetry=False))
    assert status(result, "parts") == "holds"
    assert sorted(calls) == list(range(N))
    # 3 philosopher states, then for "eating" 2 fork states: at most 4 situations, each run
    # at most twice (the memo runs a new situation again to check it is a function of it)
    assert max(calls.values()) <= 8, calls


def test_a_part_that_reads_nothing_known_names_its_property() -> None:
    sysm = with_props(
        [Property.always("typo", AllOf((at(0, "eating"), lambda s: s["phil[9]"].state == "x")))]
    )
    with pytest.raises(PropertyError, match="'typo'"):
        check(sysm, Options(engine="python", symmetry=False))


@pytest.mark.parametrize("engine", ENGINES)
def test_the_symmetry_gate_judges_whole_properties_not_parts(engine: str) -> None:
    """Not declared symmetric, so the gate compares it on every image of every state: the
    whole is symmetric (it treats both philosophers alike), each part alone is not."""
    sysm = two_philosophers()
    both = AllOf(tuple((lambda s, i=i: s[f"phil[{i}]"].state != "eating") for i in range(2)))
    sysm.properties[:] = [Property.always("nobody-eats", both)]
    result = check(sysm, Options(engine=engine))
    assert result.extra["symmetry"]["status"].startswith("on"), result.extra["symmetry"]
    assert status(result, "nobody-eats") == "violated"
    # an asymmetric whole is still caught
    sysm.properties[:] = [Property.always("phil0-never-eats", AllOf((at(0, "eating"),)))]
    result = check(sysm, Options(engine=engine))
    assert "differs between symmetric states" in result.extra["symmetry"]["status"]
