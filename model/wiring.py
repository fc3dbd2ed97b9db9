"""Build the SR-IOV system of a configuration: instances, channels, rendezvous.

Per VM ``i``: ``vm[i]``; per synthetic NIC of a VM (a unit, tagged ``i``, or ``i.j`` where a VM
has several): ``vmstack``, ``netvsp``, ``netvsc``, ``binding`` and ``vfmp``, and the channels
NVSP host->guest and guest->host (VMBus), VPCI offers/ejects and ejection completions: Hyper-V
gives each synthetic NIC its own VF and NetVSP [MS-OV]. Per host ``h``: ``nic[h]``. Capacities
are the smallest that keep the races reachable and are proven sufficient by the checker's
built-in ``channels-bounded`` check.
"""

from __future__ import annotations

from vfpath.checker import System

from .binding import Binding
from .config import Config, Unit
from .guests import guest
from .netvsc import NetVSC
from .netvsp import NetVSP
from .nic import NIC, VF_FREE
from .symmetry import symmetry_of
from .vfminiport import VFMiniport
from .vm import VM
from .vmstack import VMStack

__all__ = ["ACTORS", "CAPACITY", "build"]

ACTORS = (VM, VMStack, NetVSP, NetVSC, Binding, VFMiniport, NIC)
# the actors each synthetic NIC of a VM has its own of (a unit; model/config.py)
_PER_VNIC = ("vmstack", "netvsp", "netvsc", "binding", "vfmp")

# OpenVMM's worst case is four host->guest messages in a row (completion, switch to synthetic,
# disassociation, then the next VF's association, which the host sends without waiting for the
# guest to read the rest) [OVMM]; the guest waits for each completion, so one request is in
# flight.
CAPACITY = {"nvsp_h2g": 4, "nvsp_g2h": 1, "vpci": 2, "vpci_done": 1}


def build(config: Config) -> System:
    """The system for ``config``: every actor, channel and rendezvous, no properties."""
    suffix = "" if config.guest == "reference" else f"-{config.guest}"
    if config.vnics > 1:
        suffix = f"-{config.vnics}vnic{suffix}"
    if config.serials != "vf":
        suffix = f"-serial-per-{config.serials}{suffix}"
    sysm = System(f"sriov-{config.vms}vm-{config.vfs}vf-{config.hosts}host{suffix}")
    sysm.meta["config"] = config
    nics = tuple(f"nic[{h}]" for h in range(config.hosts))
    for h in range(config.hosts):
        sysm.add(
            nics[h],
            NIC,
            init={
                "vfs": ((VF_FREE, None, False),) * config.vfs,
                "filters": (None,) * len(config.units),
            },
        )
    for i in range(config.vms):
        units = [u for u in config.units if u.vm == i]
        for u in units:
            for kind, cap in CAPACITY.items():
                sysm.channel(u.name(kind), cap)
        vm_ = f"vm[{i}]"
        sysm.add(
            vm_,
            VM,
            peers={
                **{f"{k}s": tuple(u.name(k) for u in units) for k in _PER_VNIC},
                "nics": nics,
            },
            params={"hosts": config.hosts, "reconfigures": config.reconfigure},
            init={"host": i % config.hosts},
        )
        netvscs = tuple(u.name("netvsc") for u in units)
        for u in units:
            _add_actors(sysm, config, u, netvscs, nics)
        # the stack starts NetVSC with the partition [MS-OV]; resume resumes it [de214e52de1b];
        # every synthetic NIC of the VM in the same step
        sysm.sync(f"{vm_}.start", (vm_, "start"), *[(n, "probe") for n in netvscs])
        sysm.sync(f"{vm_}.resume", (vm_, "resume"), *[(n, "resume") for n in netvscs])
        for u in units:
            # one NIC per VM where user space may reconfigure it (Config); with several, the
            # VM's guards keep these off
            _user_space(sysm, vm_, u, "" if config.vnics == 1 else f"({u.tag})")
        sysm.sync(
            f"{vm_}.hibernate",
            (vm_, "hibernate"),
            *[
                (u.name(k), ev)
                for u in units
                for k, ev in (
                    ("binding", "suspend_unbind"),
                    ("netvsc", "suspend"),
                    ("vfmp", "suspend"),
                )
            ],
        )
        for u in units:
            _add_syncs(sysm, config, u, nics)
    # interchangeable VMs, hosts and VF numbers, for the checker's symmetry reduction
    sysm.meta["symmetry"] = symmetry_of(config, sysm)
    return sysm


def _add_actors(
    sysm: System, config: Config, u: Unit, netvscs: tuple[str, ...], nics: tuple[str, ...]
) -> None:
    """One synthetic NIC's actors (a unit)."""
    n = {a: u.name(a) for a in _PER_VNIC}
    n["vm"] = f"vm[{u.vm}]"
    serials = {"vfs_per_host": config.vfs, "serials": config.serials, "vnic": u.vnic}
    sysm.add(
        n["vmstack"],
        VMStack,
        peers={**{k: n[k] for k in ("vm", "vfmp", "netvsp", "binding")}, "nics": nics},
        ports={"vpci": u.name("vpci"), "vpci_done": u.name("vpci_done")},
        params={"index": u.index, **serials},
    )
    sysm.add(
        n["netvsp"],
        NetVSP,
        peers={"netvsc": n["netvsc"], "vmstack": n["vmstack"]},
        ports={"to_guest": u.name("nvsp_h2g"), "from_guest": u.name("nvsp_g2h")},
        params=serials,
    )
    netvsc_cls = guest(config.guest).netvsc
    sysm.add(
        n["netvsc"],
        netvsc_cls,
        peers={k: n[k] for k in ("vm", "binding", "vfmp", "vmstack", "netvsp")},
        ports={"from_host": u.name("nvsp_h2g"), "to_host": u.name("nvsp_g2h")},
    )
    sysm.add(
        n["binding"],
        Binding,
        # the VF netdev may be matched against any synthetic NIC of its VM (get_netvsc_byslot
        # walks every netvsc device) [LX-DRV, 64ff412ad41f]
        peers={**{k: n[k] for k in ("vfmp", "netvsc", "vm")}, "netvscs": netvscs},
        # netvsc_suspend unregisters the VF (the documented guest; Linux before
        # 19162fd4063a) or keeps it registered and enslaved (Linux since 19162fd4063a)
        params={
            "unregisters_at_suspend": not netvsc_cls.keeps_vf_across_hibernation,
            "mac_fallback": netvsc_cls.pairs_by_mac_fallback,
            "vnic": u.vnic,
        },
    )
    sysm.add(
        n["vfmp"],
        VFMiniport,
        peers={k: n[k] for k in ("binding", "vmstack", "netvsc")},
        ports={"vpci": u.name("vpci"), "vpci_done": u.name("vpci_done")},
        params={"reloads": config.reconfigure},
    )


def _add_syncs(sysm: System, config: Config, u: Unit, nics: tuple[str, ...]) -> None:
    """One synthetic NIC's rendezvous within the guest, and its OIDs to the PFs."""
    n = {a: u.name(a) for a in _PER_VNIC}
    # NETDEV_GOING_DOWN reaches NetVSC synchronously from the VF's removal [34b06a2eee44],
    # from user space closing the VF netdev (dev_close, under rtnl) [LX-DRV], and from the
    # guest's removal of a VF the host revoked, whose unregistration takes rtnl, which a
    # switch in flight holds, so it waits for the switch [8b31f8c982b7; LX-PCI]; each also
    # with NetVSC's send of the switch failing (a fallible step: model/failures.py)
    for ev in ("eject", "link_down", "surprise_removed", "unload"):
        sysm.sync(f"{n['vfmp']}.{ev}", (n["vfmp"], ev), (n["netvsc"], "going_down"))
        sysm.sync(
            f"{n['vfmp']}.{ev}/unsent",
            (n["vfmp"], ev),
            (n["netvsc"], "going_down_unsent"),
        )
    # OIDs to the PF of the host the VM runs on; the PF knows the unit as its "vm"
    for actor, cls in (("vmstack", VMStack), ("netvsp", NetVSP)):
        for ev, nic_ev in cls.nic_moves.items():
            for h in range(config.hosts):
                for k in range(config.vfs):
                    sysm.sync(
                        f"{n[actor]}.{ev}({nics[h]}, vf {k})",
                        (n[actor], ev),
                        (nics[h], nic_ev),
                        args={"vm": u.index, "host": h, "vf": k},
                    )


def _user_space(sysm: System, vm_: str, u: Unit, tag: str) -> None:
    """User space's commands on a synthetic NIC of the VM (Config.reconfigure)."""
    nsc, vfmp = u.name("netvsc"), u.name("vfmp")
    sysm.sync(f"{vm_}.reconfigure{tag}", (vm_, "reconfigure"), (nsc, "reopen"))
    # ip link set ethN down|up: netvsc_close closes an open enslaved VF (dev_close, whose
    # NETDEV_GOING_DOWN switches the data path), netvsc_open opens it [LX-DRV]
    for ev, vf_ev in (("close_nic", "link_down"), ("open_nic", "opened_with_nic")):
        sysm.sync(f"{vm_}.{ev}{tag}", (vm_, ev), (nsc, ev))
        sysm.sync(f"{vm_}.{ev}/vf{tag}", (vm_, ev), (nsc, f"{ev}_with_vf"), (vfmp, vf_ev))
    # rmmod hv_netvsc: netvsc_remove lets the VF go (ec158f77def2); modprobe probes again
    sysm.sync(
        f"{vm_}.unload_netvsc{tag}",
        (vm_, "unload_netvsc"),
        (nsc, "unload"),
        (u.name("binding"), "release"),
    )
    sysm.sync(f"{vm_}.reload_netvsc{tag}", (vm_, "reload_netvsc"), (nsc, "reload"))
    sysm.sync(
        f"{vm_}.close_nic/vf/unsent{tag}",
        (vm_, "close_nic"),
        (nsc, "close_nic_with_vf_unsent"),
        (vfmp, "link_down"),
    )
