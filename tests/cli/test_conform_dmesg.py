"""``vfpath conform`` on Linux kernel logs against the SR-IOV model (the default model): verdicts,
exit codes, ``--from-any-state``, ``--json``, and bad input (one line on stderr, exit 2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., tuple[int, str, str]]

DATA = Path(__file__).resolve().parents[1] / "data"


def edited(tmp_path: Path, name: str, first: int, second: int) -> tuple[Path, list[str]]:
    """The example log ``name`` with lines ``first`` and ``second`` swapped."""
    lines = (DATA / f"dmesg_{name}.log").read_text().splitlines()
    lines[first - 1], lines[second - 1] = lines[second - 1], lines[first - 1]
    path = tmp_path / f"{name}-swapped.log"
    path.write_text("\n".join(lines) + "\n")
    return path, lines


@pytest.mark.parametrize("name", ["boot", "servicing", "migration"])
def test_the_example_logs_conform(name: str, run: Run) -> None:
    log = DATA / f"dmesg_{name}.log"
    events = sum("hv_netvsc" in line for line in log.read_text().splitlines())
    for fmt in (["--format", "linux-dmesg"], []):  # .log is read as a kernel log by default
        code, out, err = run("conform", str(log), *fmt)
        assert (code, err) == (0, "")
        assert out.startswith(f"conforms: {events} observations accepted")


def test_an_unregistering_before_the_switch_from_the_vf_is_rejected_at_its_line(
    tmp_path: Path, run: Run
) -> None:
    # lines 15 and 16 of the servicing log: "Data path switched from VF" and "VF unregistering".
    # The unregistration waits for rtnl, which the switch holds until its completion
    # [34b06a2eee44, 8b31f8c982b7]. An unregistration with no switch before it is a surprise
    # removal after a silent hibernation (Linux keeps the VF across it and netvsc_resume resets
    # the cache: 19162fd4063a, da26658c3d70), after which no switch from the VF is left to print;
    # the association kept across hibernation lets the next VF (same slot) register at once.
    path, lines = edited(tmp_path, "servicing", 15, 16)
    code, out, _ = run("conform", str(path))
    assert code == 1
    first, allowed = out.splitlines()[:2]
    assert first == f"does not conform at line 16: {lines[15].strip()}"
    assert "Data path switched from VF" in first
    assert allowed.split(": ", 1)[1].split(", ") == ["vf_registering", "vf_slot_added"]


def test_json_names_the_rejected_line(tmp_path: Path, run: Run) -> None:
    # "VF registering" (line 8) before "VF slot 1 added" (line 4): binding needs the association
    path, _ = edited(tmp_path, "boot", 4, 8)
    code, out, _ = run("conform", str(path), "--json", "--format", "linux-dmesg")
    doc = json.loads(out)
    assert code == 1 and doc["format"] == "linux-dmesg"
    assert doc["rejected"]["line"] == 4 and doc["rejected"]["event"] == "vf_registering"
    assert doc["allowed"] == ["vf_slot_added"]


def test_a_cut_log_needs_from_any_state(run: Run) -> None:
    log = str(DATA / "dmesg_cut.log")
    code, out, _ = run("conform", log)
    assert code == 1 and out.startswith("does not conform at line 3:")
    code, out, _ = run("conform", log, "--from-any-state")
    assert code == 0 and out.startswith("conforms: 6 observations accepted")


def test_another_vm_of_a_larger_configuration(run: Run) -> None:
    log = str(DATA / "dmesg_boot.log")
    assert run("conform", log, "--vms", "2", "--hosts", "1", "--vm", "1")[0] == 0


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "vfpath: cannot read "),
        ('{"event": "vf_slot_added"}\n{"event": vf}\n', [], "vfpath: line 2: malformed JSON"),
        ('{"event": "vf_slot_exploded"}\n', [], "vfpath: line 1: unknown event 'vf_slot_exploded'"),
        ('{"event": "vf_slot_added"}\n', ["--vm", "1"], "vfpath: vm must be in 0..0"),
        ("", ["--model", "x.py:f", "--vm", "1"], "vfpath: --model: no such file 'x.py'"),
        ("", ["--model", "vfpath.api:build_system", "--vm", "1"],
         "vfpath: --vm/--vms/--vfs/--hosts/--guest apply"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path,
    run: Run,
    content: str | None,
    args: list[str],
    message: str,
) -> None:
    path = tmp_path / "trace.jsonl"
    if content is not None:
        path.write_text(content)
    code, out, err = run("conform", str(path), *args)
    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1
