"""``vfpath check --diagram DIR``: one sequence chart per counterexample, on the SR-IOV model.

The violating system is a variant known to be wrong from the model's own documentation: a guest
NetVSC that does not wait for the host's VF association before switching to the VF breaks S11
("switch only to an advertised VF") in the smallest configuration.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import vfpath.api
from vfpath.model import Config, NetVSC

Run = Callable[..., tuple[int, str, str]]

SMALL = ["--vms", "1", "--vfs", "1", "--hosts", "1"]
S11 = "S11-switch-only-to-advertised-vf"


class EagerNetVSC(NetVSC):
    """Switches to the VF without waiting for the association message."""

    def waits_for_association(self) -> bool:
        return True


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> None:
    real = vfpath.api.build_system

    def build_system(config: Config | None = None):  # type: ignore[no-untyped-def]
        return real(config).replace({"NetVSC": EagerNetVSC})

    monkeypatch.setattr(vfpath.api, "build_system", build_system)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_each_violation_gets_an_svg_and_a_mermaid_chart(
    eager: None, tmp_path: Path, run: Run
) -> None:
    code, out, _err = run("check", *SMALL, "--json", "--diagram", str(tmp_path))
    assert code == 1
    doc = json.loads(out)
    violated = {
        p["name"]
        for p in doc["properties"]
        if p["status"] == "violated" and p.get("counterexample")
    }
    assert S11 in violated
    stems = {p.stem for p in tmp_path.iterdir()}
    assert stems == violated
    assert sorted(p.suffix for p in tmp_path.iterdir()) == sorted([".svg", ".mmd"] * len(stems))
    assert sorted(doc["diagrams"]) == sorted(str(p) for p in tmp_path.iterdir())
    mer = (tmp_path / f"{S11}.mmd").read_text()
    assert mer.startswith("sequenceDiagram")
    assert f"{S11} violated" in mer.splitlines()[1]
    arrows = [ln for ln in mer.splitlines() if "->>" in ln]
    # the trace ends where the guest switches to the VF before the host associated it
    assert "switch_to_vf" in arrows[-1]
    svg = (tmp_path / f"{S11}.svg").read_text()
    assert "<svg" in svg and "switch_to_vf" in svg


def test_text_report_lists_the_charts(eager: None, tmp_path: Path, run: Run) -> None:
    code, out, _err = run("check", *SMALL, "--diagram", str(tmp_path))
    assert code == 1
    assert "Sequence charts written:" in out
    assert str(tmp_path / f"{S11}.mmd") in out


def test_without_graphviz_only_mermaid_is_written_with_a_warning(
    eager: None, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vfpath.checker.export as export_mod

    monkeypatch.setattr(export_mod.shutil, "which", lambda name: None)
    code, _out, err = run("check", *SMALL, "--diagram", str(tmp_path))
    assert code == 1  # the verdict stands; only the pictures are fewer
    assert "Graphviz 'dot' not found" in err
    assert {p.suffix for p in tmp_path.iterdir()} == {".mmd"}
    assert (tmp_path / f"{S11}.mmd").exists()


def test_a_model_that_holds_writes_no_chart(tmp_path: Path, run: Run) -> None:
    out_dir = tmp_path / "charts"
    code, out, _err = run("check", *SMALL, "--diagram", str(out_dir))
    assert code == 0, out
    assert not out_dir.exists() or not any(out_dir.iterdir())
    assert "Sequence charts written" not in out


def test_an_unwritable_folder_is_a_one_line_error(eager: None, tmp_path: Path, run: Run) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _out, err = run("check", *SMALL, "--diagram", str(blocker / "sub"))
    assert code == 2  # refused before the run (tests/cli/test_check_outputs.py)
    assert len(err.strip().splitlines()) == 1 and "not a folder" in err
