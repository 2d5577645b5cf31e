"""The synchronous native ``shortest_path``: node ids resolved on the view, igraph's BFS/Dijkstra.

A node is named by its ``_id`` (``"<Label>_<primary key>"``) or, when one label is selected, by its
bare primary key. The answer is ``{found, path: [_id, ...], hop_count, length, total_weight}``;
without a weight property every relationship weighs 1, so ``total_weight`` is the hop count.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph_olap_platform.wrapper.algorithms.base import AlgorithmError, AlgorithmResult
from graph_olap_platform.wrapper.algorithms.graph_arrays import (
    check_weights,
    edge_weights,
    igraph_graph,
    simple_edges,
)
from graph_olap_platform.wrapper.algorithms.native import RunOptions
from graph_olap_platform.wrapper.engines.base import GraphView


def _key_index(keys: pa.Array, key: str | int) -> int | None:
    try:
        value = pa.scalar(key).cast(keys.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    index = pc.index(keys, value).as_py()
    return None if index is None or index < 0 else int(index)


def resolve_node(view: GraphView, node: str | int, field: str) -> int:
    """The view index of the node named ``node``; ``VALIDATION_FAILED`` when there is none."""
    text = str(node)
    offsets = view.offsets
    # Longest label first: with labels "A" and "A_B", "A_B_1" is key "1" of A_B.
    order = sorted(range(len(view.labels)), key=lambda i: -len(view.labels[i]))
    for i in order:
        label = view.labels[i]
        if text.startswith(f"{label}_"):
            found = _key_index(view.keys[i], text[len(label) + 1 :])
            if found is not None:
                return int(offsets[i]) + found
    if len(view.labels) == 1:
        found = _key_index(view.keys[0], node)
        if found is not None:
            return found
    hint = (
        f"a primary key of {view.labels[0]} or its _id"
        if len(view.labels) == 1
        else "an _id such as " + f"{view.labels[0]}_<key>"
        if view.labels
        else "an _id"
    )
    raise AlgorithmError(
        400,
        "VALIDATION_FAILED",
        f"{field} {node!r} is not a node of the selected labels "
        f"({', '.join(view.labels) or 'none'}); give {hint}",
        {"field": field, "value": node, "labels": view.labels},
    )


def compute_path(view: GraphView, source: int, target: int, options: RunOptions) -> AlgorithmResult:
    """Runs in the compute process; ``payload`` holds view indexes (``node_indexes``)."""
    weights = edge_weights(view)
    if options.weighted:
        check_weights(weights, "shortest_path")
    a, b, shortest = simple_edges(
        view.num_nodes, view.src, view.dst, weights, directed=options.directed, combine="min"
    )
    graph = igraph_graph(view.num_nodes, a, b, directed=options.directed)
    with warnings.catch_warnings():  # igraph warns "Couldn't reach some vertices"
        warnings.simplefilter("ignore", RuntimeWarning)
        edges = graph.get_shortest_path(
            source,
            to=target,
            weights=shortest if options.weighted else None,
            mode="out" if options.directed else "all",
            output="epath",
        )
    if source == target:
        return AlgorithmResult("path", payload={"node_indexes": [source], "total_weight": 0.0})
    if not edges:
        return AlgorithmResult("path", payload={"node_indexes": [], "total_weight": None})
    used = np.asarray(edges, dtype=np.int64)
    nodes = [source]
    for u, v in zip(a[used].tolist(), b[used].tolist(), strict=True):  # one step per hop
        nodes.append(v if u == nodes[-1] else u)
    total = float(shortest[used].sum()) if options.weighted else float(len(used))
    return AlgorithmResult("path", payload={"node_indexes": nodes, "total_weight": total})


def path_payload(
    view: GraphView, result: AlgorithmResult, source: Any, target: Any
) -> dict[str, Any]:
    """The answer of ``POST /algo/shortest_path``, with ``_id``s for the view indexes."""
    indexes: list[int] = result.payload["node_indexes"]
    offsets = view.offsets
    ids: list[str] = []
    for index in indexes:
        i = int(np.searchsorted(offsets, index, side="right")) - 1
        key = view.keys[i][index - int(offsets[i])].as_py()
        ids.append(f"{view.labels[i]}_{key}")
    hops = len(ids) - 1 if ids else None
    return {
        "found": bool(ids),
        "source_id": source,
        "target_id": target,
        "path": ids,
        "hop_count": hops,
        "length": hops,
        "total_weight": result.payload["total_weight"],
    }
