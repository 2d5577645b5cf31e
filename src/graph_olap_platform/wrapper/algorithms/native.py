"""The native algorithms, computed on a ``GraphView`` with compiled code (scipy.sparse, igraph).

Each function takes the view, its validated parameters and the run's options, and returns an
``AlgorithmResult`` with one value per view node index. The semantics follow NetworkX (the
reference the tests compare against): PageRank and degree on the directed multigraph,
components and betweenness on the directed graph, Louvain, label propagation, k-core and
triangles on the undirected graph. igraph holds the GIL for a whole call, so the execution
manager runs these in a child process (``compute_process``), never in the server's threads.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph_olap_platform.wrapper.algorithms.base import AlgorithmResult, CancelToken
from graph_olap_platform.wrapper.algorithms.graph_arrays import (
    both_ways,
    check_weights,
    edge_weights,
    igraph_graph,
    renumber,
    seeded_igraph,
    simple_edges,
)
from graph_olap_platform.wrapper.engines.base import GraphView


@dataclass(frozen=True)
class RunOptions:
    """The selection's options an algorithm may honour (see ``NativeAlgorithm``)."""

    directed: bool = True
    weighted: bool = False  # the view carries a weight property's values


NativeFunction = Callable[[GraphView, dict[str, Any], RunOptions, CancelToken], AlgorithmResult]


def _weights(view: GraphView, options: RunOptions, algorithm: str, **check: bool) -> np.ndarray:
    weights = edge_weights(view)
    if options.weighted:
        check_weights(weights, algorithm, **check)
    return weights


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def pagerank(
    view: GraphView, params: dict[str, Any], options: RunOptions, token: CancelToken
) -> AlgorithmResult:
    """``networkx.pagerank`` (its scipy power iteration), step for step."""
    n = view.num_nodes
    alpha, max_iter, tol = params["damping_factor"], params["max_iterations"], params["tolerance"]
    if n == 0:
        return AlgorithmResult("node_values", np.zeros(0), "DOUBLE", summary={"iterations": 0})
    src, dst, weights = view.src, view.dst, _weights(view, options, "pagerank")
    if not options.directed:
        src, dst, weights = both_ways(src, dst, weights)
    out_weight = np.bincount(src, weights=weights, minlength=n)
    inverse = np.divide(1.0, out_weight, out=np.zeros(n), where=out_weight != 0)
    # x @ A with A row-normalised is A.T @ x: build A.T directly (parallel edges are summed).
    transposed = sp.csr_array((weights * inverse[src], (dst, src)), shape=(n, n))
    dangling = out_weight == 0
    rank = np.full(n, 1.0 / n)
    converged, iterations = False, 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        token.check()
        previous = rank
        rank = alpha * (transposed @ previous + previous[dangling].sum() / n) + (1 - alpha) / n
        if np.abs(rank - previous).sum() < n * tol:
            converged = True
            break
    return AlgorithmResult(
        "node_values",
        rank,
        "DOUBLE",
        summary={"iterations": iterations, "converged": converged},
    )


def _components(view: GraphView, connection: str) -> AlgorithmResult:
    n = view.num_nodes
    matrix = sp.csr_array(
        (np.ones(view.num_edges, dtype=np.float32), (view.src, view.dst)), shape=(n, n)
    )
    _, labels = connected_components(matrix, directed=True, connection=connection)
    return AlgorithmResult("communities", renumber(labels), "INT64")


def wcc(
    view: GraphView, _params: dict[str, Any], _options: RunOptions, _token: CancelToken
) -> AlgorithmResult:
    return _components(view, "weak")


def scc(
    view: GraphView, _params: dict[str, Any], _options: RunOptions, _token: CancelToken
) -> AlgorithmResult:
    return _components(view, "strong")


def _undirected_weighted(
    view: GraphView, options: RunOptions, algorithm: str
) -> tuple[Any, np.ndarray]:
    """The undirected simple graph with parallel edges summed as weights (self loops kept:
    they count in modularity as in NetworkX), as an igraph graph and its weights."""
    weights = _weights(view, options, algorithm)
    a, b, summed = simple_edges(
        view.num_nodes, view.src, view.dst, weights, directed=False, keep_loops=True
    )
    return igraph_graph(view.num_nodes, a, b, directed=False), summed


def _communities(
    graph: Any, membership: list[int], weights: np.ndarray, resolution: float
) -> AlgorithmResult:
    modularity = (
        float(graph.modularity(membership, weights=weights, resolution=resolution))
        if graph.ecount()
        else math.nan
    )
    return AlgorithmResult(
        "communities",
        renumber(np.asarray(membership, dtype=np.int64)),
        "INT64",
        summary={"modularity": _finite_or_none(modularity)},
    )


def louvain(
    view: GraphView, params: dict[str, Any], options: RunOptions, _token: CancelToken
) -> AlgorithmResult:
    graph, weights = _undirected_weighted(view, options, "louvain")
    resolution = params["resolution"]
    with seeded_igraph(params["seed"]):
        clustering = graph.community_multilevel(weights=weights, resolution=resolution)
    return _communities(graph, clustering.membership, weights, resolution)


def label_propagation(
    view: GraphView, params: dict[str, Any], options: RunOptions, _token: CancelToken
) -> AlgorithmResult:
    graph, weights = _undirected_weighted(view, options, "label_propagation")
    with seeded_igraph(params["seed"]):
        clustering = graph.community_label_propagation(weights=weights)
    return _communities(graph, clustering.membership, weights, 1.0)


def _simple_undirected(view: GraphView) -> tuple[Any, np.ndarray]:
    a, b, _ = simple_edges(
        view.num_nodes, view.src, view.dst, np.ones(view.num_edges), directed=False
    )
    degree = np.bincount(a, minlength=view.num_nodes) + np.bincount(b, minlength=view.num_nodes)
    return igraph_graph(view.num_nodes, a, b, directed=False), degree


def kcore(
    view: GraphView, _params: dict[str, Any], _options: RunOptions, _token: CancelToken
) -> AlgorithmResult:
    graph, _ = _simple_undirected(view)
    return AlgorithmResult("node_values", np.asarray(graph.coreness(), dtype=np.int64), "INT64")


def triangle_count(
    view: GraphView, _params: dict[str, Any], _options: RunOptions, _token: CancelToken
) -> AlgorithmResult:
    graph, degree = _simple_undirected(view)
    # igraph's local clustering counts triangles in C (degree-ordered); undo its division.
    clustering = np.asarray(graph.transitivity_local_undirected(mode="zero"), dtype=np.float64)
    pairs = degree.astype(np.float64) * (degree - 1) / 2
    return AlgorithmResult("node_values", np.rint(clustering * pairs).astype(np.int64), "INT64")


def betweenness(
    view: GraphView, params: dict[str, Any], options: RunOptions, _token: CancelToken
) -> AlgorithmResult:
    n = view.num_nodes
    weights = _weights(view, options, "betweenness", strictly_positive=True)
    a, b, shortest = simple_edges(
        n, view.src, view.dst, weights, directed=options.directed, combine="min"
    )
    graph = igraph_graph(n, a, b, directed=options.directed)
    raw = np.asarray(
        graph.betweenness(
            directed=options.directed, weights=shortest if options.weighted else None
        ),
        dtype=np.float64,
    )
    # igraph counts each node pair once in an undirected graph; NetworkX normalises over
    # ordered pairs: (n-1)(n-2) directed, (n-1)(n-2)/2 undirected.
    if params["normalized"] and n > 2:
        raw = raw * ((1.0 if options.directed else 2.0) / ((n - 1) * (n - 2)))
    return AlgorithmResult("node_values", raw, "DOUBLE")


def degree(
    view: GraphView, params: dict[str, Any], _options: RunOptions, _token: CancelToken
) -> AlgorithmResult:
    n = view.num_nodes
    out_degree = np.bincount(view.src, minlength=n)
    in_degree = np.bincount(view.dst, minlength=n)
    direction = params["direction"]
    counts = {"out": out_degree, "in": in_degree}.get(direction, out_degree + in_degree)
    return AlgorithmResult("node_values", counts.astype(np.int64), "INT64")


FUNCTIONS: dict[str, NativeFunction] = {
    "pagerank": pagerank,
    "wcc": wcc,
    "scc": scc,
    "louvain": louvain,
    "label_propagation": label_propagation,
    "kcore": kcore,
    "triangle_count": triangle_count,
    "betweenness": betweenness,
    "degree": degree,
}


def compute(
    name: str,
    view: GraphView,
    params: dict[str, Any],
    options: RunOptions,
    token: CancelToken | None = None,
) -> AlgorithmResult:
    """Run the native algorithm ``name`` (a canonical catalogue name) on ``view``."""
    return FUNCTIONS[name](view, params, options, token or CancelToken())
