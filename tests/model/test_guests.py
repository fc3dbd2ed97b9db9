"""Guest profiles: the reference design and Linux's hv_netvsc as it runs.

Expectations are derived from the driver source cited in model/netvsc_linux.py, not from the
checker's output: netvsc_switch_datapath sets data_path_is_vf after any completion, and
netvsc_receive_inband drops the host's SWITCH_DATA_PATH(SYNTHETIC).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vfpath.api import build_system
from vfpath.checker import CheckResult, Options, check
from vfpath.checker.errors import VfpathError
from vfpath.checker.explore import explore
from vfpath.checker.traces import read_trace
from vfpath.checker.view import StateView
from vfpath.model import Config, build, observe
from vfpath.model.guests import GUESTS, guest
from vfpath.model.netvsc_linux import LinuxNetVSC
from vfpath.model.netvsp import NetVSP
from vfpath.model.variants import shows
from vfpath.model.vm import VM
from vfpath.model.vmstack import VMStack
from vfpath.properties.paths import VMView

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = {"vms": 1, "vfs": 1, "hosts": 1}


def test_the_profiles_and_an_unknown_name() -> None:
    assert {"reference", "linux"} <= set(GUESTS)
    assert guest("linux").netvsc is LinuxNetVSC
    with pytest.raises(VfpathError, match="unknown guest 'windows'; the profiles are"):
        Config(1, 1, 1, guest="windows")


def test_linux_believes_a_failed_switch_succeeded() -> None:
    """The host's backend fails the switch and stays synthetic [OVMM]; Linux reads no status
    and sets data_path_is_vf = true, so it sends on a VF the host has not switched to (S8),
    while the reference guest, which reads the status, stays synthetic."""
    ref = check(build_system(Config(**SMALL)), Options())
    assert ref["S8-no-tx-on-unswitched-vf"].status.value == "holds"
    linux = check(build_system(Config(**SMALL, guest="linux")), Options())
    s8 = linux["S8-no-tx-on-unswitched-vf"]
    assert s8.status.value == "violated"
    assert shows(s8.counterexample, ("netvsp[0].switch_vf_fail", "netvsc[0].vf_switched"))
    # and it never retries: the cached path says VF, so NETDEV_UP/CHANGE do nothing (L1)
    assert linux["L1-eventually-on-vf"].status.value == "violated"


class _BackendNeverFails(NetVSP):
    """A host whose backend switch always succeeds (Finding 1 needs it to fail)."""

    def backend_may_fail(self) -> bool:
        return False


class _KeepsTheVF(VMStack):
    """A stack that never detaches (so no removal, timeout or disassociation happens)."""

    def vm_running(self) -> bool:
        return False


def _steady_host(guest_name: str) -> CheckResult:
    cfg = Config(**SMALL, guest=guest_name)
    sysm = build_system(cfg).replace({"netvsp[0]": _BackendNeverFails, "vmstack[0]": _KeepsTheVF})
    sysm.properties[:] = [p for p in sysm.properties if p.name.startswith("S")]
    return check(sysm, Options())


def test_linux_switches_before_the_host_readvertises_after_resume() -> None:
    """Finding 3. With a host that never fails a switch and never removes the VF, the only way
    left to a split data path is hibernation: Linux keeps the VF enslaved and vf_alloc set
    across it [19162fd4063a; netvsc_send_vf is the only writer of vf_alloc], netvsc_resume
    resets only data_path_is_vf [da26658c3d70], so the VF's NETDEV_UP/CHANGE switches at once
    (netvsc_vf_changed waits for vf_add only if !vf_alloc, 365e1ececb29). The request reaches a
    host that has not advertised the VF on the reopened channel, which completes it at once as
    a wrong-state request [OVMM switch_data_path], and Linux, reading no status, believes it.
    The reference guest forgets the association on resume and waits for the new one."""
    linux = _steady_host("linux")
    s8 = linux["S8-no-tx-on-unswitched-vf"]
    assert s8.status.value == "violated"
    assert shows(
        s8.counterexample,
        (
            "vm[0].hibernate",
            "vm[0].resume",
            "netvsc[0].switch_to_vf",
            "netvsp[0].wrong_state",
            "netvsc[0].vf_switched",
        ),
        absent=("switch_vf_fail", "timeout", "detach"),
    )
    ref = _steady_host("reference")
    assert [p.name for p in ref.properties if p.status.value == "violated"] == []


def test_linux_pairs_a_vf_by_mac_before_its_association() -> None:
    """get_netvsc_byslot falls back to the MAC address when no association's serial matches
    [365e1ececb29], so Linux enslaves a VF the host has not associated yet, which S2 (pairing
    by the association's serial, MS-SERIAL) forbids; the reference guest pairs by serial only."""
    linux = check(build_system(Config(**SMALL, guest="linux")), Options())
    s2 = linux["S2-correct-pairing"]
    assert s2.status.value == "violated"
    assert shows(s2.counterexample, ("vfmp[0].offer", "binding[0].bind"), absent=("association",))
    ref = check(build_system(Config(**SMALL)), Options())
    assert ref["S2-correct-pairing"].status.value == "holds"


def test_linux_waits_under_rtnl_for_an_association_that_never_comes() -> None:
    """Finding 5. The host's timer revokes a VF the guest is still probing: OpenVMM sent the
    association, offered the device after VF_DEVICE_DELAY and withdraws both [OVMM]; the guest
    reads the association and its withdrawal before the VF's netdev comes up. Linux then
    enslaves the VF by its MAC, the takeover opens it, and netvsc_vf_changed waits for vf_add
    under rtnl with no timeout [365e1ececb29]; the guest can then never run the VF's removal
    (it needs rtnl), so the host never gets the device back and the detach never ends (L3),
    though the host's timer fired. The reference guest never enslaves an unassociated VF."""
    linux = check(build_system(Config(**SMALL, guest="linux")), Options())
    l3 = linux["L3-detach-terminates"]
    assert l3.status.value == "violated"
    trace = l3.counterexample
    assert shows(
        trace,
        (
            "netvsp[0].advertise",
            "vmstack[0].offer",
            "vmstack[0].detach",
            "vmstack[0].timeout",
            "netvsp[0].disassociate",
            "binding[0].bind",
            "netvsc[0].switch_to_vf",
        ),
    )
    assert trace is not None and trace.states[-1]["netvsc[0]"] == "awaiting_assoc"
    # nothing can move there at all: the guest waits, the host waits for the guest
    stuck = linux["deadlock-free"]
    assert stuck.status.value == "violated"
    assert stuck.counterexample is not None
    assert stuck.counterexample.states[-1]["netvsc[0]"] == "awaiting_assoc"
    ref = check(build_system(Config(**SMALL)), Options())
    assert ref["L3-detach-terminates"].status.value == "holds"
    assert ref["deadlock-free"].status.value == "holds"


def _reattach_edges(guest_name: str) -> set[tuple[bool, str, bool, str]]:
    """(data_path_is_vf before, NetVSC's state after, data_path_is_vf after, NetVSP's state
    after) for every channel reopen of a VM whose user space reconfigures the NIC, on a host
    that never fails a switch and never removes the VF."""
    cfg = Config(**SMALL, guest=guest_name, reconfigure=True)
    sysm = build(cfg).replace({"netvsp[0]": _BackendNeverFails, "vmstack[0]": _KeepsTheVF})
    product = sysm.build()
    ex = explore(product, [], Options(graph=True, deadlock=False))
    assert ex.edges is not None
    out = set()
    for src, dst, m in zip(*ex.edges, strict=True):
        if product.moves[m].label != "netvsc[0].reattach":
            continue
        before, after = StateView(product, ex.states[src]), StateView(product, ex.states[dst])
        out.add(
            (
                bool(before["netvsc[0]"].data_path_is_vf),
                after["netvsc[0]"].state,
                bool(after["netvsc[0]"].data_path_is_vf),
                after["netvsp[0]"].state,
            )
        )
    return out


def test_linux_stays_on_the_vf_across_a_channel_reopen() -> None:
    """Finding 4. netvsc_change_mtu (also netvsc_set_channels, netvsc_set_ringparam) runs
    netvsc_detach then netvsc_attach (7b2ee50c0cd5): the channel closes, which returns the host
    to synthetic [19162fd4063a], and opens again, and nothing resets data_path_is_vf (only
    netvsc_resume does, da26658c3d70) or switches again (netvsc_vf_changed returns early while
    the cache says VF). So Linux comes back believing it is on the VF while the host, which has
    the new channel closed-then-opened, steers to the synthetic path; the reference guest starts
    over synthetic."""
    linux = _reattach_edges("linux")
    assert (True, "on_vf", True, "unavailable") in linux
    assert all(vf_after == vf_before for vf_before, _s, vf_after, _h in linux)
    reference = _reattach_edges("reference")
    assert reference and all(
        state == "synthetic" and not vf_after for _b, state, vf_after, _h in reference
    )
    cfg = Config(**SMALL, guest="linux", reconfigure=True)
    sysm = build_system(cfg).replace(
        {"netvsp[0]": _BackendNeverFails, "vmstack[0]": _KeepsTheVF, "vm[0]": _NeverHibernates}
    )
    sysm.properties[:] = [p for p in sysm.properties if p.name == "S13-cached-path-is-real-path"]
    s13 = check(sysm, Options())["S13-cached-path-is-real-path"]
    assert s13.status.value == "violated"
    assert shows(s13.counterexample, ("vm[0].reconfigure", "netvsc[0].reattach"))


class _NeverHibernates(VM):
    def guest_idle(self) -> bool:
        return False


def _notice_edges(guest_name: str) -> set[tuple[str, bool]]:
    """(state, data_path_is_vf) after each notice read on the VF. The host sends the notice when
    the VF it switched to vanishes under the guest: its removal timer fired (issue 14)."""
    product = build(Config(1, 1, 1, guest=guest_name)).build()
    ex = explore(product, [], Options(graph=True, deadlock=False))
    assert ex.edges is not None
    out = set()
    for src, dst, m in zip(*ex.edges, strict=True):
        label = product.moves[m].label
        if not label.endswith(".host_to_synthetic"):
            continue
        netvsc = label.split(".")[0]
        if StateView(product, ex.states[src])[netvsc].state != "on_vf":
            continue
        after = StateView(product, ex.states[dst])[netvsc]
        out.add((after.state, bool(after.data_path_is_vf)))
    return out


def test_the_notice_moves_the_reference_guest_off_the_vf_but_not_linux() -> None:
    """When the host's timeout revokes the VF, NetVSP forces synthetic and sends
    SWITCH_DATA_PATH(SYNTHETIC) [OVMM]. The documented guest leaves the VF on it; Linux's
    netvsc_receive_inband drops it, so Linux stays on the revoked VF until its PCI layer
    removes the device."""
    assert _notice_edges("reference") == {("synthetic", False)}
    assert _notice_edges("linux") == {("on_vf", True)}


def test_s8_excuses_a_revoked_vf_only_until_the_notice_is_read() -> None:
    """Packets sent on a VF the host revoked are lost by design until the guest can know
    [MS-FO]; once it has read the host's notice it must not send there [OVMM]. Judged on the
    two ends of every notice Linux drops while on the VF: fine before, violated after."""
    from vfpath.properties import safety_properties

    config = Config(1, 1, 1, guest="linux")
    s8 = next(p for p in safety_properties(config) if p.name.startswith("S8"))
    product = build(config).build()
    ex = explore(product, [], Options(graph=True, deadlock=False))
    assert ex.edges is not None
    ends = []
    for src, dst, m in zip(*ex.edges, strict=True):
        before = StateView(product, ex.states[src])
        # (a packet loss latched earlier, e.g. after a failed switch, is another finding)
        if product.moves[m].label == "netvsc[0].host_to_synthetic" and (
            before["netvsc[0]"].state == "on_vf"
            and before["netvsc[0]"].fault is None
            and VMView(before, config.units[0]).revoked  # (a failed switch's notice: finding 1)
        ):
            ends.append((s8.check(before), s8.check(StateView(product, ex.states[dst]))))
    assert ends and set(ends) == {(True, False)}


def _judge(lines: list[str], guest_name: str) -> bool:
    oracle = observe.oracle(Config(1, 1, 2, guest=guest_name))
    return bool(oracle.run(read_trace("linux-dmesg", "\n".join(lines), oracle.vocabulary())))


def test_a_failed_switch_line_after_a_completion_is_not_linux() -> None:
    """Linux prints "Data path failed to switch" only when the send fails, which the model's
    VMBus never does; a guest that reads the completion's status may print it."""
    boot = (DATA / "dmesg_boot.log").read_text().splitlines()
    failed = boot[12].replace(
        "switched to VF: enP24139s1", "failed to switch to VF: enP24139s1, err: -5"
    )
    assert _judge(boot, "linux") and _judge(boot, "reference")
    assert _judge([*boot[:12], failed], "reference")
    assert not _judge([*boot[:12], failed], "linux")


def test_a_netvsc_variant_is_layered_on_the_profile() -> None:
    """The variant's own override wins, the profile's next: the Linux layer still reads no
    completion status while the variant's request_vf is the one that runs."""
    from vfpath.model.mutant_classes import NetVSCSwitchesOnRequest
    from vfpath.model.variants import on_profile

    layered = on_profile({"NetVSC": NetVSCSwitchesOnRequest}, "linux")["LinuxNetVSC"]
    assert layered.__mro__[1:3] == (NetVSCSwitchesOnRequest, LinuxNetVSC)
    assert layered.request_vf is NetVSCSwitchesOnRequest.request_vf
    assert layered.vf_fail_waiting is LinuxNetVSC.vf_fail_waiting
    assert on_profile({"NetVSC": NetVSCSwitchesOnRequest}, "reference") == {
        "NetVSC": NetVSCSwitchesOnRequest
    }


def test_a_real_vf_reset_log_conforms() -> None:
    """A real journal (LIS/lis-next#556): the data path leaves the VF, then the VF unregisters
    (the switch happens on GOING_DOWN, before the unregistration: 34b06a2eee44). The reverse
    order is rejected: the unregistration waits for the switch's rtnl, gracefully or after
    the host's timeout (issue 14)."""
    lines = (DATA / "real" / "lis-next-556.log").read_text().splitlines()
    oracle = observe.oracle(Config(1, 1, 2, guest="linux"), from_any_state=True)
    verdict = oracle.run(read_trace("linux-dmesg", "\n".join(lines), oracle.vocabulary()))
    assert verdict and verdict.accepted == 2
    swapped = [lines[0], lines[1], lines[3], lines[2], *lines[4:]]
    oracle = observe.oracle(Config(1, 1, 2, guest="linux"), from_any_state=True)
    verdict = oracle.run(read_trace("linux-dmesg", "\n".join(swapped), oracle.vocabulary()))
    assert not verdict and verdict.rejected is not None and verdict.rejected.line == 4


@pytest.mark.parametrize("guest_name", ["reference", "linux"])
def test_a_reloaded_vf_driver_registers_again_without_a_new_association(guest_name: str) -> None:
    """A VF driver unload or reset (rmmod, openibd restart, mlx4 reset, MANA recovery) removes
    the netdev but not the device; netvsc_unregister_vf keeps vf_alloc and vf_serial, so when the
    driver probes the device again NetVSC pairs the new netdev by the association it kept and
    switches to it, with no message from the host in between [LX-DRV]."""
    product = build(Config(**SMALL, guest=guest_name, reconfigure=True)).build()
    ex = explore(product, [], Options(graph=True, deadlock=False))
    assert ex.edges is not None
    labels = [product.moves[m].label for m in ex.edges[2]]
    reloads = [i for i, label in enumerate(labels) if label == "vfmp[0].reload"]
    assert reloads
    rebinds = set()
    for i in reloads:
        after = ex.edges[1][i]
        for j, (src, label) in enumerate(zip(ex.edges[0], labels, strict=True)):
            if src != after or label != "binding[0].bind":
                continue
            view = StateView(product, ex.states[src])
            if view["netvsc[0]"].vf_alloc and not view.channel("nvsp_h2g[0]"):
                rebinds.add(ex.edges[1][j])
    assert rebinds, "the reloaded VF is never paired by the kept association"
    # without --reconfigure the driver is never unloaded
    plain = build(Config(**SMALL, guest=guest_name)).build()
    plain_ex = explore(plain, [], Options(graph=True, deadlock=False))
    assert plain_ex.edges is not None
    assert "vfmp[0].reload" not in {plain.moves[m].label for m in plain_ex.edges[2]}
