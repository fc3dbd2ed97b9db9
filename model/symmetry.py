"""The SR-IOV model's symmetry: interchangeable VMs, hosts (up to two) and VF numbers.

VM ``i``'s actor with the five actors and four channels of each of its synthetic NICs form one
unit; ``nic[h]`` is host ``h``'s unit; VF numbers are a data sort (the same renaming on every
host). A renaming must also rewrite every value that names a VM, a host or a VF: ``vm.host``,
``vmstack.vf``, the NIC's ``vfs`` (position = VF, owner = a VM's NIC) and ``filters`` (position
= a VM's NIC, value = VF), and the VF serials when they are per VF
(``serial_of(host, vf)``) kept by NetVSP, NetVSC, the binding and the VF miniport and carried by
OFFER and association messages. Hosts are interchangeable only up to two: live migration goes
to ``(host + 1) % hosts``, which three hosts would tell apart. VMs start on host ``i % hosts``;
the reduction needs no symmetric initial state (the orbit of each reachable state is explored),
and the tests compare the concrete state count with an unreduced run.
"""

from __future__ import annotations

from typing import Any

from vfpath.checker import System
from vfpath.checker.symmetry import Perm, Sort, Symmetry

from .config import Config, serial_of
from .messages import ASSOC, OFFER

__all__ = ["symmetry_of"]

_SERIALS = ("NetVSP.serial", "NetVSC.vf_serial", "Binding.paired_serial", "VFMiniport.serial")


def _serial_slots(system: System) -> tuple[str, ...]:
    """The serial slots under the class names this system uses (a guest profile's NetVSC is a
    subclass with its own name)."""
    netvsc = next(s.cls.__name__ for n, s in system.instances.items() if n.startswith("netvsc["))
    return tuple(s.replace("NetVSC.", f"{netvsc}.", 1) for s in _SERIALS)


def symmetry_of(config: Config, system: System) -> Symmetry:
    """The symmetry declaration for the system :func:`model.wiring.build` made of ``config``."""
    serials = _serial_slots(system)
    units = config.units
    kinds = ("vmstack", "netvsp", "netvsc", "binding", "vfmp")
    kinds += ("nvsp_h2g", "nvsp_g2h", "vpci", "vpci_done")
    vms = tuple(
        (f"vm[{i}]", *(u.name(k) for k in kinds for u in units if u.vm == i))
        for i in range(config.vms)
    )
    sorts = [Sort("vm", config.vms, vms), Sort("vf", config.vfs)]
    if config.hosts <= 2:
        sorts.append(Sort("host", config.hosts, tuple((f"nic[{h}]",) for h in range(config.hosts))))
    vfs, vnics = config.vfs, config.vnics

    def host(p: Perm, h: int) -> int:
        return p["host"][h] if "host" in p else h

    def unit(p: Perm, n: int) -> int:
        """A unit's index (what the PF knows it by) under a renaming of VMs."""
        vm, j = divmod(n, vnics)
        return p["vm"][vm] * vnics + j

    def serial(p: Perm, s: int) -> int:
        if not s or config.serials != "vf":  # a NIC's adapter index or a VM's one serial
            return s
        h, k = divmod(s - 1, vfs)
        return serial_of(host(p, h), p["vf"][k], vfs)

    def remap(slot: str, v: Any, p: Perm) -> Any:
        if slot == "VMStack.index":  # a param: the unit's own index
            return unit(p, v)
        if slot == "VM.host":
            return host(p, v)
        if slot == "VMStack.vf":
            return None if v is None else (host(p, v[0]), p["vf"][v[1]])
        if slot in serials:
            return serial(p, v)
        if slot == "NIC.vfs":
            out: list[Any] = [None] * len(v)
            for k, (st, owner, flr) in enumerate(v):
                out[p["vf"][k]] = (st, None if owner is None else unit(p, owner), flr)
            return tuple(out)
        if slot == "NIC.filters":
            out = [None] * len(v)
            for i, f in enumerate(v):
                out[unit(p, i)] = None if f is None else p["vf"][f]
            return tuple(out)
        # channels: OFFER and association messages carry a serial
        return tuple(_message(m, p, serial) for m in v)

    slots = {"VM.host", "VMStack.vf", "NIC.vfs", "NIC.filters", "VMStack.index", *serials}
    slots |= {u.name(c) for c in ("nvsp_h2g", "vpci") for u in units}
    classes = {name: spec.cls for name, spec in system.instances.items()}
    # which sorts each renamed slot names: no VM unit slot names a VM, so VMs are sorted
    hv = frozenset({"host", "vf"})
    names = {n: hv for n in slots}
    names["VM.host"] = frozenset({"host"})
    names["VMStack.index"] = frozenset({"vm"})  # a param, not a slot: renamed, never moved
    names["NIC.vfs"] = frozenset({"vm", "vf"})
    names["NIC.filters"] = frozenset({"vm", "vf"})
    return Symmetry(tuple(sorts), remap, frozenset(slots), classes, names)


def _message(m: tuple[Any, ...], p: Perm, serial: Any) -> tuple[Any, ...]:
    if m[0] == OFFER:
        return (OFFER, serial(p, m[1]))
    if m[0] == ASSOC:
        return (ASSOC, m[1], serial(p, m[2]))
    return m
