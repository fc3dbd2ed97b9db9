"""A kernel log is streamed (issue 15): each line is judged before the next is read, comment
lines are not log lines, anonymised GUIDs join their NIC by interface name, a long trace keeps
only the last part of its witness, and a 2-VM configuration judges VM 0's log with VM 1 lazy."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vfpath.checker.conform import Oracle, VerdictStatus

from .conftest import Run


def _count_feeds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time the oracle is fed an observation."""
    fed: list[int] = []
    real_feed = Oracle.feed

    def counting(self: Oracle, event: object) -> bool:
        fed.append(1)
        return real_feed(self, event)  # type: ignore[arg-type]

    monkeypatch.setattr(Oracle, "feed", counting)
    return fed


DATA = Path(__file__).resolve().parents[1] / "data"
BOOT = (DATA / "dmesg_boot.log").read_text().splitlines()
G0 = "6045bd7a-1b4e-6045-bd7a-1b4e6045bd7a"


class _Stdin:
    """Standard input whose lines come from a generator (``buffer`` is what conform reads)."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        self.buffer = lines


def test_each_line_is_judged_before_the_next_one_is_read(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generator records, as each line is taken, how many observations the oracle has fed
    so far: a reader that takes the whole input first records 0 everywhere. Boot lines 4, 8
    and 13 are the three observations; each must be fed before the line after it is read."""
    fed = _count_feeds(monkeypatch)
    at_line: dict[int, int] = {}

    def lines() -> Iterator[bytes]:
        for n, text in enumerate(BOOT, start=1):
            at_line[n] = len(fed)
            yield (text + "\n").encode()

    monkeypatch.setattr(sys, "stdin", _Stdin(lines()))
    code, out, _ = run("conform", "-")
    assert code == 0 and out.startswith("conforms: 3 observations accepted")
    assert (at_line[4], at_line[5], at_line[9], at_line[14]) == (0, 1, 2, 3)


def test_comment_lines_are_not_log_lines(run: Run, tmp_path: Path) -> None:
    """A pasted log annotated with '#' lines: an annotation quoting a line is not the line.
    Without the skip, the quoted "VF slot 1 removed" right after the boot would be read as a
    disassociation and the log would still conform, but with 4 observations, not 3; and a
    quoted "switched to VF" before the association would be rejected."""
    path = tmp_path / "annotated.log"
    quoted = f"# then: hv_netvsc {G0} eth0: Data path switched to VF: enP1s1"
    path.write_text("\n".join([quoted, *BOOT, f"  # hv_netvsc {G0} eth0: VF slot 1 removed"]))
    code, out, _ = run("conform", str(path))
    assert (code, out.split(",")[0]) == (0, "conforms: 3 observations accepted")


@pytest.mark.parametrize("placeholder", ["uuid", "<GUID>", "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"])
def test_an_anonymised_guid_joins_its_nic_by_interface_name(
    run: Run, tmp_path: Path, placeholder: str
) -> None:
    """tests/data/dmesg_two_nics.log with eth1's registration anonymised: still two NICs, each
    with its 3 lines (the placeholder line is eth1's, by name), not a third NIC."""
    two = (DATA / "dmesg_two_nics.log").read_text()
    g1 = "000d3a8f-22c1-000d-3a8f-22c1000d3a8f"
    line = f"hv_netvsc {g1} eth1: VF registering: eth3"
    assert line in two
    path = tmp_path / "anon.log"
    path.write_text(two.replace(line, f"hv_netvsc {placeholder} eth1: VF registering: eth3"))
    code, out, _ = run("conform", str(path))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2, out
    assert lines[0].startswith(f"eth0 ({G0}): conforms: 3 observations accepted")
    assert lines[1].startswith(f"eth1 ({g1}): conforms: 3 observations accepted")


def test_a_log_anonymised_throughout_is_split_by_interface_name(run: Run, tmp_path: Path) -> None:
    """Every GUID replaced by "uuid": the two NICs are told apart by name; one that breaks
    its order (eth1 switches to the VF before its registration) is rejected on its own."""
    two = (DATA / "dmesg_two_nics.log").read_text()
    for guid in (G0, "000d3a8f-22c1-000d-3a8f-22c1000d3a8f"):
        two = two.replace(guid, "uuid")
    path = tmp_path / "anon.log"
    path.write_text(two)
    code, out, _ = run("conform", str(path))
    assert code == 0
    assert out.splitlines()[1].startswith("eth1 (GUID not shown): conforms: 3 observations")
    lines = two.splitlines()
    reg = next(k for k, x in enumerate(lines) if "eth1: VF registering" in x)
    sw = next(k for k, x in enumerate(lines) if "eth1: Data path switched" in x)
    lines[reg], lines[sw] = lines[sw], lines[reg]
    path.write_text("\n".join(lines) + "\n")
    code, out, _ = run("conform", str(path))
    assert code == 1
    assert out.startswith("eth0 (GUID not shown): conforms")
    assert f"eth1 (GUID not shown): does not conform at line {reg + 1}:" in out


def test_a_long_log_keeps_only_the_end_of_its_witness(run: Run, tmp_path: Path) -> None:
    """500 flaps after the boot, then a registration with no VF gone before it: the report
    names the last line and the path it prints starts after the boot (its observations are
    counted, not kept), so memory does not grow with the log."""
    flap = [BOOT[12].replace("switched to", "switched from"), BOOT[12]]
    bad = BOOT[7].replace("VF registering", "VF registering")
    path = tmp_path / "long.log"
    path.write_text("\n".join([*BOOT, *(flap * 500), bad]) + "\n")
    code, out, _ = run("conform", str(path))
    assert code == 1 and out.startswith(f"does not conform at line {14 + 1000 + 1}:")
    assert "observations before them are not kept" in out
    assert "<- line 4" not in out  # the boot's association is in the part not kept


def test_two_vms_judge_vm0s_log_with_the_other_vm_lazy(run: Run) -> None:
    """--vms 2: the real servicing log conforms (VM 1 never had to move); a log VM 0 alone
    cannot explain is inconclusive (exit 3), never "does not conform", since VM 1 was searched
    only up to the bound."""
    code, out, _ = run("conform", str(DATA / "dmesg_servicing.log"), "--vms", "2")
    assert code == 0 and out.startswith("conforms:")
    from vfpath.model import observe

    o = observe.oracle(
        observe.DEFAULT_CONFIG.__class__(vms=2, vfs=1, hosts=2, reconfigure=True),
        lazy_others=True,
        max_silent=5_000,
    )
    assert not o.feed("switched_to_vf")
    assert o.rejection is not None and o.rejection.status is VerdictStatus.INCONCLUSIVE
    assert "the other instances moved only when a line needed it" in o.rejection.note
    # the havoc replay (checker/havoc.py) passes the bound on this configuration too
    assert o.rejection.note.endswith(
        "the havoc check cannot tell: the bound of 5,000 states was hit"
    )


def test_a_jsonl_trace_is_judged_a_line_at_a_time(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON lines are streamed like a log: the generator records how many observations were
    fed when each line is taken; a reader that parses the whole input first records 0 for
    every line. A blank line is not an observation."""
    fed = _count_feeds(monkeypatch)
    events = ["vf_slot_added", "", "vf_registering", "switched_to_vf"]
    at_line: dict[int, int] = {}

    def lines() -> Iterator[bytes]:
        for n, event in enumerate(events, start=1):
            at_line[n] = len(fed)
            yield (f'{{"event": "{event}"}}\n' if event else "\n").encode()

    monkeypatch.setattr(sys, "stdin", _Stdin(lines()))
    code, out, _ = run("conform", "--format", "jsonl", "-")
    assert code == 0 and out.startswith("conforms: 3 observations accepted"), out
    assert [at_line[n] for n in (1, 2, 3, 4)] == [0, 1, 1, 2]


def test_a_bad_jsonl_line_after_a_divergence_is_still_bad_input(run: Run, tmp_path: Path) -> None:
    """Streaming must not hide bad input behind a divergence: the line after the rejected one
    names an event the model does not have, so the run is exit 2 (one line), not exit 1."""
    path = tmp_path / "t.jsonl"
    path.write_text('{"event": "switched_to_vf"}\n{"event": "vf_slot_exploded"}\n')
    code, out, err = run("conform", str(path))
    assert (code, out) == (2, "")
    assert err.strip() == "vfpath: line 2: unknown event 'vf_slot_exploded'"
    path.write_text('{"event": "switched_to_vf"}\n{"event": "vf_slot_added"}\n')
    code, out, _ = run("conform", str(path))
    assert code == 1 and out.startswith("does not conform at line 1:")
