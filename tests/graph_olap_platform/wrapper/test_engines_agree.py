"""One set of Cypher queries returns the same rows on every engine (and the Parquet's answers)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

import orjson
import pytest

from tests.graph_olap_platform.wrapper.process import WrapperProcess
from tests.graph_olap_platform.wrapper.snapshot import Snapshot

# (name, cypher, parameters, ordered): unordered results are compared as sorted rows.
QUERIES: list[tuple[str, str, dict[str, Any], bool]] = [
    ("count nodes", "MATCH (c:Customer) RETURN count(c) AS n", {}, True),
    ("count all edges", "MATCH ()-[r]->() RETURN count(r) AS n", {}, True),
    (
        "filter with parameters",
        "MATCH (c:Customer) WHERE c.city = $city AND c.vip = $vip "
        "RETURN c.customer_id, c.name ORDER BY c.customer_id",
        {"city": "London", "vip": True},
        True,
    ),
    (
        "list parameter",
        "MATCH (c:Customer) WHERE c.customer_id IN $ids RETURN c ORDER BY c.customer_id",
        {"ids": ["C0003", "C0001", "C0299", "nobody"]},
        True,
    ),
    (
        "date comparison",
        "MATCH (c:Customer) WHERE c.signup_date >= date($since) "
        "RETURN c.customer_id, c.signup_date ORDER BY c.signup_date DESC LIMIT 5",
        {"since": "2023-06-01"},
        True,
    ),
    (
        "one hop",
        "MATCH (c:Customer {customer_id: $id})-[p:PURCHASED]->(x:Product) "
        "RETURN x.product_id, p.amount, p.quantity, p.purchased_at ORDER BY p.purchase_id",
        {"id": "C0042"},
        True,
    ),
    (
        "two hops",
        "MATCH (a:Customer {customer_id: $id})-[:KNOWS]->(b:Customer)-[:KNOWS]->(c:Customer) "
        "RETURN DISTINCT c.customer_id ORDER BY c.customer_id",
        {"id": "C0010"},
        True,
    ),
    (
        "three hop paths",
        "MATCH p = (a:Customer {customer_id: $id})-[:KNOWS*1..3]->(b:Customer) RETURN p",
        {"id": "C0005"},
        False,
    ),
    (
        "co-purchases",
        "MATCH (a:Customer {customer_id: $id})-[:PURCHASED]->(p:Product)"
        "<-[:PURCHASED]-(b:Customer) WHERE a <> b "
        "RETURN b.customer_id, count(p) AS shared ORDER BY shared DESC, b.customer_id LIMIT 10",
        {"id": "C0100"},
        True,
    ),
    (
        "aggregation by category",
        "MATCH (c:Customer)-[p:PURCHASED]->(x:Product) "
        "RETURN x.category, count(*) AS purchases, round(sum(p.amount), 2) AS revenue, "
        "max(p.quantity) AS most ORDER BY x.category",
        {},
        True,
    ),
    (
        "aggregation over the large table",
        "MATCH (c:Customer)-[v:VIEWED]->(p:Product) WHERE p.category = $category "
        "RETURN c.segment, count(*) AS views, round(avg(v.seconds), 6) AS mean "
        "ORDER BY c.segment",
        {"category": "books"},
        True,
    ),
    (
        "order, skip and limit",
        "MATCH (p:Product) RETURN p.product_id, p.price ORDER BY p.price DESC, p.product_id "
        "SKIP 3 LIMIT 5",
        {},
        True,
    ),
    (
        "optional match with nulls",
        "MATCH (c:Customer) WHERE c.customer_id IN ['C0000', 'C0001', 'C0002'] "
        "OPTIONAL MATCH (c)-[k:KNOWS]->(f:Customer) WHERE f.vip "
        "RETURN c.customer_id, f.customer_id, f, k ORDER BY c.customer_id, f.customer_id",
        {},
        True,
    ),
    (
        "relationships",
        "MATCH (c:Customer)-[p:PURCHASED]->(x:Product) WHERE p.quantity = $q AND x.stock < 30 "
        "RETURN p ORDER BY p.purchase_id LIMIT 20",
        {"q": 9},
        True,
    ),
    (
        "collect and unwind",
        "UNWIND $cities AS city MATCH (c:Customer {city: city}) "
        "RETURN city, count(c) AS n, min(c.customer_id) AS first ORDER BY city",
        {"cities": ["Paris", "Rome", "Oslo"]},
        True,
    ),
]


def _opaque_rel_ids(value: Any) -> Any:
    """Relationship ``_id``s are opaque per engine; everything else must agree."""
    if isinstance(value, dict):
        return {
            k: _opaque_rel_ids(v) for k, v in value.items() if not (k == "_id" and "_type" in value)
        }
    if isinstance(value, list):
        return [_opaque_rel_ids(v) for v in value]
    return value


def _canonical(rows: list[Any], ordered: bool) -> list[Any]:
    rows = _opaque_rel_ids(rows)
    return rows if ordered else sorted(rows, key=orjson.dumps)


@pytest.mark.parametrize(
    ("name", "cypher", "parameters", "ordered"), QUERIES, ids=[q[0] for q in QUERIES]
)
def test_engines_return_the_same_rows(
    wrappers: dict[str, WrapperProcess],
    name: str,
    cypher: str,
    parameters: dict[str, Any],
    ordered: bool,
) -> None:
    answers = {engine: w.query(cypher, parameters) for engine, w in wrappers.items()}
    reference = answers["ladybug"]
    assert reference["rows"], f"{name}: the query should return rows"
    for engine, answer in answers.items():
        assert answer["columns"] == reference["columns"], engine
        assert answer["column_types"] == reference["column_types"], engine
        assert _canonical(answer["rows"], ordered) == _canonical(reference["rows"], ordered), engine


def test_answers_match_the_snapshot(
    wrappers: dict[str, WrapperProcess], snapshot: Snapshot
) -> None:
    customers = snapshot.tables["Customer"].to_pylist()
    products = {p["product_id"]: p for p in snapshot.tables["Product"].to_pylist()}
    purchases = snapshot.tables["PURCHASED"].to_pylist()
    knows = snapshot.tables["KNOWS"].to_pylist()

    london_vips = [
        [c["customer_id"], c["name"]] for c in customers if c["city"] == "London" and c["vip"]
    ]
    since = sorted(
        (c for c in customers if c["signup_date"] >= date(2023, 6, 1)),
        key=lambda c: c["signup_date"],
        reverse=True,
    )[:5]
    by_category: dict[str, list[Any]] = defaultdict(list)
    for p in purchases:
        by_category[products[p["product_id"]]["category"]].append(p)
    friends = defaultdict(set)
    for k in knows:
        friends[k["src"]].add(k["dst"])
    two_hops = sorted({c for b in friends["C0010"] for c in friends[b]})

    for wrapper in wrappers.values():
        assert wrapper.query(QUERIES[2][1], QUERIES[2][2])["rows"] == london_vips
        assert wrapper.query(QUERIES[4][1], QUERIES[4][2])["rows"] == [
            [c["customer_id"], c["signup_date"].isoformat()] for c in since
        ]
        assert wrapper.query(QUERIES[6][1], QUERIES[6][2])["rows"] == [[c] for c in two_hops]
        assert wrapper.query(QUERIES[9][1])["rows"] == [
            [
                category,
                len(rows),
                round(sum(r["amount"] for r in rows), 2),
                max(r["quantity"] for r in rows),
            ]
            for category, rows in sorted(by_category.items())
        ]
        paths = wrapper.query(QUERIES[7][1], QUERIES[7][2])["rows"]
        hops = Counter(len(path) // 2 for (path,) in paths)
        expected = Counter({1: len(friends["C0005"])})
        expected[2] = sum(len(friends[b]) for b in friends["C0005"])
        expected[3] = sum(len(friends[c]) for b in friends["C0005"] for c in friends[b])
        assert hops == +expected
