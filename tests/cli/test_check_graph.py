"""``vfpath check --graph FILE``: the explored product as GraphML, read back by networkx and
compared with an independent breadth-first walk over the product's own successor function."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from vfpath.model import Config, build

from .conftest import Run


def _walk(config: Config) -> tuple[int, int]:
    """States and distinct (source, target) pairs, by a plain BFS (no explorer involved)."""
    product = build(config).build()
    seen = {product.initial: 0}
    queue = [product.initial]
    pairs = set()
    for s in queue:
        for _m, t in product.successors(s):
            if t not in seen:
                seen[t] = len(seen)
                queue.append(t)
            pairs.add((seen[s], seen[t]))
    return len(seen), len(pairs)


def test_the_graph_file_holds_the_explored_product(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "product.graphml"
    code, text, _ = run("check", "--vms", "1", "--hosts", "1", "--graph", str(out), "--json")
    assert code == 0
    g = nx.read_graphml(out)
    states, pairs = _walk(Config(1, 1, 1))
    assert json.loads(text)["states"] == states == g.number_of_nodes()
    assert g.number_of_edges() == pairs
    labels = nx.get_edge_attributes(g, "move")
    assert "nic[0].create_switch" in labels.values()
    # nodes are readable: a reviewer can find "on the VF" states and ask what reaches them
    on_vf = [n for n, d in g.nodes(data=True) if d["netvsc[0]"] == "on_vf"]
    assert on_vf and nx.has_path(g, "0", on_vf[0])


def test_a_product_above_the_limit_is_refused_and_nothing_written(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vfpath.checker.export as export

    monkeypatch.setattr(export, "GRAPH_LIMIT", 100)
    out = tmp_path / "big.graphml"
    code, _, err = run("check", "--vms", "1", "--hosts", "1", "--graph", str(out))
    assert code == 2 and "--graph: the product has more than 100 states" in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_folder_is_refused_before_the_run(run: Run, tmp_path: Path) -> None:
    code, out, err = run("check", "--graph", str(tmp_path))
    assert code == 2 and not out and "is a folder" in err
