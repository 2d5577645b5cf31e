"""How a :class:`~graph_olap.instance.result.QueryResult` shows in a notebook.

:func:`result_widget` builds the interactive :class:`ResultWidget` (tabs Table, Graph, JSON,
Metadata); :func:`static_html` is the plain HTML table that travels in the same display bundle,
so exported notebooks (nbconvert, GitHub) and front-ends without widgets still show the rows.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from graph_olap.instance.values import is_node, is_relationship
from graph_olap.jupyter.styles import compact_notebook_css
from graph_olap.jupyter.widgets._json import jsonable
from graph_olap.jupyter.widgets.result import (
    DEFAULT_DISPLAY_LIMIT,
    ResultWidget,
    View,
)

if TYPE_CHECKING:
    from graph_olap.instance.result import QueryResult

__all__ = [
    "DEFAULT_DISPLAY_LIMIT",
    "STATIC_DISPLAY_LIMIT",
    "cell_text",
    "in_notebook_kernel",
    "result_widget",
    "static_html",
]

STATIC_DISPLAY_LIMIT = 100
_CELL_TEXT_MAX = 50


def result_widget(
    result: QueryResult,
    *,
    view: View | None = None,
    display_limit: int | None = None,
    instance: str | None = None,
    query: str | None = None,
    size_by: str | None = None,
    label_by: str | None = None,
) -> ResultWidget:
    """The interactive widget of ``result``.

    ``view`` is the tab shown first (``"table"``, ``"graph"``, ``"json"`` or
    ``"metadata"``); only the first ``display_limit`` rows (default 1000) go to the browser;
    ``instance`` and ``query`` are shown in the Metadata tab (default: the result's own);
    ``size_by``/``label_by`` choose the node properties that size and label graph nodes.
    """
    return ResultWidget.from_result(
        result,
        view=view,
        display_limit=DEFAULT_DISPLAY_LIMIT if display_limit is None else display_limit,
        instance=instance if instance is not None else result.instance,
        query=query if query is not None else result.query,
        size_by=size_by,
        label_by=label_by,
    )


def static_html(result: QueryResult, *, display_limit: int = STATIC_DISPLAY_LIMIT) -> str:
    """An HTML table of the first ``display_limit`` rows, with the row count and timing.

    Nodes show as ``:Label``, relationships as ``[:TYPE]``, lists and paths as ``[n items]``,
    maps as ``{n keys}``, and text is cut at 50 characters: a summary, not the data.
    """
    if display_limit < 0:
        raise ValueError(f"display_limit must be zero or more, got {display_limit}")
    total = len(result.rows)
    shown = result.rows[:display_limit]
    head = "".join(
        f'<th title="{html.escape(kind)}">{html.escape(name)}</th>'
        for name, kind in zip(result.columns, result.column_types, strict=False)
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell_text(value))}</td>" for value in row) + "</tr>"
        for row in shown
    )
    notes = [f"{total:,} row{'s' if total != 1 else ''} in {result.execution_time_ms:,.1f} ms"]
    if len(shown) < total:
        notes.append(f"showing {len(shown):,} of {total:,}")
    if result.truncated:
        notes.append("truncated by the instance's row limit")
    note = html.escape(" · ".join(notes))
    # The packaged stylesheet travels with the table (as with the rich reprs), so an exported
    # notebook shows it styled; without it the table is still a plain, readable table.
    return (
        '<div class="golap golap-result golap-result-static">'
        f"<style>{compact_notebook_css()}</style>"
        '<div class="golap-table-scroll"><table class="golap-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        f'<div class="golap-note">{note}</div></div>'
    )


def in_notebook_kernel() -> bool:
    """Whether code runs in an IPython kernel with a front-end (JupyterLab, VS Code...)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def cell_text(value: Any) -> str:
    """One value as the short text of a table cell (``:Label``, ``[3 items]``...)."""
    if value is None:
        return ""
    if is_node(value):
        return f":{value['_label']}"
    if is_relationship(value):
        return f"[:{value['_type']}]"
    if isinstance(value, list | tuple):
        return f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    if isinstance(value, dict):
        if "_nodes" in value or "_rels" in value:
            size = len(value.get("_nodes") or []) + len(value.get("_rels") or [])
            return f"[{size} items]"
        return f"{{{len(value)} key{'s' if len(value) != 1 else ''}}}"
    text = jsonable(value)
    text = text if isinstance(text, str) else str(text)
    if isinstance(value, bool):
        text = "true" if value else "false"
    return text if len(text) <= _CELL_TEXT_MAX else text[: _CELL_TEXT_MAX - 1] + "…"
