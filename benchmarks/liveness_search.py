"""Benchmark: liveness's fair-cycle search in Python and in C, property by property.

Run from the repository root: ``python benchmarks/liveness_search.py`` (default configuration;
``--vms 2 --hosts 1 --reconfigure`` for another). Explores once with the compiled core, then for
each liveness property that is not a declared mirror reads its truths from the core's tables
and times the two searches on them: the Python one of ``checker/liveness.py`` (``_search``, its
edge rows built in Python as ``--engine python`` does) and the C one of
``checker/fair_arrays.py`` (its rows built in C). Both must find the same region, fair components
and stuck states (else the benchmark stops). Prints a Markdown table: triggers, region, fair
components, stuck states, and seconds for each search (the rows once, then each property).
"""

from __future__ import annotations

import argparse
import time

from vfpath.api import build_system
from vfpath.checker import Options
from vfpath.checker import fair_arrays as fa
from vfpath.checker.check import _memoised
from vfpath.checker.edge_graph import Graph
from vfpath.checker.explore import explore, holds_on_every_state
from vfpath.checker.fair_cycles import _fairness
from vfpath.checker.liveness import _NOT, _search
from vfpath.model import Config


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vms", type=int, default=2)
    ap.add_argument("--vfs", type=int, default=1)
    ap.add_argument("--hosts", type=int, default=2)
    ap.add_argument("--reconfigure", action="store_true")
    args = ap.parse_args()
    if not fa.available():
        raise SystemExit("the compiled graph module (checker/_fair.pyx) is not built")
    system = build_system(Config(args.vms, args.vfs, args.hosts, reconfigure=args.reconfigure))
    product = system.build()
    live = [
        _memoised(product, p)
        for p in system.properties
        if p.expectation.is_liveness and p.mirror is None
    ]
    began = time.perf_counter()
    ex = explore(product, live, Options(engine="compiled"))
    explored = time.perf_counter() - began
    assert ex.edges is not None and ex.engine == "compiled"
    n = len(ex.states)
    began = time.perf_counter()
    py_g = Graph(n, ex.edges)
    py_rows = time.perf_counter() - began
    began = time.perf_counter()
    co_g = fa.graph(n, ex.edges)
    co_rows = time.perf_counter() - began
    assert co_g is not None
    print(
        f"{args.vms}/{args.vfs}/{args.hosts}{' --reconfigure' if args.reconfigure else ''}: "
        f"{n:,} states, {len(ex.edges[0]):,} edges, explored in {explored:.1f} s\n"
    )
    print("| property | triggers | region | fair comps | stuck | Python s | C s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| (edge rows) | | | | | {py_rows:.2f} | {co_rows:.2f} |")
    for p in live:
        not_q = holds_on_every_state(ex, p.check).translate(_NOT)
        when = None if p.when is None else holds_on_every_state(ex, p.when)
        fair = _fairness(product, p)
        began = time.perf_counter()
        py = _search(product, ex, py_g, not_q, when, fair)
        py_s = time.perf_counter() - began
        began = time.perf_counter()
        co = fa.search(product, ex, co_g, not_q, when, fair)
        co_s = time.perf_counter() - began
        region = sum(1 for s in range(n) if co.inside(s))
        same = (
            region == sum(1 for s in range(n) if py.inside(s))
            and {frozenset(c) for c in co.comps} == {frozenset(c) for c in py.comps}
            and co.stuck == py.stuck
        )
        if not same:
            raise SystemExit(f"{p.name}: the two searches differ")
        print(
            f"| {p.name} | {co.n_triggers:,} | {region:,} | {len(co.comps)} | {len(co.stuck)} "
            f"| {py_s:.2f} | {co_s:.2f} |"
        )


if __name__ == "__main__":
    main()
