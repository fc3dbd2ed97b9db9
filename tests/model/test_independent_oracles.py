"""Oracles that do not run the code they check.

The manifest's smallest entry is re-derived with python-statemachine's own runtime (live
instances driven by ``send()``, breadth first, each state reached by replaying its path), not
with the explorer that wrote it. The symmetry reduction's orbit count is re-derived by
enumerating the group on every reachable state, not with its canonical form.
"""

from __future__ import annotations

import pytest

from vfpath.api import build_system
from vfpath.checker.explore import explore
from vfpath.checker.live import LiveSystem
from vfpath.checker.product import Product
from vfpath.checker.symmetry import Reduction
from vfpath.model import Config, manifest


def _replay(product: Product, path: tuple[int, ...]) -> LiveSystem:
    live = LiveSystem(product)
    for m in path:
        live.step(m)
    return live


def test_the_smallest_manifest_entry_is_what_the_library_itself_reaches() -> None:
    product = build_system(Config(1, 1, 1)).build()
    first = LiveSystem(product).snapshot()
    seen = {first}
    frontier: list[tuple[int, ...]] = [()]
    transitions = 0
    while frontier:
        later: list[tuple[int, ...]] = []
        for path in frontier:
            for m in _replay(product, path).enabled():
                live = _replay(product, path)
                live.step(m)
                if live.overflowed:
                    continue  # not a state: the channels-bounded property reports it
                transitions += 1
                s = live.snapshot()
                if s not in seen:
                    seen.add(s)
                    later.append((*path, m))
        frontier = later
    entry = next(e for e in manifest.load() if (e.vms, e.vfs, e.hosts) == (1, 1, 1))
    assert (len(seen), transitions) == (entry.states, entry.transitions)


@pytest.mark.parametrize("config", [Config(2, 1, 1), Config(1, 2, 1)], ids=str)
def test_orbits_counted_by_enumerating_the_group(config: Config) -> None:
    sysm = build_system(config)
    product = sysm.build()
    red = Reduction(product, sysm.meta["symmetry"])
    plain = explore(product, [])
    orbit_of: dict[tuple[object, ...], frozenset[tuple[object, ...]]] = {}
    for s in plain.states:
        if s not in orbit_of:
            orbit = frozenset(red.images(s))
            orbit_of.update(dict.fromkeys(orbit, orbit))
    orbits = set(orbit_of.values())
    reduced = explore(product, [], reduction=red)
    assert len(reduced.states) == len(orbits)
    assert {orbit_of[r] for r in reduced.states} == orbits  # one representative per orbit
    # every VM starts on the one host: the initial state is symmetric, so the orbits of the
    # reachable states hold exactly the reachable states
    assert reduced.concrete_states == sum(len(o) for o in orbits) == len(plain.states)
