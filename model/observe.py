"""What a guest can see of the model: observable moves and the Linux ``hv_netvsc`` log format.

The oracle (:mod:`vfpath.checker.conform`) needs to know which model moves an observer sees and
under which name. A Linux guest's kernel log shows its own NetVSC's side of the protocol
(SRIOV.md section (e), LX-DRV, AZ-AN): the VF association from the host, the VF netdev
registering and unregistering, and the data-path switches. Everything else (the host's OIDs, the
VPCI messages, the other VMs) is silent: the oracle searches over it between two log lines.

Log lines are matched anywhere in the line, so timestamps (``[   12.345678]``), syslog priorities
(``<6>``), journal prefixes (``... kernel: ``) and the driver prefix
(``hv_netvsc <guid> eth0: ``) are all tolerated; lines that match no pattern are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vfpath.checker.conform import Observation, Oracle, Vocabulary
from vfpath.checker.errors import VfpathError
from vfpath.checker.traces import register_format
from vfpath.model import Config

__all__ = ["DEFAULT_CONFIG", "DMESG_PATTERNS", "oracle", "parse_dmesg_line", "read_linux_dmesg"]

# one guest's log; two hosts so that live migration is reachable (sized once the model lands)
DEFAULT_CONFIG = Config(vms=1, vfs=1, hosts=2)


def oracle(config: Config | None = None, **options: Any) -> Oracle:
    """The SR-IOV model of ``config`` as an acceptor of VM 0's observable events.

    Pending: the move -> event mapping is written once the model's NetVSC and binding actors
    have landed (issue 9); until then this says so instead of guessing.
    """
    del config, options
    raise VfpathError("the SR-IOV observation mapping is not written yet (waits for the model)")


# (pattern, observed event): the event names are the guest-visible vocabulary; the mapping from
# model moves to these names is below. Sources: SRIOV.md (e) table, LX-DRV netvsc_drv.c.
DMESG_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\bVF slot (\d+) (added|removed)\b"), lambda m: f"vf_slot_{m[2]}"),
    (re.compile(r"\bVF registering: (\S+)"), lambda m: "vf_registering"),
    (re.compile(r"\bVF unregistering: (\S+)"), lambda m: "vf_unregistering"),
    (re.compile(r"\bData path switched (to|from) VF: (\S+)"), lambda m: f"switched_{m[1]}_vf"),
    (
        re.compile(r"\bData path failed to switch (to|from) VF: (\S+), err: (-?\d+)"),
        lambda m: f"switch_{m[1]}_vf_failed",
    ),
    (re.compile(r"\b(?:Retry failed|Unable) to send sw datapath msg, err: (-?\d+)"),
     lambda m: "switch_send_failed"),
    (re.compile(r"\bWaiting for the VF association from host\b"), lambda m: "waiting_for_vf"),
    (re.compile(r"\bjoined to (\S+)"), lambda m: "vf_joined"),
)  # fmt: skip


def parse_dmesg_line(line: str) -> str | None:
    """The observed event a kernel log line shows, or None when it is not an ``hv_netvsc`` line.

    >>> parse_dmesg_line("[    5.123456] hv_netvsc 0000abcd eth0: VF slot 1 added")
    'vf_slot_added'
    >>> parse_dmesg_line("[    5.2] hv_netvsc 0000abcd eth0: Data path switched from VF: enP1s1")
    'switched_from_vf'
    >>> parse_dmesg_line("[    5.3] systemd[1]: Started Journal Service.") is None
    True
    """
    for pattern, name in DMESG_PATTERNS:
        m = pattern.search(line)
        if m is not None:
            return name(m)
    return None


def read_linux_dmesg(text: str, vocab: Vocabulary) -> list[Observation]:
    """Observations from a kernel log: one per recognised ``hv_netvsc`` line the model names.

    Lines the model does not distinguish (e.g. ``joined to``, which the VF driver prints during
    registration) are recognised but skipped, as are all unrelated lines.
    """
    out: list[Observation] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        event = parse_dmesg_line(raw)
        if event is None or event not in vocab.alphabet:
            continue
        out.append(Observation(event, None, {}, n, raw.strip(), f"line {n}"))
    return out


register_format("linux-dmesg", read_linux_dmesg)
