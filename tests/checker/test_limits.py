"""Limits hold from the first instruction: set-up included, stopping cleanly (never a verdict)."""

from __future__ import annotations

import dataclasses
import mmap

import pytest
from models import peterson
from statemachine import State, StateMachine
from test_soundness import counters

from vfpath.checker import Options, Status, System, check
from vfpath.checker.actor import Actor
from vfpath.checker.explore import explore
from vfpath.checker.limits import MemoryExhausted, MemoryGuard, rss_bytes
from vfpath.checker.symmetry import Sort


def test_a_memory_limit_below_the_set_up_stops_before_the_first_state() -> None:
    result = check(peterson(), Options(max_memory_mb=1))
    assert not result.stats.complete
    assert "set-up" in result.stats.stop_reason
    assert result.stats.states == 0
    assert {p.status for p in result.properties} == {Status.UNKNOWN}
    assert "limit" in result.extra["symmetry"]["status"]


def test_the_explorer_stops_on_the_first_state_over_the_limit() -> None:
    product = peterson().build()
    ex = explore(product, [], Options(max_memory_mb=1))
    assert not ex.complete
    assert ex.stop_reason == "memory limit of 1 MB"
    assert len(ex.states) < len(explore(product, []).states)


def test_set_up_that_grows_past_the_limit_is_interrupted() -> None:
    mb, page = 1024 * 1024, mmap.PAGESIZE
    limit = rss_bytes() // mb + 40
    hoard: list[mmap.mmap] = []
    with pytest.raises(MemoryExhausted), MemoryGuard(limit, raising=True, every=0.001):
        while len(hoard) < 80:  # 80 MB past where it started
            # fresh pages, each touched: malloc could hand back memory already resident (the
            # heap of earlier tests in this process), and then nothing would grow
            m = mmap.mmap(-1, mb)
            for off in range(0, mb, page):  # (pure-Python work: the interrupt comes here)
                m[off] = 1
            hoard.append(m)
        # then only pure-Python work, however long a loaded machine takes to deliver it
        # (bounded: about 20 s without an interrupt, and the test fails)
        for _ in range(1_000_000):
            sum(range(2000))
    for m in hoard:
        m.close()


def test_no_limit_watches_nothing() -> None:
    with MemoryGuard(None, raising=True) as guard:
        assert not guard.check()
    assert guard._thread is None


def test_a_group_too_large_to_canonicalise_switches_symmetry_off() -> None:
    """Eight interchangeable data values (8! = 40,320 permutations to try per state, beside
    the sorted units) are refused at set-up, not tried on every state."""
    sysm = counters()
    sym = sysm.meta["symmetry"]
    sysm.meta["symmetry"] = dataclasses.replace(sym, sorts=(*sym.sorts, Sort("d", 8)))
    result = check(sysm)
    assert result.extra["symmetry"]["status"].startswith("off")
    assert (
        "40,320" in result.extra["symmetry"]["status"]
        or "5,040" in result.extra["symmetry"]["status"]
    )
    assert result.stats.complete


def test_a_state_limit_stops_at_the_first_expansion_that_reaches_it() -> None:
    """One counter is a chain 0 -> 1 -> ... -> TOP -> done: each expansion adds one state, so
    a limit of 5 stops with exactly 5 states (and a limit never reached changes nothing)."""
    sysm = counters(n=1)
    product = sysm.build()
    ex = explore(product, [], Options(max_states=5))
    assert (len(ex.states), ex.complete, ex.stop_reason) == (5, False, "state limit of 5")
    whole = explore(product, [], Options(max_states=len(explore(product, []).states) + 1))
    assert whole.complete


class OneState(Actor, StateMachine):
    only = State(initial=True, final=True)


def test_a_limit_that_stops_nothing_leaves_the_run_complete() -> None:
    """A memory limit already exceeded, on a system whose only state has no successor: the
    guard has tripped, but there was nothing left to explore."""
    sysm = System("one").add("j", OneState)
    ex = explore(sysm.build(), [], Options(max_memory_mb=1))
    assert len(ex.states) == 1 and ex.complete
