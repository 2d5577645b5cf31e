"""Run a NetworkX function on a :class:`GraphView` and classify what it returns.

The graph handed to NetworkX is rebuilt for every run (docs/algorithms.md): nodes keyed by
``_id`` with attributes ``label`` and ``key``, edges from the view's index arrays, ``weight``
when the view has weights. A simple graph collapses parallel edges (the last stored weight wins,
as in NetworkX's own conversions); the multigraph variants are used only for functions that
refuse simple graphs, or when the caller asks.

What comes back is read by shape, not by name (docs/algorithms.md, "NetworkX"):

- ``{node: number|bool}`` -> ``node_values`` (unless the call was relative to a ``source``:
  distances from a node are an answer, a ``mapping``);
- an iterable of node sets -> ``communities`` (a node in several keeps its first);
- a list of nodes from a path function, each adjacent to the next -> ``path``;
- a number, bool or string -> ``scalar``;
- an iterable of ``(u, v, score)`` -> ``edge_predictions`` (the best 10 000 when more);
- other dictionaries, or ``(node, value)`` pairs -> ``mapping``;
- anything else -> ``unknown`` with a short ``repr`` and, where possible, a JSON ``value``.

Generators are consumed here, with the cancel token checked between items; payloads stop at
10 000 entries with ``truncated`` set, and stop consuming the generator there too.
"""

from __future__ import annotations

import heapq
import json
import math
import reprlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Any, Final, Protocol

import numpy as np
import pyarrow as pa

from graph_olap_platform.wrapper.algorithms.base import (
    AlgorithmError,
    AlgorithmResult,
    Cancelled,
    CancelToken,
)
from graph_olap_platform.wrapper.algorithms.networkx_catalog import (
    NetworkXAlgorithm,
    check_graph_type,
    is_source_like,
    nx,
    resolve,
    uses_multigraph,
    validate_parameters,
)
from graph_olap_platform.wrapper.engines.base import EngineError, GraphView, QueryOutput
from graph_olap_platform.wrapper.engines.gc_pause import gc_paused
from graph_olap_platform.wrapper.mapping import InstanceMapping
from graph_olap_platform.wrapper.readonly import write_clause

__all__ = [
    "MAX_CANDIDATE_PAIRS",
    "MAX_ITEMS",
    "QueryEngine",
    "build_graph",
    "partition_modularity",
    "run",
    "subgraph_view",
]

MAX_ITEMS: Final = 10_000  # entries in a returned payload (predictions, mapping, value)
MAX_CANDIDATE_PAIRS: Final = 1_000_000  # link prediction over every non-edge, without ebunch
_EDGE_CHUNK: Final = 200_000  # edges added between two cancel checks
_CHECK_EVERY: Final = 1024  # items consumed between two cancel checks
_REPR_CHARS: Final = 300
_REPR: Final = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxset, _REPR.maxstring = 3, 8, 8, 8, 60
_INT64_MAX: Final = 2**63 - 1

# What a NetworkX call may raise for a bad graph or bad input: a failed run, not a wrapper bug.
_FAILURES: Final = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    ArithmeticError,
    RecursionError,
    AttributeError,
    NotImplementedError,
    AssertionError,
    ImportError,
)


class QueryEngine(Protocol):
    """The part of an engine :func:`subgraph_view` uses (every ``Engine`` has it)."""

    def query(
        self, cypher: str, parameters: dict[str, Any], *, timeout_ms: int, max_rows: int | None
    ) -> QueryOutput: ...


# -- the graph ------------------------------------------------------------------------------------


def build_graph(
    view: GraphView, *, directed: bool, multigraph: bool = False, token: CancelToken | None = None
) -> Any:
    """An ``nx.Graph`` / ``DiGraph`` / ``MultiGraph`` / ``MultiDiGraph`` of ``view``.

    Nodes are the view's ``_id``s (isolated ones included) with attributes ``label`` and ``key``;
    edge attribute ``weight`` only when ``view.weights`` is set. Edges go in by chunks of zipped
    arrays (no per-edge dict of ours), with ``token`` checked between chunks.
    """
    graph_class = (
        (nx.MultiDiGraph if directed else nx.MultiGraph)
        if multigraph
        else (nx.DiGraph if directed else nx.Graph)
    )
    graph = graph_class()
    ids = view.node_ids()
    # Millions of dicts that all survive: the cyclic collector would walk them again and again
    # (1 M edges: 5.3 s with it, 3.0 s without); reference counting frees what is dropped.
    with gc_paused():
        graph.add_nodes_from(_node_attributes(view, ids))
        by_index = np.array(ids, dtype=object)
        for start in range(0, view.num_edges, _EDGE_CHUNK):
            if token is not None:
                token.check()
            stop = start + _EDGE_CHUNK
            sources = by_index[view.src[start:stop]].tolist()
            targets = by_index[view.dst[start:stop]].tolist()
            if view.weights is None:
                graph.add_edges_from(zip(sources, targets, strict=True))
            else:
                weights = view.weights[start:stop].tolist()
                graph.add_weighted_edges_from(zip(sources, targets, weights, strict=True))
    return graph


def _node_attributes(view: GraphView, ids: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    position = 0
    for label, keys in zip(view.labels, view.keys, strict=True):
        for key in keys.to_pylist():
            yield ids[position], {"label": label, "key": key}
            position += 1


# -- a subgraph from a query ----------------------------------------------------------------------


def subgraph_view(
    engine: QueryEngine,
    query: str,
    mapping: InstanceMapping,
    *,
    timeout_ms: int,
    weight_property: str | None = None,
) -> GraphView:
    """The nodes, relationships and paths that a read query returns, as a :class:`GraphView`.

    Graph values may sit anywhere in the rows (columns, lists, maps, paths). Relationship
    endpoints that were not returned themselves are added (label from the relationship type's
    mapping, else from the ``_id``). With ``weight_property``, each relationship's value of it is
    the weight (1.0 where null). 400 ``VALIDATION_FAILED`` for a write query, a query the engine
    refuses, or one that returns no graph data; ``QueryTimeout`` passes through.
    """
    clause = write_clause(query)
    if clause is not None:
        raise AlgorithmError(
            400,
            "VALIDATION_FAILED",
            f"subgraph_query must be a read query; {clause} is not allowed",
            {"field": "subgraph_query"},
        )
    try:
        output = engine.query(query, {}, timeout_ms=timeout_ms, max_rows=None)
    except EngineError as exc:
        if exc.code == "DATABASE_ERROR":
            raise AlgorithmError(500, "DATABASE_ERROR", exc.message) from exc
        raise AlgorithmError(
            400,
            "VALIDATION_FAILED",
            f"subgraph_query failed: {exc.message}",
            {"field": "subgraph_query"},
        ) from exc
    nodes, relationships = _graph_values(output.rows)
    if not nodes and not relationships:
        raise AlgorithmError(
            400,
            "VALIDATION_FAILED",
            "subgraph_query returned no nodes, relationships or paths: return graph values "
            "(e.g. MATCH (a)-[r]->(b) ... RETURN a, r, b), not their properties",
            {"field": "subgraph_query"},
        )
    return _SubgraphBuilder(mapping).build(nodes, relationships, weight_property)


def _graph_values(rows: list[list[Any]]) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """``({node _id: label}, {relationship _id: relationship})`` found anywhere in ``rows``."""
    nodes: dict[str, str] = {}
    relationships: dict[str, dict[str, Any]] = {}
    stack: list[Any] = list(rows)
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            if "_id" in value and "_type" in value and "_start" in value and "_end" in value:
                relationships.setdefault(str(value["_id"]), value)
            elif "_id" in value and "_label" in value:
                label = value["_label"]
                if isinstance(label, list):  # a multi-label engine; ours have one
                    label = label[0] if label else None
                nodes.setdefault(str(value["_id"]), str(label))
            else:
                stack.extend(value.values())
    return nodes, relationships


_INTEGER_TYPES: Final = ("INT", "UINT", "SERIAL")
_FLOAT_TYPES: Final = ("DOUBLE", "FLOAT", "DECIMAL")


class _SubgraphBuilder:
    def __init__(self, mapping: InstanceMapping) -> None:
        self.specs = {node.label: node for node in mapping.nodes}
        self.edges = {edge.type: edge for edge in mapping.edges}
        self.order = [node.label for node in mapping.nodes]
        self.by_length = sorted(self.order, key=len, reverse=True)

    def build(
        self,
        nodes: dict[str, str],
        relationships: dict[str, dict[str, Any]],
        weight_property: str | None,
    ) -> GraphView:
        labelled = dict(nodes)
        for rel in relationships.values():
            edge = self.edges.get(str(rel["_type"]))
            ends = (("_start", edge and edge.from_node), ("_end", edge and edge.to_node))
            for end, label in ends:
                node_id = str(rel[end])
                if node_id not in labelled:
                    labelled[node_id] = label or self._label_of(node_id)
        keys: dict[str, list[Any]] = {}
        position: dict[str, tuple[str, int]] = {}
        for node_id, label in labelled.items():
            if label not in self.specs:
                raise AlgorithmError(
                    400,
                    "VALIDATION_FAILED",
                    f"subgraph_query returned node {node_id!r} of label {label!r}, which is not "
                    f"in the mapping ({', '.join(self.order)})",
                    {"field": "subgraph_query"},
                )
            bucket = keys.setdefault(label, [])
            position[node_id] = (label, len(bucket))
            bucket.append(self._key(node_id, label))
        labels = [label for label in self.order if label in keys]
        offsets = dict(zip(labels, np.cumsum([0, *(len(keys[lb]) for lb in labels)]), strict=False))
        index = {node_id: int(offsets[lb]) + i for node_id, (lb, i) in position.items()}
        rels = list(relationships.values())
        src = np.fromiter((index[str(r["_start"])] for r in rels), dtype=np.int64, count=len(rels))
        dst = np.fromiter((index[str(r["_end"])] for r in rels), dtype=np.int64, count=len(rels))
        weights = None
        if weight_property is not None:
            if rels and all(r.get(weight_property) is None for r in rels):
                raise AlgorithmError(
                    400,
                    "VALIDATION_FAILED",
                    f"weight_property {weight_property!r}: no relationship returned by "
                    "subgraph_query has it",
                    {"field": "weight_property"},
                )
            weights = np.fromiter(
                (_weight(r.get(weight_property)) for r in rels), dtype=np.float64, count=len(rels)
            )
        types = {str(r["_type"]) for r in rels}
        return GraphView(
            labels=labels,
            keys=[pa.array(keys[label]) for label in labels],
            src=src,
            dst=dst,
            rel_types=[t for t in self.edges if t in types] + sorted(types - set(self.edges)),
            weights=weights,
        )

    def _label_of(self, node_id: str) -> str:
        for label in self.by_length:  # "Customer_Gold" before "Customer"
            if node_id.startswith(label + "_"):
                return label
        raise AlgorithmError(
            400,
            "VALIDATION_FAILED",
            f"subgraph_query returned a relationship to {node_id!r}, whose label is not in the "
            f"mapping ({', '.join(self.order)})",
            {"field": "subgraph_query"},
        )

    def _key(self, node_id: str, label: str) -> Any:
        """The primary key in ``_id`` (``"<Label>_<key>"``), typed like the mapping's key."""
        raw = node_id[len(label) + 1 :]
        key_type = self.specs[label].primary_key.type.upper()
        try:
            if key_type.startswith(_INTEGER_TYPES):
                return int(raw)
            if key_type.startswith(_FLOAT_TYPES):
                return float(raw)
        except ValueError:
            pass
        return raw


def _weight(value: Any) -> float:
    if value is None:
        return 1.0
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AlgorithmError(
            400,
            "VALIDATION_FAILED",
            f"weight_property values must be numbers, got {value!r}",
            {"field": "weight_property"},
        ) from None


# -- running --------------------------------------------------------------------------------------


def run(
    name: str,
    parameters: Mapping[str, Any] | None,
    view: GraphView,
    *,
    directed: bool,
    token: CancelToken,
    graph: Any | None = None,
    multigraph: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> AlgorithmResult:
    """Run NetworkX function ``name`` on ``view`` and classify its result (module docstring).

    ``parameters`` are validated here again (``validate_parameters``); node parameters may be
    ``_id``s or, when the view has one label, bare primary keys. When ``view.weights`` is set, a
    ``weight`` / ``distance`` parameter left at NetworkX's default of None is set to ``"weight"``
    so the weights count. ``graph`` may be a graph already built from ``view`` by
    :func:`build_graph`; ``multigraph`` overrides the automatic choice. ``progress`` gets short
    messages ("building the NetworkX graph", ...).

    Raises ``AlgorithmError`` (400 ``VALIDATION_FAILED`` for bad parameters, unknown nodes, a
    graph type NetworkX refuses or link prediction without ``ebunch`` on a big graph; 500
    ``ALGORITHM_FAILED`` when NetworkX fails, e.g. no path or no convergence) and ``Cancelled``.
    """
    algorithm = resolve(name)
    kwargs = validate_parameters(algorithm.name, parameters)
    if graph is None:
        use_multigraph = uses_multigraph(algorithm) if multigraph is None else multigraph
        check_graph_type(algorithm, directed=directed, multigraph=use_multigraph)
        token.check()
        if progress is not None:
            progress(f"building the graph ({view.num_nodes} nodes, {view.num_edges} edges)")
        graph = build_graph(view, directed=directed, multigraph=use_multigraph, token=token)
    else:
        check_graph_type(algorithm, directed=graph.is_directed(), multigraph=graph.is_multigraph())
    token.check()
    weighted = view.weights is not None
    kwargs = _resolve_nodes(algorithm, kwargs, graph, view)
    if weighted:
        for key in ("weight", "distance"):
            param = algorithm.parameter(key)
            if param and key not in kwargs and param.default is None and "string" in param.kinds:
                kwargs[key] = "weight"
    _check_candidate_pairs(algorithm, kwargs, graph)
    context = _Context(
        algorithm=algorithm,
        graph=graph,
        view=view,
        token=token,
        weighted=weighted,
        source_relative=any(
            is_source_like(p) and kwargs.get(p.name) is not None for p in algorithm.parameters
        ),
    )
    if progress is not None:
        progress(f"running networkx {algorithm.networkx_function}")
    try:
        result = algorithm.function(graph, **kwargs)
        token.check()
        return _classify(result, context)
    except (Cancelled, AlgorithmError):
        raise
    except nx.NetworkXNotImplemented as exc:  # a helper's decorator, or self loops
        text = str(exc)
        hint = (
            "; run it with directed=true"
            if "undirected" in text
            else "; run it with directed=false"
            if "directed" in text
            else ""
        )
        raise AlgorithmError(
            400, "VALIDATION_FAILED", f"{algorithm.name}: {text}{hint}", {"field": "directed"}
        ) from exc
    except nx.NodeNotFound as exc:
        raise AlgorithmError(
            400, "VALIDATION_FAILED", f"{algorithm.name}: {exc}", {"field": "parameters"}
        ) from exc
    except (nx.NetworkXException, *_FAILURES) as exc:
        message = str(exc) or type(exc).__name__
        if not isinstance(exc, nx.NetworkXException):
            message = f"{type(exc).__name__}: {message}"
        raise AlgorithmError(
            500, "ALGORITHM_FAILED", f"{algorithm.name} failed: {message}"
        ) from exc


def _resolve_nodes(
    algorithm: NetworkXAlgorithm, kwargs: dict[str, Any], graph: Any, view: GraphView
) -> dict[str, Any]:
    """Node parameters as graph nodes: ``_id``s as given, bare keys prefixed with the label."""
    labels = [label for label, keys in zip(view.labels, view.keys, strict=True) if len(keys)]
    single = labels[0] if len(labels) == 1 else None
    missing: list[tuple[str, Any]] = []

    def node(param: str, value: Any) -> Any:
        if _has_node(graph, value):
            return value
        if single is not None and _has_node(graph, f"{single}_{value}"):
            return f"{single}_{value}"
        missing.append((param, value))
        return value

    out = dict(kwargs)
    for param in algorithm.parameters:
        value = kwargs.get(param.name)
        kind = param.node_kind
        if value is None or kind is None:
            continue
        if kind == "node" or (kind == "node_or_nodes" and not isinstance(value, list)):
            out[param.name] = node(param.name, value)
        elif kind in ("nodes", "node_or_nodes"):
            out[param.name] = [node(param.name, v) for v in value]
        elif kind == "node_pairs":
            out[param.name] = [(node(param.name, u), node(param.name, v)) for u, v in value]
        elif kind == "node_sets":
            out[param.name] = [{node(param.name, v) for v in group} for group in value]
    if missing:
        shown = ", ".join(f"{p}={v!r}" for p, v in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        how = f" or by the primary key of {single}" if single else ""
        raise AlgorithmError(
            400,
            "VALIDATION_FAILED",
            f'Not in the graph: {shown}{more}. Name nodes by _id ("<Label>_<key>"){how}',
            {
                "invalid_params": sorted({p for p, _ in missing}),
                "valid_params": [p.name for p in algorithm.parameters if p.settable],
            },
        )
    return out


def _has_node(graph: Any, value: Any) -> bool:
    try:
        return bool(value in graph)
    except TypeError:  # unhashable
        return False


def _check_candidate_pairs(
    algorithm: NetworkXAlgorithm, kwargs: dict[str, Any], graph: Any
) -> None:
    """Link prediction scores every non-adjacent pair when ``ebunch`` is left out: refuse that
    when it would be more than ``MAX_CANDIDATE_PAIRS`` pairs (minutes of pure Python)."""
    if algorithm.parameter("ebunch") is None or kwargs.get("ebunch") is not None:
        return
    n = graph.number_of_nodes()
    pairs = n * (n - 1) if graph.is_directed() else n * (n - 1) // 2
    candidates = pairs - graph.number_of_edges()
    if candidates > MAX_CANDIDATE_PAIRS:
        raise AlgorithmError(
            400,
            "VALIDATION_FAILED",
            f"{algorithm.name} without ebunch scores every non-adjacent pair: {candidates:,} "
            f"here, over the limit of {MAX_CANDIDATE_PAIRS:,}. Pass ebunch=[[u, v], ...] with "
            "the pairs to score",
            {
                "invalid_params": ["ebunch"],
                "valid_params": [p.name for p in algorithm.parameters if p.settable],
            },
        )


# -- classification -------------------------------------------------------------------------------


@dataclass
class _Context:
    algorithm: NetworkXAlgorithm
    graph: Any
    view: GraphView
    token: CancelToken
    weighted: bool
    source_relative: bool
    _index: dict[str, int] | None = None

    @property
    def index(self) -> dict[str, int]:
        """View node index by ``_id``."""
        if self._index is None:
            self._index = {node_id: i for i, node_id in enumerate(self.view.node_ids())}
        return self._index

    def is_node(self, value: Any) -> bool:
        return _has_node(self.graph, value)


class _Budget:
    """Counts payload entries (capped at ``MAX_ITEMS``) and checks the cancel token as it goes."""

    def __init__(self, token: CancelToken) -> None:
        self.token = token
        self.left = MAX_ITEMS
        self.steps = 0
        self.truncated = False

    def tick(self) -> None:
        self.steps += 1
        if self.steps % _CHECK_EVERY == 0:
            self.token.check()

    def take(self) -> bool:
        self.tick()
        if self.left <= 0:
            self.truncated = True
            return False
        self.left -= 1
        return True


_END: Final = object()


def _classify(result: Any, ctx: _Context) -> AlgorithmResult:
    result = _unview(result)
    if _is_scalar(result):
        return AlgorithmResult(kind="scalar", payload={"value": _json_scalar(result)})
    if result is None:
        return AlgorithmResult(kind="unknown", payload={"repr": "None", "value": None})
    if isinstance(result, Mapping):
        return _from_mapping(result, ctx)
    if isinstance(result, set | frozenset | np.ndarray | str | bytes) or not isinstance(
        result, Iterable
    ):
        return _unknown(result, ctx)
    return _from_iterable(iter(result), ctx)


def _unview(value: Any) -> Any:
    """NetworkX's report views as plain containers: degree views read as ``{node: degree}``."""
    views = nx.classes.reportviews
    if isinstance(value, views.DiDegreeView):
        return dict(value)
    if isinstance(value, views.NodeView | views.OutEdgeView):
        return list(value)
    return value


def _is_scalar(value: Any) -> bool:
    if isinstance(value, np.generic):
        return isinstance(value, np.bool_ | np.number) and not isinstance(value, np.complexfloating)
    return isinstance(value, bool | int | float | str)


def _is_real(value: Any) -> bool:
    return _is_scalar(value) and not isinstance(value, str | bool | np.bool_)


def _json_scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _from_mapping(result: Mapping[Any, Any], ctx: _Context) -> AlgorithmResult:
    if not ctx.source_relative and (result or ctx.algorithm.returns == "node_values"):
        values = _node_values(result, ctx)
        if values is not None:
            return values
    budget = _Budget(ctx.token)
    mapping = _json(result, budget)
    return AlgorithmResult(
        kind="mapping", payload={"mapping": mapping, "truncated": budget.truncated}
    )


def _node_values(result: Mapping[Any, Any], ctx: _Context) -> AlgorithmResult | None:
    """``node_values`` when every key is a node and every value a number or bool, else None."""
    index = ctx.index
    positions: list[int] = []
    raw: list[Any] = []
    all_bool = all_int = True
    for step, (key, value) in enumerate(result.items()):
        if step % _CHECK_EVERY == 0:
            ctx.token.check()
        position = index.get(key) if isinstance(key, str) else None
        if position is None or not (_is_real(value) or isinstance(value, bool | np.bool_)):
            return None
        if isinstance(value, np.generic):
            value = value.item()
        all_bool = all_bool and isinstance(value, bool)
        all_int = all_int and isinstance(value, int) and abs(value) <= _INT64_MAX
        positions.append(position)
        raw.append(value)
    n = ctx.view.num_nodes
    at = np.asarray(positions, dtype=np.int64)
    if raw and (all_bool or all_int):
        # BOOL travels as int64 0/1 with the missing mask, as the contract's arrays are
        # float64 or int64; the value type says how to write it.
        values = np.zeros(n, dtype=np.int64)
        values[at] = np.asarray(raw, dtype=np.int64)
        missing = np.ones(n, dtype=bool)
        missing[at] = False
        present = values[~missing]
        summary = _summary(present.astype(np.float64))
        if all_bool:
            summary["true_count"] = int(present.sum())
        return AlgorithmResult(
            kind="node_values",
            values=values,
            value_type="BOOL" if all_bool else "INT64",
            missing=missing,
            summary=summary,
        )
    values = np.full(n, np.nan, dtype=np.float64)
    values[at] = np.asarray(raw, dtype=np.float64)
    values[~np.isfinite(values)] = np.nan  # inf (an unreachable node, ...) is no value
    return AlgorithmResult(
        kind="node_values",
        values=values,
        value_type="DOUBLE",
        summary=_summary(values[~np.isnan(values)]),
    )


def _summary(present: np.ndarray) -> dict[str, Any]:
    if not len(present):
        return {"min": None, "max": None, "mean": None, "count": 0}
    return {
        "min": float(present.min()),
        "max": float(present.max()),
        "mean": float(present.mean()),
        "count": len(present),
    }


def _from_iterable(items: Iterator[Any], ctx: _Context) -> AlgorithmResult:
    first = next(items, _END)
    if first is _END:
        return _empty(ctx)
    if isinstance(first, set | frozenset):
        return _communities(first, items, ctx)
    if (
        isinstance(first, tuple)
        and len(first) == 3
        and ctx.is_node(first[0])
        and ctx.is_node(first[1])
        and _is_real(first[2])
    ):
        return _predictions(first, items, ctx)
    if (
        isinstance(first, tuple)
        and len(first) == 2
        and ctx.is_node(first[0])
        and isinstance(first[1], Mapping | list | tuple | set | frozenset)
    ):
        return _pairs_mapping(first, items, ctx)
    if ctx.is_node(first):
        return _nodes(first, items, ctx)
    return _unknown(chain([first], items), ctx)


def _empty(ctx: _Context) -> AlgorithmResult:
    expected = ctx.algorithm.returns
    if expected == "communities":
        return _community_result([], ctx)
    if expected == "edge_predictions":
        return AlgorithmResult(
            kind="edge_predictions", payload={"predictions": [], "truncated": False, "total": 0}
        )
    return AlgorithmResult(kind="unknown", payload={"repr": "[]", "value": [], "truncated": False})


def _communities(first: Any, items: Iterator[Any], ctx: _Context) -> AlgorithmResult:
    groups: list[Any] = [first]
    for group in items:
        ctx.token.check()  # each item can be a whole component: check every time
        groups.append(group)
    if all(isinstance(g, set | frozenset) and all(map(ctx.is_node, g)) for g in groups):
        return _community_result(groups, ctx)
    return _unknown(groups, ctx)


def _community_result(groups: list[Any], ctx: _Context) -> AlgorithmResult:
    index = ctx.index
    n = ctx.view.num_nodes
    ids = np.full(n, -1, dtype=np.int64)
    overlapping = False
    for community, group in enumerate(groups):
        ctx.token.check()
        at = np.fromiter((index[node] for node in group), dtype=np.int64, count=len(group))
        taken = ids[at] >= 0
        overlapping = overlapping or bool(taken.any())
        ids[at[~taken]] = community  # a node in several communities keeps its first
    missing = ids < 0
    summary: dict[str, Any] = {
        "community_count": len(groups),
        "largest_community_size": max((len(g) for g in groups), default=0),
        "unassigned_nodes": int(missing.sum()),
    }
    if overlapping:
        summary["overlapping"] = True
    elif not missing.any() and n == ctx.graph.number_of_nodes():
        modularity = partition_modularity(
            ctx.view,
            ids,
            directed=ctx.graph.is_directed(),
            multigraph=ctx.graph.is_multigraph(),
            weighted=ctx.weighted,
        )
        if modularity is not None:
            summary["modularity"] = modularity
    return AlgorithmResult(
        kind="communities", values=ids, value_type="INT64", missing=missing, summary=summary
    )


def partition_modularity(
    view: GraphView, community: np.ndarray, *, directed: bool, multigraph: bool, weighted: bool
) -> float | None:
    """``nx.community.modularity`` of the partition ``community`` (an id per view node) on the
    graph :func:`build_graph` makes of ``view``, computed on the arrays: NetworkX's own takes
    seconds per million edges. None for a graph without edges (or weights summing to 0).

    A simple graph keeps one edge per pair (per unordered pair when undirected), with the last
    stored weight, as ``build_graph`` does; a self loop counts twice in an undirected degree.
    """
    src, dst = view.src, view.dst
    weights = view.weights if weighted and view.weights is not None else np.ones(len(src))
    if not multigraph and len(src):
        if not directed:
            src, dst = np.minimum(src, dst), np.maximum(src, dst)
        pair = src * np.int64(view.num_nodes) + dst
        _, last_reversed = np.unique(pair[::-1], return_index=True)
        keep = len(pair) - 1 - last_reversed  # the last stored edge of each pair
        src, dst, weights = src[keep], dst[keep], weights[keep]
    total = float(weights.sum())
    if not len(src) or total == 0:
        return None
    count = int(community.max()) + 1
    cs, cd = community[src], community[dst]
    inside = cs == cd
    internal = float(weights[inside].sum())
    if directed:
        out_sum = np.bincount(cs, weights=weights, minlength=count)
        in_sum = np.bincount(cd, weights=weights, minlength=count)
        return internal / total - float((out_sum * in_sum).sum()) / total**2
    degree = np.bincount(cs, weights=weights, minlength=count) + np.bincount(
        cd, weights=weights, minlength=count
    )
    return internal / total - float((degree**2).sum()) / (2 * total) ** 2


def _score_key(score: float) -> float:
    return -math.inf if math.isnan(score) else score


def _predictions(first: Any, items: Iterator[Any], ctx: _Context) -> AlgorithmResult:
    """All predictions in NetworkX's order, or the best ``MAX_ITEMS`` by score when more."""
    kept: list[tuple[Any, Any, float]] = []
    heap: list[tuple[float, int, Any, Any]] | None = None
    count = 0
    for item in chain([first], items):
        count += 1
        if count % _CHECK_EVERY == 0:
            ctx.token.check()
        if not (isinstance(item, tuple) and len(item) == 3 and _is_real(item[2])):
            return _unknown(chain(kept, [item], items), ctx)
        u, v, score = item[0], item[1], float(item[2])
        if heap is None:
            kept.append((u, v, score))
            if len(kept) > MAX_ITEMS:  # switch to keeping the best, earliest first on ties
                heap = [(_score_key(s), -i, a, b) for i, (a, b, s) in enumerate(kept)]
                heapq.heapify(heap)
                heapq.heappop(heap)
        else:
            heapq.heappushpop(heap, (_score_key(score), -count, u, v))
    if heap is not None:
        best = sorted(heap, reverse=True)
        kept = [(u, v, key) for key, _, u, v in best]
    predictions = [
        {"source": u, "target": v, "score": score if math.isfinite(score) else None}
        for u, v, score in kept
    ]
    return AlgorithmResult(
        kind="edge_predictions",
        payload={"predictions": predictions, "truncated": heap is not None, "total": count},
    )


def _pairs_mapping(first: Any, items: Iterator[Any], ctx: _Context) -> AlgorithmResult:
    """``(node, value)`` pairs (``all_pairs_shortest_path_length``...) as one mapping."""
    budget = _Budget(ctx.token)
    out: dict[str, Any] = {}
    seen: list[Any] = []
    for pair in chain([first], items):
        if not budget.take():
            break
        if not (isinstance(pair, tuple) and len(pair) == 2):
            return _unknown(chain(seen, [pair], items), ctx)
        seen.append(pair)
        out[_json_key(pair[0])] = _json(pair[1], budget)
    return AlgorithmResult(kind="mapping", payload={"mapping": out, "truncated": budget.truncated})


def _nodes(first: Any, items: Iterator[Any], ctx: _Context) -> AlgorithmResult:
    """A path for a path function (by name or documented return) whose nodes follow edges;
    otherwise (centers, traversal orders, articulation points...) an ``unknown`` node list."""
    budget = _Budget(ctx.token)
    nodes = [first]
    for node in items:
        if not budget.take():
            break
        nodes.append(node)
    graph = ctx.graph
    is_path = (
        not budget.truncated
        and all(map(ctx.is_node, nodes))
        and ("path" in ctx.algorithm.name or ctx.algorithm.returns == "path")
        and all(graph.has_edge(u, v) for u, v in pairwise(nodes))
    )
    if not is_path:
        return _unknown(nodes, ctx, truncated=budget.truncated)
    payload: dict[str, Any] = {"path": nodes, "length": len(nodes) - 1}
    if ctx.weighted:
        payload["total_weight"] = _json_scalar(
            sum(_edge_weight(graph, u, v) for u, v in pairwise(nodes))
        )
    return AlgorithmResult(kind="path", payload=payload)


def _edge_weight(graph: Any, u: Any, v: Any) -> float:
    data = graph[u][v]
    if graph.is_multigraph():  # the lightest parallel edge, as shortest paths use
        return float(min(d.get("weight", 1.0) for d in data.values()))
    return float(data.get("weight", 1.0))


def _unknown(result: Any, ctx: _Context, *, truncated: bool = False) -> AlgorithmResult:
    budget = _Budget(ctx.token)
    value = _json(result, budget)  # NetworkX errors raised by a lazy generator pass through
    shown = value if isinstance(result, Iterator) else result  # an iterator's repr says nothing
    try:
        text = _REPR.repr(shown)
    except Exception:  # a foreign object whose repr fails: its type is all we can say
        text = f"<{type(shown).__name__}>"
    if len(text) > _REPR_CHARS:
        text = text[: _REPR_CHARS - 1] + "…"
    return AlgorithmResult(
        kind="unknown",
        payload={"repr": text, "value": value, "truncated": truncated or budget.truncated},
    )


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, tuple):  # an edge: its JSON text, unambiguous and parseable
        return json.dumps([_json_key(k) if not _is_scalar(k) else _json_scalar(k) for k in key])
    return str(_json_scalar(key) if _is_scalar(key) else key)


def _json(value: Any, budget: _Budget) -> Any:
    """A JSON-ready copy of ``value``; containers stop when the budget runs out."""
    value = _unview(value)
    if value is None or isinstance(value, str):
        return value
    if _is_scalar(value):
        return _json_scalar(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not budget.take():
                break
            out[_json_key(key)] = _json(item, budget)
        return out
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, set | frozenset):
        value = sorted(value, key=str)  # sets have no order; sorting keeps results stable
    if isinstance(value, Iterable) and not isinstance(value, bytes):
        items: list[Any] = []
        for item in value:
            if not budget.take():
                break
            items.append(_json(item, budget))
        return items
    text = repr(value)
    return text if len(text) <= _REPR_CHARS else text[: _REPR_CHARS - 1] + "…"
