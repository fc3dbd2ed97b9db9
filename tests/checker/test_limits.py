"""Limits hold from the first instruction: set-up included, stopping cleanly (never a verdict)."""

from __future__ import annotations

import pytest
from models import peterson

from vfpath.checker import Options, Status, check
from vfpath.checker.explore import explore
from vfpath.checker.limits import MemoryExhausted, MemoryGuard, rss_bytes


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
    limit = rss_bytes() // (1024 * 1024) + 40
    hoard: list[bytes] = []
    with pytest.raises(MemoryExhausted), MemoryGuard(limit, raising=True, every=0.001):
        for _ in range(400):  # up to 400 MB, far past the limit
            hoard.append(b"x" * (1024 * 1024))
            # pure-Python work between allocations, where the interrupt is delivered
            sum(range(20000))
    assert len(hoard) < 400
    hoard.clear()


def test_no_limit_watches_nothing() -> None:
    with MemoryGuard(None, raising=True) as guard:
        assert not guard.check()
    assert guard._thread is None
