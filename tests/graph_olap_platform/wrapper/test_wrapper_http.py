"""The real wrapper over HTTP, standalone, on every Kuzu-family engine."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime
from typing import Any

import httpx
import orjson
import pyarrow.compute as pc
import pytest

from tests.graph_olap_platform.wrapper.process import WrapperProcess
from tests.graph_olap_platform.wrapper.snapshot import Snapshot

SLOW_QUERY = (
    "MATCH (a:Customer), (b:Customer), (c:Customer), (d:Customer) "
    "WHERE a.name + b.name + c.name + d.name = $x RETURN count(*)"
)


def post(wrapper: WrapperProcess, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
    with wrapper.http() as client:
        return client.post("/query", json=body, **kwargs)


def test_health_ready_and_status(wrapper: WrapperProcess, snapshot: Snapshot) -> None:
    with wrapper.http() as client:
        health = client.get("/health").json()
        ready = client.get("/ready")
        status = client.get("/status").json()
        lock = client.get("/lock").json()
    assert health["status"] == "healthy" and health["timestamp"].endswith("Z")
    assert ready.status_code == 200
    assert status["status"] == "running" and status["ready"] is True
    assert status["engine"] == wrapper.engine
    assert (status["snapshot_id"], status["mapping_id"], status["mapping_version"]) == (7, 3, 2)
    assert status["owner_username"] == "alice.smith"
    assert status["node_count"] == snapshot.rows("Customer") + snapshot.rows("Product")
    assert status["edge_count"] == sum(snapshot.rows(t) for t in ("PURCHASED", "KNOWS", "VIEWED"))
    assert status["node_tables"] == ["Customer", "Product"]
    assert status["edge_tables"] == ["PURCHASED", "KNOWS", "VIEWED"]
    assert status["memory_usage_bytes"] > 10_000_000
    assert status["lock"] == {"locked": False}
    assert lock == {"lock": {"locked": False}}


def test_counts_equal_parquet_rows(wrapper: WrapperProcess, snapshot: Snapshot) -> None:
    with wrapper.http() as client:
        schema = client.get("/schema").json()
    nodes = {t["label"]: t for t in schema["node_tables"]}
    edges = {t["type"]: t for t in schema["edge_tables"]}
    for label in ("Customer", "Product"):
        assert nodes[label]["node_count"] == snapshot.rows(label)
        counted = wrapper.query(f"MATCH (n:{label}) RETURN count(n) AS n")["rows"]
        assert counted == [[snapshot.rows(label)]]
    for rel in ("PURCHASED", "KNOWS", "VIEWED"):
        assert edges[rel]["edge_count"] == snapshot.rows(rel)
        counted = wrapper.query(f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n")["rows"]
        assert counted == [[snapshot.rows(rel)]]
    assert schema["total_nodes"] == 340
    assert nodes["Customer"]["primary_key"] == "customer_id"
    assert nodes["Customer"]["properties"]["signup_date"] == "DATE"
    assert edges["PURCHASED"]["from_node"] == "Customer"
    assert edges["PURCHASED"]["properties"]["amount"] == "DOUBLE"


def test_large_double_table_loads_fast_and_exactly(
    wrapper: WrapperProcess, snapshot: Snapshot
) -> None:
    """VIEWED has > 100 000 rows with a DOUBLE: one Ryugraph COPY of it takes seconds."""
    viewed = snapshot.tables["VIEWED"]
    assert viewed.num_rows > 100_000
    result = wrapper.query(
        "MATCH ()-[v:VIEWED]->() RETURN sum(v.seconds) AS total, min(v.seconds), max(v.seconds)"
    )
    total, low, high = result["rows"][0]
    assert total == pytest.approx(pc.sum(viewed["seconds"]).as_py(), rel=1e-9)
    assert low == pc.min(viewed["seconds"]).as_py()
    assert high == pc.max(viewed["seconds"]).as_py()
    with wrapper.http() as client:
        status = client.get("/status").json()
    assert status["load_seconds"] < 3, status


def test_values_match_the_parquet_rows(wrapper: WrapperProcess, snapshot: Snapshot) -> None:
    result = wrapper.query(
        "MATCH (c:Customer) WHERE c.customer_id = $id "
        "RETURN c.customer_id, c.name, c.signup_date, c.vip, c.tags",
        {"id": "C0007"},
    )
    assert result["columns"] == ["c.customer_id", "c.name", "c.signup_date", "c.vip", "c.tags"]
    assert result["column_types"] == ["STRING", "STRING", "DATE", "BOOL", "LIST"]
    row = snapshot.tables["Customer"].slice(7, 1).to_pylist()[0]
    assert result["rows"] == [
        ["C0007", row["name"], row["signup_date"].isoformat(), True, row["tags"]]
    ]
    product = wrapper.query("MATCH (p:Product {product_id: 'P003'}) RETURN p.price, p.stock")
    assert product["column_types"] == ["DOUBLE", "INT64"]
    source = snapshot.tables["Product"].slice(3, 1).to_pylist()[0]
    assert product["rows"] == [[float(source["price"]), source["stock"]]]
    purchase = wrapper.query(
        "MATCH ()-[p:PURCHASED {purchase_id: 'T00002'}]->() RETURN p.purchased_at"
    )
    assert purchase["column_types"] == ["TIMESTAMP"]
    assert purchase["rows"] == [["2024-01-01T09:34:00Z"]]


def test_nodes_relationships_and_paths_are_tagged(wrapper: WrapperProcess) -> None:
    result = wrapper.query(
        "MATCH p = (c:Customer)-[r:PURCHASED]->(x:Product) "
        "WHERE r.purchase_id = $pid RETURN c, r, x, p",
        {"pid": "T00010"},
    )
    assert result["column_types"] == ["NODE", "REL", "NODE", "RECURSIVE_REL"]
    customer, rel, product, path = result["rows"][0]
    assert customer["_id"] == f"Customer_{customer['customer_id']}"
    assert customer["_label"] == "Customer"
    assert set(customer) == {
        "_id",
        "_label",
        "customer_id",
        "name",
        "city",
        "segment",
        "signup_date",
        "vip",
        "tags",
    }
    assert product["_id"] == f"Product_{product['product_id']}"
    assert set(product) == {"_id", "_label", "product_id", "name", "category", "price", "stock"}
    assert rel["_type"] == "PURCHASED"
    assert rel["_id"].startswith("PURCHASED_")
    assert (rel["_start"], rel["_end"]) == (customer["_id"], product["_id"])
    assert rel["purchase_id"] == "T00010"
    assert rel["purchased_at"].endswith("Z")
    # A path alternates node, relationship, node; its nodes carry only their own label's props.
    assert path == [customer, rel, product]


def test_variable_length_paths(wrapper: WrapperProcess) -> None:
    result = wrapper.query(
        "MATCH p = (a:Customer)-[:KNOWS*3..3]->(b:Customer) WHERE a.customer_id = $id "
        "RETURN p, b.customer_id ORDER BY b.customer_id LIMIT 5",
        {"id": "C0001"},
    )
    assert result["rows"], "C0001 should reach someone in three hops"
    for path, end in result["rows"]:
        assert len(path) == 7
        nodes, rels = path[0::2], path[1::2]
        assert [n["_label"] for n in nodes] == ["Customer"] * 4
        assert nodes[0]["customer_id"] == "C0001" and nodes[-1]["customer_id"] == end
        for index, rel in enumerate(rels):
            assert rel["_type"] == "KNOWS"
            assert rel["_start"] == nodes[index]["_id"]
            assert rel["_end"] == nodes[index + 1]["_id"]
            assert set(rel) == {"_id", "_type", "_start", "_end", "since"}


def test_parameters_are_never_spliced_into_the_query(wrapper: WrapperProcess) -> None:
    evil = "C0001' OR 1=1 WITH 1 AS x MATCH (n) DETACH DELETE n //"
    result = wrapper.query(
        "MATCH (c:Customer) WHERE c.customer_id = $id RETURN c.customer_id", {"id": evil}
    )
    assert result["rows"] == []
    echoed = wrapper.query("RETURN $value AS value", {"value": evil})
    assert echoed["rows"] == [[evil]]
    assert wrapper.query("MATCH (c:Customer) RETURN count(*)")["rows"] == [[300]]


def test_syntax_error_has_message_and_position(wrapper: WrapperProcess) -> None:
    response = post(wrapper, {"query": "MATCH (c:Customer)\nRETURN c LIMT 5"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "QUERY_SYNTAX_ERROR"
    assert error["message"].startswith("Parser exception")
    assert error["details"]["engine"] == wrapper.engine
    assert "LIMT" in error["details"]["message"]
    assert error["details"]["position"] == {"line": 2, "column": 10}


def test_semantic_error_is_a_query_error(wrapper: WrapperProcess) -> None:
    response = post(wrapper, {"query": "MATCH (n:Nope) RETURN n"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "QUERY_ERROR"
    assert "Nope" in error["details"]["message"]
    assert "position" not in error["details"]


def test_query_over_its_timeout_is_stopped_and_the_instance_keeps_serving(
    wrapper: WrapperProcess,
) -> None:
    started = time.monotonic()
    response = post(wrapper, {"query": SLOW_QUERY, "parameters": {"x": "?"}, "timeout_ms": 1000})
    elapsed = time.monotonic() - started
    assert response.status_code == 408, response.text
    assert response.json()["error"]["code"] == "QUERY_TIMEOUT"
    assert elapsed < 5
    assert wrapper.query("MATCH (c:Customer) RETURN count(*)")["rows"] == [[300]]


def test_event_loop_answers_while_a_query_runs(wrapper: WrapperProcess) -> None:
    outcome: dict[str, int] = {}

    def slow() -> None:
        body = {"query": SLOW_QUERY, "parameters": {"x": "?"}, "timeout_ms": 2000}
        outcome["status"] = post(wrapper, body).status_code

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.4)
    with wrapper.http() as client:
        started = time.monotonic()
        assert client.get("/health").status_code == 200
        health_seconds = time.monotonic() - started
        quick = client.post("/query", json={"query": "RETURN 1 AS one"})
    thread.join()
    assert health_seconds < 0.5
    assert quick.json()["rows"] == [[1]]
    assert outcome["status"] == 408


def test_row_cap_marks_truncation(wrapper: WrapperProcess) -> None:
    capped = wrapper.query(
        "MATCH (c:Customer) RETURN c.customer_id ORDER BY c.customer_id", max_rows=10
    )
    assert capped["row_count"] == 10 and capped["truncated"] is True
    assert capped["rows"][0] == ["C0000"] and capped["rows"][-1] == ["C0009"]
    exact = wrapper.query(
        "MATCH (c:Customer) RETURN c.customer_id ORDER BY c.customer_id LIMIT 10", max_rows=10
    )
    assert exact["row_count"] == 10 and exact["truncated"] is False


def test_arrow_stream_has_no_cap_and_large_results(wrapper: WrapperProcess) -> None:
    table = wrapper.query_arrow("MATCH (c)-[v:VIEWED]->(p) RETURN c.customer_id, v.seconds")
    assert table.num_rows == 120_000
    assert table.schema.field("v.seconds").type == "double"


def test_cypher_alias_and_empty_results(wrapper: WrapperProcess) -> None:
    response = post(wrapper, {"cypher": "MATCH (c:Customer) WHERE c.city = 'Atlantis' RETURN c"})
    assert response.status_code == 200
    body = response.json()
    assert body["rows"] == [] and body["row_count"] == 0 and body["columns"] == ["c"]
    assert body["column_types"] == ["NODE"]
    assert isinstance(body["execution_time_ms"], float)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": ""}, "query"),
        ({"query": "x" * 100_001}, "query"),
        ({}, "query"),
        ({"query": "RETURN 1", "timeout_ms": 999}, "timeout_ms"),
        ({"query": "RETURN 1", "timeout_ms": 1_800_001}, "timeout_ms"),
        ({"query": "RETURN 1", "parameters": [1, 2]}, "parameters"),
        ({"query": "RETURN 1", "max_rows": 0}, "max_rows"),
    ],
)
def test_invalid_query_bodies(wrapper: WrapperProcess, body: dict[str, Any], field: str) -> None:
    response = post(wrapper, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_FAILED"
    assert field in [item["field"] for item in error["details"]["errors"]]


def test_timeout_bounds_are_accepted(wrapper: WrapperProcess) -> None:
    for timeout in (1000, 1_800_000):
        body = {"query": "RETURN 1 AS x", "timeout_ms": timeout}
        assert post(wrapper, body).status_code == 200


def test_errors_use_the_envelope_everywhere(wrapper: WrapperProcess) -> None:
    with wrapper.http() as client:
        missing = client.get("/nope")
        wrong_method = client.get("/query")
        not_json = client.post(
            "/query", content=b"{not json", headers={"Content-Type": "application/json"}
        )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert wrong_method.json()["error"]["details"]["allowed_methods"] == ["POST"]
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == "VALIDATION_FAILED"


def _arrow_value(value: Any, graph: bool) -> Any:
    if value is None:
        return None
    if graph:
        return orjson.loads(value)
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_arrow_value(v, False) for v in value]
    return value


@pytest.mark.parametrize(
    "cypher",
    [
        "MATCH (c:Customer) RETURN c.customer_id, c.signup_date, c.vip, c.tags "
        "ORDER BY c.customer_id",
        "MATCH (c:Customer)-[p:PURCHASED]->(x:Product) WHERE p.quantity > 7 "
        "RETURN c, p, x, p.purchased_at, p.amount ORDER BY p.purchase_id",
        "MATCH p = (a:Customer)-[:KNOWS*1..2]->(b:Customer) WHERE a.customer_id < 'C0020' "
        "RETURN p, b.customer_id ORDER BY a.customer_id, b.customer_id",
        "MATCH (c:Customer) OPTIONAL MATCH (c)-[:KNOWS]->(f:Customer) WHERE f.vip "
        "RETURN c.customer_id, f.customer_id, f ORDER BY c.customer_id, f.customer_id",
    ],
)
def test_arrow_stream_equals_json_rows(wrapper: WrapperProcess, cypher: str) -> None:
    answer = wrapper.query(cypher)
    table = wrapper.query_arrow(cypher)
    types = orjson.loads(table.schema.metadata[b"graph_olap.column_types"])
    assert types == answer["column_types"]
    assert table.column_names == answer["columns"]
    graph = [t in ("NODE", "REL", "RECURSIVE_REL") for t in types]
    rows = [
        [_arrow_value(v, g) for v, g in zip(row.values(), graph, strict=True)]
        for row in table.to_pylist()
    ]
    if "*1..2" in cypher:  # paths of equal ends come in engine order; compare as sets
        assert sorted(rows, key=orjson.dumps) == sorted(answer["rows"], key=orjson.dumps)
    else:
        assert rows == answer["rows"]
    assert len(rows) == answer["row_count"] > 0
