"""Dining philosophers: the deadlock, its shortest trace, and counts checked by brute force."""

from __future__ import annotations

from collections import deque

import pytest
from models import philosophers

from vfpath.checker import Options, Status, check

THINKING, HAS_LEFT, EATING = "thinking", "has_left", "eating"
SIZES = [3, 4, 5, 6]


def _brute_force(n: int, put_back: bool) -> tuple[int, int, int, int]:
    """(distinct states, transitions, deadlocked states, depth) enumerated without vfpath.

    A state is (phases, holders): ``phases[i]`` is philosopher i's phase and ``holders[f]`` who
    holds fork f (None when free). Philosopher i uses fork i as its left and (i + 1) mod n as its
    right fork. A transition is one enabled (state, philosopher move) pair, as the engine counts.
    """

    def moves(state: tuple) -> list[tuple]:
        phases, holders = state
        out = []
        for i in range(n):
            left, right = i, (i + 1) % n
            ph, ho = list(phases), list(holders)
            if phases[i] == THINKING and holders[left] is None:
                ph[i], ho[left] = HAS_LEFT, i
            elif phases[i] == HAS_LEFT and holders[right] is None:
                ph[i], ho[right] = EATING, i
            elif phases[i] == EATING:
                ph[i], ho[left], ho[right] = THINKING, None, None
            else:
                ph = None  # type: ignore[assignment]
            if ph is not None:
                out.append((tuple(ph), tuple(ho)))
            if put_back and phases[i] == HAS_LEFT:
                ph, ho = list(phases), list(holders)
                ph[i], ho[left] = THINKING, None
                out.append((tuple(ph), tuple(ho)))
        return out

    init = ((THINKING,) * n, (None,) * n)
    level = {init: 0}
    queue, transitions, stuck = deque([init]), 0, 0
    while queue:
        state = queue.popleft()
        succ = moves(state)
        stuck += not succ
        for nxt in succ:
            transitions += 1
            if nxt not in level:
                level[nxt] = level[state] + 1
                queue.append(nxt)
    return len(level), transitions, stuck, max(level.values())


@pytest.mark.parametrize("n", SIZES)
def test_deadlock_found_with_shortest_trace(n: int) -> None:
    result = check(philosophers(n))
    assert not result
    dead = result["deadlock-free"]
    assert dead.status is Status.VIOLATED
    trace = dead.counterexample
    assert trace is not None
    # The only deadlock is every philosopher holding its left fork: each must take one fork, one
    # philosopher per step, so no trace shorter than n steps reaches it.
    assert len(trace) == n
    assert sorted(trace.labels) == sorted(f"phil[{i}].take_left" for i in range(n))
    last = trace.states[-1]
    assert all(last[f"phil[{i}]"] == HAS_LEFT for i in range(n))
    assert all(last[f"fork[{i}]"] == "held" for i in range(n))
    assert _brute_force(n, put_back=False)[2] == 1


@pytest.mark.parametrize("n", SIZES)
def test_put_back_removes_the_deadlock(n: int) -> None:
    result = check(philosophers(n, put_back=True))
    result.assert_holds()
    assert result["deadlock-free"].status is Status.HOLDS
    assert _brute_force(n, put_back=True)[2] == 0


@pytest.mark.parametrize("put_back", [False, True])
@pytest.mark.parametrize("n", SIZES)
def test_counts_match_brute_force(n: int, put_back: bool) -> None:
    result = check(philosophers(n, put_back=put_back))
    states, transitions, _, depth = _brute_force(n, put_back)
    assert result.stats.complete
    assert (result.stats.states, result.stats.transitions) == (states, transitions)
    assert result.stats.depth == depth


@pytest.mark.parametrize("n", [3, 5])
def test_graph_has_every_state_and_distinct_edge(n: int) -> None:
    result = check(philosophers(n, put_back=True), Options(graph=True))
    g = result.graph()
    assert g.number_of_nodes() == result.stats.states
    # every philosopher move changes the state, and different moves lead to different states
    assert g.number_of_edges() == result.stats.transitions
    assert all(g.out_degree(v) > 0 for v in g.nodes)
