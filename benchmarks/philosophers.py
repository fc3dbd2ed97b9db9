"""Benchmark: exhaustive exploration of dining philosophers with put-back, N = 8, 10, 12, 14.

Run from the repository root: ``python benchmarks/philosophers.py`` (``--sizes 8 10`` to choose).
Each N runs in a fresh child process, so its peak resident memory (``ru_maxrss``, which only
ever grows within a process) belongs to that N alone; the parent prints the table. The model is
the one the engine's tests use (``tests/checker/models.py``), so the benchmark measures exactly
what the tests prove correct.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

from child import run_child

ROOT = Path(__file__).resolve().parents[1]
SIZES = (8, 10, 12, 14)


def run_one(n: int) -> dict[str, float | int | bool]:
    """Explore the put-back variant with N philosophers in this process and return its stats."""
    sys.path.insert(0, str(ROOT / "tests" / "checker"))
    from models import philosophers

    from vfpath.checker import check

    result = check(philosophers(n, put_back=True))
    s = result.stats
    return {
        "n": n,
        "states": s.states,
        "transitions": s.transitions,
        "depth": s.depth,
        "seconds": s.seconds,
        "states_per_second": s.states_per_second,
        "peak_memory_bytes": s.peak_memory,
        "holds": bool(result),
    }


def measure(n: int) -> dict[str, float | int | bool]:
    """Run :func:`run_one` in a child process and read its result."""
    return run_child([sys.executable, __file__, "--one", str(n)])


def table(rows: list[dict[str, float | int | bool]]) -> str:
    """A plain-text table (Markdown), so it pastes into notes and the README unchanged."""
    head = "| N | distinct states | transitions | seconds | states/s | peak memory (MiB) |"
    lines = [head, "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['n']} | {r['states']:,} | {r['transitions']:,} | {r['seconds']:.2f} | "
            f"{r['states_per_second']:,.0f} | {int(r['peak_memory_bytes']) / 2**20:,.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one)))
        return
    if any(n < 2 for n in args.sizes):
        parser.error("every N must be at least 2")
    rows = []
    for n in args.sizes:
        rows.append(measure(n))
        if not rows[-1]["holds"]:
            raise SystemExit(f"N={n}: a property failed; the put-back variant should be clean")
    print(f"philosophers with put-back; python {platform.python_version()}; one process per N")
    print(table(rows))


if __name__ == "__main__":
    main()
