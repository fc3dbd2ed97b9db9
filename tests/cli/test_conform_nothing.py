"""A trace with nothing to check is not a pass (issue 15): empty, unrelated and foreign inputs,
and standard input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Run

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty.log", ""),
        ("unrelated.log", "[    0.1] Linux version 6.8\n[    1.2] systemd[1]: Started.\n"),
        ("empty.jsonl", "\n"),
    ],
)
def test_no_observation_exits_1_and_says_what_it_expected(
    run: Run, tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    code, out, _ = run("conform", str(path))
    assert code == 1
    assert out.startswith(f"nothing to check: no observation in {path}")
    assert "expected" in out and ("hv_netvsc" in out or "'event'" in out)
    code, out, _ = run("conform", str(path), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["status"] == "nothing to check" and doc["observations"] == 0


def test_dev_null_is_nothing_to_check(run: Run) -> None:
    assert run("conform", "/dev/null")[0] == 1


def test_an_itf_trace_of_another_model_is_bad_input(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "other.itf.json"
    path.write_text(json.dumps({"vars": ["x"], "states": [{"x": 1}, {"x": 2}]}))
    code, out, err = run("conform", str(path))
    assert code == 2 and not out
    assert "no variable of this ITF trace is the model's (it has x;" in err


def test_standard_input_is_read_as_a_kernel_log(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    log = (DATA / "dmesg_boot.log").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(log)))
    code, out, _ = run("conform", "-")
    assert code == 0 and out.startswith("conforms: 3 observations accepted")


def test_standard_input_through_a_pipe() -> None:
    log = (DATA / "dmesg_boot.log").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "vfpath", "conform", "-"], input=log, capture_output=True
    )
    assert done.returncode == 0 and done.stdout.startswith(b"conforms: 3 observations")
    empty = subprocess.run(
        [sys.executable, "-m", "vfpath", "conform", "-"], input=b"", capture_output=True
    )
    assert empty.returncode == 1
    assert empty.stdout.startswith(b"nothing to check: no observation in standard input")


def test_list_events_prints_the_vocabulary_of_the_model(run: Run) -> None:
    """Every event listed is one the oracle accepts, and every one it accepts is listed."""
    from vfpath.model import observe

    code, out, _ = run("conform", "--list-events")
    assert code == 0
    head, _, harness = out.partition("inputs a conformance harness may also send")
    listed = {line.split()[0] for line in head.splitlines()[1:]}
    assert listed == set(observe.oracle().vocabulary().alphabet) == set(observe.EVENTS)
    inputs = {line.split()[0] for line in harness.splitlines()[1:]}
    assert inputs == set(observe.HARNESS_EVENTS.values())


def test_a_long_trace_shows_its_progress(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every 64 observations the oracle reports how far it is (drawn on a terminal only, after
    a few seconds: here the line is recorded instead of drawn)."""
    import vfpath.cli._common as common

    shown: list[str] = []

    class Recorder(common.ProgressLine):
        def show(self, text: str, seconds: float) -> None:
            shown.append(text)

    monkeypatch.setattr(common, "ProgressLine", Recorder)
    boot = (DATA / "dmesg_boot.log").read_text().splitlines()
    flap = [boot[12].replace("switched to", "switched from"), boot[12]]
    path = tmp_path / "long.log"
    path.write_text("\n".join([*boot, *(flap * 40)]) + "\n")
    code, out, _ = run("conform", str(path))
    assert code == 0 and out.startswith("conforms: 83 observations accepted")
    # a streamed log's length is not known ahead: the count and the line so far (the boot
    # log's 14 lines hold 3 observations; the 61 more are one a line)
    assert shown[0] == "conform: 64 observations, line 75"
