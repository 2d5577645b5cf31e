"""The Mappings API over HTTP; the seed's examples are the acceptance cases.

Every test talks to a real `graph-olap serve` process, once on SQLite and once on PostgreSQL.
The server is shared, so each test creates its own mappings and finds them again by a unique
token (``search=``) or by id, never by assuming an empty store.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import InstanceRow, SnapshotRow
from tests.graph_olap_platform.control_plane.helpers import (
    CUSTOMER_V1,
    CUSTOMER_V2,
    MAPPING_KEYS,
    PRODUCT,
    PURCHASED_V1,
    PURCHASED_V2,
    SEED_CHANGE,
    SUPPLIER,
    VERSION_KEYS,
    VERSION_SUMMARY_KEYS,
    create,
    customer_node,
    data_of,
    error_fields,
    error_of,
    messages,
    names,
    page_of,
    parse_ts,
    seed_body,
    seed_update,
    simple_body,
    token,
)

MISSING_ID = 2_000_000_000


def _get(client: httpx.Client, mapping_id: int) -> dict[str, Any]:
    data: dict[str, Any] = data_of(client.get(f"/api/mappings/{mapping_id}"))
    return data


def _versions(client: httpx.Client, mapping_id: int, **params: Any) -> tuple[list[Any], Any]:
    return page_of(client.get(f"/api/mappings/{mapping_id}/versions", params=params))


def _seed_mapping_with_update(client: httpx.Client) -> dict[str, Any]:
    """The seed's mapping, created (v1) and then updated (v2); returns the v1 object."""
    created = create(client, seed_body(token()))
    response = client.put(f"/api/mappings/{created['id']}", json=seed_update())
    assert response.status_code == 200, response.text
    return created


def _insert_snapshot(
    store: Store, mapping: dict[str, Any], *, version: int = 1, status: str = "ready"
) -> int:
    # The public snapshot-create route does not exist yet (snapshots come with the export
    # workflow), so the row a finished export would leave is written straight into the store.
    with store.session(write=True) as session:
        row = SnapshotRow(
            mapping_id=mapping["id"],
            mapping_version=version,
            owner_username=mapping["owner_username"],
            name=f"Snapshot {token()}",
            status=status,
        )
        session.add(row)
        session.flush()
        return row.id


def _insert_instance(store: Store, snapshot_id: int, owner: str, name: str) -> int:
    # Likewise no public route starts instances yet: write the row an instance start leaves.
    with store.session(write=True) as session:
        row = InstanceRow(
            snapshot_id=snapshot_id,
            owner_username=owner,
            wrapper_type="ryugraph",
            name=name,
            url_slug=str(uuid.uuid4()),
            status="running",
        )
        session.add(row)
        session.flush()
        return row.id


# -- create and get ----------------------------------------------------------------------------


def test_create_returns_the_full_mapping_at_version_1(alice: httpx.Client) -> None:
    tag = token()
    response = alice.post("/api/mappings", json=seed_body(tag))

    data = data_of(response, 201)
    assert set(data) == MAPPING_KEYS | {"version"}
    assert isinstance(data["id"], int)
    assert data["owner_username"] == "alice.smith"
    assert data["name"] == "Customer Transactions"
    assert data["description"] == f"Graph mapping for customer purchase behavior {tag}"
    assert data["current_version"] == 1
    assert data["ttl"] is None
    assert data["inactivity_timeout"] == "P30D"
    assert data["snapshot_count"] == 0
    assert parse_ts(data["created_at"]) == parse_ts(data["updated_at"])
    assert data["version"] == {
        "mapping_id": data["id"],
        "version": 1,
        "change_description": None,
        "node_definitions": [CUSTOMER_V1, PRODUCT],
        "edge_definitions": [PURCHASED_V1],
        "created_at": data["version"]["created_at"],
        "created_by": "alice.smith",
        "created_by_name": "Alice Smith",
    }
    assert parse_ts(data["version"]["created_at"]) == parse_ts(data["created_at"])


def test_get_returns_the_mapping_with_its_current_version(alice: httpx.Client) -> None:
    created = create(alice, seed_body(token()))

    fetched = _get(alice, created["id"])

    assert fetched == created
    assert set(fetched["version"]) == VERSION_KEYS


def test_create_applies_lifecycle_defaults(alice: httpx.Client) -> None:
    created = create(alice, simple_body(f"Defaults {token()}"))

    assert created["ttl"] is None
    assert created["inactivity_timeout"] == "P30D"
    assert created["description"] is None
    assert created["version"]["edge_definitions"] == []


def test_create_stores_types_upper_case_and_keeps_non_default_nullable(
    alice: httpx.Client,
) -> None:
    node = customer_node(2, primary_key={"name": "customer_id", "type": "int64"})
    node["properties"] = [
        {"name": "p0", "type": "string", "nullable": True},
        {"name": "p1", "type": "Double", "nullable": False},
    ]

    created = create(alice, simple_body(f"Types {token()}", node_definitions=[node]))

    (stored,) = created["version"]["node_definitions"]
    assert stored["primary_key"] == {"name": "customer_id", "type": "INT64"}
    assert stored["properties"] == [
        {"name": "p0", "type": "STRING"},
        {"name": "p1", "type": "DOUBLE", "nullable": False},
    ]


def test_get_unknown_mapping_is_404_with_its_id(alice: httpx.Client) -> None:
    error = error_of(alice.get(f"/api/mappings/{MISSING_ID}"), 404, "RESOURCE_NOT_FOUND")

    assert error["message"] == "Mapping not found"
    assert error["details"] == {"id": MISSING_ID}


@pytest.mark.parametrize(
    "suffix",
    ["", "/versions", "/versions/1", "/versions/1/diff/1", "/tree", "/snapshots", "/instances"],
)
def test_every_read_of_an_unknown_mapping_is_404(alice: httpx.Client, suffix: str) -> None:
    response = alice.get(f"/api/mappings/{MISSING_ID}{suffix}")

    assert error_of(response, 404, "RESOURCE_NOT_FOUND")["details"] == {"id": MISSING_ID}


# -- list --------------------------------------------------------------------------------------


@dataclass
class Trio:
    """Three mappings sharing one token, built so each sort field orders them differently.

    created_at: a, b, c · name (case-insensitive): b, c, a · current_version: a(1), c(2), b(3)
    · updated_at: b, a, c.
    """

    tag: str
    a: dict[str, Any]
    b: dict[str, Any]
    c: dict[str, Any]


@pytest.fixture
def trio(alice: httpx.Client, bob: httpx.Client) -> Trio:
    tag = token()
    a = create(alice, simple_body(f"Charlie {tag}"))
    b = create(bob, simple_body(f"alpha {tag}", description=f"Weekly ORDERS and Returns {tag}"))
    c = create(alice, simple_body(f"Bravo {tag}"))
    for change in ("second", "third"):
        body = {"change_description": change, "node_definitions": [customer_node(2)]}
        if change == "third":
            body["node_definitions"] = [customer_node(3)]
        assert bob.put(f"/api/mappings/{b['id']}", json=body).status_code == 200
    assert alice.put(f"/api/mappings/{a['id']}", json={"description": "touched"}).status_code == 200
    body = {"change_description": "second", "node_definitions": [customer_node(2)]}
    assert alice.put(f"/api/mappings/{c['id']}", json=body).status_code == 200
    return Trio(tag, a, b, c)


def _listed(client: httpx.Client, **params: Any) -> tuple[list[str], dict[str, Any]]:
    items, meta = page_of(client.get("/api/mappings", params=params))
    return names(items), meta


def test_list_defaults_to_newest_first_with_meta(alice: httpx.Client, trio: Trio) -> None:
    items, meta = page_of(alice.get("/api/mappings", params={"search": trio.tag}))

    assert names(items) == [trio.c["name"], trio.b["name"], trio.a["name"]]
    assert {key: meta[key] for key in ("total", "offset", "limit")} == {
        "total": 3,
        "offset": 0,
        "limit": 50,
    }


def test_list_items_are_mapping_headers(alice: httpx.Client, trio: Trio) -> None:
    items, _ = page_of(alice.get("/api/mappings", params={"search": trio.tag}))

    by_id = {item["id"]: item for item in items}
    b = by_id[trio.b["id"]]
    assert set(b) == MAPPING_KEYS
    assert b["owner_username"] == "bob.jones"
    assert b["current_version"] == 3
    assert b["snapshot_count"] == 0
    assert b["description"] == f"Weekly ORDERS and Returns {trio.tag}"


@pytest.mark.parametrize(
    ("sort_by", "ascending"),
    [
        ("created_at", "abc"),
        ("name", "bca"),
        ("current_version", "acb"),
        ("updated_at", "bac"),
    ],
)
@pytest.mark.parametrize("sort_order", ["asc", "desc"])
def test_list_sorts_by_each_whitelisted_field(
    alice: httpx.Client, trio: Trio, sort_by: str, ascending: str, sort_order: str
) -> None:
    expected = [getattr(trio, key)["name"] for key in ascending]
    if sort_order == "desc":
        expected.reverse()

    listed, _ = _listed(alice, search=trio.tag, sort_by=sort_by, sort_order=sort_order)

    assert listed == expected


def test_list_filters_by_exact_owner(alice: httpx.Client, trio: Trio) -> None:
    assert _listed(alice, search=trio.tag, owner="bob.jones")[0] == [trio.b["name"]]
    assert _listed(alice, search=trio.tag, owner="alice.smith")[0] == [
        trio.c["name"],
        trio.a["name"],
    ]
    # Exact match, not a prefix or substring.
    assert _listed(alice, search=trio.tag, owner="bob")[0] == []
    assert _listed(alice, search=trio.tag, owner="BOB.JONES")[0] == []


def test_list_search_is_a_case_insensitive_substring_of_name_or_description(
    alice: httpx.Client, trio: Trio
) -> None:
    assert _listed(alice, search=trio.tag.upper())[1]["total"] == 3
    assert _listed(alice, search=f"ALPHA {trio.tag}")[0] == [trio.b["name"]]
    assert _listed(alice, search=f"cHaRlIe {trio.tag[:6]}")[0] == [trio.a["name"]]
    # Only b's description mentions orders; its name does not.
    assert _listed(alice, search=f"orders AND returns {trio.tag}")[0] == [trio.b["name"]]


def test_list_search_treats_like_wildcards_literally(alice: httpx.Client) -> None:
    tag = token()
    underscore = create(alice, simple_body(f"wild_card {tag}"))
    create(alice, simple_body(f"wildXcard {tag}"))
    percent = create(alice, simple_body(f"pct a {tag}", description=f"grew 100% in {tag}"))
    create(alice, simple_body(f"pct b {tag}", description=f"grew 1000 in {tag}"))

    assert _listed(alice, search=f"wild_card {tag}")[0] == [underscore["name"]]
    assert _listed(alice, search=f"100% in {tag}")[0] == [percent["name"]]


def test_list_created_bounds_are_inclusive(alice: httpx.Client, trio: Trio) -> None:
    at = parse_ts(trio.b["created_at"])
    micro = timedelta(microseconds=1)

    def listed(**bounds: Any) -> list[str]:
        params = {key: value.isoformat() for key, value in bounds.items()}
        return _listed(alice, search=trio.tag, sort_by="created_at", sort_order="asc", **params)[0]

    a, b, c = trio.a["name"], trio.b["name"], trio.c["name"]
    assert listed(created_after=at) == [b, c]
    assert listed(created_before=at) == [a, b]
    assert listed(created_after=at, created_before=at) == [b]
    assert listed(created_after=at + micro) == [c]
    assert listed(created_before=at - micro) == [a]


def test_list_pages_with_offset_and_limit(alice: httpx.Client, trio: Trio) -> None:
    listed, meta = _listed(alice, search=trio.tag, sort_by="name", offset=1, limit=1)
    assert listed == [trio.c["name"]]
    assert (meta["total"], meta["offset"], meta["limit"]) == (3, 1, 1)

    listed, meta = _listed(alice, search=trio.tag, offset=3, limit=100)
    assert listed == []
    assert (meta["total"], meta["offset"], meta["limit"]) == (3, 3, 100)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"sort_by": "owner_username"}, "sort_by"),
        ({"sort_by": "snapshot_count"}, "sort_by"),
        ({"sort_order": "up"}, "sort_order"),
        ({"created_after": "last tuesday"}, "created_after"),
    ],
)
def test_list_rejects_bad_parameters_with_400(
    alice: httpx.Client, params: dict[str, Any], field: str
) -> None:
    assert error_fields(alice.get("/api/mappings", params=params)) == [field]


# -- update and versions -----------------------------------------------------------------------


def test_update_with_definitions_creates_an_immutable_new_version(alice: httpx.Client) -> None:
    created = create(alice, seed_body(token()))
    path = f"/api/mappings/{created['id']}"

    updated = data_of(alice.put(path, json=seed_update()))

    assert set(updated) == MAPPING_KEYS | {"version"}
    assert updated["current_version"] == 2
    assert updated["name"] == created["name"]
    assert updated["owner_username"] == "alice.smith"
    assert updated["created_at"] == created["created_at"]
    assert parse_ts(updated["updated_at"]) > parse_ts(created["updated_at"])
    assert updated["version"]["version"] == 2
    assert updated["version"]["change_description"] == SEED_CHANGE
    assert updated["version"]["node_definitions"] == [CUSTOMER_V2, PRODUCT, SUPPLIER]
    assert updated["version"]["edge_definitions"] == [PURCHASED_V2]
    assert updated["version"]["created_by"] == "alice.smith"
    assert _get(alice, created["id"]) == updated
    # Version 1 is untouched.
    assert data_of(alice.get(f"{path}/versions/1")) == created["version"]


def test_update_of_only_edges_keeps_the_nodes(alice: httpx.Client) -> None:
    created = create(alice, seed_body(token()))

    body = {"change_description": "purchase date", "edge_definitions": [PURCHASED_V2]}
    updated = data_of(alice.put(f"/api/mappings/{created['id']}", json=body))

    assert updated["current_version"] == 2
    assert updated["version"]["node_definitions"] == [CUSTOMER_V1, PRODUCT]
    assert updated["version"]["edge_definitions"] == [PURCHASED_V2]


def test_update_of_name_and_description_creates_no_version(alice: httpx.Client) -> None:
    created = create(alice, seed_body(token()))
    path = f"/api/mappings/{created['id']}"
    body = {"name": "Customer Transactions v2", "description": "Updated description"}

    updated = data_of(alice.put(path, json=body))

    assert updated["current_version"] == 1
    assert updated["name"] == "Customer Transactions v2"
    assert updated["description"] == "Updated description"
    assert updated["version"] == created["version"]
    assert parse_ts(updated["updated_at"]) > parse_ts(created["updated_at"])
    assert _versions(alice, created["id"])[1]["total"] == 1


CHANGE_WITHOUT_DEFINITIONS = (
    "change_description only goes with new node_definitions or edge_definitions (it describes "
    "the new version they create); nothing was changed"
)


@pytest.mark.parametrize(
    "body",
    [
        {"change_description": "a note"},
        {"name": "Renamed", "change_description": "nothing to describe"},
        {"description": "Updated description", "change_description": ""},
    ],
    ids=["alone", "with-name", "empty-with-description"],
)
def test_update_with_a_change_description_but_no_definitions_is_400_and_changes_nothing(
    alice: httpx.Client, body: dict[str, Any]
) -> None:
    # A change_description describes a new version; without definitions none is created, so
    # the note would be dropped silently. Refused, and the header is not changed either.
    created = create(alice, seed_body(token()))

    response = alice.put(f"/api/mappings/{created['id']}", json=body)

    error = error_of(response, 400, "VALIDATION_FAILED")
    assert error["message"] == CHANGE_WITHOUT_DEFINITIONS
    assert error["details"] == {
        "field": "change_description",
        "errors": [{"field": "change_description", "message": CHANGE_WITHOUT_DEFINITIONS}],
    }
    assert _get(alice, created["id"]) == created
    assert _versions(alice, created["id"])[1]["total"] == 1


def test_update_with_a_null_change_description_and_no_definitions_is_a_header_update(
    alice: httpx.Client,
) -> None:
    created = create(alice, seed_body(token()))

    body = {"name": "Renamed", "change_description": None}
    updated = data_of(alice.put(f"/api/mappings/{created['id']}", json=body))

    assert (updated["name"], updated["current_version"]) == ("Renamed", 1)
    assert updated["version"] == created["version"]


@pytest.mark.parametrize("change", ["absent", None, "", "   "])
def test_update_with_definitions_requires_a_change_description(
    alice: httpx.Client, change: str | None
) -> None:
    created = create(alice, seed_body(token()))
    body = seed_update()
    if change == "absent":
        del body["change_description"]
    else:
        body["change_description"] = change

    response = alice.put(f"/api/mappings/{created['id']}", json=body)

    error = error_of(response, 400, "VALIDATION_FAILED")
    assert error["message"] == "change_description is required when updating mapping definitions"
    assert error["details"]["field"] == "change_description"
    assert _get(alice, created["id"])["current_version"] == 1


def test_update_of_an_unknown_mapping_is_404(alice: httpx.Client) -> None:
    response = alice.put(f"/api/mappings/{MISSING_ID}", json={"name": "x"})

    assert error_of(response, 404, "RESOURCE_NOT_FOUND")["details"] == {"id": MISSING_ID}


def test_versions_are_listed_newest_first(alice: httpx.Client) -> None:
    created = _seed_mapping_with_update(alice)

    items, meta = _versions(alice, created["id"])

    assert (meta["total"], meta["offset"], meta["limit"]) == (2, 0, 50)
    assert all(set(item) == VERSION_SUMMARY_KEYS for item in items)
    assert [(i["version"], i["change_description"]) for i in items] == [
        (2, SEED_CHANGE),
        (1, None),
    ]
    assert {(i["created_by"], i["created_by_name"]) for i in items} == {
        ("alice.smith", "Alice Smith")
    }
    assert parse_ts(items[0]["created_at"]) > parse_ts(items[1]["created_at"])


def test_versions_page(alice: httpx.Client) -> None:
    created = _seed_mapping_with_update(alice)

    first, meta = _versions(alice, created["id"], limit=1)
    assert [v["version"] for v in first] == [2]
    assert (meta["total"], meta["offset"], meta["limit"]) == (2, 0, 1)
    second, meta = _versions(alice, created["id"], offset=1, limit=1)
    assert [v["version"] for v in second] == [1]
    assert (meta["total"], meta["offset"], meta["limit"]) == (2, 1, 1)


def test_get_version_returns_the_full_version(alice: httpx.Client) -> None:
    created = _seed_mapping_with_update(alice)

    version = data_of(alice.get(f"/api/mappings/{created['id']}/versions/2"))

    assert set(version) == VERSION_KEYS
    assert version["mapping_id"] == created["id"]
    assert version["version"] == 2
    assert version["change_description"] == SEED_CHANGE
    assert version["node_definitions"] == [CUSTOMER_V2, PRODUCT, SUPPLIER]
    assert version["edge_definitions"] == [PURCHASED_V2]
    assert (version["created_by"], version["created_by_name"]) == ("alice.smith", "Alice Smith")


@pytest.mark.parametrize("path", ["/versions/5", "/versions/1/diff/5", "/versions/5/diff/1"])
def test_unknown_version_is_404_mapping_version_not_found(alice: httpx.Client, path: str) -> None:
    created = _seed_mapping_with_update(alice)

    response = alice.get(f"/api/mappings/{created['id']}{path}")

    error = error_of(response, 404, "MAPPING_VERSION_NOT_FOUND")
    assert error["message"] == "Version 5 not found for mapping"
    assert error["details"] == {"mapping_id": created["id"], "version": 5, "latest_version": 2}


# -- diff --------------------------------------------------------------------------------------


def test_diff_of_the_seed_update_is_exactly_the_seed(alice: httpx.Client) -> None:
    created = _seed_mapping_with_update(alice)

    diff = data_of(alice.get(f"/api/mappings/{created['id']}/versions/1/diff/2"))

    assert diff == {
        "mapping_id": created["id"],
        "from_version": 1,
        "to_version": 2,
        "summary": {
            "nodes_added": 1,
            "nodes_removed": 0,
            "nodes_modified": 1,
            "edges_added": 0,
            "edges_removed": 0,
            "edges_modified": 1,
        },
        "changes": {
            "nodes": [
                {
                    "label": "Customer",
                    "change_type": "modified",
                    "fields_changed": ["sql", "properties"],
                    "from": {
                        "sql": "SELECT customer_id, name FROM analytics.customers",
                        "properties": [{"name": "name", "type": "STRING"}],
                    },
                    "to": {
                        "sql": "SELECT customer_id, name, city FROM analytics.customers",
                        "properties": [
                            {"name": "name", "type": "STRING"},
                            {"name": "city", "type": "STRING"},
                        ],
                    },
                },
                {
                    "label": "Supplier",
                    "change_type": "added",
                    "from": None,
                    "to": {
                        "label": "Supplier",
                        "sql": "SELECT supplier_id, name FROM analytics.suppliers",
                        "primary_key": {"name": "supplier_id", "type": "STRING"},
                        "properties": [{"name": "name", "type": "STRING"}],
                    },
                },
            ],
            "edges": [
                {
                    "type": "PURCHASED",
                    "change_type": "modified",
                    "fields_changed": ["properties"],
                    "from": {"properties": [{"name": "amount", "type": "DOUBLE"}]},
                    "to": {
                        "properties": [
                            {"name": "amount", "type": "DOUBLE"},
                            {"name": "purchase_date", "type": "DATE"},
                        ]
                    },
                }
            ],
        },
    }


def test_reverse_diff_reports_the_removal_with_the_full_definition(alice: httpx.Client) -> None:
    created = _seed_mapping_with_update(alice)

    diff = data_of(alice.get(f"/api/mappings/{created['id']}/versions/2/diff/1"))

    assert (diff["from_version"], diff["to_version"]) == (2, 1)
    assert diff["summary"] == {
        "nodes_added": 0,
        "nodes_removed": 1,
        "nodes_modified": 1,
        "edges_added": 0,
        "edges_removed": 0,
        "edges_modified": 1,
    }
    removed = [n for n in diff["changes"]["nodes"] if n["change_type"] == "removed"]
    assert removed == [
        {"label": "Supplier", "change_type": "removed", "from": SUPPLIER, "to": None}
    ]
    customer = next(n for n in diff["changes"]["nodes"] if n["label"] == "Customer")
    assert customer["from"]["sql"] == CUSTOMER_V2["sql"]
    assert customer["to"]["sql"] == CUSTOMER_V1["sql"]


def test_diff_of_a_version_with_itself_is_empty(alice: httpx.Client) -> None:
    created = _seed_mapping_with_update(alice)

    diff = data_of(alice.get(f"/api/mappings/{created['id']}/versions/2/diff/2"))

    assert set(diff["summary"].values()) == {0}
    assert diff["changes"] == {"nodes": [], "edges": []}


# -- tree, snapshots, instances ----------------------------------------------------------------


def test_tree_of_a_mapping_without_snapshots(alice: httpx.Client) -> None:
    created = _seed_mapping_with_update(alice)
    versions, _ = _versions(alice, created["id"])

    tree = data_of(alice.get(f"/api/mappings/{created['id']}/tree"))

    assert tree == {
        "id": created["id"],
        "name": "Customer Transactions",
        "owner_username": "alice.smith",
        "current_version": 2,
        "versions": [
            {
                "version": 2,
                "change_description": SEED_CHANGE,
                "created_at": versions[0]["created_at"],
                "snapshot_count": 0,
                "snapshots": [],
            },
            {
                "version": 1,
                "change_description": None,
                "created_at": versions[1]["created_at"],
                "snapshot_count": 0,
                "snapshots": [],
            },
        ],
        "totals": {"version_count": 2, "snapshot_count": 0, "instance_count": 0},
    }


def test_tree_rejects_an_unknown_snapshot_status(alice: httpx.Client) -> None:
    created = create(alice, simple_body(f"Tree {token()}"))

    response = alice.get(f"/api/mappings/{created['id']}/tree", params={"status": "shiny"})

    assert error_fields(response) == ["status"]


@pytest.mark.parametrize("resource", ["snapshots", "instances"])
def test_snapshots_and_instances_of_a_new_mapping_are_empty_pages(
    alice: httpx.Client, resource: str
) -> None:
    created = create(alice, simple_body(f"Empty {token()}"))
    path = f"/api/mappings/{created['id']}/{resource}"

    items, meta = page_of(alice.get(path))
    assert items == []
    assert (meta["total"], meta["offset"], meta["limit"]) == (0, 0, 50)

    items, meta = page_of(alice.get(path, params={"offset": 10, "limit": 5}))
    assert items == []
    assert (meta["total"], meta["offset"], meta["limit"]) == (0, 10, 5)

    assert error_fields(alice.get(path, params={"limit": 101})) == ["limit"]


def test_a_snapshot_shows_in_the_list_the_tree_and_the_mapping(
    alice: httpx.Client, store: Store
) -> None:
    created = _seed_mapping_with_update(alice)
    mapping_id = created["id"]
    snapshot_id = _insert_snapshot(store, created, version=1)

    items, meta = page_of(alice.get(f"/api/mappings/{mapping_id}/snapshots"))
    assert meta["total"] == 1
    (snapshot,) = items
    assert snapshot["id"] == snapshot_id
    assert (snapshot["mapping_id"], snapshot["mapping_version"]) == (mapping_id, 1)
    assert snapshot["mapping_name"] == "Customer Transactions"
    assert (snapshot["owner_username"], snapshot["status"]) == ("alice.smith", "ready")
    assert snapshot["instance_count"] == 0

    tree = data_of(alice.get(f"/api/mappings/{mapping_id}/tree"))
    v2, v1 = tree["versions"]
    assert (v2["snapshot_count"], v2["snapshots"]) == (0, [])
    assert v1["snapshot_count"] == 1
    assert v1["snapshots"] == [
        {
            "id": snapshot_id,
            "name": snapshot["name"],
            "status": "ready",
            "created_at": snapshot["created_at"],
            "instance_count": 0,
            "instances": [],
        }
    ]
    assert tree["totals"] == {"version_count": 2, "snapshot_count": 1, "instance_count": 0}

    assert _get(alice, mapping_id)["snapshot_count"] == 1
    listed, _ = page_of(alice.get("/api/mappings", params={"search": created["description"]}))
    assert [(m["id"], m["snapshot_count"]) for m in listed] == [(mapping_id, 1)]


def test_an_instance_shows_under_its_mapping_and_in_the_tree(
    alice: httpx.Client, store: Store
) -> None:
    created = create(alice, seed_body(token()))
    mapping_id = created["id"]
    ready = _insert_snapshot(store, created)
    failed = _insert_snapshot(store, created, status="failed")
    instance_id = _insert_instance(store, ready, "alice.smith", "Analysis 1")

    items, meta = page_of(alice.get(f"/api/mappings/{mapping_id}/instances"))
    assert meta["total"] == 1
    (instance,) = items
    snapshot_name = page_of(alice.get(f"/api/mappings/{mapping_id}/snapshots"))[0][-1]["name"]
    assert instance == {
        "id": instance_id,
        "snapshot_id": ready,
        "snapshot_name": snapshot_name,
        "owner_username": "alice.smith",
        "wrapper_type": "ryugraph",
        "name": "Analysis 1",
        "status": "running",
        "created_at": instance["created_at"],
    }

    tree = data_of(alice.get(f"/api/mappings/{mapping_id}/tree"))
    (v1,) = tree["versions"]
    assert [s["id"] for s in v1["snapshots"]] == [failed, ready]  # newest first
    by_id = {s["id"]: s for s in v1["snapshots"]}
    assert by_id[ready]["instance_count"] == 1
    assert by_id[ready]["instances"] == [
        {"id": instance_id, "name": "Analysis 1", "status": "running"}
    ]
    assert tree["totals"] == {"version_count": 1, "snapshot_count": 2, "instance_count": 1}

    only_failed = data_of(
        alice.get(f"/api/mappings/{mapping_id}/tree", params={"status": "failed"})
    )
    assert [s["id"] for s in only_failed["versions"][0]["snapshots"]] == [failed]

    lean = data_of(
        alice.get(f"/api/mappings/{mapping_id}/tree", params={"include_instances": "false"})
    )
    lean_ready = next(s for s in lean["versions"][0]["snapshots"] if s["id"] == ready)
    # Without instances the counts stay and the `instances` lists are left out.
    assert lean_ready["instance_count"] == 1
    assert "instances" not in lean_ready


# -- copy --------------------------------------------------------------------------------------


def test_copy_defaults_to_copy_of_name_and_the_caller_owns_it(
    alice: httpx.Client, bob: httpx.Client
) -> None:
    source = _seed_mapping_with_update(alice)
    lifecycle = {"ttl": "P90D", "inactivity_timeout": "P7D"}
    assert alice.put(f"/api/mappings/{source['id']}/lifecycle", json=lifecycle).status_code == 200

    copied = data_of(bob.post(f"/api/mappings/{source['id']}/copy"), 201)

    assert set(copied) == MAPPING_KEYS | {"version"}
    assert copied["id"] != source["id"]
    assert copied["name"] == "Copy of Customer Transactions"
    assert copied["description"] == source["description"]
    assert copied["owner_username"] == "bob.jones"
    assert copied["current_version"] == 1
    assert copied["snapshot_count"] == 0
    # Lifecycle resets to the defaults.
    assert (copied["ttl"], copied["inactivity_timeout"]) == (None, "P30D")
    version = copied["version"]
    assert version["version"] == 1
    assert version["change_description"] is None
    assert (version["created_by"], version["created_by_name"]) == ("bob.jones", "Bob Jones")
    # The current (v2) definitions become the copy's v1; history is not copied.
    assert version["node_definitions"] == [CUSTOMER_V2, PRODUCT, SUPPLIER]
    assert version["edge_definitions"] == [PURCHASED_V2]
    assert _versions(bob, copied["id"])[1]["total"] == 1
    # The source is untouched.
    after = _get(alice, source["id"])
    assert (after["owner_username"], after["current_version"]) == ("alice.smith", 2)


def test_copy_with_an_explicit_name(alice: httpx.Client, bob: httpx.Client) -> None:
    source = create(alice, seed_body(token()))
    name = f"My Copy of Customer Transactions {token()}"

    copied = data_of(bob.post(f"/api/mappings/{source['id']}/copy", json={"name": name}), 201)

    assert copied["name"] == name
    assert copied["owner_username"] == "bob.jones"
    assert _get(bob, copied["id"]) == copied


def test_copy_does_not_take_the_snapshots(alice: httpx.Client, store: Store) -> None:
    source = create(alice, seed_body(token()))
    _insert_snapshot(store, source)

    copied = data_of(alice.post(f"/api/mappings/{source['id']}/copy", json={}), 201)

    assert copied["snapshot_count"] == 0
    assert page_of(alice.get(f"/api/mappings/{copied['id']}/snapshots"))[1]["total"] == 0


def test_default_copy_name_is_cut_to_the_name_limit(alice: httpx.Client) -> None:
    source = create(alice, simple_body("n" * 250))

    copied = data_of(alice.post(f"/api/mappings/{source['id']}/copy"), 201)

    assert copied["name"] == ("Copy of " + "n" * 250)[:255]


def test_copy_of_an_unknown_mapping_is_404(bob: httpx.Client) -> None:
    response = bob.post(f"/api/mappings/{MISSING_ID}/copy", json={})

    assert error_of(response, 404, "RESOURCE_NOT_FOUND")["details"] == {"id": MISSING_ID}


def test_copy_rejects_a_bad_body(alice: httpx.Client) -> None:
    source = create(alice, simple_body(f"Source {token()}"))

    response = alice.post(f"/api/mappings/{source['id']}/copy", json={"name": "x" * 256, "ttl": 1})

    assert error_fields(response) == ["name", "ttl"]


# -- lifecycle ---------------------------------------------------------------------------------


def test_set_lifecycle(alice: httpx.Client) -> None:
    created = create(alice, seed_body(token()))
    path = f"/api/mappings/{created['id']}"

    data = data_of(
        alice.put(f"{path}/lifecycle", json={"ttl": "P90D", "inactivity_timeout": "P30D"})
    )

    assert set(data) == {"id", "ttl", "inactivity_timeout", "updated_at"}
    assert (data["id"], data["ttl"], data["inactivity_timeout"]) == (created["id"], "P90D", "P30D")
    assert parse_ts(data["updated_at"]) > parse_ts(created["updated_at"])
    fetched = _get(alice, created["id"])
    assert (fetched["ttl"], fetched["inactivity_timeout"]) == ("P90D", "P30D")
    assert fetched["current_version"] == 1


def test_lifecycle_fields_are_optional_and_null_means_no_expiry(alice: httpx.Client) -> None:
    created = create(alice, seed_body(token(), ttl="P90D"))
    path = f"/api/mappings/{created['id']}/lifecycle"

    data = data_of(alice.put(path, json={"inactivity_timeout": "PT12H"}))
    assert (data["ttl"], data["inactivity_timeout"]) == ("P90D", "PT12H")

    data = data_of(alice.put(path, json={"ttl": None}))
    assert (data["ttl"], data["inactivity_timeout"]) == (None, "PT12H")

    data = data_of(alice.put(path, json={"ttl": "P1DT12H", "inactivity_timeout": "P1D"}))
    assert (data["ttl"], data["inactivity_timeout"]) == ("P1DT12H", "P1D")


def test_ttl_above_the_hard_limit_is_rejected(alice: httpx.Client) -> None:
    created = create(alice, seed_body(token()))

    response = alice.put(f"/api/mappings/{created['id']}/lifecycle", json={"ttl": "P400D"})

    error = error_of(response, 400, "VALIDATION_FAILED")
    assert error["message"] == "TTL exceeds maximum allowed"
    assert error["details"]["requested"] == "P400D"
    assert error["details"]["max_allowed"] == "P365D"
    assert _get(alice, created["id"])["ttl"] is None


def test_inactivity_timeout_longer_than_ttl_is_rejected(alice: httpx.Client) -> None:
    created = create(alice, seed_body(token()))

    body = {"ttl": "P10D", "inactivity_timeout": "P30D"}
    response = alice.put(f"/api/mappings/{created['id']}/lifecycle", json=body)

    error = error_of(response, 400, "VALIDATION_FAILED")
    assert error["details"]["field"] == "inactivity_timeout"
    assert (error["details"]["requested"], error["details"]["max_allowed"]) == ("P30D", "P10D")
    fetched = _get(alice, created["id"])
    assert (fetched["ttl"], fetched["inactivity_timeout"]) == (None, "P30D")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"ttl": "90 days"}, ["ttl"]),
        ({"ttl": "P"}, ["ttl"]),
        ({"inactivity_timeout": 30}, ["inactivity_timeout"]),
        ({"ttl": "PT", "inactivity_timeout": "30D"}, ["inactivity_timeout", "ttl"]),
        ({"ttl": "P90D", "expires_at": "2030-01-01"}, ["expires_at"]),
    ],
)
def test_malformed_lifecycle_is_rejected(
    alice: httpx.Client, body: dict[str, Any], fields: list[str]
) -> None:
    created = create(alice, seed_body(token()))

    response = alice.put(f"/api/mappings/{created['id']}/lifecycle", json=body)

    assert error_fields(response) == fields
    assert _get(alice, created["id"])["ttl"] is None


def test_create_with_lifecycle(alice: httpx.Client) -> None:
    created = create(alice, seed_body(token(), ttl="P90D", inactivity_timeout="P2W"))

    assert (created["ttl"], created["inactivity_timeout"]) == ("P90D", "P2W")


def test_create_with_ttl_above_the_limit_is_rejected(alice: httpx.Client) -> None:
    response = alice.post("/api/mappings", json=seed_body(token(), ttl="P400D"))

    assert error_fields(response) == ["ttl"]
    assert "TTL exceeds maximum allowed" in messages(response, "ttl")[0]


def test_lifecycle_of_an_unknown_mapping_is_404(alice: httpx.Client) -> None:
    response = alice.put(f"/api/mappings/{MISSING_ID}/lifecycle", json={"ttl": "P1D"})

    assert error_of(response, 404, "RESOURCE_NOT_FOUND")["details"] == {"id": MISSING_ID}


# -- delete ------------------------------------------------------------------------------------


def test_delete_then_the_mapping_is_gone(alice: httpx.Client) -> None:
    created = _seed_mapping_with_update(alice)
    path = f"/api/mappings/{created['id']}"

    response = alice.delete(path)

    assert data_of(response) == {"deleted": True}
    error = error_of(alice.get(path), 404, "RESOURCE_NOT_FOUND")
    assert error["details"] == {"id": created["id"]}
    error_of(alice.get(f"{path}/versions/1"), 404, "RESOURCE_NOT_FOUND")
    error_of(alice.delete(path), 404, "RESOURCE_NOT_FOUND")
    listed, _ = page_of(alice.get("/api/mappings", params={"search": created["description"]}))
    assert listed == []


def test_delete_of_a_mapping_with_snapshots_is_409(alice: httpx.Client, store: Store) -> None:
    created = _seed_mapping_with_update(alice)
    _insert_snapshot(store, created, version=2)

    response = alice.delete(f"/api/mappings/{created['id']}")

    error = error_of(response, 409, "RESOURCE_HAS_DEPENDENCIES")
    assert error["message"] == "Cannot delete mapping with existing snapshots"
    assert error["details"] == {"snapshot_count": 1}
    still = _get(alice, created["id"])
    assert (still["current_version"], still["snapshot_count"]) == (2, 1)
    assert _versions(alice, created["id"])[1]["total"] == 2


def test_delete_of_an_unknown_mapping_is_404(alice: httpx.Client) -> None:
    response = alice.delete(f"/api/mappings/{MISSING_ID}")

    assert error_of(response, 404, "RESOURCE_NOT_FOUND")["details"] == {"id": MISSING_ID}
