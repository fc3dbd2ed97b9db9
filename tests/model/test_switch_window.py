"""The window between the host's backend switch to the VF and the guest's completion.

OpenVMM's coordinator calls ``set_data_path_to_guest_vf(true)`` (DataPathSwitchPending with
``result: Some(true)``) and only the restarted primary worker sends the completion
(``handle_state_change``); the VF can go in between (lib.rs at 1488a37b7cfe). Read from that
source, ``restore_guest_vf_state`` then reverts the backend only for DataPathSwitchPending{to_guest:
false} and DataPathSwitched (4605-4620), so the filters would stay on the VF's VPort. The model's
host reverts, as MS-VFTD requires before the VPort goes; the class below is the source as read.
"""

from __future__ import annotations

from vfpath.api import build_system
from vfpath.checker import Options, check
from vfpath.checker.scenario import find_scenario
from vfpath.checker.view import StateView
from vfpath.model import Config, build
from vfpath.model.messages import TO_SYNTHETIC, VF, done
from vfpath.model.mutant_classes import NetVSPKeepsBackendSwitch
from vfpath.model.variants import shows

WINDOW = ["netvsp[0].switch_vf_ok", "vmstack[0].timeout"]


def test_a_vf_lost_mid_switch_gets_the_completion_the_revert_and_the_notice() -> None:
    product = build(Config(1, 1, 1)).build()
    trace = find_scenario(product, [*WINDOW, "netvsp[0].vanish_done", "notify_synthetic"])
    assert trace is not None
    k = next(i for i, lab in enumerate(trace.labels) if "netvsp[0].vanish_done" in lab)
    before = StateView(product, product.pack(trace.states[k]))
    after = StateView(product, product.pack(trace.states[k + 1]))
    assert before["nic[0]"].filters == (0,)  # the backend had switched to VF 0's VPort
    assert after["nic[0]"].filters == (None,)  # back on the default VPort [MS-VFTD]
    assert after.channel("nvsp_h2g[0]")[-1] == done(VF, True)  # the pending completion first
    end = StateView(product, product.pack(trace.states[-1]))
    assert end.channel("nvsp_h2g[0]")[-1] == (TO_SYNTHETIC,)  # then the notice [OVMM]


def test_the_source_as_read_leaves_the_filters_on_a_vport_that_cannot_be_deleted() -> None:
    """With the revert left out, the VM's receive filters stay on the VPort of a VF that is gone
    (L4: the host path never comes back to synthetic) and the stack, which deletes a VPort only
    once its filters are back on the default one [MS-DVP], never finishes the removal (L3, and
    a deadlock)."""
    system = build_system(Config(1, 1, 1)).replace({"NetVSP": NetVSPKeepsBackendSwitch})
    result = check(system, Options())
    for name in ("L3-detach-terminates", "L4-synthetic-after-vf-loss", "deadlock-free"):
        prop = result[name]
        assert prop.status.value == "violated", name
        assert shows(prop.counterexample, (*WINDOW, "netvsp[0].vanish_done_unreverted"))
    trace = result["deadlock-free"].counterexample
    assert trace is not None
    assert trace.states[-1]["nic[0].filters"] == (0,)
    assert trace.states[-1]["vmstack[0]"] == "removed"


def test_the_model_s_host_keeps_l3_and_l4_through_the_same_window() -> None:
    result = check(build_system(Config(1, 1, 1)), Options())
    for name in ("L3-detach-terminates", "L4-synthetic-after-vf-loss", "deadlock-free"):
        assert result[name].status.value == "holds", name
