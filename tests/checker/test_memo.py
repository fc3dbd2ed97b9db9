"""Memoised predicates against plain evaluation, for every way a predicate may read a state.

The oracle is the predicate run on a plain :class:`StateView` of each state. Each memoised
predicate is called twice per state, in two orders, so the trie, the flat cache in front of
it and the fallback are all exercised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from models import peterson, pipeline

from vfpath.checker.explore import explore
from vfpath.checker.memo import memoise
from vfpath.checker.view import StateView

PREDICATES: dict[str, Callable[[Any], Any]] = {
    "constant-true": lambda s: True,
    "constant-false": lambda s: False,
    "repr": lambda s: any(
        "flag=True" in repr(s[n]) or "total=2" in repr(s[n])
        for n in s.instances()
        if n in ("p1", "cons")
    ),
    "contains": lambda s: "p0" in s and s["p0"].state == "want",
    "channel": lambda s: "link" in s.instances() and len(s.channel("link")) == 1,
    "count": lambda s: sum(1 for n in s.instances() if s[n].state in ("critical", "got")),
    "raw": lambda s: len(s.raw) % 3 == 0,
    "nested": lambda s: (
        (s["p1"].flag if s["p0"].state == "idle" else s["p0"].flag)
        if "p0" in s
        else s["prod"].credit > s["cons"].total
    ),
}


def _safe(pred: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def go(s: Any) -> Any:
        try:
            return pred(s)
        except KeyError:  # a predicate written for the other model
            return None

    return go


@pytest.mark.parametrize("make", [peterson, pipeline], ids=["peterson", "pipeline"])
@pytest.mark.parametrize("name", sorted(PREDICATES))
def test_memoised_predicates_agree_with_plain_evaluation(make: Any, name: str) -> None:
    product = make().build()
    states = explore(product, []).states
    pred = _safe(PREDICATES[name])
    want = [pred(StateView(product, s)) for s in states]
    want = [w if type(w) is int else bool(w) for w in want]
    memo = memoise(product, pred)
    assert [memo(s) for s in states] == want
    assert [memo(s) for s in reversed(states)] == want[::-1]
    fresh = memoise(product, pred)
    assert [fresh(s) for s in reversed(states)] == want[::-1]
    assert [fresh(s) for s in states] == want
