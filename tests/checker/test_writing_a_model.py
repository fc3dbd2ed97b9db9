"""docs/writing-a-model.md runs as written: its code blocks are executed in order, so the
guide cannot drift from the engine, and the counts it asserts are the ones derived by hand in
its text (6 states and 6 transitions; 8 and 8 with the lossy server; 21 orbits of 36 states for
two pairs under symmetry)."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "writing-a-model.md"


def test_the_guide_runs_and_its_counts_hold(capsys) -> None:  # type: ignore[no-untyped-def]
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) >= 4
    namespace: dict[str, object] = {"__name__": "writing_a_model"}
    exec(compile("\n".join(blocks), str(DOC), "exec"), namespace)
    result, bad = namespace["result"], namespace["bad"]
    assert (result.stats.states, result.stats.transitions) == (6, 6)  # type: ignore[attr-defined]
    assert (bad.stats.states, bad.stats.transitions) == (8, 8)  # type: ignore[attr-defined]
    assert capsys.readouterr().out.strip() == "client.ask -> server.lose"
    pairs = namespace["pairs"].extra["symmetry"]  # type: ignore[attr-defined]
    assert (pairs["orbits"], pairs["states"]) == (21, 36)
