"""Every transition the plain model never takes is explained (``Actor.hooks``), and each
explanation is checked: a hook is taken by the variant, profile or failure point it names, and
a "totality row" (a row a rendezvous needs to be total) is taken by nothing."""

from __future__ import annotations

import dataclasses
from functools import cache

from vfpath.api import build_system
from vfpath.checker import Options
from vfpath.checker.coverage import coverage
from vfpath.checker.explore import explore
from vfpath.model import ACTORS, Config, build
from vfpath.model.failures import FALLIBLE, may_fail
from vfpath.model.mutant_classes import NetVSPKeepsBackendSwitch
from vfpath.model.variants import CATALOG

SMALL = Config(1, 1, 2)


def _coverage(system):  # type: ignore[no-untyped-def]
    product = system.build()
    return coverage(product, explore(product, [], Options(deadlock=False)))


@cache
def _taken_anywhere() -> frozenset[tuple[str, str, str, str]]:
    """(class, source, event, target) taken by the linux profile, a reconfigurable NIC (on
    either profile), any failure point (with and without a reconfigurable NIC), any catalog
    variant (the early-teardown ones on linux too), or a variant whose sends may fail (variants
    are subclasses: they count for the class they replace)."""
    systems = [
        build(Config(1, 1, 2, guest=g, reconfigure=r))
        for g, r in (("linux", False), ("reference", True), ("linux", True))
    ]
    systems += [
        may_fail(build(dataclasses.replace(SMALL, reconfigure=r)), name)
        for name in FALLIBLE
        for r in (False, True)
    ]
    systems += [v.system() for v in CATALOG]
    # the stack's early teardowns on the linux guest, which keeps a paused binding paused
    # across hibernation (the binding's hook names these variants)
    early = ("doc-free-vf-with-vport", "doc-delete-vport-with-filters")
    systems += [v.system("linux") for v in CATALOG if v.name in early]
    systems += [may_fail(v.system(), "vmbus-send") for v in CATALOG]
    # a guest that switches only on NETDEV_DOWN, whose user space closes the synthetic NIC
    # while it is on the VF (NetVSC's hooks name this variant)
    systems += [
        build_system(dataclasses.replace(v.config, reconfigure=True)).replace(v.replacements)
        for v in CATALOG
        if v.name == "lx-switch-on-down-only"
    ]
    # OpenVMM's restore_guest_vf_state as read, without the revert (NetVSP's hook names it)
    systems.append(build_system(SMALL).replace({"NetVSP": NetVSPKeepsBackendSwitch}))
    taken = set()
    for system in systems:
        classes = {t.cls.__name__: t.cls for t in system.build().tables}
        for c in _coverage(system).classes:
            base = next(b.__name__ for b in classes[c.name].__mro__ if b in ACTORS)
            every = {(t.source, t.event, t.target) for t in c.untaken} | {
                (t.source, t.event, t.target) for t, _ in c.by_design
            }
            for t in _all_rows(system, c.name):
                if t not in every:
                    taken.add((base, *t))
    return frozenset(taken)


def _all_rows(system, cls_name: str) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    product = system.build()
    table = next(t for t in product.tables if t.cls.__name__ == cls_name)
    return {
        (table.states[code], event, table.states[row.target])
        for (code, event), rows in table.rows.items()
        for row in rows
    }


def test_the_reference_model_misses_nothing_unexplained() -> None:
    cov = _coverage(build(SMALL))
    assert [(c.name, [str(t) for t in c.untaken]) for c in cov.classes if c.untaken] == []


def test_each_hook_is_taken_by_what_it_names_and_totality_rows_by_nothing() -> None:
    taken = _taken_anywhere()
    cov = _coverage(build(SMALL))
    for c in cov.classes:
        for t, why in c.by_design:
            key = (c.name, t.source, t.event, t.target)
            if "totality row" in why:
                assert key not in taken, f"{t} is taken somewhere, not a totality row"
            else:
                assert key in taken, f"{t} ({why}) is taken by nothing"
