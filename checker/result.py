"""Results as dataclasses: pleasant in tests, rendered by reporters, never by the engine."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .properties import Expectation

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["CheckResult", "PropertyResult", "Stats", "Status", "Step", "Trace"]


class Status(enum.Enum):
    HOLDS = "holds"
    VIOLATED = "violated"
    VACUOUS = "vacuous"  # an invariant whose antecedent, or a leads-to whose trigger, never occurs
    UNKNOWN = "unknown"  # exploration stopped at a limit before a verdict


@dataclass(frozen=True)
class Step:
    """One step of a trace: which move, who took part, and only what changed."""

    index: int
    label: str
    parts: tuple[tuple[str, str], ...]
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class Trace:
    """A path from the initial state; ``loop_start`` marks the cycle of a lasso (else None)."""

    initial: dict[str, Any]
    steps: tuple[Step, ...]
    states: tuple[dict[str, Any], ...] = ()
    loop_start: int | None = None

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.steps]


@dataclass(frozen=True)
class PropertyResult:
    name: str
    expectation: Expectation
    status: Status
    description: str = ""
    source: str = ""
    counterexample: Trace | None = None
    witness: Trace | None = None
    note: str = ""


@dataclass(frozen=True)
class Stats:
    states: int
    transitions: int
    depth: int
    seconds: float
    peak_memory: int  # bytes, the process's peak resident set
    complete: bool
    stop_reason: str = ""

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else float(self.states)


@dataclass
class CheckResult:
    """What a check found. ``bool(result)`` is "complete and nothing violated or vacuous"."""

    system: str
    stats: Stats
    properties: list[PropertyResult]
    extra: dict[str, Any] = field(default_factory=dict)
    _graph: Any = field(default=None, repr=False)

    @property
    def complete(self) -> bool:
        return self.stats.complete

    @property
    def violated(self) -> list[PropertyResult]:
        return [p for p in self.properties if p.status is Status.VIOLATED]

    def __bool__(self) -> bool:
        return self.complete and all(p.status is Status.HOLDS for p in self.properties)

    def __getitem__(self, name: str) -> PropertyResult:
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(name)

    def graph(self) -> nx.DiGraph:
        """The reachable product as a networkx DiGraph (explore with ``graph=True``)."""
        if self._graph is None:
            raise ValueError("the graph was not kept; check with graph=True")
        return self._graph

    def __str__(self) -> str:
        from .report import render_text

        return render_text(self, color=False)

    def assert_holds(self) -> None:
        """Fail (in a test) unless every property holds on a complete exploration."""
        __tracebackhide__ = True
        if not self:
            raise AssertionError(str(self))
