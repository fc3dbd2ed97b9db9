"""vfpath.model: the Hyper-V SR-IOV actors and how they are wired together.

Each actor is a python-statemachine class citing its sources (the keys of SRIOV.md). ``build``
wires them for a :class:`Config`; ``datapath_of`` classifies a state for diagrams.
"""

from __future__ import annotations

from typing import Any

from .binding import Binding
from .config import Config, serial_of
from .netvsc import NetVSC, tx_uses_vf
from .netvsp import NetVSP
from .nic import NIC
from .vfminiport import VFMiniport
from .vm import VM
from .vmstack import VMStack
from .wiring import ACTORS, CAPACITY, build

__all__ = [
    "ACTORS",
    "CAPACITY",
    "NIC",
    "VM",
    "Binding",
    "Config",
    "NetVSC",
    "NetVSP",
    "VFMiniport",
    "VMStack",
    "build",
    "datapath_of",
    "serial_of",
]


def datapath_of(view: Any, vm: int) -> str:
    """The data path VM ``vm``'s NetVSC would transmit on now: "vf", "synthetic" or "none"."""
    netvsc = view[f"netvsc[{vm}]"]
    if netvsc.state in ("down", "probing", "suspended"):
        return "none"
    vfmp = view[f"vfmp[{vm}]"]
    if tx_uses_vf(netvsc.data_path_is_vf, view[f"binding[{vm}]"].state, vfmp.state, vfmp.link):
        return "vf"
    return "synthetic"
