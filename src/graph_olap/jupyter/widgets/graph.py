"""``GraphWidget``: nodes and relationships drawn with WebGL (sigma.js + graphology)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

import traitlets

from graph_olap.jupyter.widgets._bundle import BundledWidget
from graph_olap.jupyter.widgets.graph_data import (
    DEFAULT_MAX_EDGES,
    DEFAULT_MAX_NODES,
    DEFAULT_MAX_ROWS,
    GraphData,
    extract_graph,
)

if TYPE_CHECKING:
    from graph_olap.instance.result import QueryResult

__all__ = ["GraphWidget"]

DEFAULT_HEIGHT = 480


class GraphWidget(BundledWidget):
    """An interactive graph picture of a result's nodes, relationships and paths.

    Nodes are coloured by label (with a legend), sized by the numeric property ``size_by``
    (e.g. a ``pagerank`` written back by an algorithm) and labelled by ``label_by`` (by default
    the first of ``name``, ``title``, ``label``, ``id`` they have). Hovering shows a node's
    properties; the toolbar has a search box, zoom-to-fit and fullscreen. Mirrors
    ``js/graph.ts``'s ``GraphModel``.
    """

    _bundle = "graph"

    graph = traitlets.Dict().tag(sync=True)
    size_by = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    label_by = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    height = traitlets.Int(DEFAULT_HEIGHT).tag(sync=True)

    def __init__(
        self,
        *,
        data: GraphData | None = None,
        size_by: str | None = None,
        label_by: str | None = None,
        height: int = DEFAULT_HEIGHT,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            graph=(data or GraphData()).to_json(),
            size_by=size_by,
            label_by=label_by,
            height=height,
            **kwargs,
        )

    @classmethod
    def from_rows(
        cls,
        rows: Sequence[Sequence[Any]],
        *,
        column_types: Sequence[str] | None = None,
        size_by: str | None = None,
        label_by: str | None = None,
        height: int = DEFAULT_HEIGHT,
        max_nodes: int = DEFAULT_MAX_NODES,
        max_edges: int = DEFAULT_MAX_EDGES,
        max_rows: int = DEFAULT_MAX_ROWS,
    ) -> Self:
        """The graph of the nodes, relationships and paths found in ``rows``."""
        data = extract_graph(
            rows,
            column_types=column_types,
            max_nodes=max_nodes,
            max_edges=max_edges,
            max_rows=max_rows,
        )
        return cls(data=data, size_by=size_by, label_by=label_by, height=height)

    @classmethod
    def from_result(
        cls,
        result: QueryResult,
        *,
        size_by: str | None = None,
        label_by: str | None = None,
        height: int = DEFAULT_HEIGHT,
        max_nodes: int = DEFAULT_MAX_NODES,
        max_edges: int = DEFAULT_MAX_EDGES,
    ) -> Self:
        """The graph of a query result (see :mod:`graph_olap.jupyter.widgets.graph_data`)."""
        return cls.from_rows(
            result.rows,
            column_types=result.column_types,
            size_by=size_by,
            label_by=label_by,
            height=height,
            max_nodes=max_nodes,
            max_edges=max_edges,
        )

    @property
    def node_count(self) -> int:
        return len(self.graph.get("nodes", []))

    @property
    def edge_count(self) -> int:
        return len(self.graph.get("edges", []))
