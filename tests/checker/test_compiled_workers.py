"""The compiled core on several threads (``--workers N``) against the core on one.

Workers only expand states into their own buffers; one thread stores the new states in frontier
order and answers every table miss in the order the one-thread loop meets it. So N workers must
give exactly what one gives: the same states (decoded) under the same numbers, parents, moves,
level sizes, transitions, limits, deadlock, overflow, property hits, edges, verdicts and
counterexamples, with and without symmetry reduction. Each run uses a fresh system (no memo or
table is shared between the runs compared), and the findings of the threaded run are replayed
through a freshly built Python product, independently of the core.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from click.testing import CliRunner
from live_models import crossing, request_reply
from models import philosophers, pipeline
from test_compiled_core import (
    MODELS,
    _safety,
    _sriov,
    alike,
    cli_reports,
    explored,
    levels,
    random_system,
    replay_findings,
    same_verdicts,
)
from test_compiled_symmetry import MODELS as SYMMETRIC
from test_compiled_symmetry import random_pair, reduced
from test_compiled_symmetry import replays as replays_orbits

from vfpath.checker import Options, check
from vfpath.checker import compiled as compiled_engine
from vfpath.checker.errors import LimitError
from vfpath.checker.explore import Exploration, explore
from vfpath.checker.properties import Fairness

pytestmark = pytest.mark.skipif(
    not compiled_engine.available() or not compiled_engine._core.threaded(),
    reason="the compiled core is not built with OpenMP on this machine",
)

WORKERS = (2, 3)


def threaded(make: Any, workers: int, props: Any = None, **options: Any) -> Exploration:
    """Explore ``make()`` on one thread and on ``workers``; the same exploration; the latter."""
    one = explored(make, props, workers=1, **options)
    many = explored(make, props, workers=workers, **options)
    assert one.engine == "compiled" and many.engine == f"compiled ({workers} workers)"
    alike(one, many)
    replay_findings(make, many)
    return many


def threaded_reduced(make: Any, workers: int, props: Any = None) -> Exploration:
    """:func:`threaded` under the system's symmetry reduction: the same representatives."""
    one = reduced(make, props, workers=1)
    many = reduced(make, props, workers=workers)
    assert many.engine == f"compiled ({workers} workers)"
    alike(one, many)
    assert many.concrete_states == one.concrete_states
    system = make()
    for sid in [*many.hits.values(), many.deadlock]:
        if sid is not None:
            replays_orbits(system, many, sid)
    return many


def same_checks(make: Any, workers: int, **options: Any) -> None:
    """check() on one thread and on ``workers``: the same verdicts, symmetry summary and
    counterexamples, step for step."""
    one, many = (check(make(), Options(workers=w, **options)) for w in (1, workers))
    assert many.extra["engine"] == f"compiled ({workers} workers)"
    assert many.extra["symmetry"] == one.extra["symmetry"]
    same_verdicts(one, many)
    for a, b in zip(one.properties, many.properties, strict=True):
        assert (a.counterexample, a.witness) == (b.counterexample, b.witness)


@pytest.mark.parametrize("workers", WORKERS)
@pytest.mark.parametrize("name", MODELS)
def test_workers_explore_as_one_thread(name: str, workers: int) -> None:
    many = threaded(MODELS[name], workers)
    if name.startswith("philosophers-4"):
        assert many.deadlock is not None
    if name == "pipeline-overflows":
        assert many.overflow is not None
    same_checks(MODELS[name], workers)


@pytest.mark.parametrize("workers", WORKERS)
@pytest.mark.parametrize("seed", range(8))
def test_workers_explore_random_systems_as_one_thread(seed: int, workers: int) -> None:
    threaded(lambda: random_system(seed), workers)


def test_workers_read_the_same_edges_for_liveness() -> None:
    weak = Fairness("server.serve")
    for make in (request_reply, lambda: request_reply(weak), lambda: crossing(weak)):
        many = threaded(make, 2)
        assert many.edges is not None and len(many.edges[0]) == many.transitions
        same_checks(make, 2)


def test_liveness_after_workers_searches_in_c(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fair-cycle search runs on the compiled core's edge arrays whatever the number of
    workers (it once ran in Python after ``--workers 2``, the engine's name not being
    "compiled")."""
    from vfpath.checker import fair_arrays

    searched: list[int] = []
    search = fair_arrays.search
    monkeypatch.setattr(
        fair_arrays, "search", lambda *a, **k: searched.append(1) or search(*a, **k)
    )
    result = check(request_reply(Fairness("server.serve")), Options(workers=2))
    assert result.extra["engine"] == "compiled (2 workers)"
    assert searched


def test_liveness_properties_searched_side_by_side_as_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On more than one worker the C searches of several liveness properties run on threads:
    the same verdicts and lassos, in the same order, as one after another."""
    from concurrent.futures import ThreadPoolExecutor

    from vfpath.checker import liveness

    pools: list[int] = []

    class Counted(ThreadPoolExecutor):
        def __init__(self, n: int) -> None:
            pools.append(n)
            super().__init__(n)

    monkeypatch.setattr(liveness, "ThreadPoolExecutor", Counted)

    def make() -> Any:
        sysm = request_reply()  # no fairness: "request-answered" fails, with a lasso
        served = Fairness("server.serve")
        reply = request_reply(served).properties[0]
        sysm.properties.append(dataclasses.replace(reply, name="answered-under-fairness"))
        sysm.properties.append(dataclasses.replace(reply, name="answered-again", fairness=()))
        return sysm

    same_checks(make, 2)  # verdicts and lassos, step for step
    assert pools == [2]
    live = check(make(), Options(workers=2)).properties[-3:]
    assert [p.name for p in live] == [
        "request-answered",
        "answered-under-fairness",
        "answered-again",
    ]
    assert all(
        p.counterexample is not None and p.counterexample.loop_start is not None for p in live
    )


def test_wide_levels_are_split_between_the_workers() -> None:
    """Philosophers(10) has levels of thousands of states: many slices per level, several
    batches, both workers busy; the run still equals the one-thread run."""
    many = threaded(lambda: philosophers(10, put_back=True), 2, graph=True)
    assert max(levels(many)) > 1000


@pytest.mark.parametrize("workers", WORKERS)
@pytest.mark.parametrize("name", SYMMETRIC)
def test_workers_explore_the_same_orbits(name: str, workers: int) -> None:
    many = threaded_reduced(SYMMETRIC[name], workers)
    assert len(many.states) < many.concrete_states  # the reduction did something


@pytest.mark.parametrize("seed", range(6))
def test_workers_explore_symmetric_random_systems_as_one_thread(seed: int) -> None:
    threaded_reduced(lambda: random_pair(seed), 2)


# -- limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 100, 1000])
def test_workers_stop_at_the_state_limit_where_one_thread_does(limit: int) -> None:
    many = threaded(lambda: philosophers(8, put_back=True), 2, max_states=limit)
    assert not many.complete and many.stop_reason == f"state limit of {limit}"


def test_workers_stop_at_the_memory_limit() -> None:
    many = threaded(lambda: pipeline(2, 2), 2, max_memory_mb=1)
    assert not many.complete and many.stop_reason == "memory limit of 1 MB"


def test_workers_report_progress_as_one_thread() -> None:
    calls: dict[int, list[tuple[int, int]]] = {1: [], 2: []}
    for w in calls:
        explore(
            philosophers(12, put_back=True).build(),
            [],
            Options(workers=w, progress=lambda n, left, _t, w=w: calls[w].append((n, left))),
        )
    assert len(calls[2]) >= 2 and calls[2] == calls[1]


def test_fewer_than_one_worker_is_refused() -> None:
    with pytest.raises(LimitError, match="workers must be at least 1"):
        explore(pipeline().build(), [], Options(workers=0))


def test_without_openmp_one_worker_runs_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled_engine._core, "threaded", lambda: False)
    make = lambda: philosophers(5, put_back=True)  # noqa: E731
    one = explored(make, workers=1)
    many = explored(make, workers=2)
    assert many.engine == "compiled (1 worker, not 2: the core was built without OpenMP)"
    alike(one, many)


def test_the_python_engine_says_it_ran_one_worker() -> None:
    ex = explore(pipeline().build(), [], Options(engine="python", workers=2))
    assert ex.engine == "python (1 worker, not 2)"


# -- SR-IOV --------------------------------------------------------------------------------------


@pytest.mark.parametrize("config", [(1, 1, 1), (2, 1, 1)])
def test_sriov_safety_explores_alike_on_workers(config: tuple[int, int, int]) -> None:
    many = threaded(_sriov(*config), 2, _safety)
    assert len(many.states) > 500


def test_sriov_with_symmetry_explores_alike_on_workers() -> None:
    many = threaded_reduced(_sriov(2, 1, 1), 2, _safety)
    assert many.concrete_states > len(many.states) > 500


def test_sriov_check_with_liveness_on_workers() -> None:
    same_checks(_sriov(1, 1, 1), 2)


def test_the_cli_names_the_workers() -> None:
    one, two = cli_reports(["--workers", "1"], ["--workers", "2"])
    assert one[0] == "engine: compiled" and two[0] == "engine: compiled (2 workers)"
    assert one[1:] == two[1:]  # the same report otherwise


def test_the_cli_refuses_fewer_than_one_worker() -> None:
    from vfpath.cli import cli

    bad = CliRunner().invoke(cli, ["check", "--workers", "0"])
    assert bad.exit_code == 2 and "--workers" in bad.output
