"""Generated ``GraphView``s and their NetworkX twins, for the native algorithm tests."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pyarrow as pa

from graph_olap_platform.wrapper.engines.base import GraphView


def planted_view(
    *,
    communities: int = 6,
    size: int = 40,
    products: int = 30,
    p_in: float = 0.15,
    p_out: float = 0.005,
    seed: int = 1,
    weighted: bool = False,
) -> GraphView:
    """Two labels: Person nodes in planted communities (directed KNOWS edges, some parallel, a
    few self loops) and Product nodes, some isolated, bought by people (repeat purchases)."""
    rng = np.random.default_rng(seed)
    people = communities * size
    group = np.repeat(np.arange(communities), size)
    same = group[:, None] == group[None, :]
    chance = np.where(same, p_in, p_out)
    src, dst = np.nonzero(rng.random((people, people)) < chance)
    repeat = rng.random(len(src)) < 0.1  # parallel edges
    loops = rng.choice(people, 5, replace=False)
    buyers = rng.integers(0, people, 300)
    bought = people + rng.integers(0, products - 5, 300)  # the last 5 products stay isolated
    all_src = np.concatenate([src, src[repeat], loops, buyers, buyers[:40]]).astype(np.int64)
    all_dst = np.concatenate([dst, dst[repeat], loops, bought, bought[:40]]).astype(np.int64)
    weights = rng.uniform(0.5, 5.0, len(all_src)) if weighted else None
    return GraphView(
        labels=["Person", "Product"],
        keys=[
            pa.array([f"U{i:03d}" for i in range(people)]),
            pa.array(np.arange(products, dtype=np.int64) * 10),
        ],
        src=all_src,
        dst=all_dst,
        rel_types=["KNOWS", "PURCHASED"],
        weights=weights,
    )


def as_networkx(view: GraphView) -> nx.MultiDiGraph:
    """The view as a NetworkX multigraph keyed by node index (weights as ``weight``)."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(range(view.num_nodes))
    if view.weights is None:
        graph.add_edges_from(zip(view.src.tolist(), view.dst.tolist(), strict=True))
    else:
        graph.add_weighted_edges_from(
            zip(view.src.tolist(), view.dst.tolist(), view.weights.tolist(), strict=True)
        )
    return graph


def simple_undirected(graph: nx.MultiDiGraph) -> nx.Graph:
    simple = nx.Graph()
    simple.add_nodes_from(graph)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    return simple


def summed_undirected(graph: nx.MultiDiGraph) -> nx.Graph:
    """Undirected, parallel edges summed as ``weight`` (self loops kept)."""
    simple = nx.Graph()
    simple.add_nodes_from(graph)
    for u, v, w in graph.edges(data="weight", default=1.0):
        previous = simple.get_edge_data(u, v, {"weight": 0.0})["weight"]
        simple.add_edge(u, v, weight=previous + w)
    return simple


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for node, group in enumerate(labels.tolist()):
        groups.setdefault(group, set()).add(node)
    return {frozenset(g) for g in groups.values()}


def relative_error(actual: np.ndarray, expected: dict[int, float]) -> float:
    reference = np.array([expected[i] for i in range(len(actual))])
    scale = np.maximum(np.abs(reference), 1e-12)
    diff = np.abs(actual - reference)
    return float(np.max(np.where(np.abs(reference) > 1e-9, diff / scale, diff)))
