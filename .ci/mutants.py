"""Run mutmut 2.x's mutants of one file against a pytest selection, without mutmut's cache.

Why: mutmut 2.5.1's sqlite cache fails with "Attribute Mutant.line is required" after a few
hundred mutants of one file, so whole stretches went untested. This driver takes mutmut's own
mutation operators (``list_mutations``/``mutate``) and runs each mutant in a forked child of a
process that has already imported pytest and the third-party libraries, so a mutant costs its
tests, not an interpreter start. Results go to a JSON-lines file, one line per mutant; a rerun
skips the mutants already recorded (resume after an interruption).

It edits FILE in place (restoring it after each mutant): run it only in a throw-away copy of the
tree that has its own editable install. Usage, from the copy's root:

    python .ci/mutants.py checker/compile.py results.jsonl -- tests/checker/test_x.py ...
    python .ci/mutants.py --show checker/compile.py results.jsonl   # survivors as diffs
    python .ci/mutants.py --only results.jsonl checker/compile.py again.jsonl -- tests...
        (reruns only the survivors of an earlier run, e.g. against new tests)
"""

from __future__ import annotations

import difflib
import json
import os
import signal
import sys
import time
from pathlib import Path

from mutmut import ALL, Context, list_mutations, mutate


def _mutants(path: str) -> list:
    return list_mutations(Context(filename=path, mutation_id=ALL))


def _source_of(path: str, mid) -> str:
    return mutate(Context(filename=path, mutation_id=mid))[0]


def _where(line: str, occurrence: int, index: int) -> tuple[str, int, int]:
    return (line, occurrence, index)


class _FirstFailure:
    """A pytest plugin that writes the node id of the first failing test to a pipe."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def pytest_runtest_logreport(self, report: object) -> None:
        if getattr(report, "failed", False) and self.fd >= 0:
            os.write(self.fd, str(getattr(report, "nodeid", "")).encode()[:4000])
            os.close(self.fd)
            self.fd = -1


def _run(tests: list[str], timeout: float) -> tuple[str, float, str]:
    """Fork; the child runs pytest -x on *tests*: ('killed', 'survived' or 'timeout', seconds,
    the first failing test)."""
    start = time.monotonic()
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        os.setpgid(0, 0)
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        import pytest

        code = pytest.main(
            ["-x", "-q", "-p", "no:cacheprovider", *tests], plugins=[_FirstFailure(wfd)]
        )
        os._exit(int(code))
    os.close(wfd)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > timeout:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(rfd)
            return "timeout", time.monotonic() - start, ""
        time.sleep(0.02)
    seconds = time.monotonic() - start
    with os.fdopen(rfd, "rb") as pipe:
        killer = pipe.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    return ("survived" if code == 0 else "killed"), seconds, killer


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--show":
        path, results = argv[1], argv[2]
        original = Path(path).read_text()
        by_key = {(m.line_number, m.index): m for m in _mutants(path)}
        for line in Path(results).read_text().splitlines():
            row = json.loads(line)
            if row["status"] == "survived":
                mid = by_key[(row["line_number"], row["index"])]
                diff = difflib.unified_diff(
                    original.splitlines(), _source_of(path, mid).splitlines(), lineterm="", n=0
                )
                print(f"== {row['id']}  line {row['line_number'] + 1}")
                print("\n".join(list(diff)[2:]))
        return 0
    only: set[tuple[str, int, int]] | None = None
    if argv and argv[0] == "--only":
        only = {
            _where(row["line"], row["occurrence"], row["index"])
            for row in map(json.loads, Path(argv[1]).read_text().splitlines())
            if row["status"] == "survived"
        }
        argv = argv[2:]
    sep = argv.index("--")
    path, results, tests = argv[0], argv[1], argv[sep + 1 :]
    sys.dont_write_bytecode = True
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    import hypothesis  # noqa: F401  (imported once here, shared by every child)
    import networkx  # noqa: F401
    import pytest  # noqa: F401
    import statemachine  # noqa: F401

    # a SIGTERM (kill PID) unwinds through the finally below, which restores FILE
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    original = Path(path).read_text()
    done = set()
    if Path(results).exists():
        for line in Path(results).read_text().splitlines():
            row = json.loads(line)
            done.add((row["line_number"], row["index"]))
    status, base, _killer = _run(tests, 600)
    if status != "survived":
        print(f"the unmutated tree fails its tests ({status})", file=sys.stderr)
        return 2
    timeout = max(3 * base, base + 10)
    mutants = _mutants(path)
    lines = original.split("\n")
    print(f"{path}: {len(mutants)} mutants, baseline {base:.1f} s, timeout {timeout:.0f} s")
    with open(results, "a") as out:
        for number, mid in enumerate(mutants, 1):
            text = lines[mid.line_number]
            occurrence = lines[: mid.line_number].count(text)
            if (mid.line_number, mid.index) in done or (
                only is not None and _where(text, occurrence, mid.index) not in only
            ):
                continue
            try:
                Path(path).write_text(_source_of(path, mid))
                status, seconds, killer = _run(tests, timeout)
            finally:
                Path(path).write_text(original)
            row = {
                "id": number,
                "line_number": mid.line_number,
                "index": mid.index,
                # the line's text and how many equal lines precede it: --only finds the same
                # mutant again after lines were added above it
                "line": text,
                "occurrence": occurrence,
                "status": status,
                "seconds": round(seconds, 2),
                "killed_by": killer,
            }
            out.write(json.dumps(row) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
