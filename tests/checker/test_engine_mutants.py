"""What checker/explore.py, liveness.py and symmetry.py must get right, written against the
mutants of the issue-16 campaign (.ci/mutants.py) that survived the fast tests.

Every expected value is derived independently of the engine: by hand from the model, or by a
brute-force walk written here.
"""

from __future__ import annotations

import resource

from models import peterson

from vfpath.checker.explore import explore


def test_peak_memory_is_the_process_peak_in_bytes() -> None:
    # ru_maxrss is in KiB on Linux; the exploration reports bytes, between the peak before
    # the run and the peak after it
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    ex = explore(peterson().build(), [])
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert before <= ex.peak_memory <= after
