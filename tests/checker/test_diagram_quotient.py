"""Quotient graphs and the actor diagram's loop compartments, on the domain-free models."""

from __future__ import annotations

import re
import shutil
from collections import Counter

import pytest
from models import PetersonProcess, Turn, broken_lock, peterson

from vfpath.checker import Options
from vfpath.checker.diagram import (
    DiagramError,
    GraphKind,
    NodeKind,
    actor_graph,
    control_states,
    quotient_graph,
    sequence_chart,
    to_dot,
    to_mermaid,
)
from vfpath.checker.diagram import render as render_mod
from vfpath.checker.explore import explore
from vfpath.checker.result import Step, Trace

HAVE_DOT = shutil.which("dot") is not None


def _explore(system):  # type: ignore[no-untyped-def]
    return explore(system.build(), [], Options(graph=True))


def _count(label: str) -> int:
    m = re.search(r"(\d+) states?\b", label)
    assert m, label
    return int(m.group(1))


def test_groups_partition_the_states_and_edges_join_distinct_groups() -> None:
    ex = _explore(peterson())
    assert ex.edges is not None
    prod = ex.product
    key = [prod.state_of(s, "p0") for s in ex.states]
    g = quotient_graph(ex, control_states(["p0"]))
    assert g.kind is GraphKind.QUOTIENT
    # one group per distinct p0 state, sized by how many explored states have it
    sizes = Counter(key)
    got = {n.label.splitlines()[0]: _count(n.label) for n in g.nodes}
    assert got == {f"p0: {k}": v for k, v in sizes.items()}
    # the initial state's group comes first and is marked
    assert g.nodes[0].label.startswith(f"p0: {key[0]}")
    assert [n.kind for n in g.nodes].count(NodeKind.INITIAL) == 1
    assert g.nodes[0].kind is NodeKind.INITIAL
    # edges: exactly the group pairs some move joins; moves within a group are not drawn
    ids = {n.label.splitlines()[0][4:]: n.id for n in g.nodes}
    pairs = {
        (ids[key[a]], ids[key[b]])
        for a, b in zip(ex.edges[0], ex.edges[1], strict=True)
        if key[a] != key[b]
    }
    assert {(e.source, e.target) for e in g.edges} == pairs
    triples = set(zip(*ex.edges, strict=True))
    between = sum(1 for a, b, _m in triples if key[a] != key[b])
    assert sum(e.count for e in g.edges) == between
    assert {s.id for s in PetersonProcess.states} >= set(sizes)


def test_edge_labels_list_the_moves_through_the_callers_renaming() -> None:
    ex = _explore(peterson())
    g = quotient_graph(ex, control_states(["p0"], ["P"]), move_label=str.upper)
    moves = {m.label.upper() for m in ex.product.moves}
    for e in g.edges:
        assert set(e.label.split("\n")) <= moves
    assert all(n.label.startswith("P: ") for n in g.nodes)


def test_a_group_is_highlighted_iff_it_holds_a_violating_state() -> None:
    ex = _explore(broken_lock())
    prod = ex.product
    both = [prod.state_of(s, "p0") == prod.state_of(s, "p1") == "critical" for s in ex.states]
    assert any(both)
    g = quotient_graph(
        ex,
        control_states(["p0", "p1"]),
        violating=lambda v: v["p0"].state == v["p1"].state == "critical",
    )
    bad = [n for n in g.nodes if n.highlight]
    assert [n.label.splitlines()[:2] for n in bad] == [["p0: critical", "p1: critical"]]
    assert f"{sum(both)} violating" in bad[0].label
    assert to_dot(g).count('color="#d62728", penwidth=3') == 1


def test_a_group_of_mixed_categories_is_striped() -> None:
    ex = _explore(broken_lock())
    g = quotient_graph(
        ex,
        control_states(["p0"]),
        classify=lambda v: "busy" if v["p1"].state == "critical" else "calm",
        palette={"busy": "#ff0000", "calm": "#00ff00"},
    )
    cats = {n.label.splitlines()[0]: n.category for n in g.nodes}
    # p0 idle: p1 may be anywhere, so both categories occur
    assert cats["p0: idle"] == "busy+calm"
    dot = to_dot(g)
    assert 'style="striped", fillcolor="#ff0000:#00ff00"' in dot
    assert "striped: states of several kinds" in dot
    assert "classDef" in to_mermaid(g)


def test_above_the_limit_the_quotient_becomes_a_summary() -> None:
    ex = _explore(peterson())
    g = quotient_graph(ex, control_states(["p0", "p1"]), limit=2)
    assert g.kind is GraphKind.SUMMARY
    assert any("groups exceed the limit of 2" in n for n in g.notes)
    full = quotient_graph(ex, control_states(["p0", "p1"]))
    g = quotient_graph(ex, control_states(["p0", "p1"]), edge_limit=len(full.edges) - 1)
    assert g.kind is GraphKind.SUMMARY


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(DiagramError, match="graph=True"):
        quotient_graph(explore(peterson().build(), [], Options()), control_states(["p0"]))
    with pytest.raises(DiagramError, match="at least one"):
        control_states([])
    with pytest.raises(DiagramError, match="2 labels for 1"):
        control_states(["p0"], ["a", "b"])
    ex = _explore(peterson())
    with pytest.raises(DiagramError, match="no colour"):
        quotient_graph(ex, control_states(["p0"]), classify=lambda v: "x", palette={"y": "#fff"})


def test_self_loops_are_listed_in_the_state_box_not_drawn_as_arrows() -> None:
    loops = [e for e in actor_graph(Turn).edges if e.source == e.target]
    assert loops, "Turn gives the turn to whoever holds it: t0 -> t0 and t1 -> t1"
    dot = to_dot(actor_graph(Turn))
    for e in loops:
        assert f'"{e.source}" -> "{e.target}"' not in dot
        assert f"↻ {e.label}" in dot
    others = [e for e in actor_graph(Turn).edges if e.source != e.target]
    for e in others:
        assert f'"{e.source}" -> "{e.target}"' in dot


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot is not installed")
def test_quotient_and_loop_boxes_render() -> None:
    ex = _explore(broken_lock())
    g = quotient_graph(
        ex,
        control_states(["p0"]),
        classify=lambda v: "busy" if v["p1"].state == "critical" else "calm",
        palette={"busy": "#ff0000", "calm": "#00ff00"},
    )
    for d in (g, actor_graph(Turn)):
        assert b"<svg" in render_mod.run_dot(to_dot(d), "svg", timeout=30)


def test_a_sync_step_draws_hops_between_neighbouring_lanes_from_its_initiator() -> None:
    # lanes in model order a, b, c, d, e; c starts a rendezvous with a, d and e (b stays put)
    initial = {name: "idle" for name in "abcde"}
    parts = (("c", "go"), ("e", "x"), ("a", "y"), ("d", "z"))
    trace = Trace(initial, (Step(1, "c.go", parts, {}),))
    chart = sequence_chart(trace)
    assert [ln.label for ln in chart.lanes] == ["a", "c", "d", "e"]
    dot = to_dot(chart)
    hops = re.findall(r"r1_(\w) -> r1_(\w) \[style=solid", dot)
    # outwards from c: to a on the left; to d, then d to e on the right; never across a box
    assert sorted(hops) == [("c", "a"), ("c", "d"), ("d", "e")]
