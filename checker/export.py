"""Results as files other tools read: GraphML of the explored product (networkx, yEd, Gephi),
ITF traces of counterexamples (Apalache, Quint), sequence charts (SVG, Mermaid).

Why a file and not just ``result.graph``: a design reviewer asks questions of the graph (which
states can still reach the VF path, its strongly connected components, a shortest path between
two named states) in their own tools. Each node is labelled with what differs from the initial
state (the view counterexamples use) and carries every instance state, variable and channel as
an attribute; each edge carries its move. Values GraphML cannot hold are written as ``repr``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import VfpathError
from .product import Product

__all__ = [
    "GRAPH_LIMIT",
    "atomic_write",
    "readable_graph",
    "safe_filename",
    "write_charts",
    "write_graphml",
    "write_itf",
]

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


def safe_filename(name: str) -> str:
    """``name`` with every character outside ``[A-Za-z0-9._-]`` replaced, never empty."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned or "unnamed"


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``path`` so that readers see the old file or the whole new one, never a part.

    The data goes to a temporary file in the same directory (same file system), is flushed to
    disk, then renamed over ``path`` with ``os.replace``, which is atomic on POSIX and Windows.
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is for everyone
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_itf(result: Any, directory: Path) -> list[Path]:
    """Write each counterexample of ``result`` (a :class:`CheckResult`) as
    ``<property>.itf.json`` in ``directory``, each file atomically."""
    from .report import trace_to_itf

    written: list[Path] = []
    traces = [(p, p.counterexample) for p in result.properties if p.counterexample is not None]
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for prop, trace in traces:
            path = directory / f"{safe_filename(prop.name)}.itf.json"
            doc = trace_to_itf(
                trace, description=f"{result.system}: {prop.name} {prop.status.value}"
            )
            atomic_write(path, json.dumps(doc, indent=2) + "\n")
            written.append(path)
    except OSError as e:
        raise VfpathError(f"cannot write ITF traces to {directory}: {e.strerror or e}") from None
    return written


def write_charts(result: Any, directory: Path, warn: Callable[[str], Any] = print) -> list[Path]:
    """Write each violation's counterexample as ``DIR/<property>.svg`` and ``.mmd``.

    Without Graphviz only the Mermaid text is written, with a warning: a verdict matters more
    than its pictures, so a missing ``dot`` must not turn it into an error.
    """
    from .diagram import violation_charts, write_diagram

    formats = ["svg", "mermaid"]
    if shutil.which("dot") is None:
        warn(
            "vfpath: Graphviz 'dot' not found, writing Mermaid charts only "
            "(apt-get install graphviz)"
        )
        formats = ["mermaid"]
    written: list[Path] = []
    try:
        for chart in violation_charts(result):
            for w in write_diagram(chart, directory, safe_filename(chart.name), formats):
                written.append(w.path)
    except OSError as e:
        raise VfpathError(
            f"cannot write sequence charts to {directory}: {e.strerror or e}"
        ) from None
    return written
