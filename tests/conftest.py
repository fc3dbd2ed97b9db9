"""Hypothesis settings profiles for the whole suite.

``ci``: derandomized (the same examples on every run, so a red CI run is reproducible and a
green one stays green), a bounded number of examples and steps so the stateful suite fits in a
few minutes on two cores, no per-example deadline (a live python-statemachine step costs a
fraction of a millisecond and timing on shared machines is noise), and no example database
(nothing is written into the checkout).

``dev``: random and many more examples and steps, with the example database, for hunting bugs
locally: ``HYPOTHESIS_PROFILE=dev pytest tests/checker/test_stateful.py``.

``ci`` is the default everywhere, not only when ``CI`` is set: tests that are random by default
make every helper's local run differ from CI's, and the suite's budget was sized for ``ci``.
Select another profile with ``HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=30,
    stateful_step_count=40,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=300,
    stateful_step_count=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# an unknown name fails loudly (hypothesis.errors.InvalidArgument) instead of running unsettled
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
