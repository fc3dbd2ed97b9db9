"""Run one measurement in a fresh child process and read back its result.

Each benchmark measures in a child so that its peak resident memory (``ru_maxrss``, which only
grows within a process) belongs to that one measurement; the child prints its result as the
last line of its output, in JSON.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any


def run_child(cmd: list[str]) -> dict[str, Any]:
    """Run ``cmd`` and parse the last line it prints; a failed child ends the benchmark."""
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed: {' '.join(cmd)}\n{proc.stderr.strip()}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
