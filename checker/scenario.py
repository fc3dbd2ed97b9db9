"""Scenario reachability: is there a path whose steps include given moves, in order?

A scenario is a list of step matchers (a move label, or a predicate on labels). The search runs
breadth first over pairs (product state, how many scenario steps are done), so the path it
returns is a shortest one that takes the scenario's steps in order, with any other steps in
between. This is how a sequence of the domain (boot, attach, failover...) is shown reachable.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .explore import path_trace
from .product import Overflow, Product, State
from .result import Trace

__all__ = ["Scenario", "find_scenario"]

Matcher = str | Callable[[str], bool]


@dataclass(frozen=True)
class Scenario:
    """A named sequence of steps; a string step matches a move label containing it."""

    name: str
    steps: tuple[Matcher, ...]


def _matches(step: Matcher, label: str) -> bool:
    return step in label if isinstance(step, str) else bool(step(label))


def find_scenario(
    product: Product, steps: Sequence[Matcher], *, max_states: int = 2_000_000
) -> Trace | None:
    """A shortest path from the initial state that takes ``steps`` in order, or None.

    Raises ``LimitError`` when more than ``max_states`` (state, progress) pairs were searched
    without an answer, so "unreachable" is only ever said after a complete search.
    """
    from .errors import LimitError

    labels = [m.label for m in product.moves]
    goal = len(steps)
    start = (product.initial, 0)
    parent: dict[tuple[State, int], tuple[tuple[State, int], int] | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        state, done = node
        if done == goal:
            hops: list[tuple[int, State]] = []
            cur = node
            while parent[cur] is not None:
                prev, move = parent[cur]  # type: ignore[misc]
                hops.append((move, cur[0]))
                cur = prev
            hops.reverse()
            return path_trace(product, product.initial, hops)
        for m, nxt in product.successors(state):
            if isinstance(nxt, Overflow):
                continue
            adv = done + 1 if _matches(steps[done], labels[m]) else done
            key = (nxt, adv)
            if key not in parent:
                parent[key] = (node, m)
                queue.append(key)
        if len(parent) > max_states:
            raise LimitError(f"scenario search passed {max_states} states without an answer")
    return None
