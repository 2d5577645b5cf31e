"""Engine-independent parts of ``graph_view`` and ``write_node_property`` (docs/algorithms.md).

Every engine validates a selection the same way (unknown labels, types and weight properties
are ``QUERY_ERROR`` naming the valid ones), turns weights into float64 the same way (a null or
NaN weight counts as 1.0: an edge without a weight is still an edge, and NetworkX's own default
weight is 1), and coerces write-back values the same way (NaN is stored as null: it is the
algorithms' "no value"). Keeping this here keeps the engines' answers identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graph_olap_platform.wrapper.engines.base import EdgeSpec, EngineError, NodeSpec

WRITE_TYPES: dict[str, pa.DataType] = {
    "DOUBLE": pa.float64(),
    "INT64": pa.int64(),
    "BOOL": pa.bool_(),
}
"""Property types ``write_node_property`` stores, with their Arrow types."""

NUMERIC_TYPES = frozenset(
    {
        "INT8",
        "INT16",
        "INT32",
        "INT64",
        "INT128",
        "UINT8",
        "UINT16",
        "UINT32",
        "UINT64",
        "SERIAL",
        "FLOAT",
        "DOUBLE",
        "DECIMAL",
    }
)
"""Declared property types that can serve as an edge weight."""


def _names(values: Iterable[str]) -> str:
    listed = ", ".join(sorted(values))
    return listed or "(none)"


def resolve_selection(
    labels: Sequence[str],
    rel_types: Sequence[str],
    nodes: dict[str, NodeSpec],
    edges: dict[str, EdgeSpec],
    weight_property: str | None,
) -> tuple[list[str], list[EdgeSpec]]:
    """The distinct labels, in order, and the specs of ``rel_types``; raises ``QUERY_ERROR``
    for an unknown label or type, a type with an endpoint outside ``labels``, and a weight
    property that is not a numeric property of every type."""
    chosen = list(dict.fromkeys(labels))
    unknown = [label for label in chosen if label not in nodes]
    if unknown:
        raise EngineError(
            f"Unknown node label {', '.join(unknown)}; valid labels: {_names(nodes)}",
            code="QUERY_ERROR",
        )
    specs: list[EdgeSpec] = []
    for rel_type in dict.fromkeys(rel_types):
        spec = edges.get(rel_type)
        if spec is None:
            raise EngineError(
                f"Unknown relationship type {rel_type}; valid types: {_names(edges)}",
                code="QUERY_ERROR",
            )
        outside = [end for end in (spec.from_node, spec.to_node) if end not in chosen]
        if outside:
            raise EngineError(
                f"Relationship type {rel_type} connects {spec.from_node} to {spec.to_node}: "
                f"{', '.join(dict.fromkeys(outside))} is not among the selected labels "
                f"({', '.join(chosen) or 'none'})",
                code="QUERY_ERROR",
            )
        if weight_property is not None:
            numeric = {p.name for p in spec.properties if p.type.upper() in NUMERIC_TYPES}
            if weight_property not in numeric:
                declared = {p.name: p.type.upper() for p in spec.properties}
                why = (
                    f"is {declared[weight_property]}, not a number"
                    if weight_property in declared
                    else "does not exist"
                )
                raise EngineError(
                    f"Weight property {weight_property!r} of relationship type {rel_type} "
                    f"{why}; valid weight properties: {_names(numeric)}",
                    code="QUERY_ERROR",
                )
        specs.append(spec)
    return chosen, specs


def weights_array(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Weights as float64, with null and NaN weights counted as 1.0."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.float64())
    numbers = pc.cast(values, pa.float64())
    numbers = pc.if_else(pc.is_nan(numbers), None, numbers)
    return np.asarray(pc.fill_null(numbers, 1.0).to_numpy(zero_copy_only=False), np.float64)


def concatenate(parts: list[np.ndarray], dtype: type[np.generic]) -> np.ndarray:
    if not parts:
        return np.empty(0, dtype)
    return np.ascontiguousarray(np.concatenate(parts), dtype)


def as_array(values: Any) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return pa.array(values)


def write_input(
    node: NodeSpec, name: str, value_type: str, keys: Any, values: Any
) -> tuple[str, pa.Array, pa.Array]:
    """``(TYPE, keys, values)`` checked for ``write_node_property``: the type is DOUBLE, INT64
    or BOOL, the property is not the primary key or a mapping property (those hold the
    snapshot's data), and ``values`` cast to the type (NaN stored as null)."""
    declared = value_type.upper()
    arrow_type = WRITE_TYPES.get(declared)
    if arrow_type is None:
        raise EngineError(
            f"Cannot store a property of type {value_type}; expected {', '.join(WRITE_TYPES)}",
            code="QUERY_ERROR",
        )
    check_writable(node, name)
    key_array, value_array = as_array(keys), as_array(values)
    if len(key_array) != len(value_array):
        raise EngineError(
            f"{len(key_array)} keys but {len(value_array)} values for {node.label}.{name}",
            code="QUERY_ERROR",
        )
    try:
        value_array = pc.cast(value_array, arrow_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise EngineError(
            f"Values for {node.label}.{name} cannot be stored as {declared}: {exc}",
            code="QUERY_ERROR",
        ) from exc
    if declared == "DOUBLE":
        value_array = pc.if_else(pc.is_nan(value_array), None, value_array)
    return declared, key_array, value_array


def check_writable(node: NodeSpec, name: str) -> None:
    """Refuse to write or drop the primary key or a property of the mapping."""
    if name == node.primary_key.name or name in {p.name for p in node.properties}:
        raise EngineError(
            f"{name!r} is {'the primary key' if name == node.primary_key.name else 'a property'}"
            f" of {node.label} in the mapping; algorithm results need another property name",
            code="QUERY_ERROR",
        )


def unknown_label(label: str, nodes: dict[str, NodeSpec]) -> EngineError:
    return EngineError(
        f"Unknown node label {label}; valid labels: {_names(nodes)}", code="QUERY_ERROR"
    )
