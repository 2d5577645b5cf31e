"""Start requests (native and NetworkX) read and resolved against the instance's mapping.

The body of docs/algorithms.md ("Start body") with its aliases: ``property_name`` for
``result_property``, ``params`` for ``parameters``, ``node_labels``, ``edge_types`` /
``relationship_types``; selectors nested in ``parameters`` are lifted out. Other top-level keys
are parameters too (the spec's NetworkX body puts ``source`` and ``target`` there), so a typo is
reported as an unknown parameter rather than silently ignored.

Defaults: no labels and no types select the whole graph; types without labels select the types'
endpoint labels; labels without types select every type whose two endpoints are selected. A type
named explicitly whose endpoints are not both selected is left out (it has no relationship
between the selected nodes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph_olap_platform.wrapper.algorithms.base import AlgorithmError, GraphSelection
from graph_olap_platform.wrapper.mapping import InstanceMapping

# canonical name -> accepted spellings (first wins when reporting)
_ALIASES: dict[str, tuple[str, ...]] = {
    "node_labels": ("node_label", "node_labels"),
    "edge_types": ("edge_type", "edge_types", "relationship_types", "relationship_type"),
    "result_property": ("result_property", "property_name"),
    "directed": ("directed",),
    "weight_property": ("weight_property",),
    "subgraph_query": ("subgraph_query",),
}
_SELECTOR_KEYS = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_BODY_KEYS = {"parameters", "params", "write_back", "timeout_ms"}
PROPERTY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_NUMERIC = ("INT", "UINT", "FLOAT", "DOUBLE", "DECIMAL", "SERIAL")


def validation_error(message: str, field_name: str, **details: Any) -> AlgorithmError:
    return AlgorithmError(400, "VALIDATION_FAILED", message, {"field": field_name, **details})


@dataclass
class StartBody:
    """A start body with aliases folded and selectors lifted; nothing checked against the
    mapping yet (``None``: not given)."""

    node_labels: list[str] | None = None
    edge_types: list[str] | None = None
    result_property: str | None = None
    directed: bool | None = None
    weight_property: str | None = None
    subgraph_query: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    write_back: bool = True
    timeout_ms: int | None = None


def _names(value: Any, field_name: str) -> list[str] | None:
    if value is None:
        return None
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise validation_error(f"{field_name} must be a name or a list of names", field_name)
    return list(dict.fromkeys(names)) or None  # an empty list means "not given"


def _comparable(value: Any) -> Any:
    """Name lists given twice agree when they hold the same names, in any order."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    return frozenset([value]) if isinstance(value, str) else value


def _typed(value: Any, kind: type, field_name: str, what: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise validation_error(f"{field_name} must be {what}, got {value!r}", field_name)
    return value


def parse_start_body(body: Any) -> StartBody:
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise validation_error("The request body must be a JSON object", "body")
    parameters = body.get("parameters", body.get("params"))
    if "parameters" in body and "params" in body and body["params"] != body["parameters"]:
        raise validation_error("Give parameters or params, not both", "parameters")
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise validation_error("parameters must be a JSON object", "parameters")
    params = dict(parameters)

    found: dict[str, tuple[str, Any]] = {}  # canonical -> (spelling, value)

    def take(source: dict[str, Any], key: str) -> None:
        value = source.pop(key) if source is params else source[key]
        if value is None:
            return
        canonical = _SELECTOR_KEYS[key]
        if canonical in found and _comparable(found[canonical][1]) != _comparable(value):
            raise validation_error(
                f"{found[canonical][0]} and {key} disagree ({found[canonical][1]!r} vs "
                f"{value!r}); give one",
                canonical,
            )
        found.setdefault(canonical, (key, value))

    for key in list(body):
        if key in _SELECTOR_KEYS:
            take(body, key)
        elif key not in _BODY_KEYS:
            if key in params and params[key] != body[key]:
                raise validation_error(
                    f"{key} is given twice with different values", key, value=body[key]
                )
            params[key] = body[key]
    for key in list(params):
        if key in _SELECTOR_KEYS:
            take(params, key)

    def value(name: str) -> Any:
        return found.get(name, (name, None))[1]

    write_back = body.get("write_back")
    return StartBody(
        node_labels=_names(value("node_labels"), "node_label"),
        edge_types=_names(value("edge_types"), "edge_type"),
        result_property=_typed(value("result_property"), str, "result_property", "a string"),
        directed=_typed(value("directed"), bool, "directed", "true or false"),
        weight_property=_typed(value("weight_property"), str, "weight_property", "a string"),
        subgraph_query=_typed(value("subgraph_query"), str, "subgraph_query", "a string"),
        parameters=params,
        write_back=True
        if write_back is None
        else _typed(write_back, bool, "write_back", "true or false"),
        timeout_ms=_typed(body.get("timeout_ms"), int, "timeout_ms", "an integer"),
    )


def _unknown(kind: str, field_name: str, given: Iterable[str], valid: list[str]) -> None:
    unknown = [name for name in given if name not in valid]
    if unknown:
        raise validation_error(
            f"Unknown {kind} {', '.join(repr(u) for u in unknown)}; valid {kind}s: "
            f"{', '.join(valid) or '(none)'}",
            field_name,
            invalid=unknown,
            valid=valid,
        )


def resolve_selection(
    mapping: InstanceMapping, body: StartBody, *, directed_default: bool
) -> GraphSelection:
    """Labels, relationship types and the weight property checked against the mapping."""
    all_labels = mapping.node_labels
    edges = {edge.type: edge for edge in mapping.edges}
    if body.node_labels is not None:
        _unknown("node label", "node_label", body.node_labels, all_labels)
    if body.edge_types is not None:
        _unknown("relationship type", "edge_type", body.edge_types, list(edges))

    if body.node_labels is not None:
        labels = [label for label in all_labels if label in body.node_labels]
    elif body.edge_types is not None:
        ends = {end for t in body.edge_types for end in (edges[t].from_node, edges[t].to_node)}
        labels = [label for label in all_labels if label in ends]
    else:
        labels = list(all_labels)
    # A type reaching outside the labels has no relationship in this graph (the engines refuse
    # to read one): it is left out, and the execution's edge_types show what was used.
    rel_types = [
        t
        for t, e in edges.items()
        if (body.edge_types is None or t in body.edge_types)
        and e.from_node in labels
        and e.to_node in labels
    ]

    weight = body.weight_property
    if weight is not None:
        if not rel_types:
            raise validation_error(
                f"weight_property {weight!r} needs a relationship type; none is selected",
                "weight_property",
            )
        for rel_type in rel_types:
            types = {p.name: p.type for p in edges[rel_type].properties}
            if weight not in types:
                raise validation_error(
                    f"weight_property {weight!r} is not a property of {rel_type}; its "
                    f"properties: {', '.join(types) or '(none)'} (name the relationship type "
                    "with edge_type when only some types carry the weight)",
                    "weight_property",
                    invalid=[weight],
                    valid=list(types),
                    edge_type=rel_type,
                )
            if not types[weight].upper().startswith(_NUMERIC):
                raise validation_error(
                    f"weight_property {weight!r} of {rel_type} is {types[weight]}, not a number",
                    "weight_property",
                )
    directed = directed_default if body.directed is None else body.directed
    return GraphSelection(labels, rel_types, directed, weight, body.subgraph_query)


def check_result_property(mapping: InstanceMapping, labels: list[str], name: str | None) -> str:
    """A name the run may write: an identifier of 1-64 characters that is neither the primary
    key nor a mapping property of a selected label (compared case-insensitively, as the Kuzu
    engines compare names). A property of an earlier run may be overwritten."""
    if name is None or name == "":
        raise validation_error(
            "result_property is required to write the results back (or set write_back: false)",
            "result_property",
        )
    if not PROPERTY_NAME.fullmatch(name):
        raise validation_error(
            f"result_property {name!r} must be 1-64 letters, digits or underscores, starting "
            "with a letter",
            "result_property",
        )
    for node in mapping.nodes:
        if node.label not in labels:
            continue
        taken = [node.primary_key.name, *(p.name for p in node.properties)]
        clash = next((t for t in taken if t.lower() == name.lower()), None)
        if clash is not None:
            what = "the primary key" if clash == node.primary_key.name else "a property"
            raise validation_error(
                f"result_property {name!r} is {what} of {node.label} in the mapping; choose "
                "another name (nothing was written)",
                "result_property",
                label=node.label,
                taken=taken,
            )
    return name


def check_timeout(timeout_ms: int | None, default_ms: int, *, low: int, high: int) -> int:
    if timeout_ms is None:
        return default_ms
    if not low <= timeout_ms <= high:
        raise validation_error(
            f"timeout_ms must be from {low} to {high}, got {timeout_ms}", "timeout_ms"
        )
    return timeout_ms
