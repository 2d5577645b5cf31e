"""Nodes and relationships found anywhere in query rows, ready for the graph view.

Nodes (``{_id, _label, ...}``), relationships (``{_id, _type, _start, _end, ...}``) and paths
(lists of them, or Kuzu's ``{_nodes, _rels}``) are collected from every cell, including inside
lists and maps. A relationship whose endpoint node is not in the result gets a placeholder node
keyed by its ``_start``/``_end`` id, so relationship-only results still draw. Scanning is
bounded (``max_nodes``, ``max_edges``, ``max_rows``) so a huge result costs little: the view
says when it shows a part.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph_olap.instance.values import is_node, is_relationship
from graph_olap.jupyter.widgets._json import jsonable

__all__ = [
    "DEFAULT_MAX_EDGES",
    "DEFAULT_MAX_NODES",
    "DEFAULT_MAX_ROWS",
    "PALETTE",
    "PLACEHOLDER_COLOUR",
    "GraphData",
    "extract_graph",
    "label_colours",
    "node_text",
]

DEFAULT_MAX_NODES = 10_000
DEFAULT_MAX_EDGES = 50_000
DEFAULT_MAX_ROWS = 200_000

# Column types that can never hold a node, relationship or path: skipped without looking.
_SCALAR_TYPES = (
    "INT",
    "UINT",
    "SERIAL",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
    "NUMERIC",
    "BOOL",
    "STRING",
    "VARCHAR",
    "TEXT",
    "DATE",
    "TIMESTAMP",
    "TIME",
    "INTERVAL",
    "BLOB",
    "UUID",
    "NULL",
)
# An untyped column whose first values are all scalars is not scanned further.
_SAMPLE = 1000

# The same colours, in the same order, as the graph view (js/lib/graph.ts).
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
PLACEHOLDER_COLOUR = "#9aa0a6"
_NAME_KEYS = ("name", "title", "label", "displayName", "display_name", "id", "key", "code")


@dataclass
class GraphData:
    """What the graph view draws: ``nodes`` and ``edges`` as JSON-ready dicts.

    A node is ``{"id", "label", "properties", "placeholder"}`` (``placeholder`` when only a
    relationship named it); an edge is ``{"id", "source", "target", "type", "properties"}``.
    ``truncated`` is True when a cap stopped the scan, so more may exist than is drawn.
    """

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    rows_scanned: int = 0
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.nodes and not self.edges

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "rows_scanned": self.rows_scanned,
            "truncated": self.truncated,
        }


class _Collector:
    def __init__(self, max_nodes: int, max_edges: int) -> None:
        self.max_nodes = max_nodes
        self.max_edges = max_edges
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[str, dict[str, Any]] = {}
        self.full = False

    def visit(self, value: Any) -> None:
        if isinstance(value, dict):
            if is_node(value):
                self.add_node(value)
            elif is_relationship(value):
                self.add_edge(value)
            elif "_nodes" in value or "_rels" in value:
                for item in [*(value.get("_nodes") or []), *(value.get("_rels") or [])]:
                    self.visit(item)
            else:
                for item in value.values():
                    if isinstance(item, dict | list | tuple):
                        self.visit(item)
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, dict | list | tuple):
                    self.visit(item)

    def add_node(self, value: dict[str, Any]) -> None:
        key = _key(value["_id"])
        properties = {k: v for k, v in value.items() if not str(k).startswith("_")}
        known = self.nodes.get(key)
        if known is not None:
            # The same node seen again (e.g. in two paths): keep what each occurrence adds.
            for name, item in properties.items():
                if item is not None or name not in known["properties"]:
                    known["properties"][name] = jsonable(item)
            return
        if len(self.nodes) >= self.max_nodes:
            self.full = True
            return
        self.nodes[key] = {
            "id": key,
            "label": str(value["_label"]),
            "properties": jsonable(properties),
            "placeholder": False,
        }

    def add_edge(self, value: dict[str, Any]) -> None:
        raw_id = value.get("_id")
        key = _key(raw_id) if raw_id is not None else f"#{len(self.edges)}"
        if key in self.edges:
            return
        if len(self.edges) >= self.max_edges:
            self.full = True
            return
        self.edges[key] = {
            "id": key,
            "source": _key(value["_start"]),
            "target": _key(value["_end"]),
            "type": str(value["_type"]),
            "properties": jsonable({k: v for k, v in value.items() if not str(k).startswith("_")}),
        }

    def finish(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        edges: list[dict[str, Any]] = []
        for edge in self.edges.values():
            missing = [end for end in (edge["source"], edge["target"]) if end not in self.nodes]
            if len(self.nodes) + len(set(missing)) > self.max_nodes:
                self.full = True
                continue
            for end in missing:
                self.nodes[end] = {
                    "id": end,
                    "label": "",
                    "properties": {},
                    "placeholder": True,
                }
            edges.append(edge)
        return list(self.nodes.values()), edges


def extract_graph(
    rows: Sequence[Sequence[Any]],
    *,
    column_types: Sequence[str] | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_edges: int = DEFAULT_MAX_EDGES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> GraphData:
    """Collect the nodes and relationships of ``rows`` (at most the caps given)."""
    for name, cap in (("max_nodes", max_nodes), ("max_edges", max_edges), ("max_rows", max_rows)):
        if cap < 0:
            raise ValueError(f"{name} must be zero or more, got {cap}")
    width = max((len(row) for row in rows[:1]), default=0)
    types = list(column_types or [])
    positions = [
        i
        for i in range(width)
        if not _scalar_type(types[i] if i < len(types) else "") and _may_hold_graph(rows, i)
    ]
    collector = _Collector(max_nodes, max_edges)
    scanned = 0
    if positions:
        for row in rows[:max_rows]:
            for i in positions:
                value = row[i] if i < len(row) else None
                if isinstance(value, dict | list | tuple):
                    collector.visit(value)
            scanned += 1
            if collector.full:
                break
    else:
        scanned = min(len(rows), max_rows)
    nodes, edges = collector.finish()
    truncated = collector.full or (bool(positions) and scanned < len(rows))
    return GraphData(nodes=nodes, edges=edges, rows_scanned=scanned, truncated=truncated)


def _key(value: Any) -> str:
    return value if isinstance(value, str) else str(jsonable(value))


def _scalar_type(type_name: str) -> bool:
    upper = type_name.strip().upper()
    if not upper or "[" in upper or "<" in upper or upper.startswith(("LIST", "ARRAY", "MAP")):
        return False
    return upper.startswith(_SCALAR_TYPES)


def _may_hold_graph(rows: Iterable[Sequence[Any]], position: int) -> bool:
    seen = 0
    for row in rows:
        value = row[position] if position < len(row) else None
        if value is None:
            continue
        if isinstance(value, dict | list | tuple):
            return True
        seen += 1
        if seen >= _SAMPLE:
            return False
    return False


def label_colours(nodes: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Colour per node label, the most frequent first (as the graph view assigns them)."""
    counts: dict[str, int] = {}
    for node in nodes:
        if not node["placeholder"]:
            counts[node["label"]] = counts.get(node["label"], 0) + 1
    ordered = sorted(counts, key=lambda label: (-counts[label], label))
    return {label: _colour_at(index) for index, label in enumerate(ordered)}


def _colour_at(index: int) -> str:
    if index < len(PALETTE):
        return PALETTE[index]
    return f"hsl({round(index * 137.508 % 360)}, 55%, 55%)"


def node_text(node: dict[str, Any], label_by: str | None = None) -> str:
    """A node's caption: ``label_by``'s value, else a name-like property, else label and id."""
    properties = node["properties"]
    if label_by and properties.get(label_by) is not None:
        value = properties[label_by]
        return value if isinstance(value, str) else json.dumps(value)
    for key in _NAME_KEYS:
        value = properties.get(key)
        if value is not None and value != "":
            return str(value)
    return str(node["id"]) if node["placeholder"] else f"{node['label']} {node['id']}"
