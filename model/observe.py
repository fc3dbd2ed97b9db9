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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vfpath.checker.conform import ByState, Name, Observation, Oracle, Vocabulary
from vfpath.checker.errors import VfpathError
from vfpath.checker.product import Move
from vfpath.checker.traces import register_format
from vfpath.checker.view import StateView

from .config import Config
from .messages import ASSOC
from .wiring import build

__all__ = [
    "DEFAULT_CONFIG",
    "DMESG_PATTERNS",
    "EVENTS",
    "EVENT_TEXT",
    "HARNESS_EVENTS",
    "LOGGED",
    "LogReader",
    "Nic",
    "harness_observable",
    "observable",
    "oracle",
    "other_vms",
    "parse_dmesg_line",
    "read_linux_dmesg",
    "sriov_oracle",
]

# One guest's log: one VM, one VF per host and two hosts, so that live migration (a new VF with
# another serial on the other host) is reachable; 897 states, small enough for --from-any-state.
DEFAULT_CONFIG = Config(vms=1, vfs=1, hosts=2, reconfigure=True)

ADDED, REMOVED, OTHER_SERIAL = "vf_slot_added", "vf_slot_removed", "vf_slot_removed_other_serial"
REGISTERING, UNREGISTERING = "vf_registering", "vf_unregistering"
TO_VF, TO_VF_FAILED = "switched_to_vf", "switch_to_vf_failed"
FROM_VF, FROM_VF_FAILED = "switched_from_vf", "switch_from_vf_failed"
# every observed event name (the oracle's alphabet); some the model never produces, so a log
# showing them is rejected where they appear rather than refused as bad input
EVENTS = (
    ADDED, REMOVED, OTHER_SERIAL, REGISTERING, UNREGISTERING,
    TO_VF, TO_VF_FAILED, FROM_VF, FROM_VF_FAILED,
)  # fmt: skip


# what each event stands for in a Linux guest's log (``vfpath conform --list-events``)
EVENT_TEXT = {
    ADDED: "VF slot N added (the host's VF association, allocated)",
    REMOVED: "VF slot N removed (the host's disassociation, same slot)",
    OTHER_SERIAL: "VF slot N removed, naming another slot than the last one added (S15)",
    REGISTERING: "VF registering: <vf> (NetVSC joins the VF netdev)",
    UNREGISTERING: "VF unregistering: <vf> (the VF netdev leaves: removal or hibernation)",
    TO_VF: "Data path switched to VF: <vf>",
    TO_VF_FAILED: "Data path failed to switch to VF: <vf>, err: N",
    FROM_VF: "Data path switched from VF: <vf>",
    FROM_VF_FAILED: "Data path failed to switch from VF: <vf>, err: N",
}

# the moves a guest's log shows (``{vm}`` is the VM's index); see :func:`observable`
LOGGED = (
    "netvsc[{vm}].association",
    "binding[{vm}].bind",
    "binding[{vm}].unbind",
    "binding[{vm}].surprise_unbind",
    "vm[{vm}].hibernate",
    # rmmod hv_netvsc: netvsc_remove's netvsc_unregister_vf [ec158f77def2]
    "vm[{vm}].unload_netvsc",
    "netvsc[{vm}].vf_switched",
    "netvsc[{vm}].vf_switch_failed",
    "netvsc[{vm}].syn_switched",
    # a SWITCH_DATA_PATH whose VMBus send failed (only when a variant says it may:
    # model/failures.py): netvsc_vf_changed prints "Data path failed to switch" [d0922bf79817]
    "netvsc[{vm}].switch_to_vf_unsent",
    "vfmp[{vm}].eject/unsent",
    "vfmp[{vm}].link_down/unsent",
    "vfmp[{vm}].surprise_removed/unsent",
    "vfmp[{vm}].unload/unsent",
    "vm[{vm}].close_nic/vf/unsent",
)


def _association(vm: int) -> ByState:
    """``netvsc_send_vf`` prints "VF slot <serial> added|removed" for every association message.

    A disassociation whose serial is not the association's (S15) is its own event: the reader
    names a "removed" line that way when its slot differs from the last "added" one, and the
    model produces it only if the host sent such a message (read from the channel before the
    step, as the guest read it).
    """
    netvsc, channel = f"netvsc[{vm}]", f"nvsp_h2g[{vm}]"

    def pick(after: StateView, before: StateView) -> str:
        if after[netvsc].vf_alloc:
            return ADDED
        head = before.channel(channel)[0]
        prev = before[netvsc]
        if head[0] == ASSOC and prev.vf_alloc and head[2] != prev.vf_serial:
            return OTHER_SERIAL
        return REMOVED

    return ByState((ADDED, REMOVED, OTHER_SERIAL), pick, before=True)


def _unregistering(vm: int) -> ByState:
    """A rendezvous that tears the binding down prints "VF unregistering" only if it was bound
    (``netvsc_unregister_vf`` runs for an enslaved VF only) [LX-DRV, de214e52de1b], and only if
    it does tear it down (since 19162fd4063a Linux's hibernation keeps the VF)."""
    binding = f"binding[{vm}]"

    def pick(after: StateView, before: StateView) -> str | None:
        let_go = before[binding].state != "unbound" and after[binding].state == "unbound"
        return UNREGISTERING if let_go else None

    return ByState((UNREGISTERING,), pick, before=True)


def _syn_completion(vm: int, reads_status: bool = True) -> ByState:
    """The SYNTHETIC completion prints "switched from" or "failed to switch from" by its status
    (read from the message the guest takes); a guest that reads no status (Linux's
    netvsc_switch_datapath) always prints "switched from"."""
    channel = f"nvsp_h2g[{vm}]"

    def pick(after: StateView, before: StateView) -> str:
        return FROM_VF if not reads_status or before.channel(channel)[0][2] else FROM_VF_FAILED

    return ByState((FROM_VF, FROM_VF_FAILED), pick, before=True)


def observable(vm: int = 0, reads_status: bool = True) -> Callable[[Move], Name]:
    """Which moves VM ``vm``'s kernel log shows, and as what; every other move is silent.

    Sources: SRIOV.md (e) and LX-DRV. "Data path switched from VF" is printed after the
    SYNTHETIC completion (8b31f8c982b7), so it is NetVSC's ``syn_switched``; the request itself
    (``going_down``, ``vf_lost``) prints nothing. The host's unsolicited switch to synthetic and
    the binding's pause print nothing either.
    """
    names: dict[str, Name] = {
        LOGGED[0].format(vm=vm): _association(vm),
        LOGGED[1].format(vm=vm): REGISTERING,
        LOGGED[2].format(vm=vm): UNREGISTERING,
        LOGGED[3].format(vm=vm): UNREGISTERING,  # surprise removal, once the switch returned
        LOGGED[4].format(vm=vm): _unregistering(vm),  # netvsc_suspend: suspend_unbind
        LOGGED[5].format(vm=vm): _unregistering(vm),  # netvsc_remove: the binding's release
        LOGGED[6].format(vm=vm): TO_VF,
        LOGGED[7].format(vm=vm): TO_VF_FAILED,
        LOGGED[8].format(vm=vm): _syn_completion(vm, reads_status),
        LOGGED[9].format(vm=vm): TO_VF_FAILED,
        **{label.format(vm=vm): FROM_VF_FAILED for label in LOGGED[10:]},
    }
    return lambda move: names.get(move.label)


# A guest driver's interface as a conformance harness drives it: the log's events plus the inputs
# and requests that print nothing (the VM's lifecycle, the switch request, the VF going down, the
# host's unsolicited switch). Observations are NetVSC's fields (``netvsc[i]``, ``.data_path_is_vf``,
# ``.vf_alloc``): the binding's pause is folded into silence, so its state is not observable.
HARNESS_EVENTS = {
    # the driver's probe opens the channel and brings RNDIS up ("start": the host may send the
    # association from then on), then returns once its netdev is registered ("probe";
    # d30fb712e529)
    "vm[{vm}].start": "start",
    "netvsc[{vm}].registered": "probe",
    "netvsc[{vm}].switch_to_vf": "request_vf",
    "vfmp[{vm}].eject": "vf_going_down",
    "vfmp[{vm}].surprise_removed": "vf_going_down",  # a revoked VF's removal: GOING_DOWN too
    "vfmp[{vm}].unload": "vf_going_down",  # a driver unload unregisters the netdev too
    # user space closing the VF netdev, alone or with the synthetic NIC (dev_close): GOING_DOWN
    "vfmp[{vm}].link_down": "vf_going_down",
    "vm[{vm}].close_nic/vf": "vf_going_down",
    "netvsc[{vm}].vf_lost": "vf_down",
    "netvsc[{vm}].host_to_synthetic": "host_to_synthetic",
    "vm[{vm}].hibernate": "suspend",
    "vm[{vm}].resume": "resume",
    "netvsc[{vm}].remove": "remove",
}


def harness_observable(vm: int = 0) -> Callable[[Move], Name]:
    """:func:`observable` plus :data:`HARNESS_EVENTS`, for :func:`vfpath.checker.harness.drive`
    on a guest NetVSC implementation (hibernation is "suspend" here, not "VF unregistering")."""
    logged = observable(vm)
    extra = {k.format(vm=vm): v for k, v in HARNESS_EVENTS.items()}
    return lambda move: extra[move.label] if move.label in extra else logged(move)


def oracle(
    config: Config | None = None,
    *,
    vm: int = 0,
    replacements: Mapping[str, type] | None = None,
    lazy_others: bool = False,
    **options: Any,
) -> Oracle:
    """The SR-IOV model of ``config`` (default :data:`DEFAULT_CONFIG`) as an acceptor of VM
    ``vm``'s observable events, with ``replacements`` (a variant's or a user's classes, layered
    on the guest profile) if given; ``options`` go to :class:`~vfpath.checker.conform.Oracle`
    (``from_any_state``, ``max_silent``, ``max_states``). With ``lazy_others`` the other VMs
    move only when a line needs it (:func:`other_vms`; "conforms" or "inconclusive", never
    "does not conform")."""
    config = config or DEFAULT_CONFIG
    if config.vnics > 1:
        # a log names interfaces (eth0, eth1), not NICs of the model: no mapping is built
        raise VfpathError("conform reads a log of one synthetic NIC per VM; got vnics > 1")
    if not 0 <= vm < config.vms:
        raise VfpathError(f"vm must be in 0..{config.vms - 1} for {config}, got {vm}")
    system = build(config)
    if replacements:
        from .variants import on_profile

        system = system.replace(on_profile(replacements, config.guest))
    reads_status = system.instances[f"netvsc[{vm}]"].cls.reads_completion_status
    if lazy_others:
        options["lazy"] = other_vms(config, vm)
        options["lazy_channels"] = [
            c for c in system.channels if c.endswith("]") and c.rpartition("[")[2] != f"{vm}]"
        ]
    return Oracle(system, observable(vm, reads_status), **options)


def other_vms(config: Config, vm: int) -> list[str]:
    """The instances of every VM but ``vm`` (its actors, the host's per-VM ones included; not
    the hosts' NICs, which the VMs share): all they do is silent in VM ``vm``'s log, and they
    reach it only through the NICs' VF pool and filters."""
    kinds = ("vm", "vmstack", "netvsp", "netvsc", "binding", "vfmp")
    return [f"{k}[{i}]" for i in range(config.vms) if i != vm for k in kinds]


# the name the public API exports (``vfpath.api.Oracle(config)``)
sriov_oracle = oracle


# (pattern, observed event) in the order tried. Sources: SRIOV.md (e) table, LX-DRV.
DMESG_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\bVF slot (\d+) (added|removed)\b"), lambda m: f"vf_slot_{m[2]}"),
    (re.compile(r"\bVF registering: (\S+)"), lambda m: REGISTERING),
    (re.compile(r"\bVF unregistering: (\S+)"), lambda m: UNREGISTERING),
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

# a substring every pattern above needs (a cheap prefilter for unrelated lines)
_KEYS = ("VF ", "Data path", "datapath", "joined to")

# recognised lines the model has no move for, skipped: the join and the wait are printed inside
# steps the model folds (bind, the switch guard); a failed send is the model's "failed to switch"
# step, which netvsc_vf_changed prints right after it [d0922bf79817].
SKIPPED = frozenset({"vf_joined", "waiting_for_vf", "switch_send_failed"})

_SLOT = DMESG_PATTERNS[0][0]


def parse_dmesg_line(line: str) -> str | None:
    """The observed event a kernel log line shows, or None when it is not an ``hv_netvsc`` line.

    >>> parse_dmesg_line("[    5.123456] hv_netvsc 0000abcd eth0: VF slot 1 added")
    'vf_slot_added'
    >>> parse_dmesg_line("[    5.2] hv_netvsc 0000abcd eth0: Data path switched from VF: enP1s1")
    'switched_from_vf'
    >>> parse_dmesg_line("[    5.3] systemd[1]: Started Journal Service.") is None
    True
    """
    if not any(k in line for k in _KEYS):  # most kernel lines: one scan, no regex
        return None
    for pattern, name in DMESG_PATTERNS:
        m = pattern.search(line)
        if m is not None:
            return name(m)
    return None


# the synthetic NIC a line is about: "hv_netvsc <instance> <ifname>: " [LX-DRV netdev_info
# prefix]; the instance is the NIC's VMBus GUID, or a placeholder where a pasted log hides it
_NIC = re.compile(r"\bhv_netvsc (?P<id>[^\s:]+) (?P<ifname>[^\s:]+): ")
_GUID = re.compile(r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\Z")
_RENAMED = re.compile(r"\brenamed from (\S+)")


@dataclass
class Nic:
    """One synthetic NIC of a kernel log: its instance GUID (None while the log names it only
    through a placeholder such as "uuid" or "<GUID>", or not at all) and the interface name it
    first appears with. A log's NICs are judged each on its own: each is one VM NIC of the model."""

    guid: str | None
    interface: str | None
    key: int = 0  # order of appearance

    def named(self, name: str) -> bool:
        return name.lower() in ((self.guid or "").lower(), (self.interface or "").lower())

    @property
    def label(self) -> str:
        return f"{self.interface or 'an unnamed NIC'} ({self.guid or 'GUID not shown'})"


class LogReader:
    """A kernel log read one line at a time: which NIC each ``hv_netvsc`` line is about, and the
    observation it shows. Nothing of the log is kept but the NICs and each one's last slot.

    A NIC is its instance GUID. Lines whose GUID is a placeholder (anonymised logs) join the
    NIC that holds their interface name at that point of the log (names move: udev renames NICs,
    "renamed from" lines say so), or start a NIC known by name only, which takes the first real
    GUID seen under that name. Lines with no ``hv_netvsc`` prefix belong to the log's only NIC
    (and are skipped once there are several: nothing says which one). Comment lines (``#``,
    as people annotate pasted logs) are not log lines.
    """

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.nics: list[Nic] = []
        self._by_guid: dict[str, Nic] = {}
        self._by_name: dict[str, Nic] = {}  # interface name now -> its NIC
        self._name_of: dict[int, str] = {}  # NIC -> its interface name now
        self._slot: dict[int, str | None] = {}  # NIC -> the serial of its last "added" line

    def _new(self, guid: str | None, interface: str | None) -> Nic:
        nic = Nic(guid, interface, len(self.nics))
        self.nics.append(nic)
        return nic

    def _nameless(self) -> Nic | None:
        """The NIC of lines that name none: the only one, if there is one."""
        if not self.nics:
            return self._new(None, None)
        return self.nics[0] if len(self.nics) == 1 else None

    def _identify(self, raw: str) -> Nic | None:
        """The NIC an ``hv_netvsc`` line names (keeping track of names as they move)."""
        m = _NIC.search(raw)
        if m is None:
            return None
        ident, name = m["id"], m["ifname"]
        renamed = _RENAMED.search(raw, m.end())
        by_name = self._by_name.get(renamed[1] if renamed else name)
        unnamed = self.nics[0] if len(self.nics) == 1 and self.nics[0].interface is None else None
        if _GUID.match(ident):
            nic = self._by_guid.get(ident.lower())
            if nic is None:
                # a NIC seen so far only under a placeholder (or under no name) is this one
                nic = by_name if by_name is not None and by_name.guid is None else unnamed
                nic = nic or self._new(ident, name)
                nic.guid = ident
                self._by_guid[ident.lower()] = nic
        else:
            nic = by_name or unnamed or self._new(None, name)
        if nic.interface is None:
            nic.interface = name
        old = self._name_of.get(nic.key)
        if old is not None and old != name and self._by_name.get(old) is nic:
            del self._by_name[old]
        self._by_name[name] = nic
        self._name_of[nic.key] = name
        return nic

    def line(self, n: int, raw: str) -> tuple[Nic, Observation] | None:
        """The NIC and observation line ``n`` shows, or None (unrelated, skipped, a comment)."""
        if raw.lstrip().startswith("#"):
            return None
        nic = self._identify(raw) if "hv_netvsc " in raw else None
        event = parse_dmesg_line(raw)
        if event is None or event in SKIPPED:
            return None
        nic = nic or self._nameless()
        if nic is None:
            return None
        m = _SLOT.search(raw)
        if m is not None and m[2] == "added":
            self._slot[nic.key] = m[1]
        elif m is not None:
            slot = self._slot.get(nic.key)
            if slot is not None and m[1] != slot:
                event = OTHER_SERIAL
            self._slot[nic.key] = None
        if event not in self.vocab.alphabet:
            raise VfpathError(f"line {n}: event {event!r} is not observable in this model")
        text = raw.strip()
        return nic, Observation(event, None, {}, n, text, f"line {n}")


def read_linux_dmesg(text: str, vocab: Vocabulary, nic: str | None = None) -> list[Observation]:
    """Observations from a kernel log: one per recognised ``hv_netvsc`` line the model names.

    Unrelated lines and the :data:`SKIPPED` ones are ignored. The slot number is the host's VF
    serial, whose values the model abstracts, so it is not compared with the model's; only
    whether a "removed" line names the slot of the last "added" one (S15): if not, it is read as
    ``vf_slot_removed_other_serial``. A recognised event the model's vocabulary lacks (e.g.
    when the oracle observes only some events) is bad input, not silently dropped. With ``nic``
    (an interface name or GUID), only that NIC's lines count (line numbers stay the file's).
    :class:`LogReader` reads the same way one line at a time.
    """
    reader = LogReader(vocab)
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        got = reader.line(n, raw)
        if got is not None and (nic is None or got[0].named(nic)):
            out.append(got[1])
    return out


register_format("linux-dmesg", read_linux_dmesg)
