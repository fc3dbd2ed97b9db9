"""``vfpath diagrams`` on the domain-free test models, substituted for the SR-IOV system."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import vfpath.api
import vfpath.model
from vfpath.checker import Options
from vfpath.checker.explore import explore
from vfpath.cli import main
from vfpath.cli.diagrams import DATAPATH_PALETTE, command

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "checker"))
from models import broken_lock, philosophers

HAVE_DOT = shutil.which("dot") is not None


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Default system: 2 philosophers; the smallest configuration: the broken lock."""

    def build_system(config: object = None):  # type: ignore[no-untyped-def]
        default = config is None or config == vfpath.api.Config(guest=config.guest)  # type: ignore[attr-defined]
        return philosophers(2) if default else broken_lock()

    monkeypatch.setattr(vfpath.api, "build_system", build_system)
    monkeypatch.delattr(vfpath.model, "datapath_of", raising=False)


def _run(args: list[str]) -> click.testing.Result:
    return CliRunner().invoke(command, args, catch_exceptions=False)


def test_writes_one_state_diagram_per_class_and_the_product_graph(
    fake_model: None, tmp_path: Path
) -> None:
    res = _run(["--out", str(tmp_path), "--format", "dot,mermaid"])
    assert res.exit_code == 0, res.output
    stems = ["actor-Fork", "actor-Philosopher", "product-1vm-1vf-1host"]
    expected = sorted(f"{s}.{ext}" for s in stems for ext in ("dot", "mmd"))
    # written atomically: nothing but the finished files is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == expected
    assert res.stdout.count("wrote ") == len(expected)
    assert "no datapath_of" in res.stderr


def test_violating_states_of_the_small_system_are_outlined(
    fake_model: None, tmp_path: Path
) -> None:
    sysm = broken_lock()
    ex = explore(sysm.build(), [], Options(graph=True))
    names = list(sysm.instances)
    groups = {
        tuple(ex.product.state_of(s, n) for n in names)
        for s in ex.states
        if ex.product.state_of(s, "p0") == ex.product.state_of(s, "p1") == "critical"
    }
    assert groups
    assert _run(["--out", str(tmp_path), "--format", "dot"]).exit_code == 0
    dot = (tmp_path / "product-1vm-1vf-1host.dot").read_text()
    # the fake system has none of the SR-IOV instances: one group per joint control state
    assert dot.count('color="#d62728", penwidth=3') == len(groups)


def test_nodes_are_coloured_by_the_models_datapath_classifier(
    fake_model: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []

    def datapath_of(view, vm_index: int) -> str:  # type: ignore[no-untyped-def]
        seen.append(vm_index)
        return "vf" if view["p0"].state == "critical" else "synthetic"

    monkeypatch.setattr(vfpath.model, "datapath_of", datapath_of, raising=False)
    res = _run(["--out", str(tmp_path), "--format", "dot"])
    assert res.exit_code == 0
    assert set(seen) == {0}
    dot = (tmp_path / "product-1vm-1vf-1host.dot").read_text()
    assert f'fillcolor="{DATAPATH_PALETTE["vf"]}"' in dot
    assert f'fillcolor="{DATAPATH_PALETTE["synthetic"]}"' in dot
    assert "no datapath_of" not in res.stderr


def test_above_the_limit_the_product_is_summarised_with_a_message(
    fake_model: None, tmp_path: Path
) -> None:
    res = _run(["--out", str(tmp_path), "--format", "dot", "--limit", "3"])
    assert res.exit_code == 0
    assert "exceed the limit of 3" in res.stderr
    assert "moves" in (tmp_path / "product-1vm-1vf-1host.dot").read_text()


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot is not installed")
def test_svg_and_png_are_rendered(fake_model: None, tmp_path: Path) -> None:
    res = _run(["--out", str(tmp_path), "--format", "svg,png"])
    assert res.exit_code == 0, res.output
    svg = (tmp_path / "actor-Fork.svg").read_bytes()
    png = (tmp_path / "actor-Fork.png").read_bytes()
    assert b"<svg" in svg
    assert png.startswith(b"\x89PNG")


def test_bad_format_is_a_one_line_usage_error(fake_model: None, tmp_path: Path) -> None:
    with pytest.raises(click.UsageError) as info:
        CliRunner().invoke(
            command,
            ["--out", str(tmp_path), "--format", "svg,gif"],
            standalone_mode=False,
            catch_exceptions=False,
        )
    msg = info.value.format_message()
    assert "unknown format 'gif'" in msg and len(msg.splitlines()) == 1
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_bad_format_exits_2_through_main(
    fake_model: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["diagrams", "--out", str(tmp_path), "--format", "gif"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "gif" in err
