"""A mutation campaign over the compiled core: do the equivalence tests notice a broken core?

mutmut cannot mutate Cython, so this script makes the mutants itself: source-level operators
(swapped comparisons, ``+``/``-``, off-by-one constants, ``and``/``or``, dropped negations,
``break``/``continue``, shifts and bit operators, statements replaced by ``pass``) generated from
the text of checker/_core.pyx and its .pxi parts, checker/_fair.pyx and checker/compiled.py by
regular expressions, plus a few hand-picked ones. From all the candidates it takes a deterministic
sample (``--per-file``, ``--seed``), then applies each one alone to a scratch copy of the tree
(never the working tree: ``--work``, default /tmp/vfpath-mutate, with its own venv and
editable install), rebuilds only the extension it touches (cython, then the C compiler, into
the copy; the other extension's object is reused, and the original one is put back after the
mutant), runs the equivalence tests with ``-x`` and a timeout, and prints one row per mutant:
killed, survived, timeout or build-failed. Results go to ``--work``/results.jsonl, one line per
mutant; a rerun skips the mutants already there (resume).

Run by hand, from the repository root, under nice (it is long):
``nice python benchmarks/mutate_core.py --per-file 15``; ``--list`` prints the sample only;
``--only ID`` reruns given mutants (e.g. after adding a test: copy the test into the scratch
tree with ``--refresh``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE_PARTS = tuple(
    f"checker/{p}.pxi"
    for p in (
        "_base",
        "_store",
        "_tries",
        "_loop",
        "_staging",
        "_symmetry",
        "_fingerprints",
        "_results",
        "_threads",
    )
)
FILES = ("checker/_core.pyx", *CORE_PARTS, "checker/_fair.pyx", "checker/compiled.py")
TESTS = (
    "tests/checker/test_compiled_core.py",
    "tests/checker/test_compiled_symmetry.py",
    "tests/checker/test_compiled_liveness.py",
    "tests/checker/test_compiled_workers.py",
)

# (name, pattern, replacement): each match of the pattern in a code line is one mutant
OPERATORS: tuple[tuple[str, str, str], ...] = (
    ("<= to <", r"<=", "<"),
    (">= to >", r">=", ">"),
    ("< to <=", r"(?<![<-])<(?![<=])", "<="),
    ("> to >=", r"(?<![>-])>(?![>=])", ">="),
    ("== to !=", r"==", "!="),
    ("!= to ==", r"!=", "=="),
    ("+ to -", r"(?<=\s)\+(?=\s)", "-"),
    ("- to +", r"(?<=\s)-(?=\s)", "+"),
    ("+= to -=", r"\+=", "-="),
    ("and to or", r"\band\b", "or"),
    ("or to and", r"\bor\b", "and"),
    ("drop not", r"\bnot\s+", ""),
    ("True to False", r"\bTrue\b", "False"),
    ("False to True", r"\bFalse\b", "True"),
    ("break to continue", r"\bbreak\b", "continue"),
    ("continue to break", r"\bcontinue\b", "break"),
    (">> to <<", r">>(?!=)", "<<"),
    ("<< to >>", r"<<(?!=)", ">>"),
    ("& to |", r"(?<=\s)&(?=\s)", "|"),
    ("| to &", r"(?<=\s)\|(?=\s)", "&"),
    ("|= to &=", r"\|=", "&="),
    ("drop ~", r"~(?=[\w(])", ""),
)
CONSTANT = re.compile(r"(?<![\w.])(\d+)(?![\w.])")  # an integer literal: n -> n + 1

# (file, exact text of a code line, replacement line): mutants chosen by hand
HAND: tuple[tuple[str, str, str], ...] = (
    ("checker/_loop.pxi", "if not self.overflowed:", "if True:"),
    ("checker/_loop.pxi", "if kind == 0:", "if kind == 2:"),
    ("checker/_loop.pxi", "r = code == -3", "r = code == -2"),
    ("checker/_loop.pxi", "self.depth += 1", "self.depth += 2"),
    ("checker/_symmetry.pxi", "elif v < best[s]:", "elif v > best[s]:"),
    ("checker/_symmetry.pxi", "self.concrete += size", "self.concrete += 1"),
    (
        "checker/_threads.pxi",
        "if i == b.left:  # Python has to answer: the one-state loop, workers parked",
        "if False:",
    ),
    (
        "checker/_threads.pxi",
        "if n >= vfp_load(&c.tdone) + c.nring or lo + STAGE_STATES > vfp_load(&c.tavail):",
        "if n >= vfp_load(&c.tdone) + c.nring or lo > vfp_load(&c.tavail):",
    ),
    ("checker/_staging.pxi", "if b.probed and b.found[r] >= 0:", "if b.probed:"),
    ("checker/_fair.pyx", "rstart[0] = 0", "pass"),
    ("checker/_fair.pyx", "if x.low[v] < x.low[u]:", "if x.low[v] > x.low[u]:"),
    (
        "checker/compiled.py",
        "for kind, part in ((0, trg), (1, inv), (2, gls)):",
        "for kind, part in ((1, inv), (0, trg), (2, gls)):",
    ),
    ("checker/compiled.py", "msgs = msgs[1:]", "msgs = msgs[:-1]"),
)


@dataclass(frozen=True)
class Mutant:
    file: str
    line: int  # 1-based
    op: str
    old: str
    new: str

    @property
    def ident(self) -> str:
        return f"{Path(self.file).stem}:{self.line}:{self.op}:{self.new.strip()}"


def _code_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) for the lines that are code: not blank, comments, docstrings,
    declarations of names only, signatures, frees or error raises."""
    out: list[tuple[int, str]] = []
    in_doc = False
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        quotes = s.count('"""')
        if in_doc:
            if quotes % 2:
                in_doc = False
            continue
        if s.startswith('"""'):
            in_doc = quotes == 1
            continue
        if not s or s.startswith(("#", "def ", "cdef class", "class ", "@", "from ", "import ")):
            continue
        if s.startswith(("free(", "raise ", "cdef struct", "cdef enum", "cimport")):
            continue
        if s.startswith(("cdef ", "cpdef ")) and ("(" in s.split("=")[0] or "=" not in s):
            continue  # a signature, or a declaration without a value
        out.append((n, line))
    return out


CAST = re.compile(r"<[\w ]+\**>")  # a C cast such as <int32_t*>: no comparison in it


def _mutable(line: str, pos: int) -> bool:
    """Whether position ``pos`` of ``line`` is code: not in a comment, a string or a cast."""
    code = line.split("#")[0]
    if pos >= len(code) or code[:pos].count('"') % 2 or code[:pos].count("'") % 2:
        return False
    return not any(c.start() <= pos < c.end() for c in CAST.finditer(code))


def _balanced(text: str) -> bool:
    return all(text.count(a) == text.count(b) for a, b in ("()", "[]", "{}"))


def candidates(rel: str) -> list[Mutant]:
    """Every systematic mutant of file ``rel``, in line order."""
    text = (ROOT / rel).read_text()
    out: list[Mutant] = []
    prev = ""
    for n, line in _code_lines(text):
        ops = [(name, re.compile(p), r) for name, p, r in OPERATORS]
        ops.append(("constant + 1", CONSTANT, ""))
        for name, pat, repl in ops:
            for m in pat.finditer(line):
                if not _mutable(line, m.start()):
                    continue
                rep = str(int(m.group(1)) + 1) if pat is CONSTANT else repl
                new = line[: m.start()] + rep + line[m.end() :]
                out.append(Mutant(rel, n, name, line, new))
        s = line.split("#")[0].strip()
        whole = _balanced(s) and not prev.endswith((",", "(", "[", "{", "\\"))
        simple = not s.endswith((":", ",")) and not s.startswith(("return", "cdef ", "else"))
        if whole and simple and not s.startswith(("pass", "break", "continue", "elif")):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(Mutant(rel, n, "drop statement", line, indent + "pass"))
        prev = s
    return out


def hand_picked() -> list[Mutant]:
    out = []
    for rel, old, new in HAND:
        lines = (ROOT / rel).read_text().splitlines()
        (n,) = [i for i, line in enumerate(lines, 1) if line.strip() == old]
        indent = lines[n - 1][: len(lines[n - 1]) - len(lines[n - 1].lstrip())]
        out.append(Mutant(rel, n, "hand", lines[n - 1], indent + new))
    return out


def sample(per_file: int, seed: int) -> list[Mutant]:
    """``per_file`` systematic mutants of each file, drawn with ``seed``, then the hand-picked."""
    rng = random.Random(seed)
    chosen: list[Mutant] = []
    for rel in FILES:
        every = candidates(rel)
        chosen += sorted(rng.sample(every, min(per_file, len(every))), key=lambda m: m.line)
    return chosen + hand_picked()


# -- the scratch tree -------------------------------------------------------------------------
def prepare(work: Path, refresh: bool) -> Path:
    """The scratch copy's venv python (copy and install on first use)."""
    tree, venv = work / "tree", work / "venv"
    py = venv / "bin" / "python"
    if refresh or not tree.exists():
        shutil.rmtree(tree, ignore_errors=True)
        shutil.copytree(
            ROOT, tree, ignore=shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", "build")
        )
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(py), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "-e", f"{tree}[test]", "Cython>=3.0"], check=True)
    return py


def build(py: Path, tree: Path, pyx: str) -> bool:
    """Cythonize and compile ``pyx`` (a path in ``tree``) in place; False on any error."""
    src = tree / pyx
    c_file = src.with_suffix(".c")
    so = src.with_name(src.stem + sysconfig.get_config_var("EXT_SUFFIX"))
    inc = sysconfig.get_paths()["include"]
    name = f"vfpath.checker.{src.stem}"
    cython = [str(py), "-m", "cython", "-3", "--module-name", name, str(src), "-o", str(c_file)]
    # the core's threads need OpenMP, as setup.py builds it (without it the workers' tests
    # are skipped, and a mutant in the threads would survive untested)
    omp = ["-fopenmp"] if src.stem == "_core" else []
    cc = ["cc", "-shared", "-fPIC", "-O1", "-w", *omp, f"-I{inc}", str(c_file), "-o", str(so)]
    for cmd in (cython, cc):
        if subprocess.run(cmd, capture_output=True, check=False).returncode != 0:
            return False
    return True


def run_tests(
    py: Path, tree: Path, timeout: float, tests: tuple[str, ...] = TESTS
) -> tuple[str, str]:
    """('killed' | 'survived' | 'timeout', the first failing test or '')."""
    cmd = [str(py), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    proc = subprocess.Popen(
        cmd, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return "timeout", ""
    if proc.returncode == 0:
        return "survived", ""
    failed = re.findall(r"^FAILED (\S+)", out.decode(errors="replace"), re.M)
    crash = f"exit {proc.returncode}" if proc.returncode < 0 else "error"
    return "killed", failed[0] if failed else crash


def trial(
    py: Path, tree: Path, m: Mutant, timeout: float, tests: tuple[str, ...] = TESTS
) -> tuple[str, str, float]:
    """Apply ``m`` to the scratch tree, build, test, restore: (outcome, test, seconds)."""
    start = time.monotonic()
    path = tree / m.file
    original = path.read_text()
    lines = original.splitlines(keepends=True)
    assert lines[m.line - 1].rstrip("\n") == m.old, f"{m.ident}: the source moved"
    lines[m.line - 1] = m.new + "\n"
    saved: Path | None = None
    ext = "checker/_core.pyx" if m.file.endswith(".pxi") else m.file  # the module including it
    so = (tree / ext).with_name(Path(ext).stem + sysconfig.get_config_var("EXT_SUFFIX"))
    try:
        path.write_text("".join(lines))
        if m.file.endswith((".pyx", ".pxi")):
            saved = so.with_suffix(".so.orig")
            shutil.copy2(so, saved)
            if not build(py, tree, ext):
                return "build-failed", "", time.monotonic() - start
        outcome, test = run_tests(py, tree, timeout, tests)
        return outcome, test, time.monotonic() - start
    finally:
        path.write_text(original)
        if saved is not None:
            shutil.move(saved, so)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/vfpath-mutate"))
    ap.add_argument("--per-file", type=int, default=15)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--list", action="store_true", help="print the sample, run nothing")
    ap.add_argument("--only", nargs="*", default=None, metavar="ID")
    ap.add_argument("--refresh", action="store_true", help="copy the tree again")
    ap.add_argument(
        "--tests",
        nargs="+",
        default=list(TESTS),
        metavar="PATH",
        help="the pytest selection (default: the three equivalence test files); with --only, "
        "reruns survivors against more tests",
    )
    args = ap.parse_args()
    # a kill must still run trial()'s finally: the scratch tree gets its original source back
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    mutants = sample(args.per_file, args.seed)
    if args.only is not None:
        mutants = [m for m in mutants if m.ident in args.only]
    if args.list:
        total = {rel: len(candidates(rel)) for rel in FILES}
        print(f"candidates: {total}")
        for m in mutants:
            print(f"{m.ident}\n    - {m.old.strip()}\n    + {m.new.strip()}")
        return
    args.work.mkdir(parents=True, exist_ok=True)
    py = prepare(args.work, args.refresh)
    tree = args.work / "tree"
    results = args.work / ("results.jsonl" if args.only is None else "rerun.jsonl")
    done = {}
    if results.exists() and args.only is None:
        for line in results.read_text().splitlines():
            row = json.loads(line)
            done[row["id"]] = row
    tests = tuple(args.tests)
    base, _ = run_tests(py, tree, args.timeout, tests)
    if base != "survived":
        raise SystemExit(f"the unmutated scratch tree fails its tests ({base}): fix that first")
    rows = []
    for k, m in enumerate(mutants, 1):
        row = done.get(m.ident)
        if row is None:
            outcome, test, secs = trial(py, tree, m, args.timeout, tests)
            row = {
                "id": m.ident,
                "file": m.file,
                "line": m.line,
                "op": m.op,
                "old": m.old,
                "new": m.new,
                "outcome": outcome,
                "test": test,
                "seconds": round(secs, 1),
            }
            with results.open("a") as f:
                f.write(json.dumps(row) + "\n")
        rows.append(row)
        print(f"[{k}/{len(mutants)}] {row['outcome']:12} {m.ident}", file=sys.stderr, flush=True)
    _table(rows)


def _table(rows: list[dict[str, object]]) -> None:
    print(f"{'mutant':58} {'location':22} {'outcome':12} first failing test")
    for r in rows:
        where = f"{Path(str(r['file'])).name}:{r['line']}"
        new = str(r["new"]).strip()
        label = f"{r['op']}: {new[:40]}"
        print(f"{label:58} {where:22} {r['outcome']!s:12} {str(r['test']).split('::')[-1]}")
    counts: dict[str, int] = {}
    for r in rows:
        counts[str(r["outcome"])] = counts.get(str(r["outcome"]), 0) + 1
    print(f"total {len(rows)}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
