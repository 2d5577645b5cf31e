"""Kuzu-family query values (LadybugDB, Ryugraph) → the wrapper's JSON encoding.

Results are fetched as Arrow tables (the engines' fast path) and converted column by column.
Nodes, relationships and paths arrive as structs:

- node: ``{_ID: {offset, table}, _LABEL, prop...}``
- relationship: ``{_SRC, _DST, _ID, _LABEL, prop...}`` (endpoints as internal ids only)
- path (``RECURSIVE_REL``): ``{_NODES: [node...], _RELS: [rel...]}`` where every node carries the
  union of all labels' properties (``None`` for the others' ones).

They become ``{_id, _label, ...}`` / ``{_id, _type, _start, _end, ...}`` / alternating lists; a
relationship's endpoints are resolved to ``<Label>_<primary key>`` through a catalogue lookup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa

from graph_olap_platform.wrapper.values import plain

InternalId = tuple[int, int]  # (table id, offset)
EndpointResolver = Callable[[int, int], Any]  # (table id, offset) -> primary key value or None

_SIMPLE_TYPES = (
    pa.types.is_integer,
    pa.types.is_string,
    pa.types.is_large_string,
    pa.types.is_boolean,
    pa.types.is_null,
)


@dataclass
class Catalog:
    """What the converter must know about the graph: labels, keys and properties."""

    node_keys: dict[str, str] = field(default_factory=dict)  # label -> primary key name
    node_properties: dict[str, frozenset[str]] = field(default_factory=dict)  # incl. the key
    rel_properties: dict[str, frozenset[str]] = field(default_factory=dict)
    node_tables: dict[int, str] = field(default_factory=dict)  # engine table id -> label


def _internal(value: Any) -> InternalId | None:
    if isinstance(value, dict):
        table, offset = value.get("table"), value.get("offset")
        if isinstance(table, int) and isinstance(offset, int):
            return table, offset
    return None


class ValueConverter:
    """Converts one result's values; memoises endpoint look-ups for the result's lifetime."""

    def __init__(self, catalog: Catalog, resolve: EndpointResolver) -> None:
        self._catalog = catalog
        self._resolve = resolve
        self._endpoints: dict[InternalId, str | None] = {}

    # -- values -----------------------------------------------------------------------------
    def convert(self, value: Any) -> Any:
        if value is None or isinstance(value, str | bool | int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else None
        if isinstance(value, dict):
            if "_LABEL" in value and "_ID" in value:
                return self.rel(value) if "_SRC" in value else self.node(value)
            if "_NODES" in value and "_RELS" in value:
                return self.path(value)
            return {str(k): self.convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.convert(v) for v in value]
        return plain(value)

    def node(self, value: dict[str, Any]) -> dict[str, Any]:
        label = str(value.get("_LABEL"))
        key = self._catalog.node_keys.get(label)
        known = self._catalog.node_properties.get(label, frozenset())
        out: dict[str, Any] = {"_id": self._node_id(label, key, value), "_label": label}
        for name, item in value.items():
            if name.startswith("_"):
                continue
            # Nodes inside paths carry every label's properties; keep this label's own ones
            # (even when null) and any other non-null one (e.g. written back by an algorithm).
            if name in known or item is not None:
                out[name] = self.convert(item)
        return out

    def rel(
        self, value: dict[str, Any], nodes: dict[InternalId, str] | None = None
    ) -> dict[str, Any]:
        rel_type = str(value.get("_LABEL"))
        known = self._catalog.rel_properties.get(rel_type, frozenset())
        rid = _internal(value.get("_ID"))
        out: dict[str, Any] = {
            "_id": f"{rel_type}_{rid[1] if rid else '?'}",
            "_type": rel_type,
            "_start": self._endpoint(value.get("_SRC"), nodes),
            "_end": self._endpoint(value.get("_DST"), nodes),
        }
        for name, item in value.items():
            if name.startswith("_"):
                continue
            if name in known or item is not None:
                out[name] = self.convert(item)
        return out

    def path(self, value: dict[str, Any]) -> list[Any]:
        raw_nodes = value.get("_NODES") or []
        raw_rels = value.get("_RELS") or []
        nodes = [self.node(n) for n in raw_nodes]
        by_id: dict[InternalId, str] = {}
        for raw, done in zip(raw_nodes, nodes, strict=True):
            iid = _internal(raw.get("_ID"))
            if iid is not None:
                by_id[iid] = done["_id"]
        rels = [self.rel(r, by_id) for r in raw_rels]
        out: list[Any] = []
        if len(nodes) == len(rels) + 1:  # a whole path: node, rel, node, ..., node
            for index, rel in enumerate(rels):
                out += [nodes[index], rel]
            out.append(nodes[-1])
        else:  # a bare recursive relationship: its intermediate nodes only
            for index, rel in enumerate(rels):
                out.append(rel)
                if index < len(nodes):
                    out.append(nodes[index])
        return out

    # -- ids --------------------------------------------------------------------------------
    def _node_id(self, label: str, key: str | None, value: dict[str, Any]) -> str:
        if key is not None and key in value:
            return f"{label}_{_key_text(value[key])}"
        iid = _internal(value.get("_ID"))
        return f"{label}_{iid[0]}:{iid[1]}" if iid else f"{label}_?"

    def _endpoint(self, raw: Any, nodes: dict[InternalId, str] | None) -> str | None:
        iid = _internal(raw)
        if iid is None:
            return None
        if nodes and iid in nodes:
            return nodes[iid]
        return self.endpoint_id(iid[0], iid[1])

    def endpoint_id(self, table: int, offset: int) -> str:
        """``<Label>_<key>`` of the node at an internal id (memoised for this result)."""
        iid = (table, offset)
        if iid not in self._endpoints:
            label = self._catalog.node_tables.get(table)
            key = self._resolve(table, offset) if label is not None else None
            self._endpoints[iid] = (
                f"{label}_{_key_text(key)}" if label is not None and key is not None else None
            )
        return self._endpoints[iid] or f"{table}:{offset}"

    # -- whole Arrow columns (fast path: one to_pylist per field, not per struct) --------------
    def node_column(self, chunk: pa.StructArray) -> list[Any]:
        fields = _fields(chunk)
        valid = chunk.is_valid().to_pylist()
        labels = fields["_LABEL"].to_pylist()
        props = {
            name: column_values(array, self)
            for name, array in fields.items()
            if not name.startswith("_")
        }
        offsets, tables = _internal_ids(fields["_ID"])
        node_keys = self._catalog.node_keys
        node_properties = self._catalog.node_properties
        out: list[Any] = []
        for i, label in enumerate(labels):
            if not valid[i]:
                out.append(None)
                continue
            key = node_keys.get(label)
            if key is not None and key in props:
                node_id = f"{label}_{_key_text(props[key][i])}"
            else:
                node_id = f"{label}_{tables[i]}:{offsets[i]}"
            node: dict[str, Any] = {"_id": node_id, "_label": label}
            known = node_properties.get(label, frozenset())
            for name, values in props.items():
                value = values[i]
                if value is not None or name in known:
                    node[name] = value
            out.append(node)
        return out

    def rel_column(self, chunk: pa.StructArray) -> list[Any]:
        fields = _fields(chunk)
        valid = chunk.is_valid().to_pylist()
        types = fields["_LABEL"].to_pylist()
        props = {
            name: column_values(array, self)
            for name, array in fields.items()
            if not name.startswith("_")
        }
        rel_offsets, _ = _internal_ids(fields["_ID"])
        src_offsets, src_tables = _internal_ids(fields["_SRC"])
        dst_offsets, dst_tables = _internal_ids(fields["_DST"])
        rel_properties = self._catalog.rel_properties
        endpoint = self.endpoint_id
        out: list[Any] = []
        for i, rel_type in enumerate(types):
            if not valid[i]:
                out.append(None)
                continue
            rel: dict[str, Any] = {
                "_id": f"{rel_type}_{rel_offsets[i]}",
                "_type": rel_type,
                "_start": endpoint(src_tables[i], src_offsets[i]),
                "_end": endpoint(dst_tables[i], dst_offsets[i]),
            }
            known = rel_properties.get(rel_type, frozenset())
            for name, values in props.items():
                value = values[i]
                if value is not None or name in known:
                    rel[name] = value
            out.append(rel)
        return out


def _fields(chunk: pa.StructArray) -> dict[str, pa.Array]:
    """A struct array's fields, with the struct's offset and nulls applied."""
    names = [chunk.type.field(i).name for i in range(chunk.type.num_fields)]
    return dict(zip(names, chunk.flatten(), strict=True))


def _internal_ids(array: pa.Array) -> tuple[list[Any], list[Any]]:
    fields = _fields(array)
    return fields["offset"].to_pylist(), fields["table"].to_pylist()


def _key_text(value: Any) -> str:
    converted = plain(value)
    return converted if isinstance(converted, str) else orjson.dumps(converted).decode()


# -- Arrow columns ---------------------------------------------------------------------------


def holds_graph_values(arrow_type: pa.DataType) -> bool:
    """Whether an Arrow type is (or contains) a node, relationship or path struct."""
    if pa.types.is_struct(arrow_type):
        names = {arrow_type.field(i).name for i in range(arrow_type.num_fields)}
        if {"_ID", "_LABEL"} <= names or {"_NODES", "_RELS"} <= names:
            return True
        return any(holds_graph_values(arrow_type.field(i).type) for i in range(len(names)))
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return holds_graph_values(arrow_type.value_type)
    if pa.types.is_fixed_size_list(arrow_type):
        return holds_graph_values(arrow_type.value_type)
    if pa.types.is_map(arrow_type):
        return holds_graph_values(arrow_type.key_type) or holds_graph_values(arrow_type.item_type)
    return False


def _is_simple(arrow_type: pa.DataType) -> bool:
    return any(check(arrow_type) for check in _SIMPLE_TYPES)


def _struct_kind(arrow_type: pa.DataType) -> str | None:
    """``node`` or ``rel`` for the engine's node/relationship structs, else None."""
    if not pa.types.is_struct(arrow_type):
        return None
    names = {arrow_type.field(i).name for i in range(arrow_type.num_fields)}
    if not {"_ID", "_LABEL"} <= names:
        return None
    if {"_SRC", "_DST"} <= names:
        return "rel"
    return "node"


def column_values(column: pa.ChunkedArray | pa.Array, converter: ValueConverter) -> list[Any]:
    """One Arrow column as JSON-ready Python values."""
    kind = _struct_kind(column.type)
    if kind is not None:
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        build = converter.node_column if kind == "node" else converter.rel_column
        out: list[Any] = []
        for chunk in chunks:
            out += build(chunk)
        return out
    values: list[Any] = column.to_pylist(maps_as_pydicts="lossy")
    if _is_simple(column.type):
        return values
    if pa.types.is_floating(column.type):
        return [v if v is None or math.isfinite(v) else None for v in values]
    convert = converter.convert
    return [convert(v) for v in values]


def invalid_columns(table: pa.Table) -> list[int]:
    """Indexes of columns whose arrays fail Arrow's (cheap) structural validation."""
    broken = []
    for index, column in enumerate(table.columns):
        if pa.types.is_primitive(column.type) or pa.types.is_string(column.type):
            continue
        try:
            for chunk in column.chunks:
                chunk.validate()
        except pa.ArrowInvalid:
            broken.append(index)
    return broken


def table_rows(
    table: pa.Table,
    converter: ValueConverter,
    replacements: dict[int, list[Any]] | None = None,
) -> list[list[Any]]:
    """An Arrow result table as JSON-ready rows (lists).

    ``replacements`` holds engine (Python) values for columns not to be read from Arrow.
    """
    if table.num_columns == 0:
        return [[] for _ in range(table.num_rows)]
    replacements = replacements or {}
    columns = [
        [converter.convert(v) for v in replacements[i]]
        if i in replacements
        else column_values(col, converter)
        for i, col in enumerate(table.columns)
    ]
    return [list(row) for row in zip(*columns, strict=True)]


def _json_strings(values: list[Any], converter: ValueConverter) -> pa.Array:
    convert = converter.convert
    return pa.array(
        [None if v is None else orjson.dumps(convert(v)).decode() for v in values], pa.string()
    )


def _dumped(values: list[Any]) -> pa.Array:
    """JSON-ready values as a column of JSON strings."""
    return pa.array([None if v is None else orjson.dumps(v).decode() for v in values], pa.string())


def graph_columns_as_json(
    table: pa.Table,
    converter: ValueConverter,
    replacements: dict[int, list[Any]] | None = None,
) -> pa.Table:
    """The Arrow transport: node/relationship/path columns become JSON strings; UUIDs strings.

    Columns in ``replacements`` (malformed in the engine's export) are rebuilt from its values.
    """
    replacements = replacements or {}
    arrays: list[pa.Array | pa.ChunkedArray] = []
    changed = bool(replacements)
    for index, column in enumerate(table.columns):
        if index in replacements:
            values = replacements[index]
            if holds_graph_values(column.type):
                arrays.append(_json_strings(values, converter))
            else:
                try:
                    arrays.append(pa.array(values, column.type))
                except (pa.ArrowInvalid, pa.ArrowTypeError):
                    arrays.append(_json_strings(values, converter))
        elif _struct_kind(column.type) is not None:
            arrays.append(_dumped(column_values(column, converter)))
            changed = True
        elif holds_graph_values(column.type):
            arrays.append(_json_strings(column.to_pylist(maps_as_pydicts="lossy"), converter))
            changed = True
        elif isinstance(column.type, pa.ExtensionType):
            arrays.append(
                pa.array([plain(v) for v in column.to_pylist()], pa.string())
                if column.type.extension_name == "arrow.uuid"
                else column.cast(column.type.storage_type)
            )
            changed = True
        else:
            arrays.append(column)
    if not changed:
        return table
    return pa.table(arrays, names=table.column_names, metadata=table.schema.metadata)


def arrow_to_kuzu_type(arrow_type: pa.DataType) -> str:
    """The engine type a Parquet column of this Arrow type loads into (for LIST/MAP/STRUCT DDL)."""
    simple: Sequence[tuple[Callable[[pa.DataType], bool], str]] = (
        (pa.types.is_int8, "INT8"),
        (pa.types.is_int16, "INT16"),
        (pa.types.is_int32, "INT32"),
        (pa.types.is_int64, "INT64"),
        (pa.types.is_uint8, "UINT8"),
        (pa.types.is_uint16, "UINT16"),
        (pa.types.is_uint32, "UINT32"),
        (pa.types.is_uint64, "UINT64"),
        (pa.types.is_float32, "FLOAT"),
        (pa.types.is_float64, "DOUBLE"),
        (pa.types.is_decimal, "DOUBLE"),
        (pa.types.is_boolean, "BOOL"),
        (pa.types.is_date, "DATE"),
        (pa.types.is_timestamp, "TIMESTAMP"),
        (pa.types.is_duration, "INTERVAL"),
        (pa.types.is_binary, "BLOB"),
        (pa.types.is_large_binary, "BLOB"),
    )
    for check, name in simple:
        if check(arrow_type):
            return name
    if pa.types.is_dictionary(arrow_type):
        return arrow_to_kuzu_type(arrow_type.value_type)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return arrow_to_kuzu_type(arrow_type.value_type) + "[]"
    if pa.types.is_fixed_size_list(arrow_type):
        return arrow_to_kuzu_type(arrow_type.value_type) + "[]"
    if pa.types.is_struct(arrow_type):
        fields = ", ".join(
            f"`{arrow_type.field(i).name}` {arrow_to_kuzu_type(arrow_type.field(i).type)}"
            for i in range(arrow_type.num_fields)
        )
        return f"STRUCT({fields})"
    if pa.types.is_map(arrow_type):
        key = arrow_to_kuzu_type(arrow_type.key_type)
        return f"MAP({key}, {arrow_to_kuzu_type(arrow_type.item_type)})"
    return "STRING"
