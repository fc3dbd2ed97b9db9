"""The engine's fair components and lasso cycles against an independent oracle (issue 17).

The oracle works from the definitions, with networkx for connectivity: a fair behaviour that
stays in a set ``S`` of states for ever traverses a strongly connected ``S`` (one state with a
self-loop counts: stuttering), and the fairest way through ``S`` takes every edge inside it, so
``S`` hosts a fair cycle exactly when that full traversal is fair. Enumerating every ``S`` of
small random graphs gives the states that lie on some fair cycle; the engine's
:func:`fair_components` (Tarjan plus the Emerson-Lei refinement) must cover exactly those, each
component being such an ``S`` itself. On graphs of thousands of states, every lasso cycle the
engine builds (:func:`_fair_cycle`) is checked to be a closed walk of the networkx graph inside
its component and fair by definition; with weak fairness only, a networkx SCC the engine drops
must carry a certificate (a fair move enabled in all its states, never taken inside it).

Fairness as the engine defines it (module docstring of ``checker.liveness``): a self-loop
neither enables nor takes its move; a weak move fails on a cycle enabled in all its states and
not taken; a strong move fails enabled in one and not taken; a group is its moves' disjunction.
"""

from __future__ import annotations

import random
from array import array
from itertools import combinations

import networkx as nx
import pytest

from vfpath.checker.edge_graph import Graph
from vfpath.checker.fair_cycles import _Fair, _fair_cycle, fair_components

Edge = tuple[int, int, int]  # source, target, move
MOVES = 6


def _graph(n: int, edges: list[Edge]) -> Graph:
    edges = sorted(edges)
    cols = ([e[0] for e in edges], [e[1] for e in edges], [e[2] for e in edges])
    return Graph(n, (array("l", cols[0]), array("l", cols[1]), array("l", cols[2])))


def _random_edges(rng: random.Random, n: int, count: int) -> list[Edge]:
    return [(rng.randrange(n), rng.randrange(n), rng.randrange(MOVES)) for _ in range(count)]


def _random_fairness(rng: random.Random) -> _Fair:
    weak = rng.getrandbits(MOVES)
    strong = rng.getrandbits(MOVES) & ~weak
    groups = tuple(
        (mask, rng.random() < 0.5) for mask in (rng.getrandbits(MOVES) for _ in range(2)) if mask
    )
    return _Fair(weak, strong, groups)


def _enabled(edges: list[Edge], s: int) -> set[int]:
    return {m for a, b, m in edges if a == s and b != s}


def _fair_by_definition(edges: list[Edge], visited: set[int], taken: set[int], fair: _Fair) -> bool:
    on = {s: _enabled(edges, s) for s in visited}
    for m in range(MOVES):
        if m in taken:
            continue
        if fair.weak >> m & 1 and all(m in on[s] for s in visited):
            return False
        if fair.strong >> m & 1 and any(m in on[s] for s in visited):
            return False
    for mask, strong in fair.groups:
        group = {m for m in range(MOVES) if mask >> m & 1}
        if group & taken:
            continue
        hit = [bool(group & on[s]) for s in visited]
        if (any if strong else all)(hit):
            return False
    return True


def _hosts_fair_cycle(d: nx.MultiDiGraph, edges: list[Edge], nodes: set[int], fair: _Fair) -> bool:
    sub = d.subgraph(nodes)
    if not nx.is_strongly_connected(sub):
        return False
    if len(nodes) == 1 and not sub.has_edge(*nodes, *nodes):
        return False
    taken = {m for a, b, m in edges if a in nodes and b in nodes and a != b}
    return _fair_by_definition(edges, nodes, taken, fair)


def _nx(n: int, edges: list[Edge]) -> nx.MultiDiGraph:
    d = nx.MultiDiGraph()
    d.add_nodes_from(range(n))
    d.add_edges_from((a, b) for a, b, _ in edges)
    return d


@pytest.mark.parametrize("seed", range(8))
def test_fair_components_cover_exactly_the_states_on_fair_cycles(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        n = rng.randrange(3, 10)
        edges = _random_edges(rng, n, rng.randrange(n, 3 * n))
        fair = _random_fairness(rng)
        d = _nx(n, edges)
        on_fair_cycle: set[int] = set()
        for size in range(1, n + 1):
            for nodes in combinations(range(n), size):
                if _hosts_fair_cycle(d, edges, set(nodes), fair):
                    on_fair_cycle.update(nodes)
        g = _graph(n, edges)
        comps = fair_components(g, set(range(n)), fair)
        assert set().union(*comps) == on_fair_cycle, (n, edges, fair)
        for comp in comps:
            assert _hosts_fair_cycle(d, edges, comp, fair), (comp, edges, fair)
            for entry in comp:  # the lasso's loop from wherever the stem enters
                _check_cycle(g, edges, comp, entry, fair)


def _check_cycle(g: Graph, edges: list[Edge], comp: set[int], entry: int, fair: _Fair) -> None:
    d = _nx(g.n, edges)
    cycle = _fair_cycle(g, comp, entry, fair)
    assert cycle, "a component's cycle has at least one step"
    walk = [entry]
    for k in cycle:
        assert d.has_edge(walk[-1], g.dst[k]) and (walk[-1], g.dst[k], g.move[k]) in edges
        walk.append(g.dst[k])
    assert walk[-1] == entry and set(walk) <= comp
    taken = {g.move[k] for k, a, b in zip(cycle, walk[:-1], walk[1:], strict=True) if a != b}
    assert _fair_by_definition(edges, set(walk), taken, fair)


@pytest.mark.parametrize(("n", "count", "seed"), [(3000, 7000, 1), (5000, 9000, 2)])
def test_lasso_cycles_on_thousands_of_states_are_fair_walks(n: int, count: int, seed: int) -> None:
    rng = random.Random(seed)
    edges = _random_edges(rng, n, count)
    g = _graph(n, edges)
    checked = 0
    for _ in range(6):
        fair = _random_fairness(rng)
        for comp in fair_components(g, set(range(n)), fair):
            for entry in rng.sample(sorted(comp), min(3, len(comp))):
                _check_cycle(g, edges, comp, entry, fair)
                checked += 1
    assert checked > 0


@pytest.mark.parametrize(("n", "count", "seed"), [(3000, 7000, 3), (5000, 9000, 4)])
def test_sccs_dropped_under_weak_fairness_carry_a_certificate(
    n: int, count: int, seed: int
) -> None:
    rng = random.Random(seed)
    edges = _random_edges(rng, n, count)
    g = _graph(n, edges)
    d = _nx(n, edges)
    for _ in range(4):
        fair = _Fair(rng.getrandbits(MOVES), 0)
        kept = {frozenset(c) for c in fair_components(g, set(range(n)), fair)}
        for scc in map(set, nx.strongly_connected_components(d)):
            if len(scc) == 1 and not d.has_edge(*scc, *scc):
                continue
            taken = {m for a, b, m in edges if a in scc and b in scc and a != b}
            certified = _fair_by_definition(edges, scc, taken, fair)
            assert (frozenset(scc) in kept) == certified
        assert kept <= {frozenset(c) for c in nx.strongly_connected_components(d)}


def test_a_lasso_cycle_detours_to_where_an_untaken_weak_move_is_disabled() -> None:
    """By hand: 0 <-> 1 <-> 2 by move 0; move 1 leaves the component from 0 and 1 (to 3), never
    from 2. Under weak fairness of move 1 the shortest loop 0 -> 1 -> 0 is unfair (move 1 is
    enabled all along and never taken); a fair loop must pass through 2."""
    edges = [(0, 1, 0), (1, 0, 0), (1, 2, 0), (2, 1, 0), (0, 3, 1), (1, 3, 1)]
    g = _graph(4, edges)
    fair = _Fair(weak=1 << 1, strong=0)
    assert fair_components(g, {0, 1, 2, 3}, fair) == [{0, 1, 2}]
    _check_cycle(g, edges, {0, 1, 2}, 0, fair)
    walk = [g.dst[k] for k in _fair_cycle(g, {0, 1, 2}, 0, fair)]
    assert 2 in walk
