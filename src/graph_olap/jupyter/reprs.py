"""Rich HTML views of the SDK's models for notebooks (their ``_repr_html_``).

Each view is self-contained: it embeds the compact notebook stylesheet and a plain-text
fallback, following xarray's pattern. Where the stylesheet runs (JupyterLab, Notebook 7,
VS Code, nbconvert HTML), it hides the text and reveals the card; where ``<style>`` is stripped
(an untrusted notebook's sanitised output, GitHub), the card stays hidden by its inline
``display:none`` and the text shows instead. So a view never depends on ``apply_notebook_css``
having run in the kernel, and never shows unstyled markup. Every value is escaped.

The models call these lazily (``graph_olap.models`` is shared with the server and stays light).
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any

from graph_olap.durations import parse_duration
from graph_olap.jupyter.styles import compact_notebook_css

if TYPE_CHECKING:
    from graph_olap.models import (
        AlgorithmExecution,
        EdgeDefinition,
        GraphSchema,
        Instance,
        LockStatus,
        MappingDiff,
        MappingVersion,
        NodeDefinition,
        Snapshot,
    )
    from graph_olap.models import (
        Mapping as MappingModel,
    )
    from graph_olap.pagination import PaginatedList

__all__ = [
    "execution_html",
    "instance_html",
    "lock_html",
    "mapping_diff_html",
    "mapping_html",
    "mapping_version_html",
    "page_html",
    "schema_html",
    "snapshot_html",
    "status_badge",
]

# Longest value shown in full inside a card cell; longer ones are cut (the title has it all).
_MAX_VALUE = 160


@dataclass(frozen=True)
class _Cell:
    """A value rendered twice: as escaped HTML and as text for the fallback."""

    text: str
    html: str
    numeric: bool = False


def _cell(value: Any) -> _Cell:
    """Render any value; strings and unknown objects are escaped."""
    if isinstance(value, _Cell):
        return value
    if value is None:
        return _Cell("-", '<span class="golap-null">-</span>')
    if isinstance(value, bool):
        return _Cell("yes" if value else "no", "yes" if value else "no")
    if isinstance(value, int):
        return _Cell(f"{value:,}", f"{value:,}", numeric=True)
    if isinstance(value, float):
        text = f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.6g}"
        return _Cell(text, text, numeric=True)
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, Mapping | list | tuple):
        return _short(json.dumps(value, default=str, ensure_ascii=False))
    return _short(str(value))


def _short(text: str, limit: int = _MAX_VALUE) -> _Cell:
    if len(text) <= limit:
        return _Cell(text, escape(text))
    cut = text[: limit - 1] + "…"
    return _Cell(cut, f'<span title="{escape(text)}">{escape(cut)}</span>')


def _when(value: datetime) -> _Cell:
    moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    text = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    iso = moment.isoformat()
    return _Cell(text, f'<time datetime="{escape(iso)}">{escape(text)}</time>')


def _seconds(value: float | None) -> _Cell:
    if value is None:
        return _cell(None)
    if value < 60:
        text = f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
    elif value < 3600:
        text = f"{int(value // 60)} min {int(value % 60)} s"
    else:
        text = f"{int(value // 3600)} h {int(value % 3600 // 60)} min"
    return _Cell(text, escape(text), numeric=True)


def _lifetime(value: str | None) -> _Cell:
    """An ISO 8601 duration (``PT24H``) as words, the ISO form kept in the title."""
    if value is None:
        return _cell(None)
    try:
        seconds = parse_duration(value).total_seconds()
    except ValueError:
        return _cell(value)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if seconds >= size:
            count, seconds = divmod(seconds, size)
            parts.append(f"{int(count)} {unit}")
    text = " ".join(parts) or "0 s"
    return _Cell(text, f'<span title="{escape(value)}">{escape(text)}</span>')


def _size(value: int | None) -> _Cell:
    if value is None:
        return _cell(None)
    size, unit = float(value), "B"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            break
        size /= 1024
    text = f"{int(size)} B" if unit == "B" else f"{size:,.1f} {unit}"
    return _Cell(text, escape(text), numeric=True)


def _megabytes(value: int | None) -> _Cell:
    if value is None:
        return _cell(None)
    text = f"{value / 1024**2:,.1f} MB"
    return _Cell(text, escape(text), numeric=True)


def _link(url: str | None) -> _Cell:
    if not url:
        return _cell(None)
    if not re.match(r"https?://", url):  # never a javascript: or data: link
        return _cell(url)
    return _Cell(
        url,
        f'<a class="golap-link" href="{escape(url)}" target="_blank" '
        f'rel="noopener noreferrer">{escape(url)}</a>',
    )


def _code(text: str) -> _Cell:
    return _Cell(text, f'<code class="golap-code">{escape(text)}</code>')


def _pill(text: str) -> _Cell:
    return _Cell(text, f'<span class="golap-pill">{escape(text)}</span>')


def _join(cells: Iterable[_Cell], sep: str = ", ") -> _Cell:
    items = list(cells)
    if not items:
        return _cell(None)
    return _Cell(sep.join(c.text for c in items), escape(sep).join(c.html for c in items))


def status_badge(status: str) -> str:
    """A ``golap-badge`` for a status; its tone comes from ``golap-status-<status>``."""
    return _badge(status).html


def _badge(status: str, *, label: str | None = None) -> _Cell:
    slug = re.sub(r"[^a-z0-9_]+", "_", str(status).strip().lower()) or "unknown"
    text = label if label is not None else str(status).replace("_", " ")
    return _Cell(
        f"[{text}]",
        f'<span class="golap-badge golap-status-{slug}" data-status="{escape(str(status))}">'
        f"{escape(text)}</span>",
    )


# -- building blocks -----------------------------------------------------------------------------


def _kv(rows: Sequence[tuple[str, Any]]) -> tuple[str, list[str]]:
    """A key-value table of the rows whose value is not None (HTML and text lines)."""
    html, text = ['<table class="golap-kv"><tbody>'], []
    for key, value in rows:
        if value is None:
            continue
        cell = _cell(value)
        css = ' class="golap-num"' if cell.numeric else ""
        html.append(f"<tr><th>{escape(key)}</th><td{css}>{cell.html}</td></tr>")
        text.append(f"  {key}: {cell.text}")
    html.append("</tbody></table>")
    return "".join(html), text


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    row_classes: Sequence[str] | None = None,
) -> tuple[str, list[str]]:
    """A data table (HTML and text lines, one per row)."""
    html = ['<div class="golap-table-scroll"><table class="golap-table"><thead><tr>']
    html.extend(f"<th>{escape(h)}</th>" for h in headers)
    html.append("</tr></thead><tbody>")
    text = ["  " + " | ".join(headers)]
    for index, row in enumerate(rows):
        cells = [_cell(value) for value in row]
        css = f' class="{row_classes[index]}"' if row_classes and row_classes[index] else ""
        html.append(f"<tr{css}>")
        for cell in cells:
            html.append(
                f'<td class="golap-num">{cell.html}</td>'
                if cell.numeric
                else f"<td>{cell.html}</td>"
            )
        html.append("</tr>")
        text.append("  " + " | ".join(cell.text for cell in cells))
    html.append("</tbody></table></div>")
    return "".join(html), text


class _Card:
    """One card: a header (kind, title, id, badges), then blocks; rendered with its fallback."""

    def __init__(
        self,
        kind: str,
        title: str | None,
        *,
        ident: str | None = None,
        badges: Sequence[_Cell] = (),
        css: str = "",
    ) -> None:
        self._css = css
        head = [f'<span class="golap-kind">{escape(kind)}</span>']
        line = [kind]
        if title:
            head.append(f'<span class="golap-title">{escape(title)}</span>')
            line.append(repr(title))
        if ident:
            head.append(f'<span class="golap-id">{escape(ident)}</span>')
            line.append(ident)
        for badge in badges:
            head.append(badge.html)
            line.append(badge.text)
        self._html = [f'<div class="golap-card-header">{"".join(head)}</div>']
        self._text = [" ".join(line)]
        self._body: list[str] = []

    def kv(self, rows: Sequence[tuple[str, Any]]) -> None:
        html, text = _kv(rows)
        if text:
            self._body.append(html)
            self._text.extend(text)

    def section(self, title: str, block: tuple[str, list[str]] | None = None) -> None:
        self._body.append(f'<div class="golap-section-title">{escape(title)}</div>')
        self._text.append(f"{title}:")
        if block is not None:
            self._body.append(block[0])
            self._text.extend(block[1])

    def note(self, html: str, text: str) -> None:
        self._body.append(f'<div class="golap-note">{html}</div>')
        self._text.append(f"  ({text})")

    def empty(self, text: str) -> None:
        self._body.append(f'<div class="golap-empty">{escape(text)}</div>')
        self._text.append(f"  {text}")

    def error(self, message: str, *, title: str = "Error") -> None:
        self._body.append(
            f'<div class="golap-error"><span class="golap-error-title">{escape(title)}:</span> '
            f"{escape(message)}</div>"
        )
        self._text.append(f"  {title}: {message}")

    def raw(self, html: str, text: Sequence[str] = ()) -> None:
        self._body.append(html)
        self._text.extend(text)

    def render(self) -> str:
        body = f'<div class="golap-card-body">{"".join(self._body)}</div>' if self._body else ""
        card = f'<div class="golap-card {self._css}">{"".join(self._html)}{body}</div>'
        return _document(card, "\n".join(self._text))


def _document(inner: str, text: str) -> str:
    return (
        '<div class="golap golap-repr">'
        f"<style>{compact_notebook_css()}</style>"
        f'<pre class="golap-text-fallback">{escape(text)}</pre>'
        f'<div class="golap-wrap" style="display:none">{inner}</div>'
        "</div>"
    )


def _id(value: Any) -> str:
    return f"#{value}"


# -- mappings ------------------------------------------------------------------------------------


def _properties(properties: Sequence[Any]) -> _Cell:
    cells = []
    for prop in properties:
        required = "" if getattr(prop, "nullable", True) else " NOT NULL"
        text = f"{prop.name}: {prop.type}{required}"
        cells.append(
            _Cell(
                text,
                f'{escape(prop.name)} <span class="golap-muted">'
                f"{escape(prop.type + required)}</span>",
            )
        )
    return _join(cells)


def _sql(sql: str) -> _Cell:
    first = " ".join(sql.split())
    summary = first if len(first) <= 60 else first[:59] + "…"
    return _Cell(
        first,
        f'<details><summary><code class="golap-code">{escape(summary)}</code></summary>'
        f'<pre class="golap-code">{escape(sql)}</pre></details>',
    )


def _definitions(
    card: _Card,
    nodes: Sequence[NodeDefinition] | None,
    edges: Sequence[EdgeDefinition] | None,
) -> None:
    if nodes is None and edges is None:
        card.note(
            'Definitions not loaded: <code class="golap-code">'
            "client.mappings.get_version(mapping_id, version)</code>",
            "definitions not loaded",
        )
        return
    nodes, edges = nodes or [], edges or []
    card.section(f"Node definitions ({len(nodes)})")
    if nodes:
        card.raw(
            *_table(
                ["Label", "Primary key", "Properties", "SQL"],
                [
                    [
                        _pill(n.label),
                        _code(f"{n.primary_key.name}: {n.primary_key.type}"),
                        _properties(n.properties),
                        _sql(n.sql),
                    ]
                    for n in nodes
                ],
            )
        )
    else:
        card.empty("none")
    card.section(f"Edge definitions ({len(edges)})")
    if edges:
        card.raw(
            *_table(
                ["Type", "Pattern", "Keys", "Properties", "SQL"],
                [
                    [
                        _pill(e.type),
                        _code(f"(:{e.from_node})-[:{e.type}]->(:{e.to_node})"),
                        _code(f"{e.from_key} → {e.to_key}"),
                        _properties(e.properties),
                        _sql(e.sql),
                    ]
                    for e in edges
                ],
            )
        )
    else:
        card.empty("none")


def mapping_html(mapping: MappingModel) -> str:
    """A mapping: header, lifecycle and, when fetched by id, its current definitions."""
    card = _Card(
        "Mapping",
        mapping.name,
        ident=_id(mapping.id),
        badges=[_pill(f"v{mapping.current_version}")],
        css="golap-mapping",
    )
    card.kv(
        [
            ("Description", mapping.description),
            ("Owner", mapping.owner_username),
            ("Current version", mapping.current_version),
            ("Change", mapping.version.change_description if mapping.version else None),
            ("Snapshots", mapping.snapshot_count),
            ("Created", mapping.created_at),
            ("Updated", mapping.updated_at),
            ("TTL", _lifetime(mapping.ttl) if mapping.ttl else None),
            (
                "Inactivity timeout",
                _lifetime(mapping.inactivity_timeout) if mapping.inactivity_timeout else None,
            ),
        ]
    )
    if mapping.version is not None:
        _definitions(card, mapping.version.node_definitions, mapping.version.edge_definitions)
    return card.render()


def mapping_version_html(version: MappingVersion) -> str:
    """One immutable version: who made it, why, and its definitions tables."""
    card = _Card(
        "Mapping version",
        f"v{version.version}",
        ident=f"mapping #{version.mapping_id}" if version.mapping_id is not None else None,
        css="golap-mapping-version",
    )
    card.kv(
        [
            ("Change", version.change_description),
            ("Created by", version.created_by_name or version.created_by),
            ("Created", version.created_at),
        ]
    )
    _definitions(card, version.node_definitions, version.edge_definitions)
    return card.render()


_DIFF_CLASS = {
    "added": "golap-diff-added",
    "removed": "golap-diff-removed",
    "modified": "golap-diff-changed",
}
_DIFF_SIGN = {"added": "+", "removed": "&minus;", "modified": "~"}


def _diff_detail(change: Any) -> _Cell:
    """What changed: field by field for a modification, the definition's gist otherwise."""
    before, after = change.from_ or {}, change.to or {}
    if change.change_type == "modified":
        fields = change.fields_changed or sorted(set(before) | set(after))
        parts = []
        for name in fields:
            old, new = _cell(before.get(name)), _cell(after.get(name))
            parts.append(
                _Cell(
                    f"{name}: {old.text} -> {new.text}",
                    f'<div><code class="golap-code">{escape(name)}</code>: '
                    f'<span class="golap-diff-old">{old.html}</span> → '
                    f'<span class="golap-diff-new">{new.html}</span></div>',
                )
            )
        return _Cell("; ".join(p.text for p in parts), "".join(p.html for p in parts))
    definition = after if change.change_type == "added" else before
    sql = definition.get("sql")
    return _sql(sql) if isinstance(sql, str) else _cell(definition or None)


def mapping_diff_html(diff: MappingDiff) -> str:
    """What changed between two versions: counts, then one coloured row per definition."""
    card = _Card(
        "Mapping diff",
        f"v{diff.from_version} → v{diff.to_version}",
        ident=f"mapping #{diff.mapping_id}",
        css="golap-mapping-diff",
    )
    summary = diff.summary
    counts = [
        ("added", summary.nodes_added, summary.edges_added),
        ("removed", summary.nodes_removed, summary.edges_removed),
        ("modified", summary.nodes_modified, summary.edges_modified),
    ]
    html = "".join(
        f'<span class="{_DIFF_CLASS[kind]}">{_DIFF_SIGN[kind]}{nodes} / {edges}</span> '
        f"{escape(kind)} &nbsp; "
        for kind, nodes, edges in counts
    )
    text = ", ".join(f"{kind}: {nodes} nodes / {edges} edges" for kind, nodes, edges in counts)
    card.note(f"<strong>nodes / edges</strong> &nbsp; {html}", text)
    changes: list[tuple[str, str, Any]] = [
        *(("Node", c.label, c) for c in diff.changes.nodes),
        *(("Edge", c.type, c) for c in diff.changes.edges),
    ]
    if not changes:
        card.empty("No differences")
        return card.render()
    rows = [
        [kind, _pill(name), _badge(change.change_type), _diff_detail(change)]
        for kind, name, change in changes
    ]
    classes = [_DIFF_CLASS.get(change.change_type, "") for _, _, change in changes]
    card.raw(*_table(["Kind", "Name", "Change", "Details"], rows, row_classes=classes))
    return card.render()


# -- snapshots and instances ---------------------------------------------------------------------


def _mapping_ref(name: str | None, mapping_id: int | None, version: int | None) -> _Cell | None:
    if mapping_id is None and name is None:
        return None
    parts = [name or "", f"#{mapping_id}" if mapping_id is not None else ""]
    if version is not None:
        parts.append(f"v{version}")
    return _cell(" ".join(p for p in parts if p))


def _counts_table(
    title: str, counts: Mapping[str, int] | None
) -> tuple[str, tuple[str, list[str]]]:
    rows = sorted((counts or {}).items())
    total = sum(count for _, count in rows)
    return f"{title} ({total:,})", _table(["Label", "Count"], [[_pill(k), v] for k, v in rows])


def snapshot_html(snapshot: Snapshot) -> str:
    """A snapshot: status badge, what it exports, and its node and edge counts."""
    card = _Card(
        "Snapshot",
        snapshot.name,
        ident=_id(snapshot.id),
        badges=[_badge(snapshot.status)],
        css="golap-snapshot",
    )
    if snapshot.error_message:
        card.error(snapshot.error_message, title="Export failed")
    nodes = sum((snapshot.node_counts or {}).values()) if snapshot.node_counts else None
    edges = sum((snapshot.edge_counts or {}).values()) if snapshot.edge_counts else None
    card.kv(
        [
            ("Description", snapshot.description),
            (
                "Mapping",
                _mapping_ref(snapshot.mapping_name, snapshot.mapping_id, snapshot.mapping_version),
            ),
            ("Owner", snapshot.owner_username),
            ("Nodes", nodes),
            ("Edges", edges),
            ("Size", _size(snapshot.size_bytes) if snapshot.size_bytes is not None else None),
            ("Instances", snapshot.instance_count),
            ("Created", snapshot.created_at),
            ("Updated", snapshot.updated_at),
            ("Last used", snapshot.last_used_at),
            ("TTL", _lifetime(snapshot.ttl) if snapshot.ttl else None),
            (
                "Inactivity timeout",
                _lifetime(snapshot.inactivity_timeout) if snapshot.inactivity_timeout else None,
            ),
            ("Location", _code(snapshot.gcs_path) if snapshot.gcs_path else None),
        ]
    )
    for title, counts in (("Nodes", snapshot.node_counts), ("Edges", snapshot.edge_counts)):
        if counts:
            card.section(*_counts_table(title, counts))
    return card.render()


def _progress_phase(progress: Mapping[str, Any] | None) -> _Cell | None:
    if not progress:
        return None
    phase = progress.get("phase")
    done, total = progress.get("completed_steps"), progress.get("total_steps")
    if isinstance(done, int) and isinstance(total, int) and total > 0:
        text = f"{phase or ''} {done}/{total} steps".strip()
        percent = max(0, min(100, round(100 * done / total)))
        return _Cell(
            text,
            f'{escape(text)}<span class="golap-bar"><span style="width:{percent}%"></span></span>',
        )
    return _cell(phase) if phase else None


def instance_html(instance: Instance) -> str:
    """An instance: status badge, engine, URL, memory in MB, graph size and lifecycle."""
    card = _Card(
        "Instance",
        instance.name,
        ident=_id(instance.id),
        badges=[_badge(instance.status)],
        css="golap-instance",
    )
    if instance.error_message:
        title = f"Failed ({instance.error_code})" if instance.error_code else "Failed"
        card.error(instance.error_message, title=title)
    memory = None
    if instance.memory_usage_bytes is not None:
        memory = _megabytes(instance.memory_usage_bytes)
        if instance.memory_gb:
            memory = _Cell(
                f"{memory.text} of {instance.memory_gb} GB",
                f'{memory.html} <span class="golap-muted">of {instance.memory_gb} GB</span>',
                numeric=True,
            )
    snapshot = None
    if instance.snapshot_id is not None or instance.snapshot_name:
        snapshot = _cell(
            " ".join(
                p
                for p in (
                    instance.snapshot_name or "",
                    _id(instance.snapshot_id) if instance.snapshot_id is not None else "",
                )
                if p
            )
        )
    live = instance.status in ("starting", "waiting_for_snapshot")
    card.kv(
        [
            ("Description", instance.description),
            ("Engine", _pill(instance.wrapper_type)),
            ("URL", _link(instance.instance_url) if instance.instance_url else None),
            ("Progress", _progress_phase(instance.progress) if live else None),
            ("Snapshot", snapshot),
            (
                "Pending snapshot",
                _id(instance.pending_snapshot_id) if instance.pending_snapshot_id else None,
            ),
            (
                "Mapping",
                _mapping_ref(instance.mapping_name, instance.mapping_id, instance.mapping_version),
            ),
            ("Owner", instance.owner_username),
            ("Nodes", instance.node_count),
            ("Edges", instance.edge_count),
            ("Memory", memory),
            (
                "Disk",
                _megabytes(instance.disk_usage_bytes)
                if instance.disk_usage_bytes is not None
                else None,
            ),
            ("CPU cores", instance.cpu_cores),
            ("Created", instance.created_at),
            ("Started", instance.started_at),
            ("Last activity", instance.last_activity_at),
            ("Expires", instance.expires_at),
            ("TTL", _lifetime(instance.ttl) if instance.ttl else None),
            (
                "Inactivity timeout",
                _lifetime(instance.inactivity_timeout) if instance.inactivity_timeout else None,
            ),
        ]
    )
    return card.render()


# -- graph and algorithm state -------------------------------------------------------------------


def _typed(properties: Mapping[str, str]) -> _Cell:
    return _join(
        _Cell(f"{name}: {kind}", f'{escape(name)} <span class="golap-muted">{escape(kind)}</span>')
        for name, kind in properties.items()
    )


def schema_html(schema: GraphSchema) -> str:
    """The graph an instance serves: node labels and relationship types with their counts."""
    card = _Card(
        "Graph schema",
        None,
        css="golap-schema",
        badges=[
            _pill(f"{schema.total_nodes:,} nodes"),
            _pill(f"{schema.total_edges:,} relationships"),
        ],
    )
    written: Mapping[str, Mapping[str, str]] = getattr(schema, "algorithm_properties", {}) or {}
    card.section(f"Node labels ({len(schema.node_tables)})")
    if schema.node_tables:
        rows = []
        for table in schema.node_tables:
            extra = dict(getattr(table, "algorithm_properties", {}) or {})
            extra.update(written.get(table.label, {}))
            rows.append(
                [
                    _pill(table.label),
                    _code(f"{table.primary_key}: {table.primary_key_type}"),
                    _typed(table.properties),
                    _typed(extra) if extra else None,
                    table.node_count,
                ]
            )
        card.raw(
            *_table(["Label", "Primary key", "Properties", "Algorithm results", "Nodes"], rows)
        )
    else:
        card.empty("none")
    card.section(f"Relationship types ({len(schema.edge_tables)})")
    if schema.edge_tables:
        card.raw(
            *_table(
                ["Type", "Pattern", "Properties", "Relationships"],
                [
                    [
                        _pill(t.type),
                        _code(f"(:{t.from_node})-[:{t.type}]->(:{t.to_node})"),
                        _typed(t.properties),
                        t.edge_count,
                    ]
                    for t in schema.edge_tables
                ],
            )
        )
    else:
        card.empty("none")
    return card.render()


def _summary(values: Mapping[str, Any]) -> _Cell | None:
    if not values:
        return None
    return _join((_cell(f"{k}={_cell(v).text}") for k, v in values.items()), sep="  ")


def execution_html(execution: AlgorithmExecution) -> str:
    """An algorithm run: status, selection, timing and, once done, its result or error."""
    card = _Card(
        "Algorithm",
        execution.algorithm,
        ident=execution.execution_id,
        badges=[_badge(execution.status)],
        css="golap-execution",
    )
    if execution.error:
        title = f"Error ({execution.error_code})" if execution.error_code else "Error"
        card.error(execution.error, title=title)
    seconds = execution.duration_seconds if execution.is_terminal else execution.elapsed_seconds
    card.kv(
        [
            ("Type", execution.algorithm_type),
            (
                "Node labels",
                _join(map(_pill, execution.node_labels)) if execution.node_labels else None,
            ),
            (
                "Relationship types",
                _join(map(_pill, execution.edge_types)) if execution.edge_types else None,
            ),
            ("Parameters", execution.parameters or None),
            ("Write-back", execution.write_back),
            (
                "Result property",
                _code(execution.property_name) if execution.property_name else None,
            ),
            ("Nodes updated", execution.nodes_updated),
            ("Summary", _summary(execution.summary)),
            (
                "Progress",
                _progress_phase(execution.progress) if not execution.is_terminal else None,
            ),
            ("Started", execution.started_at),
            ("Completed", execution.completed_at),
            (
                "Duration" if execution.is_terminal else "Elapsed",
                _seconds(seconds) if seconds is not None else None,
            ),
            ("User", execution.user_name),
        ]
    )
    values = execution.values
    if values:
        shown = list(values.items())[:10]
        card.section(f"Values ({len(values):,})", _table(["Node", "Value"], shown))
        if len(values) > len(shown):
            card.note(
                f"showing <strong>{len(shown)}</strong> of <strong>{len(values):,}</strong>",
                f"showing {len(shown)} of {len(values):,}",
            )
    return card.render()


def lock_html(lock: LockStatus) -> str:
    """The instance's algorithm lock: free, or who holds it for which run and since when."""
    badge = _badge("locked" if lock.locked else "unlocked")
    card = _Card("Algorithm lock", None, badges=[badge], css="golap-lock")
    if not lock.locked:
        card.empty("No algorithm is running; the instance is free.")
        return card.render()
    card.kv(
        [
            ("Held by", lock.holder_name or lock.holder_id),
            ("Algorithm", lock.algorithm),
            ("Type", lock.algorithm_type),
            ("Execution", _code(lock.execution_id) if lock.execution_id else None),
            ("Since", lock.acquired_at),
            (
                "Held for",
                _seconds(lock.duration_seconds) if lock.duration_seconds is not None else None,
            ),
        ]
    )
    return card.render()


# -- pages ---------------------------------------------------------------------------------------

_Column = tuple[str, Callable[[Any], Any]]


def _columns(item: Any) -> list[_Column]:
    """The compact row of one kind of item: (header, value getter) pairs."""
    from graph_olap import models

    if isinstance(item, models.Mapping):
        return [
            ("ID", lambda m: m.id),
            ("Name", lambda m: m.name),
            ("Owner", lambda m: m.owner_username),
            ("Version", lambda m: _pill(f"v{m.current_version}")),
            ("Snapshots", lambda m: m.snapshot_count),
            ("Updated", lambda m: m.updated_at),
        ]
    if isinstance(item, models.MappingVersion):
        return [
            ("Version", lambda v: _pill(f"v{v.version}")),
            ("Change", lambda v: v.change_description),
            ("Created by", lambda v: v.created_by_name or v.created_by),
            ("Created", lambda v: v.created_at),
        ]
    if isinstance(item, models.Snapshot):
        return [
            ("ID", lambda s: s.id),
            ("Name", lambda s: s.name),
            ("Status", lambda s: _badge(s.status)),
            ("Mapping", lambda s: _mapping_ref(s.mapping_name, s.mapping_id, s.mapping_version)),
            ("Nodes", lambda s: sum(s.node_counts.values()) if s.node_counts else None),
            ("Edges", lambda s: sum(s.edge_counts.values()) if s.edge_counts else None),
            ("Size", lambda s: _size(s.size_bytes)),
            ("Created", lambda s: s.created_at),
        ]
    if isinstance(item, models.Instance | models.MappingInstance):
        columns: list[_Column] = [
            ("ID", lambda i: i.id),
            ("Name", lambda i: i.name),
            ("Status", lambda i: _badge(i.status)),
            ("Engine", lambda i: _pill(i.wrapper_type)),
            ("Snapshot", lambda i: i.snapshot_name or i.snapshot_id),
            ("Owner", lambda i: i.owner_username),
            ("Created", lambda i: i.created_at),
        ]
        if isinstance(item, models.Instance):  # a mapping's instance list carries no metrics
            columns.insert(-1, ("Memory", lambda i: _megabytes(i.memory_usage_bytes)))
        return columns
    if isinstance(item, models.AlgorithmExecution):
        return [
            ("ID", lambda e: _code(e.execution_id)),
            ("Algorithm", lambda e: e.algorithm),
            ("Status", lambda e: _badge(e.status)),
            ("Nodes updated", lambda e: e.nodes_updated),
            ("Duration", lambda e: _seconds(e.duration_seconds)),
            ("Started", lambda e: e.started_at),
        ]
    if isinstance(item, models.WireModel):
        names = [
            name
            for name in type(item).model_fields
            if isinstance(getattr(item, name), str | int | float | bool | datetime | None)
        ]
        return [(name, operator.attrgetter(name)) for name in names[:7]]
    return [("Item", repr)]


def page_html(page: PaginatedList[Any]) -> str:
    """One page of a list as a table, with "showing first-last of total" and how to go on."""
    items = list(page.items)
    count = len(items)
    kind = type(items[0]).__name__ if items else "item"
    card = _Card(f"{kind} list" if items else "List", None, css="golap-page")
    if count:
        first, last = page.offset + 1, page.offset + count
        html = (
            f"showing <strong>{first:,}&ndash;{last:,}</strong> of <strong>{page.total:,}</strong>"
        )
        text = f"showing {first:,}-{last:,} of {page.total:,}"
    else:
        html = f"showing <strong>0</strong> of <strong>{page.total:,}</strong>"
        text = f"showing 0 of {page.total:,}"
    if page.has_more:
        nxt = page.offset + page.limit
        html += f' · next page: <code class="golap-code">offset={nxt}</code>'
        text += f"; next page: offset={nxt}"
    card.note(html, text)
    if not items:
        card.empty("No items")
        return card.render()
    columns = _columns(items[0])
    rows = []
    for item in items:
        row_columns = columns if type(item) is type(items[0]) else None
        if row_columns is None:  # a mixed page: show the odd item by its repr
            rows.append([repr(item), *([None] * (len(columns) - 1))])
        else:
            rows.append([getter(item) for _, getter in row_columns])
    card.raw(*_table([header for header, _ in columns], rows))
    return card.render()
