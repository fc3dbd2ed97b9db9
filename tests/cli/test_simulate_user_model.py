"""``simulate --model FILE.py:NAME`` (issue 17): the option ``check`` has (one decorator in
``cli/_common.py``), walking a user's driver given as a class or as a function returning a
System, with --json; bad references are one-line errors. A catalog entry's walk is in
tests/cli/test_check_user_model.py."""

from __future__ import annotations

import json
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

WALK = ("simulate", "--vms", "1", "--hosts", "1", "--runs", "50", "--steps", "200", "--seed", "1")


def _driver(tmp_path: Path) -> Path:
    path = tmp_path / "mydriver.py"
    path.write_text(DRIVER)
    return path


def test_a_user_driver_class_is_walked_with_json(run: Run, tmp_path: Path) -> None:
    code, out, _ = run(*WALK, "--model", f"{_driver(tmp_path)}:MyNetVSC", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["violation"]["property"] == "S8-no-tx-on-unswitched-vf"
    assert run(*WALK, "--json")[0] == 0  # the same walks on the unmodified model


def test_a_function_returning_a_system_is_walked(run: Run, tmp_path: Path) -> None:
    code, out, _ = run(*WALK, "--model", f"{_driver(tmp_path)}:small")
    assert code == 1 and "VIOLATED S8-no-tx-on-unswitched-vf" in out


def test_bad_references_are_one_line_errors(run: Run, tmp_path: Path) -> None:
    for args, message in (
        (["--variant", "nope"], "--variant: no variant 'nope'"),
        (["--model", f"{_driver(tmp_path)}:Nope"], "has no 'Nope'"),
        (["--model", "vfpath.model.config:Config"], "derives from none of the model's actors"),
    ):
        code, out, err = run(*WALK, *args)
        assert code == 2 and not out and message in err and len(err.strip().splitlines()) == 1
