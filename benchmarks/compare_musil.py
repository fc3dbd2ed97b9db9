"""Benchmark: vfpath against musil on dining philosophers with put-back, side by side.

Run from the repository root: ``python benchmarks/compare_musil.py`` (``--sizes 10 12``).
vfpath explores the model the engine's tests use (``tests/checker/models.py``); musil (PyPI, a
pure-Python explicit-state checker that needs Python 3.12+) explores the same model written as
musil actions below. Each (tool, N) runs in a fresh child process, so its peak memory belongs to
that run alone; bytes per state is the growth of the peak resident set during the exploration
divided by the states. Both tools must find the same number of states, or the script fails.

musil runs under the first Python >= 3.12 found (``--musil-python``, ``python3.12``/``3.13`` on
``PATH``, pyenv's versions). Nothing is installed at run time: without musil (or Python 3.12)
the script prints one line with the commands that install it and shows vfpath's column alone.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from child import run_child

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10, 12, 14)

# the musil side: phases 0 thinking, 1 has left fork, 2 eating; forks held or not, as in
# tests/checker/models.py (a fork's holder is implied by the phases)
MUSIL_CHILD = r"""
import json, resource, sys, time
from musil import Action, Model, check

n = int(sys.argv[1])

def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

def actions():
    out = []
    for i in range(n):
        j = (i + 1) % n
        def take_left(s, i=i):
            ph, fk = s
            return (ph[:i] + (1,) + ph[i + 1:], fk[:i] + (True,) + fk[i + 1:])
        def take_right(s, i=i, j=j):
            ph, fk = s
            return (ph[:i] + (2,) + ph[i + 1:], fk[:j] + (True,) + fk[j + 1:])
        def put_down(s, i=i, j=j):
            ph, fk = s
            f = list(fk)
            f[i] = f[j] = False
            return (ph[:i] + (0,) + ph[i + 1:], tuple(f))
        def put_back(s, i=i):
            ph, fk = s
            return (ph[:i] + (0,) + ph[i + 1:], fk[:i] + (False,) + fk[i + 1:])
        out += [
            Action(f"phil[{i}].take_left", lambda s, i=i: s[0][i] == 0 and not s[1][i], take_left),
            Action(f"phil[{i}].take_right", lambda s, i=i, j=j: s[0][i] == 1 and not s[1][j],
                   take_right),
            Action(f"phil[{i}].put_down", lambda s, i=i: s[0][i] == 2, put_down),
            Action(f"phil[{i}].put_back", lambda s, i=i: s[0][i] == 1, put_back),
        ]
    return out

model = Model(init=[((0,) * n, (False,) * n)], actions=actions())  # a list: one initial state
base = rss()
t = time.perf_counter()
r = check(model, max_states=10**9)
sec = time.perf_counter() - t
print(json.dumps({"states": r.states_explored, "seconds": sec, "grown": rss() - base,
                  "ok": r.ok, "truncated": r.truncated}))
"""


def vfpath_child(n: int) -> None:
    """Explore the put-back philosophers with vfpath in this process; print one JSON line."""
    import resource
    import time

    sys.path.insert(0, str(ROOT / "tests" / "checker"))
    from models import philosophers

    from vfpath.checker import check

    def rss() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    system = philosophers(n, put_back=True)
    base = rss()
    t = time.perf_counter()
    result = check(system)
    sec = time.perf_counter() - t
    out = {"states": result.stats.states, "seconds": sec, "grown": rss() - base, "ok": bool(result)}
    print(json.dumps(out))


def find_python312(explicit: str | None) -> str | None:
    """A Python >= 3.12 interpreter, or None."""
    candidates = [explicit] if explicit else []
    candidates += [shutil.which(f"python3.{m}") for m in (12, 13, 14)]
    home = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(f"{home}/versions/3.1[2-9]*/bin/python3"))
    for c in candidates:
        if not c:
            continue
        probe = "import sys; print(sys.version_info >= (3, 12))"
        proc = subprocess.run([c, "-c", probe], capture_output=True, text=True, check=False)
        if proc.returncode == 0 and proc.stdout.strip() == "True":
            return c
    return None


def musil_missing(python: str) -> str | None:
    """None when musil imports under ``python``; else one line saying how to install it.

    Nothing is installed at run time: a benchmark that changes the machine it measures is
    neither repeatable nor polite.
    """
    ok = subprocess.run([python, "-c", "import musil"], capture_output=True, check=False)
    if ok.returncode == 0:
        return None
    return f"musil is not installed under {python}; install it with: {python} -m pip install musil"


NO_PYTHON = (
    "no Python >= 3.12 found (musil needs it); install one and musil with: "
    "pyenv install 3.12 && $(pyenv root)/versions/3.12*/bin/python3 -m pip install musil "
    "(or pass --musil-python PATH)"
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--musil-python", default=None, help="a Python >= 3.12 with (or for) musil")
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        vfpath_child(args.one)
        return 0
    py312 = find_python312(args.musil_python)
    why = NO_PYTHON if py312 is None else musil_missing(py312)
    if why is not None:
        print(f"{why}; showing vfpath alone")
    print(f"vfpath: Python {sys.version.split()[0]}; musil: {'-' if why else py312}")
    head = f"{'N':>3} {'states':>10} | {'vfpath st/s':>11} {'B/state':>8} | "
    head += f"{'musil st/s':>10} {'B/state':>8} | {'speed-up':>8}"
    print(head)
    print("-" * len(head))
    for n in args.sizes:
        v = run_child([sys.executable, __file__, "--one", str(n)])
        vs = float(v["states"]) / float(v["seconds"])  # type: ignore[arg-type]
        vb = int(v["grown"]) / int(v["states"])  # type: ignore[call-overload]
        if why is not None or py312 is None:
            print(f"{n:>3} {v['states']:>10,} | {vs:>11,.0f} {vb:>8,.0f} | {'-':>10} {'-':>8} |")
            continue
        m = run_child([py312, "-c", MUSIL_CHILD, str(n)])
        if m["states"] != v["states"] or m["truncated"]:
            raise SystemExit(f"N={n}: vfpath found {v['states']} states, musil {m['states']}")
        ms = float(m["states"]) / float(m["seconds"])  # type: ignore[arg-type]
        mb = int(m["grown"]) / int(m["states"])  # type: ignore[call-overload]
        print(
            f"{n:>3} {v['states']:>10,} | {vs:>11,.0f} {vb:>8,.0f} | {ms:>10,.0f} {mb:>8,.0f} |"
            f" {vs / ms:>7.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
