"""The recorded manifest (model/manifest.json) matches what the checker finds now.

A failure here means the model's reachable behaviour changed: if that was intended, re-run
``python -m vfpath.model.manifest`` and commit the new counts with the model change.
"""

from __future__ import annotations

import pytest

from vfpath.model.manifest import Entry, load, measure

ENTRIES = [e for e in load() if e.ci]


def test_the_manifest_records_the_default_shape() -> None:
    entries = load()
    assert entries, "the manifest is empty"
    assert all(e.result for e in entries)
    assert any(e.vms > 1 for e in entries), "no entry exercises VF reassignment"


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.vms}vm-{e.vfs}vf-{e.hosts}h" for e in ENTRIES])
def test_counts_match_the_manifest(entry: Entry) -> None:
    now = measure(entry.vms, entry.vfs, entry.hosts, ci=entry.ci)
    assert now == entry, (
        "the model's reachable behaviour changed; if intended, run "
        "`python -m vfpath.model.manifest` and commit the new counts"
    )
