"""The plain intermediate form every diagram passes through.

Extractors (:mod:`.extract`) turn an actor class, an explored product or a trace into these
dataclasses; renderers (:mod:`.dot`, :mod:`.mermaid`) turn them into text. Neither side knows the
other, so a new output format is one renderer and a new kind of picture is one extractor. The
IR holds only strings, numbers and tuples, already in a deterministic order, so that rendered
sources can be committed and compared.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["ChartStep", "Edge", "Graph", "GraphKind", "Lane", "Node", "NodeKind", "SequenceChart"]


class NodeKind(enum.Enum):
    REGULAR = "regular"
    INITIAL = "initial"
    FINAL = "final"


class GraphKind(enum.Enum):
    ACTOR = "actor"  # one actor class: states and transitions
    PRODUCT = "product"  # explored product states and moves
    SUMMARY = "summary"  # product states collapsed by category
    QUOTIENT = "quotient"  # product states grouped by a projection (checker.diagram.quotient)


@dataclass(frozen=True)
class Node:
    """One box of a graph: an actor state, a product state or a category of them."""

    id: str
    label: str
    kind: NodeKind = NodeKind.REGULAR
    category: str = ""  # a key of Graph.palette; "" means uncoloured
    highlight: bool = False  # drawn with a red border (a violating state)
    tooltip: str = ""


@dataclass(frozen=True)
class Edge:
    """One arrow: a transition, a product move, or (in a summary) ``count`` moves."""

    source: str
    target: str
    label: str = ""
    tooltip: str = ""
    count: int = 1


@dataclass
class Graph:
    """A directed graph with an optional colour legend and notes for the reader."""

    name: str
    kind: GraphKind
    title: str = ""
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    palette: dict[str, str] = field(default_factory=dict)  # category -> colour
    notes: list[str] = field(default_factory=list)  # e.g. why a summary replaced the full graph


@dataclass(frozen=True)
class Lane:
    """One lifeline of a sequence chart: an actor instance that takes part in the trace."""

    id: str  # a safe identifier for renderers
    label: str  # the instance name


@dataclass(frozen=True)
class ChartStep:
    """One step of a trace as a chart shows it.

    ``parts`` pairs lane ids with the event each took; a single part is a local step (a box on
    its lane), several parts are a synchronisation (arrows from the first to the others).
    ``changes`` maps a lane id (or "" for channels and other shared slots) to compact
    ``"name: old → new"`` strings.
    """

    index: int
    label: str
    parts: tuple[tuple[str, str], ...]
    changes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    in_loop: bool = False

    @property
    def is_sync(self) -> bool:
        return len(self.parts) > 1

    def changes_of(self, lane: str) -> tuple[str, ...]:
        for key, items in self.changes:
            if key == lane:
                return items
        return ()


@dataclass
class SequenceChart:
    """A trace drawn as lanes and steps, top to bottom."""

    name: str
    title: str
    lanes: list[Lane] = field(default_factory=list)
    steps: list[ChartStep] = field(default_factory=list)
    loop_start: int | None = None  # steps with index > loop_start repeat forever
