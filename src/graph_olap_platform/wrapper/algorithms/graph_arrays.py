"""Array helpers for the native algorithms: weights, simple graphs, igraph graphs, renumbering.

Everything here works on whole arrays (numpy, scipy, igraph's C core); nothing loops over nodes
or edges in Python.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import igraph
import numpy as np

from graph_olap_platform.wrapper.algorithms.base import AlgorithmError
from graph_olap_platform.wrapper.engines.base import GraphView


def edge_weights(view: GraphView) -> np.ndarray:
    """One float64 weight per edge: the view's weights, 1.0 for a null weight (NetworkX's
    default for an edge without the attribute) and 1.0 everywhere without a weight property."""
    if view.weights is None:
        return np.ones(view.num_edges, dtype=np.float64)
    weights = np.asarray(view.weights, dtype=np.float64)
    return np.where(np.isnan(weights), 1.0, weights)


def check_weights(weights: np.ndarray, algorithm: str, *, strictly_positive: bool = False) -> None:
    """Negative (or, for betweenness, zero) weights have no meaning for these algorithms."""
    if weights.size == 0:
        return
    low = float(weights.min())
    if np.isinf(weights).any() or low < 0 or (strictly_positive and low <= 0):
        bound = "positive" if strictly_positive else "non-negative"
        raise AlgorithmError(
            400,
            "VALIDATION_FAILED",
            f"{algorithm} needs {bound} finite edge weights; the weight property has {low}",
            {"field": "weight_property"},
        )


def both_ways(
    src: np.ndarray, dst: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An undirected multigraph as directed pairs: every edge both ways, a self loop once
    (as ``networkx.to_scipy_sparse_array`` counts an undirected graph)."""
    other = src != dst
    return (
        np.concatenate([src, dst[other]]),
        np.concatenate([dst, src[other]]),
        np.concatenate([weights, weights[other]]),
    )


def simple_edges(
    num_nodes: int,
    src: np.ndarray,
    dst: np.ndarray,
    weights: np.ndarray,
    *,
    directed: bool,
    keep_loops: bool = False,
    combine: str = "sum",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The simple graph of a multigraph: one edge per (ordered, when ``directed``) node pair,
    parallel edges' weights combined by ``sum`` or ``min``; self loops dropped unless kept.

    Pairs come out sorted by (first, second) node index, so results do not depend on the
    order the engine returned the edges in.
    """
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    if not directed:
        src, dst = np.minimum(src, dst), np.maximum(src, dst)
    if not keep_loops:
        other = src != dst
        src, dst, weights = src[other], dst[other], weights[other]
    pair = src * max(num_nodes, 1) + dst
    unique, inverse = np.unique(pair, return_inverse=True)
    if combine == "sum":
        combined = np.bincount(inverse, weights=weights, minlength=len(unique))
    else:
        combined = np.full(len(unique), np.inf)
        np.minimum.at(combined, inverse, weights)
    n = max(num_nodes, 1)
    return unique // n, unique % n, combined.astype(np.float64)


def igraph_graph(
    num_nodes: int, src: np.ndarray, dst: np.ndarray, *, directed: bool
) -> igraph.Graph:
    """An igraph graph with edge ``i`` = (``src[i]``, ``dst[i]``), built from the arrays in C."""
    edges = np.ascontiguousarray(np.column_stack([src, dst]), dtype=np.int64)
    return igraph.Graph(n=num_nodes, edges=edges, directed=directed)


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """igraph draws from Python's ``random`` by default; a seeded generator makes a run
    reproducible. Algorithms run one at a time (and in their own process), so swapping the
    global generator is safe."""
    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)


def renumber(labels: np.ndarray) -> np.ndarray:
    """Community ids 0..k-1 (int64), numbered in the order of each community's first node."""
    labels = np.asarray(labels)
    if labels.size == 0:
        return np.zeros(0, dtype=np.int64)
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first), dtype=np.int64)
    return rank[inverse.reshape(-1)]
