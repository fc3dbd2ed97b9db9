"""Benchmark: exact storage against fingerprint mode in the compiled core.

Run from the repository root: ``python benchmarks/fingerprint.py``. Prints one Markdown table:
per workload and mode, the states, transitions, seconds of the exploration, the core's bytes
per state (exact: packed words, visited-set table, 32-bit parents and moves; fingerprints:
the fingerprint set, parents, moves and the packed words still kept, all by capacity)
and the child's peak resident MiB. Workloads: the default ``vfpath check`` configuration
(SR-IOV 2/1/2) with its safety properties (``--safety-only``, so with symmetry reduction as
the command runs it), the same without symmetry (every state), and the dining philosophers
with put-back, N = 14 (tests/checker/models.py). Each run is a fresh child process.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from child import run_child

ROOT = Path(__file__).resolve().parents[1]
WORKLOADS = ("sriov-2-1-2", "sriov-2-1-2-nosym", "philosophers-14")
MODES = ("exact", "fingerprint")


def run_one(workload: str, mode: str) -> dict[str, Any]:
    """Explore ``workload`` in ``mode`` in this process."""
    from vfpath.checker import Options
    from vfpath.checker.explore import explore
    from vfpath.checker.symmetry import reduction_for

    options = Options(fingerprint=mode == "fingerprint")
    if workload.startswith("sriov"):
        from vfpath.model import Config, build

        system = build(Config(2, 1, 2))
        props = [p for p in system.properties if not p.expectation.is_liveness]
        product = system.build()
        red = None
        if not workload.endswith("nosym"):
            red, why = reduction_for(product, props)
            assert red is not None, why
    else:
        sys.path.insert(0, str(ROOT / "tests" / "checker"))
        from models import philosophers

        props, red = [], None
        product = philosophers(14, put_back=True).build()
    ex = explore(product, props, options, red)
    return {
        "workload": workload,
        "mode": mode,
        "states": len(ex.states),
        "transitions": ex.transitions,
        "seconds": ex.seconds,
        "core_bytes": ex.bytes_per_state,
        "peak_mib": ex.peak_memory / 2**20,
        "collision": (ex.fingerprint or {}).get("collision_probability"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=2, metavar=("WORKLOAD", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    print(
        "| workload | mode | states | transitions | s | core bytes/state | peak MiB "
        "| P(collision) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for workload in WORKLOADS:
        for mode in MODES:
            r = run_child([sys.executable, __file__, "--one", workload, mode])
            p = "" if r["collision"] is None else f"{r['collision']:.1e}"
            print(
                f"| {workload} | {mode} | {r['states']:,} | {r['transitions']:,} | "
                f"{r['seconds']:.1f} | {r['core_bytes']:.1f} | {r['peak_mib']:.0f} | {p} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
