"""Safety invariants S1-S16, S19 and S20 of SRIOV.md, each checked for every VM of a configuration.

Each property is ``when(s) -> check(s)`` for every VM; ``when`` makes vacuity visible. Faults
that an actor latches in a ghost variable (the PF's "must fail" checks, a packet lost on a dead
path) are read by their S-number prefix.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from vfpath.checker import AllOf, AnyOf, Property
from vfpath.model import Config

from .paths import PENDING, STEERS_TO_VF, VMView

__all__ = ["safety_properties"]

VMPred = Callable[[VMView], bool]


def _per_vm(config: Config, pred: VMPred) -> list[Callable[[Any], bool]]:
    """``pred`` of each VM NIC, one predicate each: declared as the parts of an
    :class:`AllOf` or :class:`AnyOf`, so the checker judges each on its own VM's slots."""

    def on(u: Any) -> Callable[[Any], bool]:
        return lambda s: pred(VMView(s, u))

    return [on(u) for u in config.units]


def _every_vm(config: Config, pred: VMPred) -> AllOf:
    return AllOf(tuple(_per_vm(config, pred)))


def _some_vm(config: Config, pred: VMPred) -> AnyOf:
    return AnyOf(tuple(_per_vm(config, pred)))


def _nic_fault(config: Config, prefix: str) -> AllOf:
    """No host's NIC has latched a fault of S-number ``prefix``."""

    def ok(n: str) -> Callable[[Any], bool]:
        return lambda s: not (s[n].fault or "").startswith(prefix)

    return AllOf(tuple(ok(f"nic[{h}]") for h in range(config.hosts)))


def _guest_fault(v: VMView, prefix: str) -> bool:
    return not (v.netvsc.fault or "").startswith(prefix)


def _bound(v: VMView) -> bool:
    return v.binding.state in ("paused", "running")


def _outstanding(v: VMView) -> int:
    """Switch requests not yet completed, wherever they are (S12)."""
    g2h = v.s.channel(v.unit.name("nvsp_g2h"))
    h2g = v.s.channel(v.unit.name("nvsp_h2g"))
    pending = v.netvsp.state in PENDING
    return len(g2h) + int(pending) + sum(1 for m in h2g if m[0] == "done")


def _idle(v: VMView) -> bool:
    return (
        v.vm.state == "running"
        and v.netvsc.state in ("synthetic", "on_vf")
        and not (v.switch_in_flight)
    )


def _rx_ok(v: VMView) -> bool:
    if v.rx_vf is None:
        return v.guest_up
    return v.vf_carries_traffic


def _tx_ok(v: VMView) -> bool:
    if v.tx_on_vf:
        return v.netvsp.state == "switched" and v.rx_vf is not None
    return v.guest_up


def safety_properties(config: Config) -> list[Property]:
    """Every safety invariant the model expresses, for ``config``."""
    every = lambda pred: _every_vm(config, pred)  # noqa: E731 - a local shorthand
    some = lambda pred: _some_vm(config, pred)  # noqa: E731
    # every invariant quantifies over all VMs (or all NICs) and reads hosts and VFs only
    # through a VM's own references (VMView), so renaming VMs, hosts or VF numbers
    # (model.symmetry) leaves it unchanged: declared, so the reduction trusts it
    # (tests/model/test_liveness_mirror.py checks it on every image of every reachable state)
    return [dataclasses.replace(p, symmetric=SORTS) for p in _invariants(config, every, some)]


SORTS = ("vm", "vf", "host")


def _invariants(config: Config, every: Any, some: Any) -> list[Property]:
    return [
        Property.always(
            "S1-only-netvsc-binds-the-vf",
            every(
                lambda v: (
                    not v.binding.other_bound
                    and (not v.vfmp.visible or v.vfmp.slave or _bound(v))
                    and not (_bound(v) and v.netvsc.state == "down")
                )
            ),
            description=(
                "The VF miniport has at most one protocol binding, NetVSC of the same VM NIC, "
                "and only while that NetVSC exists; on Linux, a VF visible to user space is "
                "already NetVSC's slave."
            ),
            source="MS-OV, MS-VFDP, MS-VFINF, c807d6cd089d, ec158f77def2",
        ),
        Property.always(
            "S2-correct-pairing",
            every(
                lambda v: (
                    not _bound(v)
                    or v.vfmp.state == "absent"
                    or (
                        v.vfmp.serial == v.binding.paired_serial
                        and v.binding.paired_vnic == v.unit.vnic
                    )
                )
            ),
            when=some(_bound),
            description=(
                "NetVSC binds a VF only if its serial matches the association the host sent "
                "for this NIC (checked against the association in force when it bound)."
            ),
            source="MS-SERIAL, 64ff412ad41f, 365e1ececb29",
        ),
        Property.always(
            "S3-vf-resource-ordering",
            _nic_fault(config, "S3"),
            description=(
                "CREATE_VPORT only on an allocated VF; FREE_VF only on an allocated VF with no "
                "VPort; RESET_VF only on an allocated VF."
            ),
            source="MS-FREE, MS-RESET, MS-CVP, MS-DELSW",
        ),
        Property.always(
            "S4-one-vport-per-vf",
            _nic_fault(config, "S4"),
            description="At most one non-default VPort is created on a VF.",
            source="MS-VFINIT, MS-CVP",
        ),
        Property.always(
            "S5-filters-on-one-existing-vport",
            AllOf(
                (
                    _nic_fault(config, "S5"),
                    every(
                        lambda v: v.rx_vf is None or tuple(v.nic.vfs[v.rx_vf][:2]) == ("vport", v.i)
                    ),
                )
            ),
            description=(
                "A VM NIC's filters live on exactly one VPort: the default one or its own VF's "
                "existing VPort; a VPort is deleted only after its filters are moved."
            ),
            source="MS-DVP, MS-VFINIT, MS-VFTD (exactly-one inferred)",
        ),
        Property.always(
            "S6-teardown-order",
            AllOf(
                (
                    _nic_fault(config, "S6"),
                    every(
                        lambda v: (
                            v.vmstack.state not in ("removed", "vport_deleted", "flr_done")
                            or v.vfmp.state == "absent"
                            # the host's timeout revoked it: the guest's driver learns later
                            or (v.vmstack.state == "removed" and v.surprise)
                        )
                    ),
                )
            ),
            when=some(lambda v: v.vmstack.state in ("removed", "vport_deleted", "flr_done")),
            description=(
                "Guest VF removed (graceful or surprise) before filters move, DELETE_VPORT, "
                "RESET_VF and FREE_VF, in that order (after a surprise removal too: the host "
                "waits for the guest to release the revoked device)."
            ),
            source="MS-VFTD, MS-DVP, MS-RESET",
        ),
        Property.always(
            "S7-synthetic-before-vf-freed",
            every(
                lambda v: (
                    v.vmstack.state not in ("vport_deleted", "flr_done")
                    or (v.rx_vf is None and v.netvsp.state != "switched")
                )
            ),
            when=some(lambda v: v.vmstack.state in ("vport_deleted", "flr_done")),
            description=(
                "When the VF's VPort is deleted and the VF freed, the host data path is synthetic."
            ),
            source="OVMM, MS-FO, MS-VFTD",
        ),
        Property.always(
            "S8-no-tx-on-unswitched-vf",
            every(
                lambda v: (
                    _guest_fault(v, "S8")
                    and (
                        not v.tx_on_vf
                        or (v.netvsp.state == "switched" and v.vf_present)
                        or (v.revoked and v.notice_pending)
                    )
                )
            ),
            when=some(lambda v: v.tx_on_vf),
            description=(
                "The guest transmits on the VF only when the host has switched the data path "
                "to it, the VF is present and its miniport runs. After a surprise removal the "
                "guest cannot know until the host's SWITCH_DATA_PATH(SYNTHETIC) notice reaches "
                "it (those packets are lost by design [MS-FO]); from then on it must not."
            ),
            source="8b31f8c982b7, 69d25a6cf4ca, OVMM (the notice)",
        ),
        Property.always(
            "S9-stop-vf-tx-before-leaving",
            every(lambda v: v.netvsc.state != "to_syn" or not v.netvsc.data_path_is_vf),
            when=some(lambda v: v.netvsc.state == "to_syn"),
            description="While switching to synthetic, the guest no longer sends on the VF.",
            source="8b31f8c982b7",
        ),
        Property.always(
            "S10-no-packet-on-detached-vf",
            every(lambda v: _guest_fault(v, "S10") and (not v.vf_carries_traffic or v.vf_present)),
            when=some(lambda v: v.vf_carries_traffic),
            description=(
                "No send or receive on a VF after its eject completed, its VPort was deleted "
                "or its FLR was issued."
            ),
            source="MS-VFTD, MS-MPST, 81938ebb54",
        ),
        Property.always(
            "S11-switch-only-to-advertised-vf",
            every(
                lambda v: (
                    _guest_fault(v, "S11")
                    and (v.netvsp.state not in STEERS_TO_VF or v.vf_present or v.surprise)
                )
            ),
            when=some(lambda v: v.netvsc.state == "to_vf" or v.netvsp.state in STEERS_TO_VF),
            description=(
                "The guest asks for the VF only after the association; the host steers to a VF "
                "only while it is advertised and present."
            ),
            source="OVMM switch_data_path, 365e1ececb29",
        ),
        Property.always(
            "S12-one-completion-per-switch",
            every(lambda v: _outstanding(v) == (1 if v.netvsc.state in ("to_vf", "to_syn") else 0)),
            when=some(lambda v: v.netvsc.state in ("to_vf", "to_syn")),
            description=(
                "Every switch request gets exactly one completion, even if the VF vanishes."
            ),
            source="OVMM, 8b31f8c982b7",
        ),
        Property.always(
            "S13-cached-path-is-real-path",
            every(
                lambda v: (
                    not _idle(v) or bool(v.netvsc.data_path_is_vf) == (v.netvsp.state == "switched")
                )
            ),
            when=some(_idle),
            description=(
                "With no switch in flight, the guest's data_path_is_vf equals the host's data "
                "path (reset on resume, since the channel re-open made the host synthetic)."
            ),
            source="de214e52de1b, da26658c3d70",
        ),
        Property.always(
            "S14-traffic-always-has-a-working-path",
            every(
                lambda v: (
                    _guest_fault(v, "S14")
                    and (
                        v.vm.state != "running"
                        or not v.guest_up
                        or v.surprise
                        or (_tx_ok(v) and _rx_ok(v))
                    )
                )
            ),
            when=some(lambda v: v.vm.state == "running" and v.guest_up and not v.surprise),
            description=(
                "While the VM runs, its TX path is one the host steers (synthetic, or a switched "
                "VF) and its RX lands on the default VPort or on a VF whose miniport runs bound "
                "to NetVSC; nothing is sent on a channel being closed. Surprise removal is "
                "excluded: it loses packets by design."
            ),
            source="MS-VFINF, MS-FO (inferred as a model-level invariant), 1b704c4a1ba9",
        ),
        Property.always(
            "S15-disassociation-serial",
            every(lambda v: _guest_fault(v, "S15")),
            description="A disassociation carries the serial of the last association.",
            source="OVMM 67d5a6d45",
        ),
        Property.always(
            "S16-allocator-frees",
            _nic_fault(config, "S16"),
            description="Only the component that allocated a VF frees it.",
            source="MS-ALLOC",
        ),
        Property.always(
            "S19-vf-path-only-when-started",
            every(
                lambda v: (
                    v.netvsp.state not in STEERS_TO_VF
                    or v.surprise
                    or v.vm.state != "running"
                    or (
                        v.vfmp.state in ("running", "remove_pending")
                        and (v.vfmp.link == "up" or v.netvsc.state == "to_syn")
                    )
                )
            ),
            when=some(lambda v: v.netvsp.state in STEERS_TO_VF),
            description=(
                "The host data path is the VF only while the guest's VF port is started: its "
                "miniport runs and its netdev is open, or the guest has asked to leave it."
            ),
            source="DPDK da1fcd9b36, DPDK hn_vf_add_unlocked",
        ),
        Property.always(
            "S20-synthetic-nic-registers-first",
            every(lambda v: not v.vfmp.before_nic),
            when=some(lambda v: v.vfmp.visible),
            description=(
                "A VF netdev registers only once its synthetic NIC's netdev is registered, so the "
                "synthetic NIC gets its name first (a VF may register while hv_netvsc is not "
                "loaded at all; the probe then finds it)."
            ),
            source="d30fb712e529 (B1.3), 9cae43da9867",
        ),
    ]
