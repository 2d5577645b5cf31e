"""A native run from request to outcome: validation, extraction, the engine's own algorithm or
the compiled one.

scipy algorithms (PageRank, components, degree) run in the worker thread: they are quick per
step and PageRank checks the cancel token between iterations. igraph algorithms hold the GIL for
the whole call, so they run in a child process (``compute_process``) that a cancel kills.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph_olap_platform.wrapper.algorithms import native
from graph_olap_platform.wrapper.algorithms.base import AlgorithmRequest, AlgorithmResult
from graph_olap_platform.wrapper.algorithms.compute_process import run_in_child
from graph_olap_platform.wrapper.algorithms.executions import Job, Outcome, RunContext
from graph_olap_platform.wrapper.algorithms.graph_arrays import renumber
from graph_olap_platform.wrapper.algorithms.native import RunOptions
from graph_olap_platform.wrapper.algorithms.native_catalog import (
    MAX_TIMEOUT_MS,
    MIN_TIMEOUT_MS,
    NativeAlgorithm,
    lookup,
)
from graph_olap_platform.wrapper.algorithms.parameters import validate_parameters
from graph_olap_platform.wrapper.algorithms.selection import (
    check_result_property,
    check_timeout,
    parse_start_body,
    resolve_selection,
    validation_error,
)
from graph_olap_platform.wrapper.algorithms.shortest_path import (
    compute_path,
    path_payload,
    resolve_node,
)
from graph_olap_platform.wrapper.algorithms.view_cache import ViewCache
from graph_olap_platform.wrapper.engines.base import Engine, GraphView
from graph_olap_platform.wrapper.mapping import InstanceMapping


def prepare(name: str, body: Any, mapping: InstanceMapping) -> AlgorithmRequest:
    """The validated request for ``POST /algo/{name}``; ``AlgorithmError`` names what is wrong."""
    algorithm = lookup(name)
    parsed = parse_start_body(body)
    if parsed.subgraph_query is not None:
        raise validation_error(
            "subgraph_query is for NetworkX algorithms; native ones select with node_label and "
            "edge_type",
            "subgraph_query",
        )
    selection = resolve_selection(mapping, parsed, directed_default=True)
    if selection.weight_property is not None and not algorithm.weighted:
        raise validation_error(
            f"{algorithm.name} takes no weight_property", "weight_property", algorithm=name
        )
    parameters = validate_parameters(algorithm.name, algorithm.parameters, parsed.parameters)
    write_back = parsed.write_back and algorithm.writes_property
    result_property = (
        check_result_property(mapping, selection.labels, parsed.result_property)
        if write_back
        else None
    )
    timeout_ms = check_timeout(
        parsed.timeout_ms, algorithm.default_timeout_ms, low=MIN_TIMEOUT_MS, high=MAX_TIMEOUT_MS
    )
    return AlgorithmRequest(
        algorithm.name, "native", selection, parameters, result_property, write_back, timeout_ms
    )


def _from_engine(algorithm: NativeAlgorithm, values: np.ndarray) -> AlgorithmResult:
    if algorithm.returns == "communities":
        return AlgorithmResult("communities", renumber(values), "INT64")
    value_type = algorithm.value_type or "DOUBLE"
    dtype = np.int64 if value_type == "INT64" else np.float64
    return AlgorithmResult("node_values", np.asarray(values, dtype=dtype), value_type)


def _extract(
    request: AlgorithmRequest, engine: Engine, context: RunContext, views: ViewCache
) -> GraphView:
    selection = request.selection
    context.phase(
        "extracting",
        f"Reading {', '.join(selection.labels)} nodes"
        + (f" and {', '.join(selection.rel_types)} relationships" if selection.rel_types else ""),
    )
    return views.view(engine, selection, timeout_ms=context.remaining_ms())


def job(request: AlgorithmRequest, engine: Engine, views: ViewCache) -> Job:
    """The run of a prepared native request, for ``ExecutionManager.start``."""
    algorithm = lookup(request.algorithm)
    selection = request.selection
    options = RunOptions(
        directed=selection.directed, weighted=selection.weight_property is not None
    )

    def run(context: RunContext) -> Outcome:
        view = _extract(request, engine, context, views)
        context.phase(
            "computing",
            f"{algorithm.name} on {view.num_nodes} nodes and {view.num_edges} relationships",
        )
        token, params = context.token, request.parameters
        if algorithm.name == "shortest_path":
            source = resolve_node(view, params["source_id"], "source_id")
            target = resolve_node(view, params["target_id"], "target_id")
            found = run_in_child(
                compute_path, view, source, target, options, token=token, name=algorithm.name
            )
            payload = path_payload(view, found, params["source_id"], params["target_id"])
            return Outcome(AlgorithmResult("path", payload=payload))
        # The engine sees only what changes the result ("directed" where it applies), so it
        # can tell whether its own procedure has the same semantics (FalkorDB's algo.WCC).
        engine_params = (
            {**params, "directed": selection.directed} if algorithm.honours_directed else params
        )
        if options.weighted:
            engine_params = {**engine_params, "weight_property": selection.weight_property}
        engine_values = engine.native_algorithm(
            algorithm.name, view, engine_params, timeout_ms=context.remaining_ms()
        )
        if engine_values is not None:
            return Outcome(_from_engine(algorithm, engine_values), view)
        if algorithm.implementation == "igraph":
            result = run_in_child(
                native.compute, algorithm.name, view, params, options,
                token=token, name=algorithm.name,
            )  # fmt: skip
        else:
            result = native.compute(algorithm.name, view, params, options, token)
        return Outcome(result, view)

    return run
