"""Expected results per configuration, recorded as data (``manifest.json``) and checked in CI.

Like tlaplus/Examples' manifest: a change to the model that moves a count must be deliberate.
``python -m vfpath.model.manifest`` re-measures the entries and rewrites the file (review the
diff before committing it).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Entry", "load", "measure"]

PATH = Path(__file__).with_name("manifest.json")


@dataclass(frozen=True)
class Entry:
    """One configuration's expected outcome: every property holds, with these counts."""

    vms: int
    vfs: int
    hosts: int
    result: str  # "holds" or the name of the first violated property
    states: int
    transitions: int
    depth: int
    ci: bool  # checked by the test suite (small enough for CI)


def load() -> list[Entry]:
    data = json.loads(PATH.read_text())
    return [Entry(**e) for e in data["entries"]]


def measure(vms: int, vfs: int, hosts: int, *, ci: bool) -> Entry:
    """Check one configuration with every property and no reduction."""
    from vfpath.api import build_system
    from vfpath.checker import Options, check
    from vfpath.model import Config

    result = check(build_system(Config(vms, vfs, hosts)), Options(symmetry=False))
    verdict = (
        "holds"
        if result
        else next((p.name for p in result.properties if p.status.value != "holds"), "incomplete")
    )
    s = result.stats
    return Entry(vms, vfs, hosts, verdict, s.states, s.transitions, s.depth, ci)


def main() -> None:
    old = load() if PATH.exists() else []
    entries = [measure(e.vms, e.vfs, e.hosts, ci=e.ci) for e in old]
    text = json.dumps({"entries": [asdict(e) for e in entries]}, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=PATH.parent, prefix=".manifest.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, PATH)
    for e in entries:
        print(e, file=sys.stdout)


if __name__ == "__main__":
    main()
