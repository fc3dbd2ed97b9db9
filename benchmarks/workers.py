"""Benchmark: the compiled core on one thread and on several (``--workers``), side by side.

Run from the repository root: ``python benchmarks/workers.py`` (``--sizes 14 16``,
``--workers 1 2``, ``--repeat 3``, ``--no-default`` to skip the ``vfpath check`` runs,
``--three-vms`` to add 3/1/1). Prints two Markdown tables, each run a fresh child process, the
best of ``--repeat`` runs (the machine may be shared: the load average is printed beside each
row):

1. Dining philosophers with put-back (tests/checker/models.py), no property: states, seconds
   of the exploration and states/s per worker count, and the speed-up over one worker.
2. ``vfpath check --workers N``: the default configuration (2 VMs, 1 VF, 2 hosts, every
   property, liveness included, so no symmetry), its safety properties under symmetry, and
   with ``--three-vms`` 3 VMs, 1 VF, 1 host under symmetry: wall-clock seconds of the whole
   command, the report's states (orbits under symmetry) and states/s, and the speed-up.

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
    parser.add_argument("--three-vms", action="store_true")
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
    checks = dict(CHECKS)
    if args.three_vms:
        checks["3/1/1, safety, symmetry"] = THREE_VMS
    print()
    print("| `vfpath check` | workers | engine | states | states/s | wall s | speed-up | load |")
    print("|---|---:|---|---:|---:|---:|---:|---|")
    for name, extra in checks.items():
        first = None
        for w in args.workers:
            runs = [
                default_check("compiled", *extra, "--workers", str(w)) for _ in range(args.repeat)
            ]
            best = min(runs, key=lambda r: r["seconds"])
            first = first or best
            if best["states"] != first["states"]:
                raise SystemExit(f"vfpath check ({name}): {w} workers disagree with fewer")
            print(
                f"| {name} | {w} | {best['engine']} | {best['states']} | {best['rate']} | "
                f"{best['seconds']:.1f} | {first['seconds'] / best['seconds']:.2f}x | {load()} |",
                flush=True,
            )


# ``vfpath check`` runs: the default configuration, and its safety properties under symmetry
CHECKS: dict[str, list[str]] = {
    "2/1/2 (default), every property": [],
    "2/1/2 (default), safety, symmetry": ["--safety-only"],
}
THREE_VMS = ["--vms", "3", "--vfs", "1", "--hosts", "1", "--safety-only"]

if __name__ == "__main__":
    main()
