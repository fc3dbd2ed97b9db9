"""Diagrams: the IR matches the class, graphs and charts match the exploration and the trace."""

from __future__ import annotations

import re
import shutil
import subprocess

import graphviz
import pytest
from models import Fork, PetersonProcess, Philosopher, Turn, broken_lock, peterson, philosophers
from statemachine import State, StateMachine

from vfpath.checker import Options, check
from vfpath.checker.actor import Actor
from vfpath.checker.diagram import (
    FORMATS,
    DiagramError,
    GraphKind,
    GraphvizMissing,
    NodeKind,
    RenderTimeout,
    actor_graph,
    parse_formats,
    product_graph,
    register_format,
    sequence_chart,
    to_dot,
    to_mermaid,
    violation_charts,
    write_diagram,
)
from vfpath.checker.diagram import render as render_mod
from vfpath.checker.explore import explore
from vfpath.checker.result import Step, Trace

HAVE_DOT = shutil.which("dot") is not None


class Door(Actor, StateMachine):
    """A door with a lock, for the diagram tests."""

    variables = {"key": False}
    sources = {"smash": "door-spec 4.2"}

    closed = State(initial=True)
    opened = State()
    locked = State()
    broken = State(final=True)

    open = closed.to(opened, unless="is_locked")
    close = opened.to(closed)
    lock = closed.to(locked, cond="has_key")
    unlock = locked.to(closed, cond="has_key", unless="is_jammed")
    smash = locked.to(broken) | closed.to(broken)

    def is_locked(self) -> bool:
        """door-spec 3.1: a locked door stays shut."""
        return False

    def has_key(self) -> bool:
        return bool(self.key)

    def is_jammed(self) -> bool:
        return False


# written from the class body above, by hand
DOOR_EDGES = {
    ("closed", "opened", "open\n[!is_locked]"),
    ("opened", "closed", "close"),
    ("closed", "locked", "lock\n[has_key]"),
    ("locked", "closed", "unlock\n[has_key] [!is_jammed]"),
    ("locked", "broken", "smash"),
    ("closed", "broken", "smash"),
}


def test_actor_graph_has_exactly_the_class_states_and_transitions() -> None:
    g = actor_graph(Door)
    assert g.kind is GraphKind.ACTOR
    assert {n.id for n in g.nodes} == {"closed", "opened", "locked", "broken"}
    assert {(e.source, e.target, e.label) for e in g.edges} == DOOR_EDGES
    assert len(g.edges) == len(DOOR_EDGES)
    kinds = {n.id: n.kind for n in g.nodes}
    assert kinds["closed"] is NodeKind.INITIAL
    assert kinds["broken"] is NodeKind.FINAL
    assert kinds["opened"] is kinds["locked"] is NodeKind.REGULAR


def test_tooltip_prefers_sources_then_docstring_then_event() -> None:
    tips = {(e.source, e.target): e.tooltip for e in actor_graph(Door).edges}
    assert tips[("locked", "broken")] == "door-spec 4.2"  # the class's sources dict
    assert tips[("closed", "opened")] == "door-spec 3.1: a locked door stays shut."  # docstring
    assert tips[("opened", "closed")] == "close"  # nothing else: the event name


@pytest.mark.parametrize("cls", [PetersonProcess, Turn, Philosopher, Fork])
def test_actor_graph_matches_the_library_view_of_the_class(cls: type[StateMachine]) -> None:
    expected = {
        (s.id, t.target.id, str(getattr(ev, "id", ev)))
        for s in cls.states
        for t in s.transitions
        for ev in t.events
    }
    got = {(e.source, e.target, e.label.split("\n")[0]) for e in actor_graph(cls).edges}
    assert got == expected


def _svg(source: str) -> bytes:
    return render_mod.run_dot(source, "svg", timeout=30)


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot is not installed")
def test_every_kind_of_dot_parses() -> None:
    sysm = peterson()
    ex = explore(sysm.build(), [], Options(graph=True))
    trace = check(broken_lock())["mutual-exclusion"].counterexample
    assert trace is not None
    diagrams = [
        actor_graph(Door),
        product_graph(ex),
        product_graph(ex, limit=3),
        sequence_chart(trace, violated="mutual-exclusion"),
    ]
    for d in diagrams:
        assert b"<svg" in _svg(to_dot(d))


def _peterson_exploration():  # type: ignore[no-untyped-def]
    sysm = peterson()
    return explore(sysm.build(), [], Options(graph=True))


def test_product_graph_has_one_node_per_state_and_one_edge_per_distinct_move() -> None:
    ex = _peterson_exploration()
    assert ex.edges is not None
    g = product_graph(ex)
    assert g.kind is GraphKind.PRODUCT
    assert len(g.nodes) == len(ex.states)
    triples = set(zip(*ex.edges, strict=True))
    assert len(g.edges) == len(triples)
    labels = {m.label for m in ex.product.moves}
    assert {e.label for e in g.edges} <= labels
    assert [n.id for n in g.nodes if n.kind is NodeKind.INITIAL] == ["s0"]


def test_product_graph_colours_and_highlights_by_the_callers_functions() -> None:
    sysm = broken_lock()
    ex = explore(sysm.build(), [], Options(graph=True))
    both = [
        sid
        for sid, s in enumerate(ex.states)
        if ex.product.state_of(s, "p0") == "critical" and ex.product.state_of(s, "p1") == "critical"
    ]
    assert both, "the broken lock must reach a state with both processes critical"
    g = product_graph(
        ex,
        classify=lambda v: "in" if "critical" in (v["p0"].state, v["p1"].state) else "out",
        palette={"in": "#fc8", "out": "#eeeeee"},
        violating=lambda v: v["p0"].state == v["p1"].state == "critical",
    )
    assert sorted(int(n.id[1:]) for n in g.nodes if n.highlight) == both
    assert g.palette["in"] == "#ffcc88"  # short CSS colours are widened for Graphviz
    dot = to_dot(g)
    assert dot.count('color="#d62728", penwidth=3') == len(both)


def test_above_the_limit_a_summary_by_category_replaces_the_graph() -> None:
    ex = _peterson_exploration()
    assert ex.edges is not None

    def cat(v) -> str:  # type: ignore[no-untyped-def]
        return v["p0"].state

    g = product_graph(ex, classify=cat, limit=len(ex.states) - 1)
    assert g.kind is GraphKind.SUMMARY
    assert any(f"limit of {len(ex.states) - 1}" in n for n in g.notes)
    assert {n.label.split("\n")[0] for n in g.nodes} == {s.id for s in PetersonProcess.states}
    assert sum(e.count for e in g.edges) == len(set(zip(*ex.edges, strict=True)))
    assert product_graph(ex, classify=cat, limit=len(ex.states)).kind is GraphKind.PRODUCT


def test_too_many_moves_also_switch_to_the_summary() -> None:
    ex = _peterson_exploration()
    assert ex.edges is not None
    moves = len(set(zip(*ex.edges, strict=True)))
    g = product_graph(ex, limit=10_000, edge_limit=moves - 1)
    assert g.kind is GraphKind.SUMMARY
    assert any(f"{moves} moves exceed the limit of {moves - 1}" in n for n in g.notes)
    assert product_graph(ex, limit=10_000, edge_limit=moves).kind is GraphKind.PRODUCT


def test_product_graph_refuses_what_it_cannot_draw() -> None:
    sysm = peterson()
    ex = explore(sysm.build(), [], Options())
    with pytest.raises(DiagramError, match="graph=True"):
        product_graph(ex)
    ex = _peterson_exploration()
    with pytest.raises(DiagramError, match="no colour"):
        product_graph(ex, classify=lambda v: "x", palette={"y": "#ffffff"})


def _arrows(mermaid: str) -> int:
    return len(re.findall(r"->>", mermaid))


def test_sequence_chart_of_a_counterexample() -> None:
    result = check(broken_lock())
    trace = result["mutual-exclusion"].counterexample
    assert trace is not None
    chart = sequence_chart(trace, violated="mutual-exclusion")
    assert "mutual-exclusion" in chart.title
    assert [ln.label for ln in chart.lanes] == ["p0", "p1"]
    assert [s.label for s in chart.steps] == trace.labels
    mer = to_mermaid(chart)
    assert mer.startswith("sequenceDiagram")
    assert _arrows(mer) == len(trace.steps)  # every step here is local: one self-arrow each
    assert "mutual-exclusion" in mer.splitlines()[1]
    charts = violation_charts(result)
    assert [c.name for c in charts] == [p.name for p in result.violated if p.counterexample]


def test_sync_steps_draw_arrows_between_their_participants() -> None:
    trace = check(philosophers(3))["deadlock-free"].counterexample
    assert trace is not None and all(len(s.parts) == 2 for s in trace.steps)
    chart = sequence_chart(trace, violated="deadlock-free")
    mer = to_mermaid(chart)
    assert _arrows(mer) == sum(len(s.parts) - 1 for s in trace.steps)
    ids = {ln.label: ln.id for ln in chart.lanes}
    for s in trace.steps:
        (a, _), (b, _) = s.parts
        assert f"{ids[a]}->>{ids[b]}:" in mer
        assert f"r{s.index}_{ids[a]} -> r{s.index}_{ids[b]}" in to_dot(chart)


def test_changes_go_to_their_lane_and_a_loop_is_marked() -> None:
    initial = {"a": "idle", "a.n": 0, "b": "idle", "q": []}
    steps = (
        Step(1, "a.go", (("a", "go"),), {"a": ("idle", "busy"), "a.n": (0, 1), "q": ([], [1])}),
        Step(2, "ping", (("a", "ping"), ("b", "pong")), {"b": ("idle", "busy")}),
    )
    chart = sequence_chart(Trace(initial, steps, loop_start=1), violated="eventually-done")
    first, second = chart.steps
    assert first.changes_of("a") == ("state: idle → busy", "n: 0 → 1")
    assert first.changes_of("") == ("q: [] → [1]",)
    assert (first.in_loop, second.in_loop) == (False, True)
    mer = to_mermaid(chart)
    assert "loop repeats forever" in mer and mer.rstrip().endswith("end")
    assert "repeat forever" in to_dot(chart)


def test_dot_text_is_deterministic() -> None:
    ex1, ex2 = _peterson_exploration(), _peterson_exploration()
    assert to_dot(product_graph(ex1)) == to_dot(product_graph(ex2))
    assert to_dot(actor_graph(Door)) == to_dot(actor_graph(Door))


def test_missing_dot_says_how_to_install_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_mod.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizMissing, match="apt-get install graphviz"):
        render_mod.render_bytes(actor_graph(Door), "svg")


def test_dot_vanishing_after_the_check_is_the_same_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from graphviz.backend import execute

    def gone(*a: object, **k: object) -> None:
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(render_mod.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(execute, "run_check", gone)
    with pytest.raises(GraphvizMissing, match="install Graphviz"):
        render_mod.run_dot("digraph {}", "svg")


def test_a_runaway_layout_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    from graphviz.backend import execute

    def slow(*a: object, **k: object) -> None:
        raise subprocess.TimeoutExpired(["dot"], k["timeout"])  # type: ignore[arg-type]

    monkeypatch.setattr(render_mod.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(execute, "run_check", slow)
    with pytest.raises(RenderTimeout, match="within 7 s"):
        render_mod.run_dot("digraph {}", "svg", timeout=7)


def test_formats_are_a_registry_and_unknown_ones_are_refused() -> None:
    assert parse_formats(" SVG,dot,svg ") == ["svg", "dot"]
    with pytest.raises(DiagramError, match="unknown format 'jpeg'"):
        parse_formats("svg,jpeg")
    with pytest.raises(DiagramError, match="no format"):
        parse_formats(" , ")


def test_a_failed_render_leaves_the_old_file_and_no_temp(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    write_diagram(actor_graph(Door), tmp_path, "door", ["dot"])
    before = (tmp_path / "door.dot").read_text()

    def boom(d: object) -> bytes:
        raise RuntimeError("renderer failed")

    monkeypatch.setitem(FORMATS, "dot", FORMATS["dot"])  # restored after the test
    register_format("dot", "dot")(boom)
    with pytest.raises(RuntimeError):
        write_diagram(actor_graph(Turn), tmp_path, "door", ["dot"])
    assert (tmp_path / "door.dot").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["door.dot"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temp(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "x.dot"
    render_mod.write_atomic(target, b"old")

    def crash(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(render_mod.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        render_mod.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.dot"]
