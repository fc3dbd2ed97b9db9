"""Benchmark: the compiled core on one thread and on several (``--workers``), side by side.

Run from the repository root: ``python benchmarks/workers.py`` (``--sizes 14 16``,
``--workers 1 2``, ``--repeat 3``, ``--no-default`` to skip ``vfpath check`` of the default
configuration). Prints two Markdown tables, each run a fresh child process, the best of
``--repeat`` runs (the machine may be shared: the load average is printed beside each row):

1. Dining philosophers with put-back (tests/checker/models.py), no property: states, seconds
   of the exploration and states/s per worker count, and the speed-up over one worker.
2. ``vfpath check --workers N`` of the default configuration (2 VMs, 1 VF, 2 hosts, every
   property, liveness included): wall-clock seconds of the whole command, the report's states
   and states/s.

Every worker count must find the same states (the tests check that they find the very same
exploration); a difference ends the benchmark.
"""

from __future__ import annotations

import argparse
import os
import platform

from engines import default_check, measure


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[14, 16])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-default", action="store_true")
    args = parser.parse_args()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print()
    print("| N | workers | states | seconds | states/s | speed-up | load (1/5/15 min) |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for n in args.sizes:
        base = None
        for w in args.workers:
            runs = [measure("compiled", n, w) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            if base is None:
                base = best
            if best["states"] != base["states"] or best["transitions"] != base["transitions"]:
                raise SystemExit(f"N={n}: {w} workers disagree with {args.workers[0]}")
            print(
                f"| {n} | {w} | {best['states']:,} | {best['seconds']:.2f} | "
                f"{best['rate']:,.0f} | {base['seconds'] / best['seconds']:.2f}x | {load()} |",
                flush=True,
            )
    if args.no_default:
        return
    print()
    print("| `vfpath check` (default configuration) | engine | states | states/s | wall s | load |")
    print("|---|---|---:|---:|---:|---|")
    first = None
    for w in args.workers:
        runs = [default_check("compiled", "--workers", str(w)) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        first = first or best
        if best["states"] != first["states"]:
            raise SystemExit(f"vfpath check: {w} workers disagree with {args.workers[0]}")
        print(
            f"| --workers {w} | {best['engine']} | {best['states']} | {best['rate']} | "
            f"{best['seconds']:.1f} | {load()} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
