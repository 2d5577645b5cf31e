"""Check mapping definitions against the warehouse: the SQL compiles and its columns fit.

For every node and edge definition (the dicts a mapping version stores) the definition's SQL is
described by the warehouse — planned, not run — and compared with what the definition declares:

- the query must compile: otherwise one error on ``<definition>.sql`` with the warehouse's
  own message;
- its output columns must be exactly the primary key then the properties (edges: ``from_key``,
  ``to_key``, then the properties), in that order, names compared case-insensitively;
- each column's type must fill its declared type (:func:`~.types.compatible`): the error sits
  on the declared type, e.g. ``node_definitions[0].properties[3].type`` —
  ``"Customer.signup_date: declared INT64 but the query returns DATE"``;
- an edge's key columns must fill the primary-key type of the node they point at.

Structural problems (missing fields, unknown types, unknown labels) are the static validator's
business; definitions that have them are checked as far as they can be, silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph_olap_platform.warehouse.base import ColumnInfo, Warehouse, WarehouseError
from graph_olap_platform.warehouse.types import compatible

__all__ = ["check_definitions_against"]


@dataclass(frozen=True)
class _Expected:
    name: str
    declared: str | None  # the declared RyuType; None when the type comes from elsewhere
    field: str  # where a type error is reported


def check_definitions_against(
    warehouse: Warehouse,
    node_definitions: Sequence[Mapping[str, Any]],
    edge_definitions: Sequence[Mapping[str, Any]],
) -> list[dict[str, str]]:
    """Problems of the definitions against ``warehouse`` as ``{field, message}`` dicts."""
    errors: list[dict[str, str]] = []
    primary_keys: dict[str, tuple[str, str]] = {}

    for index, node in enumerate(node_definitions):
        path = f"node_definitions[{index}]"
        label = _text(node.get("label")) or path
        key = node.get("primary_key")
        key_name = _text(key.get("name")) if isinstance(key, Mapping) else None
        key_type = _text(key.get("type")) if isinstance(key, Mapping) else None
        if key_name and key_type:
            primary_keys.setdefault(label, (key_name, key_type))
        expected = [_Expected(key_name or "", key_type, f"{path}.primary_key.type")]
        expected += _properties(node, path)
        columns = _describe(warehouse, node.get("sql"), path, label, errors)
        if columns is not None and key_name:
            _compare(columns, expected, path, label, "the primary key", errors)

    for index, edge in enumerate(edge_definitions):
        path = f"edge_definitions[{index}]"
        edge_type = _text(edge.get("type")) or path
        from_key, to_key = _text(edge.get("from_key")), _text(edge.get("to_key"))
        expected = [
            _Expected(from_key or "", None, f"{path}.from_key"),
            _Expected(to_key or "", None, f"{path}.to_key"),
            *_properties(edge, path),
        ]
        columns = _describe(warehouse, edge.get("sql"), path, edge_type, errors)
        if columns is None or not from_key or not to_key:
            continue
        if not _compare(columns, expected, path, edge_type, "from_key, to_key", errors):
            continue
        for end, column, expectation in (
            ("from_node", columns[0], expected[0]),
            ("to_node", columns[1], expected[1]),
        ):
            node_label = _text(edge.get(end))
            if node_label not in primary_keys:
                continue  # an unknown node: reported by the static checks
            pk_name, pk_type = primary_keys[node_label]
            if not compatible(pk_type, column.ryu_type):
                errors.append(
                    {
                        "field": expectation.field,
                        "message": (
                            f"{edge_type}.{expectation.name}: the query returns "
                            f"{_shown(column)} but it must match {node_label}'s primary key "
                            f"{pk_name} ({pk_type.upper()})"
                        ),
                    }
                )
    return errors


def _describe(
    warehouse: Warehouse, sql: Any, path: str, name: str, errors: list[dict[str, str]]
) -> list[ColumnInfo] | None:
    if not isinstance(sql, str) or not sql.strip():
        return None
    try:
        return warehouse.describe(sql)
    except WarehouseError as error:
        errors.append(
            {
                "field": f"{path}.sql",
                "message": f"{name}: the warehouse rejected the query: {error.message}",
            }
        )
        return None


def _compare(
    columns: list[ColumnInfo],
    expected: list[_Expected],
    path: str,
    name: str,
    keys: str,
    errors: list[dict[str, str]],
) -> bool:
    """Check names and declared types; False when the names do not line up."""
    returned = [column.name for column in columns]
    wanted = [item.name for item in expected]
    if [n.lower() for n in returned] != [n.lower() for n in wanted]:
        errors.append(
            {
                "field": f"{path}.sql",
                "message": (
                    f"{name}: the query returns columns ({', '.join(returned)}) but the "
                    f"definition expects ({', '.join(wanted)}): {keys} first, then the "
                    "properties in their declared order"
                ),
            }
        )
        return False
    for column, item in zip(columns, expected, strict=True):
        if item.declared is None or not _is_ryu(item.declared):
            continue
        if not compatible(item.declared, column.ryu_type):
            errors.append(
                {
                    "field": item.field,
                    "message": (
                        f"{name}.{item.name}: declared {item.declared.upper()} but the query "
                        f"returns {_shown(column)}"
                    ),
                }
            )
    return True


def _properties(definition: Mapping[str, Any], path: str) -> list[_Expected]:
    properties = definition.get("properties") or []
    if not isinstance(properties, Sequence):
        return []
    result: list[_Expected] = []
    for index, prop in enumerate(properties):
        if not isinstance(prop, Mapping):
            continue
        result.append(
            _Expected(
                _text(prop.get("name")) or "",
                _text(prop.get("type")),
                f"{path}.properties[{index}].type",
            )
        )
    return result


def _shown(column: ColumnInfo) -> str:
    if column.ryu_type is None:
        return f"{column.data_type}, which has no graph type (cast it in the SQL)"
    if str(column.ryu_type) != column.data_type.upper():
        return f"{column.data_type} ({column.ryu_type})"
    return column.data_type


def _is_ryu(name: str) -> bool:
    return compatible(name, name)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
