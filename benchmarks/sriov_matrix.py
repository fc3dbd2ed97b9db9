"""Benchmark: the SR-IOV matrix in one run, with and without symmetry reduction, in one table.

Run from the repository root: ``nice python benchmarks/sriov_matrix.py``. The configurations
(VMs/VFs per host/hosts) are 1/1/1, 2/1/1, 2/1/2 and 3/1/1, each with symmetry on and off;
``--with-3-1-2`` adds 3/1/2 with symmetry on (behind a flag: on today's model it has more than
363 million orbits and outgrows 20 GiB, so cap it with ``--max-states``).
``--max-states N`` caps each run (default: none, every run exhaustive); ``--engine python``
runs the reference engine instead of the compiled one. Safety properties only: symmetry
reduction is refused with liveness (see ``checker/symmetry.py``). Each row is measured in a
fresh child process (``benchmarks/child.py``), so its peak resident memory is its own. Orbits
are what was stored; states are the concrete states those orbits hold (with symmetry: at most,
when the initial state is not symmetric, as the report of ``vfpath check`` says).
"""

from __future__ import annotations

import argparse
import json
import sys

from child import run_child


def child(
    vms: int, vfs: int, hosts: int, symmetry: bool, max_states: int, engine: str = "compiled"
) -> None:
    from vfpath.api import build_system
    from vfpath.checker import Options, check
    from vfpath.model import Config

    system = build_system(Config(vms, vfs, hosts))
    system.properties[:] = [p for p in system.properties if not p.expectation.is_liveness]
    r = check(system, Options(max_states=max_states, symmetry=symmetry, engine=engine))
    sym = r.extra.get("symmetry", {})
    print(
        json.dumps(
            {
                "engine": r.extra.get("engine"),
                "states": r.stats.states,
                "orbits": sym.get("orbits", r.stats.states),
                "concrete": sym.get("states", r.stats.states),
                "transitions": r.stats.transitions,
                "seconds": r.stats.seconds,
                "peak": r.stats.peak_memory,
                "complete": r.stats.complete,
                "factor": sym.get("factor"),
                "holds": bool(r),
            }
        )
    )


CONFIGS = ((1, 1, 1), (2, 1, 1), (2, 1, 2), (3, 1, 1))


def row(vms: int, vfs: int, hosts: int, sym: bool, cap: int, engine: str) -> str:
    """One Markdown row, measured in a fresh child process."""
    cmd = [sys.executable, __file__, "--child"]
    cmd += [str(x) for x in (vms, vfs, hosts, int(sym), cap)] + ["--engine", engine]
    d = run_child(cmd)
    orbits = f"{d['orbits']:,}" if sym else "-"
    note = "" if d["holds"] else "a property fails"
    if not d["complete"]:
        note = f"capped at {cap:,} (inconclusive)"
    return (
        f"| {vms}/{vfs}/{hosts} | {'on' if sym else 'off'} | {orbits} | {d['concrete']:,} | "
        f"{d['transitions']:,} | {d['seconds']:.1f} | {d['peak'] / 2**20:,.0f} | {note} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-states", type=int, default=None, metavar="N")
    ap.add_argument("--engine", choices=("compiled", "python"), default="compiled")
    ap.add_argument("--with-3-1-2", dest="big", action="store_true", help="add 3/1/2, symmetry on")
    ap.add_argument("--child", nargs=5, type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        v, f, h, s, cap = args.child
        child(v, f, h, bool(s), cap, args.engine)
        return 0
    cap = args.max_states if args.max_states is not None else 10**10
    runs = [(*c, sym) for c in CONFIGS for sym in (True, False)]
    if args.big:
        runs.append((3, 1, 2, True))
    print(f"engine: {args.engine}; safety properties only")
    print("| config | symmetry | orbits | states | transitions | seconds | MiB | note |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for vms, vfs, hosts, sym in runs:
        print(row(vms, vfs, hosts, sym, cap, args.engine), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
