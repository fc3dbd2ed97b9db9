"""The VF's own suspend and resume across hibernation [de214e52de1b].

Expectations come from the driver source: the PM core suspends the VF's PCI device with the
guest and resumes it after NetVSC (dpm order), and only the resumed VF's NETDEV_CHANGE may switch
the data path back (de214e52de1b moved the switch out of netvsc_resume). Before that commit the
switch came from netvsc_resume itself: the host then steers to a VF that has not resumed.
"""

from __future__ import annotations

from functools import cache

from vfpath.api import build_system
from vfpath.checker import CheckResult, Options, Status, check
from vfpath.checker.explore import Options as ExploreOptions
from vfpath.checker.explore import explore
from vfpath.checker.view import StateView
from vfpath.model import Config, NetVSC, build
from vfpath.model.mutant_classes import BindingKeptAcrossHibernation, NetVSCSwitchesAtResume

OPTIONS = Options(max_states=200_000)


class _FixedResume(NetVSCSwitchesAtResume):
    """The same guest (VF kept across hibernation) with de214e52de1b's fix put back."""

    vf_started = NetVSC.vf_started


@cache
def _run(fixed: bool) -> CheckResult:
    netvsc = _FixedResume if fixed else NetVSCSwitchesAtResume
    system = build_system(Config(1, 1, 1)).replace(
        {"NetVSC": netvsc, "Binding": BindingKeptAcrossHibernation}
    )
    return check(system, OPTIONS)


def test_the_linux_guest_never_steers_to_a_suspended_vf() -> None:
    result = check(build_system(Config(1, 1, 1, guest="linux")), OPTIONS)
    assert result["S19-vf-path-only-when-started"].status is Status.HOLDS


def test_a_hibernated_vf_is_suspended_and_resumes_after_netvsc() -> None:
    product = build(Config(1, 1, 1, guest="linux")).build()
    ex = explore(product, [], ExploreOptions(graph=True, deadlock=False))
    assert ex.edges is not None
    hibernations = resumes = 0
    for src, dst, m in zip(*ex.edges, strict=True):
        label = product.moves[m].label
        before, after = StateView(product, ex.states[src]), StateView(product, ex.states[dst])
        if label == "vm[0].hibernate" and before["vfmp[0]"].state == "running":
            hibernations += 1
            assert after["vfmp[0]"].state == "suspended"
            assert after["vfmp[0]"].visible  # suspended, not removed: the netdev stays
        if label == "vfmp[0].resume_vf":
            resumes += 1
            assert before["netvsc[0]"].state != "suspended"
            assert after["vfmp[0]"].state == "running"
        if before["vfmp[0]"].state == "suspended" and label.startswith("netvsc[0].switch_to_vf"):
            raise AssertionError("NetVSC asked for a VF that has not resumed")
    assert hibernations and resumes


def test_switching_at_resume_steers_the_host_to_a_vf_not_yet_resumed() -> None:
    bug = _run(fixed=False)["S19-vf-path-only-when-started"]
    assert bug.status is Status.VIOLATED
    trace = bug.counterexample
    assert trace is not None
    assert "switch_vf_ok" in trace.steps[-1].label
    assert trace.states[-1]["vfmp[0]"] == "suspended"
    assert trace.states[-1]["vm[0]"] == "running"


def test_with_the_fix_the_same_guest_waits_for_the_vf() -> None:
    fixed = _run(fixed=True)
    assert fixed["S19-vf-path-only-when-started"].status is Status.HOLDS
    assert fixed["S14-traffic-always-has-a-working-path"].status is Status.HOLDS
