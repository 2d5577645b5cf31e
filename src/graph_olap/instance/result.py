"""``QueryResult``: the rows of one Cypher query, with conversions to the usual analysis tools."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self, overload

from graph_olap._optional import require
from graph_olap.instance.values import (
    decode_value,
    encode_value,
    format_interval,
    is_node,
    is_relationship,
)

if TYPE_CHECKING:
    from graph_olap.jupyter.widgets.result import ResultWidget

__all__ = ["QueryResult", "ShowAs"]

ShowAs = Literal["table", "graph", "json"]
_SHOW_AS: tuple[ShowAs, ...] = ("table", "graph", "json")

UNKNOWN_TYPE = "ANY"


@dataclass(frozen=True, repr=False)
class QueryResult:
    """The answer of ``InstanceConnection.query``: columns, their types and positional rows.

    Rows hold Python values (``date``, ``datetime``, ``timedelta``, ``bytes``; nodes and
    relationships as dicts with ``_id``/``_label`` or ``_id``/``_type``/``_start``/``_end``;
    paths as lists of them) unless the query was run with ``coerce_types=False``.

    Iterating yields one dict per row; ``result[i]`` is row ``i`` as a dict. In a notebook
    the result displays as a widget (tabs Table, Graph, JSON, Metadata): see :meth:`show`.
    ``truncated`` is True when the instance stopped at its row cap: use ``query_df`` (Arrow, no
    cap) or a narrower query for everything.
    """

    columns: list[str]
    column_types: list[str]
    rows: list[list[Any]]
    row_count: int
    execution_time_ms: float
    truncated: bool = False
    query: str | None = field(default=None, compare=False, kw_only=True)
    instance: str | None = field(default=None, compare=False, kw_only=True)
    _index: dict[str, int] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {name: i for i, name in enumerate(self.columns)})

    @classmethod
    def from_response(
        cls,
        body: Mapping[str, Any],
        *,
        coerce_types: bool = True,
        query: str | None = None,
        instance: str | None = None,
    ) -> Self:
        """Build a result from the wrapper's JSON answer (a ``data`` wrapper is tolerated).

        ``query`` and ``instance`` (its name) are kept for display (the widget's Metadata).
        """
        data = body.get("data", body)
        data = data if isinstance(data, Mapping) else body
        columns = [str(name) for name in data.get("columns") or []]
        types = [str(t) for t in data.get("column_types") or []]
        types = (types + [UNKNOWN_TYPE] * len(columns))[: len(columns)]
        raw_rows = data.get("rows") or []
        if coerce_types:
            rows = [
                [
                    decode_value(value, type_name)
                    for value, type_name in zip(row, types, strict=False)
                ]
                for row in raw_rows
            ]
        else:
            rows = [list(row) for row in raw_rows]
        return cls(
            columns=columns,
            column_types=types,
            rows=rows,
            row_count=int(data.get("row_count", len(rows))),
            execution_time_ms=float(data.get("execution_time_ms") or 0.0),
            truncated=bool(data.get("truncated", False)),
            query=query,
            instance=instance,
        )

    # -- access -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self._as_dict(row) for row in self.rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._as_dict(row) for row in self.rows[index]]
        return self._as_dict(self.rows[index])

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every row as a ``{column: value}`` dict."""
        return [self._as_dict(row) for row in self.rows]

    def to_list_of_dicts(self) -> list[dict[str, Any]]:
        """Alias of :meth:`to_dicts`."""
        return self.to_dicts()

    def first(self) -> dict[str, Any] | None:
        """The first row as a dict, or None when there are no rows."""
        return self._as_dict(self.rows[0]) if self.rows else None

    def scalar(self) -> Any:
        """The single value of a one-column, one-row result; None when there are no rows.

        Raises ``ValueError`` for more than one column or more than one row.
        """
        if len(self.columns) != 1:
            raise ValueError(
                f"scalar() needs exactly one column, the query returned {len(self.columns)} "
                f"({', '.join(self.columns) or 'none'})"
            )
        if not self.rows:
            return None
        if len(self.rows) > 1:
            raise ValueError(
                f"scalar() needs exactly one row, the query returned {len(self.rows)}; "
                "use first() or iterate"
            )
        return self.rows[0][0]

    def column(self, name: str) -> list[Any]:
        """Every value of one column, in row order."""
        try:
            position = self._index[name]
        except KeyError:
            raise KeyError(f"No column {name!r}; the columns are {self.columns}") from None
        return [row[position] for row in self.rows]

    # -- conversions ------------------------------------------------------------------------

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` with one column per result column (needs the analysis extra)."""
        pandas = require("pandas", "QueryResult.to_pandas()")
        return pandas.DataFrame.from_records(
            [list(row) for row in self.rows], columns=list(self.columns)
        )

    def to_polars(self) -> Any:
        """A ``polars.DataFrame``; nodes become structs, paths lists (needs the analysis extra)."""
        polars = require("polars", "QueryResult.to_polars()")
        series = [
            _polars_series(polars, name, self.column(name)) for name in self._unique_columns()
        ]
        return polars.DataFrame(series)

    def to_json(self, path: str | PathLike[str] | None = None, indent: int | None = 2) -> str:
        """The rows as a JSON array of objects, values in their wire form (ISO dates, base64).

        Also written to ``path`` (UTF-8) when one is given.
        """
        text = json.dumps(
            [encode_value(row) for row in self.to_dicts()], indent=indent, ensure_ascii=False
        )
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def to_csv(self, path: str | PathLike[str], **kwargs: Any) -> None:
        """Write the rows as CSV through polars (``kwargs`` go to ``DataFrame.write_csv``).

        CSV has no nested values: nodes, relationships, paths, lists and maps are written as
        JSON text, bytes as base64 and intervals as ISO durations.
        """
        polars = require("polars", "QueryResult.to_csv()")
        series = [
            _polars_series(polars, name, [_csv_cell(value) for value in self.column(name)])
            for name in self._unique_columns()
        ]
        polars.DataFrame(series).write_csv(Path(path), **kwargs)

    def to_parquet(self, path: str | PathLike[str], **kwargs: Any) -> None:
        """Write the rows as Parquet through polars (``kwargs`` go to ``write_parquet``)."""
        polars = require("polars", "QueryResult.to_parquet()")
        frame = self.to_polars()
        objects = [name for name, dtype in frame.schema.items() if dtype == polars.Object]
        if objects:
            # Values polars could not type (mixed shapes): keep them, as JSON text.
            frame = frame.with_columns(
                polars.Series(name, [_json_text(v) for v in self.column(name)]) for name in objects
            )
        frame.write_parquet(Path(path), **kwargs)

    def to_networkx(self, directed: bool = True, *, multigraph: bool = True) -> Any:
        """A NetworkX graph of every node, relationship and path in the result.

        Nodes are keyed by ``_id`` with a ``label`` attribute and their properties; edges run
        from ``_start`` to ``_end`` with a ``type`` attribute and their properties, keyed by the
        relationship's ``_id`` (a ``MultiDiGraph`` by default, so parallel relationships are
        kept; ``multigraph=False`` merges them). Paths contribute their nodes and edges; values
        that are neither are ignored.
        """
        networkx = require("networkx", "QueryResult.to_networkx()")
        if multigraph:
            graph = networkx.MultiDiGraph() if directed else networkx.MultiGraph()
        else:
            graph = networkx.DiGraph() if directed else networkx.Graph()
        for row in self.rows:
            for value in row:
                _add_to_graph(graph, value, multigraph)
        return graph

    # -- display ----------------------------------------------------------------------------

    def __repr__(self) -> str:
        note = ", truncated=True" if self.truncated else ""
        return (
            f"QueryResult(columns={self.columns!r}, row_count={self.row_count}, "
            f"execution_time_ms={self.execution_time_ms:g}{note})"
        )

    def _repr_html_(self) -> str:
        from graph_olap.jupyter.display import static_html

        return static_html(self)

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The result widget in notebooks, with the static HTML table as its fallback."""
        from graph_olap.jupyter.display import in_notebook_kernel, static_html

        data: dict[str, Any] = {"text/plain": repr(self), "text/html": static_html(self)}
        metadata: dict[str, Any] = {}
        if in_notebook_kernel():
            from graph_olap.jupyter.widgets import BundleMissingError

            try:
                widget = self.widget()
            except BundleMissingError as exc:  # the table still shows; say how to get more
                warnings.warn(str(exc), RuntimeWarning, stacklevel=2)
                return data, metadata
            widget_data, metadata = _widget_bundle(widget)
            data.update(widget_data)
            data["text/plain"] = repr(self)
        return data, metadata

    def widget(
        self,
        *,
        view: ShowAs | Literal["metadata"] | None = None,
        display_limit: int | None = None,
        size_by: str | None = None,
        label_by: str | None = None,
    ) -> ResultWidget:
        """The interactive result widget (tabs Table, Graph, JSON, Metadata), not displayed.

        Only the first ``display_limit`` rows (default 1000) are sent to the browser.
        """
        from graph_olap.jupyter.display import result_widget

        return result_widget(
            self,
            view=view,
            display_limit=display_limit,
            instance=self.instance,
            query=self.query,
            size_by=size_by,
            label_by=label_by,
        )

    def show(
        self,
        as_type: ShowAs | None = None,
        *,
        display_limit: int | None = None,
        size_by: str | None = None,
        label_by: str | None = None,
    ) -> None:
        """Display the result widget, opened on ``as_type``: ``"table"``, ``"graph"``, ``"json"``.

        With no ``as_type`` the graph opens when the result has nodes or relationships, else
        the table. ``size_by``/``label_by`` name the node properties that size and label the
        graph's nodes (e.g. ``size_by="pagerank"`` after ``conn.algo.pagerank``). Outside a
        notebook the rows print as text.
        """
        from IPython.display import display

        from graph_olap.jupyter.display import in_notebook_kernel, static_html

        if as_type is not None and as_type not in _SHOW_AS:
            raise ValueError(
                f"as_type must be one of {', '.join(_SHOW_AS)} (or None), got {as_type!r}"
            )
        if not in_notebook_kernel():
            display({"text/plain": _text_table(self)}, raw=True)  # type: ignore[no-untyped-call]
            return
        widget = self.widget(
            view=as_type, display_limit=display_limit, size_by=size_by, label_by=label_by
        )
        if as_type is None:
            widget.view = "graph" if widget.graph.get("nodes") else "table"
        data, metadata = _widget_bundle(widget)
        data["text/html"] = static_html(self)
        display(data, metadata=metadata, raw=True)  # type: ignore[no-untyped-call]

    def to_pyvis(
        self,
        path: str | PathLike[str] | None = None,
        *,
        size_by: str | None = None,
        label_by: str | None = None,
        height: str = "600px",
        directed: bool = True,
    ) -> Any:
        """The graph of the result as a ``pyvis.network.Network`` (needs the jupyter extra).

        With ``path`` the network is also written there as one self-contained HTML file
        (vis-network inline: it opens offline, ready to share). Nodes are coloured by label
        like the notebook's graph view, sized by the numeric property ``size_by`` and captioned
        by ``label_by`` (default a name-like property); hovering shows their properties.
        """
        from graph_olap.jupyter.pyvis_export import to_pyvis

        return to_pyvis(
            self, path, size_by=size_by, label_by=label_by, height=height, directed=directed
        )

    # -- helpers ----------------------------------------------------------------------------

    def _as_dict(self, row: Sequence[Any]) -> dict[str, Any]:
        return dict(zip(self.columns, row, strict=False))

    def _unique_columns(self) -> list[str]:
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"Columns must be unique to build a DataFrame: {self.columns}")
        return self.columns


def _polars_series(polars: Any, name: str, values: list[Any]) -> Any:
    # Strict first (exact types), then lenient (mixed ints and floats, ragged structs), and as
    # a last resort an Object column, so that a conversion never loses or refuses a value.
    for options in ({"strict": True}, {"strict": False}):
        try:
            return polars.Series(name, values, **options)
        except Exception:  # polars raises several unrelated classes for "cannot infer"
            continue
    return polars.Series(name, values, dtype=polars.Object)


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(encode_value(value), ensure_ascii=False)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict | list | tuple):
        return _json_text(value)
    if isinstance(value, timedelta):
        return format_interval(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return encode_value(value)
    return value


def _properties(entity: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entity.items() if not str(key).startswith("_")}


def _add_to_graph(graph: Any, value: Any, multigraph: bool) -> None:
    if is_node(value):
        graph.add_node(value["_id"], **{**_properties(value), "label": value["_label"]})
    elif is_relationship(value):
        attributes = {**_properties(value), "type": value["_type"]}
        if multigraph:
            graph.add_edge(value["_start"], value["_end"], key=value.get("_id"), **attributes)
        else:
            graph.add_edge(value["_start"], value["_end"], **attributes)
    elif isinstance(value, list):
        for item in value:
            _add_to_graph(graph, item, multigraph)
    elif isinstance(value, dict) and ("_nodes" in value or "_rels" in value):
        for item in [*value.get("_nodes", []), *value.get("_rels", [])]:
            _add_to_graph(graph, item, multigraph)


def _widget_bundle(widget: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    bundle = widget._repr_mimebundle_()
    data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
    return dict(data), dict(metadata or {})


def _text_table(result: QueryResult, limit: int = 20) -> str:
    """A plain-text table of the first rows, for terminals."""
    from graph_olap.jupyter.display import cell_text

    header = list(result.columns)
    body = [[cell_text(value) for value in row] for row in result.rows[:limit]]
    widths = [
        max([len(name), *(len(row[i]) for row in body if i < len(row))])
        for i, name in enumerate(header)
    ]
    lines = [
        "  ".join(name.ljust(width) for name, width in zip(header, widths, strict=False)),
        "  ".join("-" * width for width in widths),
    ]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        for row in body
    ]
    total = len(result.rows)
    shown = f"showing {len(body)} of {total} rows" if len(body) < total else f"{total} rows"
    lines.append(f"({shown}, {result.execution_time_ms:g} ms)")
    return "\n".join(lines)
