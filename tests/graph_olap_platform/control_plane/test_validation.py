"""Validation of mapping bodies over HTTP (spec §2 "Validation").

Every bad body is answered 400 VALIDATION_FAILED listing ALL its problems in
``details.errors[{field, message}]`` with exact field paths, and nothing is written: creates run
as a brand-new analyst who must still own zero mappings afterwards; rejected updates leave the
mapping's header and version list as they were.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from tests.graph_olap_platform.control_plane.conftest import Caller
from tests.graph_olap_platform.control_plane.helpers import (
    create,
    customer_node,
    data_of,
    error_fields,
    error_of,
    messages,
    page_of,
    seed_body,
    seed_update,
    simple_body,
    token,
)


def _owned(caller: Caller) -> int:
    _, meta = page_of(caller.client.get("/api/mappings", params={"owner": caller.username}))
    total: int = meta["total"]
    return total


def _rejected(caller: Caller, body: Any = None, *, content: bytes | None = None) -> httpx.Response:
    """POST a bad body as ``caller``; check it was refused and nothing was stored."""
    if content is not None:
        response = caller.client.post(
            "/api/mappings", content=content, headers={"Content-Type": "application/json"}
        )
    else:
        response = caller.client.post("/api/mappings", json=body)
    error_of(response, 400, "VALIDATION_FAILED")
    assert _owned(caller) == 0
    return response


def _fields(caller: Caller, body: Any) -> list[str]:
    return error_fields(_rejected(caller, body))


def _body(*nodes: dict[str, Any], edges: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "name": f"Invalid {token()}",
        "node_definitions": list(nodes) or [customer_node()],
        "edge_definitions": edges or [],
    }


def _product() -> dict[str, Any]:
    return customer_node(
        label="Product",
        sql="SELECT product_id, name FROM analytics.products",
        primary_key={"name": "product_id", "type": "STRING"},
    )


def _edge(**overrides: Any) -> dict[str, Any]:
    edge: dict[str, Any] = {
        "type": "PURCHASED",
        "from_node": "Customer",
        "to_node": "Product",
        "sql": "SELECT customer_id, product_id, amount FROM analytics.transactions",
        "from_key": "customer_id",
        "to_key": "product_id",
        "properties": [{"name": "amount", "type": "DOUBLE"}],
    }
    edge.update(overrides)
    return edge


def _graph(**edge_overrides: Any) -> dict[str, Any]:
    """Customer and Product nodes joined by one PURCHASED edge (valid unless overridden)."""
    return _body(customer_node(), _product(), edges=[_edge(**edge_overrides)])


# -- the body as a whole -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b'{"name": "x",', b"{'name': 'x'}", b'{"name": "x",}', b"name=x", b'\xff\xfe{"a": 1}'],
    ids=["truncated", "single-quotes", "trailing-comma", "form-encoded", "not-utf8"],
)
def test_malformed_json(newcomer: Caller, content: bytes) -> None:
    response = _rejected(newcomer, content=content)

    assert error_fields(response) == ["body"]
    assert response.json()["error"]["message"] == "Request body is not valid JSON"
    assert messages(response, "body")[0].startswith("Malformed JSON")


@pytest.mark.parametrize("body", [[], "Customer Transactions", 42, None])
def test_a_body_that_is_not_an_object(newcomer: Caller, body: Any) -> None:
    assert _fields(newcomer, body) == ["body"]


def test_an_empty_object_lists_every_required_field(newcomer: Caller) -> None:
    response = _rejected(newcomer, {})

    assert error_fields(response) == ["name", "node_definitions"]
    assert messages(response, "name") == ["Name is required"]


def test_nul_characters_are_refused_wherever_they_are(newcomer: Caller) -> None:
    # PostgreSQL text cannot hold NUL (this was a 500 there); every string of the body is checked.
    body = _graph()
    body["description"] = "before\x00after"
    body["node_definitions"][0]["sql"] = "SELECT customer_id, name FROM c WHERE name = '\x00'"
    body["edge_definitions"][0]["properties"][0]["bad\x00key"] = 1

    response = _rejected(newcomer, body)

    assert error_fields(response) == [
        "description",
        "edge_definitions[0].properties[0].bad\x00key",
        "node_definitions[0].sql",
    ]
    assert messages(response, "description") == ["NUL characters (\\u0000) are not allowed"]


# -- wrong types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"name": 42}, ["name"]),
        ({"description": ["a"]}, ["description"]),
        ({"edge_definitions": "PURCHASED"}, ["edge_definitions"]),
        ({"ttl": 90}, ["ttl"]),
        # A malformed node list is reported once, not again at every edge end referring to it.
        ({"node_definitions": {"Customer": customer_node()}}, ["node_definitions"]),
        ({"node_definitions": ["Customer"], "edge_definitions": []}, ["node_definitions[0]"]),
    ],
    ids=["name", "description", "edges", "ttl", "nodes-object", "node-string"],
)
def test_wrong_top_level_types(newcomer: Caller, change: dict[str, Any], fields: list[str]) -> None:
    body = _graph()
    body.update(change)

    assert _fields(newcomer, body) == fields


def test_name_as_a_number_says_so(newcomer: Caller) -> None:
    response = _rejected(newcomer, _body() | {"name": 42})

    assert messages(response, "name") == ["Name must be a string, got a number"]


def test_node_definitions_as_an_object_says_so(newcomer: Caller) -> None:
    response = _rejected(newcomer, _body() | {"node_definitions": {"label": "Customer"}})

    assert messages(response, "node_definitions") == ["Expected a list, got an object"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        # The SQL is not also blamed for columns that could not be read from the properties.
        ({"properties": "name"}, "node_definitions[0].properties"),
        ({"properties": ["name"]}, "node_definitions[0].properties[0]"),
        ({"primary_key": "customer_id"}, "node_definitions[0].primary_key"),
        ({"label": 7}, "node_definitions[0].label"),
        ({"sql": 42}, "node_definitions[0].sql"),
        (
            {"properties": [{"name": "name", "type": "STRING", "nullable": "yes"}]},
            "node_definitions[0].properties[0].nullable",
        ),
        (
            {"properties": [{"name": 5, "type": "STRING"}], "sql": "SELECT * FROM c"},
            "node_definitions[0].properties[0].name",
        ),
    ],
    ids=["properties-string", "property-string", "pk-string", "label", "sql", "nullable", "name"],
)
def test_wrong_types_inside_a_node(newcomer: Caller, change: dict[str, Any], field: str) -> None:
    assert _fields(newcomer, _body(customer_node(**change))) == [field]


def test_properties_as_a_string_says_so(newcomer: Caller) -> None:
    response = _rejected(newcomer, _body(customer_node(properties="name")))

    assert messages(response, "node_definitions[0].properties") == ["Expected a list, got a string"]


# -- missing and unknown fields ----------------------------------------------------------------


def test_missing_node_and_edge_fields(newcomer: Caller) -> None:
    body = _body({"properties": []}, edges=[{"type": "PURCHASED"}])

    assert _fields(newcomer, body) == [
        "edge_definitions[0].from_key",
        "edge_definitions[0].from_node",
        "edge_definitions[0].sql",
        "edge_definitions[0].to_key",
        "edge_definitions[0].to_node",
        "node_definitions[0].label",
        "node_definitions[0].primary_key",
        "node_definitions[0].sql",
    ]


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("top", "colour"),
        ("node", "node_definitions[0].colour"),
        ("primary_key", "node_definitions[0].primary_key.colour"),
        ("property", "node_definitions[0].properties[0].colour"),
        ("edge", "edge_definitions[0].colour"),
    ],
)
def test_unknown_fields(newcomer: Caller, where: str, field: str) -> None:
    body = _graph()
    target = {
        "top": body,
        "node": body["node_definitions"][0],
        "primary_key": body["node_definitions"][0]["primary_key"],
        "property": body["node_definitions"][0]["properties"][0],
        "edge": body["edge_definitions"][0],
    }[where]
    target["colour"] = "blue"

    response = _rejected(newcomer, body)

    assert error_fields(response) == [field]
    assert "Unknown field 'colour'" in messages(response, field)[0]


# -- names and sizes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["x" * 256, "", "Customer/Transactions", "semi;colon", "tab\tname"]
)
def test_bad_resource_names(newcomer: Caller, name: str) -> None:
    assert _fields(newcomer, _body() | {"name": name}) == ["name"]


def test_a_256_character_name_says_the_limit(newcomer: Caller) -> None:
    response = _rejected(newcomer, _body() | {"name": "n" * 256})

    assert messages(response, "name") == ["Name must be 1 to 255 characters long, got 256"]


def test_a_4001_character_description(newcomer: Caller) -> None:
    assert _fields(newcomer, _body() | {"description": "d" * 4001}) == ["description"]


def test_101_properties_are_too_many(newcomer: Caller) -> None:
    response = _rejected(newcomer, _body(customer_node(101)))

    assert error_fields(response) == ["node_definitions[0].properties"]
    assert messages(response, "node_definitions[0].properties") == [
        "At most 100 properties are allowed, got 101"
    ]


def test_51_properties_are_accepted_with_a_warning(newcomer: Caller) -> None:
    response = newcomer.client.post("/api/mappings", json=_body(customer_node(51)))

    data = data_of(response, 201)
    assert len(data["version"]["node_definitions"][0]["properties"]) == 51
    (warning,) = response.json()["meta"]["warnings"]
    assert warning["field"] == "node_definitions[0].properties"
    assert "51 properties" in warning["message"]
    assert _owned(newcomer) == 1


def test_50_properties_carry_no_warning(newcomer: Caller) -> None:
    response = newcomer.client.post("/api/mappings", json=_body(customer_node(50)))

    data_of(response, 201)
    assert "warnings" not in response.json()["meta"]


def test_limits_are_inclusive(newcomer: Caller) -> None:
    label = "L" + "x" * 63
    node = customer_node(100, label=label)
    body = {
        "name": "Kundenübersicht Straße " + "n" * 232,
        "description": "d" * 4000,
        "node_definitions": [node],
        "edge_definitions": [
            _edge(
                type="E" * 64,
                from_node=label,
                to_node=label,
                sql="SELECT a, b FROM analytics.links",
                from_key="a",
                to_key="b",
                properties=[],
            )
        ],
    }
    assert len(body["name"]) == 255

    created = create(newcomer.client, body)

    assert created["name"] == body["name"]
    assert _owned(newcomer) == 1


# -- uniqueness and references -----------------------------------------------------------------


def test_duplicate_labels(newcomer: Caller) -> None:
    response = _rejected(newcomer, _body(customer_node(), customer_node()))

    assert error_fields(response) == ["node_definitions[1].label"]
    assert messages(response, "node_definitions[1].label") == [
        "Duplicate label 'Customer' (also node_definitions[0])"
    ]


def test_duplicate_edge_types(newcomer: Caller) -> None:
    body = _body(customer_node(), _product(), edges=[_edge(), _edge()])

    response = _rejected(newcomer, body)

    assert error_fields(response) == ["edge_definitions[1].type"]
    assert "Duplicate edge type 'PURCHASED'" in messages(response, "edge_definitions[1].type")[0]


@pytest.mark.parametrize("end", ["from_node", "to_node"])
def test_edge_to_an_unknown_node(newcomer: Caller, end: str) -> None:
    response = _rejected(newcomer, _graph(**{end: "Store"}))

    field = f"edge_definitions[0].{end}"
    assert error_fields(response) == [field]
    assert messages(response, field) == ["Referenced node 'Store' not found in node_definitions"]


def test_labels_are_case_sensitive_references(newcomer: Caller) -> None:
    assert _fields(newcomer, _graph(to_node="product")) == ["edge_definitions[0].to_node"]


def test_empty_node_definitions(newcomer: Caller) -> None:
    body = _body() | {"node_definitions": [], "edge_definitions": [_edge()]}

    response = _rejected(newcomer, body)

    assert error_fields(response) == ["node_definitions"]
    assert messages(response, "node_definitions") == ["At least one node definition is required"]


# -- SQL ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("DROP TABLE analytics.customers", "found DROP statement"),
        ("CREATE TABLE x AS SELECT customer_id, name FROM c", "found CREATE statement"),
        ("TRUNCATE TABLE analytics.customers", "found TRUNCATE statement"),
        ("DELETE FROM analytics.customers", "found DELETE statement"),
        ("INSERT INTO analytics.customers VALUES ('c1', 'Ann')", "found INSERT statement"),
        ("UPDATE analytics.customers SET name = 'x'", "found UPDATE statement"),
        ("SELECT customer_id, name INTO backup FROM analytics.customers", "SELECT … INTO"),
        (
            "SELECT customer_id, name FROM analytics.customers; DROP TABLE analytics.customers",
            "single query, found 2 statements",
        ),
        ("SELECT customer_id, name FROM a; SELECT customer_id, name FROM b", "single query"),
        ("please give me every customer, with their names", "could not be parsed"),
        ("", "SQL is empty"),
        ("   ", "SQL is empty"),
    ],
    ids=[
        "drop",
        "create",
        "truncate",
        "delete",
        "insert",
        "update",
        "select-into",
        "select-then-drop",
        "two-selects",
        "prose",
        "empty",
        "blank",
    ],
)
def test_only_a_single_read_only_query_is_accepted(newcomer: Caller, sql: str, says: str) -> None:
    response = _rejected(newcomer, _body(customer_node(sql=sql)))

    assert error_fields(response) == ["node_definitions[0].sql"]
    assert says in messages(response, "node_definitions[0].sql")[0]


def test_edge_sql_is_checked_too(newcomer: Caller) -> None:
    response = _rejected(newcomer, _graph(sql="DELETE FROM analytics.transactions"))

    assert error_fields(response) == ["edge_definitions[0].sql"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT name, customer_id FROM analytics.customers",
        "SELECT customer_id FROM analytics.customers",
        "SELECT customer_id, name, city FROM analytics.customers",
        "SELECT customer_id, full_name FROM analytics.customers",
        "SELECT customer_id, upper(name) FROM analytics.customers",
    ],
    ids=["order", "missing", "extra", "renamed", "unnamed-expression"],
)
def test_node_projection_must_be_primary_key_then_properties(newcomer: Caller, sql: str) -> None:
    assert _fields(newcomer, _body(customer_node(sql=sql))) == ["node_definitions[0].sql"]


def test_projection_mismatch_names_the_expected_columns(newcomer: Caller) -> None:
    sql = "SELECT name, customer_id FROM analytics.customers"

    response = _rejected(newcomer, _body(customer_node(sql=sql)))

    (message,) = messages(response, "node_definitions[0].sql")
    assert "(name, customer_id)" in message
    assert "(customer_id, name)" in message


def test_edge_projection_must_be_from_key_to_key_then_properties(newcomer: Caller) -> None:
    sql = "SELECT product_id, customer_id, amount FROM analytics.transactions"

    assert _fields(newcomer, _graph(sql=sql)) == ["edge_definitions[0].sql"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT c.customer_id, upper(c.name) AS name FROM analytics.customers AS c",
        "SELECT CUSTOMER_ID, Name FROM analytics.customers",
        "WITH x AS (SELECT * FROM analytics.customers) SELECT customer_id, name FROM x",
        "SELECT * FROM analytics.customers",
        "SELECT customer_id, name FROM a UNION ALL SELECT customer_id, name FROM b",
    ],
    ids=["aliased", "case", "cte", "star", "union"],
)
def test_read_only_queries_with_matching_projections_are_accepted(
    newcomer: Caller, sql: str
) -> None:
    created = create(newcomer.client, _body(customer_node(sql=sql)))

    # The server never rewrites user SQL.
    assert created["version"]["node_definitions"][0]["sql"] == sql


# -- names of labels, edge types, properties and types -----------------------------------------


@pytest.mark.parametrize(
    "label",
    ["1Customer", "Customer-Node", "Cust omer", "", "L" * 65, "Kündin"],
)
def test_invalid_labels(newcomer: Caller, label: str) -> None:
    assert _fields(newcomer, _body(customer_node(label=label))) == ["node_definitions[0].label"]


@pytest.mark.parametrize("label", ["MATCH", "match", "Return", "NODE", "Relationship", "yield"])
def test_reserved_words_are_not_labels(newcomer: Caller, label: str) -> None:
    response = _rejected(newcomer, _body(customer_node(label=label)))

    assert error_fields(response) == ["node_definitions[0].label"]
    assert "reserved" in messages(response, "node_definitions[0].label")[0]


def test_reserved_prefixes_are_not_labels(newcomer: Caller) -> None:
    # Not a valid pattern (leading _) and a reserved prefix: both are reported.
    response = _rejected(newcomer, _body(customer_node(label="_internal_nodes")))

    assert error_fields(response) == ["node_definitions[0].label"] * 2


@pytest.mark.parametrize(
    "edge_type", ["purchased", "Purchased", "9_LIVES", "HAS-ITEM", "", "E" * 65, "RETURN", "set"]
)
def test_invalid_edge_types(newcomer: Caller, edge_type: str) -> None:
    fields = _fields(newcomer, _graph(type=edge_type))

    assert set(fields) == {"edge_definitions[0].type"}


@pytest.mark.parametrize(
    ("node", "field"),
    [
        (
            customer_node(properties=[{"name": "name", "type": "VARCHAR"}]),
            "node_definitions[0].properties[0].type",
        ),
        (
            customer_node(primary_key={"name": "customer_id", "type": "TEXT"}),
            "node_definitions[0].primary_key.type",
        ),
        (
            customer_node(properties=[{"name": "name", "type": None}]),
            "node_definitions[0].properties[0].type",
        ),
    ],
    ids=["property", "primary-key", "missing"],
)
def test_unknown_property_types(newcomer: Caller, node: dict[str, Any], field: str) -> None:
    assert _fields(newcomer, _body(node)) == [field]


def test_unknown_edge_property_type(newcomer: Caller) -> None:
    body = _graph(properties=[{"name": "amount", "type": "MONEY"}])

    assert _fields(newcomer, body) == ["edge_definitions[0].properties[0].type"]


@pytest.mark.parametrize("name", ["first name", "2nd", "a-b", "_hidden"])
def test_invalid_property_names(newcomer: Caller, name: str) -> None:
    node = customer_node(
        sql="SELECT * FROM analytics.customers", properties=[{"name": name, "type": "STRING"}]
    )

    assert _fields(newcomer, _body(node)) == ["node_definitions[0].properties[0].name"]


def test_duplicate_property_names(newcomer: Caller) -> None:
    node = customer_node(
        sql="SELECT customer_id, name, name FROM analytics.customers",
        properties=[{"name": "name", "type": "STRING"}, {"name": "name", "type": "INT64"}],
    )

    assert _fields(newcomer, _body(node)) == ["node_definitions[0].properties[1].name"]


def test_a_property_may_not_repeat_the_primary_key(newcomer: Caller) -> None:
    node = customer_node(
        sql="SELECT customer_id, customer_id FROM analytics.customers",
        properties=[{"name": "customer_id", "type": "STRING"}],
    )

    response = _rejected(newcomer, _body(node))

    assert error_fields(response) == ["node_definitions[0].properties[0].name"]
    assert "repeats a key column" in messages(response, "node_definitions[0].properties[0].name")[0]


def test_an_edge_property_may_not_repeat_a_key_column(newcomer: Caller) -> None:
    body = _graph(
        sql="SELECT customer_id, product_id, customer_id FROM analytics.transactions",
        properties=[{"name": "customer_id", "type": "STRING"}],
    )

    assert _fields(newcomer, body) == ["edge_definitions[0].properties[0].name"]


# -- everything at once ------------------------------------------------------------------------


def test_every_problem_of_one_body_is_reported_together(newcomer: Caller) -> None:
    body = {
        "name": "n" * 256,
        "owner_username": "someone.else",
        "node_definitions": [
            customer_node(label="MATCH"),
            customer_node(label="MATCH", sql="DROP TABLE analytics.customers"),
            customer_node(label="Product", properties=[{"name": "name", "type": "VARCHAR"}]),
        ],
        "edge_definitions": [
            _edge(type="purchased", from_node="MATCH", to_node="Store"),
            _edge(
                type="purchased",
                from_node="MATCH",
                to_node="Product",
                sql="SELECT 1 AS a; SELECT 2 AS b",
            ),
        ],
    }

    assert _fields(newcomer, body) == sorted(
        [
            "name",
            "owner_username",
            "node_definitions[0].label",
            "node_definitions[1].label",  # reserved
            "node_definitions[1].label",  # duplicate
            "node_definitions[1].sql",
            "node_definitions[2].properties[0].type",
            "edge_definitions[0].type",
            "edge_definitions[0].to_node",
            "edge_definitions[1].type",  # lower case
            "edge_definitions[1].type",  # duplicate
            "edge_definitions[1].sql",
        ]
    )


# -- updates -----------------------------------------------------------------------------------


def _unchanged(client: httpx.Client, before: dict[str, Any]) -> None:
    after = data_of(client.get(f"/api/mappings/{before['id']}"))
    assert after == before
    versions, meta = page_of(client.get(f"/api/mappings/{before['id']}/versions"))
    assert meta["total"] == before["current_version"]
    assert [v["version"] for v in versions] == list(range(before["current_version"], 0, -1))


def test_an_invalid_update_writes_nothing(alice: httpx.Client) -> None:
    created = create(alice, seed_body(token()))
    update = seed_update()
    update["name"] = "Renamed by a failed update"
    update["node_definitions"].append(copy.deepcopy(update["node_definitions"][0]))
    update["node_definitions"][0]["sql"] = "DROP TABLE analytics.customers"

    response = alice.put(f"/api/mappings/{created['id']}", json=update)

    assert error_fields(response) == ["node_definitions[0].sql", "node_definitions[3].label"]
    assert response.json()["error"]["message"] == "Invalid request body"
    _unchanged(alice, created)


def test_an_invalid_update_without_change_description_lists_it_with_the_rest(
    alice: httpx.Client,
) -> None:
    created = create(alice, seed_body(token()))
    update = seed_update()
    del update["change_description"]
    update["edge_definitions"][0]["to_node"] = "Store"

    response = alice.put(f"/api/mappings/{created['id']}", json=update)

    assert error_fields(response) == ["change_description", "edge_definitions[0].to_node"]
    _unchanged(alice, created)


@pytest.mark.parametrize(
    ("update", "fields"),
    [
        ({"name": 42}, ["name"]),
        ({"name": None}, ["name"]),
        ({"name": "x" * 256}, ["name"]),
        ({"description": "d" * 4001}, ["description"]),
        ({"description": "nul\x00"}, ["description"]),
        ({"change_description": "nul\x00", "edge_definitions": []}, ["change_description"]),
        ({"owner_username": "bob.jones"}, ["owner_username"]),
        ({"id": 1}, ["id"]),
        ({"created_at": "2020-01-01T00:00:00Z"}, ["created_at"]),
        ({"current_version": 9}, ["current_version"]),
        ({"ttl": "P1D"}, ["ttl"]),
        ({"node_definitions": [], "change_description": "empty"}, ["node_definitions"]),
        ({"edge_definitions": {}, "change_description": "bad"}, ["edge_definitions"]),
    ],
    ids=[
        "name-number",
        "name-null",
        "name-long",
        "description-long",
        "description-nul",
        "change-description-nul",
        "owner",
        "id",
        "created_at",
        "current_version",
        "ttl-belongs-to-lifecycle",
        "no-nodes",
        "edges-object",
    ],
)
def test_invalid_updates_are_rejected(
    alice: httpx.Client, update: dict[str, Any], fields: list[str]
) -> None:
    created = create(alice, simple_body(f"Update {token()}"))

    assert error_fields(alice.put(f"/api/mappings/{created['id']}", json=update)) == fields
    _unchanged(alice, created)


def test_an_update_body_must_be_a_json_object(alice: httpx.Client) -> None:
    created = create(alice, simple_body(f"Update {token()}"))
    path = f"/api/mappings/{created['id']}"

    assert error_fields(alice.put(path, json=["name"])) == ["body"]
    bad = alice.put(path, content=b"{name: 1}", headers={"Content-Type": "application/json"})
    assert error_fields(bad) == ["body"]
    _unchanged(alice, created)
