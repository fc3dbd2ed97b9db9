"""Shared CLI fixture: run ``vfpath`` in process, optionally on a substituted system."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import vfpath.api
from vfpath.checker import System
from vfpath.cli import main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``vfpath <args>`` in process on ``system``; returns (exit code, stdout, stderr).

    ``run.seen`` lists the configurations the command asked ``build_system`` for.
    """

    def go(*args: str, system: Callable[[], System] | None = None) -> tuple[int, str, str]:
        if system is not None:
            seen.clear()

            def fake(config: object = None) -> System:
                seen.append(config)
                return system()

            monkeypatch.setattr(vfpath.api, "build_system", fake)
        with pytest.raises(SystemExit) as info:
            main(list(args))
        out, err = capsys.readouterr()
        code = info.value.code
        assert isinstance(code, int), f"exit code {code!r} is not an int"
        return code, out, err

    seen: list[object] = []
    go.seen = seen  # type: ignore[attr-defined]
    return go
