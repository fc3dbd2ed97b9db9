"""The generated Hypothesis state machine on the SR-IOV model.

Every run drives live python-statemachine instances of the model's actors and checks each step
against the compiled product, plus every ALWAYS property, so these tests also check the engine
on the real model. Configurations beyond exhaustive reach (6 VMs, 3 VFs, 2 hosts) run here; the
seeded bugs come from the model's catalog (``vfpath.model.variants``), and their shortest
counterexamples from the exhaustive check, a different algorithm.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from vfpath.api import build_system
from vfpath.checker import Expectation, Options, System, check
from vfpath.checker.explore import explore
from vfpath.checker.simulate import simulate
from vfpath.checker.stateful import (
    PropertyViolation,
    _seed_targets,
    machine_for,
    measure_coverage,
    paths_to,
    trim_seeds,
)
from vfpath.checker.view import StateView
from vfpath.model import Config
from vfpath.model.variants import CATALOG, Variant, shows

DEFAULT = Config()
LARGE = Config(vms=6, vfs=3, hosts=2)
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)


def safety(system: System) -> System:
    """The system with its ALWAYS properties only (the machine checks nothing else)."""
    return system.with_properties(
        [p for p in system.properties if p.expectation is Expectation.ALWAYS]
    )


def run(cls: type, **overrides: Any) -> None:
    config = settings(settings.default, print_blob=False, report_multiple_bugs=False, **overrides)
    run_state_machine_as_test(cls, settings=config)


def variant(name: str) -> Variant:
    return next(v for v in CATALOG if v.name == name)


@cache
def seeds_for(config: Config) -> tuple[tuple[int, ...], ...]:
    """Shortest paths to 64 deep states of the unmodified model's exhaustive graph."""
    ex = explore(build_system(config).with_properties([]).build(), [], Options(graph=True))
    return tuple(paths_to(ex, _seed_targets(ex, {0}, set(), 64)))


def test_default_configuration() -> None:
    system = safety(build_system(DEFAULT))
    assert len(system.properties) > 5
    run(machine_for(system))


def test_configuration_beyond_exhaustive_reach() -> None:
    # 6 VMs, 3 VFs per host, 2 hosts: hundreds of moves, far past what BFS can enumerate
    system = safety(build_system(LARGE))
    assert len(system.build().moves) > 500
    run(machine_for(system), max_examples=8, stateful_step_count=40)


def test_random_walks_beyond_exhaustive_reach() -> None:
    r = simulate(safety(build_system(LARGE)), steps=1500, seed=0, runs=3)
    assert r, str(r.violation and r.violation.trace.labels)
    assert r.distinct_states > 1000


# two VMs of two NICs each on MANA's shared serials: out of exhaustive reach
MANY_NICS = Config(vms=2, vfs=2, hosts=2, vnics=2, serials="vm")


def test_several_nics_per_vm_beyond_exhaustive_reach() -> None:
    system = safety(build_system(MANY_NICS))
    run(machine_for(system), max_examples=8, stateful_step_count=40)
    r = simulate(system, steps=2000, seed=0, runs=4)
    assert r, str(r.violation and r.violation.trace.labels)
    assert r.distinct_states > 1000


def test_random_walks_find_the_mana_pairing_bug_beyond_exhaustive_reach() -> None:
    v = variant("lx-pair-by-serial-only")
    system = safety(build_system(MANY_NICS)).replace(v.replacements)
    r = simulate(system, 2000, seed=0, runs=4)
    assert not r and r.violation is not None
    assert r.violation.property == v.expected
    product = system.build()
    end = StateView(product, product.pack(r.violation.trace.states[-1]))
    # a vPort paired with another NIC of its VM (binding[i.j]'s own NIC is j)
    assert [
        n
        for n in system.instances
        if n.startswith("binding[")
        and end[n].state != "unbound"
        and end[n].paired_vnic != int(n[n.index(".") + 1 : -1])
    ]


def test_a_seeded_bug_is_found_and_shrunk() -> None:
    v = variant("lx-vf-visible-before-slave")
    system = safety(v.system())
    shortest = check(system, Options(deadlock=False))[v.expected].counterexample
    assert shortest is not None
    with pytest.raises(PropertyViolation) as info:
        run(machine_for(system))
    err = info.value
    assert err.property == v.expected
    assert shows(err.trace, v.key_events, v.absent), err.trace.labels
    assert len(err.trace) >= len(shortest)
    if settings.default.derandomize:  # the ci profile: this exact run reaches the shortest
        assert len(err.trace) == len(shortest)


def test_seeds_from_the_exhaustive_graph_reach_a_deep_bug() -> None:
    # switching the cached path on the request (before the host's completion) shows only after
    # VM start, VF allocation, offer, association, bind and switch: the seeds start runs there
    v = variant("lx-vf-path-before-completion")
    system = safety(v.system())
    seeds = trim_seeds(system, seeds_for(v.config))
    assert seeds
    with pytest.raises(PropertyViolation) as info:
        run(machine_for(system, seeds=seeds), phases=NO_SHRINK)
    assert info.value.property == v.expected
    assert shows(info.value.trace, v.key_events, v.absent), info.value.trace.labels


def test_the_unmodified_model_passes_with_the_same_seeds() -> None:
    # the kill above means something only if the same seeded runs pass on the real model
    system = safety(build_system(Config(1, 1, 1)))
    run(machine_for(system, seeds=seeds_for(Config(1, 1, 1))))


def test_coverage_of_a_small_configuration() -> None:
    system = build_system(Config(1, 1, 1))
    full = check(system.with_properties([]), Options(deadlock=False)).stats
    plain = measure_coverage(system, runs=10, steps=40, seed=0, seeded=False)
    seeded = measure_coverage(system, runs=10, steps=40, seed=0, seeded=True)
    for c in (plain, seeded):
        assert (c.total_states, c.total_transitions) == (full.states, full.transitions)
        assert 0 < c.state_fraction <= 1 and 0 < c.transition_fraction <= 1
    assert seeded.seeds > 0 and seeded.replayed > 0
