"""Benchmark: vfpath on the SR-IOV configuration matrix, with and without symmetry reduction.

Run from the repository root: ``python benchmarks/sriov_matrix.py`` (``--max-states N`` caps each
run, default 2,000,000; ``--vms 1 2`` etc. choose the matrix; ``--engine python`` runs the
reference engine instead of the compiled one). Safety properties only: symmetry
reduction is refused with liveness (see ``checker/symmetry.py``). Each run is a fresh child
process; a capped run is marked ``capped`` and its figures are partial.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys


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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vms", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--vfs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--hosts", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--max-states", type=int, default=2_000_000)
    ap.add_argument("--engine", choices=("compiled", "python"), default="compiled")
    ap.add_argument("--child", nargs=5, type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        v, f, h, s, cap = args.child
        child(v, f, h, bool(s), cap, args.engine)
        return 0
    head = f"{'config':>7} {'symmetry':>8} {'states':>11} {'seconds':>8} {'states/s':>9}"
    head += f" {'MiB':>6} {'factor':>6}  note"
    print(head)
    print("-" * len(head))
    for vms in args.vms:
        for vfs in args.vfs:
            for hosts in args.hosts:
                for sym in (1, 0):
                    cmd = [sys.executable, __file__, "--child"]
                    cmd += [str(x) for x in (vms, vfs, hosts, sym, args.max_states)]
                    cmd += ["--engine", args.engine]
                    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                    name = f"{vms}-{vfs}-{hosts}"
                    if proc.returncode != 0:
                        err = (proc.stderr.strip().splitlines() or ["?"])[-1]
                        print(f"{name:>7} {'on' if sym else 'off':>8}  failed: {err}")
                        continue
                    d = json.loads(proc.stdout.strip().splitlines()[-1])
                    rate = d["states"] / d["seconds"] if d["seconds"] else 0.0
                    note = "" if d["complete"] else f"capped at {args.max_states:,}"
                    fac = f"{d['factor']:.2f}" if d["factor"] else "-"
                    mib = d["peak"] / 2**20
                    print(
                        f"{name:>7} {'on' if sym else 'off':>8} {d['states']:>11,} "
                        f"{d['seconds']:>8.1f} {rate:>9,.0f} {mib:>6.0f} {fac:>6}  {note}"
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
