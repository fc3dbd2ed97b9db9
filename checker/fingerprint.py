"""Fingerprint mode of the compiled core: the visited set keeps a 64-bit hash per state.

Why: exact storage keeps every state's packed words (25-28 bytes a state with the visited set,
parents and moves) and numbers states with 32-bit ids, so it stops at 2**31 states. As in TLC,
fingerprint mode keeps a 64-bit fingerprint per visited state instead, and the packed words of
the states still to expand only; parents (64-bit past 2**31 states) and moves stay, so any
state is rebuilt by replaying the moves from the root through the Python product
(:class:`ReplayedStates`).

The price is soundness with a small probability: two distinct states with one fingerprint
count as one, and the second one's successors are never explored, so a "holds" may be wrong.
Every run in this mode says so and prints two estimates of that probability
(:func:`collision_report`). It is switched on by ``Options(fingerprint=True)``
(``vfpath check --fingerprint``), or automatically, with a line saying so, when an exact run
passes :data:`SWITCH_AT` states. What needs every state or the whole graph (liveness,
``graph=True``) refuses it (:class:`~checker.errors.FingerprintRefused`), and an exact run
that keeps the graph never switches.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from .compiled import PackedStates
from .errors import FingerprintRefused
from .product import Overflow, Product, State

__all__ = [
    "BITS",
    "SWITCH_AT",
    "ReplayedStates",
    "collision_report",
    "describe",
    "refuse_graph",
]

# An exact run switches to fingerprints once it stores this many states (tests lower it).
SWITCH_AT = 10**9
# The fingerprint width; only tests make it smaller, to force collisions.
BITS = 64


def refuse_graph(why: str) -> FingerprintRefused:
    """The one-line refusal of what needs every state or edge (liveness, a graph, a list)."""
    return FingerprintRefused(
        f"fingerprint mode cannot {why}: it keeps neither the state graph nor the states; "
        "drop --fingerprint (or, for liveness, check safety only: --safety-only)"
    )


class ReplayedStates(PackedStates):
    """The explored states of a fingerprint-mode run, as the core stores them, each rebuilt on
    access by following parents to the root and replaying the moves forward (a move leads to
    at most one successor of a state). Those not yet forgotten are decoded directly; rebuilt
    ones are cached, so a counterexample costs one replay. Iterating over all is refused."""

    def __init__(self, core: Any, product: Product, root: State, parent: Any, via: Any) -> None:
        super().__init__(core)
        self._product = product
        self._parent = parent
        self._via = via
        self._cache: dict[int, State] = {0: root}

    def _one(self, sid: int) -> State:
        if sid >= self._core.base:
            return self._core.decode(sid)  # type: ignore[no-any-return]
        path: list[int] = []
        while sid not in self._cache:
            path.append(sid)
            sid = self._parent[sid]
        cur = self._cache[sid]
        for j in reversed(path):
            cur = self._cache[j] = self._step(cur, self._via[j])
        return cur

    def _step(self, s: State, move: int) -> State:
        """The stored successor of ``s`` by ``move`` (its orbit's least image, with symmetry)."""
        for m, nxt in self._product.successors(s):
            if m == move and not isinstance(nxt, Overflow):
                if not self._core.sym:
                    return nxt
                core = self._core
                ids = [core.intern(k, v) for k, v in enumerate(nxt)]
                return tuple(core.value(k, n) for k, n in enumerate(core.least_image(ids)))
        raise AssertionError(f"move {move} is not enabled where the explored path took it")

    def __iter__(self) -> Iterator[State]:
        raise refuse_graph("list every state")


def collision_report(core: Any, forced: bool) -> dict[str, Any]:
    """TLC-style estimates of the chance that two explored states shared a fingerprint.

    A priori: ``n`` states, the first ``k`` stored exactly (before the switch; 0 when forced),
    fingerprints uniform over the ``M = 2**bits - 1`` non-zero values. Only pairs with a state
    from after the switch can collide unnoticed: ``P = n(n-1)/2 - k(k-1)/2`` pairs, and the
    probability that some pair shares a fingerprint is ``1 - exp(-P / M)`` (the birthday
    bound's exponential form, at most ``P / M``; for 64 bits and ``k = 0`` about
    ``n**2 / 2**65``). Observed: one over the least distance between two stored fingerprints
    (TLC's empirical estimate, after Broder): evenly spread fingerprints give a small one,
    a near-collision a large one.
    """
    n = int(core.count)
    k = 0 if forced else int(core.switched_at)
    space = 2**BITS - 1
    pairs = n * (n - 1) // 2 - k * (k - 1) // 2
    gap = int(core.fingerprint_gap())
    return {
        "bits": BITS,
        "forced": forced,
        "from_state": k,
        "states": n,
        "probabilistic": True,
        "collision_probability": -math.expm1(-pairs / space),
        "observed_probability": (1.0 / gap) if gap else None,
        "least_gap": gap,
    }


def describe(info: dict[str, Any]) -> str:
    """The report's line on a fingerprint-mode run: what was stored, the verdicts' risk."""
    how = "forced" if info["forced"] else f"switched to at {info['from_state']:,} states"
    observed = info["observed_probability"]
    seen = "" if observed is None else f", {observed:.1e} observed (1 / least gap, TLC's)"
    return (
        f"fingerprints: {info['bits']}-bit ({how}); the verdicts are probabilistic: a "
        f"'holds' is wrong if two states shared a fingerprint, probability "
        f"{info['collision_probability']:.1e} a priori (pairs / 2^{info['bits']}){seen}"
    )
