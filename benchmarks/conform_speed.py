"""Benchmark: ``vfpath conform`` on a long kernel log, beside a plain loop over the same lines.

Run from the repository root: ``python benchmarks/conform_speed.py`` (``--lines N [N ...]``,
default 100,000 and 500,000: the same peak memory at both sizes shows the log is streamed).
It writes a log of real boot, flap and servicing blocks (tests/data) amid unrelated
kernel lines, then times, each in a fresh child process: a plain Python loop that reads the file
and matches the same regular expressions (``observe.DMESG_PATTERNS``), the smallest thing that
could find the lines; ``vfpath conform`` on the one-guest model; and ``vfpath conform --vms 2``
(the log is VM 0's; VM 1 is lazy: it moves only when a line needs it). A second plain loop
uses conform's own line matcher (substring tests before the regexes), the fairer floor. The
table gives lines per second, the ratio to the first plain loop and the child's peak memory
(ru_maxrss).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
NOISE = (
    "[{t:12.6f}] EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.",
    '[{t:12.6f}] audit: type=1400 audit(1701600000.123:42): apparmor="STATUS" profile="x"',
    "[{t:12.6f}] systemd[1]: Started Daily apt download activities.",
    "[{t:12.6f}] mlx5_core 5e4b:00:02.0 enP24139s1: Link up",
)


def write_log(path: Path, lines: int, seed: int = 1) -> int:
    """Boot, then until ``lines``: unrelated lines, a VF link flap or a servicing (removal and
    re-add), as Azure guests log them. Returns the number of hv_netvsc lines. Written as it is
    made: the children inherit this process's memory, so it must stay small for their peaks."""
    rng = random.Random(seed)
    boot = (DATA / "dmesg_boot.log").read_text().splitlines()
    servicing = (DATA / "dmesg_servicing.log").read_text().splitlines()[14:]
    flap = [boot[12].replace("switched to", "switched from"), boot[12]]
    written, netvsc, t = 0, 0, 10.0
    with path.open("w") as f:

        def put(block: list[str]) -> None:
            nonlocal written, netvsc
            block = block[: lines - written]
            f.write("".join(x + "\n" for x in block))
            written += len(block)
            netvsc += sum("hv_netvsc" in x for x in block)

        put(boot)
        while written < lines:
            noise = []
            for _ in range(rng.randint(50, 200)):
                t += 0.01
                noise.append(rng.choice(NOISE).format(t=t))
            put(noise)
            put(flap if rng.random() < 0.7 else servicing)
    return netvsc


def plain(path: str) -> None:
    from vfpath.model.observe import DMESG_PATTERNS

    found = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            for pattern, _ in DMESG_PATTERNS:
                if pattern.search(line):
                    found += 1
                    break
    print(json.dumps({"found": found}))


def prefiltered(path: str) -> None:
    """The plain loop with conform's own line matcher (``parse_dmesg_line``: a few substring
    tests, then the regexes): the fairer floor, since conform skips most lines the same way."""
    from vfpath.model.observe import parse_dmesg_line

    found = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            found += parse_dmesg_line(line) is not None
    print(json.dumps({"found": found}))


def run_child(args: list[str]) -> tuple[float, int, str]:
    """Seconds, the child's own peak RSS in KiB (os.wait4), and its first output line."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped by wait4
        seconds = time.perf_counter() - start
        out.seek(0)
        first = (out.read().splitlines() or [""])[0]
    return seconds, usage.ru_maxrss, first


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--lines", type=int, nargs="+", default=[100_000, 500_000], help="log sizes to run"
    )
    ap.add_argument("--child-plain", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--child-prefiltered", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child_plain:
        plain(a.child_plain)
        return
    if a.child_prefiltered:
        prefiltered(a.child_prefiltered)
        return
    head = f"{'run':28} {'lines':>8} {'seconds':>8} {'lines/s':>10} {'vs plain':>9}"
    print(f"{head} {'peak MiB':>9}  result")
    for lines in a.lines:
        with tempfile.TemporaryDirectory() as tmp:
            log = Path(tmp) / "kernel.log"
            netvsc = write_log(log, lines)
            size = log.stat().st_size / 2**20
            print(f"log: {lines:,} lines ({size:.1f} MiB), {netvsc:,} hv_netvsc lines")
            rows = [
                ("plain loop, same regexes", [sys.executable, __file__, "--child-plain", str(log)]),
                (
                    "plain loop, conform matcher",
                    [sys.executable, __file__, "--child-prefiltered", str(log)],
                ),
                ("vfpath conform (1 VM)", [sys.executable, "-m", "vfpath", "conform", str(log)]),
                (
                    "vfpath conform --vms 2",
                    [sys.executable, "-m", "vfpath", "conform", "--vms", "2", str(log)],
                ),
            ]
            base = None
            for name, args in rows:
                seconds, peak, first = run_child(args)
                base = base or seconds
                print(
                    f"{name:28} {lines:8,} {seconds:8.2f} {lines / seconds:10,.0f} "
                    f"{seconds / base:8.1f}x {peak / 1024:9.0f}  {first[:60]}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
