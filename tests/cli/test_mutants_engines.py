"""``vfpath mutants`` under both engines: the compiled core must kill every seeded bug exactly
as the Python engine (the reference) does.

The whole catalog runs twice (about 7 s each on the CI machine), once per ``--engine``. Each
run must really have used the engine asked for (the ``engine`` field of every entry: the
compiled engine falls back to the Python one where it cannot run, saying why, and a silent
fall-back would make the comparison vacuous). Then every variant must get the same verdict,
the same violated properties, the same number of states and the same counterexample: the
compiled core replays the Python engine's breadth-first order, so even the steps agree, which
implies the same length.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest

from vfpath.checker import compiled as compiled_engine
from vfpath.cli import main
from vfpath.model.variants import CATALOG

pytestmark = pytest.mark.skipif(
    not compiled_engine.available(), reason="the compiled core is not built on this machine"
)


@pytest.fixture(scope="module")
def matrices() -> dict[str, dict[str, Any]]:
    """Both JSON kill matrices of the whole catalog, computed once for the module (capsys is
    per test, so standard output is redirected here)."""
    docs = {}
    for engine in ("compiled", "python"):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), pytest.raises(SystemExit) as info:
            main(["mutants", "--json", "--engine", engine])
        assert info.value.code == 0, buf.getvalue()[-2000:]
        docs[engine] = json.loads(buf.getvalue())
    return docs


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_every_entry_ran_on_the_engine_asked_for(
    matrices: dict[str, dict[str, Any]], engine: str
) -> None:
    doc = matrices[engine]
    assert [v["name"] for v in doc["variants"]] == [v.name for v in CATALOG]
    assert doc["unmodified"]
    for entry in [*doc["unmodified"], *doc["variants"]]:
        assert entry["engine"] == engine, entry.get("name", entry.get("config"))
        assert entry["complete"], entry


def test_same_unmodified_verdicts(matrices: dict[str, dict[str, Any]]) -> None:
    compiled, python = matrices["compiled"]["unmodified"], matrices["python"]["unmodified"]
    assert [u["config"] for u in compiled] == [u["config"] for u in python]
    for c, p in zip(compiled, python, strict=True):
        assert (c["passes"], c["not_holding"], c["states"]) == (
            p["passes"],
            p["not_holding"],
            p["states"],
        ), c["config"]


@pytest.mark.parametrize("name", [v.name for v in CATALOG])
def test_same_kill_under_both_engines(matrices: dict[str, dict[str, Any]], name: str) -> None:
    c = next(v for v in matrices["compiled"]["variants"] if v["name"] == name)
    p = next(v for v in matrices["python"]["variants"] if v["name"] == name)
    assert p["killed"] and p["counterexample"], "the reference engine must kill it"
    assert c["killed"] == p["killed"] and c["passes"] == p["passes"]
    assert c["violated"] == p["violated"]
    assert c["states"] == p["states"]
    assert len(c["counterexample"]) == len(p["counterexample"])
    assert c["counterexample"] == p["counterexample"]


def test_the_text_report_names_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    for engine in ("compiled", "python"):
        with pytest.raises(SystemExit) as info:
            main(["mutants", "--only", "lx-register-once", "--engine", engine])
        out, _ = capsys.readouterr()
        assert info.value.code == 0
        assert f"\nengine: {engine}\n" in out
