"""``vfpath mutants``: the kill matrix, its JSON, and the exit codes.

Exit 0 needs both halves: the unmodified model passing and every variant killed as described.
Each half is broken on purpose here (a variant that changes nothing; a property the unmodified
model violates) to see the command say so with exit 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import vfpath.api
import vfpath.cli.mutants as mutants_cli
from vfpath.checker import Property, System
from vfpath.cli import main
from vfpath.model import Config, NetVSC
from vfpath.model.variants import CATALOG, Variant

Run = Callable[..., tuple[int, str, str]]
ONE = "lx-vf-visible-before-slave"  # the cheapest variant: killed at the VF's offer


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def go(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as info:
            main(["mutants", *args])
        out, err = capsys.readouterr()
        code = info.value.code
        return (code if isinstance(code, int) else 1), out, err

    return go


class SameNetVSC(NetVSC):
    """Overrides a hook with the base behaviour: an equivalent mutant nothing can kill."""

    def switches_on_going_down(self) -> bool:
        return True


NOOP = Variant(
    "noop", "test", "changes nothing", "S14-traffic-always-has-a-working-path",
    {"NetVSC": SameNetVSC},
)  # fmt: skip


def test_full_catalog_exits_0_and_lists_every_variant(run: Run) -> None:
    code, out, err = run()
    assert code == 0, out + err
    rows = {line.split()[0]: line for line in out.splitlines() if line.split()}
    for v in CATALOG:
        assert v.name in rows, v.name
        assert " yes " in rows[v.name], rows[v.name]
    assert f"{len(CATALOG)}/{len(CATALOG)} variants killed as described; OK" in out
    assert "1/1/1:" in out and "passes" in out


def test_only_one_variant_json(run: Run) -> None:
    code, out, _ = run("--only", ONE, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "vfpath.mutants/1" and doc["ok"] is True
    (entry,) = doc["variants"]
    v = next(v for v in CATALOG if v.name == ONE)
    assert entry["name"] == ONE and entry["expected"] == v.expected
    assert entry["killed"] and entry["passes"] and entry["shows_interleaving"]
    assert v.expected in entry["violated"]
    assert any(v.key_events[0] in label for label in entry["counterexample"])
    assert [u["config"] for u in doc["unmodified"]] == [
        {"vms": 1, "vfs": 1, "hosts": 1, "vnics": 1, "serials": "vf"}
    ]
    assert doc["unmodified"][0]["passes"] is True
    assert doc["not_expressible"] == {}  # every catalogued bug is a variant now


def test_list_does_not_check(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mutants_cli, "kill_matrix", lambda *a: pytest.fail("checked"))
    code, out, _ = run("--list")
    assert code == 0
    for v in CATALOG:
        assert v.name in out


def test_unknown_variant_is_bad_input(run: Run) -> None:
    code, out, err = run("--only", "no-such-variant")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "no-such-variant" in err


def test_a_surviving_variant_exits_1(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mutants_cli, "CATALOG", (NOOP,))
    code, out, _ = run()
    assert code == 1
    row = next(line for line in out.splitlines() if line.startswith("noop"))
    assert " NO " in row
    assert "0/1 variants killed as described; FAIL" in out


def test_a_failing_unmodified_model_exits_1(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    real = vfpath.api.build_system

    def with_false_property(config: Config | None = None) -> System:
        system = real(config)
        system.properties.append(Property.always("never", lambda s: False))
        return system

    monkeypatch.setattr(vfpath.api, "build_system", with_false_property)
    code, out, _ = run("--only", ONE)
    assert code == 1
    assert "FAILS: never (violated)" in out
    assert "1/1 variants killed as described; FAIL" in out


def test_a_state_limit_fails_the_run(run: Run) -> None:
    code, out, _ = run("--only", ONE, "--max-states", "3", "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["ok"] is False
    assert doc["unmodified"][0]["complete"] is False
