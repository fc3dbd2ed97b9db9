"""A NIC's divergence is told when its line is read, not after the whole log (issue 15): on
stderr, above the progress line on a terminal, while the report on stdout keeps the log's NIC
order. The terminal is checked by replaying what was written through a small screen model."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

import vfpath.cli._common as common

from .conftest import Run

DATA = Path(__file__).resolve().parents[1] / "data"
TWO = (DATA / "dmesg_two_nics.log").read_text().splitlines()
ETH0, ETH1 = "6045bd7a-1b4e-6045-bd7a-1b4e6045bd7a", "000d3a8f-22c1-000d-3a8f-22c1000d3a8f"
# eth1 unregisters a VF it never registered: it diverges at line 10, before eth0's last line
BAD = [x.replace("eth1: VF registering: eth3", "eth1: VF unregistering: eth3") for x in TWO]


class _Stdin:
    def __init__(self, lines: Iterator[bytes]) -> None:
        self.buffer = lines


def test_a_divergence_is_told_before_the_rest_of_the_log_is_read(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generator records, as each line is taken, how many notes were made: eth1's note must
    exist when line 11 is read. stdout is the report of the whole log, eth0 first although
    eth1's divergence was found first."""
    notes: list[str] = []

    class Recorder(common.ProgressLine):
        def note(self, text: str) -> None:
            notes.append(text)

    monkeypatch.setattr(common, "ProgressLine", Recorder)
    at_line: dict[int, int] = {}

    def lines() -> Iterator[bytes]:
        for n, text in enumerate(BAD, start=1):
            at_line[n] = len(notes)
            yield (text + "\n").encode()

    monkeypatch.setattr(sys, "stdin", _Stdin(lines()))
    code, out, _ = run("conform", "-")
    assert code == 1
    assert (at_line[10], at_line[11], at_line[15]) == (0, 1, 1)
    assert notes == [
        f"eth1 ({ETH1}): does not conform at line 10: {BAD[9].strip()} "
        "(reading on; the report follows at the end)"
    ]
    report = out.splitlines()
    assert report[0].startswith(f"eth0 ({ETH0}): conforms: 3 observations accepted")
    assert report[1].startswith(f"eth1 ({ETH1}): does not conform at line 10:")


def test_the_note_goes_to_stderr_and_nic_filters_it(run: Run, tmp_path: Path) -> None:
    """Without a terminal the note is a plain stderr line; --json keeps stdout one document;
    --nic eth0 reports eth0 only, and says nothing of eth1's divergence."""
    path = tmp_path / "bad.log"
    path.write_text("\n".join(BAD) + "\n")
    code, out, err = run("conform", str(path), "--json")
    assert code == 1 and out.lstrip().startswith("{") and out.rstrip().endswith("}")
    assert err.splitlines() == [
        f"eth1 ({ETH1}): does not conform at line 10: {BAD[9].strip()} "
        "(reading on; the report follows at the end)"
    ]
    code, out, err = run("conform", str(path), "--nic", "eth0")
    assert (code, err) == (0, "") and out.startswith(f"eth0 ({ETH0}): conforms")


def _screen(raw: str) -> list[str]:
    """What a terminal shows after ``raw``: text overwrites at the cursor, ``\\r`` returns,
    ``\\n`` moves down, ESC[2K erases the line, ESC[nA moves up; other escapes change no
    text."""
    rows: list[list[str]] = [[]]
    row = col = 0
    for token in re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|\r|\n|[^\x1b\r\n]", raw):
        if token == "\r":
            col = 0
        elif token == "\n":
            row, col = row + 1, 0
        elif token == "\x1b[2K":
            rows[row] = []
        elif token.startswith("\x1b[") and token.endswith("A"):
            row = max(0, row - int(token[2:-1] or 1))
        elif token.startswith("\x1b"):
            continue
        else:
            line = rows[row]
            line.extend(" " * (col - len(line)))
            line[col : col + 1] = [token]
            col += 1
        while len(rows) <= row:
            rows.append([])
    return ["".join(r).rstrip() for r in rows if "".join(r).strip()]


def test_a_note_does_not_garble_the_progress_line() -> None:
    """On a terminal the note is printed above the progress line: once the run ends, the screen
    holds the note whole, on a line of its own, and no trace of the (transient) progress line.
    Writing the note straight to the stream would leave it glued to the progress text."""
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120)
    note = f"eth1 ({ETH1}): does not conform at line 10: {BAD[9].strip()}"
    with common.ProgressLine(console, after=0) as progress:
        progress.show("conform: 64 observations, line 75", 3.0)
        progress.note(note)
        progress.show("conform: 128 observations, line 140", 4.0)
    assert _screen(buf.getvalue()) == [note]
    glued = "conform: 64 observations, line 75" + note
    assert _screen("conform: 64 observations, line 75" + note + "\n") == [glued]
