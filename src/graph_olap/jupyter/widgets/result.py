"""``ResultWidget``: a query result as tabs Table, Graph, JSON and Metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import traitlets

from graph_olap.jupyter.widgets._bundle import BundledWidget
from graph_olap.jupyter.widgets._json import jsonable
from graph_olap.jupyter.widgets.graph_data import (
    DEFAULT_MAX_EDGES,
    DEFAULT_MAX_NODES,
    extract_graph,
)

if TYPE_CHECKING:
    from graph_olap.instance.result import QueryResult

__all__ = ["DEFAULT_DISPLAY_LIMIT", "DEFAULT_PAGE_SIZE", "VIEWS", "ResultWidget", "View"]

View = Literal["table", "graph", "json", "metadata"]
VIEWS: tuple[View, ...] = ("table", "graph", "json", "metadata")
DEFAULT_DISPLAY_LIMIT = 1000
DEFAULT_PAGE_SIZE = 20


class ResultWidget(BundledWidget):
    """One query result: a paged, sortable, searchable table, a graph, JSON and metadata.

    Only the first ``display_limit`` rows are sent to the browser (the table says "showing N
    of M rows"); the graph is built from nodes and relationships anywhere in the result,
    within the graph caps. Mirrors ``js/result.ts``'s ``ResultModel``.
    """

    _bundle = "result"

    columns = traitlets.List(traitlets.Unicode()).tag(sync=True)
    column_types = traitlets.List(traitlets.Unicode()).tag(sync=True)
    rows: traitlets.List[list[Any]] = traitlets.List().tag(sync=True)
    row_count = traitlets.Int(0).tag(sync=True)
    display_limit = traitlets.Int(DEFAULT_DISPLAY_LIMIT).tag(sync=True)
    page_size = traitlets.Int(DEFAULT_PAGE_SIZE).tag(sync=True)
    view = traitlets.Enum(list(VIEWS), default_value="table").tag(sync=True)
    metadata = traitlets.Dict().tag(sync=True)
    graph = traitlets.Dict().tag(sync=True)
    size_by = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    label_by = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    height = traitlets.Int(480).tag(sync=True)

    @classmethod
    def from_result(
        cls,
        result: QueryResult,
        *,
        view: View | None = None,
        display_limit: int = DEFAULT_DISPLAY_LIMIT,
        page_size: int = DEFAULT_PAGE_SIZE,
        instance: str | None = None,
        query: str | None = None,
        size_by: str | None = None,
        label_by: str | None = None,
        max_nodes: int = DEFAULT_MAX_NODES,
        max_edges: int = DEFAULT_MAX_EDGES,
    ) -> ResultWidget:
        if display_limit < 0:
            raise ValueError(f"display_limit must be zero or more, got {display_limit}")
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")
        if view is not None and view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
        shown = result.rows[:display_limit]
        graph = extract_graph(
            result.rows,
            column_types=result.column_types,
            max_nodes=max_nodes,
            max_edges=max_edges,
        )
        metadata: dict[str, Any] = {
            "rows": len(result.rows),
            "row_count": result.row_count,
            "columns": list(result.columns),
            "column_types": list(result.column_types),
            "execution_time_ms": jsonable(result.execution_time_ms),
            "truncated": result.truncated,
            "instance": instance,
            "query": query,
        }
        return cls(
            columns=list(result.columns),
            column_types=list(result.column_types),
            rows=[jsonable(list(row)) for row in shown],
            row_count=len(result.rows),
            display_limit=display_limit,
            page_size=page_size,
            view=view or "table",
            metadata=metadata,
            graph=graph.to_json(),
            size_by=size_by,
            label_by=label_by,
        )
