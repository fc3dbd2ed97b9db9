"""``--guest``: listing the profiles, refusing unknown ones, and conform's Linux default."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("command", ["check", "simulate", "conform", "mutants", "diagrams"])
def test_guest_list_prints_every_profile_and_exits_0(run: Run, command: str) -> None:
    args = [command, "--guest", "list"] + (["x.log"] if command == "conform" else [])
    code, out, _ = run(*args)
    assert code == 0
    names = [line.split(":")[0] for line in out.splitlines()]
    assert names == ["reference (default)", "linux"]


def test_an_unknown_guest_is_bad_input(run: Run) -> None:
    code, out, err = run("check", "--vms", "1", "--hosts", "1", "--guest", "windows")
    assert code == 2 and not out
    assert "unknown guest 'windows'" in err and len(err.strip().splitlines()) == 1


def test_a_kernel_log_is_judged_against_linux_by_default(run: Run, tmp_path: Path) -> None:
    """'Data path failed to switch to VF' after a completion is possible for a guest that reads
    the completion's status, never for Linux (netvsc_switch_datapath)."""
    boot = (DATA / "dmesg_boot.log").read_text().splitlines()
    failed = boot[12].replace("switched to VF: enP24139s1", "failed to switch to VF: enP24139s1")
    log = tmp_path / "failed.log"
    log.write_text("\n".join([*boot[:12], failed + ", err: -5"]) + "\n")
    assert run("conform", str(log))[0] == 1
    assert run("conform", "--guest", "linux", str(log))[0] == 1
    assert run("conform", "--guest", "reference", str(log))[0] == 0


def test_the_kill_matrix_on_linux_fails_where_the_unmodified_profile_fails(run: Run) -> None:
    """A kill means something only where the unmodified profile passes: on 1/1/1 the Linux
    profile already violates S8 (README, Finding 1), so the matrix is not OK."""
    code, out, _ = run("mutants", "--guest", "linux", "--only", "lx-vf-path-before-completion")
    assert code == 1
    assert out.rstrip().endswith("FAIL")
    assert run("mutants", "--only", "lx-vf-path-before-completion")[0] == 0


def test_may_fail_lists_refuses_and_switches_a_failure_point_on(run: Run) -> None:
    code, out, _ = run("check", "--may-fail", "list")
    assert code == 0 and out.startswith("vmbus-send: NetVSC (d0922bf79817")
    code, out, err = run("check", "--vms", "1", "--hosts", "1", "--may-fail", "disk")
    assert code == 2 and not out and "unknown failure point 'disk'" in err
    # the reference guest holds everything with sends that never fail, not with ones that may
    assert run("check", "--vms", "1", "--hosts", "1")[0] == 0
    code, out, _ = run("check", "--vms", "1", "--hosts", "1", "--may-fail", "vmbus-send")
    assert code == 1 and "VIOLATED L1-eventually-on-vf" in out
