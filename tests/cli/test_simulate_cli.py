"""``vfpath simulate``: exit codes, text and JSON reports, determinism, bad input.

The SR-IOV model is substituted by domain-free systems (``vfpath.api.build_system`` is
monkeypatched: the command reads it at call time), whose verdicts are known from first
principles: Peterson holds (20 reachable states), the check-then-set lock breaks mutual
exclusion, a producer with more credit than its channel holds overflows it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checker"))
from models import broken_lock, peterson, pipeline

Run = Callable[..., tuple[int, str, str]]


def test_nothing_found_exits_0(run: Run) -> None:
    code, out, err = run("simulate", "--steps", "300", "--runs", "3", system=peterson)
    assert code == 0, out + err
    assert "runs: 3 of 3" in out
    assert "steps: 900" in out
    assert "distinct states: 20" in out
    assert "violations: none found" in out
    assert err == ""


def test_violation_exits_1_with_counterexample(run: Run) -> None:
    code, out, _ = run("simulate", "--steps", "50", "--runs", "20", system=broken_lock)
    assert code == 1
    assert "VIOLATED mutual-exclusion" in out
    assert "counterexample (" in out and "p0: checked -> critical" in out


def test_overflow_exits_1(run: Run) -> None:
    code, out, _ = run("simulate", "--runs", "5", system=lambda: pipeline(1, 2))
    assert code == 1
    assert "VIOLATED channels-bounded" in out and "'link' overflows" in out


def test_json_is_one_document_and_reproducible(run: Run) -> None:
    args = ("simulate", "--steps", "40", "--runs", "20", "--seed", "5", "--json")
    code, out, _ = run(*args, system=broken_lock)
    again = run(*args, system=broken_lock)[1]
    assert code == 1 and out == again
    doc = json.loads(out)
    assert doc["schema"] == "vfpath.simulate/1"
    assert doc["seed"] == 5 and doc["runs"] == 20
    v = doc["violation"]
    assert v["property"] == "mutual-exclusion"
    last = v["counterexample"]["steps"][-1]
    assert last["label"] in ("p0.enter", "p1.enter")
    assert len(v["counterexample"]["steps"]) <= v["steps_before_shrinking"]


def test_json_without_violation(run: Run) -> None:
    code, out, _ = run("simulate", "--steps", "10", "--json", system=peterson)
    doc = json.loads(out)
    assert code == 0 and doc["violation"] is None and doc["steps"] == 10


def test_config_options_reach_the_api(run: Run) -> None:
    run("simulate", "--steps", "5", "--vms", "6", "--vfs", "3", "--hosts", "2", system=peterson)
    (config,) = run.seen  # type: ignore[attr-defined]
    assert (config.vms, config.vfs, config.hosts) == (6, 3, 2)  # type: ignore[attr-defined]


def test_weights_steer(run: Run) -> None:
    code, out, _ = run(
        "simulate", "--steps", "50", "--runs", "20", "--weight", "p1.*=0", system=broken_lock
    )
    assert code == 0, out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--steps", "0"), "--steps"),
        (("--runs", "-1"), "--runs"),
        (("--seed", "x"), "--seed"),
        (("--vms", "0"), "--vms"),
        (("--weight", "p1.*"), "GLOB=WEIGHT"),
        (("--weight", "p1.*=much"), "not an integer"),
        (("--weight", "nobody.*=2"), "matches no move"),
        (("--weight", "p1.*=-3"), "non-negative"),
    ],
)
def test_bad_input_exits_2_with_one_line(run: Run, args: tuple[str, ...], needle: str) -> None:
    code, out, err = run("simulate", *args, system=broken_lock)
    assert code == 2
    assert out == ""
    assert needle in err and len(err.strip().splitlines()) == 1
