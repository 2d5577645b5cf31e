"""A NetworkX run from request to outcome, around the bridge (``networkx_catalog`` /
``networkx_runner``): the selection and write-back are the native ones; the graph comes from
``Engine.graph_view`` or from a ``subgraph_query``; NetworkX runs in the execution's worker
thread inside ``RunContext.interruptible()``, so a cancel or a timeout stops it (an asynchronous
``Cancelled``), while the engine calls stay outside.
"""

from __future__ import annotations

from typing import Any

from graph_olap_platform.wrapper.algorithms import networkx_catalog, networkx_runner
from graph_olap_platform.wrapper.algorithms.base import AlgorithmRequest
from graph_olap_platform.wrapper.algorithms.executions import Job, Outcome, RunContext
from graph_olap_platform.wrapper.algorithms.native_catalog import MAX_TIMEOUT_MS, MIN_TIMEOUT_MS
from graph_olap_platform.wrapper.algorithms.selection import (
    check_result_property,
    check_timeout,
    parse_start_body,
    resolve_selection,
)
from graph_olap_platform.wrapper.algorithms.view_cache import ViewCache
from graph_olap_platform.wrapper.engines.base import Engine
from graph_olap_platform.wrapper.mapping import InstanceMapping


def prepare(name: str, body: Any, mapping: InstanceMapping) -> AlgorithmRequest:
    """The validated request for ``POST /networkx/{name}`` (undirected unless ``directed``)."""
    algorithm = networkx_catalog.resolve(name)
    parsed = parse_start_body(body)
    selection = resolve_selection(mapping, parsed, directed_default=False)
    parameters = networkx_catalog.validate_parameters(
        algorithm.name, parsed.parameters, directed=selection.directed
    )
    # The catalogue's result type is read from a docstring; a run reports what it really
    # returned. A named property is kept (checked again before writing) whatever the guess.
    result_property = parsed.result_property
    if parsed.write_back and (algorithm.supports_write_back or result_property):
        result_property = check_result_property(mapping, selection.labels, result_property)
    timeout_ms = check_timeout(
        parsed.timeout_ms,
        networkx_catalog.DEFAULT_TIMEOUT_MS,
        low=MIN_TIMEOUT_MS,
        high=MAX_TIMEOUT_MS,
    )
    return AlgorithmRequest(
        algorithm.name,
        "networkx",
        selection,
        parameters,
        result_property if parsed.write_back else None,
        parsed.write_back,
        timeout_ms,
    )


def job(
    request: AlgorithmRequest,
    engine: Engine,
    mapping: InstanceMapping,
    views: ViewCache,
) -> Job:
    selection = request.selection

    def run(context: RunContext) -> Outcome:
        if selection.subgraph_query is not None:
            context.phase("extracting", "Running the subgraph query")
            view = networkx_runner.subgraph_view(
                engine,
                selection.subgraph_query,
                mapping,
                timeout_ms=context.remaining_ms(),
                weight_property=selection.weight_property,
            )
        else:
            context.phase("extracting", f"Reading {', '.join(selection.labels)}")
            view = views.view(engine, selection, timeout_ms=context.remaining_ms())
        context.phase(
            "computing",
            f"networkx {request.algorithm} on {view.num_nodes} nodes, {view.num_edges} edges",
        )

        def progress(message: str) -> None:
            context.execution.message = message

        with context.interruptible():
            result = networkx_runner.run(
                request.algorithm,
                request.parameters,
                view,
                directed=selection.directed,
                token=context.token,
                progress=progress,
            )
        return Outcome(result, view)

    return run
