"""The compiled product against python-statemachine's own runtime, on seeded random walks.

At every step the moves the library enables on live instances (``enabled_events`` on each
participant) must be exactly the moves the product has successors for, and after ``send()`` the
live instances, packed, must equal the product's successor. Two deliberately broken products show
that the comparison catches a missing move and a wrong transition target.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterator

import pytest
from models import peterson, philosophers, pipeline

from vfpath.checker import System
from vfpath.checker.live import LiveSystem
from vfpath.checker.product import Overflow, Product, State

WALKS, LENGTH = 12, 60


def walk(product: Product, rng: random.Random, length: int) -> list[int]:
    """One random walk comparing both semantics; returns the moves taken."""
    live = LiveSystem(product)
    state = product.initial
    assert live.snapshot() == state, "the initial states differ"
    taken: list[int] = []
    for _ in range(length):
        pairs = list(product.successors(state))
        succ = dict(pairs)
        assert len(succ) == len(pairs), "a move has two successors"
        enabled = live.enabled()
        assert set(enabled) == set(succ), (
            f"after {[product.moves[m].label for m in taken]}: live enables "
            f"{sorted(product.moves[m].label for m in enabled)}, product "
            f"{sorted(product.moves[m].label for m in succ)}"
        )
        if not succ:
            break
        move = rng.choice(sorted(succ))
        live.step(move)
        taken.append(move)
        nxt = succ[move]
        if isinstance(nxt, Overflow):
            assert live.overflowed == nxt.channel
            assert live.snapshot() == nxt.state
            break
        assert live.snapshot() == nxt, (
            f"{product.moves[move].label}: live {product.describe(live.snapshot())} "
            f"!= product {product.describe(nxt)}"
        )
        state = nxt
    return taken


def walks(system: System, seed: int, product: Product | None = None) -> list[list[int]]:
    rng = random.Random(seed)
    product = product or system.build()
    return [walk(product, rng, LENGTH) for _ in range(WALKS)]


SYSTEMS: dict[str, Callable[[], System]] = {
    "peterson": peterson,
    "philosophers-3": lambda: philosophers(3),
    "philosophers-4-put-back": lambda: philosophers(4, put_back=True),
    "pipeline": pipeline,
    "pipeline-overflow": lambda: pipeline(capacity=1, credit=2),
}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_product_agrees_with_live_instances(name: str, seed: int) -> None:
    system = SYSTEMS[name]()
    product = system.build()
    runs = walks(system, seed, product)
    steps = sum(len(r) for r in runs)
    distinct = {m for r in runs for m in r}
    # The walks must actually exercise the model: many steps and most of its moves.
    assert steps >= 2 * WALKS
    assert len(distinct) >= min(4, len(product.moves))


def test_walks_are_deterministic() -> None:
    assert walks(peterson(), 7) == walks(peterson(), 7)


def test_long_walks_cover_every_move_of_peterson() -> None:
    product = peterson().build()
    runs = walks(peterson(), 11, product)
    assert {m for r in runs for m in r} == set(range(len(product.moves)))


def test_deadlocked_walk_stops_where_the_product_does() -> None:
    # Without put-back every walk that takes all left forks must stop there, in both semantics.
    product = philosophers(3).build()
    rng = random.Random(5)
    ends = [walk(product, rng, 200) for _ in range(30)]
    assert any(len(r) < 200 for r in ends)


# -- the comparison can fail -----------------------------------------------------------------


class _Dropping(Product):
    """A broken product that never offers one move."""

    dropped = -1

    def successors(self, state: State) -> Iterator[tuple[int, State | Overflow]]:
        for m, nxt in super().successors(state):
            if m != self.dropped:
                yield m, nxt


def test_a_missing_move_is_caught() -> None:
    system = peterson()
    product = _Dropping(system)
    product.dropped = next(m for m, mv in enumerate(product.moves) if mv.label == "p1.enter")
    with pytest.raises(AssertionError, match="live enables"):
        walks(system, 3, product)


def test_a_wrong_target_is_caught() -> None:
    system = peterson()
    product = system.build()
    i = product.index["p0"]
    table = product.tables[i]
    key = (table.code["waiting"], "enter")
    # A compiler bug: p0's enter goes back to idle instead of critical.
    table.rows[key] = tuple(
        dataclasses.replace(r, target=table.code["idle"]) for r in table.rows[key]
    )
    with pytest.raises(AssertionError, match=r"p0\.enter"):
        walks(system, 3, product)
