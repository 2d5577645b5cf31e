"""The native algorithms on generated views agree with NetworkX (no engine, no server)."""

from __future__ import annotations

import itertools
import time
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from graph_olap_platform.wrapper.algorithms import native
from graph_olap_platform.wrapper.algorithms.base import AlgorithmError
from graph_olap_platform.wrapper.algorithms.graph_arrays import renumber
from graph_olap_platform.wrapper.algorithms.native import RunOptions
from graph_olap_platform.wrapper.algorithms.native_catalog import lookup
from graph_olap_platform.wrapper.algorithms.parameters import validate_parameters
from graph_olap_platform.wrapper.algorithms.shortest_path import (
    compute_path,
    path_payload,
    resolve_node,
)
from graph_olap_platform.wrapper.engines.base import GraphView
from tests.graph_olap_platform.wrapper.algorithms.views import (
    as_networkx,
    partition,
    planted_view,
    relative_error,
    simple_undirected,
    summed_undirected,
)

REL = 1e-4


@pytest.fixture(scope="module")
def view() -> GraphView:
    return planted_view()


@pytest.fixture(scope="module")
def weighted() -> GraphView:
    return planted_view(weighted=True, seed=3)


def run(name: str, view: GraphView, options: RunOptions | None = None, **params: Any) -> Any:
    algorithm = lookup(name)
    values = validate_parameters(algorithm.name, algorithm.parameters, params)
    return native.compute(algorithm.name, view, values, options or RunOptions())


def test_pagerank_matches_networkx_on_a_multigraph(view: GraphView) -> None:
    result = run("pagerank", view)
    expected = nx.pagerank(as_networkx(view), alpha=0.85, max_iter=100, tol=1e-6)
    assert result.kind == "node_values" and result.value_type == "DOUBLE"
    assert relative_error(result.values, expected) < REL
    assert result.summary["converged"] is True
    assert result.values.sum() == pytest.approx(1.0)


def test_pagerank_weighted_undirected_and_custom_damping(weighted: GraphView) -> None:
    graph = as_networkx(weighted)
    result = run("pagerank", weighted, RunOptions(weighted=True), damping_factor=0.7)
    assert relative_error(result.values, nx.pagerank(graph, alpha=0.7, weight="weight")) < REL
    undirected = run("pagerank", weighted, RunOptions(directed=False, weighted=True))
    both = nx.MultiGraph()  # not nx.MultiGraph(graph): u->v and v->u would share a key
    both.add_nodes_from(graph)
    both.add_edges_from(graph.edges(data=True))
    expected = nx.pagerank(both, weight="weight")
    assert relative_error(undirected.values, expected) < REL


def test_pagerank_reports_non_convergence(view: GraphView) -> None:
    result = run("pagerank", view, max_iterations=2)
    assert result.summary == {"iterations": 2, "converged": False}


def test_components_are_networkx_partitions_numbered_by_first_node(view: GraphView) -> None:
    graph = as_networkx(view)
    weak = run("wcc", view)
    strong = run("connected_components", view)  # the alias is wcc
    assert weak.kind == "communities" and weak.values.dtype == np.int64
    assert partition(weak.values) == {frozenset(c) for c in nx.weakly_connected_components(graph)}
    assert np.array_equal(weak.values, strong.values)
    scc = run("scc", view)
    assert partition(scc.values) == {frozenset(c) for c in nx.strongly_connected_components(graph)}
    for labels in (weak.values, scc.values):
        firsts = [int(np.argmax(labels == k)) for k in range(labels.max() + 1)]
        assert firsts == sorted(firsts) and labels[0] == 0


def test_louvain_modularity_is_close_to_networkx(view: GraphView) -> None:
    result = run("louvain", view)
    graph = summed_undirected(as_networkx(view))
    ours = nx.community.modularity(graph, partition(result.values), weight="weight")
    theirs = nx.community.modularity(
        graph, nx.community.louvain_communities(graph, weight="weight", seed=7), weight="weight"
    )
    assert ours >= 0.95 * theirs
    assert result.summary["modularity"] == pytest.approx(ours, rel=1e-9)
    assert np.array_equal(run("louvain", view).values, result.values)  # seeded: reproducible
    finer = run("louvain", view, resolution=3.0)
    assert finer.values.max() > result.values.max()


def test_label_propagation_finds_the_planted_communities(view: GraphView) -> None:
    result = run("label_propagation", view)
    simple = simple_undirected(as_networkx(view))
    assert nx.community.modularity(simple, partition(result.values)) > 0.5
    assert np.array_equal(run("cdlp", view).values, result.values)


def test_kcore_triangles_and_degree(view: GraphView) -> None:
    graph = as_networkx(view)
    simple = simple_undirected(graph)
    core = run("kcore", view).values
    assert dict(enumerate(core.tolist())) == nx.core_number(simple)
    triangles = run("triangle_count", view).values
    assert dict(enumerate(triangles.tolist())) == nx.triangles(simple)
    assert dict(enumerate(run("degree", view).values.tolist())) == dict(graph.degree())
    assert dict(enumerate(run("degree", view, direction="in").values.tolist())) == dict(
        graph.in_degree()
    )
    assert dict(enumerate(run("degree", view, direction="out").values.tolist())) == dict(
        graph.out_degree()
    )


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("normalized", [True, False])
def test_betweenness_matches_networkx(view: GraphView, directed: bool, normalized: bool) -> None:
    graph = nx.DiGraph(as_networkx(view)) if directed else nx.Graph(as_networkx(view))
    result = run("betweenness", view, RunOptions(directed=directed), normalized=normalized)
    expected = nx.betweenness_centrality(graph, normalized=normalized)
    assert relative_error(result.values, expected) < REL


def test_weighted_betweenness_keeps_the_lightest_parallel_edge(weighted: GraphView) -> None:
    multi = as_networkx(weighted)
    lightest = nx.DiGraph()
    lightest.add_nodes_from(multi)
    for u, v, w in multi.edges(data="weight"):
        if not lightest.has_edge(u, v) or lightest[u][v]["weight"] > w:
            lightest.add_edge(u, v, weight=w)
    result = run("betweenness", weighted, RunOptions(weighted=True))
    expected = nx.betweenness_centrality(lightest, weight="weight")
    assert relative_error(result.values, expected) < REL


def test_betweenness_refuses_zero_weights(weighted: GraphView) -> None:
    zero = GraphView(
        weighted.labels, weighted.keys, weighted.src, weighted.dst, weights=weighted.weights * 0
    )
    with pytest.raises(AlgorithmError) as error:
        run("betweenness", zero, RunOptions(weighted=True))
    assert error.value.code == "VALIDATION_FAILED" and "positive" in error.value.message


def test_shortest_path_hops_and_weights(view: GraphView, weighted: GraphView) -> None:
    graph = as_networkx(view)
    source = resolve_node(view, "Person_U001", "source_id")
    reachable = nx.single_source_shortest_path_length(graph, source)
    target = max(reachable, key=lambda node: (reachable[node], -node))
    payload = path_payload(
        view, compute_path(view, source, target, RunOptions()), "Person_U001", target
    )
    assert payload["found"] and payload["hop_count"] == reachable[target]
    assert payload["path"][0] == "Person_U001" and len(payload["path"]) == reachable[target] + 1
    assert payload["total_weight"] == reachable[target]

    multi = as_networkx(weighted)
    source = resolve_node(weighted, "Person_U002", "source_id")
    lengths = nx.single_source_dijkstra_path_length(multi, source, weight="weight")
    target = max(lengths, key=lambda node: lengths[node])
    result = compute_path(weighted, source, target, RunOptions(weighted=True))
    assert result.payload["total_weight"] == pytest.approx(lengths[target], rel=1e-12)
    path = result.payload["node_indexes"]
    assert path[0] == source and path[-1] == target
    steps = itertools.pairwise(path)
    assert sum(min(d["weight"] for d in multi[u][v].values()) for u, v in steps) == (
        pytest.approx(lengths[target])
    )


def test_shortest_path_unreachable_undirected_and_same_node(view: GraphView) -> None:
    isolated = resolve_node(view, "Product_290", "target_id")  # the last products are isolated
    person = resolve_node(view, "Person_U000", "source_id")
    missing = path_payload(view, compute_path(view, person, isolated, RunOptions()), "a", "b")
    assert missing == {
        "found": False, "source_id": "a", "target_id": "b", "path": [], "hop_count": None,
        "length": None, "total_weight": None,
    }  # fmt: skip
    same = path_payload(view, compute_path(view, person, person, RunOptions()), "a", "a")
    assert same["path"] == ["Person_U000"] and same["hop_count"] == 0
    # Undirected: a product reaches its buyers backwards.
    product = int(view.dst[-1])
    back = compute_path(view, product, int(view.src[-1]), RunOptions(directed=False))
    assert len(back.payload["node_indexes"]) == 2


def test_node_ids_resolve_by_id_or_bare_key() -> None:
    view = GraphView(
        labels=["A", "A_B"],
        keys=[pa.array(["B_1", "x"]), pa.array([1, 2], pa.int64())],
        src=np.zeros(0, np.int64),
        dst=np.zeros(0, np.int64),
    )
    assert resolve_node(view, "A_B_1", "source_id") == 2  # key 1 of A_B, longest label first
    assert resolve_node(view, "A_x", "source_id") == 1
    with pytest.raises(AlgorithmError, match="_id"):
        resolve_node(view, "x", "source_id")  # bare keys only with one label
    one = GraphView(["Product"], [pa.array([10, 20], pa.int64())], view.src, view.dst)
    assert resolve_node(one, 20, "target_id") == 1
    assert resolve_node(one, "20", "target_id") == 1
    assert resolve_node(one, "Product_10", "target_id") == 0
    with pytest.raises(AlgorithmError) as error:
        resolve_node(one, "Product_99", "target_id")
    assert error.value.code == "VALIDATION_FAILED" and error.value.details["field"] == "target_id"


def test_empty_and_edgeless_views() -> None:
    empty = GraphView(
        ["A"], [pa.array([], pa.string())], np.zeros(0, np.int64), np.zeros(0, np.int64)
    )
    for name in ("pagerank", "wcc", "scc", "louvain", "label_propagation", "kcore",
                 "triangle_count", "betweenness", "degree"):  # fmt: skip
        assert len(run(name, empty).values) == 0, name
    lonely = GraphView(
        ["A"], [pa.array(["a", "b", "c"])], np.zeros(0, np.int64), np.zeros(0, np.int64)
    )
    assert run("pagerank", lonely).values.tolist() == pytest.approx([1 / 3] * 3)
    assert run("wcc", lonely).values.tolist() == [0, 1, 2]
    louvain = run("louvain", lonely)
    assert louvain.values.tolist() == [0, 1, 2] and louvain.summary["modularity"] is None


def test_renumber_orders_by_first_node() -> None:
    assert renumber(np.array([7, 7, 3, 9, 3, 7])).tolist() == [0, 0, 1, 2, 1, 0]
    assert renumber(np.array([], dtype=np.int64)).tolist() == []


def test_compiled_code_handles_a_large_view_quickly() -> None:
    """100 K edges: every algorithm but betweenness well under a second each on one core."""
    rng = np.random.default_rng(5)
    n, m = 20_000, 100_000
    big = GraphView(["N"], [pa.array(np.arange(n))], rng.integers(0, n, m), rng.integers(0, n, m))
    for name in (
        "pagerank",
        "wcc",
        "scc",
        "kcore",
        "triangle_count",
        "degree",
        "label_propagation",
    ):
        started = time.perf_counter()
        assert len(run(name, big).values) == n
        assert time.perf_counter() - started < 2, name
