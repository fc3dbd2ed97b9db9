"""Render the diagram IR as Mermaid text, to paste into a review document.

Actor graphs become ``stateDiagram-v2``, product graphs ``flowchart TD`` with ``classDef`` colours,
and traces ``sequenceDiagram``. Mermaid identifiers are restricted, so every node and lane gets a
safe id and its real name as a label.
"""

from __future__ import annotations

import re

from .ir import Graph, GraphKind, NodeKind, SequenceChart

__all__ = ["chart_to_mermaid", "graph_to_mermaid"]

HIGHLIGHT = "#d62728"


def _text(s: str) -> str:
    """Label text safe inside Mermaid: no newlines, no characters that end a label."""
    s = s.replace("\n", " ").replace(";", ",").replace("#", "no.")
    return s.replace('"', "'")


def _sid(s: str) -> str:
    out = re.sub(r"\W", "_", s)
    return out if out and not out[0].isdigit() else "s_" + out


def _actor(g: Graph) -> list[str]:
    lines = ["stateDiagram-v2", f"  %% {_text(g.title)}"]
    for n in g.nodes:
        lines.append(f'  state "{_text(n.label)}" as {_sid(n.id)}')
    for n in g.nodes:
        if n.kind is NodeKind.INITIAL:
            lines.append(f"  [*] --> {_sid(n.id)}")
    for e in g.edges:
        label = _text(e.label).replace(":", " ")
        lines.append(f"  {_sid(e.source)} --> {_sid(e.target)} : {label}")
    for n in g.nodes:
        if n.kind is NodeKind.FINAL:
            lines.append(f"  {_sid(n.id)} --> [*]")
    return lines


def _product(g: Graph) -> list[str]:
    lines = ["flowchart TD", f"  %% {_text(g.title)}"]
    lines += [f"  %% {_text(note)}" for note in g.notes]
    for n in g.nodes:
        shape = ('(("', '"))') if g.kind is GraphKind.PRODUCT else ('(["', '"])')
        label = "<br/>".join(_text(line) for line in n.label.split("\n"))
        lines.append(f"  {_sid(n.id)}{shape[0]}{label}{shape[1]}")
    for e in g.edges:
        label = "<br/>".join(_text(line) for line in e.label.split("\n")).replace("|", "/")
        arrow = f"-->|{label}|" if label else "-->"
        lines.append(f"  {_sid(e.source)} {arrow} {_sid(e.target)}")
    for cat, colour in sorted(g.palette.items()):
        lines.append(f"  classDef {_sid('cat_' + cat)} fill:{colour}")
        # a mixed group ("a+b") takes its first category's colour: Mermaid has no stripes
        members = [_sid(n.id) for n in g.nodes if n.category.split("+")[0] == cat]
        if members:
            lines.append(f"  class {','.join(members)} {_sid('cat_' + cat)}")
    bad = [_sid(n.id) for n in g.nodes if n.highlight]
    if bad:
        lines.append(f"  classDef violating stroke:{HIGHLIGHT},stroke-width:3px")
        lines.append(f"  class {','.join(bad)} violating")
    return lines


def graph_to_mermaid(g: Graph) -> str:
    """Mermaid for an actor, product or summary graph."""
    lines = _actor(g) if g.kind is GraphKind.ACTOR else _product(g)
    return "\n".join(lines) + "\n"


def chart_to_mermaid(chart: SequenceChart) -> str:
    """A Mermaid ``sequenceDiagram``: an arrow per synchronised pair, a self-arrow per local step.

    A sync step of n parts draws n-1 arrows from its first part; a local step draws one arrow
    from its lane to itself, so every step is an arrow that a reader can count. Changed
    variables follow as a note over the lanes that moved.
    """
    lines = ["sequenceDiagram", f"  title {_text(chart.title)}"]
    for ln in chart.lanes:
        lines.append(f"  participant {ln.id} as {_text(ln.label)}")
    looping = False
    for st in chart.steps:
        if st.in_loop and not looping:
            lines.append("  loop repeats forever")
            looping = True
        first, ev = st.parts[0]
        label = _text(f"{st.index}. {st.label}").replace(":", " ")
        if st.is_sync:
            for lane, other_ev in st.parts[1:]:
                lines.append(f"  {first}->>{lane}: {label} ({_text(ev)} / {_text(other_ev)})")
        else:
            lines.append(f"  {first}->>{first}: {label}")
        for lane, _ev in st.parts:
            changes = st.changes_of(lane)
            if changes:
                lines.append(f"  Note over {lane}: {_text(', '.join(changes))}")
        shared = st.changes_of("")
        if shared:
            ends = list(dict.fromkeys(p for p, _e in st.parts))
            over = ",".join(ends[:1] + ends[1:][-1:])  # Mermaid spans at most two lanes
            lines.append(f"  Note over {over}: {_text(', '.join(shared))}")
    if looping:
        lines.append("  end")
    return "\n".join(lines) + "\n"
