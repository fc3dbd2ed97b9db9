"""Kernel logs as people paste them (issue 15): dmesg -T/-H, journalctl's short formats, syslog
with a host name, mail quoting, another logger's prefix, CRLF line ends. Each is the boot log's
hv_netvsc lines rewritten the way that tool prints them (formats from dmesg(1), journalctl(1)
and RFC 3164), and each must be judged as the plain dmesg is: 3 observations, conforms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import Run

DATA = Path(__file__).resolve().parents[1] / "data"
_STAMP = re.compile(r"^\[\s*(\d+)\.(\d+)\] ")


def _rewrite(prefix: str, line: str) -> str:
    """``line`` with dmesg's "[secs.usecs] " replaced by ``prefix`` (secs, usecs filled in)."""
    m = _STAMP.match(line)
    if m is None:
        return line
    return prefix.format(s=int(m[1]), us=m[2]) + line[m.end() :]


FORMATS = {
    "dmesg -T": "[Fri Dec  4 10:00:{s:02d} 2026] ",
    "dmesg -H": "[  +0.{us}] ",
    "journalctl short": "Dec 04 10:00:{s:02d} vm1 kernel: ",
    "journalctl short-iso": "2026-12-04T10:00:{s:02d}+0000 vm1 kernel: ",
    "journalctl short-precise": "Dec 04 10:00:{s:02d}.{us} vm1 kernel: ",
    "syslog with priority": "<6>Dec  4 10:00:{s:02d} vm1 kernel: [{s:5d}.{us}] ",
    "another logger": "2026-12-04 10:00:{s:02d},123 INFO waagent: kernel: ",
    "mail quote": "> [{s:5d}.{us}] ",
    "mail quote, twice": "> > [{s:5d}.{us}] ",
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_pasted_format_is_judged_like_plain_dmesg(run: Run, tmp_path: Path, name: str) -> None:
    lines = (DATA / "dmesg_boot.log").read_text().splitlines()
    path = tmp_path / "pasted.log"
    path.write_text("\n".join(_rewrite(FORMATS[name], x) for x in lines) + "\n")
    code, out, _ = run("conform", str(path))
    assert (code, out.split(",")[0]) == (0, "conforms: 3 observations accepted")


def test_crlf_line_ends(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "crlf.log"
    path.write_bytes((DATA / "dmesg_boot.log").read_bytes().replace(b"\n", b"\r\n"))
    code, out, _ = run("conform", str(path))
    assert (code, out.split(",")[0]) == (0, "conforms: 3 observations accepted")


def test_a_pasted_log_still_fails_where_it_should(run: Run, tmp_path: Path) -> None:
    """The rewriting keeps the order: the boot log without its association is rejected at the
    same line in a journalctl paste as in dmesg: the switch to the VF (line 12), which waits
    for the association; the registration before it is Linux's MAC fallback (365e1ececb29)."""
    lines = (DATA / "dmesg_boot.log").read_text().splitlines()
    del lines[3]  # "VF slot 1 added"
    path = tmp_path / "pasted.log"
    path.write_text("\n".join(_rewrite(FORMATS["journalctl short"], x) for x in lines) + "\n")
    code, out, _ = run("conform", str(path))
    assert code == 1 and out.startswith("does not conform at line 12: Dec 04 10:00:05 vm1 kernel:")
    assert "Data path switched to VF" in out.splitlines()[0]
    plain = tmp_path / "plain.log"
    plain.write_text("\n".join(lines) + "\n")
    code, out, _ = run("conform", str(plain))
    assert code == 1 and out.startswith("does not conform at line 12: ")
