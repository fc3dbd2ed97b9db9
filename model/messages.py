"""Messages on the model's channels, as small hashable tuples.

NVSP messages follow Linux ``hyperv_net.h`` / OpenVMM ``protocol.rs`` names; VPCI messages follow
the guest VPCI driver (LX-PCI). A message's first element is its kind.
"""

from __future__ import annotations

__all__ = [
    "ASSOC",
    "DONE",
    "EJECT",
    "EJECTED",
    "OFFER",
    "SWITCH",
    "TO_SYNTHETIC",
    "assoc",
    "done",
    "switch",
]

# host -> guest, NVSP (nvsp_h2g)
ASSOC = "assoc"  # NVSP_MSG4_TYPE_SEND_VF_ASSOCIATION(allocated, serial) [OVMM, LX-DRV]
DONE = "done"  # completion of a SWITCH_DATA_PATH request (path, ok) [8b31f8c982b7, OVMM]
TO_SYNTHETIC = "to_syn"  # unsolicited SWITCH_DATA_PATH(SYNTHETIC) from the host [OVMM]
# guest -> host, NVSP (nvsp_g2h)
SWITCH = "switch"  # NVSP_MSG4_TYPE_SWITCH_DATA_PATH(path), completion requested [8b31f8c982b7]
# host -> guest, VPCI (vpci)
OFFER = "offer"  # the VPCI VSP exposes the VF's PCI device (serial) [MS-VFINIT step 5]
EJECT = "eject"  # the VPCI VSP asks the guest to remove the device gracefully [MS-VFTD]
# guest -> host, VPCI (vpci_done)
EJECTED = "ejected"  # PCI_EJECTION_COMPLETE, sent after the device is removed [LX-PCI]

VF, SYNTHETIC = "vf", "syn"


def assoc(allocated: bool, serial: int) -> tuple[str, bool, int]:
    return (ASSOC, allocated, serial)


def done(path: str, ok: bool) -> tuple[str, str, bool]:
    return (DONE, path, ok)


def switch(path: str) -> tuple[str, str]:
    return (SWITCH, path)
