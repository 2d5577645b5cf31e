"""Result and graph widgets built from real query results of a LadybugDB instance.

The widgets' traitlets are what the browser receives; these tests check their content for the
shapes a query can return (nodes, relationships, paths, values nested in lists and maps,
scalars, dates), the display limit, the graph caps and the static HTML fallback. What the
browser then draws is checked by tests/browser.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from graph_olap.instance.connection import InstanceConnection
from graph_olap.instance.result import QueryResult
from graph_olap.jupyter.display import STATIC_DISPLAY_LIMIT, result_widget, static_html
from graph_olap.jupyter.widgets import (
    BundleMissingError,
    GraphWidget,
    ResultWidget,
    _bundle,
    extract_graph,
)
from graph_olap.jupyter.widgets._json import jsonable

PURCHASES = (
    "MATCH (c:Customer)-[p:PURCHASED]->(pr:Product) "
    "RETURN c, p, pr ORDER BY c.customer_id, pr.product_id LIMIT 25"
)


def _strict_json(value: Any) -> Any:
    """What the browser parses: strict JSON (no NaN), round-tripped."""
    return json.loads(json.dumps(value, allow_nan=False))


def test_nodes_and_relationships(widget_conn: InstanceConnection) -> None:
    result = widget_conn.query(PURCHASES)
    widget = result_widget(result, instance="widgets", query=PURCHASES)

    assert widget.columns == ["c", "p", "pr"]
    assert widget.column_types == result.column_types
    assert len(widget.rows) == widget.row_count == 25
    assert _strict_json(widget.rows) == widget.rows
    customer = widget.rows[0][0]
    assert customer["_label"] == "Customer" and customer["_id"].startswith("Customer")
    # Dates inside nodes travel as ISO text.
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", customer["signup_date"])
    assert widget.view == "table"

    graph = widget.graph
    customers = {row[0]["_id"] for row in result.rows}
    products = {row[2]["_id"] for row in result.rows}
    assert {n["id"] for n in graph["nodes"]} == customers | products
    assert len(graph["edges"]) == 25
    assert not any(n["placeholder"] for n in graph["nodes"])
    edge = graph["edges"][0]
    assert edge["type"] == "PURCHASED"
    assert edge["source"] in customers and edge["target"] in products
    assert set(edge["properties"]) >= {"amount", "purchase_date"}
    assert graph["truncated"] is False

    meta = widget.metadata
    assert meta["rows"] == 25 and meta["instance"] == "widgets" and meta["query"] == PURCHASES
    assert meta["columns"] == ["c", "p", "pr"] and meta["truncated"] is False
    assert meta["execution_time_ms"] == result.execution_time_ms
    assert _strict_json(graph) == graph and _strict_json(meta) == meta


def test_relationship_only_results_get_their_endpoints(widget_conn: InstanceConnection) -> None:
    result = widget_conn.query("MATCH ()-[k:KNOWS]->() RETURN k ORDER BY k.since LIMIT 12")
    graph = result_widget(result).graph

    assert len(graph["edges"]) == 12
    ends = {e["source"] for e in graph["edges"]} | {e["target"] for e in graph["edges"]}
    assert {n["id"] for n in graph["nodes"]} == ends
    assert all(n["placeholder"] and n["properties"] == {} for n in graph["nodes"])

    # A node seen later replaces its placeholder.
    both = widget_conn.query(
        "MATCH (a:Person)-[k:KNOWS]->(b:Person) RETURN k, a ORDER BY a.person_id LIMIT 5"
    )
    graph = result_widget(both).graph
    starts = {e["source"] for e in graph["edges"]}
    real = {n["id"] for n in graph["nodes"] if not n["placeholder"]}
    assert starts <= real
    assert {n["id"] for n in graph["nodes"]} == starts | {e["target"] for e in graph["edges"]}


def test_paths_and_values_nested_in_lists_and_maps(widget_conn: InstanceConnection) -> None:
    paths = widget_conn.query(
        "MATCH p = (a:Person)-[:KNOWS*2..2]->(b:Person) WHERE a.person_id = 'U001' RETURN p LIMIT 3"
    )
    assert paths.rows, "the demo graph has two-hop KNOWS paths from U001"
    graph = result_widget(paths).graph
    assert any(n["id"].endswith("U001") for n in graph["nodes"])
    assert len(graph["edges"]) == 2 * len(paths.rows) or len(graph["edges"]) >= 2
    assert graph["edges"] and all(e["type"] == "KNOWS" for e in graph["edges"])
    node_ids = {n["id"] for n in graph["nodes"]}
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in graph["edges"])
    assert not any(n["placeholder"] for n in graph["nodes"])

    nested = widget_conn.query(
        "MATCH (a:Person)-[k:KNOWS]->(b:Person) "
        "RETURN [a, b] AS pair, {rel: k, n: 1} AS info ORDER BY a.person_id LIMIT 4"
    )
    graph = result_widget(nested).graph
    assert len(graph["edges"]) == 4
    assert all(not n["placeholder"] for n in graph["nodes"])
    assert {e["source"] for e in graph["edges"]} <= {n["id"] for n in graph["nodes"]}


def test_scalars_dates_and_no_graph(widget_conn: InstanceConnection) -> None:
    result = widget_conn.query(
        "MATCH (c:Customer) RETURN c.customer_id AS id, c.signup_date AS signup ORDER BY id LIMIT 7"
    )
    assert isinstance(result.rows[0][1], date)
    widget = result_widget(result, view="graph")
    assert widget.view == "graph"
    assert widget.graph["nodes"] == [] and widget.graph["edges"] == []
    assert widget.rows[0] == [result.rows[0][0], result.rows[0][1].isoformat()]


def test_only_the_display_limit_is_sent(widget_conn: InstanceConnection) -> None:
    result = widget_conn.query("MATCH (p:Person) RETURN p.person_id AS id ORDER BY id")
    total = len(result.rows)
    assert total == 200
    widget = result_widget(result, display_limit=50)
    assert len(widget.rows) == 50 and widget.row_count == 200 and widget.display_limit == 50
    assert widget.rows == [list(row) for row in result.rows[:50]]
    assert len(result_widget(result).rows) == 200  # the default limit is 1000

    with pytest.raises(ValueError, match="display_limit"):
        result_widget(result, display_limit=-1)
    with pytest.raises(ValueError, match="view must be one of"):
        result_widget(result, view="chart")  # type: ignore[arg-type]


def test_a_million_rows_cost_little() -> None:
    rows: list[list[Any]] = [[i, f"name {i}", i * 0.5] for i in range(1_000_000)]
    result = QueryResult(
        columns=["id", "name", "score"],
        column_types=["INT64", "STRING", "DOUBLE"],
        rows=rows,
        row_count=1_000_000,
        execution_time_ms=812.0,
    )
    started = time.perf_counter()
    widget = result_widget(result)
    built = time.perf_counter() - started
    assert len(widget.rows) == 1000 and widget.row_count == 1_000_000
    assert built < 0.5, f"building the widget for 1 M rows took {built:.3f} s"

    started = time.perf_counter()
    html = static_html(result)
    # Walking 1 M rows would take seconds; 0.5 s leaves room for a loaded CI machine.
    assert time.perf_counter() - started < 0.5
    assert html.count("<tr>") == STATIC_DISPLAY_LIMIT + 1
    assert "showing 100 of 1,000,000" in html

    # Untyped columns of scalars are sampled, not walked, for graph values.
    untyped = QueryResult(
        columns=["id", "name", "score"],
        column_types=["ANY", "ANY", "ANY"],
        rows=rows,
        row_count=1_000_000,
        execution_time_ms=1.0,
    )
    started = time.perf_counter()
    assert result_widget(untyped).graph["nodes"] == []
    assert time.perf_counter() - started < 0.5


def test_graph_caps_say_the_view_is_partial() -> None:
    rows = [
        [
            {"_id": f"A_{i}", "_label": "A", "name": f"a{i}"},
            {"_id": f"R_{i}", "_type": "R", "_start": f"A_{i}", "_end": f"B_{i}"},
        ]
        for i in range(100)
    ]
    data = extract_graph(rows, column_types=["NODE", "REL"], max_nodes=30, max_edges=1000)
    assert data.truncated
    assert len(data.nodes) <= 30
    ids = {n["id"] for n in data.nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in data.edges)

    data = extract_graph(rows, column_types=["NODE", "REL"], max_edges=10)
    assert data.truncated and len(data.edges) == 10

    full = extract_graph(rows, column_types=["NODE", "REL"])
    assert not full.truncated and len(full.nodes) == 200 and len(full.edges) == 100
    with pytest.raises(ValueError, match="max_nodes"):
        extract_graph(rows, max_nodes=-1)


def test_values_json_cannot_carry_are_made_safe() -> None:
    assert jsonable(float("nan")) == "NaN"
    assert jsonable(float("-inf")) == "-Infinity"
    assert jsonable(2**60) == str(2**60)
    assert jsonable(-(2**53) + 1) == -(2**53) + 1
    assert jsonable(b"\x00\x01") == "AAE="
    assert jsonable({"d": date(2025, 1, 15), "t": (1, 2)}) == {"d": "2025-01-15", "t": [1, 2]}


def test_static_html_fallback(widget_conn: InstanceConnection) -> None:
    result = widget_conn.query(PURCHASES)
    html = static_html(result, display_limit=10)
    assert html.startswith('<div class="golap golap-result golap-result-static"><style>')
    assert ".golap table.golap-table" in html  # the packaged stylesheet travels along
    assert html.count("<tr>") == 11
    assert "<td>:Customer</td>" in html and "<td>[:PURCHASED]</td>" in html
    assert "25 rows in" in html and "showing 10 of 25" in html

    hostile = QueryResult(
        columns=["<b>x</b>"],
        column_types=["STRING"],
        rows=[["<script>alert(1)</script>" + "y" * 80], [[1, 2, 3]], [{"a": 1}]],
        row_count=3,
        execution_time_ms=1.0,
        truncated=True,
    )
    html = static_html(hostile)
    assert "<script>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "…" in html and "[3 items]" in html and "{1 key}" in html
    assert "truncated by the instance" in html
    # The same HTML is the result's _repr_html_ and travels in its display bundle.
    assert hostile._repr_html_() == html
    data, _ = hostile._repr_mimebundle_()
    assert data["text/html"] == html and data["text/plain"] == repr(hostile)


def test_show_outside_a_notebook_prints_a_text_table(widget_conn: InstanceConnection) -> None:
    shell = InteractiveShell.instance()
    assert shell is not None
    result = widget_conn.query(
        "MATCH (c:Customer) RETURN c.customer_id AS id, c.name AS name ORDER BY id LIMIT 30"
    )
    with capture_output() as captured:
        result.show()
    text = "".join(out.data.get("text/plain", "") for out in captured.outputs)
    text += captured.stdout
    assert "id" in text and "C0001" in text
    assert "showing 20 of 30 rows" in text
    with pytest.raises(ValueError, match="as_type must be one of table, graph, json"):
        result.show("chart")  # type: ignore[arg-type]


def test_graph_widget_options(widget_conn: InstanceConnection) -> None:
    result = widget_conn.query(PURCHASES)
    widget = GraphWidget.from_result(result, size_by="price", label_by="name", height=300)
    assert widget.size_by == "price" and widget.label_by == "name" and widget.height == 300
    assert widget.node_count == len(widget.graph["nodes"]) and widget.edge_count == 25
    prices = [n["properties"]["price"] for n in widget.graph["nodes"] if n["label"] == "Product"]
    assert prices and all(isinstance(p, float) for p in prices)
    assert ResultWidget.from_result(result, size_by="price").size_by == "price"


def test_to_pyvis_writes_a_self_contained_page(
    widget_conn: InstanceConnection, tmp_path: Path
) -> None:
    result = widget_conn.query(PURCHASES)
    path = tmp_path / "share" / "purchases.html"
    network = result.to_pyvis(path, size_by="price")
    assert len(network.nodes) == len(result_widget(result).graph["nodes"])
    assert len(network.edges) == 25
    html = path.read_text(encoding="utf-8")
    assert "vis-network" in html and "new vis.Network" in html
    assert not re.search(r"<(?:script|link)[^>]*(?:src|href)=\"https?://", html)
    colours = {n["color"] for n in network.nodes}
    assert colours == {"#4e79a7", "#f28e2b"}  # Customer, Product
    sizes = [n["size"] for n in network.nodes if "price" in str(n["title"])]
    assert min(sizes) == 10.0 and max(sizes) == 40.0


def test_a_missing_bundle_names_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_bundle, "STATIC_DIR", tmp_path)
    _bundle.bundle_text.cache_clear()
    try:

        class Unbuilt(_bundle.BundledWidget):
            _bundle = "unbuilt"

        with pytest.raises(BundleMissingError, match=r"npm ci && npm run build.*pip install -e"):
            Unbuilt()
    finally:
        _bundle.bundle_text.cache_clear()
