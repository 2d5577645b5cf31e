"""Validation of mapping request bodies, reporting every problem at once.

The checks walk the raw JSON rather than a pydantic model so that a body with a wrong type in
one place and a duplicate label in another gets both problems back in one answer, each with a
path such as ``edge_definitions[0].from_node``. Valid definitions come back normalised (types in
upper case, ``nullable`` only when false) so that stored versions compare cleanly in diffs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph_olap.durations import parse_duration
from graph_olap.models.mapping import RyuType
from graph_olap_platform.warehouse.sql_validation import check_select

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
EDGE_TYPE = re.compile(r"^[A-Z][A-Z0-9_]*$")
RESERVED_WORDS = frozenset(
    [
        "NODE",
        "RELATIONSHIP",
        "MATCH",
        "WHERE",
        "RETURN",
        "CREATE",
        "DELETE",
        "SET",
        "REMOVE",
        "WITH",
        "ORDER",
        "LIMIT",
        "SKIP",
        "UNION",
        "CALL",
        "YIELD",
    ]
)
RESERVED_PREFIXES = ("_internal_", "_system_", "_ryugraph_")
MAX_IDENTIFIER = 64
MAX_NAME = 255
MAX_DESCRIPTION = 4000
MAX_PROPERTIES = 100
SOFT_MAX_PROPERTIES = 50
RYU_TYPES = frozenset(t.value for t in RyuType)

NODE_FIELDS = {"label", "sql", "primary_key", "properties"}
EDGE_FIELDS = {"type", "from_node", "to_node", "sql", "from_key", "to_key", "properties"}
PROPERTY_FIELDS = {"name", "type", "nullable"}
KEY_FIELDS = {"name", "type"}


@dataclass
class Problems:
    """Collected field problems plus non-blocking warnings."""

    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.errors.append({"field": path, "message": message})

    def warn(self, path: str, message: str) -> None:
        self.warnings.append({"field": path, "message": message})

    def __bool__(self) -> bool:
        return bool(self.errors)


def check_fields(body: Any, allowed: Iterable[str], problems: Problems, path: str = "") -> bool:
    """Check that ``body`` is an object without unknown fields; False if it is not an object."""
    where = path or "body"
    if not isinstance(body, dict):
        problems.add(where, f"Expected an object, got {_json_type(body)}")
        return False
    allowed = set(allowed)
    for key in body:
        if key not in allowed:
            problems.add(
                _join(path, key), f"Unknown field '{key}'; expected one of {_list(allowed)}"
            )
    return True


def check_resource_name(value: Any, path: str, problems: Problems, *, required: bool) -> None:
    if value is None:
        if required:
            problems.add(path, "Name is required")
        return
    if not isinstance(value, str):
        problems.add(path, f"Name must be a string, got {_json_type(value)}")
    elif not 1 <= len(value) <= MAX_NAME:
        problems.add(path, f"Name must be 1 to {MAX_NAME} characters long, got {len(value)}")
    elif not all(ch.isalnum() or ch in " -_." for ch in value):
        problems.add(path, "Name may only contain letters, digits, spaces and the characters - _ .")


def check_description(value: Any, path: str, problems: Problems) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        problems.add(path, f"Description must be a string, got {_json_type(value)}")
    elif len(value) > MAX_DESCRIPTION:
        problems.add(path, f"Description must be at most {MAX_DESCRIPTION} characters long")


def check_duration(value: Any, path: str, problems: Problems) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        problems.add(path, f"Expected an ISO 8601 duration string, got {_json_type(value)}")
        return False
    try:
        parse_duration(value)
    except ValueError as error:
        problems.add(path, str(error))
        return False
    return True


def check_definitions(nodes: Any, edges: Any, problems: Problems) -> tuple[list[Any], list[Any]]:
    """Validate node and edge definitions together; return them normalised."""
    normal_nodes: list[Any] = []
    normal_edges: list[Any] = []
    labels: dict[str, int] = {}
    if not isinstance(nodes, list):
        problems.add("node_definitions", f"Expected a list, got {_json_type(nodes)}")
    elif not nodes:
        problems.add("node_definitions", "At least one node definition is required")
    else:
        for index, node in enumerate(nodes):
            path = f"node_definitions[{index}]"
            normal_nodes.append(_check_node(node, path, problems))
            label = node.get("label") if isinstance(node, dict) else None
            if isinstance(label, str):
                if label in labels:
                    problems.add(
                        f"{path}.label",
                        f"Duplicate label '{label}' (also node_definitions[{labels[label]}])",
                    )
                else:
                    labels[label] = index
    if not isinstance(edges, list):
        problems.add("edge_definitions", f"Expected a list, got {_json_type(edges)}")
        return normal_nodes, normal_edges
    types: dict[str, int] = {}
    for index, edge in enumerate(edges):
        path = f"edge_definitions[{index}]"
        # References are checked only against a usable node list: a missing or malformed one
        # is reported once, not again for every edge end.
        known = set(labels) if isinstance(nodes, list) and nodes else None
        normal_edges.append(_check_edge(edge, path, problems, known))
        edge_type = edge.get("type") if isinstance(edge, dict) else None
        if isinstance(edge_type, str):
            if edge_type in types:
                problems.add(
                    f"{path}.type",
                    f"Duplicate edge type '{edge_type}' "
                    f"(also edge_definitions[{types[edge_type]}])",
                )
            else:
                types[edge_type] = index
    return normal_nodes, normal_edges


def _check_node(node: Any, path: str, problems: Problems) -> Any:
    if not check_fields(node, NODE_FIELDS, problems, path):
        return node
    _require(node, ("label", "sql", "primary_key"), path, problems)
    label = node.get("label")
    if label is not None:
        _check_graph_name(label, f"{path}.label", problems, pattern=IDENTIFIER, kind="Label")
    key = _check_key(node.get("primary_key"), f"{path}.primary_key", problems)
    properties = _check_properties(node.get("properties", []), path, problems, key_columns=[key])
    _check_sql(node.get("sql"), f"{path}.sql", [key, *properties.names], problems, "primary key")
    normal = dict(node)
    if isinstance(node.get("primary_key"), dict) and isinstance(
        node["primary_key"].get("type"), str
    ):
        normal["primary_key"] = {**node["primary_key"], "type": node["primary_key"]["type"].upper()}
    normal["properties"] = properties.normal
    return normal


def _check_edge(edge: Any, path: str, problems: Problems, labels: set[str] | None) -> Any:
    if not check_fields(edge, EDGE_FIELDS, problems, path):
        return edge
    _require(edge, ("type", "from_node", "to_node", "sql", "from_key", "to_key"), path, problems)
    edge_type = edge.get("type")
    if edge_type is not None:
        _check_graph_name(edge_type, f"{path}.type", problems, pattern=EDGE_TYPE, kind="Edge type")
    for end in ("from_node", "to_node"):
        ref = edge.get(end)
        if ref is None:
            continue
        if not isinstance(ref, str):
            problems.add(f"{path}.{end}", f"Expected a node label, got {_json_type(ref)}")
        elif labels is not None and ref not in labels:
            problems.add(f"{path}.{end}", f"Referenced node '{ref}' not found in node_definitions")
    keys = [
        _check_identifier(edge.get(name), f"{path}.{name}", problems)
        for name in ("from_key", "to_key")
        if edge.get(name) is not None
    ]
    properties = _check_properties(edge.get("properties", []), path, problems, key_columns=keys)
    expected = [edge.get("from_key"), edge.get("to_key"), *properties.names]
    _check_sql(edge.get("sql"), f"{path}.sql", expected, problems, "from_key, to_key")
    normal = dict(edge)
    normal["properties"] = properties.normal
    return normal


@dataclass
class _Properties:
    names: list[Any] = field(default_factory=list)
    normal: list[Any] = field(default_factory=list)


def _check_properties(
    properties: Any, owner: str, problems: Problems, *, key_columns: list[Any]
) -> _Properties:
    result = _Properties()
    path = f"{owner}.properties"
    if not isinstance(properties, list):
        problems.add(path, f"Expected a list, got {_json_type(properties)}")
        result.names.append(None)  # columns unknown: skip the projection check of the SQL
        return result
    if len(properties) > MAX_PROPERTIES:
        problems.add(
            path, f"At most {MAX_PROPERTIES} properties are allowed, got {len(properties)}"
        )
    elif len(properties) > SOFT_MAX_PROPERTIES:
        problems.warn(
            path,
            f"{len(properties)} properties: more than {SOFT_MAX_PROPERTIES} slows loading and "
            "queries; consider splitting the definition",
        )
    seen: dict[str, int] = {}
    for index, prop in enumerate(properties):
        prop_path = f"{path}[{index}]"
        if not check_fields(prop, PROPERTY_FIELDS, problems, prop_path):
            result.names.append(None)
            result.normal.append(prop)
            continue
        _require(prop, ("name", "type"), prop_path, problems)
        name = _check_identifier(prop.get("name"), f"{prop_path}.name", problems)
        _check_type(prop.get("type"), f"{prop_path}.type", problems)
        nullable = prop.get("nullable", True)
        if not isinstance(nullable, bool):
            problems.add(
                f"{prop_path}.nullable", f"Expected true or false, got {_json_type(nullable)}"
            )
        if isinstance(name, str):
            if name in seen:
                problems.add(
                    f"{prop_path}.name",
                    f"Duplicate property '{name}' (also properties[{seen[name]}])",
                )
            elif name in key_columns:
                problems.add(
                    f"{prop_path}.name",
                    f"Property '{name}' repeats a key column; key columns are stored already",
                )
            seen.setdefault(name, index)
        result.names.append(name)
        normal = {"name": prop.get("name"), "type": prop.get("type")}
        if isinstance(normal["type"], str):
            normal["type"] = normal["type"].upper()
        if nullable is False:
            normal["nullable"] = False
        result.normal.append(normal)
    return result


def _check_key(key: Any, path: str, problems: Problems) -> Any:
    if key is None:
        return None
    if not check_fields(key, KEY_FIELDS, problems, path):
        return None
    _require(key, ("name", "type"), path, problems)
    _check_type(key.get("type"), f"{path}.type", problems)
    return _check_identifier(key.get("name"), f"{path}.name", problems)


def _check_sql(sql: Any, path: str, expected: list[Any], problems: Problems, keys: str) -> None:
    if sql is None:
        return
    if not isinstance(sql, str):
        problems.add(path, f"SQL must be a string, got {_json_type(sql)}")
        return
    check = check_select(sql)
    for problem in check.problems:
        problems.add(path, problem)
    if check.columns is None or any(not isinstance(name, str) for name in expected):
        return
    for position, column in enumerate(check.columns, start=1):
        if column is None:
            problems.add(path, f"Column {position} of the query has no name; add `AS <name>`")
    if None in check.columns:
        return
    returned = [c.lower() for c in check.columns if c is not None]
    wanted = [name.lower() for name in expected]
    if returned != wanted:
        problems.add(
            path,
            f"Query returns columns ({', '.join(c for c in check.columns if c)}) but the "
            f"definition expects ({', '.join(expected)}): {keys} first, then the properties "
            "in their declared order",
        )


def _check_graph_name(
    value: Any, path: str, problems: Problems, *, pattern: re.Pattern[str], kind: str
) -> None:
    if not isinstance(value, str):
        problems.add(path, f"{kind} must be a string, got {_json_type(value)}")
        return
    if not value:
        problems.add(path, f"{kind} is required")
        return
    if len(value) > MAX_IDENTIFIER:
        problems.add(path, f"{kind} must be at most {MAX_IDENTIFIER} characters long")
    if not pattern.match(value):
        rule = (
            "start with a letter and contain only letters, digits and _"
            if pattern is IDENTIFIER
            else "start with an upper-case letter and contain only A-Z, 0-9 and _"
        )
        problems.add(path, f"{kind} '{value}' is invalid: it must {rule}")
    if value.upper() in RESERVED_WORDS:
        problems.add(path, f"{kind} '{value}' is a reserved Cypher word")
    if value.lower().startswith(RESERVED_PREFIXES):
        problems.add(
            path, f"{kind} '{value}' uses a reserved prefix ({', '.join(RESERVED_PREFIXES)})"
        )


def _check_identifier(value: Any, path: str, problems: Problems) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(path, f"Expected a column name, got {_json_type(value)}")
        return None
    if not value or len(value) > MAX_IDENTIFIER or not IDENTIFIER.match(value):
        problems.add(
            path,
            f"Column name '{value}' is invalid: 1 to {MAX_IDENTIFIER} characters, starting with a "
            "letter, then letters, digits or _",
        )
    return value


def _check_type(value: Any, path: str, problems: Problems) -> None:
    if value is None:
        return
    if not isinstance(value, str) or value.upper() not in RYU_TYPES:
        problems.add(
            path, f"Unknown type {value!r}; expected one of {', '.join(t.value for t in RyuType)}"
        )


def _require(body: dict[str, Any], names: Iterable[str], path: str, problems: Problems) -> None:
    for name in names:
        if body.get(name) is None:
            problems.add(_join(path, name), f"{name.replace('_', ' ').capitalize()} is required")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _list(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)
