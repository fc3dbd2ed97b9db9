"""Steps that may fail (model/failures.py): off in the model, switched on by name, explored
both ways once on.

Expectations come from netvsc_switch_datapath and netvsc_vf_changed [d0922bf79817,
8b31f8c982b7]: a send that fails leaves data_path_is_vf false and prints "Data path failed to
switch to|from VF"; the host, never asked, keeps what it had.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vfpath.api import build_system
from vfpath.checker import Options, check
from vfpath.checker.conform import Oracle
from vfpath.checker.errors import VfpathError
from vfpath.checker.explore import explore
from vfpath.checker.traces import read_trace
from vfpath.checker.view import StateView
from vfpath.model import Config, build
from vfpath.model.failures import FALLIBLE, may_fail
from vfpath.model.observe import observable
from vfpath.model.variants import shows

DATA = Path(__file__).resolve().parents[1] / "data"


def _labels(system) -> set[str]:  # type: ignore[no-untyped-def]
    product = system.build()
    ex = explore(product, [], Options(graph=True, deadlock=False))
    assert ex.edges is not None
    return {product.moves[m].label for m in ex.edges[2]}


def test_an_unknown_failure_point_is_refused_with_the_known_ones() -> None:
    with pytest.raises(
        VfpathError, match="unknown failure point 'disk'; the known ones are vmbus-send, vf-probe"
    ):
        may_fail(build(Config(1, 1, 1)), "disk")


def test_every_failure_point_names_a_hook_of_its_actor_that_says_no() -> None:
    system = build(Config(1, 1, 1))
    for point in FALLIBLE.values():
        classes = [
            s.cls
            for s in system.instances.values()
            if point.actor in {c.__name__ for c in s.cls.__mro__}
        ]
        assert classes and all(getattr(c, point.hook)(None) is False for c in classes)


def test_a_failing_send_is_taken_only_once_switched_on() -> None:
    plain = _labels(build(Config(1, 1, 1)))
    failing = _labels(may_fail(build(Config(1, 1, 1)), "vmbus-send"))
    assert not any("unsent" in label for label in plain)
    assert {
        "netvsc[0].switch_to_vf_unsent",
        "vfmp[0].eject/unsent",
        "vfmp[0].link_down/unsent",
    } <= failing


def test_linux_prints_failed_to_switch_only_when_its_send_can_fail() -> None:
    """Linux reads no completion status, so "failed to switch to VF" comes only from a send
    that failed (netvsc_vf_changed after netvsc_switch_datapath returned an error)."""
    boot = (DATA / "dmesg_boot.log").read_text().splitlines()
    failed = boot[12].replace(
        "switched to VF: enP24139s1", "failed to switch to VF: enP24139s1, err: -11"
    )
    lines = [*boot[:12], failed, boot[12]]  # the failure, then the retry on the next event
    config = Config(1, 1, 2, guest="linux")
    for system, accepted in ((build(config), False), (may_fail(build(config), "vmbus-send"), True)):
        oracle = Oracle(system, observable(0, reads_status=False))
        verdict = oracle.run(read_trace("linux-dmesg", "\n".join(lines), oracle.vocabulary()))
        assert bool(verdict) is accepted


def test_a_lost_switch_from_the_vf_splits_the_reference_guest_from_the_host_for_good() -> None:
    """The guest closes the VF link and its SWITCH(SYNTHETIC) is never sent: it goes synthetic
    while the host stays switched. When the link reopens, the host refuses SWITCH(VF) in that
    state [OVMM, as the model's NetVSP follows it], and a guest that reads the status stays
    synthetic: RX on the VF, TX synthetic, forever (L1)."""
    system = may_fail(build_system(Config(1, 1, 1)), "vmbus-send")
    l1 = check(system, Options())["L1-eventually-on-vf"]
    assert l1.status.value == "violated"
    assert shows(
        l1.counterexample,
        (
            "netvsc[0].vf_switched",
            "vfmp[0].link_down/unsent",
            "netvsp[0].wrong_state",
            "netvsc[0].vf_switch_failed",
        ),
    )


def test_a_vf_whose_driver_fails_to_probe_leaves_the_guest_synthetic_and_nothing_else() -> None:
    """A driverless VF registers no netdev, so NetVSC never switches to it (L1 fails: the
    documented fallback, synthetic) while its detach, eject and teardown still work: every other
    property holds."""
    system = may_fail(build_system(Config(1, 1, 1)), "vf-probe")
    result = check(system, Options())
    violated = [p for p in result.properties if p.status.value != "holds"]
    assert [p.name for p in violated] == ["L1-eventually-on-vf"]
    assert shows(violated[0].counterexample, ("vmstack[0].offer", "vfmp[0].probe_failed"))
    assert "vfmp[0].eject" in _labels(system)  # the driverless device is still ejected


def test_a_vport_that_cannot_be_created_is_never_offered_and_is_freed_in_order() -> None:
    """MS-CVP: CREATE_VPORT may fail; the stack then offers nothing and tears the VF down in
    MS-VFTD's order (RESET_VF before FREE_VF), so the PF latches no fault and every property
    holds; the failure is taken and followed by the reset and the free."""
    system = may_fail(build_system(Config(1, 1, 2)), "oid")
    product = system.build()
    ex = explore(product, [], Options(graph=True, deadlock=False))
    assert ex.edges is not None
    failed_from = set()
    for src, dst, m in zip(*ex.edges, strict=True):
        label = product.moves[m].label
        if label == "vmstack[0].create_vport_failed":
            before = StateView(product, ex.states[src])
            after = StateView(product, ex.states[dst])
            assert after["vmstack[0]"].state == "vport_deleted"
            assert not after.channel("vpci[0]")  # nothing offered
            failed_from.add(before["vmstack[0]"].vf)
    assert failed_from == {(0, 0), (1, 0)}  # on either host's VF
    assert bool(check(system, Options()))
    assert "vmstack[0].create_vport_failed" not in _labels(build_system(Config(1, 1, 2)))
