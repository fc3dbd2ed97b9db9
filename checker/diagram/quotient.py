"""Quotient graphs: explored states grouped by a projection, for products too large to draw whole.

A product of a few hundred states is already a hairball when drawn state by state, yet most of its
structure is "which phase is each protocol partner in". Projecting every state onto a few actors'
control states and drawing one node per distinct projection keeps the phases and the moves between
them, and hides what the reviewer does not ask about (other actors' steps, variables, channel
contents). Moves whose endpoints share a group are counted on the node instead of drawn.

Example::

    g = quotient_graph(ex, lambda v: (f"p0: {v['p0'].state}", f"p1: {v['p1'].state}"))
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence

from ..explore import Exploration
from ..view import StateView
from .dot import MIXED
from .extract import (
    DEFAULT_EDGE_LIMIT,
    DEFAULT_NODE_LIMIT,
    Classifier,
    DiagramError,
    Predicate,
    _colour,
    _summary,
)
from .ir import Edge, Graph, GraphKind, Node, NodeKind

__all__ = ["MIXED", "Projection", "control_states", "quotient_graph"]

# a projection names a state's group by a few lines of text ("netvsc: on_vf", ...)
Projection = Callable[[StateView], Sequence[str]]


def _category(cats: set[str]) -> str:
    return MIXED.join(sorted(c for c in cats if c))


def quotient_graph(
    ex: Exploration,
    project: Projection,
    *,
    classify: Classifier | None = None,
    palette: Mapping[str, str] | None = None,
    violating: Predicate | None = None,
    move_label: Callable[[str], str] | None = None,
    limit: int = DEFAULT_NODE_LIMIT,
    edge_limit: int = DEFAULT_EDGE_LIMIT,
    name: str = "quotient",
    title: str = "",
) -> Graph:
    """One node per distinct ``project(state)``, one edge per pair of groups a move joins.

    Node labels are the projection's lines and the number of states in the group; a group whose
    states fall in several ``classify`` categories gets the category ``"a+b"`` (striped in DOT).
    A group holding a ``violating`` state is highlighted. Edge labels list the distinct moves
    (through ``move_label``, e.g. to drop indices that are always 0) with the number of product
    transitions in the tooltip. Groups are numbered in exploration order, so the initial state's
    group is ``g0``. Above ``limit`` groups or ``edge_limit`` edges, a summary by category.
    """
    if ex.edges is None:
        raise DiagramError("the exploration kept no edges; explore with Options(graph=True)")
    if limit < 1 or edge_limit < 1:
        raise DiagramError(f"limits must be at least 1, got {limit} groups, {edge_limit} edges")
    product = ex.product
    palette = {cat: _colour(c) for cat, c in (palette or {}).items()}
    rename = move_label or (lambda s: s)
    group_of: list[int] = []
    keys: dict[tuple[str, ...], int] = {}
    cats: list[str] = []
    bad: list[bool] = []
    members: Counter[int] = Counter()
    group_cats: dict[int, set[str]] = defaultdict(set)
    group_bad: Counter[int] = Counter()
    for s in ex.states:
        view = StateView(product, s)
        key = tuple(project(view))
        g = keys.setdefault(key, len(keys))
        group_of.append(g)
        cat = classify(view) if classify is not None else ""
        if cat and palette and cat not in palette:
            raise DiagramError(f"category {cat!r} has no colour in the palette {sorted(palette)}")
        is_bad = bool(violating(view)) if violating is not None else False
        cats.append(cat)
        bad.append(is_bad)
        members[g] += 1
        group_cats[g].add(cat)
        group_bad[g] += is_bad
    labels = [m.label for m in product.moves]
    src, dst, mv = ex.edges
    between: dict[tuple[int, int], set[str]] = defaultdict(set)
    counts: Counter[tuple[int, int]] = Counter()
    inner: Counter[int] = Counter()
    for a, b, m in set(zip(src, dst, mv, strict=True)):
        ga, gb = group_of[a], group_of[b]
        if ga == gb:
            inner[ga] += 1
        else:
            between[(ga, gb)].add(rename(labels[m]))
            counts[(ga, gb)] += 1
    if len(keys) > limit or len(between) > edge_limit:
        why = (
            f"{len(keys):,} groups exceed the limit of {limit:,}"
            if len(keys) > limit
            else f"{len(between):,} edges between groups exceed the limit of {edge_limit:,}"
        )
        triples = sorted(set(zip(src, dst, mv, strict=True)))
        return _summary(cats, bad, triples, labels, palette, why, name, title)
    nodes = [_node(key, g, members, inner, group_cats, group_bad) for key, g in keys.items()]
    edges = []
    for (ga, gb), moves in sorted(between.items()):
        text = "\n".join(sorted(moves))
        tip = f"{counts[(ga, gb)]} transitions: " + ", ".join(sorted(moves))
        edges.append(Edge(f"g{ga}", f"g{gb}", text, tip, counts[(ga, gb)]))
    graph = Graph(name, GraphKind.QUOTIENT, title or name, nodes, edges, palette)
    graph.notes.append(
        f"{len(ex.states):,} states in {len(nodes)} groups, {len(edges)} edges between groups, "
        f"{sum(bad):,} violating states; moves inside a group are counted on the node"
    )
    return graph


def _node(
    key: tuple[str, ...],
    g: int,
    members: Counter[int],
    inner: Counter[int],
    group_cats: Mapping[int, set[str]],
    group_bad: Counter[int],
) -> Node:
    count = f"{members[g]} state" + ("s" if members[g] != 1 else "")
    if inner[g]:
        count += f", {inner[g]} inner moves"
    lines = [*key, count]
    if group_bad[g]:
        lines.append(f"{group_bad[g]} violating")
    kind = NodeKind.INITIAL if g == 0 else NodeKind.REGULAR
    label = "\n".join(lines)
    return Node(f"g{g}", label, kind, _category(group_cats[g]), group_bad[g] > 0, ", ".join(lines))


def control_states(instances: Sequence[str], labels: Sequence[str] | None = None) -> Projection:
    """A projection onto the control states of ``instances``: ``"label: state"`` per instance.

    ``labels`` are the names shown (default: the instance names), e.g. class names when a
    configuration has one instance of each.
    """
    names = list(instances)
    shown = list(labels) if labels is not None else names
    if not names:
        raise DiagramError("a projection needs at least one instance")
    if len(shown) != len(names):
        raise DiagramError(f"{len(shown)} labels for {len(names)} instances")

    def project(view: StateView) -> tuple[str, ...]:
        return tuple(f"{label}: {view[n].state}" for n, label in zip(names, shown, strict=True))

    return project
