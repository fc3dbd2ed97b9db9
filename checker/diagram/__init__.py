"""Diagrams for design reviews: actor state machines, product graphs and traces as charts.

Extract -> plain IR -> renderers: :mod:`.extract` turns an actor class, an explored product or a
:class:`~checker.result.Trace` into the dataclasses of :mod:`.ir`; :mod:`.dot` and :mod:`.mermaid`
turn those into text; :mod:`.render` holds the format registry, runs Graphviz and writes files.

Example::

    from vfpath.checker.diagram import actor_graph, write_diagram
    write_diagram(actor_graph(MyActor), Path("out"), "my-actor", ["dot", "svg"])
"""

from .extract import (
    DEFAULT_EDGE_LIMIT,
    DEFAULT_NODE_LIMIT,
    DiagramError,
    actor_graph,
    product_graph,
    sequence_chart,
    transition_source,
    violation_charts,
)
from .ir import ChartStep, Edge, Graph, GraphKind, Lane, Node, NodeKind, SequenceChart
from .quotient import MIXED, Projection, control_states, quotient_graph
from .render import (
    FORMATS,
    GraphvizMissing,
    RenderTimeout,
    Written,
    parse_formats,
    register_format,
    render_bytes,
    to_dot,
    to_mermaid,
    write_atomic,
    write_diagram,
)

__all__ = [
    "DEFAULT_EDGE_LIMIT",
    "DEFAULT_NODE_LIMIT",
    "FORMATS",
    "MIXED",
    "ChartStep",
    "DiagramError",
    "Edge",
    "Graph",
    "GraphKind",
    "GraphvizMissing",
    "Lane",
    "Node",
    "NodeKind",
    "Projection",
    "RenderTimeout",
    "SequenceChart",
    "Written",
    "actor_graph",
    "control_states",
    "parse_formats",
    "product_graph",
    "quotient_graph",
    "register_format",
    "render_bytes",
    "sequence_chart",
    "to_dot",
    "to_mermaid",
    "transition_source",
    "violation_charts",
    "write_atomic",
    "write_diagram",
]
