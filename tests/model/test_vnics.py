"""VMs with several synthetic NICs, and the host's serial numbering (issue 14).

Hyper-V gives each synthetic NIC its own VF and NetVSP [MS-OV]; the serial the host sends is per
VF [MS-SERIAL], the NIC's adapter index (OpenVMM's Windows guests, get_guest_vf_serial_number)
or one serial for a VM's NICs (MANA's vPorts on one VF device, 64ff412ad41f). The oracles here
are the schemes' definitions, get_netvsc_byslot's matching rule and the VM's lifecycle rules,
each written out by hand; the checker's own output is only read.
"""

from __future__ import annotations

from functools import cache

import pytest

from vfpath.api import build_system
from vfpath.checker import Options, Status, check
from vfpath.checker.errors import VfpathError
from vfpath.checker.explore import Exploration, explore
from vfpath.checker.symmetry import Reduction
from vfpath.checker.view import StateView
from vfpath.model import Config, build
from vfpath.model.config import serial_of
from vfpath.model.mutant_classes import BindingSerialOnly, NetVSPIndexZeroSerial

UNITS = ("0.0", "0.1")


def _two_nics(serials: str, vfs: int = 1) -> Config:
    return Config(1, vfs, 1, vnics=2, serials=serials)


@cache
def _explored(config: Config, guest: str = "reference") -> tuple[Exploration, list[StateView]]:
    import dataclasses

    product = build(dataclasses.replace(config, guest=guest)).build()
    ex = explore(product, [], Options(graph=True, deadlock=False))
    return ex, [StateView(product, s) for s in ex.states]


def test_each_scheme_numbers_serials_as_its_source_says() -> None:
    # per VF, unique across hosts [MS-SERIAL]: host 1's VF 0 of two is serial 3
    assert serial_of(1, 0, 2, "vf", vnic=1) == 3
    # the adapter index, whatever VF backs the NIC [OVMM get_guest_vf_serial_number]
    assert {serial_of(h, k, 2, "vnic", vnic=1) for h in range(2) for k in range(2)} == {2}
    # MANA: the one VF device's serial for every NIC [64ff412ad41f]
    assert {
        serial_of(h, k, 2, "vm", vnic=j) for h in range(2) for k in range(2) for j in (0, 1)
    } == {1}


@pytest.mark.parametrize(
    ("serials", "vfs", "expected"),
    [
        ("vf", 2, {"0.0": {1, 2}, "0.1": {1, 2}}),
        ("vnic", 2, {"0.0": {1}, "0.1": {2}}),
        ("vm", 1, {"0.0": {1}, "0.1": {1}}),
    ],
)
def test_every_vf_the_guest_sees_carries_its_schemes_serial(
    serials: str, vfs: int, expected: dict[str, set[int]]
) -> None:
    """The serial of every VF device the guest has, and of every association NetVSP sent, over
    the whole state space, is the scheme's (0 is "none")."""
    config = _two_nics(serials, vfs)
    product = build(config).build()
    seen: dict[str, set[int]] = {u: set() for u in UNITS}

    def record(s: object) -> bool:
        for u in UNITS:
            seen[u].update({s[f"vfmp[{u}]"].serial, s[f"netvsp[{u}]"].serial} - {0})  # type: ignore[index]
        return True

    from vfpath.checker import Property

    prop = Property.always("record", record)
    ex = explore(product, [prop], Options(deadlock=False))
    assert ex.complete
    assert seen == expected


@pytest.mark.parametrize("guest", ["reference", "linux"])
def test_a_vf_is_paired_only_with_its_own_nic_even_when_serials_are_shared(guest: str) -> None:
    """get_netvsc_byslot since 64ff412ad41f: the serial and the MAC; MANA's vPorts share the
    serial, so only the MAC tells the NICs apart."""
    _, views = _explored(_two_nics("vm"), guest)
    bound = 0
    for v in views:
        for j, u in enumerate(UNITS):
            b = v[f"binding[{u}]"]
            if b.state != "unbound":
                bound += 1
                assert b.paired_vnic == j
    assert bound  # not vacuous


@pytest.mark.parametrize(("serials", "violated"), [("vf", True), ("vnic", False), ("vm", True)])
def test_matching_by_serial_alone_goes_wrong_where_two_nics_can_hold_one_serial(
    serials: str, violated: bool
) -> None:
    """Before 64ff412ad41f. Adapter indexes never collide. MANA's vPorts always share the
    serial; per-VF serials collide when one VF backs NIC 0 and then NIC 1 of the same VM while
    NIC 0 still holds the association."""
    system = build_system(_two_nics(serials)).replace({"Binding": BindingSerialOnly})
    system.properties[:] = [p for p in system.properties if p.name == "S2-correct-pairing"]
    result = check(system, Options(deadlock=False))
    (s2,) = [p for p in result.properties if p.name == "S2-correct-pairing"]
    assert (s2.status is Status.VIOLATED) == violated
    if violated:
        assert s2.counterexample is not None
        product = system.build()
        end = StateView(product, product.pack(s2.counterexample.states[-1]))
        assert end["binding[0.1]"].paired_vnic == 0  # NIC 1's vPort went to NIC 0


@pytest.mark.parametrize(("vnics", "violated"), [(1, False), (2, True)])
def test_adapter_index_zero_in_the_disassociation_needs_a_second_nic(
    vnics: int, violated: bool
) -> None:
    """67d5a6d45: the disassociation carried adapter index 0's serial; on a VM's only NIC that
    is its own serial."""
    config = Config(1, 1, 1, vnics=vnics, serials="vnic")
    system = build_system(config).replace({"NetVSP": NetVSPIndexZeroSerial})
    system.properties[:] = [p for p in system.properties if p.name == "S15-disassociation-serial"]
    result = check(system, Options(deadlock=False))
    (s15,) = [p for p in result.properties if p.name == "S15-disassociation-serial"]
    assert (s15.status is Status.VIOLATED) == violated


def test_the_vms_own_steps_take_every_nic_along() -> None:
    """start probes every NetVSC in one step [MS-OV]; stop waits for every NIC's VF to be gone
    and hibernation for every NIC to be idle (B9)."""
    ex, views = _explored(_two_nics("vnic"))
    assert ex.edges is not None
    labels = [m.label for m in ex.product.moves]
    seen = set()
    for src, dst, m in zip(*ex.edges, strict=True):
        label = labels[m]
        a, b = views[src], views[dst]
        if label == "vm[0].start":
            assert all(b[f"netvsc[{u}]"].state == "probing" for u in UNITS)
        elif label == "vm[0].stop":
            assert all(a[f"vmstack[{u}]"].state == "no_vf" for u in UNITS)
            assert all(a[f"vfmp[{u}]"].state == "absent" for u in UNITS)
        elif label == "vm[0].hibernate":
            assert all(a[f"netvsc[{u}]"].state in ("synthetic", "on_vf") for u in UNITS)
        else:
            continue
        seen.add(label)
    assert seen == {"vm[0].start", "vm[0].stop", "vm[0].hibernate"}


def test_vm_renaming_maps_reachable_states_to_reachable_states() -> None:
    """Two VMs of two NICs each: every state of the complete BFS levels, with the VMs swapped
    (each NIC's actors, the PF's filters and VF owners by NIC), is a state of those levels."""
    config = Config(2, 1, 1, vnics=2, serials="vnic")
    system = build_system(config)
    product = system.build()
    ex = explore(product, [], Options(max_states=20_000, deadlock=False))
    depth = [0] * len(ex.states)
    for sid in range(1, len(ex.states)):
        depth[sid] = depth[ex.parent[sid]] + 1
    last = max(depth)
    inner = [s for s, d in zip(ex.states, depth, strict=True) if d < last]
    red = Reduction(product, system.meta["symmetry"])
    (swap,) = [g for g in red.elements if g["vm"] == (1, 0)]
    known = set(inner)
    images = [red.image(s, swap) for s in inner]
    assert all(t in known for t in images)
    assert sum(t != s for s, t in zip(inner, images, strict=True)) > len(inner) // 2


def test_symmetry_with_two_nics_agrees_with_the_unreduced_run() -> None:
    system = build_system(_two_nics("vnic", vfs=2))
    system.properties[:] = [p for p in system.properties if not p.expectation.is_liveness]
    fast, full = check(system), check(system, Options(symmetry=False))
    assert fast.extra["symmetry"]["status"] == "on"
    assert fast.stats.states < full.stats.states == fast.extra["symmetry"]["states"]
    assert [(p.name, p.status) for p in fast.properties] == [
        (p.name, p.status) for p in full.properties
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vnics": 0}, "vnics must be an integer >= 1, got 0"),
        ({"serials": "pci"}, "serials must be one of vf, vnic, vm, got 'pci'"),
        ({"vnics": 2, "reconfigure": True}, "reconfigure with several NICs"),
    ],
)
def test_bad_configurations_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(VfpathError, match=message):
        Config(1, 1, 1, **kwargs)  # type: ignore[arg-type]
