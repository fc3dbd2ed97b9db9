"""Fingerprint mode (checker/fingerprint.py) against exact storage in the compiled core.

Forced from the start, or switched to mid-run (the switching threshold lowered), the run must
be the exact run but for what it stores: the same states in the same order (each state rebuilt
by replaying its path equals the exact run's), level sizes, parents, moves, transitions,
deadlock, overflow and property hits, the same verdicts and counterexample lengths; every
counterexample replays through a freshly built Python product and ends where the property
fails, judged there by the property itself. Fingerprints too narrow to tell states apart make
the run under-count: the collision estimate it prints is not decoration.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from models import broken_lock, peterson, philosophers, pipeline
from test_compiled_core import _safety, _sriov, levels, random_system, replays
from test_compiled_symmetry import depth_of, two_philosophers
from test_compiled_symmetry import replays as replays_orbits
from test_symmetry import _sym_lock, _sym_peterson

from vfpath.checker import Options, System, check, fingerprint
from vfpath.checker import compiled as compiled_engine
from vfpath.checker.errors import FingerprintRefused
from vfpath.checker.explore import Exploration, explore
from vfpath.checker.product import Overflow
from vfpath.checker.properties import Expectation
from vfpath.checker.symmetry import reduction_for
from vfpath.checker.view import StateView

pytestmark = pytest.mark.skipif(
    not compiled_engine.available(), reason="the compiled core is not built on this machine"
)

MODELS = {
    "philosophers-4 (deadlocks)": lambda: philosophers(4),
    "philosophers-5-put-back": lambda: philosophers(5, put_back=True),
    "peterson": peterson,
    "broken-lock": broken_lock,
    "pipeline-overflows": lambda: pipeline(2, 3),
    "random-3": lambda: random_system(3),
    "random-11": lambda: random_system(11),
    "sriov-1/1/1": _sriov(1, 1, 1),
    "sriov-2/1/1": _sriov(2, 1, 1),
}


def _explore(make: Any, **options: Any) -> Exploration:
    system = make()
    return explore(system.build(), _safety(system), Options(**options))


def _fails_there(ex: Exploration, make: Any) -> None:
    """Each hit, rebuilt by replay, is where its property says it is (an independent judge:
    the property's own predicates on the rebuilt state); the deadlock has no step (but
    overflowing ones) and is not final."""
    props = {p.name: p for p in make().properties}
    for name, sid in ex.hits.items():
        p = props[name]
        view = StateView(ex.product, ex.states[sid])
        if p.expectation is Expectation.ALWAYS:
            assert (p.when is None or p.when(view)) and not p.check(view), name
        else:
            assert p.check(view), name
    if ex.deadlock is not None:
        s = ex.states[ex.deadlock]
        steps = [t for _m, t in ex.product.successors(s) if not isinstance(t, Overflow)]
        assert not steps and not ex.product.is_final(s)


def _same(exact: Exploration, fp: Exploration, make: Any) -> None:
    assert fp.fingerprint is not None and exact.fingerprint is None
    assert len(fp.states) == len(exact.states)
    assert levels(fp) == levels(exact)
    assert list(fp.parent) == list(exact.parent) and list(fp.via) == list(exact.via)
    assert (fp.transitions, fp.depth, fp.complete) == (exact.transitions, exact.depth, True)
    assert (fp.deadlock, fp.overflow) == (exact.deadlock, exact.overflow)
    assert fp.hits == exact.hits and fp.triggered == exact.triggered
    # every state rebuilt from its path is the state the exact run stored (sampled)
    n = len(exact.states)
    for sid in sorted({0, 1, n // 3, n // 2, n - 1, *range(0, n, max(1, n // 40))}):
        assert fp.states[sid] == exact.states[sid], sid
    system = make()
    for sid in [*fp.hits.values(), fp.deadlock]:
        if sid is not None:
            replays(system, fp, sid)
    if fp.overflow is not None:
        sid, m, channel, to = fp.overflow
        replays(system, fp, sid)
        assert (m, Overflow(to, m, channel)) in list(fp.product.successors(fp.states[sid]))
    _fails_there(fp, make)


@pytest.mark.parametrize("name", MODELS)
def test_forced_fingerprints_explore_as_exact_storage(name: str) -> None:
    make = MODELS[name]
    exact = _explore(make)
    fp = _explore(make, fingerprint=True)
    assert fp.fingerprint is not None and fp.fingerprint["forced"]
    assert fp.fingerprint["from_state"] == 0 and fp.fingerprint["states"] == len(exact.states)
    _same(exact, fp, make)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("name", MODELS)
def test_switching_mid_run_explores_as_exact_storage(
    name: str, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Threaded runs too: they go on serially from the switch (the workers read the exact
    table the switch drops)."""
    make = MODELS[name]
    exact = _explore(make)
    told: list[str] = []
    at = max(2, len(exact.states) // 3)
    monkeypatch.setattr(fingerprint, "SWITCH_AT", at)
    fp = _explore(make, notify=told.append, workers=workers)
    assert fp.fingerprint is not None and not fp.fingerprint["forced"]
    switched = fp.fingerprint["from_state"]
    assert at <= switched < len(exact.states)  # at the first state past the threshold's
    assert len(told) == 1 and f"{switched:,} states" in told[0] and "probabilistic" in told[0]
    _same(exact, fp, make)


def test_below_the_threshold_nothing_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    told: list[str] = []
    n = len(_explore(peterson).states)
    monkeypatch.setattr(fingerprint, "SWITCH_AT", n + 1)
    ex = _explore(peterson, notify=told.append)
    assert ex.fingerprint is None and told == []


SYMMETRIC = {
    "sriov-2/1/1": _sriov(2, 1, 1),
    "broken-lock": _sym_lock,
    "peterson (renamed turn)": _sym_peterson,
    "two-philosophers": two_philosophers,
}


@pytest.mark.parametrize("name", SYMMETRIC)
def test_symmetry_reduced_fingerprints_count_the_same_orbits(name: str) -> None:
    """Fingerprints of the least images: the same orbits, orbit by orbit, as exact storage."""
    make = SYMMETRIC[name]
    runs = []
    for forced in (False, True):
        system = make()
        product = system.build()
        props = _safety(system)
        red, why = reduction_for(product, props)
        assert red is not None, why
        runs.append(explore(product, props, Options(fingerprint=forced), red))
    exact, fp = runs
    assert fp.fingerprint is not None and exact.fingerprint is None
    assert len(fp.states) == len(exact.states) and fp.concrete_states == exact.concrete_states
    assert levels(fp) == levels(exact)
    assert (fp.transitions, fp.depth) == (exact.transitions, exact.depth)
    assert depth_of(fp, fp.deadlock) == depth_of(exact, exact.deadlock)
    assert fp.hits.keys() == exact.hits.keys()
    for name, sid in fp.hits.items():
        assert depth_of(fp, sid) == depth_of(exact, exact.hits[name])
        replays_orbits(make(), fp, sid)


def _verdicts(a: Any, b: Any) -> None:
    for x, y in zip(a.properties, b.properties, strict=True):
        assert (x.name, x.status) == (y.name, y.status)
        for trace in ("counterexample", "witness"):
            tx, ty = getattr(x, trace), getattr(y, trace)
            assert (tx is None) == (ty is None)
            if tx is not None:
                assert len(tx) == len(ty) and tx.states == ty.states
    assert (a.stats.states, a.stats.transitions) == (b.stats.states, b.stats.transitions)


@pytest.mark.parametrize("forced", [True, False])
@pytest.mark.parametrize("name", ["philosophers-4 (deadlocks)", "broken-lock", "sriov-2/1/1"])
def test_check_gives_the_same_verdicts_and_says_they_are_probabilistic(
    name: str, forced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def make() -> System:
        system = MODELS[name]()
        system.properties[:] = _safety(system)
        return system

    exact = check(make(), Options())
    monkeypatch.setattr(fingerprint, "SWITCH_AT", 5)
    fp = check(make(), Options(fingerprint=forced, notify=lambda line: None))
    _verdicts(exact, fp)
    info = fp.extra["fingerprint"]
    assert info["probabilistic"] and info["bits"] == 64 and info["forced"] == forced
    assert 0 < info["collision_probability"] < 1e-6
    assert "fingerprint" not in exact.extra
    assert "verdicts are probabilistic" in str(fp)
    assert "probabilistic" not in str(exact)


def test_the_a_priori_estimate_is_the_birthday_bound() -> None:
    """n(n-1)/2 pairs over 2**64 - 1 fingerprints: about n**2 / 2**65 when forced."""
    ex = _explore(lambda: philosophers(5, put_back=True), fingerprint=True)
    assert ex.fingerprint is not None
    n = len(ex.states)
    assert ex.fingerprint["collision_probability"] == pytest.approx(n * n / 2**65, rel=0.01)
    gap = ex.fingerprint["least_gap"]
    assert 0 < gap < 2**64 // (n - 1)  # the least of n - 1 gaps is below their mean
    assert ex.fingerprint["observed_probability"] == pytest.approx(1 / gap)


def test_too_narrow_fingerprints_under_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """6-bit fingerprints cannot tell 82 states apart (there are 63 of them): the run loses
    states without noticing, and only the estimate it prints warns of it."""
    make = lambda: philosophers(5, put_back=True)  # noqa: E731
    n = len(_explore(make).states)
    assert n == 82
    monkeypatch.setattr(fingerprint, "BITS", 6)
    ex = _explore(make, fingerprint=True)
    assert ex.complete and len(ex.states) <= 63 < n
    assert ex.fingerprint is not None and ex.fingerprint["collision_probability"] > 0.99
    assert ex.fingerprint["observed_probability"] == 1.0  # neighbours one apart


def test_liveness_and_graphs_are_refused_or_stay_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    from live_models import request_reply

    with pytest.raises(FingerprintRefused, match="cannot check liveness"):
        check(request_reply(), Options(fingerprint=True))
    with pytest.raises(FingerprintRefused, match="cannot keep the graph"):
        explore(peterson().build(), [], Options(fingerprint=True, graph=True))
    with pytest.raises(FingerprintRefused, match="compiled engine"):
        explore(peterson().build(), [], Options(fingerprint=True, engine="python"))
    # an exact run that keeps the graph never switches: liveness needs every edge
    monkeypatch.setattr(fingerprint, "SWITCH_AT", 2)
    told: list[str] = []
    result = check(request_reply(), Options(notify=told.append))
    exact = check(request_reply(), Options())
    assert "fingerprint" not in result.extra and told == []
    _verdicts(exact, result)
    # what would need every state decoded says so instead of replaying each
    ex = explore(peterson().build(), [], Options(fingerprint=True))
    with pytest.raises(FingerprintRefused, match="list every state"):
        list(ex.states)


def _vfpath(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from vfpath.cli import main

    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_the_cli_prints_and_reports_the_estimate(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    base = ["check", "--vms", "1", "--hosts", "1", "--safety-only"]
    code, out, _err = _vfpath(capsys, *base, "--fingerprint")
    assert code == 0, out
    line = [x for x in out.splitlines() if x.startswith("fingerprints: 64-bit (forced)")]
    assert len(line) == 1 and "verdicts are probabilistic" in line[0]
    data = json.loads(_vfpath(capsys, *base, "--fingerprint", "--json")[1])
    exact = json.loads(_vfpath(capsys, *base, "--json")[1])
    assert data["fingerprint"]["probabilistic"] and "fingerprint" not in exact
    assert data["states"] == exact["states"] and data["holds"] == exact["holds"]


@pytest.mark.parametrize(
    "args",
    [
        ["--safety-only", "--graph", "g.graphml"],
        ["--safety-only", "--coverage"],
        ["--safety-only", "--engine", "python"],
        [],  # liveness properties
    ],
)
def test_the_cli_refuses_what_fingerprints_cannot_do(
    args: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _vfpath(capsys, "check", "--vms", "1", "--hosts", "1", "--fingerprint", *args)
    assert code == 2 and out == "", (out, err)
    assert len(err.strip().splitlines()) == 1 and "fingerprint" in err
    assert not (tmp_path / "g.graphml").exists()


def test_the_cli_says_when_it_switches(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fingerprint, "SWITCH_AT", 100)
    base = ["check", "--vms", "1", "--hosts", "1"]
    code, out, err = _vfpath(capsys, *base, "--safety-only")
    assert code == 0, out
    told = [x for x in err.splitlines() if x.startswith("fingerprint mode: ")]
    assert len(told) == 1 and "probabilistic" in told[0]
    at = re.search(r"fingerprints: 64-bit \(switched to at (\d+) states\)", out)
    assert at is not None and 100 <= int(at.group(1)) < 200, out  # one state's successors past
    assert f"{at.group(1)} states stored exactly" in told[0]
    # with liveness the run keeps its graph and stays exact, silently so: nothing changed
    code, out, err = _vfpath(capsys, *base)
    assert "fingerprint" not in out + err
