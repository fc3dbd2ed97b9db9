"""Render the diagram IR as Graphviz DOT text.

DOT is written by hand rather than through ``graphviz.Digraph`` so that the text is exactly
determined by the IR (the repository commits it and a test compares it). Layout hints were chosen
by looking at the rendered pictures: left-to-right state machines, a legend for colours, and a
sequence chart built as a grid of same-rank rows with straight lifelines.
"""

from __future__ import annotations

import math
import textwrap

from .ir import ChartStep, Edge, Graph, GraphKind, Node, NodeKind, SequenceChart

MIXED = "+"  # joins the categories of a mixed group (see checker.diagram.quotient)

__all__ = ["chart_to_dot", "graph_to_dot", "quote"]

FONT = "Helvetica"
HIGHLIGHT = "#d62728"
DEFAULT_FILL = "#f2f2f2"

# bounded layout effort: dot stops refining crossings early instead of spinning on a big graph
_EFFORT = "nslimit=20, nslimit1=20, mclimit=1.0, searchsize=50"


def quote(text: str) -> str:
    """A DOT double-quoted string; newlines become centred line breaks."""
    esc = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + esc.replace("\r", "").replace("\n", "\\n") + '"'


def _attrs(**kw: str | int | float) -> str:
    parts = []
    for key, value in kw.items():
        text = quote(value) if isinstance(value, str) else f"{value:g}"
        parts.append(f"{key}={text}")
    return "[" + ", ".join(parts) + "]"


def _header(name: str, title: str, rankdir: str) -> list[str]:
    return [
        f"digraph {quote(name)} {{",
        f'  graph [fontname="{FONT}", fontsize=16, labelloc="t", rankdir={rankdir}, '
        f"label={quote(title)}, pad=0.3, nodesep=0.5, ranksep=0.6, {_EFFORT}];",
        f'  node [fontname="{FONT}", fontsize=13];',
        f'  edge [fontname="{FONT}", fontsize=11, color="#555555", fontcolor="#333333"];',
    ]


def _actor_node(n: Node) -> str:
    if n.kind is NodeKind.FINAL:
        a = _attrs(label=n.label, shape="doublecircle", style="filled", fillcolor=DEFAULT_FILL)
    else:
        a = _attrs(
            label=n.label,
            shape="box",
            style="rounded,filled",
            fillcolor=DEFAULT_FILL,
            penwidth=2 if n.kind is NodeKind.INITIAL else 1,
        )
    return f"  {quote(n.id)} {a};"


def _edge(e: Edge, **extra: str | int | float) -> str:
    kw: dict[str, str | int | float] = {}
    if e.label:
        kw["label"] = e.label
    if e.tooltip:
        kw["tooltip"] = e.tooltip
        kw["labeltooltip"] = e.tooltip
    kw.update(extra)
    return f"  {quote(e.source)} -> {quote(e.target)} {_attrs(**kw)};"


def _legend(g: Graph) -> list[str]:
    rows = []
    for cat, colour in sorted(g.palette.items()):
        rows.append(
            f'<TR><TD BGCOLOR="{colour}" WIDTH="24"> </TD><TD ALIGN="LEFT">{_html(cat)}</TD></TR>'
        )
    if any(MIXED in n.category for n in g.nodes):
        both = ":".join(sorted(g.palette.values())[:2])
        rows.append(
            f'<TR><TD BGCOLOR="{both}" WIDTH="24"> </TD>'
            '<TD ALIGN="LEFT">striped: states of several kinds</TD></TR>'
        )
    rows.append(
        f'<TR><TD BORDER="3" COLOR="{HIGHLIGHT}" WIDTH="24"> </TD>'
        '<TD ALIGN="LEFT">violates a property</TD></TR>'
    )
    if g.kind is not GraphKind.PRODUCT:
        double = '<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="2"><TR><TD> </TD></TR></TABLE>'
        rows.append(
            f'<TR><TD BORDER="0">{double}</TD><TD ALIGN="LEFT">double border: initial</TD></TR>'
        )
    table = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="4">' + "".join(rows) + "</TABLE>"
    return [f"  legend [shape=plaintext, label=<{table}>];"]


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fill(g: Graph, category: str) -> dict[str, str | int | float]:
    """Fill attributes: the category's colour, stripes for a mixed group, grey otherwise."""
    if category in g.palette:
        return {"style": "filled", "fillcolor": g.palette[category]}
    parts = [g.palette[c] for c in category.split(MIXED) if c in g.palette]
    if len(parts) > 1:
        return {"style": "striped", "fillcolor": ":".join(parts)}
    return {"style": "filled", "fillcolor": DEFAULT_FILL}


def _product_node(g: Graph, n: Node) -> str:
    kw: dict[str, str | int | float] = {"label": n.label, **_fill(g, n.category)}
    kw["tooltip"] = n.tooltip
    if g.kind is GraphKind.PRODUCT:
        kw.update(shape="circle", fixedsize="true", width=0.45, fontsize=11)
    else:
        kw["shape"] = "box"
        if kw["style"] == "filled":
            kw["style"] = "rounded,filled"
    if g.kind is GraphKind.QUOTIENT:
        kw.update(fontsize=11, margin="0.12,0.06")
    if n.kind is NodeKind.INITIAL:
        kw["peripheries"] = 2
    if n.highlight:
        kw.update(color=HIGHLIGHT, penwidth=3)
    return f"  {quote(n.id)} {_attrs(**kw)};"


def _loops_by_state(edges: list[Edge]) -> tuple[dict[str, list[Edge]], list[Edge]]:
    """Split self-loops (per state, in order) from the other edges."""
    loops: dict[str, list[Edge]] = {}
    rest = []
    for e in edges:
        if e.source == e.target:
            loops.setdefault(e.source, []).append(e)
        else:
            rest.append(e)
    return loops, rest


def _actor_node_with_loops(n: Node, loops: list[Edge]) -> str:
    """A state box with a compartment of its self-loops, as UML writes internal transitions.

    Drawn as arrows, several loops on one state stack their labels on top of each other and of
    the neighbouring edges' labels; listed inside the box they cannot collide with anything.
    """
    rows = "".join(
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10">↻ {_html(e.label.replace(chr(10), " "))}'
        "</FONT></TD></TR>"
        for e in loops
    )
    table = (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        f"<TR><TD>{_html(n.label)}</TD></TR><HR/>{rows}</TABLE>"
    )
    tip = "; ".join(f"{e.label.split(chr(10))[0]}: {e.tooltip}" for e in loops)
    style = "rounded,filled"
    width = 2 if n.kind is NodeKind.INITIAL else 1
    return (
        f"  {quote(n.id)} [label=<{table}>, shape=box, style={quote(style)}, "
        f'fillcolor="{DEFAULT_FILL}", penwidth={width}, tooltip={quote(tip)}];'
    )


def graph_to_dot(g: Graph) -> str:
    """DOT for an actor, product or summary graph."""
    wrapped = ["\n".join(textwrap.wrap(note, 90, break_on_hyphens=False)) for note in g.notes]
    title = g.title + "".join(f"\n{note}" for note in wrapped)
    if g.kind is GraphKind.ACTOR:
        if any(e.source == e.target for e in g.edges):
            title += "\n↻ event [guard]: a transition back into the same state"
        lines = _header(g.name, title, "LR")
        lines.append('  __start [shape=point, width=0.15, label=""];')
        loops, rest = _loops_by_state(g.edges)
        for n in g.nodes:
            in_box = loops.get(n.id) if n.kind is not NodeKind.FINAL else None
            lines.append(_actor_node_with_loops(n, in_box) if in_box else _actor_node(n))
        lines += [f"  __start -> {quote(n.id)};" for n in g.nodes if n.kind is NodeKind.INITIAL]
        lines += [_edge(e) for e in rest]
        lines += [
            _edge(e) for n in g.nodes if n.kind is NodeKind.FINAL for e in loops.get(n.id, [])
        ]
    else:
        lines = _header(g.name, title, "TB")
        lines += _legend(g)
        lines += [_product_node(g, n) for n in g.nodes]
        for e in g.edges:
            if g.kind is GraphKind.QUOTIENT:
                lines.append(_edge(e, fontsize=9, arrowsize=0.7))
            elif g.kind is GraphKind.SUMMARY:
                # thicker for busier edges, capped so arrowheads do not swallow the labels
                width = 1 + min(2.5, math.log10(max(e.count, 1)) / 2)
                lines.append(_edge(e, penwidth=round(width, 2), arrowsize=0.7))
            else:
                lines.append(_edge(e, fontsize=9))
    lines.append("}")
    return "\n".join(lines) + "\n"


_LANE_HEAD = {"shape": "box", "style": "filled", "fillcolor": "#dbe9f6"}
_SYNC_FILL, _LOCAL_FILL = "#fff2cc", "#e2f0d9"
_ARROW = 'style=solid, color="#1f4e79", penwidth=1.6, arrowhead=normal, constraint=false'


def _cell(lane: str, step_index: int) -> str:
    return f"r{step_index}_{lane}"


def _row(chart: SequenceChart, st: ChartStep, lines: list[str]) -> list[str]:
    """Emit one step's label and cells; return the row's node ids, left to right."""
    text = f"{st.index}. {st.label}"
    shared = st.changes_of("")
    if shared:
        text += "\n" + "\n".join(shared)
    if st.in_loop:
        text = "↻ " + text
    lines.append(f"  step{st.index} {_attrs(label=text, shape='plaintext', fontsize=11)};")
    moving: dict[str, str] = {}
    for lane, ev in st.parts:  # one instance may take two events of one rendezvous
        moving[lane] = f"{moving[lane]} / {ev}" if lane in moving else ev
    row = [f"step{st.index}"]
    for ln in chart.lanes:
        cid = _cell(ln.id, st.index)
        row.append(cid)
        if ln.id in moving:
            body = "\n".join((moving[ln.id], *st.changes_of(ln.id)))
            fill = _SYNC_FILL if st.is_sync else _LOCAL_FILL
            a = _attrs(label=body, shape="box", style="rounded,filled", fillcolor=fill, fontsize=11)
            lines.append(f"  {cid} {a};")
        else:
            lines.append(f'  {cid} [shape=point, width=0, style=invis, label=""];')
    return row


def _sync_hops(st: ChartStep, column: dict[str, int]) -> list[tuple[str, str]]:
    """Arrows of a sync step: from its first part outwards, each to the next lane that moves.

    Straight arrows from the first part to every other would run through the boxes in between;
    hops between neighbours never cross a box, and still start at the step's initiator.
    """
    first = st.parts[0][0]
    others = sorted({lane for lane, _ev in st.parts if lane != first}, key=column.__getitem__)
    left = [ln for ln in others if column[ln] < column[first]][::-1]
    right = [ln for ln in others if column[ln] > column[first]]
    hops = []
    for side in (left, right):
        prev = first
        for lane in side:
            hops.append((prev, lane))
            prev = lane
    return hops


def chart_to_dot(chart: SequenceChart) -> str:
    """DOT for a sequence chart: a grid whose rows are steps and whose columns are lanes.

    Each row is one ``rank=same`` group: a step label on the left, then one cell per lane (a box
    for a lane that moves, an invisible point on its lifeline otherwise). Heavy invisible edges
    keep each lane's column straight; a sync step draws arrows from its first part to the others.
    """
    title = chart.title
    if chart.loop_start is not None:
        title += f"\nsteps marked ↻ (after step {chart.loop_start}) repeat forever"
    lines = _header(chart.name, title, "TB")
    # straight arrows: as arcs, a step's arrows bulge into the row above and cross its boxes
    lines[1] = (
        lines[1]
        .replace("nodesep=0.5", "nodesep=0.35")
        .replace("ranksep=0.6", "ranksep=0.25")
        .replace("rankdir=TB", "rankdir=TB, splines=line")
    )
    lines.append('  edge [arrowhead=none, style=dashed, color="#999999", weight=100];')
    lines.append('  hdr [shape=plaintext, label="step"];')
    lines += [f"  {quote(ln.id)} {_attrs(label=ln.label, **_LANE_HEAD)};" for ln in chart.lanes]
    rows = [["hdr"] + [ln.id for ln in chart.lanes]]
    rows += [_row(chart, st, lines) for st in chart.steps]
    for row in rows:
        lines.append("  { rank=same; " + " ".join(quote(c) for c in row) + "; }")
        # invisible left-to-right chain: keeps the columns in lane order on every row
        lines.append("  " + " -> ".join(quote(c) for c in row) + " [style=invis, weight=1];")
    for col in range(len(rows[0])):
        chain = [row[col] for row in rows]
        style = "invis" if col == 0 else "dashed"
        lines.append("  " + " -> ".join(quote(c) for c in chain) + f" [style={style}];")
    column = {ln.id: k for k, ln in enumerate(chart.lanes)}
    for st in chart.steps:
        for a, b in _sync_hops(st, column):
            lines.append(f"  {_cell(a, st.index)} -> {_cell(b, st.index)} [{_ARROW}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
