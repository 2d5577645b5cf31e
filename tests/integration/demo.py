"""The demo-warehouse mapping used by the end-to-end tests (and the walkthrough notebook)."""

from __future__ import annotations

import math
from typing import Any


def _node(label: str, table: str, key: str, props: list[tuple[str, str]]) -> dict[str, Any]:
    columns = ", ".join([key, *(name for name, _ in props)])
    return {
        "label": label,
        "sql": f"SELECT {columns} FROM analytics.{table}",
        "primary_key": {"name": key, "type": "STRING"},
        "properties": [{"name": name, "type": kind} for name, kind in props],
    }


def _edge(
    kind: str,
    source: str,
    target: str,
    table: str,
    keys: tuple[str, str],
    props: list[tuple[str, str]],
    from_key: str | None = None,
    to_key: str | None = None,
) -> dict[str, Any]:
    columns = ", ".join([*keys, *(name for name, _ in props)])
    return {
        "type": kind,
        "from_node": source,
        "to_node": target,
        "sql": f"SELECT {columns} FROM analytics.{table}",
        "from_key": from_key or keys[0],
        "to_key": to_key or keys[1],
        "properties": [{"name": name, "type": t} for name, t in props],
    }


NODES = [
    _node(
        "Customer",
        "customers",
        "customer_id",
        [("name", "STRING"), ("city", "STRING"), ("segment", "STRING"), ("signup_date", "DATE")],
    ),
    _node(
        "Product",
        "products",
        "product_id",
        [("name", "STRING"), ("category", "STRING"), ("price", "DOUBLE")],
    ),
    _node("Supplier", "suppliers", "supplier_id", [("name", "STRING"), ("country", "STRING")]),
    _node("Person", "people", "person_id", [("name", "STRING"), ("age", "INT64")]),
]
EDGES = [
    _edge(
        "PURCHASED",
        "Customer",
        "Product",
        "purchases",
        ("customer_id", "product_id"),
        [("amount", "DOUBLE"), ("purchase_date", "DATE")],
    ),
    _edge(
        "SUPPLIES",
        "Supplier",
        "Product",
        "supplies",
        ("supplier_id", "product_id"),
        [("unit_cost", "DOUBLE")],
    ),
    _edge("KNOWS", "Person", "Person", "knows", ("src", "dst"), [("since", "DATE")]),
]
TABLES = {
    "Customer": "customers",
    "Product": "products",
    "Supplier": "suppliers",
    "Person": "people",
    "PURCHASED": "purchases",
    "SUPPLIES": "supplies",
    "KNOWS": "knows",
}

# Queries every engine must answer identically (rows compared after ORDER BY).
SHARED_QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("MATCH (c:Customer) RETURN count(c) AS n", {}),
    ("MATCH (p:Product) WHERE p.price > $min RETURN count(p) AS n", {"min": 50.0}),
    (
        "MATCH (c:Customer) WHERE c.city = $city RETURN c.customer_id AS id, c.name AS name "
        "ORDER BY id LIMIT 20",
        {"city": "London"},
    ),
    (
        "MATCH (c:Customer {customer_id: $id})-[r:PURCHASED]->(p:Product) "
        "RETURN p.product_id AS product, r.amount AS amount ORDER BY product, amount",
        {"id": "C0001"},
    ),
    (
        "MATCH (c:Customer)-[:PURCHASED]->(:Product)<-[:SUPPLIES]-(s:Supplier) "
        "WHERE c.customer_id = $id RETURN DISTINCT s.supplier_id AS supplier ORDER BY supplier",
        {"id": "C0002"},
    ),
    (
        "MATCH (a:Person {person_id: $id})-[:KNOWS]->(:Person)-[:KNOWS]->(:Person)"
        "-[:KNOWS]->(d:Person) RETURN count(DISTINCT d) AS reach",
        {"id": "U001"},
    ),
    (
        "MATCH (p:Product)<-[r:PURCHASED]-(:Customer) RETURN p.category AS category, "
        "count(r) AS purchases, sum(r.amount) AS revenue "
        "ORDER BY category",
        {},
    ),
    ("MATCH (c:Customer) WHERE c.name = $name RETURN count(c) AS n", {"name": "x' OR 1=1 //"}),
    ("MATCH (s:Supplier) RETURN s.country AS country, count(s) AS n ORDER BY country", {}),
]


def same_values(left: Any, right: Any) -> bool:
    """Equal rows or values, floats compared to 1e-9 (sums may add up in another order)."""
    if isinstance(left, float) or isinstance(right, float):
        return math.isclose(float(left), float(right), rel_tol=1e-9)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(map(same_values, left, right))
    return bool(left == right)
