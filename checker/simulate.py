"""Random walks on the compiled product: reach configurations too large to explore exhaustively.

A walk starts at the initial state and takes uniformly (or weight-) chosen enabled moves, checking
every ALWAYS property and the channel bounds at every state it enters. It proves nothing when it
finds nothing, but it runs at the compiled product's speed (microseconds a step), so it goes far
deeper than the Hypothesis suite that drives live instances. Walks are deterministic for a seed:
successors come out of :meth:`Product.successors` in a fixed order and only ``random.Random(seed)``
chooses among them (Stateright's ``simulation.rs`` plays the same role).
"""

from __future__ import annotations

import fnmatch
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .errors import VfpathError
from .explore import path_trace
from .product import Overflow, Product, State
from .properties import Expectation, Property
from .result import Trace
from .system import System
from .view import StateView

__all__ = [
    "SimulationResult",
    "Violation",
    "breaks",
    "move_weights",
    "overflows",
    "remove_loops",
    "shrink_path",
    "simulate",
]

Hop = tuple[int, State]
Fails = Callable[[State | Overflow], bool]  # does this outcome of a path's last step fail?


@dataclass(frozen=True)
class Violation:
    """A property a walk broke, with the (loop-free) path that breaks it."""

    property: str
    description: str
    trace: Trace
    note: str = ""
    run: int = 0  # which walk, counted from 0
    raw_length: int = 0  # steps before loops were cut out


@dataclass(frozen=True)
class SimulationResult:
    """What the walks saw. ``bool(result)`` is "no violation found" (which proves nothing)."""

    system: str
    runs: int  # walks actually taken (fewer than asked when one found a violation)
    steps: int  # steps taken over all walks
    distinct_states: int
    stuck: int  # walks that ended early in a state with no enabled move
    seconds: float
    seed: int
    violation: Violation | None = None

    def __bool__(self) -> bool:
        return self.violation is None


def move_weights(product: Product, weights: Mapping[str, int] | None) -> list[int]:
    """One integer weight per move: the first glob of ``weights`` matching its label, else 1.

    A weight of 0 means "never choose it while anything else is enabled": a way to keep a walk
    away from, say, VM shutdown that would end every interesting sequence early.
    """
    if not weights:
        return [1] * len(product.moves)
    for pattern, w in weights.items():
        if not isinstance(w, int) or isinstance(w, bool) or w < 0:
            raise VfpathError(f"weight of {pattern!r} must be a non-negative integer, got {w!r}")
        if not any(fnmatch.fnmatchcase(m.label, pattern) for m in product.moves):
            raise VfpathError(f"weight pattern {pattern!r} matches no move")
    out = []
    for move in product.moves:
        out.append(next((w for p, w in weights.items() if fnmatch.fnmatchcase(move.label, p)), 1))
    return out


def remove_loops(first: State, hops: list[Hop]) -> list[Hop]:
    """Cut every cycle out of a path: when a state recurs, drop the steps between its visits.

    The result still leads from ``first`` to the same last state through real transitions, and
    visits no state twice, so a counterexample found by a long walk reads like a short one.
    """
    out: list[Hop] = []
    where: dict[State, int] = {first: 0}  # state -> number of hops in `out` when it was reached
    for move, state in hops:
        seen = where.get(state)
        if seen is not None:
            for _m, s in out[seen:]:
                del where[s]
            del out[seen:]
            continue
        out.append((move, state))
        where[state] = len(out)
    return out


def shrink_path(
    product: Product,
    hops: list[Hop],
    fails: Fails,
    *,
    budget: int = 2000,
) -> list[Hop]:
    """A shorter path from the initial state whose last step still ``fails``.

    ``hops`` are ``(move, state)``, the last state being an overflow's packed state when the
    last step overflows. Loops are cut first (:func:`remove_loops`); then runs of steps are
    deleted greedily as long as the rest is still a path of the compiled product and its last
    outcome (a state, or the :class:`Overflow` of the last step) still fails; a trial that
    fails earlier is cut there. This is delta debugging's reduction restricted to contiguous
    runs, on the compiled product (a replay costs microseconds a step), so a counterexample
    found by a long random walk or an unshrunk Hypothesis run reads as a short one. The result
    is not always the shortest: deleting interleaved detours needs several non-adjacent
    deletions at once. ``budget`` bounds the replays tried.
    """
    init = product.initial

    def replay(moves: list[int]) -> list[Hop] | None:
        # the path up to its first failing step, or None if it is no path or never fails
        state: State = init
        out: list[Hop] = []
        for m in moves:
            nxt = dict(product.successors(state)).get(m)
            if nxt is None:
                return None
            if isinstance(nxt, Overflow):
                return [*out, (m, nxt.state)] if fails(nxt) else None
            out.append((m, nxt))
            if fails(nxt):
                return out
            state = nxt
        return None

    best = remove_loops(init, hops)
    moves = [m for m, _ in best]
    width = max(1, len(moves) // 2)
    while width >= 1 and budget > 0:
        i, changed = 0, False
        while i < len(moves) and budget > 0:
            budget -= 1
            trial = moves[:i] + moves[i + width :]
            again = replay(trial) if trial else None
            if again is not None:
                moves, best, changed = trial, again, True
            else:
                i += 1
        if not changed:
            width //= 2
    return best


def breaks(product: Product, prop: Property) -> Fails:
    """The outcome is a state that violates the invariant ``prop``."""
    return lambda o: not isinstance(o, Overflow) and _broken([prop], product, o) is not None


def overflows(channel: str) -> Fails:
    """The outcome is a step that overflows ``channel``."""
    return lambda o: isinstance(o, Overflow) and o.channel == channel


def _broken(invariants: list[Property], product: Product, state: State) -> Property | None:
    view = StateView(product, state)
    for p in invariants:
        if (p.when is None or p.when(view)) and not p.check(view):
            return p
    return None


def _pick(rng: random.Random, succ: list[tuple[int, State | Overflow]], weights: list[int]):  # type: ignore[no-untyped-def]
    ws = [weights[m] for m, _ in succ]
    if not any(ws):
        return succ[rng.randrange(len(succ))]
    return rng.choices(succ, weights=ws, k=1)[0]


def simulate(
    system: System,
    steps: int,
    seed: int,
    runs: int = 1,
    *,
    weights: Mapping[str, int] | None = None,
    shrink: bool = True,
) -> SimulationResult:
    """Take ``runs`` random walks of up to ``steps`` steps each, stopping at the first violation.

    Parameters
    ----------
    system: the system to walk; its ALWAYS properties are checked in every state entered.
    steps, runs: the length and number of walks (each at least 1).
    seed: the walks are a function of the seed (and the system) only.
    weights: optional label glob -> weight, see :func:`move_weights`.
    shrink: shorten a counterexample on the compiled product (see :func:`shrink_path`).

    Returns
    -------
    A :class:`SimulationResult`; its ``violation`` carries the first broken property and a path
    to it (overflow of a bounded channel is reported as ``channels-bounded``).
    """
    if steps < 1 or runs < 1:
        raise VfpathError(f"steps and runs must be at least 1, got steps={steps}, runs={runs}")
    start = time.perf_counter()
    product = system.build()
    invariants = [p for p in system.properties if p.expectation is Expectation.ALWAYS]
    wts = move_weights(product, weights)
    rng = random.Random(seed)
    init = product.initial
    seen: set[State] = {init}
    taken = stuck = 0

    def result(done: int, violation: Violation | None) -> SimulationResult:
        return SimulationResult(
            system.name,
            done,
            taken,
            len(seen),
            stuck,
            time.perf_counter() - start,
            seed,
            violation,
        )

    def found(run: int, hops: list[Hop], fails: Fails, name: str, why: str) -> Violation:
        short = shrink_path(product, hops, fails) if shrink else hops
        trace = path_trace(product, init, short)
        note = why if name == "channels-bounded" else ""
        return Violation(name, why, trace, note, run, len(hops))

    bad = _broken(invariants, product, init)
    if bad is not None:
        return result(1, found(0, [], breaks(product, bad), bad.name, bad.description))
    for run in range(runs):
        state = init
        hops: list[Hop] = []
        for _ in range(steps):
            succ = list(product.successors(state))
            if not succ:
                stuck += 1
                break
            move, nxt = _pick(rng, succ, wts)
            taken += 1
            if isinstance(nxt, Overflow):
                hops.append((move, nxt.state))
                note = f"channel {nxt.channel!r} overflows"
                fails = overflows(nxt.channel)
                return result(run + 1, found(run, hops, fails, "channels-bounded", note))
            hops.append((move, nxt))
            seen.add(nxt)
            state = nxt
            bad = _broken(invariants, product, state)
            if bad is not None:
                fails = breaks(product, bad)
                return result(run + 1, found(run, hops, fails, bad.name, bad.description))
    return result(runs, None)
