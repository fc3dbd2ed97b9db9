"""Every protocol sequence B1-B9 of SRIOV.md is reachable from the initial state, in order.

Each test names the steps of the sequence as the domain file gives them (move-label fragments),
asks for a shortest path that takes them in that order, and checks the state it ends in.
"""

from __future__ import annotations

from functools import cache

from vfpath.checker.product import Product
from vfpath.checker.scenario import find_scenario
from vfpath.checker.view import StateView
from vfpath.model import Config, build, datapath_of

ATTACH = [  # B2 (host; OpenVMM's order: association, VF_DEVICE_DELAY, offer) then B3-B5
    "vmstack[0].allocate_vf",
    "vmstack[0].create_vport",
    "netvsp[0].advertise",
    "netvsp[0].offer_vf_device",
    "vmstack[0].offer",
    "netvsc[0].association",
    "vfmp[0].offer",
    "binding[0].bind",
    "netvsc[0].switch_to_vf",
    "netvsp[0].request_vf",
    "netvsp[0].switch_vf_ok",
    "netvsc[0].vf_switched",
]
FAILOVER = [  # B6 on a VF that carries the traffic
    "vmstack[0].detach",
    "vfmp[0].eject",  # with NetVSC's GOING_DOWN: switch to synthetic while the VF still runs
    "netvsp[0].request_syn",
    "netvsp[0].switch_syn_ok",
    "netvsc[0].syn_switched",
    "binding[0].pause",
    "vfmp[0].pause",
    "binding[0].unbind",
    "vfmp[0].halt",
    "vmstack[0].ejected",
    "vmstack[0].delete_vport",
    "vmstack[0].reset_vf",
    "vmstack[0].free_vf",
]


@cache
def product(vms: int, vfs: int, hosts: int) -> Product:
    return build(Config(vms, vfs, hosts)).build()


def reach(cfg: tuple[int, int, int], steps: list[str]) -> StateView:
    p = product(*cfg)
    trace = find_scenario(p, steps)
    assert trace is not None, f"not reachable: {steps}"
    # the steps appear in the trace in the order given
    labels = trace.labels
    pos = 0
    for step in steps:
        while step not in labels[pos]:
            pos += 1
        pos += 1
    last = trace.states[-1]
    # rebuild a packed state from the described one, to use the model's own classifier
    return StateView(p, p.pack(last))


def test_b1_boot_on_the_synthetic_path() -> None:
    # a packet that gets through is not a step (only a lost one would be): traffic flows on
    # the synthetic path as soon as NetVSC is up
    s = reach((1, 1, 1), ["nic[0].create_switch", "vm[0].start"])
    # netvsc_probe holds rtnl from the SR-IOV advertisement to register_netdevice [d30fb712e529]
    assert s["netvsc[0]"].state == "probing"
    assert datapath_of(s, 0) == "none"
    s = reach((1, 1, 1), ["nic[0].create_switch", "vm[0].start", "netvsc[0].registered"])
    assert s["netvsc[0]"].state == "synthetic"
    assert datapath_of(s, 0) == "synthetic"


def test_b2_to_b5_attach_bind_and_switch_to_the_vf() -> None:
    s = reach((1, 1, 1), ["vm[0].start", *ATTACH])
    assert datapath_of(s, 0) == "vf"
    assert s["nic[0]"].filters == (0,)  # the VM's filters are on VF 0's VPort


def test_b2_association_may_race_the_vpci_offer() -> None:
    """The offer and the association travel on different channels [bug 3]: the guest may read
    them in either order, although the host sent the association first [OVMM]."""
    first = reach((1, 1, 1), ["vmstack[0].offer", "vfmp[0].offer", "netvsc[0].association"])
    second = reach((1, 1, 1), ["vmstack[0].offer", "netvsc[0].association", "vfmp[0].offer"])
    assert first["vfmp[0]"].state == second["vfmp[0]"].state == "running"


def test_b6_failover_back_to_synthetic() -> None:
    s = reach((1, 1, 1), ["vm[0].start", *ATTACH, *FAILOVER])
    assert s["vmstack[0]"].state == "no_vf"
    assert datapath_of(s, 0) == "synthetic"
    assert s["nic[0]"].vfs[0][0] == "free"


def test_b6_surprise_removal_after_timeout() -> None:
    s = reach(
        (1, 1, 1),
        [
            "vm[0].start",
            *ATTACH,
            "vmstack[0].detach",
            "vmstack[0].timeout",  # the host revokes the VF whatever the guest is doing
            "vfmp[0].surprise_removed",  # later, the guest's PCI layer removes it
            "netvsp[0].switch_syn_ok",
            "binding[0].surprise_unbind",
            "vmstack[0].delete_vport",  # only now: the guest released the device [MS-DVP]
        ],
    )
    assert s["vmstack[0]"].surprise is True
    assert s["vfmp[0]"].state == "absent"
    assert s["binding[0]"].state == "unbound"


def test_b6_reassignment_to_another_vm() -> None:
    """More VMs than VFs: the VF taken from VM 0 is given to VM 1 [MS-OV, MS-FO]."""
    s = reach(
        (2, 1, 1),
        [
            "vm[0].start",
            "vm[1].start",
            "vmstack[0].allocate_vf",
            "vmstack[0].offer",
            "vmstack[0].detach",
            "vmstack[0].free_vf",
            "vmstack[1].allocate_vf",
            "vmstack[1].offer",
            "netvsc[1].vf_switched",
        ],
    )
    assert s["nic[0]"].vfs[0][1] == 1  # VF 0 now belongs to VM 1
    assert datapath_of(s, 1) == "vf"


def test_b7_live_migration_and_vf_on_the_destination() -> None:
    s = reach(
        (1, 1, 2),
        [
            "vm[0].start",
            *ATTACH,
            *FAILOVER,
            "vm[0].migrate",
            "vmstack[0].allocate_vf(nic[1]",
            "netvsc[0].vf_switched",
        ],
    )
    assert s["vm[0]"].host == 1
    assert s["nic[1]"].filters == (0,)
    assert datapath_of(s, 0) == "vf"


def test_b8_flr_between_delete_vport_and_free() -> None:
    s = reach((1, 1, 1), ["vmstack[0].delete_vport", "vmstack[0].reset_vf"])
    assert s["nic[0]"].vfs[0][2] is True  # the FLR is recorded before FREE_VF


def test_b9_hibernation_with_the_vf_and_resume() -> None:
    s = reach(
        (1, 1, 1),
        [
            "vm[0].start",
            *ATTACH,
            "vm[0].hibernate",
            "netvsp[0].channel_closed_on_vf",
            "vm[0].hibernation_done",
            "vm[0].resume",
            "netvsc[0].vf_switched",
        ],
    )
    assert s["netvsc[0]"].data_path_is_vf is True
    assert datapath_of(s, 0) == "vf"


def test_b9_vm_stop_after_the_vf_is_freed() -> None:
    s = reach((1, 1, 1), ["vm[0].start", *ATTACH, *FAILOVER, "vm[0].stop", "vm[0].stopped"])
    assert s["vm[0]"].state == "off"
    assert s["netvsc[0]"].state == "down"


def test_the_search_can_say_no() -> None:
    """With one host there is nowhere to migrate to; with two there is."""
    assert find_scenario(product(1, 1, 1), ["vm[0].migrate"]) is None
    assert find_scenario(product(1, 1, 2), ["vm[0].migrate"]) is not None
