"""``QueryResult.to_pyvis()``: the result's graph as a self-contained pyvis (vis-network) page.

The HTML file carries vis-network inline (``cdn_resources="in_line"``), so it opens anywhere,
offline, and can be mailed or attached. Colours and labels follow the notebook's graph view.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph_olap._optional import require
from graph_olap.jupyter.widgets.graph_data import (
    DEFAULT_MAX_EDGES,
    DEFAULT_MAX_NODES,
    PLACEHOLDER_COLOUR,
    extract_graph,
    label_colours,
    node_text,
)

if TYPE_CHECKING:
    from graph_olap.instance.result import QueryResult

__all__ = ["to_pyvis"]

_MIN_SIZE = 10.0
_MAX_SIZE = 40.0
_TITLE_PROPERTIES = 12
# pyvis's page template links Bootstrap from a CDN for menus this export does not use: the
# file must open offline, so those tags go.
_REMOTE_TAGS = re.compile(
    r"<(?:link|script)\b[^>]*(?:href|src)=\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?", re.S
)


def to_pyvis(
    result: QueryResult,
    path: str | PathLike[str] | None = None,
    *,
    size_by: str | None = None,
    label_by: str | None = None,
    height: str = "600px",
    directed: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_edges: int = DEFAULT_MAX_EDGES,
) -> Any:
    """A ``pyvis.network.Network`` of the result, written to ``path`` when one is given."""
    pyvis_network = require("pyvis.network", "QueryResult.to_pyvis()", extra="jupyter")
    data = extract_graph(
        result.rows, column_types=result.column_types, max_nodes=max_nodes, max_edges=max_edges
    )
    network = pyvis_network.Network(
        height=height, width="100%", directed=directed, cdn_resources="in_line"
    )
    colours = label_colours(data.nodes)
    sizes = _sizes(data.nodes, size_by)
    for node in data.nodes:
        title = _title(node)
        network.add_node(
            node["id"],
            label=node_text(node, label_by),
            title=title,
            color=PLACEHOLDER_COLOUR if node["placeholder"] else colours.get(node["label"]),
            size=sizes.get(node["id"], _MIN_SIZE),
        )
    for edge in data.edges:
        properties = "\n".join(f"{k}: {v}" for k, v in edge["properties"].items())
        network.add_edge(
            edge["source"],
            edge["target"],
            title=f"[:{edge['type']}]" + (f"\n{properties}" if properties else ""),
            label=edge["type"],
        )
    if path is not None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        network.write_html(str(target), notebook=False, open_browser=False)
        html = target.read_text(encoding="utf-8")
        target.write_text(_REMOTE_TAGS.sub("", html), encoding="utf-8")
    return network


def _sizes(nodes: list[dict[str, Any]], size_by: str | None) -> dict[str, float]:
    if not size_by:
        return {}
    values = {
        node["id"]: value
        for node in nodes
        if isinstance(value := node["properties"].get(size_by), int | float)
        and not isinstance(value, bool)
    }
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    span = high - low
    return {
        key: (_MIN_SIZE + _MAX_SIZE) / 2
        if span == 0
        else _MIN_SIZE + (value - low) / span * (_MAX_SIZE - _MIN_SIZE)
        for key, value in values.items()
    }


def _title(node: dict[str, Any]) -> str:
    if node["placeholder"]:
        return f"{node['id']} (only referenced by a relationship)"
    lines = [f":{node['label']} {node['id']}"]
    items = list(node["properties"].items())
    lines += [f"{key}: {value}" for key, value in items[:_TITLE_PROPERTIES]]
    if len(items) > _TITLE_PROPERTIES:
        lines.append(f"… {len(items) - _TITLE_PROPERTIES} more")
    return "\n".join(lines)
