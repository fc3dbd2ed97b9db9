"""The Hypothesis harness on the domain-free handshake: a correct client passes, buggy ones are
caught with the shortest sequence that shows the bug (known by reading the bug, not the output).

The implementations are plain Python classes, not python-statemachine, as another team's code
would be.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from vfpath.checker.harness import Adapter, Refused, drive

DATA = Path(__file__).resolve().parents[1] / "data"
_spec = importlib.util.spec_from_file_location("handshake", DATA / "handshake.py")
assert _spec is not None and _spec.loader is not None
HS = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(HS)


class ClientImpl:
    """A hand-written client: goes fast only once the grant arrived."""

    def __init__(self) -> None:
        self.phase = "slow"
        self.fast = False

    def apply(self, event: str) -> None:
        if event == "request":
            self.phase = "asking"
        elif event == "granted":
            self.phase, self.fast = "fast_path", True
        elif event == "release":
            self.phase, self.fast = "slow", False
        else:
            raise ValueError(f"unexpected event {event!r}")

    def observe(self) -> Mapping[str, Any]:
        return {"client": self.phase, "client.fast": self.fast}


class EagerClient(ClientImpl):
    """Goes fast as soon as it asks, before the server granted anything."""

    def apply(self, event: str) -> None:
        super().apply(event)
        if event == "request":
            self.fast = True


class StickyClient(ClientImpl):
    """Forgets to leave the fast path on release."""

    def apply(self, event: str) -> None:
        super().apply(event)
        if event == "release":
            self.fast = True


class StartsFast(ClientImpl):
    def __init__(self) -> None:
        super().__init__()
        self.fast = True


class NeverReleases(ClientImpl):
    """More deterministic than the model: it refuses to release, which is not a bug."""

    def apply(self, event: str) -> None:
        if event == "release":
            raise Refused(event)
        super().apply(event)


def run(impl: type[ClientImpl], **kw: Any) -> Any:
    system, observable = HS.system()
    return drive(system, observable, impl, max_steps=8, max_examples=60, **kw)


def test_the_reference_client_conforms() -> None:
    assert isinstance(ClientImpl(), Adapter)
    result = run(ClientImpl)
    assert result, str(result)
    assert result.examples > 1
    result.assert_conforms()


@pytest.mark.parametrize(
    ("impl", "shortest"),
    [
        (EagerClient, ("request",)),
        (StickyClient, ("request", "granted", "release")),
        (StartsFast, ()),
    ],
)
def test_a_buggy_client_is_caught_with_the_shortest_sequence(
    impl: type[ClientImpl], shortest: tuple[str, ...]
) -> None:
    result = run(impl)
    assert not result
    assert result.events == shortest
    assert result.verdict is not None and result.verdict.rejected is not None
    assert result.verdict.rejected.where == (f"step {len(shortest)}" if shortest else
                                             "the initial state")  # fmt: skip
    with pytest.raises(AssertionError, match="diverged after the events"):
        result.assert_conforms()


def test_an_implementation_may_refuse_what_the_model_allows() -> None:
    assert run(NeverReleases)


def test_runs_are_reproducible() -> None:
    first, second = run(StickyClient), run(StickyClient)
    assert str(first) == str(second)
