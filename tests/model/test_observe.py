"""The SR-IOV observation mapping and the linux-dmesg reader against the example kernel logs.

Expected rejection lines are derived from the model's guards (cited at each case), not copied
from the oracle's output. Line numbers are those of the edited log (a dropped line shifts the
ones after it up by one).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from vfpath.checker import System
from vfpath.checker.conform import ByState, Oracle, Verdict, Vocabulary
from vfpath.checker.errors import VfpathError
from vfpath.checker.explore import Options, explore
from vfpath.checker.report import trace_to_itf
from vfpath.checker.traces import read_trace
from vfpath.checker.view import StateView
from vfpath.model import Config, NetVSP, build, datapath_of, observe
from vfpath.model.observe import (
    ADDED,
    EVENTS,
    HARNESS_EVENTS,
    LOGGED,
    REMOVED,
    UNREGISTERING,
    observable,
    parse_dmesg_line,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def log(name: str) -> list[str]:
    return (DATA / f"dmesg_{name}.log").read_text().splitlines()


def judge(lines: list[str], oracle: Oracle | None = None, **kw: object) -> Verdict:
    oracle = oracle or observe.oracle(**kw)  # type: ignore[arg-type]
    return oracle.run(read_trace("linux-dmesg", "\n".join(lines), oracle.vocabulary()))


def drop(lines: list[str], n: int) -> list[str]:
    return lines[: n - 1] + lines[n:]


def swap(lines: list[str], a: int, b: int) -> list[str]:
    out = list(lines)
    out[a - 1], out[b - 1] = out[b - 1], out[a - 1]
    return out


def test_every_mapped_move_exists_for_each_vm() -> None:
    labels = {m.label for m in build(Config(vms=2, vfs=1, hosts=1)).build().moves}
    for vm in (0, 1):
        for template in (*LOGGED, *HARNESS_EVENTS):
            assert template.format(vm=vm) in labels


def test_the_alphabet_is_the_documented_events() -> None:
    assert observe.oracle().alphabet == frozenset(EVENTS)


def test_other_vms_are_silent() -> None:
    moves = build(Config(vms=2, vfs=1, hosts=1)).build().moves
    seen = [m.label for m in moves if observable(1)(m) is not None]
    assert seen and all("[1]" in label for label in seen)


@pytest.mark.parametrize(
    ("line", "event"),
    [
        ("<6>[ 2.3] hv_netvsc 6045bd7a eth0: VF slot 7 removed", "vf_slot_removed"),
        ("Nov 25 05:26:32 h kernel: hv_netvsc x eth0: VF registering: eth1", "vf_registering"),
        (
            "hv_netvsc x eth0: Data path failed to switch to VF: eth1, err: -5",
            "switch_to_vf_failed",
        ),
        ("mlx5_core 5e4b:00:02.0 eth1: joined to eth0", "vf_joined"),
        ("hv_vmbus: registering driver hv_netvsc", None),
    ],
)
def test_lines_are_recognised_whatever_the_prefix(line: str, event: str | None) -> None:
    assert parse_dmesg_line(line) == event


@pytest.mark.parametrize("name", ["boot", "servicing", "migration"])
def test_each_example_log_conforms_from_boot(name: str) -> None:
    verdict = judge(log(name))
    assert verdict, str(verdict)
    assert verdict.accepted == sum("hv_netvsc" in x for x in log(name))


# (log, edit, the line rejected, events the model must allow there); why above each case
CASES = [
    # Binding.vf_matches needs NetVSC's vf_alloc, set only by the (observed) association.
    ("boot", lambda L: drop(L, 4), 7, {ADDED}),
    ("boot", lambda L: swap(L, 4, 8), 4, {ADDED}),
    # NetVSC.vf_up needs the binding running, reached only by the (observed) bind.
    ("boot", lambda L: drop(L, 8), 12, {"vf_registering"}),
    # Without "VF unregistering": the host's timeout does not wait for the guest, so the
    # disassociation may come first; but the stack deletes the VPort, and so frees the VF for
    # the re-add, only once the guest unbound it (VMStack.may_delete_vport, MS-DVP).
    ("servicing", lambda L: drop(L, 16), 18, {UNREGISTERING}),
    # "switched from" without "switched to": NetVSC reaches to_syn only from on_vf.
    ("servicing", lambda L: drop(L, 13), 14, {"vf_unregistering"}),
    # the re-add: no registering without a new association
    ("servicing", lambda L: drop(L, 19), 21, {ADDED}),
    # S15: the removal names slot 2 while slot 1 was added; NetVSP.disassociation_serial
    # repeats the association's serial, so the model only removes slot 1.
    ("migration", lambda L: [x.replace("slot 1 removed", "slot 2 removed") for x in L], 17,
     {REMOVED}),
    # slot 2 added before slot 1's removal: the removal then names a slot that is not the
    # last one added (S15), so it is rejected where it now stands.
    ("migration", lambda L: swap(L, 17, 19), 19, {REMOVED}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "edit", "line", "allowed"), CASES)
def test_a_reordered_or_missing_line_is_rejected_at_its_line(
    name: str, edit: object, line: int, allowed: set[str]
) -> None:
    lines = edit(log(name))  # type: ignore[operator]
    verdict = judge(lines)
    assert not verdict
    assert verdict.rejected is not None and verdict.rejected.line == line
    assert verdict.rejected.text == lines[line - 1].strip()
    assert allowed <= set(verdict.allowed)


def test_a_cut_log_conforms_only_from_any_state() -> None:
    lines = log("cut")
    first = next(n for n, x in enumerate(lines, 1) if "hv_netvsc" in x)
    verdict = judge(lines)
    assert not verdict and verdict.rejected is not None and verdict.rejected.line == first
    verdict = judge(lines, from_any_state=True)
    assert verdict, str(verdict)
    # the witness reaches the log's first state from boot, then explains every line
    assert verdict.log_start > 0 and len(verdict.marks) == verdict.accepted


def test_a_host_that_changes_the_serial_makes_the_mismatch_allowed() -> None:
    """The S15 event is read from the message on the channel: the same log conforms with a
    NetVSP that disassociates with another serial and not with the real one."""

    class OtherSerial(NetVSP):
        def disassociation_serial(self) -> int:
            return int(self.serial) + 1

    system: System = build(Config(vms=1, vfs=1, hosts=1)).replace({"NetVSP": OtherSerial})
    removal = log("servicing")[:18]  # boot, then the removal ending with "VF slot 1 removed"
    other = [x.replace("slot 1 removed", "slot 2 removed") for x in removal]
    assert judge(other, Oracle(system, observable(0)))
    assert not judge(other, Oracle(build(Config(vms=1, vfs=1, hosts=1)), observable(0)))


def test_a_disassociation_before_the_unregistration_conforms() -> None:
    """The host's removal timer does not wait for the guest [MS-FO]: when the guest is slow to
    unregister the VF after leaving it, the host gives up, revokes the VF and disassociates
    it, so "VF slot 1 removed" may come before "VF unregistering" (issue 14)."""
    assert judge(swap(log("servicing"), 16, 18))


def test_the_host_timeout_is_silent_and_the_surprise_unbind_prints_unregistering() -> None:
    """The guest's log cannot show the host's timer; it shows the unregistration, printed by
    netvsc_unregister_vf at NETDEV_UNREGISTER once the switch returned [LX-DRV]."""
    product = build(Config(vms=1, vfs=1, hosts=1)).build()
    see = observable(0)
    labels = {m.label: see(m) for m in product.moves}
    assert labels["vmstack[0].timeout"] is None
    assert labels["binding[0].surprise_unbind"] == UNREGISTERING


def test_an_event_the_vocabulary_lacks_is_bad_input() -> None:
    vocab = Vocabulary(frozenset({ADDED}), {}, frozenset())
    with pytest.raises(VfpathError, match=r"^line 8: event 'vf_registering'"):
        read_trace("linux-dmesg", "\n".join(log("boot")), vocab)


def test_the_oracle_refuses_a_vm_that_does_not_exist() -> None:
    with pytest.raises(VfpathError, match=r"vm must be in 0\.\.0"):
        observe.oracle(vm=1)


# Known gaps of the model against real logs (SRIOV.md (e)); strict, so fixing the model flags them.
def test_a_boot_with_a_repeated_switch_conforms() -> None:
    """Azure's boot logs show 'switched to' -> 'from' -> 'to' while user space reconfigures the
    VF netdev (SRIOV.md (e), 'normal'; AZ-AN): the VF link closes and reopens, no removal."""
    boot = log("boot")
    again = [boot[12].replace("switched to", "switched from"), boot[12]]
    assert judge([*boot, *again])


def test_a_vf_link_flapping_three_times_then_a_servicing_conforms() -> None:
    """Each close/reopen of the VF netdev is one 'from' and one 'to' [LX-DRV netvsc_vf_changed];
    the servicing after it still conforms."""
    boot, service = log("boot"), log("servicing")
    to_vf = boot[12]
    flaps = [to_vf.replace("switched to", "switched from"), to_vf] * 3
    assert judge([*boot, *flaps, *service[13:]])


def test_a_second_switch_to_the_vf_without_leaving_it_is_rejected() -> None:
    """NETDEV_UP of a VF that is already the data path does nothing: netvsc_vf_changed returns
    when data_path_is_vf == vf_is_up [da26658c3d70] (NetVSC.vf_up), so 'to' twice is a
    divergence at the second one."""
    boot = log("boot")
    verdict = judge([*boot, boot[12]])
    assert not verdict
    assert verdict.rejected is not None and verdict.rejected.line == len(boot) + 1


def test_a_vf_is_removed_while_its_link_is_down() -> None:
    """User space closed the VF netdev ('from'), then the host removes the VF: the removal prints
    no second 'from' (NETDEV_GOING_DOWN finds data_path_is_vf false)."""
    boot, service = log("boot"), log("servicing")
    closed = boot[12].replace("switched to", "switched from")
    assert judge([*boot, closed, *service[15:18]])
    assert not judge([*boot, closed, *service[14:18]])  # a second 'from' has nothing to leave


def test_the_vf_link_changes_reach_the_removal_and_the_tx_path() -> None:
    """In the explored graph of 1/1/1 the VF is ejected with its link down, and no state sends
    on a VF whose netdev is closed (netvsc_xmit checks netif_running(vf_netdev) [LX-DRV])."""
    product = build(Config(vms=1, vfs=1, hosts=1)).build()
    ex = explore(product, [], Options(graph=True, deadlock=False))
    assert ex.edges is not None
    ejected_down = False
    for src, _dst, m in zip(*ex.edges, strict=True):
        before = StateView(product, ex.states[src])
        if product.moves[m].label == "vfmp[0].eject" and before["vfmp[0]"].link == "down":
            ejected_down = True
    assert ejected_down
    for s in ex.states:
        view = StateView(product, s)
        if view["vfmp[0]"].link != "up":
            assert datapath_of(view, 0) != "vf"


def test_unregistering_before_switched_from_is_rejected() -> None:
    """The unregistration waits for rtnl, which the switch to synthetic holds until its
    completion [34b06a2eee44, 8b31f8c982b7]: "switched from" is printed first, gracefully or
    after a surprise removal."""
    assert not judge(swap(log("servicing"), 15, 16))


def test_the_model_path_of_a_log_round_trips_through_itf() -> None:
    """The witness of the servicing log, written as ITF (every state and move), conforms; the
    association steps are named by their move label there, since their log name depends on
    the message."""
    oracle = observe.oracle()
    verdict = judge(log("servicing"), oracle)
    doc = json.dumps(trace_to_itf(verdict.trace))
    back = observe.oracle()
    observations = read_trace("itf", doc, back.vocabulary())
    assert "netvsc[0].association" in {o.event for o in observations}
    assert back.run(observations)


@pytest.mark.parametrize("broken", [False, True])
def test_the_step_memo_changes_no_verdict_and_no_witness(
    broken: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flapping log repeats the same step many times; the oracle answers repeats from its
    memo. The verdict, the witness path and which step explains which line must be those of
    the plain search (MEMO_ENTRIES = 0), for a log that conforms and one that breaks late."""
    from vfpath.checker import conform as conform_module

    boot = log("boot")
    flap = [boot[12].replace("switched to", "switched from"), boot[12]]
    lines = [*boot, *(flap * 6)]
    if broken:
        lines.append(boot[7])  # "VF registering" again, with the VF still registered

    oracles: list[Oracle] = []

    def run() -> Verdict:
        oracles.append(observe.oracle(Config(1, 1, 2, guest="linux")))
        return judge(lines, oracles[-1])

    memo = run()
    assert 0 < len(oracles[0]._memo) < memo.accepted  # repeats were answered from the memo
    monkeypatch.setattr(conform_module, "MEMO_ENTRIES", 0)
    plain = run()
    assert bool(memo) is (not broken) and bool(plain) is (not broken)
    assert (memo.accepted, memo.allowed, memo.states) == (
        plain.accepted,
        plain.allowed,
        plain.states,
    )
    assert memo.trace.labels == plain.trace.labels
    assert {k: o.line for k, o in memo.marks.items()} == {k: o.line for k, o in plain.marks.items()}
    if broken:
        assert memo.rejected is not None and plain.rejected is not None
        assert memo.rejected.line == plain.rejected.line == len(lines)


def test_a_current_linux_hibernation_conforms_on_the_linux_guest() -> None:
    """Since 19162fd4063a, Linux keeps an mlx5 VF registered across hibernation: no "VF
    unregistering" / "VF registering" around it, the host's association again after the channel
    reopens, then "switched to VF" on the VF's NETDEV_CHANGE (de214e52de1b). The documented guest
    lets the VF go at suspend, so it must print "VF unregistering": without a reconfiguration
    of the NIC (a silent channel reopen, which explains the same lines) it cannot explain the
    log."""
    lines = (DATA / "dmesg_hibernate.log").read_text().splitlines()
    linux = judge(lines, _on("linux"))
    assert linux, linux
    assert linux.accepted == 5
    reference = judge(lines, _on("reference", reconfigure=False))
    assert not reference
    # the second association needs a reopened channel, which the reference guest reaches only
    # through a hibernation that prints "VF unregistering" first
    assert reference.rejected is not None and reference.rejected.line == 16


def test_after_resume_linux_may_switch_before_the_association() -> None:
    """Finding 3's order: vf_alloc survived hibernation, so the switch does not wait for the
    host's new association [365e1ececb29 waits only if !vf_alloc]."""
    lines = (DATA / "dmesg_hibernate.log").read_text().splitlines()
    added, switched = 15, 17  # 0-based indices of the post-resume lines
    assert "VF slot 1 added" in lines[added] and "switched to VF" in lines[switched]
    lines[added], lines[switched] = lines[switched], lines[added]
    assert judge(lines, _on("linux"))


def _on(guest: str, reconfigure: bool = True) -> Oracle:
    config = dataclasses.replace(observe.DEFAULT_CONFIG, guest=guest, reconfigure=reconfigure)
    return observe.oracle(config)


def test_a_long_trace_keeps_only_its_last_steps_and_its_witness_is_still_a_model_path() -> None:
    """With ``keep=8`` a 63-observation log (the boot's 3, then 30 flaps of 2) keeps between 8
    and 15 of its last observations. The path the report shows is rebuilt from the kept steps:
    its marked steps must be moves that print those lines (the last ones of the log, in order),
    and it must not reach back to the boot."""
    boot = log("boot")
    flap = [boot[12].replace("switched to", "switched from"), boot[12]]
    lines = [*boot, *(flap * 30)]
    oracle = observe.oracle(Config(1, 1, 2, guest="linux"), keep=8)
    verdict = judge(lines, oracle)
    assert verdict and verdict.accepted == 63
    kept = 63 - verdict.elided
    assert 8 <= kept < 16
    hv = [n for n, x in enumerate(lines, 1) if "hv_netvsc" in x]
    assert [o.line for _, o in sorted(verdict.marks.items())] == hv[-kept:]
    steps = {st.index: st for st in verdict.trace.steps}
    for k, obs in verdict.marks.items():
        move = next(m for m in oracle.product.moves if m.label == steps[k].label)
        name = observe.observable(0)(move)
        assert obs.event in (name.names if isinstance(name, ByState) else (name,))
    # the first kept observation's step comes after the path's start, not at the boot
    assert min(verdict.marks) >= 1 and "vm[0].start" not in verdict.trace.labels
