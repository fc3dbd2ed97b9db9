"""``vfpath conform`` end to end on the domain-free handshake (``--model``): verdicts, exit codes,
JSON, and bad input (one line on stderr, exit 2, nothing on stdout)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., tuple[int, str, str]]

MODEL = str(Path(__file__).resolve().parents[1] / "data" / "handshake.py") + ":system"


def jsonl(tmp_path: Path, *events: str, name: str = "t.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps({"event": e}) + "\n" for e in events))
    return path


def test_a_conforming_trace_exits_0(tmp_path: Path, run: Run) -> None:
    path = jsonl(tmp_path, "request", "granted", "release")
    code, out, err = run("conform", str(path), "--model", MODEL)
    assert (code, err) == (0, "")
    assert out.startswith("conforms: 3 observations accepted")


def test_a_divergence_exits_1_and_names_the_line(tmp_path: Path, run: Run) -> None:
    path = jsonl(tmp_path, "request", "release")
    code, out, _ = run("conform", str(path), "--model", MODEL)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == 'does not conform at line 2: {"event": "release"}'
    assert lines[1] == "  the model allowed there: granted"
    assert lines[-1].split() == ["1.", "client.request", "<-", "line", "1"]


def test_json_output_is_one_document(tmp_path: Path, run: Run) -> None:
    path = jsonl(tmp_path, "request", "release")
    code, out, _ = run("conform", str(path), "--model", MODEL, "--json")
    doc = json.loads(out)
    assert code == 1
    assert doc["schema"] == "vfpath.conform/1" and doc["status"] == "diverges"
    assert doc["rejected"]["line"] == 2 and doc["allowed"] == ["granted"]
    assert [s["label"] for s in doc["trace"]["steps"]] == ["client.request"]


def test_from_any_state_accepts_a_cut_log(tmp_path: Path, run: Run) -> None:
    path = jsonl(tmp_path, "release", "request")
    assert run("conform", str(path), "--model", MODEL)[0] == 1
    code, out, _ = run("conform", str(path), "--model", MODEL, "--from-any-state")
    assert code == 0, out


def test_hitting_the_silent_bound_is_inconclusive(tmp_path: Path, run: Run) -> None:
    path = jsonl(tmp_path, "request", "granted")
    code, out, _ = run("conform", str(path), "--model", MODEL, "--max-silent", "1")
    assert code == 3
    assert out.startswith("inconclusive at line 2")


def test_itf_traces_are_read_by_suffix(tmp_path: Path, run: Run) -> None:
    states = [
        {"#meta": {"index": 0}, "client": "slow"},
        {"#meta": {"index": 1, "action": "client.request"}, "client": "asking"},
        {"#meta": {"index": 2, "action": "server.serve"}, "client": "asking", "ack": ["ack"]},
        {"#meta": {"index": 3, "action": "client.granted"}, "client": "fast_path"},
    ]
    path = tmp_path / "t.itf.json"
    path.write_text(json.dumps({"vars": ["client", "ack"], "states": states}))
    assert run("conform", str(path), "--model", MODEL)[0] == 0
    states[3]["client"] = "slow"  # the grant leads to the fast path, not back
    path.write_text(json.dumps({"vars": ["client", "ack"], "states": states}))
    code, out, _ = run("conform", str(path), "--model", MODEL, "--format", "itf")
    assert code == 1
    assert out.startswith("does not conform at state 3: client.granted")


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, (), "cannot read"),
        ('{"event": "request"}\n{"event": \n', (), "line 2: malformed JSON"),
        ('{"event": "request"}\n{"event": "fly"}\n', (), "line 2: unknown event 'fly'"),
        ('{"event": "request"}\n', ("--model", "nowhere.py:system"), "no such file"),
        ('{"event": "request"}\n', ("--format", "xml"), "xml"),
        (b"\xff\xfe\x00", (), "not UTF-8"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path,
    run: Run,
    content: str | bytes | None,
    args: tuple[str, ...],
    message: str,
) -> None:
    path = tmp_path / "t.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    extra = args if "--model" in args else ("--model", MODEL, *args)
    code, out, err = run("conform", str(path), *extra)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err
