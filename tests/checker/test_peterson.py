"""Mutual exclusion: Peterson's algorithm holds, a check-then-set lock does not.

The expected counts come from an enumeration written here in plain Python, not from the engine.
"""

from __future__ import annotations

from collections import deque

from models import broken_lock, peterson

from vfpath.checker import Options, Status, check

IDLE, WANT, WAITING, CRITICAL = "idle", "want", "waiting", "critical"


def _peterson_by_hand() -> tuple[int, int]:
    """Distinct states and transitions of Peterson's algorithm, enumerated independently.

    A state is (pc0, pc1, flag0, flag1, turn); each process steps alone, ``set_turn`` gives the
    turn to the other process, ``enter`` needs the other's flag down or the turn.
    """

    def steps(s: tuple) -> list[tuple]:
        out = []
        pcs, flags, turn = [s[0], s[1]], [s[2], s[3]], s[4]
        for me in (0, 1):
            other = 1 - me
            pc, nf, nt = list(pcs), list(flags), turn
            if pcs[me] == IDLE:
                pc[me], nf[me] = WANT, True
            elif pcs[me] == WANT:
                pc[me], nt = WAITING, other
            elif pcs[me] == WAITING:
                if flags[other] and turn != me:
                    continue
                pc[me] = CRITICAL
            else:
                pc[me], nf[me] = IDLE, False
            out.append((pc[0], pc[1], nf[0], nf[1], nt))
        return out

    init = (IDLE, IDLE, False, False, 0)
    seen, queue, transitions = {init}, deque([init]), 0
    while queue:
        for nxt in steps(queue.popleft()):
            transitions += 1
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return len(seen), transitions


def test_peterson_holds_with_exact_counts() -> None:
    result = check(peterson())
    result.assert_holds()
    assert result["mutual-exclusion"].status is Status.HOLDS
    assert result["deadlock-free"].status is Status.HOLDS
    states, transitions = _peterson_by_hand()
    assert (result.stats.states, result.stats.transitions) == (states, transitions)
    assert result.stats.complete


def test_peterson_witness_reaches_critical() -> None:
    # idle -> want -> waiting -> critical: three own steps of p0, and nothing shorter exists.
    witness = check(peterson())["p0-enters"].witness
    assert witness is not None
    assert witness.labels == ["p0.raise_flag", "p0.set_turn", "p0.enter"]
    assert witness.states[-1]["p0"] == CRITICAL


def test_broken_lock_shortest_counterexample() -> None:
    result = check(broken_lock())
    assert not result
    prop = result["mutual-exclusion"]
    assert prop.status is Status.VIOLATED
    trace = prop.counterexample
    assert trace is not None
    # Each process needs two of its own steps to be critical (idle -> checked -> critical) and
    # every step moves one process, so a violation needs at least 2 + 2 = 4 steps. Four suffice:
    # both check while both flags are down, then both enter. BFS must find exactly that length.
    assert len(trace) == 4
    labels = trace.labels
    assert sorted(labels) == ["p0.check", "p0.enter", "p1.check", "p1.enter"]
    # Both checks precede both entries: once a process enters, its flag blocks the other's check.
    assert max(labels.index("p0.check"), labels.index("p1.check")) < min(
        labels.index("p0.enter"), labels.index("p1.enter")
    )
    final = trace.states[-1]
    assert final["p0"] == final["p1"] == CRITICAL
    assert final["p0.flag"] is True and final["p1.flag"] is True
    entering = [s for s in trace.steps if s.label.endswith(".enter")]
    assert {s.parts[0][0] for s in entering} == {"p0", "p1"}
    assert all(s.changes[f"{s.parts[0][0]}"] == ("checked", CRITICAL) for s in entering)


def test_broken_lock_trace_changes_are_only_what_changed() -> None:
    trace = check(broken_lock())["mutual-exclusion"].counterexample
    assert trace is not None
    for step, before, after in zip(trace.steps, trace.states, trace.states[1:], strict=False):
        assert set(step.changes) == {k for k in after if before[k] != after[k]}


def test_no_deadlock_option_drops_only_the_builtin() -> None:
    result = check(broken_lock(), Options(deadlock=False))
    assert "deadlock-free" not in [p.name for p in result.properties]
    assert result["mutual-exclusion"].status is Status.VIOLATED
