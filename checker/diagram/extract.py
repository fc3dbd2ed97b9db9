"""Extractors: actor classes, explored products and traces into the plain diagram IR.

Everything comes out sorted or in the model's own declaration order, so the same input always
gives the same IR (and the same DOT text, which the repository commits and compares).
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from statemachine import StateMachine

from ..compile import ActorTable, TransitionRow, compile_actor
from ..errors import VfpathError
from ..explore import Exploration
from ..result import CheckResult, Trace
from ..view import StateView
from .ir import ChartStep, Edge, Graph, GraphKind, Lane, Node, NodeKind, SequenceChart

__all__ = [
    "DEFAULT_EDGE_LIMIT",
    "DEFAULT_NODE_LIMIT",
    "DiagramError",
    "actor_graph",
    "product_graph",
    "sequence_chart",
    "transition_source",
    "violation_charts",
]

# Above this many states, or moves, a product graph is collapsed by category. Measured with
# Graphviz 2.43 on the dining philosophers (labelled edges, 2 shared cores): 34 states / 136
# moves lay out in 0.2 s, 82 / 410 in 20 s, 198 / 1188 not within 60 s. Edges (each label is a
# virtual node) drive the cost, so both are bounded.
DEFAULT_NODE_LIMIT = 150
DEFAULT_EDGE_LIMIT = 300

Classifier = Callable[[StateView], str]
Predicate = Callable[[StateView], bool]


class DiagramError(VfpathError):
    """A diagram cannot be drawn from what was given (no graph kept, unknown category, ...)."""


# -- actor state diagrams -------------------------------------------------------------------


def _doc_of(cls: type, name: str) -> str:
    attr = inspect.getattr_static(cls, name, None)
    if isinstance(attr, property):
        attr = attr.fget
    doc = inspect.getdoc(attr) if attr is not None and callable(attr) else None
    if not doc or doc == inspect.getdoc(type(attr)):
        return ""
    return doc.strip().splitlines()[0]


def transition_source(cls: type, row: TransitionRow) -> str:
    """The citation shown as a transition's tooltip.

    In order: the class's ``sources`` dict (event name -> citation), else the first line of the
    docstring of the first guard or action that has one, else the event name.
    """
    sources = getattr(cls, "sources", None)
    if isinstance(sources, Mapping) and row.event in sources:
        return str(sources[row.event])
    for name in [g.name for g in row.guards] + [n for n, _f in row.actions]:
        doc = _doc_of(cls, name)
        if doc:
            return doc
    return row.event


def _guard_text(row: TransitionRow) -> str:
    return " ".join(f"[{g.name}]" if g.expected else f"[!{g.name}]" for g in row.guards)


def actor_graph(actor: type[StateMachine] | ActorTable) -> Graph:
    """The state diagram of one actor class: its states and every transition.

    Edge labels are ``event`` plus guards written ``[cond]`` (must hold) and ``[!cond]`` (an
    ``unless``: must not hold); the tooltip is :func:`transition_source`.
    """
    table = actor if isinstance(actor, ActorTable) else compile_actor(actor)
    cls = table.cls
    nodes = []
    for code, sid in enumerate(table.states):
        if code == table.initial:
            kind = NodeKind.INITIAL
        elif code in table.final:
            kind = NodeKind.FINAL
        else:
            kind = NodeKind.REGULAR
        nodes.append(Node(sid, sid, kind))
    edges = []
    for code in range(len(table.states)):
        for ev in table.events:
            for row in table.rows.get((code, ev), ()):
                guards = _guard_text(row)
                label = f"{ev}\n{guards}" if guards else ev
                edges.append(
                    Edge(
                        table.states[row.source],
                        table.states[row.target],
                        label,
                        transition_source(cls, row),
                    )
                )
    doc = (inspect.getdoc(cls) or "").strip().splitlines()
    # source keys such as MS-VFINIT must not be split at their hyphen
    summary = textwrap.wrap(doc[0], 70, break_on_hyphens=False) if doc else []
    title = "\n".join([cls.__name__, *summary])
    return Graph(cls.__name__, GraphKind.ACTOR, title, nodes, edges)


# -- product graphs ---------------------------------------------------------------------------


def _state_tooltip(desc: dict[str, Any]) -> str:
    return "\n".join(f"{k} = {v}" for k, v in desc.items())


def product_graph(
    ex: Exploration,
    *,
    classify: Classifier | None = None,
    palette: Mapping[str, str] | None = None,
    violating: Predicate | None = None,
    limit: int = DEFAULT_NODE_LIMIT,
    edge_limit: int = DEFAULT_EDGE_LIMIT,
    name: str = "product",
    title: str = "",
) -> Graph:
    """The explored product: one node per state, one edge per distinct (source, target, move).

    ``classify`` names each state's category (its fill colour from ``palette``); ``violating``
    marks states drawn with a red border. Above ``limit`` states or ``edge_limit`` distinct moves
    the graph is collapsed into a summary (one node per category, edges counting the moves between
    categories) and a note says so: the full layout would be slow and unreadable. Needs an
    exploration that kept its edges (``Options(graph=True)``).
    """
    if ex.edges is None:
        raise DiagramError("the exploration kept no edges; explore with Options(graph=True)")
    if limit < 1 or edge_limit < 1:
        raise DiagramError(f"limits must be at least 1, got {limit} states, {edge_limit} moves")
    product = ex.product
    palette = {cat: _colour(c) for cat, c in (palette or {}).items()}
    cats: list[str] = []
    bad: list[bool] = []
    for s in ex.states:
        view = StateView(product, s)
        cat = classify(view) if classify is not None else ""
        if cat and palette and cat not in palette:
            raise DiagramError(f"category {cat!r} has no colour in the palette {sorted(palette)}")
        cats.append(cat)
        bad.append(bool(violating(view)) if violating is not None else False)
    labels = [m.label for m in product.moves]
    src, dst, mv = ex.edges
    triples = sorted(set(zip(src, dst, mv, strict=True)))
    if len(ex.states) > limit or len(triples) > edge_limit:
        why = (
            f"{len(ex.states):,} states exceed the limit of {limit:,}"
            if len(ex.states) > limit
            else f"{len(triples):,} moves exceed the limit of {edge_limit:,}"
        )
        return _summary(cats, bad, triples, labels, palette, why, name, title)
    nodes = []
    for sid, s in enumerate(ex.states):
        kind = NodeKind.INITIAL if sid == 0 else NodeKind.REGULAR
        tip = _state_tooltip(product.describe(s))
        nodes.append(Node(f"s{sid}", str(sid), kind, cats[sid], bad[sid], tip))
    edges = [Edge(f"s{a}", f"s{b}", labels[m], labels[m]) for a, b, m in triples]
    graph = Graph(name, GraphKind.PRODUCT, title or name, nodes, edges, palette)
    graph.notes.append(
        f"{len(nodes)} states, {len(edges)} moves, {sum(bad)} violating; state 0 is initial"
    )
    return graph


def _colour(c: str) -> str:
    """Graphviz reads ``#rgb`` as black; widen it to ``#rrggbb`` as CSS would."""
    if re.fullmatch(r"#[0-9a-fA-F]{3}", c):
        return "#" + "".join(ch * 2 for ch in c[1:])
    return c


def _summary(
    cats: list[str],
    bad: list[bool],
    triples: list[tuple[int, int, int]],
    labels: list[str],
    palette: dict[str, str],
    why: str,
    name: str,
    title: str,
) -> Graph:
    """Collapse states by category: the readable picture of a graph too large to lay out."""
    size = Counter(cats)
    nbad = Counter(c for c, b in zip(cats, bad, strict=True) if b)
    order = sorted(size)
    ids = {c: f"c{k}" for k, c in enumerate(order)}
    nodes = []
    for c in order:
        text = f"{c or 'all states'}\n{size[c]:,} states"
        if nbad[c]:
            text += f"\n{nbad[c]:,} violating"
        kind = NodeKind.INITIAL if c == cats[0] else NodeKind.REGULAR
        nodes.append(Node(ids[c], text, kind, c, nbad[c] > 0, text.replace("\n", ", ")))
    counts: Counter[tuple[str, str]] = Counter()
    moves: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a, b, m in triples:
        key = (cats[a], cats[b])
        counts[key] += 1
        moves[key].add(labels[m])
    edges = []
    for (ca, cb), n in sorted(counts.items()):
        kinds = sorted(moves[(ca, cb)])
        tip = ", ".join(kinds[:12]) + (f", ... ({len(kinds)} kinds)" if len(kinds) > 12 else "")
        edges.append(Edge(ids[ca], ids[cb], f" {n:,} moves ", tip, n))
    note = (
        f"{why}: showing a summary, "
        f"one node per category ({len(order)}), edges count the moves between them"
    )
    graph = Graph(name, GraphKind.SUMMARY, title or name, nodes, edges, palette, [note])
    return graph


# -- sequence charts --------------------------------------------------------------------------


def _lane_id(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W+", "_", name).strip("_") or "lane"
    if base[0].isdigit():
        base = "l_" + base
    out, n = base, 2
    while out in taken:
        out, n = f"{base}_{n}", n + 1
    taken.add(out)
    return out


def _short(v: Any) -> str:
    if isinstance(v, list | tuple):
        inner = ", ".join(_short(x) for x in v)
        return f"[{inner}]" if isinstance(v, list) else f"({inner})"
    return str(v)


def sequence_chart(
    trace: Trace, *, title: str = "", violated: str = "", name: str = "trace"
) -> SequenceChart:
    """A trace as lanes (instances that take part, in model order) and steps, top to bottom.

    ``violated`` names the property the trace breaks; it leads the title. Changed variables are
    shown per lane as ``var: old → new`` (the instance's own state as ``state: old → new``);
    changes of slots that belong to no lane (channels) are attached to the step itself.
    """
    instances = [k for k in trace.initial if "." not in k]
    taking = {inst for step in trace.steps for inst, _ev in step.parts}
    ordered = [i for i in instances if i in taking]
    ordered += sorted(taking - set(ordered))
    taken: set[str] = set()
    lanes = [Lane(_lane_id(n, taken), n) for n in ordered]
    lane_of = {ln.label: ln.id for ln in lanes}
    steps = []
    for step in trace.steps:
        per: dict[str, list[str]] = defaultdict(list)
        for key, (old, new) in step.changes.items():
            inst, _, var = key.partition(".")
            if inst in lane_of:
                per[lane_of[inst]].append(f"{var or 'state'}: {_short(old)} → {_short(new)}")
            else:
                per[""].append(f"{key}: {_short(old)} → {_short(new)}")
        changes = tuple((k, tuple(v)) for k, v in sorted(per.items()))
        parts = tuple((lane_of[i], ev) for i, ev in step.parts)
        in_loop = trace.loop_start is not None and step.index > trace.loop_start
        steps.append(ChartStep(step.index, step.label, parts, changes, in_loop))
    head = title or name
    if violated:
        head = f"{violated} violated: {head}" if title else f"{violated} violated"
    return SequenceChart(name, head, lanes, steps, trace.loop_start)


def violation_charts(result: CheckResult) -> list[SequenceChart]:
    """One chart per violated property that has a counterexample, named after the property."""
    charts = []
    for p in result.violated:
        if p.counterexample is not None:
            title = f"{result.system}: {p.note}" if p.note else result.system
            charts.append(
                sequence_chart(p.counterexample, title=title, violated=p.name, name=p.name)
            )
    return charts
