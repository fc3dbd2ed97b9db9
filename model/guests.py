"""Guest profiles: which NetVSC the model runs, and what each follows.

The reference guest is the documented design (the Windows NDIS NetVSC of Microsoft's SR-IOV
pages, MS-OV/MS-FO/MS-VFTD, which the seed describes), with the VF link changes Linux shows.
``linux`` is hv_netvsc as it is upstream, where the code differs from the design
(:mod:`.netvsc_linux`). Every property is checked on every profile; where a faithful profile
violates a reference property, the README's "Findings" explains it.
"""

from __future__ import annotations

from dataclasses import dataclass

from vfpath.checker.errors import VfpathError

from .netvsc import NetVSC
from .netvsc_linux import LinuxNetVSC

__all__ = ["DEFAULT_GUEST", "GUESTS", "Guest", "guest"]


@dataclass(frozen=True)
class Guest:
    """One guest profile: its NetVSC class and the sources it follows."""

    name: str
    netvsc: type[NetVSC]
    follows: str


GUESTS: dict[str, Guest] = {
    g.name: g
    for g in (
        Guest(
            "reference",
            NetVSC,
            "the documented design: MS-OV, MS-FO, MS-VFTD, MS-BIND (Windows NDIS NetVSC); Linux's "
            "VF link changes (netvsc_vf_changed); a switch completion with a status, the host's "
            "switch-to-synthetic notice obeyed",
        ),
        Guest(
            "linux",
            LinuxNetVSC,
            "Linux hv_netvsc upstream (6.x; netvsc.c netvsc_switch_datapath, "
            "netvsc_receive_inband; netvsc_drv.c netvsc_vf_changed, netvsc_vf_setup, "
            "netvsc_suspend, netvsc_resume, netvsc_open, netvsc_close, netvsc_remove, "
            "netvsc_probe): completions without status, the host's notice ignored, the VF and "
            "its association kept across hibernation (19162fd4063a), a VF matched by MAC "
            "before its association (365e1ececb29)",
        ),
    )
}
DEFAULT_GUEST = "reference"


def guest(name: str) -> Guest:
    """The profile called ``name``; an unknown name is bad input that lists the known ones."""
    try:
        return GUESTS[name]
    except KeyError:
        raise VfpathError(
            f"unknown guest {name!r}; the profiles are {', '.join(sorted(GUESTS))}"
        ) from None
