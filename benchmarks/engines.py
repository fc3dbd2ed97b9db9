"""Benchmark: the Python engine, the compiled engine, musil and SPIN, side by side in one run.

Run from the repository root: ``python benchmarks/engines.py`` (``--sizes 10 12``,
``--no-default`` to skip the two ``vfpath check`` runs of the default configuration, which take
minutes under the Python engine; ``--no-matrix`` to skip the SR-IOV matrix; ``--musil-python``
as in ``compare_musil.py``). Prints three Markdown tables:

1. Dining philosophers with put-back (the model of ``tests/checker/models.py``), N = 10, 12,
   14, 16: states, seconds, states/s and bytes per state for each engine. Each run is a fresh
   child process. Bytes per state: for vfpath the growth of the resident memory during the
   exploration divided by the states (for the compiled engine also the core's own storage:
   packed words, visited-set table, parent and move); for musil the same growth (it runs under
   a Python >= 3.12, found as ``compare_musil.py`` finds it; without one, or without musil, its
   columns say why); for SPIN its "actual memory usage for states" plus its hash table, divided
   by the states stored (the DFS stack is left out). SPIN (Debian's ``spin``, if installed)
   runs the same model written in Promela as one process of guarded ``d_step`` commands, so its
   stored states equal vfpath's; pan is compiled with ``-O2 -DNOREDUCE -DSAFETY`` (no
   partial-order reduction, as vfpath has none) and its hash table sized to twice vfpath's
   state count.
2. The SR-IOV matrix, safety properties only (symmetry reduction is refused with liveness):
   per configuration, engine and symmetry, the orbits explored, the concrete states they hold,
   transitions, seconds of the exploration, peak resident MiB of the child and whether every
   property holds (``sriov_matrix.py``'s child measures each row).
3. ``vfpath check`` of the default configuration (every property, liveness included) under
   each engine: wall-clock seconds of the whole command, and the report's states.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from child import run_child
from compare_musil import MUSIL_CHILD, find_python312, musil_missing

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10, 12, 14, 16)
ENGINES = ("python", "compiled")
# (VMs, VFs, hosts, symmetry, engines): the Python engine where it ends within minutes, and
# no unreduced 3/1/2 (about 12 times its orbits)
MATRIX = [
    (1, 1, 1, False, ENGINES),
    (2, 1, 1, False, ENGINES),
    (2, 1, 1, True, ENGINES),
    (2, 1, 2, False, ENGINES),
    (2, 1, 2, True, ENGINES),
    (2, 2, 1, True, ENGINES),
    (3, 1, 1, False, ("compiled",)),
    (3, 1, 1, True, ENGINES),
    (3, 1, 2, True, ("compiled",)),
]


def run_one(engine: str, n: int, workers: int = 1) -> dict[str, Any]:
    """Check philosophers(n, put_back=True) with ``engine`` (on ``workers`` threads) in this
    process."""
    sys.path.insert(0, str(ROOT / "tests" / "checker"))
    from models import philosophers

    from vfpath.checker import Options
    from vfpath.checker.explore import explore
    from vfpath.checker.limits import rss_bytes

    product = philosophers(n, put_back=True).build()
    before = rss_bytes()
    ex = explore(product, [], Options(engine=engine, workers=workers))
    grown = rss_bytes() - before
    states = len(ex.states)
    return {
        "engine": ex.engine,
        "n": n,
        "states": states,
        "transitions": ex.transitions,
        "seconds": ex.seconds,
        "rate": states / ex.seconds,
        "bytes": grown / states,
        "core_bytes": ex.bytes_per_state,
    }


def measure(engine: str, n: int, workers: int = 1) -> dict[str, Any]:
    """Run :func:`run_one` in a child process and read its result."""
    return run_child([sys.executable, __file__, "--one", engine, str(n), str(workers)])


def promela(n: int) -> str:
    """The philosophers with put-back as one Promela process of guarded atomic commands."""
    lines = [
        f"#define N {n}",
        "byte phil[N];  /* 0 thinking, 1 has_left, 2 eating */",
        "bit fork[N];   /* 0 free, 1 held */",
        "active proctype table() {",
        "  do",
    ]
    for i in range(n):
        j = (i + 1) % n
        lines += [
            f"  :: d_step {{ phil[{i}] == 0 && fork[{i}] == 0 -> phil[{i}] = 1; fork[{i}] = 1 }}",
            f"  :: d_step {{ phil[{i}] == 1 && fork[{j}] == 0 -> phil[{i}] = 2; fork[{j}] = 1 }}",
            f"  :: d_step {{ phil[{i}] == 2 && fork[{i}] == 1 && fork[{j}] == 1 -> "
            f"phil[{i}] = 0; fork[{i}] = 0; fork[{j}] = 0 }}",
            f"  :: d_step {{ phil[{i}] == 1 && fork[{i}] == 1 -> phil[{i}] = 0; fork[{i}] = 0 }}",
        ]
    return "\n".join([*lines, "  od", "}", ""])


def spin(n: int, expected: int) -> dict[str, Any] | None:
    """Run SPIN on :func:`promela`; None when spin or gcc is missing."""
    if shutil.which("spin") is None or shutil.which("gcc") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "phil.pml").write_text(promela(n))
        subprocess.run(["spin", "-a", "phil.pml"], cwd=folder, check=True, capture_output=True)
        subprocess.run(
            ["gcc", "-O2", "-DNOREDUCE", "-DSAFETY", "-o", "pan", "pan.c"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
        w = max(10, (2 * expected).bit_length())
        out = subprocess.run(
            ["./pan", f"-m{2 * expected}", f"-w{w}"],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def number(pattern: str) -> float:
        m = re.search(pattern, out)
        if m is None:
            raise SystemExit(f"SPIN's output has no {pattern!r}:\n{out}")
        return float(m.group(1))

    states = int(number(r"(\d+) states, stored"))
    seconds = number(r"elapsed time ([\d.e+-]+) seconds")
    mib = number(r"([\d.]+)\s+actual memory usage for states") + number(
        r"([\d.]+)\s+memory used for hash table"
    )
    return {
        "states": states,
        "seconds": seconds,
        "rate": states / seconds if seconds > 0 else float("nan"),
        "bytes": mib * 2**20 / states,
    }


def musil(n: int, python: str | None, why: str | None) -> dict[str, Any] | str:
    """musil on the same philosophers in a child under ``python``, or why it cannot run."""
    if python is None or why is not None:
        return why or "n/a"
    m = run_child([python, "-c", MUSIL_CHILD, str(n)])
    if m["truncated"]:
        raise SystemExit(f"N={n}: musil stopped early")
    return {
        "states": m["states"],
        "seconds": m["seconds"],
        "rate": m["states"] / m["seconds"],
        "bytes": m["grown"] / m["states"],
    }


def matrix_row(vms: int, vfs: int, hosts: int, sym: bool, engine: str) -> dict[str, Any]:
    """One row of the SR-IOV matrix, measured by ``sriov_matrix.py``'s child."""
    cmd = [sys.executable, str(ROOT / "benchmarks" / "sriov_matrix.py"), "--child"]
    cmd += [str(x) for x in (vms, vfs, hosts, int(sym), 10**10)] + ["--engine", engine]
    return run_child(cmd)


def print_matrix() -> None:
    print("| config | symmetry | engine | orbits | states | transitions | seconds | MiB | holds |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    for vms, vfs, hosts, sym, engines in MATRIX:
        for engine in engines:
            d = matrix_row(vms, vfs, hosts, sym, engine)
            orbits = f"{d['orbits']:,}" if sym else "-"
            print(
                f"| {vms}/{vfs}/{hosts} | {'on' if sym else 'off'} | {d['engine']} | {orbits} | "
                f"{d['concrete']:,} | {d['transitions']:,} | {d['seconds']:.1f} | "
                f"{d['peak'] / 2**20:,.0f} | {'yes' if d['holds'] else 'NO'} |",
                flush=True,
            )


def default_check(engine: str, *extra: str) -> dict[str, Any]:
    """``vfpath check --engine ENGINE [EXTRA]`` on the default configuration: wall-clock
    seconds."""
    began = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "vfpath", "check", "--engine", engine, *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    m = re.search(r"([\d,]+) states, ([\d,]+) transitions", proc.stdout)
    ran = re.search(r"^engine: (.*)$", proc.stdout, re.M)
    rate = re.search(r"([\d,]+) states/s", proc.stdout)
    return {
        "engine": ran.group(1) if ran else "?",
        "seconds": seconds,
        "states": m.group(1) if m else "?",
        "rate": rate.group(1) if rate else "?",
        "exit": proc.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--no-default", action="store_true")
    parser.add_argument("--no-matrix", action="store_true")
    parser.add_argument("--musil-python", default=None, help="a Python >= 3.12 with musil")
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one[0], *map(int, args.one[1:]))))
        return
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print()
    py312 = find_python312(args.musil_python)
    no_musil = "n/a: needs Python 3.12" if py312 is None else musil_missing(py312)
    if no_musil is not None:
        print(f"musil: {no_musil}")
    print(
        "| N | states | python s | python states/s | python B/state | compiled s | "
        "compiled states/s | compiled B/state (RSS; core) | musil s | musil states/s | "
        "musil B/state | SPIN s | SPIN states/s | SPIN B/state | compiled/SPIN speed |"
    )
    print("|---:" * 15 + "|")
    for n in args.sizes:
        py = measure("python", n)
        co = measure("compiled", n)
        if co["states"] != py["states"] or co["transitions"] != py["transitions"]:
            raise SystemExit(f"N={n}: the engines disagree: {py} {co}")
        mu = musil(n, py312, no_musil)
        if isinstance(mu, dict) and mu["states"] != co["states"]:
            raise SystemExit(f"N={n}: musil found {mu['states']} states, vfpath {co['states']}")
        musil_cols = (
            f"{mu['seconds']:.2f} | {mu['rate']:,.0f} | {mu['bytes']:.0f}"
            if isinstance(mu, dict)
            else f"{mu} | - | -"
        )
        sp = spin(n, co["states"])
        if sp is not None and sp["states"] != co["states"]:
            raise SystemExit(f"N={n}: SPIN stored {sp['states']} states, vfpath {co['states']}")
        spin_cols = (
            f"{sp['seconds']:.2f} | {sp['rate']:,.0f} | {sp['bytes']:.0f} | "
            f"{co['rate'] / sp['rate']:.2f}x"
            if sp is not None
            else "- | - | - | -"
        )
        print(
            f"| {n} | {co['states']:,} | {py['seconds']:.2f} | {py['rate']:,.0f} | "
            f"{py['bytes']:.0f} | {co['seconds']:.2f} | {co['rate']:,.0f} | "
            f"{co['bytes']:.0f}; {co['core_bytes']:.0f} | {musil_cols} | {spin_cols} |",
            flush=True,
        )
    if not args.no_matrix:
        print()
        print_matrix()
    if args.no_default:
        return
    print()
    print("| `vfpath check` (default configuration) | engine | states | seconds | exit |")
    print("|---|---|---:|---:|---:|")
    for engine in ENGINES:
        r = default_check(engine)
        print(
            f"| --engine {engine} | {r['engine']} | {r['states']} | {r['seconds']:.1f} | "
            f"{r['exit']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
