"""``vfpath check --coverage`` and the not-modelled list of ``--list`` on the SR-IOV model."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vfpath", "check", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_coverage_names_what_the_model_never_does() -> None:
    proc = run("--vms", "1", "--vfs", "1", "--hosts", "1", "--coverage", "--json")
    assert proc.returncode == 0, proc.stderr
    cov = json.loads(proc.stdout)["coverage"]
    classes = {c["class"]: c for c in cov["classes"]}
    assert set(classes) == {"VM", "VMStack", "NetVSP", "NetVSC", "Binding", "VFMiniport", "NIC"}
    # Binding.inf_allows_other_protocols is False in the model: no other protocol ever binds
    assert "bind_other" in classes["Binding"]["never_enabled"]
    # VMStack.frees_without_teardown is False: the early free exists only for a variant
    assert "free_early" in classes["VMStack"]["never_enabled"]
    # with one host there is nowhere to migrate
    assert "migrate" in classes["VM"]["never_enabled"]
    # what happens is counted too: a VF is allocated, so that event is enabled
    assert "allocate_vf" not in classes["VMStack"]["never_enabled"]
    for c in classes.values():
        assert 0 < c["taken"] <= c["transitions"]


def test_list_names_the_properties_not_modelled_with_a_reason() -> None:
    proc = run("--list", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {"S17", "S18"} <= set(doc["not_modelled"])
    assert all(len(why) > 20 for why in doc["not_modelled"].values())
    text = run("--list").stdout
    assert "Not modelled" in text and "S18:" in text
