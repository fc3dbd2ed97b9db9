"""A kernel log with several synthetic NICs is judged per NIC (issue 15): each NIC is one VM NIC
of the model, so the lines of two NICs must not be read as one guest's history.

tests/data/dmesg_two_nics.log is constructed (two accelerated NICs in the line format of
dmesg_boot.log); each NIC's lines alone are the boot sequence that conforms on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run

DATA = Path(__file__).resolve().parents[1] / "data"
TWO = DATA / "dmesg_two_nics.log"
ETH0, ETH1 = "6045bd7a-1b4e-6045-bd7a-1b4e6045bd7a", "000d3a8f-22c1-000d-3a8f-22c1000d3a8f"


def test_two_nics_each_conform_on_their_own(run: Run) -> None:
    code, out, _ = run("conform", str(TWO))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"eth0 ({ETH0}): conforms: 3 observations accepted")
    assert lines[1].startswith(f"eth1 ({ETH1}): conforms: 3 observations accepted")


def test_a_bug_in_one_nic_is_reported_for_that_nic_at_its_own_line(
    run: Run, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.log"
    bad.write_text(
        TWO.read_text().replace("eth1: VF registering: eth3", "eth1: VF unregistering: eth3")
    )
    code, out, _ = run("conform", str(bad))
    assert code == 1
    assert out.startswith(f"eth0 ({ETH0}): conforms")
    assert f"eth1 ({ETH1}): does not conform at line 10:" in out
    code, out, _ = run("conform", str(bad), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["status"] == "diverges"
    assert [(n["interface"], n["guid"], n["status"], n["observations"]) for n in doc["nics"]] == [
        ("eth0", ETH0, "conforms", 3),
        ("eth1", ETH1, "diverges", 3),
    ]
    assert doc["nics"][1]["rejected"]["line"] == 10


def test_nic_picks_one_by_interface_or_guid_and_refuses_an_unknown_one(run: Run) -> None:
    for name in ("eth1", ETH1.upper()):
        code, out, _ = run("conform", str(TWO), "--nic", name)
        assert code == 0 and out.startswith(f"eth1 ({ETH1}): conforms") and "eth0" not in out
    code, out, err = run("conform", str(TWO), "--nic", "eth7")
    assert code == 2 and not out
    assert f"--nic eth7: no such synthetic NIC in {TWO}; it has eth0 ({ETH0}), eth1 ({ETH1})" in err


def test_nic_is_for_kernel_logs_only(run: Run, tmp_path: Path) -> None:
    trace = tmp_path / "t.jsonl"
    trace.write_text('{"event": "vf_slot_added"}\n')
    code, _, err = run("conform", str(trace), "--nic", "eth0")
    assert code == 2 and "--nic applies to kernel logs" in err
