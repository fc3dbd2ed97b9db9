"""``--vnics`` and ``--serials`` on the command line: what reaches the model, and bad input."""

from __future__ import annotations

import json

from .conftest import Run


def test_the_options_reach_the_model_and_the_report(run: Run) -> None:
    code, out, _ = run(
        "check", "--vms", "1", "--vfs", "1", "--hosts", "1", "--vnics", "2", "--serials", "vm",
        "--safety-only", "--json",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert doc["config"] == {"vms": 1, "vfs": 1, "hosts": 1, "vnics": 2, "serials": "vm"}
    assert doc["states"] == 105_273  # two NICs, not one (1,206)


def test_several_nics_with_reconfigure_is_refused_in_one_line(run: Run) -> None:
    code, out, err = run("check", "--vms", "1", "--vnics", "2", "--reconfigure")
    assert code == 2 and not out
    assert err.strip().splitlines() == [
        "vfpath: reconfigure with several NICs per VM is not modelled"
    ]


def test_the_size_guard_counts_the_nics(run: Run) -> None:
    code, _, err = run("check", "--vms", "65", "--vnics", "4", "--hosts", "1")
    assert code == 2
    assert "--vms x --vnics x --vfs x --hosts is 260" in err
