"""The public writers of vfpath.checker.export (issue 17): ITF traces and sequence charts for
any result, outside the CLI; the ITF trace is read back and replays the counterexample."""

from __future__ import annotations

import json
from pathlib import Path

from models import broken_lock

from vfpath.checker import Options, check
from vfpath.checker.export import write_charts, write_itf


def test_itf_and_charts_for_any_result(tmp_path: Path) -> None:
    result = check(broken_lock(), Options())
    itf = write_itf(result, tmp_path / "itf")
    assert [p.name for p in itf] == ["mutual-exclusion.itf.json"]
    doc = json.loads(itf[0].read_text())
    cex = result["mutual-exclusion"].counterexample
    assert cex is not None and len(doc["states"]) == len(cex.steps) + 1
    charts = write_charts(result, tmp_path / "charts", warn=lambda _m: None)
    assert {p.suffix for p in charts} <= {".svg", ".mmd"} and any(
        p.suffix == ".mmd" for p in charts
    )
