"""``check --variant NAME`` and ``check --model FILE.py:NAME`` (issue 17): a catalog entry or a
user's own driver checked from the command line, with ITF traces and charts as for the model."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run

DRIVER = '''
from vfpath.model import NetVSC


class MyNetVSC(NetVSC):
    """Believes it is on the VF as soon as it asks (the bug 8b31f8c982b7 fixed)."""

    def request_vf(self) -> None:
        self.data_path_is_vf = True
        NetVSC.request_vf(self)


def small():
    from vfpath.api import build_system
    from vfpath.model import Config

    return build_system(Config(1, 1, 1)).replace({"NetVSC": MyNetVSC})
'''


def test_a_user_driver_class_is_checked_and_its_traces_and_charts_written(
    run: Run, tmp_path: Path
) -> None:
    driver = tmp_path / "mydriver.py"
    driver.write_text(DRIVER)
    itf, charts = tmp_path / "itf", tmp_path / "charts"
    code, out, _ = run(
        "check", "--vms", "1", "--hosts", "1", "--model", f"{driver}:MyNetVSC",
        "--itf", str(itf), "--diagram", str(charts),
    )  # fmt: skip
    assert code == 1 and "VIOLATED S8-no-tx-on-unswitched-vf" in out
    assert (itf / "S8-no-tx-on-unswitched-vf.itf.json").is_file()
    assert (charts / "S8-no-tx-on-unswitched-vf.svg").is_file()


def test_a_function_returning_a_system_is_checked_as_given(run: Run, tmp_path: Path) -> None:
    driver = tmp_path / "mydriver.py"
    driver.write_text(DRIVER)
    code, out, _ = run("check", "--model", f"{driver}:small")
    assert code == 1 and "VIOLATED S8-no-tx-on-unswitched-vf" in out
    assert "sriov-1vm-1vf-1host" in out or "states" in out


def test_a_catalog_variant_is_checked_on_the_chosen_configuration(run: Run) -> None:
    code, out, _ = run("check", "--vms", "1", "--hosts", "1", "--variant", "lx-vf-tx-while-leaving")
    assert code == 1 and "VIOLATED S9-stop-vf-tx-before-leaving" in out


def test_bad_references_are_one_line_errors(run: Run, tmp_path: Path) -> None:
    driver = tmp_path / "mydriver.py"
    driver.write_text(DRIVER)
    for args, message in (
        (["--variant", "nope"], "--variant: no variant 'nope'"),
        (["--model", f"{driver}:Nope"], "has no 'Nope'"),
        (["--model", "no_such_module_xyz:A"], "--model: cannot import 'no_such_module_xyz'"),
        (["--model", "vfpath.model.config:serial_of"], "needs arguments"),
        (["--model", "vfpath.model.config:Config"], "derives from none of the model's actors"),
        (["--model", "vfpath.model.observe:EVENTS"], "not a System or an actor class"),
        (["--variant", "lx-vf-tx-while-leaving", "--model", f"{driver}:small"], "give one of them"),
    ):
        code, out, err = run("check", "--vms", "1", "--hosts", "1", *args)
        assert code == 2 and not out and message in err and len(err.strip().splitlines()) == 1


def test_simulate_takes_the_same_variant_and_model_options(run: Run, tmp_path: Path) -> None:
    """The seeded bug is found by random walks too (seed 0 finds it within 50 runs); the
    unmodified model with the same walks finds nothing."""
    walks = ("simulate", "--vms", "1", "--hosts", "1", "--runs", "50", "--steps", "100")
    code, out, _ = run(*walks, "--variant", "lx-vf-path-before-completion")
    assert code == 1 and "VIOLATED S8-no-tx-on-unswitched-vf" in out
    driver = tmp_path / "mydriver.py"
    driver.write_text(DRIVER)
    code, out, _ = run(*walks, "--model", f"{driver}:MyNetVSC")
    assert code == 1 and "VIOLATED S8-no-tx-on-unswitched-vf" in out
    assert run(*walks)[0] == 0


def _other_serial_log(tmp_path: Path) -> Path:
    """A boot on the second VF of a host (slot 2), then its removal logged with slot 1: what a
    host that sends adapter index 0's serial in the disassociation prints (OVMM 67d5a6d45)."""
    data = Path(__file__).resolve().parents[1] / "data"
    boot = (data / "dmesg_boot.log").read_text().replace("VF slot 1 added", "VF slot 2 added")
    removal = (data / "dmesg_servicing.log").read_text().splitlines()[14:18]
    path = tmp_path / "other-serial.log"
    path.write_text(boot + "\n".join(removal) + "\n")
    return path


def test_conform_judges_against_a_variant_or_a_user_class(run: Run, tmp_path: Path) -> None:
    log = str(_other_serial_log(tmp_path))
    sizes = ("--vms", "1", "--vfs", "2", "--hosts", "1")
    assert run("conform", log, *sizes)[0] == 1  # the model repeats the association's serial
    code, out, _ = run("conform", log, *sizes, "--variant", "ovmm-disassociation-serial")
    assert code == 0 and out.startswith("conforms")
    host = tmp_path / "myhost.py"
    host.write_text(
        "from vfpath.model.mutant_classes import NetVSPIndexZeroSerial as MyNetVSP  # noqa: F401\n"
    )
    code, out, _ = run("conform", log, *sizes, "--model", f"{host}:MyNetVSP")
    assert code == 0 and out.startswith("conforms")
