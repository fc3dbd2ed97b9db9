"""The engine's graph algorithms against networkx as an independent oracle (issue 17): Tarjan's
SCCs (liveness), reachability to a target set (the lasso's stem) and shortest paths (the
counterexamples), on random graphs of thousands of nodes and on the SR-IOV product (2/1/1,
84,969 states)."""

from __future__ import annotations

import random
from array import array

import networkx as nx
import pytest

from vfpath.checker import Options
from vfpath.checker.edge_graph import Graph, _bfs, _can_reach, strongly_connected
from vfpath.checker.explore import explore
from vfpath.model import Config, build


def _random(n: int, edges: int, seed: int) -> tuple[Graph, nx.DiGraph]:
    rng = random.Random(seed)
    pairs = sorted((rng.randrange(n), rng.randrange(n)) for _ in range(edges))
    g = Graph(
        n,
        (
            array("l", (a for a, _ in pairs)),
            array("l", (b for _, b in pairs)),
            array("l", (k % 7 for k in range(len(pairs)))),
        ),
    )
    d = nx.DiGraph()
    d.add_nodes_from(range(n))
    d.add_edges_from(pairs)
    return g, d


def _explored() -> tuple[Graph, nx.DiGraph]:
    ex = explore(build(Config(2, 1, 1)).build(), [], Options(graph=True, deadlock=False))
    assert ex.edges is not None
    src, dst, _ = ex.edges
    d = nx.DiGraph()
    d.add_nodes_from(range(len(ex.states)))
    d.add_edges_from(zip(src, dst, strict=True))
    return Graph(len(ex.states), ex.edges), d


CASES = [("sparse", 3000, 4500, 1), ("dense", 2000, 9000, 2), ("chains", 5000, 5200, 3)]


@pytest.mark.parametrize(("name", "n", "edges", "seed"), CASES)
def test_sccs_equal_networkx_on_random_graphs(name: str, n: int, edges: int, seed: int) -> None:
    g, d = _random(n, edges, seed)
    ours = {frozenset(c) for c in strongly_connected(g, range(n), lambda _s: True)}
    assert ours == {frozenset(c) for c in nx.strongly_connected_components(d)}


@pytest.mark.parametrize(("name", "n", "edges", "seed"), CASES)
def test_sccs_of_an_induced_subgraph_equal_networkx(
    name: str, n: int, edges: int, seed: int
) -> None:
    g, d = _random(n, edges, seed)
    region = set(random.Random(seed).sample(range(n), n // 2))
    ours = {frozenset(c) for c in strongly_connected(g, sorted(region), region.__contains__)}
    sub = d.subgraph(region)
    assert ours == {frozenset(c) for c in nx.strongly_connected_components(sub)}


@pytest.mark.parametrize(("name", "n", "edges", "seed"), CASES)
def test_reachability_and_shortest_paths_equal_networkx(
    name: str, n: int, edges: int, seed: int
) -> None:
    g, d = _random(n, edges, seed)
    rng = random.Random(seed + 10)
    region = set(range(n))
    targets = set(rng.sample(range(n), 5))
    able = _can_reach(g, region, targets)
    expected = set(targets).union(*(nx.ancestors(d, t) for t in targets))
    assert able == expected
    for src in rng.sample(range(n), 20):
        path = _bfs(g, region.__contains__, src, targets.__contains__)
        reachable = [t for t in targets if nx.has_path(d, src, t)]
        if not reachable:
            assert path is None
            continue
        assert path is not None
        shortest = min(nx.shortest_path_length(d, src, t) for t in reachable)
        assert len(path) == shortest
        assert g.dst[path[-1]] in targets if path else src in targets


def test_sccs_of_the_sriov_product_equal_networkx() -> None:
    g, d = _explored()
    ours = {frozenset(c) for c in strongly_connected(g, range(g.n), lambda _s: True)}
    assert ours == {frozenset(c) for c in nx.strongly_connected_components(d)}


def test_a_lasso_is_a_real_stem_and_cycle_inside_one_scc_of_the_violating_states() -> None:
    """L1 on 1/1/1 with the host's successful switch only weakly fair has a lasso whose cycle is
    the failing backend (tests/model/test_fairness.py); networkx confirms every step is an edge
    of the explored graph, the cycle closes, and its states lie in one SCC of the states where
    the property's goal is false."""
    import dataclasses

    from vfpath.api import build_system
    from vfpath.checker import check
    from vfpath.checker.view import StateView

    system = build_system(Config(1, 1, 1))
    props = []
    for p in system.properties:
        fair = tuple(
            dataclasses.replace(f, strong=False) if f.pattern == "netvsp[*].switch_vf_ok*" else f
            for f in p.fairness
        )
        props.append(dataclasses.replace(p, fairness=fair))
    system = system.with_properties(props)
    l1 = check(system, Options())["L1-eventually-on-vf"]
    cex = l1.counterexample
    assert cex is not None and cex.loop_start is not None and cex.loop_start < len(cex.steps)
    product = system.build()
    ex = explore(product, [], Options(graph=True, deadlock=False))
    assert ex.edges is not None
    d = nx.MultiDiGraph()
    labels = [m.label for m in product.moves]
    for a, b, m in zip(*ex.edges, strict=True):
        d.add_edge(ex.states[a], ex.states[b], move=labels[m])
    packed = [product.pack(cex.initial), *(product.pack(s) for s in cex.states[-len(cex.steps) :])]
    assert packed[0] == product.initial
    for k, step in enumerate(cex.steps):
        moves = {e["move"] for e in d.get_edge_data(packed[k], packed[k + 1], default={}).values()}
        assert step.label in moves, f"step {k + 1} ({step.label}) is not an edge"
    assert packed[-1] == packed[cex.loop_start]  # the cycle closes
    goal = next(p for p in props if p.name == "L1-eventually-on-vf").check
    loop = set(packed[cex.loop_start :])
    assert not any(goal(StateView(product, s)) for s in loop)
    bad = d.subgraph(s for s in d.nodes if not goal(StateView(product, s)))
    assert any(loop <= c for c in nx.strongly_connected_components(bad))
