"""The explored product as a file other tools read: GraphML for networkx, yEd, Gephi.

Why a file and not just ``result.graph``: a design reviewer asks questions of the graph (which
states can still reach the VF path, its strongly connected components, a shortest path between
two named states) in their own tools. Each node is labelled with what differs from the initial
state (the view counterexamples use) and carries every instance state, variable and channel as
an attribute; each edge carries its move. Values GraphML cannot hold are written as ``repr``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import VfpathError
from .product import Product

__all__ = ["GRAPH_LIMIT", "readable_graph", "write_graphml"]

# the largest product written: above it the file (and the DiGraph) would take gigabytes
GRAPH_LIMIT = 200_000


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool)) else repr(value)


def readable_graph(graph: Any, product: Product) -> Any:
    """A copy of ``graph`` (from ``check(..., Options(graph=True)).graph``) whose nodes carry
    readable attributes instead of the packed state."""
    import networkx as nx

    out = nx.DiGraph()
    start = product.describe(product.initial)
    for node, data in graph.nodes(data=True):
        now = product.describe(data["state"])
        changed = [f"{k}={_plain(v)}" for k, v in now.items() if v != start[k]]
        attrs = {k: _plain(v) for k, v in now.items()}
        out.add_node(node, label="; ".join(changed) or "initial", **attrs)
    for a, b, data in graph.edges(data=True):
        out.add_edge(a, b, move=data["move"])
    return out


def write_graphml(graph: Any, product: Product, path: Path) -> None:
    """Write ``graph`` as GraphML to ``path``, all or nothing (a temporary name, then rename);
    refuse one above :data:`GRAPH_LIMIT` states."""
    import networkx as nx

    if graph.number_of_nodes() > GRAPH_LIMIT:
        raise VfpathError(
            f"the product has {graph.number_of_nodes():,} states; GraphML is written up to "
            f"{GRAPH_LIMIT:,}"
        )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        nx.write_graphml(readable_graph(graph, product), tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
