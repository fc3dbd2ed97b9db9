"""Build the SR-IOV system of a configuration: instances, channels, rendezvous.

Per VM ``i``: ``vm[i]``, ``vmstack[i]``, ``netvsp[i]``, ``netvsc[i]``, ``binding[i]``,
``vfmp[i]``; per host ``h``: ``nic[h]``. Channels per VM: NVSP host->guest and guest->host
(VMBus), VPCI offers/ejects and ejection completions. Capacities are the smallest that keep the
races reachable and are proven sufficient by the checker's built-in ``channels-bounded`` check.
"""

from __future__ import annotations

from vfpath.checker import System

from .binding import Binding
from .config import Config
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

# OpenVMM's worst case is four host->guest messages in a row (completion, switch to synthetic,
# disassociation, then the next VF's association, which the host sends without waiting for the
# guest to read the rest) [OVMM]; the guest waits for each completion, so one request is in
# flight.
CAPACITY = {"nvsp_h2g": 4, "nvsp_g2h": 1, "vpci": 2, "vpci_done": 1}


def build(config: Config) -> System:
    """The system for ``config``: every actor, channel and rendezvous, no properties."""
    suffix = "" if config.guest == "reference" else f"-{config.guest}"
    sysm = System(f"sriov-{config.vms}vm-{config.vfs}vf-{config.hosts}host{suffix}")
    sysm.meta["config"] = config
    nics = tuple(f"nic[{h}]" for h in range(config.hosts))
    for h in range(config.hosts):
        sysm.add(
            nics[h],
            NIC,
            init={"vfs": ((VF_FREE, None, False),) * config.vfs, "filters": (None,) * config.vms},
        )
    for i in range(config.vms):
        for kind, cap in CAPACITY.items():
            sysm.channel(f"{kind}[{i}]", cap)
        n = {a: f"{a}[{i}]" for a in ("vm", "vmstack", "netvsp", "netvsc", "binding", "vfmp")}
        sysm.add(
            n["vm"],
            VM,
            peers={**{k: n[k] for k in ("vmstack", "vfmp", "netvsp", "netvsc")}, "nics": nics},
            params={"hosts": config.hosts, "reconfigures": config.reconfigure},
            init={"host": i % config.hosts},
        )
        sysm.add(
            n["vmstack"],
            VMStack,
            peers={**{k: n[k] for k in ("vm", "vfmp", "netvsp", "binding")}, "nics": nics},
            ports={"vpci": f"vpci[{i}]", "vpci_done": f"vpci_done[{i}]"},
            params={"index": i, "vfs_per_host": config.vfs},
        )
        sysm.add(
            n["netvsp"],
            NetVSP,
            peers={"netvsc": n["netvsc"], "vmstack": n["vmstack"]},
            ports={"to_guest": f"nvsp_h2g[{i}]", "from_guest": f"nvsp_g2h[{i}]"},
            params={"vfs_per_host": config.vfs},
        )
        netvsc_cls = guest(config.guest).netvsc
        sysm.add(
            n["netvsc"],
            netvsc_cls,
            peers={k: n[k] for k in ("vm", "binding", "vfmp", "vmstack", "netvsp")},
            ports={"from_host": f"nvsp_h2g[{i}]", "to_host": f"nvsp_g2h[{i}]"},
        )
        sysm.add(
            n["binding"],
            Binding,
            peers={k: n[k] for k in ("vfmp", "netvsc", "vm")},
            # netvsc_suspend unregisters the VF (the documented guest; Linux before
            # 19162fd4063a) or keeps it registered and enslaved (Linux since 19162fd4063a)
            params={
                "unregisters_at_suspend": not netvsc_cls.keeps_vf_across_hibernation,
                "mac_fallback": netvsc_cls.pairs_by_mac_fallback,
            },
        )
        sysm.add(
            n["vfmp"],
            VFMiniport,
            peers={k: n[k] for k in ("binding", "vmstack", "netvsc")},
            ports={"vpci": f"vpci[{i}]", "vpci_done": f"vpci_done[{i}]"},
            params={"reloads": config.reconfigure},
        )
        # the stack starts NetVSC with the partition [MS-OV]; resume resumes it [de214e52de1b]
        sysm.sync(f"{n['vm']}.start", (n["vm"], "start"), (n["netvsc"], "probe"))
        sysm.sync(f"{n['vm']}.resume", (n["vm"], "resume"), (n["netvsc"], "resume"))
        sysm.sync(f"{n['vm']}.reconfigure", (n["vm"], "reconfigure"), (n["netvsc"], "reopen"))
        # ip link set ethN down|up: netvsc_close closes an open enslaved VF (dev_close, whose
        # NETDEV_GOING_DOWN switches the data path), netvsc_open opens it [LX-DRV]
        vm_, nsc, vfmp = n["vm"], n["netvsc"], n["vfmp"]
        for ev, vf_ev in (("close_nic", "link_down"), ("open_nic", "opened_with_nic")):
            sysm.sync(f"{vm_}.{ev}", (vm_, ev), (nsc, ev))
            sysm.sync(f"{vm_}.{ev}/vf", (vm_, ev), (nsc, f"{ev}_with_vf"), (vfmp, vf_ev))
        # rmmod hv_netvsc: netvsc_remove lets the VF go (ec158f77def2); modprobe probes again
        sysm.sync(
            f"{vm_}.unload_netvsc",
            (vm_, "unload_netvsc"),
            (nsc, "unload"),
            (n["binding"], "release"),
        )
        sysm.sync(f"{vm_}.reload_netvsc", (vm_, "reload_netvsc"), (nsc, "reload"))
        sysm.sync(
            f"{vm_}.close_nic/vf/unsent",
            (vm_, "close_nic"),
            (nsc, "close_nic_with_vf_unsent"),
            (vfmp, "link_down"),
        )
        sysm.sync(
            f"{n['vm']}.hibernate",
            (n["vm"], "hibernate"),
            (n["binding"], "suspend_unbind"),
            (n["netvsc"], "suspend"),
            (n["vfmp"], "suspend"),
        )
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
        # OIDs to the PF of the host the VM runs on
        for actor, cls in (("vmstack", VMStack), ("netvsp", NetVSP)):
            for ev, nic_ev in cls.nic_moves.items():
                for h in range(config.hosts):
                    for k in range(config.vfs):
                        sysm.sync(
                            f"{n[actor]}.{ev}({nics[h]}, vf {k})",
                            (n[actor], ev),
                            (nics[h], nic_ev),
                            args={"vm": i, "host": h, "vf": k},
                        )
    # interchangeable VMs, hosts and VF numbers, for the checker's symmetry reduction
    sysm.meta["symmetry"] = symmetry_of(config, sysm)
    return sysm
