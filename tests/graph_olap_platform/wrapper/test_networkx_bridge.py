"""The NetworkX bridge on generated graph views: catalogue, validation and runs.

Every run goes through ``networkx_runner.run`` on a ``GraphView`` built here (two labels, string
and integer primary keys, optional weights) and is compared with NetworkX called directly on a
reference graph built independently from the same arrays. ``subgraph_view`` is exercised with a
stand-in engine returning a ``QueryOutput``; the real engines (and the HTTP routes that call this
module) are exercised by the wrapper's HTTP and integration tests.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from graph_olap_platform.wrapper.algorithms import networkx_runner
from graph_olap_platform.wrapper.algorithms.base import (
    AlgorithmError,
    AlgorithmResult,
    Cancelled,
    CancelToken,
)
from graph_olap_platform.wrapper.algorithms.networkx_catalog import (
    canonical_name,
    catalog,
    info,
    resolve,
    validate_parameters,
)
from graph_olap_platform.wrapper.algorithms.networkx_runner import (
    build_graph,
    run,
    subgraph_view,
)
from graph_olap_platform.wrapper.engines.base import (
    EdgeSpec,
    EngineError,
    GraphView,
    NodeSpec,
    PropertySpec,
    QueryOutput,
)
from graph_olap_platform.wrapper.mapping import InstanceMapping

# -- generated views -------------------------------------------------------------------------------

PERSONS = [f"P{i:02d}" for i in range(40)]
CITIES = list(range(100, 112))  # integer primary keys
IDS = [f"Person_{k}" for k in PERSONS] + [f"City_{k}" for k in CITIES]
N = len(IDS)


def _edges(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A ring through the first 50 nodes, a tail 49 -> 50 -> 51 (articulation points), and
    random edges inside four blocks (communities); no self loops, one edge per node pair."""
    rng = np.random.default_rng(seed)
    pairs: list[tuple[int, int]] = [(i, (i + 1) % 50) for i in range(50)] + [(49, 50), (50, 51)]
    seen = {frozenset(p) for p in pairs}
    while len(pairs) < 130:
        block = int(rng.integers(0, 4))
        a, b = (int(x) for x in rng.integers(block * 12, block * 12 + 12, 2))
        if a != b and frozenset((a, b)) not in seen:
            seen.add(frozenset((a, b)))
            pairs.append((a, b))
    src, dst = zip(*pairs, strict=True)
    return np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64)


SRC, DST = _edges(11)
WEIGHTS = np.random.default_rng(5).uniform(0.5, 3.0, len(SRC))


def two_label_view(*, weighted: bool) -> GraphView:
    return GraphView(
        labels=["Person", "City"],
        keys=[pa.array(PERSONS), pa.array(CITIES, type=pa.int64())],
        src=SRC,
        dst=DST,
        rel_types=["KNOWS", "LIVES_IN"],
        weights=WEIGHTS.copy() if weighted else None,
    )


U = two_label_view(weighted=False)
W = two_label_view(weighted=True)

# One label only: bare primary keys are accepted for node parameters.
S_KEYS = [f"U{i:03d}" for i in range(1, 31)]
S_SRC = np.array([i for i in range(30)] + [0, 3, 5, 7, 11, 20], dtype=np.int64)
S_DST = np.array([(i + 1) % 30 for i in range(30)] + [15, 9, 25, 17, 2, 28], dtype=np.int64)
S = GraphView(labels=["Person"], keys=[pa.array(S_KEYS)], src=S_SRC, dst=S_DST)
S_IDS = [f"Person_{k}" for k in S_KEYS]

# A DAG: edges only from lower to higher index.
_rng = np.random.default_rng(3)
_dag = sorted({(int(a), int(b)) for a, b in _rng.integers(0, N, (150, 2)) if a < b})
D = GraphView(
    labels=["Person", "City"],
    keys=[pa.array(PERSONS), pa.array(CITIES, type=pa.int64())],
    src=np.array([a for a, _ in _dag], dtype=np.int64),
    dst=np.array([b for _, b in _dag], dtype=np.int64),
)

VIEWS = {"U": U, "W": W, "S": S, "D": D}


def reference(view: GraphView, *, directed: bool) -> Any:
    """The same graph built straight from the arrays, without the bridge's code."""
    ids = S_IDS if view is S else IDS
    graph = nx.DiGraph() if directed else nx.Graph()
    graph.add_nodes_from(ids)
    for i, (a, b) in enumerate(zip(view.src.tolist(), view.dst.tolist(), strict=True)):
        if view.weights is None:
            graph.add_edge(ids[a], ids[b])
        else:
            graph.add_edge(ids[a], ids[b], weight=float(view.weights[i]))
    return graph


def go(name: str, params: dict[str, Any], view: GraphView, *, directed: bool) -> AlgorithmResult:
    return run(name, params, view, directed=directed, token=CancelToken())


# -- comparisons per result kind -------------------------------------------------------------------


def approx(value: Any) -> Any:
    return pytest.approx(value, rel=1e-9, abs=1e-12)


def written(result: AlgorithmResult, ids: list[str]) -> dict[str, Any]:
    """``{_id: value}`` of a node_values / communities result, missing values left out."""
    assert result.values is not None and len(result.values) == len(ids)
    out = {}
    for i, node in enumerate(ids):
        if result.missing is not None and result.missing[i]:
            continue
        value = result.values[i].item()
        if isinstance(value, float) and math.isnan(value):
            continue
        out[node] = value
    return out


def check_node_values(result: AlgorithmResult, expected: Any, ids: list[str]) -> None:
    assert result.kind == "node_values"
    finite = {
        k: v for k, v in dict(expected).items() if not (isinstance(v, float) and math.isinf(v))
    }
    finite = {k: v for k, v in finite.items() if not (isinstance(v, float) and math.isnan(v))}
    got = written(result, ids)
    assert got.keys() == finite.keys()
    for node, value in finite.items():
        assert got[node] == approx(value), node
    numbers = [float(v) for v in finite.values()]
    assert result.summary["min"] == approx(min(numbers))
    assert result.summary["max"] == approx(max(numbers))
    assert result.summary["mean"] == approx(sum(numbers) / len(numbers))
    ints = all(isinstance(v, int) for v in finite.values())
    assert result.value_type == ("INT64" if ints else "DOUBLE")


def check_communities(result: AlgorithmResult, expected: Any, ids: list[str]) -> None:
    """Community ids as NetworkX's groups in order, a node in several keeping its first."""
    assert result.kind == "communities" and result.value_type == "INT64"
    groups = [set(g) for g in expected]
    first: dict[str, int] = {}
    for community, group in enumerate(groups):
        for node in group:
            first.setdefault(node, community)
    assert written(result, ids) == first
    assert result.summary["community_count"] == len(groups)
    assert result.missing is not None
    assert int(result.missing.sum()) == len(ids) - len(first)
    if sum(len(g) for g in groups) == len(ids) == len(first):
        assert "modularity" in result.summary


def check_scalar(result: AlgorithmResult, expected: Any, ids: list[str]) -> None:
    assert result.kind == "scalar"
    assert result.payload["value"] == approx(expected)
    assert type(result.payload["value"]) is type(
        expected.item() if hasattr(expected, "item") else expected
    )


def check_path(result: AlgorithmResult, expected: Any, ids: list[str]) -> None:
    assert result.kind == "path"
    assert result.payload["path"] == expected
    assert result.payload["length"] == len(expected) - 1


def check_predictions(result: AlgorithmResult, expected: Any, ids: list[str]) -> None:
    assert result.kind == "edge_predictions"
    want = [(u, v, s) for u, v, s in expected]
    got = result.payload["predictions"]
    assert [(p["source"], p["target"]) for p in got] == [(u, v) for u, v, _ in want]
    assert [p["score"] for p in got] == [approx(s) for _, _, s in want]
    assert result.payload["truncated"] is False and result.payload["total"] == len(want)


def check_mapping(result: AlgorithmResult, expected: Any, ids: list[str]) -> None:
    assert result.kind == "mapping"
    assert result.payload["truncated"] is False
    assert result.payload["mapping"] == approx_tree(expected)


def check_unknown(result: AlgorithmResult, expected: Any, ids: list[str]) -> None:
    assert result.kind == "unknown"
    assert result.payload["value"] == approx_tree(expected)
    assert isinstance(result.payload["repr"], str) and len(result.payload["repr"]) < 400


def approx_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: approx_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [approx_tree(v) for v in value]
    if isinstance(value, float):
        return approx(value)
    return value


CHECKS: dict[str, Callable[[AlgorithmResult, Any, list[str]], None]] = {
    "node_values": check_node_values,
    "communities": check_communities,
    "scalar": check_scalar,
    "path": check_path,
    "edge_predictions": check_predictions,
    "mapping": check_mapping,
    "unknown": check_unknown,
}

P0, P5, P30, C101, C111 = "Person_P00", "Person_P05", "Person_P30", "City_101", "City_111"
LABEL_PARTITION = [[f"Person_{k}" for k in PERSONS], [f"City_{k}" for k in CITIES]]


def _str_keys(mapping: Any) -> dict[str, Any]:
    return {str(k): v for k, v in dict(mapping).items()}


# (algorithm, parameters, view, directed, kind, NetworkX called directly on the reference graph)
CASES: list[tuple[str, dict[str, Any], str, bool, str, Callable[[Any], Any]]] = [
    # centrality
    ("degree_centrality", {}, "U", True, "node_values", nx.degree_centrality),
    ("in_degree_centrality", {}, "U", True, "node_values", nx.in_degree_centrality),
    ("out_degree_centrality", {}, "U", True, "node_values", nx.out_degree_centrality),
    ("closeness_centrality", {}, "U", True, "node_values", nx.closeness_centrality),
    ("closeness_centrality", {}, "W", False, "node_values",
     lambda g: nx.closeness_centrality(g, distance="weight")),
    ("betweenness_centrality", {"normalized": True}, "W", False, "node_values",
     lambda g: nx.betweenness_centrality(g, normalized=True, weight="weight")),
    ("harmonic_centrality", {}, "U", True, "node_values", nx.harmonic_centrality),
    ("eigenvector_centrality", {"max_iterations": 500, "tolerance": 1e-8}, "U", False,
     "node_values", lambda g: nx.eigenvector_centrality(g, max_iter=500, tol=1e-8)),
    ("katz_centrality_numpy", {"alpha": 0.05}, "U", False, "node_values",
     lambda g: nx.katz_centrality_numpy(g, alpha=0.05)),
    ("pagerank", {"damping_factor": 0.9}, "W", True, "node_values",
     lambda g: nx.pagerank(g, alpha=0.9)),
    ("load_centrality", {}, "U", False, "node_values", nx.load_centrality),
    ("laplacian_centrality", {}, "U", False, "node_values", nx.laplacian_centrality),
    ("subgraph_centrality", {}, "U", False, "node_values", nx.subgraph_centrality),
    ("average_neighbor_degree", {}, "W", False, "node_values",
     lambda g: nx.average_neighbor_degree(g, weight="weight")),
    ("degree", {}, "W", True, "node_values", lambda g: dict(g.degree(weight="weight"))),
    ("hits", {}, "U", True, "unknown", lambda g: list(nx.hits(g))),
    # clustering and cores
    ("clustering_coefficient", {}, "U", False, "node_values", nx.clustering),
    ("square_clustering", {}, "U", False, "node_values", nx.square_clustering),
    ("triangles", {}, "U", False, "node_values", nx.triangles),
    ("triangles", {"nodes": [P0, P5, C101]}, "U", False, "node_values",
     lambda g: nx.triangles(g, nodes=[P0, P5, C101])),
    ("core_number", {}, "U", False, "node_values", nx.core_number),
    ("onion_layers", {}, "U", False, "node_values", nx.onion_layers),
    ("average_clustering", {}, "U", False, "scalar", nx.average_clustering),
    ("transitivity", {}, "U", False, "scalar", nx.transitivity),
    ("generalized_degree", {}, "U", False, "mapping",
     lambda g: {n: _str_keys(c) for n, c in nx.generalized_degree(g).items()}),
    # structural holes, distances, colouring
    ("constraint", {}, "U", False, "node_values", nx.constraint),
    ("effective_size", {}, "U", False, "node_values", nx.effective_size),
    ("eccentricity", {}, "U", False, "node_values", nx.eccentricity),
    ("greedy_color", {"strategy": "largest_first"}, "U", False, "node_values",
     lambda g: nx.greedy_color(g, strategy="largest_first")),
    ("diameter", {}, "U", False, "scalar", nx.diameter),
    ("center", {}, "U", False, "unknown", nx.center),
    ("global_efficiency", {}, "U", False, "scalar", nx.global_efficiency),
    ("wiener_index", {}, "U", False, "scalar", nx.wiener_index),
    # communities and components
    ("louvain_communities", {"seed": 7}, "U", False, "communities",
     lambda g: nx.community.louvain_communities(g, seed=7)),
    ("label_propagation_communities", {}, "U", False, "communities",
     nx.community.label_propagation_communities),
    ("greedy_modularity_communities", {}, "W", False, "communities",
     lambda g: nx.community.greedy_modularity_communities(g, weight="weight")),
    ("asyn_lpa_communities", {"seed": 3}, "U", False, "communities",
     lambda g: nx.community.asyn_lpa_communities(g, seed=3)),
    ("k_clique_communities", {"k": 3}, "U", False, "communities",
     lambda g: nx.community.k_clique_communities(g, 3)),
    ("kernighan_lin_bisection", {"seed": 1}, "U", False, "communities",
     lambda g: nx.community.kernighan_lin_bisection(g, seed=1)),
    ("modularity", {"communities": LABEL_PARTITION}, "U", False, "scalar",
     lambda g: nx.community.modularity(g, [set(c) for c in LABEL_PARTITION])),
    ("connected_components", {}, "U", False, "communities", nx.connected_components),
    ("weakly_connected_components", {}, "U", True, "communities",
     nx.weakly_connected_components),
    ("strongly_connected_components", {}, "U", True, "communities",
     nx.strongly_connected_components),
    ("kosaraju_strongly_connected_components", {}, "U", True, "communities",
     nx.kosaraju_strongly_connected_components),
    ("biconnected_components", {}, "U", False, "communities", nx.biconnected_components),
    ("number_connected_components", {}, "U", False, "scalar", nx.number_connected_components),
    ("is_connected", {}, "U", False, "scalar", nx.is_connected),
    ("articulation_points", {}, "U", False, "unknown", lambda g: list(nx.articulation_points(g))),
    # shortest paths
    ("shortest_path", {"source": P0, "target": C111}, "U", False, "path",
     lambda g: nx.shortest_path(g, P0, C111)),
    ("dijkstra_path", {"source": P0, "target": C111}, "W", False, "path",
     lambda g: nx.dijkstra_path(g, P0, C111)),
    ("astar_path", {"source": P5, "target": P30}, "W", True, "path",
     lambda g: nx.astar_path(g, P5, P30)),
    ("bidirectional_shortest_path", {"source": "U001", "target": "U016"}, "S", False, "path",
     lambda g: nx.bidirectional_shortest_path(g, "Person_U001", "Person_U016")),
    ("shortest_path_length", {"source": P0, "target": C111}, "U", False, "scalar",
     lambda g: nx.shortest_path_length(g, P0, C111)),
    ("average_shortest_path_length", {}, "W", False, "scalar",
     lambda g: nx.average_shortest_path_length(g, weight="weight")),
    ("single_source_shortest_path_length", {"source": P0}, "U", True, "mapping",
     lambda g: dict(nx.single_source_shortest_path_length(g, P0))),
    ("shortest_path", {"source": P0}, "U", False, "mapping", lambda g: nx.shortest_path(g, P0)),
    ("all_pairs_shortest_path_length", {}, "U", False, "mapping",
     lambda g: {n: dict(d) for n, d in nx.all_pairs_shortest_path_length(g)}),
    # link prediction
    ("jaccard_coefficient", {"ebunch": [[P0, P5], [P0, C101], [C101, C111]]}, "U", False,
     "edge_predictions",
     lambda g: nx.jaccard_coefficient(g, [(P0, P5), (P0, C101), (C101, C111)])),
    ("adamic_adar_index", {"ebunch": [[P0, P5], [P5, P30]]}, "U", False, "edge_predictions",
     lambda g: nx.adamic_adar_index(g, [(P0, P5), (P5, P30)])),
    ("resource_allocation_index", {}, "U", False, "edge_predictions",
     nx.resource_allocation_index),
    ("preferential_attachment", {"ebunch": [["U001", "U003"], ["U010", "Person_U020"]]}, "S",
     False, "edge_predictions",
     lambda g: nx.preferential_attachment(
         g, [("Person_U001", "Person_U003"), ("Person_U010", "Person_U020")])),
    ("common_neighbor_centrality", {"ebunch": [[P0, P5]]}, "U", False, "edge_predictions",
     lambda g: nx.common_neighbor_centrality(g, [(P0, P5)])),
    # assortativity, reciprocity, rich club, density
    ("degree_assortativity_coefficient", {}, "U", True, "scalar",
     nx.degree_assortativity_coefficient),
    ("average_degree_connectivity", {}, "U", False, "mapping",
     lambda g: _str_keys(nx.average_degree_connectivity(g))),
    ("rich_club_coefficient", {"normalized": False}, "U", False, "mapping",
     lambda g: _str_keys(nx.rich_club_coefficient(g, normalized=False))),
    ("edge_betweenness_centrality", {}, "U", False, "mapping",
     lambda g: {json.dumps(list(e)): v for e, v in nx.edge_betweenness_centrality(g).items()}),
    ("overall_reciprocity", {}, "U", True, "scalar", nx.overall_reciprocity),
    ("density", {}, "U", True, "scalar", nx.density),
    ("find_cycle", {}, "U", True, "unknown", lambda g: [list(e) for e in nx.find_cycle(g)]),
    # DAGs
    ("is_directed_acyclic_graph", {}, "D", True, "scalar", nx.is_directed_acyclic_graph),
    ("is_directed_acyclic_graph", {}, "U", True, "scalar", nx.is_directed_acyclic_graph),
    ("dag_longest_path", {}, "D", True, "path", nx.dag_longest_path),
    ("dag_longest_path_length", {}, "D", True, "scalar", nx.dag_longest_path_length),
    ("topological_sort", {}, "D", True, "unknown", lambda g: list(nx.topological_sort(g))),
    ("descendants", {"source": P0}, "D", True, "unknown",
     lambda g: sorted(nx.descendants(g, P0), key=str)),
]  # fmt: skip


def _case_id(case: tuple[Any, ...]) -> str:
    name, params, view, directed = case[:4]
    return (
        f"{name}-{view}{'-directed' if directed else ''}{'-' + '-'.join(params) if params else ''}"
    )


def test_the_cases_cover_enough_algorithms_and_every_kind() -> None:
    names = {canonical_name(case[0]) for case in CASES}
    assert len(names) >= 45
    assert {case[4] for case in CASES} == set(CHECKS)
    categories = {resolve(name).category for name in names}
    assert categories >= {
        "centrality", "community", "components", "shortest_paths", "link_prediction", "cluster",
        "core", "dag", "assortativity", "link_analysis", "distance_measures", "functions",
    }  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_runs_agree_with_networkx(case: tuple[Any, ...]) -> None:
    name, params, view_name, directed, kind, expected_of = case
    view = VIEWS[view_name]
    result = go(name, params, view, directed=directed)
    expected = expected_of(reference(view, directed=directed))
    CHECKS[kind](result, expected, S_IDS if view is S else IDS)


# -- result details --------------------------------------------------------------------------------


def test_weighted_path_reports_total_weight() -> None:
    result = go("dijkstra_path", {"source": P0, "target": C111}, W, directed=False)
    graph = reference(W, directed=False)
    assert result.payload["total_weight"] == approx(
        nx.dijkstra_path_length(graph, P0, C111, weight="weight")
    )
    unweighted = go("shortest_path", {"source": P0, "target": C111}, U, directed=False)
    assert "total_weight" not in unweighted.payload


def test_weights_count_only_when_the_view_has_them() -> None:
    """Betweenness defaults to weight=None in NetworkX; a weighted view sets it, unless given."""
    weighted = go("betweenness_centrality", {}, W, directed=False)
    plain = go("betweenness_centrality", {}, U, directed=False)
    forced = go("betweenness_centrality", {"weight": None}, W, directed=False)
    assert not np.allclose(weighted.values, plain.values)
    assert np.allclose(forced.values, plain.values)


def test_int_values_keep_a_missing_mask_and_floats_use_nan() -> None:
    ints = go("triangles", {"nodes": [P0, P5]}, U, directed=False)
    assert ints.value_type == "INT64" and ints.values is not None and ints.missing is not None
    assert ints.values.dtype == np.int64 and int((~ints.missing).sum()) == 2
    assert ints.summary["count"] == 2
    floats = go("clustering", {"nodes": [P0]}, U, directed=False)
    assert floats.value_type == "DOUBLE" and floats.values is not None
    assert floats.values.dtype == np.float64 and int((~np.isnan(floats.values)).sum()) == 1


def _context(view: GraphView) -> Any:
    return networkx_runner._Context(
        algorithm=resolve("degree"),
        graph=build_graph(view, directed=False),
        view=view,
        token=CancelToken(),
        weighted=False,
        source_relative=False,
    )


def test_bool_and_non_finite_node_values() -> None:
    ctx = _context(S)
    flags = networkx_runner._classify({n: i % 3 == 0 for i, n in enumerate(S_IDS[:9])}, ctx)
    assert flags.kind == "node_values" and flags.value_type == "BOOL"
    assert flags.values is not None and flags.missing is not None
    assert flags.values[:9].tolist() == [1, 0, 0, 1, 0, 0, 1, 0, 0]
    assert flags.missing.tolist() == [False] * 9 + [True] * 21
    assert flags.summary["true_count"] == 3
    odd = networkx_runner._classify(
        {S_IDS[0]: math.inf, S_IDS[1]: 2.5, S_IDS[2]: np.float32(1.5), S_IDS[3]: math.nan}, ctx
    )
    assert odd.value_type == "DOUBLE" and odd.values is not None
    assert np.isnan(odd.values[0]) and odd.values[1] == 2.5 and odd.values[2] == 1.5
    assert odd.summary == {"min": 1.5, "max": 2.5, "mean": 2.0, "count": 2}
    scalar = networkx_runner._classify(np.float64(math.inf), ctx)
    assert scalar.kind == "scalar" and scalar.payload == {"value": None}
    # Keys that are not nodes, or values that are not numbers: a mapping.
    assert networkx_runner._classify({1: 2.0}, ctx).kind == "mapping"
    assert networkx_runner._classify({S_IDS[0]: "x"}, ctx).kind == "mapping"
    assert networkx_runner._classify("abc", ctx).payload == {"value": "abc"}
    assert networkx_runner._classify(None, ctx).kind == "unknown"


def test_predictions_over_the_cap_keep_the_best(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(networkx_runner, "MAX_ITEMS", 5)
    result = go("preferential_attachment", {}, U, directed=False)
    expected = list(nx.preferential_attachment(reference(U, directed=False)))
    assert result.payload["truncated"] is True and result.payload["total"] == len(expected)
    scores = [p["score"] for p in result.payload["predictions"]]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)
    assert scores[0] == max(s for _, _, s in expected)


def test_mappings_over_the_cap_are_truncated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(networkx_runner, "MAX_ITEMS", 10)
    result = go("all_pairs_shortest_path_length", {}, U, directed=False)
    assert result.kind == "mapping" and result.payload["truncated"] is True
    mapping = result.payload["mapping"]
    assert sum(1 + len(v) for v in mapping.values()) <= 11
    listed = go("topological_sort", {}, D, directed=True)
    assert listed.kind == "unknown" and listed.payload["truncated"] is True
    assert len(listed.payload["value"]) <= 11


def test_link_prediction_without_ebunch_is_refused_on_big_graphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(networkx_runner, "MAX_CANDIDATE_PAIRS", 100)
    with pytest.raises(AlgorithmError) as refused:
        go("jaccard_coefficient", {}, U, directed=False)
    assert refused.value.code == "VALIDATION_FAILED" and refused.value.status_code == 400
    assert refused.value.details["invalid_params"] == ["ebunch"]
    assert "ebunch" in refused.value.message
    assert go("jaccard_coefficient", {"ebunch": [[P0, P5]]}, U, directed=False).kind == (
        "edge_predictions"
    )


# -- node parameters -------------------------------------------------------------------------------


def test_bare_keys_need_a_single_label() -> None:
    bare = go("shortest_path", {"source": "U001", "target": "U010"}, S, directed=False)
    full = go("shortest_path", {"source": "Person_U001", "target": "U010"}, S, directed=False)
    assert bare.payload == full.payload and bare.payload["path"][0] == "Person_U001"
    with pytest.raises(AlgorithmError) as two_labels:
        go("shortest_path", {"source": "P00", "target": C111}, U, directed=False)
    assert two_labels.value.code == "VALIDATION_FAILED"
    assert two_labels.value.details["invalid_params"] == ["source"]
    assert "'P00'" in two_labels.value.message and "_id" in two_labels.value.message
    with pytest.raises(AlgorithmError, match="Person_X"):
        go("jaccard_coefficient", {"ebunch": [[P0, "Person_X"]]}, U, directed=False)
    # Integer primary keys: City 101 is "City_101"; bare 101 is not enough with two labels.
    path = go("shortest_path", {"source": "City_101", "target": C111}, U, directed=False)
    assert path.payload["path"][0] == C101


def test_integer_bare_keys_on_a_single_label() -> None:
    view = GraphView(
        labels=["City"],
        keys=[pa.array([7, 8, 9], type=pa.int64())],
        src=np.array([0, 1], dtype=np.int64),
        dst=np.array([1, 2], dtype=np.int64),
    )
    result = go("shortest_path", {"source": 7, "target": "9"}, view, directed=True)
    assert result.payload["path"] == ["City_7", "City_8", "City_9"]


# -- failures and cancellation ---------------------------------------------------------------------


def test_networkx_failures_are_algorithm_failed() -> None:
    with pytest.raises(AlgorithmError) as no_cycle:
        go("find_cycle", {}, D, directed=True)
    assert no_cycle.value.code == "ALGORITHM_FAILED" and no_cycle.value.status_code == 500
    with pytest.raises(AlgorithmError) as no_path:
        go("dijkstra_path", {"source": C111, "target": P0}, D, directed=True)
    assert no_path.value.code == "ALGORITHM_FAILED" and "find_cycle" not in no_path.value.message
    with pytest.raises(AlgorithmError) as diverged:
        go("eigenvector_centrality", {"max_iter": 1}, U, directed=False)
    assert diverged.value.code == "ALGORITHM_FAILED" and "1 iterations" in diverged.value.message


def test_graph_types_networkx_refuses() -> None:
    with pytest.raises(AlgorithmError) as directed:
        go("connected_components", {}, U, directed=True)
    assert directed.value.code == "VALIDATION_FAILED" and "directed=false" in directed.value.message
    assert directed.value.details["field"] == "directed"
    with pytest.raises(AlgorithmError, match="directed=true"):
        go("strongly_connected_components", {}, U, directed=False)
    with pytest.raises(AlgorithmError, match="directed=false"):
        validate_parameters("triangles", {}, directed=True)
    assert validate_parameters("triangles", {}, directed=False) == {}
    # NetworkX's own refusals at run time (self loops here) are validation errors too.
    looped = GraphView(
        labels=["Person"], keys=[pa.array(["a", "b"])], src=np.array([0, 0]), dst=np.array([0, 1])
    )
    with pytest.raises(AlgorithmError) as loops:
        go("core_number", {}, looped, directed=False)
    assert loops.value.code == "VALIDATION_FAILED" and "self loops" in loops.value.message


def test_a_cancelled_token_stops_the_run() -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run("pagerank", {}, U, directed=True, token=token)

    # Cancelled while NetworkX hands back a generator: consumption stops.
    token = CancelToken()

    def cancel_when_running(message: str) -> None:
        if message.startswith("running"):
            token.cancel("timeout")

    with pytest.raises(Cancelled, match="timeout"):
        run(
            "connected_components", {}, U, directed=False, token=token, progress=cancel_when_running
        )


# -- building graphs -------------------------------------------------------------------------------


def test_build_graph() -> None:
    view = GraphView(
        labels=["Person", "City"],
        keys=[pa.array(["a", "b", "lonely"]), pa.array([1], type=pa.int64())],
        src=np.array([0, 0, 1], dtype=np.int64),
        dst=np.array([3, 3, 0], dtype=np.int64),
        weights=np.array([1.5, 2.5, 4.0]),
    )
    graph = build_graph(view, directed=True)
    assert type(graph) is nx.DiGraph
    assert list(graph.nodes) == ["Person_a", "Person_b", "Person_lonely", "City_1"]
    assert graph.nodes["City_1"] == {"label": "City", "key": 1}
    assert graph.nodes["Person_lonely"] == {"label": "Person", "key": "lonely"}
    assert graph["Person_a"]["City_1"] == {"weight": 2.5}  # parallel edges: the last one
    multi = build_graph(view, directed=True, multigraph=True)
    assert type(multi) is nx.MultiDiGraph and multi.number_of_edges("Person_a", "City_1") == 2
    undirected = build_graph(view, directed=False, multigraph=True)
    assert type(undirected) is nx.MultiGraph and undirected.degree("Person_a") == 3
    assert type(build_graph(view, directed=False)) is nx.Graph
    view.weights = None
    assert graph.number_of_edges() == 2
    assert all(d == {} for *_, d in build_graph(view, directed=True).edges(data=True))
    # A multigraph on request: degree counts parallel edges.
    result = run("degree", {}, view, directed=True, token=CancelToken(), multigraph=True)
    assert written(result, ["Person_a", "Person_b", "Person_lonely", "City_1"]) == {
        "Person_a": 3, "Person_b": 1, "Person_lonely": 0, "City_1": 2,
    }  # fmt: skip


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("multigraph", [False, True])
def test_partition_modularity_matches_networkx(
    weighted: bool, directed: bool, multigraph: bool
) -> None:
    """Parallel edges, both directions of a pair and self loops, as build_graph reads them."""
    rng = np.random.default_rng(int(weighted) + 2 * int(directed) + 4 * int(multigraph))
    src = np.concatenate([SRC, SRC[:20], DST[20:30], [3, 3, 7]]).astype(np.int64)
    dst = np.concatenate([DST, DST[:20], SRC[20:30], [3, 3, 9]]).astype(np.int64)
    view = GraphView(
        labels=U.labels,
        keys=U.keys,
        src=src,
        dst=dst,
        weights=rng.uniform(0.1, 2.0, len(src)) if weighted else None,
    )
    community = rng.integers(0, 5, N).astype(np.int64)
    graph = build_graph(view, directed=directed, multigraph=multigraph)
    groups = [{IDS[i] for i in np.flatnonzero(community == c)} for c in range(5)]
    expected = nx.community.modularity(graph, groups, weight="weight" if weighted else None)
    actual = networkx_runner.partition_modularity(
        view, community, directed=directed, multigraph=multigraph, weighted=weighted
    )
    assert actual == approx(expected)
    # And in a communities result.
    result = run(
        "louvain_communities" if not directed else "weakly_connected_components",
        {"seed": 1} if not directed else {},
        view,
        directed=directed,
        token=CancelToken(),
        multigraph=multigraph,
    )
    partition = [{IDS[i] for i in np.flatnonzero(result.values == c)} for c in
                 range(result.summary["community_count"])]  # fmt: skip
    assert result.summary["modularity"] == approx(
        nx.community.modularity(graph, partition, weight="weight" if weighted else None)
    )


def test_a_prebuilt_graph_is_used() -> None:
    graph = build_graph(U, directed=True)
    result = run("pagerank", {}, U, directed=True, token=CancelToken(), graph=graph)
    check_node_values(result, nx.pagerank(reference(U, directed=True)), IDS)


# -- catalogue -------------------------------------------------------------------------------------


def test_catalogue() -> None:
    started = time.perf_counter()
    everything = catalog()
    assert time.perf_counter() - started < 2  # built once (well under a second), then cached
    assert everything["total"] == len(everything["algorithms"]) > 350
    names = {entry["name"] for entry in everything["algorithms"]}
    assert {
        "pagerank",
        "louvain_communities",
        "jaccard_coefficient",
        "density",
        "clustering",
        "load_centrality",
        "approximation.diameter",
        "bipartite.degree_centrality",
    } <= names
    # Second graphs, new graphs, mutations, I/O: not runnable here.
    assert not names & {
        "is_isomorphic",
        "k_core",
        "complement",
        "minimum_spanning_tree",
        "set_node_attributes",
        "write_edgelist",
        "could_be_isomorphic",
    }
    assert {"centrality", "community", "components", "shortest_paths", "link_prediction",
            "cluster", "core", "dag"} <= set(everything["categories"])  # fmt: skip
    entry = next(e for e in everything["algorithms"] if e["name"] == "pagerank")
    assert entry["type"] == "networkx" and entry["implementation"] == "networkx"
    assert entry["category"] == "link_analysis" and entry["returns"] == "node_values"
    assert entry["supports_write_back"] is True and entry["default_timeout_ms"] > 0
    alpha = next(p for p in entry["parameters"] if p["name"] == "alpha")
    assert alpha == {"name": "alpha", "type": "number", "required": False, "default": 0.85,
                     "description": "Damping parameter for PageRank, default=0.85."}  # fmt: skip
    json.dumps(everything)  # JSON-ready throughout
    assert catalog() == everything


def test_catalogue_filters() -> None:
    centrality = catalog(category="centrality")
    assert centrality["total"] > 20
    assert {e["category"] for e in centrality["algorithms"]} == {"centrality"}
    assert centrality["categories"] == catalog()["categories"]
    found = catalog(search="PageRank")
    assert "pagerank" in {e["name"] for e in found["algorithms"]}
    assert all(
        "pagerank" in e["name"] or "pagerank" in e["description"].lower()
        for e in found["algorithms"]
    )
    assert catalog(category="community", search="louvain")["total"] >= 1
    assert catalog(category="no_such_category")["total"] == 0


def test_info() -> None:
    detail = info("louvain_communities")
    assert (
        detail["networkx_function"] == "networkx.algorithms.community.louvain.louvain_communities"
    )
    assert detail["documentation_url"] == (
        "https://networkx.org/documentation/stable/reference/algorithms/generated/"
        "networkx.algorithms.community.louvain.louvain_communities.html"
    )
    assert detail["extracted_from"] == {
        "source": "networkx",
        "networkx_version": nx.__version__,
        "signature": "louvain_communities(G, weight='weight', resolution=1, threshold=1e-07, "
        "max_level=None, seed=None)",
    }
    assert detail["returns"] == "communities"
    assert detail["example"]["result_property"] == "louvain_communities"
    assert detail["example"]["write_back"] is True
    k_clique = info("k_clique_communities")
    k = next(p for p in k_clique["parameters"] if p["name"] == "k")
    assert k["required"] is True and k["type"] == "integer"
    assert k_clique["example"]["parameters"] == {"k": 2}
    assert info("strongly_connected_components")["not_implemented_for"] == ["undirected"]
    assert info("strongly_connected_components")["example"]["directed"] is True
    assert info("jaccard_coefficient")["example"]["write_back"] is False
    json.dumps(detail)
    # Aliases, nx. prefixes and dotted paths name the same algorithm.
    assert info("clustering_coefficient")["name"] == "clustering"
    assert info("nx.pagerank")["name"] == "pagerank"
    assert info("networkx.algorithms.centrality.load.load_centrality")["name"] == "load_centrality"


def test_unknown_algorithm_is_404_with_suggestions() -> None:
    with pytest.raises(AlgorithmError) as missing:
        info("pagerenk")
    assert missing.value.status_code == 404 and missing.value.code == "ALGORITHM_NOT_FOUND"
    assert (
        "pagerank" in missing.value.message and "pagerank" in missing.value.details["suggestions"]
    )
    with pytest.raises(AlgorithmError) as run_missing:
        go("no_such_function", {}, U, directed=False)
    assert run_missing.value.code == "ALGORITHM_NOT_FOUND"
    with pytest.raises(AlgorithmError):
        validate_parameters("_private", {})


# -- parameter validation --------------------------------------------------------------------------


def test_parameter_aliases() -> None:
    sdk_names = {"max_iterations": 50, "tolerance": 1e-4}
    assert validate_parameters("eigenvector_centrality", sdk_names) == {"max_iter": 50, "tol": 1e-4}
    assert validate_parameters("pagerank", {"damping_factor": 0.8}) == {"alpha": 0.8}
    assert validate_parameters("dijkstra_path", {"source_id": "a", "target_id": "b"}) == {
        "source": "a", "target": "b",
    }  # fmt: skip
    # Functions that take neither name keep the alias as an unknown parameter.
    with pytest.raises(AlgorithmError) as closeness:
        validate_parameters("closeness_centrality", {"max_iterations": 5})
    assert closeness.value.details["invalid_params"] == ["max_iterations"]
    # alpha is damping only for PageRank.
    with pytest.raises(AlgorithmError):
        validate_parameters("katz_centrality", {"damping_factor": 0.1})
    with pytest.raises(AlgorithmError, match="given twice"):
        validate_parameters("pagerank", {"alpha": 0.8, "damping_factor": 0.8})


def test_invalid_parameters() -> None:
    with pytest.raises(AlgorithmError) as unknown:
        validate_parameters("closeness_centrality", {"bogus": 1, "wf_improved": True})
    error = unknown.value
    assert error.status_code == 400 and error.code == "VALIDATION_FAILED"
    assert error.details["invalid_params"] == ["bogus"]
    assert error.details["valid_params"] == ["u", "distance", "wf_improved"]
    assert "bogus" in error.message and "wf_improved" in error.message

    with pytest.raises(AlgorithmError) as wrong_type:
        validate_parameters("pagerank", {"alpha": "high", "max_iter": 1.5, "weight": 3})
    assert wrong_type.value.details["invalid_params"] == ["alpha", "max_iter", "weight"]
    assert "must be a number, got string 'high'" in wrong_type.value.message

    # Functions and graphs cannot travel in JSON: reported, never passed.
    with pytest.raises(AlgorithmError, match="heuristic") as function_param:
        validate_parameters("astar_path", {"source": "a", "target": "b", "heuristic": "h"})
    assert function_param.value.details["invalid_params"] == ["heuristic"]
    assert "heuristic" not in function_param.value.details["valid_params"]
    with pytest.raises(AlgorithmError, match="residual"):
        validate_parameters(
            "connectivity.local_node_connectivity", {"s": "a", "t": "b", "residual": {}}
        )

    with pytest.raises(AlgorithmError) as required:
        validate_parameters("k_clique_communities", {})
    assert required.value.details["invalid_params"] == ["k"]
    with pytest.raises(AlgorithmError):
        validate_parameters("k_clique_communities", {"k": None})
    with pytest.raises(AlgorithmError, match="pairs"):
        validate_parameters("jaccard_coefficient", {"ebunch": [["a", "b", "c"]]})
    with pytest.raises(AlgorithmError):
        validate_parameters("shortest_path", {"source": True})


def test_valid_parameters_are_normalised() -> None:
    assert validate_parameters("pagerank", {"max_iter": 100.0, "tol": 1, "weight": None}) == {
        "max_iter": 100, "tol": 1, "weight": None,
    }  # fmt: skip
    assert validate_parameters("betweenness_centrality", {"k": None, "seed": 3}) == {
        "k": None, "seed": 3,
    }  # fmt: skip
    assert validate_parameters("triangles", {"nodes": ["a", 1]}) == {"nodes": ["a", 1]}
    assert validate_parameters("louvain_communities", None) == {}
    # null where NetworkX takes no None: its default (max_iter is 100, not None).
    assert validate_parameters("pagerank", {"max_iter": None, "alpha": 0.5}) == {"alpha": 0.5}


# -- subgraphs from a query ------------------------------------------------------------------------


class StandInEngine:
    """Answers every query with fixed rows, recording what it was asked."""

    def __init__(self, rows: list[list[Any]], error: EngineError | None = None) -> None:
        self.rows = rows
        self.error = error
        self.asked: list[tuple[str, int, int | None]] = []

    def query(
        self, cypher: str, parameters: dict[str, Any], *, timeout_ms: int, max_rows: int | None
    ) -> QueryOutput:
        self.asked.append((cypher, timeout_ms, max_rows))
        if self.error is not None:
            raise self.error
        return QueryOutput(columns=["a"], column_types=["ANY"], rows=self.rows)


NOWHERE = Path("/nowhere")  # the Parquet files are never read here
MAPPING = InstanceMapping(
    snapshot_path=NOWHERE,
    nodes=[
        NodeSpec("Customer", PropertySpec("customer_id", "STRING"), [], NOWHERE),
        NodeSpec("Product", PropertySpec("product_id", "INT64"), [], NOWHERE),
        NodeSpec("Customer_Gold", PropertySpec("id", "STRING"), [], NOWHERE),
    ],
    edges=[
        EdgeSpec("KNOWS", "Customer", "Customer", "a", "b", [], NOWHERE),
        EdgeSpec("BOUGHT", "Customer", "Product", "c", "p", [], NOWHERE),
    ],
)


def node(label: str, key: Any) -> dict[str, Any]:
    return {"_id": f"{label}_{key}", "_label": label, "name": f"n{key}"}


def rel(ident: str, rel_type: str, start: str, end: str, **props: Any) -> dict[str, Any]:
    return {"_id": ident, "_type": rel_type, "_start": start, "_end": end, **props}


def test_subgraph_view_reads_graph_values_anywhere() -> None:
    rows = [
        # a, r, b columns
        [node("Customer", "C1"), rel("KNOWS_1", "KNOWS", "Customer_C1", "Customer_C2", w=2.0),
         node("Customer", "C2")],
        # a path, and the same relationship again
        [[node("Customer", "C2"), rel("BOUGHT_1", "BOUGHT", "Customer_C2", "Product_7", w=None),
          node("Product", 7)], rel("KNOWS_1", "KNOWS", "Customer_C1", "Customer_C2", w=2.0)],
        # a map holding a relationship whose endpoints were never returned, and a lone node
        [{"x": rel("BOUGHT_2", "BOUGHT", "Customer_C9", "Product_8", w=1.5), "n": 3},
         node("Customer_Gold", "G1")],
        [None, 42, "text"],
    ]  # fmt: skip
    engine = StandInEngine(rows)
    view = subgraph_view(engine, "MATCH p = ... RETURN p", MAPPING, timeout_ms=1234)
    assert engine.asked == [("MATCH p = ... RETURN p", 1234, None)]
    assert view.labels == ["Customer", "Product", "Customer_Gold"]
    ids = view.node_ids()
    assert sorted(ids) == sorted(
        ["Customer_C1", "Customer_C2", "Customer_C9", "Product_7", "Product_8", "Customer_Gold_G1"]
    )
    product_keys = view.keys[1].to_pylist()
    assert sorted(product_keys) == [7, 8] and all(isinstance(k, int) for k in product_keys)
    edges = sorted((ids[s], ids[d]) for s, d in zip(view.src, view.dst, strict=True))
    assert edges == [
        ("Customer_C1", "Customer_C2"),
        ("Customer_C2", "Product_7"),
        ("Customer_C9", "Product_8"),
    ]
    assert view.rel_types == ["KNOWS", "BOUGHT"] and view.weights is None

    weighted = subgraph_view(engine, "MATCH ...", MAPPING, timeout_ms=1, weight_property="w")
    assert weighted.weights is not None
    by_edge = {
        (ids[s], ids[d]): w
        for s, d, w in zip(weighted.src, weighted.dst, weighted.weights, strict=True)
    }
    assert by_edge == {
        ("Customer_C1", "Customer_C2"): 2.0,
        ("Customer_C2", "Product_7"): 1.0,  # null weight
        ("Customer_C9", "Product_8"): 1.5,
    }
    # The view runs like any other.
    result = go("degree_centrality", {}, view, directed=True)
    assert written(result, ids)["Customer_C2"] == approx(2 / 5)


def test_subgraph_view_errors() -> None:
    with pytest.raises(AlgorithmError) as write:
        subgraph_view(StandInEngine([]), "MATCH (n) SET n.x = 1 RETURN n", MAPPING, timeout_ms=1)
    assert write.value.code == "VALIDATION_FAILED" and "SET" in write.value.message
    assert write.value.details == {"field": "subgraph_query"}
    with pytest.raises(AlgorithmError) as empty:
        no_graph: list[list[Any]] = [[1, "a"], [{"k": [2]}]]
        subgraph_view(StandInEngine(no_graph), "RETURN 1", MAPPING, timeout_ms=1)
    assert empty.value.code == "VALIDATION_FAILED" and "no nodes" in empty.value.message
    with pytest.raises(AlgorithmError) as syntax:
        subgraph_view(
            StandInEngine([], EngineError("bad syntax", code="QUERY_SYNTAX_ERROR")),
            "MATCH (",
            MAPPING,
            timeout_ms=1,
        )
    assert syntax.value.status_code == 400 and "bad syntax" in syntax.value.message
    with pytest.raises(AlgorithmError) as database:
        subgraph_view(
            StandInEngine([], EngineError("disk", code="DATABASE_ERROR")), "MATCH", MAPPING,
            timeout_ms=1,
        )  # fmt: skip
    assert database.value.status_code == 500 and database.value.code == "DATABASE_ERROR"
    with pytest.raises(AlgorithmError, match="Shop"):
        subgraph_view(StandInEngine([[node("Shop", 1)]]), "MATCH", MAPPING, timeout_ms=1)
    with pytest.raises(AlgorithmError, match="weight"):
        subgraph_view(
            StandInEngine([[rel("K", "KNOWS", "Customer_a", "Customer_b")]]),
            "MATCH",
            MAPPING,
            timeout_ms=1,
            weight_property="w",
        )
    # Endpoint labels come from the _id when the relationship type is not in the mapping.
    view = subgraph_view(
        StandInEngine([[rel("X1", "OTHER", "Customer_Gold_G2", "Customer_C3")]]),
        "MATCH",
        MAPPING,
        timeout_ms=1,
    )
    assert view.labels == ["Customer", "Customer_Gold"] and view.rel_types == ["OTHER"]
