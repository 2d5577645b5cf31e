"""Request bodies and response assertions shared by the control-plane API tests.

The mapping definitions are the seed's own example (Customer Transactions): v1 has Customer and
Product nodes and a PURCHASED edge; the update adds `city` to Customer, a Supplier node and
`purchase_date` to PURCHASED. Builders return fresh copies, so a test may change what it gets.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

import httpx

# The mapping object of the list endpoint (spec §3.1); GET, create and update add `version`.
MAPPING_KEYS = {
    "id",
    "owner_username",
    "name",
    "description",
    "current_version",
    "created_at",
    "updated_at",
    "ttl",
    "inactivity_timeout",
    "snapshot_count",
}
VERSION_SUMMARY_KEYS = {
    "version",
    "change_description",
    "created_at",
    "created_by",
    "created_by_name",
}
# A full version (GET /versions/{v}, and `version` in GET /{id}) adds mapping_id and definitions.
VERSION_KEYS = VERSION_SUMMARY_KEYS | {"mapping_id", "node_definitions", "edge_definitions"}

CUSTOMER_V1 = {
    "label": "Customer",
    "sql": "SELECT customer_id, name FROM analytics.customers",
    "primary_key": {"name": "customer_id", "type": "STRING"},
    "properties": [{"name": "name", "type": "STRING"}],
}
CUSTOMER_V2 = {
    "label": "Customer",
    "sql": "SELECT customer_id, name, city FROM analytics.customers",
    "primary_key": {"name": "customer_id", "type": "STRING"},
    "properties": [{"name": "name", "type": "STRING"}, {"name": "city", "type": "STRING"}],
}
PRODUCT = {
    "label": "Product",
    "sql": "SELECT product_id, name FROM analytics.products",
    "primary_key": {"name": "product_id", "type": "STRING"},
    "properties": [{"name": "name", "type": "STRING"}],
}
SUPPLIER = {
    "label": "Supplier",
    "sql": "SELECT supplier_id, name FROM analytics.suppliers",
    "primary_key": {"name": "supplier_id", "type": "STRING"},
    "properties": [{"name": "name", "type": "STRING"}],
}
# In the seed's diff only PURCHASED's properties change, never its SQL. The server checks an
# explicit projection against the declared columns, so one query serving both versions must be
# a star projection (which only the warehouse can expand, so it is not checked statically).
PURCHASED_V1 = {
    "type": "PURCHASED",
    "from_node": "Customer",
    "to_node": "Product",
    "sql": "SELECT * FROM analytics.transactions",
    "from_key": "customer_id",
    "to_key": "product_id",
    "properties": [{"name": "amount", "type": "DOUBLE"}],
}
PURCHASED_V2 = {
    **PURCHASED_V1,
    "properties": [{"name": "amount", "type": "DOUBLE"}, {"name": "purchase_date", "type": "DATE"}],
}
SEED_CHANGE = "Added city, Supplier and purchase date"


def token() -> str:
    """A unique tag for names and descriptions, so list filters find only this test's rows."""
    return uuid.uuid4().hex[:12]


def seed_nodes_v1() -> list[dict[str, Any]]:
    return copy.deepcopy([CUSTOMER_V1, PRODUCT])


def seed_edges_v1() -> list[dict[str, Any]]:
    return copy.deepcopy([PURCHASED_V1])


def seed_nodes_v2() -> list[dict[str, Any]]:
    return copy.deepcopy([CUSTOMER_V2, PRODUCT, SUPPLIER])


def seed_edges_v2() -> list[dict[str, Any]]:
    return copy.deepcopy([PURCHASED_V2])


def seed_body(tag: str, **overrides: Any) -> dict[str, Any]:
    """The seed's create request; the tag goes into the description."""
    body: dict[str, Any] = {
        "name": "Customer Transactions",
        "description": f"Graph mapping for customer purchase behavior {tag}",
        "node_definitions": seed_nodes_v1(),
        "edge_definitions": seed_edges_v1(),
        "ttl": None,
        "inactivity_timeout": "P30D",
    }
    body.update(overrides)
    return body


def seed_update() -> dict[str, Any]:
    """The seed's update: `city` on Customer, a Supplier node, `purchase_date` on PURCHASED."""
    return {
        "change_description": SEED_CHANGE,
        "node_definitions": seed_nodes_v2(),
        "edge_definitions": seed_edges_v2(),
    }


def customer_node(count: int = 1, **overrides: Any) -> dict[str, Any]:
    """A Customer node with ``count`` STRING properties and SQL selecting exactly those.

    One property is called ``name``; more are ``p0``, ``p1``, ... ``overrides`` replace fields.
    """
    names = ["name"] if count == 1 else [f"p{i}" for i in range(count)]
    node: dict[str, Any] = {
        "label": "Customer",
        "sql": f"SELECT {', '.join(['customer_id', *names])} FROM analytics.customers",
        "primary_key": {"name": "customer_id", "type": "STRING"},
        "properties": [{"name": name, "type": "STRING"} for name in names],
    }
    node.update(overrides)
    return node


def simple_body(name: str, **overrides: Any) -> dict[str, Any]:
    """A minimal valid mapping: one Customer node, no edges."""
    body: dict[str, Any] = {"name": name, "node_definitions": [customer_node()]}
    body.update(overrides)
    return body


def create(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/mappings", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def data_of(response: httpx.Response, status: int = 200) -> Any:
    """The ``data`` of a success envelope, after checking the envelope itself."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"data", "meta"}
    assert body["meta"]["request_id"] == response.headers["x-request-id"]
    return body["data"]


def page_of(response: httpx.Response) -> tuple[list[Any], dict[str, Any]]:
    """Items and meta of a list envelope: meta holds request_id, total, offset and limit."""
    items = data_of(response)
    meta: dict[str, Any] = response.json()["meta"]
    assert isinstance(items, list)
    assert {"request_id", "total", "offset", "limit"} <= set(meta)
    return items, meta


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The ``error`` of an error envelope with this status and code (JSON, never HTML)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"error", "meta"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    assert body["meta"]["request_id"] == response.headers["x-request-id"]
    return error


def error_fields(response: httpx.Response) -> list[str]:
    """The sorted field paths of a 400 VALIDATION_FAILED listing its problems."""
    error = error_of(response, 400, "VALIDATION_FAILED")
    problems = error["details"]["errors"]
    for problem in problems:
        assert set(problem) == {"field", "message"}, problem
        assert isinstance(problem["message"], str) and problem["message"]
    return sorted(problem["field"] for problem in problems)


def messages(response: httpx.Response, field: str) -> list[str]:
    """The messages of a 400 response about one field."""
    return [
        problem["message"]
        for problem in response.json()["error"]["details"]["errors"]
        if problem["field"] == field
    ]


def parse_ts(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text)


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]
