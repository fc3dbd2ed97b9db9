"""``vfpath check`` output folders and configuration bounds: refused before the run (exit 2),
written all or nothing after it, and a write failure never hides the verdict."""

from __future__ import annotations

import dataclasses
import importlib
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import vfpath.cli.check as check_mod
from vfpath.checker import Property, check

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checker"))
from models import broken_lock
from test_soundness import counters

Run = Callable[..., tuple[int, str, str]]


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vfpath: "), err
    return lines[0]


@pytest.mark.parametrize("option", ["--itf", "--diagram"])
def test_a_folder_that_cannot_be_made_is_refused_before_the_run(
    run: Run, tmp_path: Path, option: str
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    code, out, err = run("check", option, str(blocker / "sub"), system=broken_lock)
    assert code == 2 and out == ""
    assert "not a folder" in _one_line(err)
    assert run.seen == []  # type: ignore[attr-defined]  # the system was never even built


@pytest.mark.parametrize("option", ["--itf", "--diagram"])
def test_an_empty_path_is_refused(run: Run, option: str) -> None:
    code, out, err = run("check", option, "", system=broken_lock)
    assert code == 2 and out == ""
    assert "empty" in _one_line(err)
    assert run.seen == []  # type: ignore[attr-defined]


def test_a_failed_write_keeps_the_report_and_the_verdict(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_disk(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    import vfpath.checker.export as export_mod

    monkeypatch.setattr(export_mod, "atomic_write", broken_disk)
    target = tmp_path / "itf"
    code, out, err = run("check", "--itf", str(target), system=broken_lock)
    assert code == 1  # the verdict: mutual exclusion is violated
    assert "VIOLATED" in out and "mutual-exclusion" in out
    assert "No space left" in _one_line(err)
    assert list(target.iterdir()) == []  # nothing, not even a staging folder


def test_itf_and_charts_are_written_all_or_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vfpath.cli.diagrams as diagrams_mod

    def no_charts(*_a: object, **_k: object) -> list[Path]:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(diagrams_mod, "write_violation_charts", no_charts)
    itf, charts = tmp_path / "itf", tmp_path / "charts"
    code, _out, err = run("check", "--itf", str(itf), "--diagram", str(charts), system=broken_lock)
    assert code == 1
    assert "Input/output error" in _one_line(err)
    assert list(itf.iterdir()) == [] and list(charts.iterdir()) == []


def test_written_files_are_world_readable(run: Run, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        code, _out, _err = run("check", "--itf", str(tmp_path), system=broken_lock)
    finally:
        os.umask(old)
    assert code == 1
    (f,) = tmp_path.iterdir()
    assert stat.S_IMODE(f.stat().st_mode) == 0o644


@pytest.mark.parametrize(
    "args", [["--vms", "1000"], ["--vms", "200", "--hosts", "2"], ["--vfs", "100", "--vms", "3"]]
)
def test_a_configuration_too_large_to_build_is_bad_input(run: Run, args: list[str]) -> None:
    code, out, err = run("check", *args, system=broken_lock)
    assert code == 2 and out == ""
    _one_line(err)
    assert run.seen == []  # type: ignore[attr-defined]


def test_a_memory_limit_below_the_set_up_is_inconclusive(run: Run) -> None:
    code, out, _err = run("check", "--max-memory", "1", system=broken_lock)
    assert code == 3
    assert "set-up" in out


# -- smaller items ---------------------------------------------------------------------------


def test_a_closed_pipe_exits_0_quietly() -> None:
    """``vfpath check --list | head -0``: the reader is gone before the first write."""
    r, w = os.pipe()
    os.close(r)
    proc = subprocess.run(
        [sys.executable, "-m", "vfpath", "check", "--list"],
        stdout=w,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    os.close(w)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_the_reported_seconds_include_liveness(monkeypatch: pytest.MonkeyPatch) -> None:
    core = importlib.import_module("vfpath.checker.check")  # the package exports check()

    clock = [0.0]
    monkeypatch.setattr(core.time, "perf_counter", lambda: clock[0])
    judged = core._judge_liveness

    def slow(*args: Any) -> Any:
        clock[0] += 100.0  # liveness "takes" 100 s on the fake clock
        return judged(*args)

    monkeypatch.setattr(core, "_judge_liveness", slow)
    sysm = broken_lock()
    sysm.properties.append(
        Property.always_eventually("p0-critical", lambda s: s["p0"].state == "critical")
    )
    assert core.check(sysm).stats.seconds >= 100.0


def test_coverage_shows_progress(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import vfpath.checker.explore as explore_mod

    seen: list[object] = []
    real = explore_mod.explore

    def spy(product: Any, props: Any, options: Any, *rest: Any) -> Any:
        seen.append(options.progress)
        return real(product, props, options, *rest)

    monkeypatch.setattr(explore_mod, "explore", spy)
    code, _out, _err = run("check", "--coverage", system=broken_lock)
    assert code == 1
    assert seen and all(p is not None for p in seen)


def test_the_symmetry_line_says_at_most_unless_the_initial_state_is_symmetric() -> None:
    assert "orbits hold 4 states" in check_mod._symmetry_line(
        {"orbits": 3, "states": 4, "group": 2, "factor": 1.33, "exact": True}
    )
    assert "orbits hold at most 4 states" in check_mod._symmetry_line(
        {"orbits": 3, "states": 4, "group": 2, "factor": 1.33, "exact": False}
    )
    sysm = counters()
    assert check(sysm).extra["symmetry"]["exact"] is True
    sysm.instances["c1"] = dataclasses.replace(sysm.instances["c1"], init={"n": 1})
    assert check(sysm).extra["symmetry"]["exact"] is False


def test_conform_accepts_its_own_default_vm(run: Run, tmp_path: Path) -> None:
    trace = tmp_path / "one.jsonl"
    trace.write_text('{"event": "vf_slot_added"}\n')
    code, out, err = run("conform", str(trace), "--vms", "1", "--hosts", "1", "--vm", "0")
    assert (code, err) == (0, ""), err
    assert out.startswith("conforms")


def test_diagrams_refuses_an_empty_out_path(run: Run) -> None:
    code, out, err = run("diagrams", "--out", "")
    assert code == 2 and out == ""
    assert "empty" in _one_line(err)


def test_a_vacuous_property_exits_1(run: Run) -> None:
    def vacuous() -> Any:
        sysm = broken_lock()
        sysm.properties[:] = [
            Property.always(
                "never-triggered",
                lambda s: True,
                when=lambda s: s["p0"].state == "nowhere",
            )
        ]
        return sysm

    code, out, _err = run("check", system=vacuous)
    assert code == 1
    assert "vacuous" in out
