"""Mapping definitions checked against real warehouses: DuckDB (demo) and PostgreSQL."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from graph_olap_platform.warehouse import Warehouse, check_definitions_against


def _node(label: str, sql: str, key: tuple[str, str], *props: tuple[str, str]) -> dict[str, Any]:
    return {
        "label": label,
        "sql": sql,
        "primary_key": {"name": key[0], "type": key[1]},
        "properties": [{"name": name, "type": kind} for name, kind in props],
    }


def _edge(
    kind: str, ends: tuple[str, str], sql: str, keys: tuple[str, str], *props: tuple[str, str]
) -> dict[str, Any]:
    return {
        "type": kind,
        "from_node": ends[0],
        "to_node": ends[1],
        "sql": sql,
        "from_key": keys[0],
        "to_key": keys[1],
        "properties": [{"name": name, "type": t} for name, t in props],
    }


NODES = [
    _node(
        "Customer",
        "SELECT customer_id, name, city, segment, signup_date FROM analytics.customers",
        ("customer_id", "STRING"),
        ("name", "STRING"),
        ("city", "STRING"),
        ("segment", "STRING"),
        ("signup_date", "DATE"),
    ),
    _node(
        "Product",
        "SELECT product_id, name, category, price FROM analytics.products",
        ("product_id", "STRING"),
        ("name", "STRING"),
        ("category", "STRING"),
        ("price", "DOUBLE"),
    ),
    _node(
        "Supplier",
        "SELECT supplier_id, name, country FROM analytics.suppliers",
        ("supplier_id", "STRING"),
        ("name", "STRING"),
        ("country", "STRING"),
    ),
    _node(
        "Person",
        "SELECT * FROM analytics.people",
        ("person_id", "STRING"),
        ("name", "STRING"),
        ("age", "INT64"),  # the column is INTEGER: it widens
    ),
]
EDGES = [
    _edge(
        "PURCHASED",
        ("Customer", "Product"),
        "SELECT customer_id, product_id, amount, purchase_date FROM analytics.purchases",
        ("customer_id", "product_id"),
        ("amount", "DOUBLE"),
        ("purchase_date", "TIMESTAMP"),  # a DATE fills a TIMESTAMP
    ),
    _edge(
        "SUPPLIES",
        ("Supplier", "Product"),
        "SELECT supplier_id, product_id, unit_cost FROM analytics.supplies",
        ("supplier_id", "product_id"),
        ("unit_cost", "DOUBLE"),
    ),
    _edge(
        "KNOWS",
        ("Person", "Person"),
        "SELECT src, dst, since FROM analytics.knows",
        ("src", "dst"),
        ("since", "DATE"),
    ),
]


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest) -> Warehouse:
    fixture = "duck" if request.param == "duckdb" else "pg"
    result: Warehouse = request.getfixturevalue(fixture)
    return result


def test_the_demo_mapping_is_valid(warehouse: Warehouse) -> None:
    assert check_definitions_against(warehouse, NODES, EDGES) == []


def test_failing_sql_reports_the_warehouse_message(warehouse: Warehouse) -> None:
    nodes = copy.deepcopy(NODES)
    nodes[1]["sql"] = "SELECT product_id, name, category, price FROM analytics.produkts"
    errors = check_definitions_against(warehouse, nodes, EDGES)
    assert len(errors) == 1
    assert errors[0]["field"] == "node_definitions[1].sql"
    message = errors[0]["message"]
    assert message.startswith("Product: the warehouse rejected the query: ")
    assert "produkts" in message  # the warehouse's own words name the table


def test_declared_type_mismatch(warehouse: Warehouse) -> None:
    nodes = copy.deepcopy(NODES)
    nodes[0]["properties"][3]["type"] = "INT64"  # signup_date
    nodes[3]["properties"][1]["type"] = "INT16"  # age is INTEGER: no narrowing
    errors = check_definitions_against(warehouse, nodes, EDGES)
    assert [e["field"] for e in errors] == [
        "node_definitions[0].properties[3].type",
        "node_definitions[3].properties[1].type",
    ]
    if warehouse.kind == "duckdb":
        assert (
            errors[0]["message"]
            == "Customer.signup_date: declared INT64 but the query returns DATE"
        )
        assert errors[1]["message"] == (
            "Person.age: declared INT16 but the query returns INTEGER (INT32)"
        )
    else:
        assert errors[0]["message"] == (
            "Customer.signup_date: declared INT64 but the query returns date"
        )
        assert errors[1]["message"] == (
            "Person.age: declared INT16 but the query returns integer (INT32)"
        )


def test_columns_must_match_the_definition_in_order(warehouse: Warehouse) -> None:
    nodes = copy.deepcopy(NODES)
    nodes[2]["sql"] = "SELECT supplier_id, country, name FROM analytics.suppliers"
    edges = copy.deepcopy(EDGES)
    edges[2]["sql"] = "SELECT * FROM analytics.knows JOIN analytics.people ON src = person_id"
    errors = check_definitions_against(warehouse, nodes, edges)
    assert errors == [
        {
            "field": "node_definitions[2].sql",
            "message": "Supplier: the query returns columns (supplier_id, country, name) but the "
            "definition expects (supplier_id, name, country): the primary key first, then the "
            "properties in their declared order",
        },
        {
            "field": "edge_definitions[2].sql",
            "message": "KNOWS: the query returns columns (src, dst, since, person_id, name, age) "
            "but the definition expects (src, dst, since): from_key, to_key first, then the "
            "properties in their declared order",
        },
    ]


def test_names_compare_case_insensitively(warehouse: Warehouse) -> None:
    nodes = copy.deepcopy(NODES)
    nodes[2]["sql"] = (
        "SELECT supplier_id AS SUPPLIER_ID, name AS Name, country FROM analytics.suppliers"
    )
    assert check_definitions_against(warehouse, nodes, EDGES) == []


def test_edge_keys_must_fit_the_nodes_primary_keys(warehouse: Warehouse) -> None:
    nodes = [
        *NODES,
        _node(
            "Year",
            "SELECT DISTINCT CAST(extract(year FROM since) AS BIGINT) AS year FROM analytics.knows",
            ("year", "INT64"),
        ),
    ]
    edges = [
        *EDGES,
        _edge(
            "FRIENDS_SINCE",
            ("Person", "Year"),
            "SELECT src AS person_id, CAST(since AS VARCHAR(10)) AS year FROM analytics.knows",
            ("person_id", "year"),
        ),
        _edge(
            "FIRST_FRIEND",
            ("Year", "Person"),
            "SELECT CAST(extract(year FROM min(since)) AS INTEGER) AS year, min(src) AS person_id "
            "FROM analytics.knows",  # INTEGER widens to the INT64 key
            ("year", "person_id"),
        ),
    ]
    errors = check_definitions_against(warehouse, nodes, edges)
    assert len(errors) == 1
    assert errors[0]["field"] == "edge_definitions[3].to_key"
    assert errors[0]["message"].startswith("FRIENDS_SINCE.year: the query returns ")
    assert errors[0]["message"].endswith("but it must match Year's primary key year (INT64)")


def test_columns_without_a_graph_type(warehouse: Warehouse) -> None:
    nodes = [
        _node(
            "Clock",
            "SELECT person_id, CAST('10:30' AS TIME) AS wakes FROM analytics.people",
            ("person_id", "STRING"),
            ("wakes", "STRING"),
        )
    ]
    errors = check_definitions_against(warehouse, nodes, [])
    assert [e["field"] for e in errors] == ["node_definitions[0].properties[0].type"]
    assert "which has no graph type (cast it in the SQL)" in errors[0]["message"]


def test_malformed_definitions_are_left_to_the_static_checks(warehouse: Warehouse) -> None:
    nodes: list[dict[str, Any]] = [
        {"label": "NoKey", "sql": "SELECT person_id FROM analytics.people"},
        {"label": "NoSql", "primary_key": {"name": "x", "type": "STRING"}},
        {**NODES[3], "properties": [{"name": "name", "type": "NOT_A_TYPE"}, {"name": "age"}]},
    ]
    edges: list[dict[str, Any]] = [{**EDGES[2], "from_node": "Nobody"}]
    assert check_definitions_against(warehouse, nodes, edges) == []
