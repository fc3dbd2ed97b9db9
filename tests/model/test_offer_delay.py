"""The host's VF offer as OpenVMM makes it: the association, VF_DEVICE_DELAY, then the device.

Expectations come from OpenVMM's netvsp (lib.rs at 1488a37b7cfe): ``guest_vf_is_available``
sends the association when RNDIS is operational and arms the offer delay
(``restore_guest_vf_state``, 4466-4480); ``Message::OfferVfDevice`` moves AvailableAdvertised to
Ready and the coordinator then awaits ``guest_ready_for_device``; a failed backend switch is
completed, then DataPathSynthetic sends an unsolicited SWITCH_DATA_PATH(SYNTHETIC) and goes to
Ready (``handle_state_change``); the next VF's association is sent without waiting for the guest
to read the previous VF's disassociation. The checks below follow paths through the explored
graph with their own monitor, not the model's guards.
"""

from __future__ import annotations

from collections import deque
from functools import cache

from vfpath.checker.explore import Exploration, Options, explore
from vfpath.checker.product import Product
from vfpath.checker.scenario import find_scenario
from vfpath.checker.view import StateView
from vfpath.model import Config, build
from vfpath.model.messages import ASSOC, DONE, TO_SYNTHETIC, VF


@cache
def _graph(vms: int, vfs: int, hosts: int) -> tuple[Product, Exploration]:
    product = build(Config(vms, vfs, hosts)).build()
    return product, explore(product, [], Options(graph=True, deadlock=False))


def test_the_device_is_offered_only_after_the_association_and_the_delay() -> None:
    """A monitor over every path: since the last ALLOCATE_VF, the association was sent and the
    offer timer fired (or a switch request cut it short) before the stack's VPCI offer."""
    product, ex = _graph(1, 1, 2)
    assert ex.edges is not None
    out: dict[int, list[tuple[int, str]]] = {}
    for src, dst, m in zip(*ex.edges, strict=True):
        out.setdefault(src, []).append((dst, product.moves[m].label))
    # monitor phase: 0 = nothing since allocation, 1 = association sent, 2 = offer due
    seen = {(0, 0)}
    queue = deque(seen)
    offers = 0
    while queue:
        state, phase = queue.popleft()
        for dst, label in out.get(state, []):
            nxt = phase
            if label.startswith("vmstack[0].allocate_vf"):
                nxt = 0
            elif label == "netvsp[0].advertise":
                nxt = max(phase, 1)
            elif label in ("netvsp[0].offer_vf_device", "netvsp[0].request_vf") and phase >= 1:
                nxt = 2
            elif label == "vmstack[0].offer":
                offers += 1
                assert phase == 2, f"VPCI offer in monitor phase {phase}"
            if (dst, nxt) not in seen:
                seen.add((dst, nxt))
                queue.append((dst, nxt))
    assert offers > 0  # the monitor saw offers, so its assertion was exercised


def test_a_vf_never_offered_can_be_withdrawn() -> None:
    product, _ = _graph(1, 1, 1)
    trace = find_scenario(product, ["netvsp[0].advertise", "vmstack[0].withdraw"])
    assert trace is not None
    assert not any("vfmp[0].offer" in label for label in trace.labels)
    after = StateView(product, product.pack(trace.states[-1]))
    assert after["vmstack[0]"].state == "removed"
    assert after["vfmp[0]"].state == "absent"


def test_a_failed_switch_is_completed_then_followed_by_the_synthetic_notice() -> None:
    product, _ = _graph(1, 1, 1)
    trace = find_scenario(product, ["netvsp[0].switch_vf_fail", "netvsp[0].notify_failed"])
    assert trace is not None
    labels = trace.labels
    i = next(k for k, lab in enumerate(labels) if "netvsp[0].switch_vf_fail" in lab)
    after_fail = StateView(product, product.pack(trace.states[i + 1]))
    assert after_fail["netvsp[0]"].state == "syn_notice"
    assert after_fail.channel("nvsp_h2g[0]")[-1][:2] == (DONE, VF)
    j = next(k for k, lab in enumerate(labels) if "netvsp[0].notify_failed" in lab)
    after_notice = StateView(product, product.pack(trace.states[j + 1]))
    assert after_notice["netvsp[0]"].state == "ready"
    assert after_notice.channel("nvsp_h2g[0]")[-1] == (TO_SYNTHETIC,)


def test_the_next_association_may_queue_behind_the_disassociation() -> None:
    """OpenVMM does not wait for the guest to read the disassociation before it advertises the
    next VF: both can be in the guest's ring at once (this is what lets a guest without the
    serial check pair the new VF against the old association: 64ff412ad41f)."""
    product, ex = _graph(1, 2, 1)
    serials = set()
    for s in ex.states:
        ring = StateView(product, s).channel("nvsp_h2g[0]")
        assocs = [msg for msg in ring if msg[0] == ASSOC]
        if len(assocs) >= 2 and assocs[0][1] is False and assocs[1][1] is True:
            serials.add((assocs[0][2], assocs[1][2]))
    # the same VF again, and the other VF (another serial) after it
    assert serials == {(1, 1), (1, 2), (2, 1), (2, 2)}
