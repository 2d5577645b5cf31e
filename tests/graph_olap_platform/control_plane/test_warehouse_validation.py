"""Mapping SQL is checked against the (demo) warehouse: it compiles, and its columns fit."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.platform import PlatformProcess


def _customer(sql: str, properties: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "label": "Customer",
        "sql": sql,
        "primary_key": {"name": "customer_id", "type": "STRING"},
        "properties": properties,
    }


def _create(dev_platform: PlatformProcess, nodes: list[dict[str, Any]]) -> Any:
    with dev_platform.http(None, headers={"X-Username": "warehouse.checker"}) as client:
        return client.post(
            "/api/mappings",
            json={"name": f"checked {uuid.uuid4().hex[:6]}", "node_definitions": nodes},
        )


def test_a_mapping_of_the_demo_warehouse_is_accepted(dev_platform: PlatformProcess) -> None:
    node = _customer(
        "SELECT customer_id, name, signup_date FROM analytics.customers",
        [{"name": "name", "type": "STRING"}, {"name": "signup_date", "type": "DATE"}],
    )
    assert _create(dev_platform, [node]).status_code == 201


def test_an_unknown_table_reports_the_warehouse_message(dev_platform: PlatformProcess) -> None:
    node = _customer(
        "SELECT customer_id, name FROM analytics.clients", [{"name": "name", "type": "STRING"}]
    )
    response = _create(dev_platform, [node])
    assert response.status_code == 400
    (error,) = response.json()["error"]["details"]["errors"]
    assert error["field"] == "node_definitions[0].sql"
    assert "Customer" in error["message"] and "clients" in error["message"]


def test_a_type_that_does_not_fit_names_definition_and_column(
    dev_platform: PlatformProcess,
) -> None:
    node = _customer(
        "SELECT customer_id, signup_date FROM analytics.customers",
        [{"name": "signup_date", "type": "INT64"}],
    )
    response = _create(dev_platform, [node])
    assert response.status_code == 400
    (error,) = response.json()["error"]["details"]["errors"]
    assert error["field"] == "node_definitions[0].properties[0].type"
    assert error["message"] == "Customer.signup_date: declared INT64 but the query returns DATE"
