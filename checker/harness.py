"""A conformance harness: drive an implementation side by side with the model.

The implementation is reached through an :class:`Adapter`: ``apply(event)`` makes it take one
observable event (an input from its environment, or a step it is told to make), ``observe()``
returns its visible state as model fields (``{"inst.var": value, "inst": "state"}``). The driver
uses Hypothesis to generate event sequences *from the model*: at each step it draws one of the
observable events the :class:`~checker.conform.Oracle` allows, applies it, and feeds the event
together with the observed fields back to the oracle, which fails as soon as no model state is
consistent with what the implementation did and shows. Hypothesis then shrinks the sequence, so a
divergence comes back as a short list of events that can be replayed.

An implementation may be more deterministic than the model: an adapter raises :class:`Refused`
when it cannot take an event now, which ends that sequence without failing it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from hypothesis import HealthCheck, Verbosity, given, settings
from hypothesis import strategies as st

from .conform import Observable, Observation, Oracle, Verdict, render_verdict
from .product import Product
from .system import System

__all__ = ["Adapter", "HarnessResult", "Refused", "drive"]


@runtime_checkable
class Adapter(Protocol):
    """How the harness reaches an implementation (one fresh adapter per generated sequence)."""

    def apply(self, event: str) -> None:
        """Make the implementation take the observable ``event``."""

    def observe(self) -> Mapping[str, Any]:
        """The implementation's visible state, named as model fields."""


class Refused(Exception):
    """Raised by ``Adapter.apply``: the implementation cannot take this event now."""


class _Diverged(Exception):
    def __init__(self, events: tuple[str, ...], verdict: Verdict) -> None:
        super().__init__(f"diverged after {list(events)}")
        self.events = events
        self.verdict = verdict


@dataclass(frozen=True)
class HarnessResult:
    """What the harness found: ``bool(result)`` is "no divergence in any generated sequence"."""

    examples: int
    events: tuple[str, ...] = ()  # the shrunk sequence that diverged (empty when none did)
    verdict: Verdict | None = None

    def __bool__(self) -> bool:
        return self.verdict is None

    def __str__(self) -> str:
        if self.verdict is None:
            return f"conforms on {self.examples} generated sequences"
        replay = ", ".join(repr(e) for e in self.events) or "(no events: the initial state)"
        return f"diverged after the events [{replay}]\n{render_verdict(self.verdict)}"

    def assert_conforms(self) -> None:
        """Fail (in a test) with the shrunk sequence and the oracle's report."""
        __tracebackhide__ = True
        if self.verdict is not None:
            raise AssertionError(str(self))


def _observe(adapter: Adapter, where: str, event: str | None, step: int) -> Observation:
    fields = dict(adapter.observe())
    return Observation(event, None, fields, step, event or "initial state", where)


def drive(
    system: System | Product,
    observable: Observable,
    adapter: Callable[[], Adapter],
    *,
    max_steps: int = 20,
    max_examples: int = 100,
    max_silent: int = 100_000,
    derandomize: bool = True,
) -> HarnessResult:
    """Generate up to ``max_examples`` event sequences of at most ``max_steps`` events from the
    model, run each on a fresh ``adapter()`` and check every observation against the model.

    ``derandomize`` (the default) makes runs reproducible; the Hypothesis example database is not
    used, so nothing is written to disk.
    """
    product = system.build() if isinstance(system, System) else system
    counter = [0]

    @settings(
        max_examples=max_examples,
        derandomize=derandomize,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        counter[0] += 1
        oracle = Oracle(product, observable, max_silent=max_silent)
        impl = adapter()
        events: list[str] = []
        if not oracle.feed(_observe(impl, "the initial state", None, 0)):
            assert oracle.rejection is not None
            raise _Diverged((), oracle.rejection)
        length = data.draw(st.integers(min_value=0, max_value=max_steps), label="length")
        for k in range(1, length + 1):
            allowed = sorted(oracle.allowed())
            if not allowed:
                return
            event = data.draw(st.sampled_from(allowed), label=f"event {k}")
            try:
                impl.apply(event)
            except Refused:
                return
            events.append(event)
            if not oracle.feed(_observe(impl, f"step {k}", event, k)):
                assert oracle.rejection is not None
                raise _Diverged(tuple(events), oracle.rejection)

    try:
        run()
    except _Diverged as d:
        return HarnessResult(counter[0], d.events, d.verdict)
    return HarnessResult(counter[0])
