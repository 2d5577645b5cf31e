"""``client.mappings`` against the real control plane, on SQLite and on PostgreSQL.

Every test drives the SDK over loopback HTTP to a real ``graph-olap serve`` process (the session
``platform`` fixture, once per store backend); nothing is mocked. The server is shared by the
whole session, so each test creates its own mappings, puts a unique token in their names or
descriptions and filters lists with ``search=token``.

The definitions are the seed's Customer Transactions example: version 1 has Customer and Product
nodes and a PURCHASED edge; the update adds ``city`` to Customer, a Supplier node and
``purchase_date`` to PURCHASED, which yields exactly the diff shown in the seed.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from graph_olap import (
    AuthenticationError,
    ConflictError,
    DependencyError,
    EdgeDefinition,
    ForbiddenError,
    GraphOLAPClient,
    GraphOLAPError,
    Mapping,
    MappingDiff,
    MappingInstance,
    MappingTree,
    MappingVersion,
    MappingVersionNotFoundError,
    NodeDefinition,
    NotFoundError,
    PaginatedList,
    PermissionDeniedError,
    PrimaryKeyDefinition,
    PropertyDefinition,
    Snapshot,
    ValidationError,
    notebook,
)
from graph_olap.models import DiffSummary, TreeTotals
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import InstanceRow, SnapshotRow
from tests.support.platform import PlatformProcess

# -- the seed's definitions, as plain dicts ---------------------------------------------------

CUSTOMER_V1: dict[str, Any] = {
    "label": "Customer",
    "sql": "SELECT customer_id, name FROM analytics.customers",
    "primary_key": {"name": "customer_id", "type": "STRING"},
    "properties": [{"name": "name", "type": "STRING"}],
}
CUSTOMER_V2: dict[str, Any] = {
    "label": "Customer",
    "sql": "SELECT customer_id, name, city FROM analytics.customers",
    "primary_key": {"name": "customer_id", "type": "STRING"},
    "properties": [{"name": "name", "type": "STRING"}, {"name": "city", "type": "STRING"}],
}
PRODUCT: dict[str, Any] = {
    "label": "Product",
    "sql": "SELECT product_id, name FROM analytics.products",
    "primary_key": {"name": "product_id", "type": "STRING"},
    "properties": [{"name": "name", "type": "STRING"}],
}
SUPPLIER: dict[str, Any] = {
    "label": "Supplier",
    "sql": "SELECT supplier_id, name FROM analytics.suppliers",
    "primary_key": {"name": "supplier_id", "type": "STRING"},
    "properties": [{"name": "name", "type": "STRING"}],
}
# In the seed's diff only PURCHASED's properties change, never its SQL. The server checks an
# explicit projection against the declared columns, so one query serving both versions has to be
# a star projection (only the warehouse can expand it, so it is not checked statically).
PURCHASED_V1: dict[str, Any] = {
    "type": "PURCHASED",
    "from_node": "Customer",
    "to_node": "Product",
    "sql": "SELECT * FROM analytics.transactions",
    "from_key": "customer_id",
    "to_key": "product_id",
    "properties": [{"name": "amount", "type": "DOUBLE"}],
}
PURCHASED_V2: dict[str, Any] = {
    **PURCHASED_V1,
    "properties": [{"name": "amount", "type": "DOUBLE"}, {"name": "purchase_date", "type": "DATE"}],
}
SEED_CHANGE = "Added city, Supplier and purchase date"
SEED_DESCRIPTION = "Graph mapping for customer purchase behavior"
UNKNOWN_ID = 987_654_321


# -- the same definitions, built from the SDK's model classes ---------------------------------


def _string(name: str) -> PropertyDefinition:
    return PropertyDefinition(name=name, type="STRING")


def _node(label: str, sql: str, key: str, *properties: str) -> NodeDefinition:
    return NodeDefinition(
        label=label,
        sql=sql,
        primary_key=PrimaryKeyDefinition(name=key, type="STRING"),
        properties=[_string(name) for name in properties],
    )


def _purchased(*properties: PropertyDefinition) -> EdgeDefinition:
    return EdgeDefinition(
        type="PURCHASED",
        from_node="Customer",
        to_node="Product",
        sql="SELECT * FROM analytics.transactions",
        from_key="customer_id",
        to_key="product_id",
        properties=list(properties),
    )


AMOUNT = PropertyDefinition(name="amount", type="DOUBLE")
PURCHASE_DATE = PropertyDefinition(name="purchase_date", type="DATE")
CUSTOMER_V1_MODEL = _node("Customer", CUSTOMER_V1["sql"], "customer_id", "name")
CUSTOMER_V2_MODEL = _node("Customer", CUSTOMER_V2["sql"], "customer_id", "name", "city")
PRODUCT_MODEL = _node("Product", PRODUCT["sql"], "product_id", "name")
SUPPLIER_MODEL = _node("Supplier", SUPPLIER["sql"], "supplier_id", "name")


@dataclass(frozen=True)
class SeedDefinitions:
    """Version 1 and version 2 definitions of the seed in one input form."""

    nodes_v1: list[Any]
    edges_v1: list[Any]
    nodes_v2: list[Any]
    edges_v2: list[Any]


FORMS = {
    "models": SeedDefinitions(
        nodes_v1=[CUSTOMER_V1_MODEL, PRODUCT_MODEL],
        edges_v1=[_purchased(AMOUNT)],
        nodes_v2=[CUSTOMER_V2_MODEL, PRODUCT_MODEL, SUPPLIER_MODEL],
        edges_v2=[_purchased(AMOUNT, PURCHASE_DATE)],
    ),
    "dicts": SeedDefinitions(
        nodes_v1=[CUSTOMER_V1, PRODUCT],
        edges_v1=[PURCHASED_V1],
        nodes_v2=[CUSTOMER_V2, PRODUCT, SUPPLIER],
        edges_v2=[PURCHASED_V2],
    ),
}
DICTS = FORMS["dicts"]


def nodes(*definitions: dict[str, Any]) -> list[NodeDefinition]:
    """What the server stores and the SDK returns for these node dicts."""
    return [NodeDefinition.model_validate(d) for d in definitions]


def edges(*definitions: dict[str, Any]) -> list[EdgeDefinition]:
    return [EdgeDefinition.model_validate(d) for d in definitions]


def seed_diff(mapping_id: int) -> dict[str, Any]:
    """The seed's diff response (its versions 2→3 are this mapping's 1→2), verbatim."""
    return {
        "mapping_id": mapping_id,
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


# -- fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture
def alice(platform: PlatformProcess) -> Iterator[GraphOLAPClient]:
    with platform.sdk("alice.smith") as client:
        yield client


@pytest.fixture
def bob(platform: PlatformProcess) -> Iterator[GraphOLAPClient]:
    with platform.sdk("bob.jones") as client:
        yield client


@pytest.fixture
def admin(platform: PlatformProcess) -> Iterator[GraphOLAPClient]:
    with platform.sdk("admin.user") as client:
        yield client


@pytest.fixture
def ops(platform: PlatformProcess) -> Iterator[GraphOLAPClient]:
    with platform.sdk("ops.user") as client:
        yield client


@pytest.fixture
def tag() -> str:
    """A unique token for this test's names and descriptions."""
    return uuid.uuid4().hex[:12]


@pytest.fixture
def store(platform: PlatformProcess) -> Iterator[Store]:
    """Direct access to the platform's store, for rows no route creates yet."""
    db = Store(platform.settings.resolved_database_url)
    yield db
    db.dispose()


class RecordingTransport(httpx.HTTPTransport):
    """The real HTTP transport, keeping the requests it sent (to read their X-Request-ID)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return super().handle_request(request)


def create_seed(
    client: GraphOLAPClient, tag: str, form: SeedDefinitions = DICTS, **kwargs: Any
) -> Mapping:
    """The seed's create request, with the tag in name and description."""
    return client.mappings.create(
        name=f"Customer Transactions {tag}",
        description=f"{SEED_DESCRIPTION} {tag}",
        node_definitions=copy.deepcopy(form.nodes_v1),
        edge_definitions=copy.deepcopy(form.edges_v1),
        **kwargs,
    )


def create_simple(client: GraphOLAPClient, name: str, tag: str) -> Mapping:
    """A one-node mapping whose description carries the tag."""
    return client.mappings.create(
        name=name, description=f"simple {tag}", node_definitions=[CUSTOMER_V1]
    )


def update_to_v2(
    client: GraphOLAPClient, mapping_id: int, form: SeedDefinitions = DICTS
) -> Mapping:
    return client.mappings.update(
        mapping_id,
        SEED_CHANGE,
        node_definitions=copy.deepcopy(form.nodes_v2),
        edge_definitions=copy.deepcopy(form.edges_v2),
    )


def check_error(
    error: GraphOLAPError,
    cls: type[GraphOLAPError],
    *,
    code: str,
    status: int,
    details: dict[str, Any] | None = None,
) -> None:
    """The typed exception carries the server's code, status, details and request id."""
    assert type(error) is cls, repr(error)
    assert error.code == code
    assert error.status_code == status
    assert isinstance(error.message, str) and error.message
    assert str(error).startswith(error.message.splitlines()[0])
    if details is not None:
        assert error.details == details
    # The SDK sends a uuid4 X-Request-ID and the server reports it back in the error's meta.
    assert error.request_id is not None
    assert str(uuid.UUID(error.request_id)) == error.request_id


def add_snapshot(
    store: Store, mapping: Mapping, *, version: int, name: str, status: str = "ready"
) -> int:
    """Insert a snapshot row of ``mapping`` (the snapshot-creating route comes in a later issue)."""
    with store.session(write=True) as session:
        row = SnapshotRow(
            mapping_id=mapping.id,
            mapping_version=version,
            owner_username=mapping.owner_username,
            name=name,
            status=status,
        )
        session.add(row)
        session.flush()
        return row.id


def add_instance(store: Store, snapshot_id: int, *, name: str, status: str = "running") -> int:
    with store.session(write=True) as session:
        row = InstanceRow(
            snapshot_id=snapshot_id,
            owner_username="alice.smith",
            wrapper_type="ryugraph",
            name=name,
            url_slug=str(uuid.uuid4()),
            status=status,
        )
        session.add(row)
        session.flush()
        return row.id


def remove_rows(store: Store, *, snapshots: list[int], instances: list[int]) -> None:
    with store.session(write=True) as session:
        for instance_id in instances:
            session.delete(session.get(InstanceRow, instance_id))
        session.flush()
        for snapshot_id in snapshots:
            session.delete(session.get(SnapshotRow, snapshot_id))


# -- the seed example, end to end -------------------------------------------------------------


@pytest.mark.parametrize("form", sorted(FORMS))
def test_seed_example_end_to_end(alice: GraphOLAPClient, tag: str, form: str) -> None:
    definitions = FORMS[form]

    created = create_seed(alice, tag, definitions, inactivity_timeout="P30D")

    assert isinstance(created, Mapping)
    assert created.owner_username == "alice.smith"
    assert created.name == f"Customer Transactions {tag}"
    assert created.description == f"{SEED_DESCRIPTION} {tag}"
    assert created.current_version == 1
    assert created.ttl is None
    assert created.inactivity_timeout == "P30D"
    assert created.snapshot_count == 0
    assert created.created_at.tzinfo is not None
    assert created.updated_at == created.created_at
    version = created.version
    assert isinstance(version, MappingVersion)
    assert version.mapping_id == created.id
    assert version.version == 1
    assert version.change_description is None
    assert version.created_by == "alice.smith"
    assert version.created_by_name == "Alice Smith"
    assert all(isinstance(n, NodeDefinition) for n in version.node_definitions or [])
    assert all(isinstance(e, EdgeDefinition) for e in version.edge_definitions or [])
    assert created.node_definitions == nodes(CUSTOMER_V1, PRODUCT)
    assert created.edge_definitions == edges(PURCHASED_V1)

    # GET answers exactly what the create returned.
    assert alice.mappings.get(created.id) == created

    updated = update_to_v2(alice, created.id, definitions)

    assert updated.id == created.id
    assert updated.current_version == 2
    assert updated.updated_at > created.updated_at
    assert updated.created_at == created.created_at
    assert updated.version is not None
    assert updated.version.change_description == SEED_CHANGE
    assert updated.node_definitions == nodes(CUSTOMER_V2, PRODUCT, SUPPLIER)
    assert updated.edge_definitions == edges(PURCHASED_V2)

    diff = alice.mappings.diff_versions(created.id, from_version=1, to_version=2)

    assert isinstance(diff, MappingDiff)
    assert diff.to_dict() == seed_diff(created.id)
    assert diff.has_changes
    assert diff.summary == DiffSummary(nodes_added=1, nodes_modified=1, edges_modified=1)
    customer, supplier = diff.changes.nodes
    assert (customer.label, customer.change_type) == ("Customer", "modified")
    assert customer.fields_changed == ["sql", "properties"]
    assert customer.from_ == {
        "sql": CUSTOMER_V1["sql"],
        "properties": [{"name": "name", "type": "STRING"}],
    }
    assert customer.to == {"sql": CUSTOMER_V2["sql"], "properties": CUSTOMER_V2["properties"]}
    assert (supplier.label, supplier.change_type) == ("Supplier", "added")
    assert supplier.fields_changed is None
    assert supplier.from_ is None
    assert supplier.to == SUPPLIER
    (purchased,) = diff.changes.edges
    assert (purchased.type, purchased.change_type) == ("PURCHASED", "modified")
    assert purchased.fields_changed == ["properties"]
    assert purchased.from_ == {"properties": PURCHASED_V1["properties"]}
    assert purchased.to == {"properties": PURCHASED_V2["properties"]}

    # Code written against the seed's dict-returning SDK keeps working.
    assert diff["summary"]["nodes_added"] == 1
    assert diff["summary"]["edges_modified"] == 1
    assert diff["changes"]["nodes"][0]["from"]["sql"] == CUSTOMER_V1["sql"]
    assert diff["changes"]["nodes"][1]["to"]["label"] == "Supplier"
    assert diff["changes"]["edges"][0]["fields_changed"] == ["properties"]
    assert diff.get("no_such_field") is None
    with pytest.raises(KeyError):
        diff["no_such_field"]

    versions = alice.mappings.list_versions(created.id)

    assert [v.version for v in versions] == [2, 1]
    assert [v.change_description for v in versions] == [SEED_CHANGE, None]
    assert {v.created_by_name for v in versions} == {"Alice Smith"}
    assert all(v.node_definitions is None and v.edge_definitions is None for v in versions)

    first = alice.mappings.get_version(created.id, 1)
    assert isinstance(first, MappingVersion)
    assert first.mapping_id == created.id
    assert first.node_definitions == nodes(CUSTOMER_V1, PRODUCT)
    assert first.edge_definitions == edges(PURCHASED_V1)
    assert alice.mappings.get_version(created.id, 2) == updated.version


def test_model_and_dict_definitions_are_stored_alike(alice: GraphOLAPClient, tag: str) -> None:
    from_models = create_seed(alice, f"{tag} models", FORMS["models"])
    from_dicts = create_seed(alice, f"{tag} dicts", FORMS["dicts"])

    assert from_models.node_definitions == from_dicts.node_definitions
    assert from_models.edge_definitions == from_dicts.edge_definitions
    assert [n.to_dict() for n in from_dicts.node_definitions] == [CUSTOMER_V1, PRODUCT]
    assert [e.to_dict() for e in from_dicts.edge_definitions] == [PURCHASED_V1]


def test_create_normalises_types_and_accepts_timedeltas(alice: GraphOLAPClient, tag: str) -> None:
    customer = copy.deepcopy(CUSTOMER_V1)
    customer["primary_key"]["type"] = "string"
    customer["properties"] = [{"name": "name", "type": "String", "nullable": False}]

    created = alice.mappings.create(
        name=f"Normalised {tag}",
        node_definitions=[customer],
        ttl=timedelta(days=90),
        inactivity_timeout=timedelta(hours=36),
    )

    assert created.description is None
    assert created.edge_definitions == []
    (node,) = created.node_definitions
    assert node.primary_key == PrimaryKeyDefinition(name="customer_id", type="STRING")
    assert node.properties == [PropertyDefinition(name="name", type="STRING", nullable=False)]
    assert created.ttl == "P90D"
    assert created.inactivity_timeout == "P1DT12H"


# -- list -------------------------------------------------------------------------------------


@pytest.fixture
def listed(alice: GraphOLAPClient, bob: GraphOLAPClient, tag: str) -> list[Mapping]:
    """Four tagged mappings in creation order: three of alice's, then one of bob's."""
    return [
        create_simple(alice, f"beta {tag}", tag),
        create_simple(alice, f"Alpha {tag}", tag),
        create_simple(alice, f"Charlie {tag}", tag),
        create_simple(bob, f"delta {tag}", tag),
    ]


def test_list_returns_a_typed_page(alice: GraphOLAPClient, tag: str, listed: list[Mapping]) -> None:
    page = alice.mappings.list(search=tag)

    assert isinstance(page, PaginatedList)
    assert (page.total, page.offset, page.limit, page.has_more) == (4, 0, 50, False)
    assert len(page) == 4
    assert all(isinstance(item, Mapping) for item in page)
    # Newest first by default.
    assert [m.id for m in page] == [m.id for m in reversed(listed)]
    # List items are headers: equal to the created mapping apart from the version object.
    by_id = {m.id: m for m in listed}
    for item in page:
        assert item.version is None
        assert item == by_id[item.id].model_copy(update={"version": None})


def test_list_filters_by_owner_and_search(
    alice: GraphOLAPClient, tag: str, listed: list[Mapping]
) -> None:
    bobs = alice.mappings.list(owner="bob.jones", search=tag)
    assert [m.id for m in bobs] == [listed[3].id]
    assert bobs.total == 1

    alices = alice.mappings.list(owner="alice.smith", search=tag)
    assert {m.id for m in alices} == {m.id for m in listed[:3]}
    assert alices.total == 3

    # Search is a case-insensitive substring of the name or the description.
    assert [m.id for m in alice.mappings.list(search=f"CHARLIE {tag}")] == [listed[2].id]
    assert alice.mappings.list(search=f"SIMPLE {tag.upper()}").total == 4
    assert alice.mappings.list(owner="nobody.at.all", search=tag).total == 0


def test_list_search_folds_case_beyond_ascii(alice: GraphOLAPClient, tag: str) -> None:
    # SQLite's own lower() folds ASCII only; the store gives it Python's, as PostgreSQL does.
    mapping = create_simple(alice, f"CAFÉ Ünïcode {tag}", tag)

    for text in (f"CAFÉ Ünïcode {tag}", f"café ünïcode {tag}", f"Café ÜNÏCODE {tag}"):
        assert [m.id for m in alice.mappings.list(search=text)] == [mapping.id], text


def test_list_sorts(alice: GraphOLAPClient, tag: str, listed: list[Mapping]) -> None:
    beta, alpha, charlie, delta = listed

    def ids(**kwargs: Any) -> list[int]:
        return [m.id for m in alice.mappings.list(search=tag, **kwargs)]

    # Names sort case-insensitively.
    assert ids(sort_by="name", sort_order="asc") == [alpha.id, beta.id, charlie.id, delta.id]
    assert ids(sort_by="name", sort_order="desc") == [delta.id, charlie.id, beta.id, alpha.id]
    assert ids(sort_by="created_at", sort_order="asc") == [m.id for m in listed]
    assert ids(sort_by="created_at", sort_order="desc") == [m.id for m in reversed(listed)]

    alice.mappings.update(charlie.id, "second version", node_definitions=[CUSTOMER_V2])
    assert ids(sort_by="current_version", sort_order="desc")[0] == charlie.id
    assert ids(sort_by="current_version", sort_order="asc")[-1] == charlie.id
    assert ids(sort_by="updated_at", sort_order="desc")[0] == charlie.id


def test_list_pages(alice: GraphOLAPClient, tag: str, listed: list[Mapping]) -> None:
    everything = [m.id for m in alice.mappings.list(search=tag, sort_order="asc")]

    first = alice.mappings.list(search=tag, sort_order="asc", limit=3)
    second = alice.mappings.list(search=tag, sort_order="asc", offset=3, limit=3)
    beyond = alice.mappings.list(search=tag, sort_order="asc", offset=4, limit=3)

    assert (first.total, first.offset, first.limit, len(first), first.has_more) == (
        4,
        0,
        3,
        3,
        True,
    )
    assert (second.total, second.offset, second.limit, len(second)) == (4, 3, 3, 1)
    assert not second.has_more
    assert (beyond.total, len(beyond), beyond.has_more) == (4, 0, False)
    assert [m.id for m in first] + [m.id for m in second] == everything
    assert first.page_count == 2
    # The SDK caps the page size at the server's maximum instead of failing.
    assert alice.mappings.list(search=tag, limit=500).limit == 100


def test_list_filters_by_creation_time_with_datetimes(
    alice: GraphOLAPClient, tag: str, listed: list[Mapping]
) -> None:
    second = listed[1]

    def ids(**kwargs: Any) -> list[int]:
        page = alice.mappings.list(search=tag, sort_order="asc", **kwargs)
        assert page.total == len(page)
        return [m.id for m in page]

    # Both bounds are inclusive.
    assert ids(created_after=second.created_at) == [m.id for m in listed[1:]]
    assert ids(created_before=second.created_at) == [m.id for m in listed[:2]]
    assert ids(created_after=second.created_at, created_before=second.created_at) == [second.id]
    # A naive datetime is taken as UTC; another time zone is converted to UTC.
    naive = second.created_at.astimezone(UTC).replace(tzinfo=None)
    assert ids(created_after=naive) == [m.id for m in listed[1:]]
    shifted = second.created_at.astimezone(timezone(timedelta(hours=-5)))
    assert ids(created_before=shifted) == [m.id for m in listed[:2]]
    # ISO 8601 text works too.
    text = listed[3].created_at.isoformat()
    assert ids(created_after=text) == [listed[3].id]
    future = datetime.now(UTC) + timedelta(days=1)
    assert ids(created_after=future) == []


def test_list_rejects_an_unknown_sort_field(alice: GraphOLAPClient) -> None:
    with pytest.raises(ValidationError) as caught:
        alice.mappings.list(sort_by="owner_username")

    check_error(caught.value, ValidationError, code="VALIDATION_FAILED", status=400)
    assert [e["field"] for e in caught.value.errors] == ["sort_by"]


# -- get, versions, diff ----------------------------------------------------------------------


def test_list_versions_is_newest_first_with_who_made_each(
    alice: GraphOLAPClient, admin: GraphOLAPClient, tag: str
) -> None:
    mapping = create_seed(alice, tag)
    update_to_v2(alice, mapping.id)
    # An admin may change another user's mapping; the version records who did.
    admin.mappings.update(
        mapping.id, "Admin reverted to v1", node_definitions=[CUSTOMER_V1, PRODUCT]
    )

    versions = alice.mappings.list_versions(mapping.id)

    assert isinstance(versions, list)
    assert all(isinstance(v, MappingVersion) for v in versions)
    assert [v.version for v in versions] == [3, 2, 1]
    assert [v.created_by for v in versions] == ["admin.user", "alice.smith", "alice.smith"]
    assert [v.created_by_name for v in versions] == ["Admin User", "Alice Smith", "Alice Smith"]
    assert [v.change_description for v in versions] == ["Admin reverted to v1", SEED_CHANGE, None]
    assert [v.created_at for v in versions] == sorted(
        (v.created_at for v in versions), reverse=True
    )
    for v in versions:
        assert v.node_definitions is None
        assert v.edge_definitions is None
    assert alice.mappings.get(mapping.id).owner_username == "alice.smith"


def test_list_versions_fetches_every_page(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_simple(alice, f"Many versions {tag}", tag)
    for number in range(2, 103):
        node = CUSTOMER_V2 if number % 2 == 0 else CUSTOMER_V1
        alice.mappings.update(mapping.id, f"change {number}", node_definitions=[node])

    versions = alice.mappings.list_versions(mapping.id)

    # 102 versions span two server pages of 100; the SDK returns them all, newest first.
    assert [v.version for v in versions] == list(range(102, 0, -1))
    assert [v.change_description for v in versions[:2]] == ["change 102", "change 101"]
    assert versions[-1].change_description is None


def test_get_version_of_an_unknown_version(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_seed(alice, tag)
    update_to_v2(alice, mapping.id)
    alice.mappings.update(mapping.id, "third", node_definitions=[CUSTOMER_V1, PRODUCT])

    with pytest.raises(MappingVersionNotFoundError) as caught:
        alice.mappings.get_version(mapping.id, 5)

    error = caught.value
    check_error(
        error,
        MappingVersionNotFoundError,
        code="MAPPING_VERSION_NOT_FOUND",
        status=404,
        details={"mapping_id": mapping.id, "version": 5, "latest_version": 3},
    )
    assert isinstance(error, NotFoundError)
    assert error.latest_version == 3
    assert error.message == "Version 5 not found for mapping. The latest version is 3."


@pytest.mark.parametrize(("from_version", "to_version"), [(1, 7), (7, 1)])
def test_diff_with_an_unknown_version(
    alice: GraphOLAPClient, tag: str, from_version: int, to_version: int
) -> None:
    mapping = create_seed(alice, tag)

    with pytest.raises(NotFoundError) as caught:
        alice.mappings.diff_versions(mapping.id, from_version, to_version)

    check_error(
        caught.value,
        MappingVersionNotFoundError,
        code="MAPPING_VERSION_NOT_FOUND",
        status=404,
        details={"mapping_id": mapping.id, "version": 7, "latest_version": 1},
    )


def test_diff_backwards_and_against_itself(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_seed(alice, tag)
    update_to_v2(alice, mapping.id)

    backwards = alice.mappings.diff_versions(mapping.id, 2, 1)
    same = alice.mappings.diff_versions(mapping.id, 2, 2)

    assert backwards.summary == DiffSummary(nodes_removed=1, nodes_modified=1, edges_modified=1)
    removed = [n for n in backwards.changes.nodes if n.change_type == "removed"]
    assert [(n.label, n.from_, n.to) for n in removed] == [("Supplier", SUPPLIER, None)]
    assert (backwards.from_version, backwards.to_version) == (2, 1)
    assert not same.has_changes
    assert same.summary == DiffSummary()


# -- update -----------------------------------------------------------------------------------


def test_update_with_only_nodes_keeps_the_edges(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_seed(alice, tag)

    updated = alice.mappings.update(
        mapping.id,
        "Customer city and suppliers",
        node_definitions=[CUSTOMER_V2_MODEL, PRODUCT_MODEL, SUPPLIER_MODEL],
    )

    assert updated.current_version == 2
    assert updated.node_definitions == nodes(CUSTOMER_V2, PRODUCT, SUPPLIER)
    assert updated.edge_definitions == edges(PURCHASED_V1)
    diff = alice.mappings.diff_versions(mapping.id, 1, 2)
    assert diff.changes.edges == []
    assert diff.summary == DiffSummary(nodes_added=1, nodes_modified=1)


def test_update_with_only_edges_keeps_the_nodes(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_seed(alice, tag)

    updated = alice.mappings.update(mapping.id, "Purchase date", edge_definitions=[PURCHASED_V2])

    assert updated.current_version == 2
    assert updated.node_definitions == nodes(CUSTOMER_V1, PRODUCT)
    assert updated.edge_definitions == edges(PURCHASED_V2)


def test_update_of_name_or_description_creates_no_version(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_seed(alice, tag)

    renamed = alice.mappings.update(mapping.id, name=f"Renamed {tag}")
    described = alice.mappings.update(mapping.id, description=f"New description {tag}")

    assert renamed.current_version == described.current_version == 1
    assert renamed.name == described.name == f"Renamed {tag}"
    assert described.description == f"New description {tag}"
    assert renamed.updated_at > mapping.updated_at
    assert described.updated_at > renamed.updated_at
    assert described.version == mapping.version
    assert [v.version for v in alice.mappings.list_versions(mapping.id)] == [1]
    assert alice.mappings.get(mapping.id) == described


def test_update_of_definitions_requires_a_change_description(
    alice: GraphOLAPClient, tag: str
) -> None:
    mapping = create_seed(alice, tag)

    with pytest.raises(ValidationError) as caught:
        alice.mappings.update(mapping.id, node_definitions=[CUSTOMER_V2, PRODUCT])

    error = caught.value
    check_error(error, ValidationError, code="VALIDATION_FAILED", status=400)
    assert error.message == "change_description is required when updating mapping definitions"
    assert error.details["field"] == "change_description"
    assert error.errors == [
        {
            "field": "change_description",
            "message": "change_description is required when updating mapping definitions",
        }
    ]
    assert alice.mappings.get(mapping.id) == mapping


@pytest.mark.parametrize("header", [{}, {"name": "Renamed"}], ids=["alone", "with-name"])
def test_update_with_only_a_change_description_is_refused_and_changes_nothing(
    alice: GraphOLAPClient, tag: str, header: dict[str, str]
) -> None:
    # update(id, "note"): the note would describe a new version, but no definitions create one.
    mapping = create_seed(alice, tag)
    message = (
        "change_description only goes with new node_definitions or edge_definitions (it "
        "describes the new version they create); nothing was changed"
    )

    with pytest.raises(ValidationError) as caught:
        alice.mappings.update(mapping.id, "note", **header)

    error = caught.value
    check_error(error, ValidationError, code="VALIDATION_FAILED", status=400)
    assert error.message == message
    assert error.details["field"] == "change_description"
    assert error.errors == [{"field": "change_description", "message": message}]
    assert alice.mappings.get(mapping.id) == mapping
    assert [v.version for v in alice.mappings.list_versions(mapping.id)] == [1]


def test_update_without_changes_is_refused_before_sending(alice: GraphOLAPClient) -> None:
    with pytest.raises(ValueError, match="needs something to change"):
        alice.mappings.update(UNKNOWN_ID)


def test_update_validates_new_definitions(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_seed(alice, tag)
    # Dropping Product while PURCHASED still points at it leaves a dangling edge.
    with pytest.raises(ValidationError) as caught:
        alice.mappings.update(mapping.id, "Drop products", node_definitions=[CUSTOMER_V1])

    assert caught.value.errors == [
        {
            "field": "edge_definitions[0].to_node",
            "message": "Referenced node 'Product' not found in node_definitions",
        }
    ]
    assert alice.mappings.get(mapping.id).current_version == 1


# -- permissions ------------------------------------------------------------------------------


def test_another_analyst_may_not_change_a_mapping(
    alice: GraphOLAPClient, bob: GraphOLAPClient, tag: str
) -> None:
    mapping = create_seed(alice, tag)
    denied = {"owner_username": "alice.smith", "your_role": "analyst"}

    with pytest.raises(PermissionDeniedError) as caught:
        update_to_v2(bob, mapping.id)

    error = caught.value
    check_error(error, PermissionDeniedError, code="PERMISSION_DENIED", status=403, details=denied)
    assert not isinstance(error, ForbiddenError)
    assert "Only the owner or an admin can update this mapping" in error.message

    attempts: list[Callable[[], object]] = [
        lambda: bob.mappings.update(mapping.id, name=f"Hijacked {tag}"),
        lambda: bob.mappings.set_lifecycle(mapping.id, ttl="P1D"),
        lambda: bob.mappings.delete(mapping.id),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDeniedError) as caught:
            attempt()
        check_error(
            caught.value,
            PermissionDeniedError,
            code="PERMISSION_DENIED",
            status=403,
            details=denied,
        )

    # Reads are open to every user, and nothing changed.
    assert bob.mappings.get(mapping.id) == mapping


@pytest.mark.parametrize(("privileged", "username"), [("admin", "admin.user"), ("ops", "ops.user")])
def test_admins_and_ops_may_change_any_mapping(
    request: pytest.FixtureRequest,
    alice: GraphOLAPClient,
    tag: str,
    privileged: str,
    username: str,
) -> None:
    client: GraphOLAPClient = request.getfixturevalue(privileged)
    mapping = create_seed(alice, tag)

    updated = update_to_v2(client, mapping.id)
    lifecycle = client.mappings.set_lifecycle(mapping.id, ttl="P60D")

    # The mapping stays alice's; the new version records who made it.
    assert updated.owner_username == "alice.smith"
    assert updated.version is not None
    assert updated.version.created_by == username
    assert lifecycle.ttl == "P60D"
    client.mappings.delete(mapping.id)
    with pytest.raises(NotFoundError):
        alice.mappings.get(mapping.id)


# -- copy -------------------------------------------------------------------------------------


def test_copy_without_a_name(alice: GraphOLAPClient, bob: GraphOLAPClient, tag: str) -> None:
    source = create_seed(alice, tag, ttl="P90D")
    source = update_to_v2(alice, source.id)

    duplicate = bob.mappings.copy(source.id)

    assert isinstance(duplicate, Mapping)
    assert duplicate.id != source.id
    assert duplicate.name == f"Copy of Customer Transactions {tag}"
    assert duplicate.owner_username == "bob.jones"
    assert duplicate.description == source.description
    assert duplicate.current_version == 1
    assert duplicate.snapshot_count == 0
    # The copy starts from the platform's defaults, not the source's lifecycle.
    assert (duplicate.ttl, duplicate.inactivity_timeout) == (None, "P30D")
    assert duplicate.version is not None
    assert duplicate.version.version == 1
    assert duplicate.version.change_description is None
    assert duplicate.version.created_by == "bob.jones"
    assert duplicate.version.created_by_name == "Bob Jones"
    # It holds the source's current (version 2) definitions.
    assert duplicate.node_definitions == source.node_definitions
    assert duplicate.edge_definitions == source.edge_definitions
    assert bob.mappings.get(duplicate.id) == duplicate
    assert alice.mappings.get(source.id) == source
    # The copy is the caller's own: bob can change it.
    assert bob.mappings.update(duplicate.id, name=f"Bobs {tag}").name == f"Bobs {tag}"


def test_copy_with_a_name(alice: GraphOLAPClient, bob: GraphOLAPClient, tag: str) -> None:
    source = create_seed(alice, tag)

    duplicate = bob.mappings.copy(source.id, f"My Copy of Customer Transactions {tag}")

    assert duplicate.name == f"My Copy of Customer Transactions {tag}"
    assert duplicate.owner_username == "bob.jones"
    assert duplicate.node_definitions == source.node_definitions
    found = alice.mappings.list(search=tag, owner="bob.jones")
    assert [m.id for m in found] == [duplicate.id]


def test_copy_with_an_invalid_name(alice: GraphOLAPClient, tag: str) -> None:
    source = create_seed(alice, tag)

    with pytest.raises(ValidationError) as caught:
        alice.mappings.copy(source.id, f"bad/name {tag}")

    check_error(caught.value, ValidationError, code="VALIDATION_FAILED", status=400)
    assert [e["field"] for e in caught.value.errors] == ["name"]
    assert alice.mappings.list(search=tag).total == 1


# -- lifecycle --------------------------------------------------------------------------------


def test_set_lifecycle_sets_keeps_and_clears(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_seed(alice, tag)
    assert (mapping.ttl, mapping.inactivity_timeout) == (None, "P30D")

    both = alice.mappings.set_lifecycle(mapping.id, ttl="P90D", inactivity_timeout="P30D")
    assert isinstance(both, Mapping)
    assert (both.ttl, both.inactivity_timeout) == ("P90D", "P30D")
    assert both.updated_at > mapping.updated_at
    assert both.current_version == 1

    # An omitted argument is left unchanged.
    only_timeout = alice.mappings.set_lifecycle(mapping.id, inactivity_timeout="P7D")
    assert (only_timeout.ttl, only_timeout.inactivity_timeout) == ("P90D", "P7D")

    # An explicit None clears.
    cleared = alice.mappings.set_lifecycle(mapping.id, ttl=None)
    assert (cleared.ttl, cleared.inactivity_timeout) == (None, "P7D")

    # timedeltas are sent as ISO 8601 durations.
    as_delta = alice.mappings.set_lifecycle(mapping.id, ttl=timedelta(days=10))
    assert (as_delta.ttl, as_delta.inactivity_timeout) == ("P10D", "P7D")

    both_cleared = alice.mappings.set_lifecycle(mapping.id, ttl=None, inactivity_timeout=None)
    assert (both_cleared.ttl, both_cleared.inactivity_timeout) == (None, None)
    assert alice.mappings.get(mapping.id) == both_cleared


def test_set_lifecycle_without_arguments_is_refused_before_sending(
    alice: GraphOLAPClient,
) -> None:
    with pytest.raises(ValueError, match="ttl= and/or inactivity_timeout="):
        alice.mappings.set_lifecycle(UNKNOWN_ID)


def test_ttl_over_the_maximum(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_seed(alice, tag)
    alice.mappings.set_lifecycle(mapping.id, ttl="P90D")

    with pytest.raises(ValidationError) as caught:
        alice.mappings.set_lifecycle(mapping.id, ttl="P400D")

    error = caught.value
    check_error(error, ValidationError, code="VALIDATION_FAILED", status=400)
    assert error.message == "TTL exceeds maximum allowed"
    assert error.details["requested"] == "P400D"
    assert error.details["max_allowed"] == "P365D"
    assert error.errors == [{"field": "ttl", "message": "TTL exceeds maximum allowed"}]
    assert "ttl: TTL exceeds maximum allowed" in str(error)
    assert alice.mappings.get(mapping.id).ttl == "P90D"

    # The limit applies at creation too, reported with the other field problems.
    with pytest.raises(ValidationError) as caught:
        create_seed(alice, f"{tag} too long", ttl="P400D")
    (problem,) = caught.value.errors
    assert problem["field"] == "ttl"
    assert "P400D" in problem["message"] and "P365D" in problem["message"]


def test_set_lifecycle_rejects_malformed_durations(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_seed(alice, tag)

    with pytest.raises(ValidationError) as caught:
        alice.mappings.set_lifecycle(mapping.id, ttl="ten days", inactivity_timeout="P1X")

    assert sorted(e["field"] for e in caught.value.errors) == ["inactivity_timeout", "ttl"]
    assert alice.mappings.get(mapping.id) == mapping


# -- delete -----------------------------------------------------------------------------------


def test_delete_then_get(alice: GraphOLAPClient, tag: str) -> None:
    mapping = create_seed(alice, tag)
    update_to_v2(alice, mapping.id)

    assert alice.mappings.delete(mapping.id) is None

    with pytest.raises(NotFoundError) as caught:
        alice.mappings.get(mapping.id)
    check_error(
        caught.value,
        NotFoundError,
        code="RESOURCE_NOT_FOUND",
        status=404,
        details={"id": mapping.id},
    )
    assert caught.value.message == "Mapping not found"
    with pytest.raises(NotFoundError):
        alice.mappings.get_version(mapping.id, 1)
    with pytest.raises(NotFoundError):
        alice.mappings.delete(mapping.id)
    assert alice.mappings.list(search=tag).total == 0


def test_delete_with_snapshots_raises_dependency_error(
    alice: GraphOLAPClient, tag: str, store: Store
) -> None:
    mapping = create_seed(alice, tag)
    # No route creates snapshots yet (that arrives with the snapshot API in a later issue), so
    # the test writes the row into the platform's store directly.
    snapshot_id = add_snapshot(store, mapping, version=1, name=f"Snapshot {tag}")

    with pytest.raises(DependencyError) as caught:
        alice.mappings.delete(mapping.id)

    error = caught.value
    check_error(
        error,
        DependencyError,
        code="RESOURCE_HAS_DEPENDENCIES",
        status=409,
        details={"snapshot_count": 1},
    )
    assert isinstance(error, ConflictError)
    assert error.message.startswith("Cannot delete mapping with existing snapshots")
    assert "Delete the dependent instances and snapshots first." in error.message
    assert alice.mappings.get(mapping.id).snapshot_count == 1

    remove_rows(store, snapshots=[snapshot_id], instances=[])
    alice.mappings.delete(mapping.id)
    with pytest.raises(NotFoundError):
        alice.mappings.get(mapping.id)


# -- snapshots, instances and the resource tree -----------------------------------------------


def test_a_new_mapping_has_no_snapshots_instances_or_tree_below_its_versions(
    alice: GraphOLAPClient, tag: str
) -> None:
    mapping = create_seed(alice, tag)
    update_to_v2(alice, mapping.id)

    snapshots = alice.mappings.list_snapshots(mapping.id)
    instances = alice.mappings.list_instances(mapping.id)
    tree = alice.mappings.get_tree(mapping.id)

    assert isinstance(snapshots, PaginatedList)
    assert (snapshots.items, snapshots.total, snapshots.offset, snapshots.limit) == ([], 0, 0, 50)
    assert isinstance(instances, PaginatedList)
    assert (instances.items, instances.total, instances.has_more) == ([], 0, False)
    assert isinstance(tree, MappingTree)
    assert (tree.id, tree.name, tree.owner_username, tree.current_version) == (
        mapping.id,
        mapping.name,
        "alice.smith",
        2,
    )
    assert [(v.version, v.change_description) for v in tree.versions] == [
        (2, SEED_CHANGE),
        (1, None),
    ]
    assert all(v.snapshot_count == 0 and v.snapshots == [] for v in tree.versions)
    assert tree.totals == TreeTotals(version_count=2, snapshot_count=0, instance_count=0)
    # Dict-style access, as with the seed's dict-returning get_tree.
    assert tree["totals"]["version_count"] == 2
    assert tree["versions"][0]["version"] == 2


def test_snapshots_instances_and_tree_of_a_used_mapping(
    alice: GraphOLAPClient, tag: str, store: Store
) -> None:
    mapping = create_seed(alice, tag)
    update_to_v2(alice, mapping.id)
    # Snapshot and instance routes arrive in later issues: the rows go into the store directly.
    failed = add_snapshot(store, mapping, version=1, name="Test Snapshot", status="failed")
    january = add_snapshot(store, mapping, version=1, name="January Snapshot")
    latest = add_snapshot(store, mapping, version=2, name="Latest Snapshot")
    first = add_instance(store, latest, name="Analysis 1")
    second = add_instance(store, latest, name="Analysis 2", status="starting")

    snapshots = alice.mappings.list_snapshots(mapping.id)
    assert snapshots.total == 3
    assert all(isinstance(s, Snapshot) for s in snapshots)
    assert [(s.id, s.name, s.mapping_version, s.status) for s in snapshots] == [
        (latest, "Latest Snapshot", 2, "ready"),
        (january, "January Snapshot", 1, "ready"),
        (failed, "Test Snapshot", 1, "failed"),
    ]
    assert {s.mapping_id for s in snapshots} == {mapping.id}
    assert {s.mapping_name for s in snapshots} == {mapping.name}
    assert [s.instance_count for s in snapshots] == [2, 0, 0]
    paged = alice.mappings.list_snapshots(mapping.id, offset=1, limit=1)
    assert ([s.id for s in paged], paged.total, paged.has_more) == ([january], 3, True)

    instances = alice.mappings.list_instances(mapping.id)
    assert instances.total == 2
    assert all(isinstance(i, MappingInstance) for i in instances)
    assert [(i.id, i.name, i.status) for i in instances] == [
        (second, "Analysis 2", "starting"),
        (first, "Analysis 1", "running"),
    ]
    for instance in instances:
        assert instance.snapshot_id == latest
        assert instance.snapshot_name == "Latest Snapshot"
        assert instance.owner_username == "alice.smith"
        assert instance.wrapper_type == "ryugraph"
    paged_instances = alice.mappings.list_instances(mapping.id, offset=1, limit=1)
    assert [i.id for i in paged_instances] == [first]
    assert alice.mappings.get(mapping.id).snapshot_count == 3
    assert alice.mappings.list(search=tag)[0].snapshot_count == 3

    tree = alice.mappings.get_tree(mapping.id)
    assert tree.totals == TreeTotals(version_count=2, snapshot_count=3, instance_count=2)
    v2, v1 = tree.versions
    assert (v2.version, v2.snapshot_count, v1.version, v1.snapshot_count) == (2, 1, 1, 2)
    (latest_node,) = v2.snapshots
    assert (latest_node.id, latest_node.status, latest_node.instance_count) == (latest, "ready", 2)
    assert [(i.id, i.name, i.status) for i in latest_node.instances] == [
        (first, "Analysis 1", "running"),
        (second, "Analysis 2", "starting"),
    ]
    assert [(s.id, s.name) for s in v1.snapshots] == [
        (january, "January Snapshot"),
        (failed, "Test Snapshot"),
    ]

    without_instances = alice.mappings.get_tree(mapping.id, include_instances=False)
    (latest_only,) = without_instances.versions[0].snapshots
    assert latest_only.instances == []
    assert latest_only.instance_count == 2

    ready = alice.mappings.get_tree(mapping.id, status="ready")
    assert [s.id for v in ready.versions for s in v.snapshots] == [latest, january]
    assert ready.totals.snapshot_count == 2
    assert ready.totals.version_count == 2

    with pytest.raises(ValidationError) as caught:
        alice.mappings.get_tree(mapping.id, status="sleeping")
    assert [e["field"] for e in caught.value.errors] == ["status"]

    remove_rows(store, snapshots=[failed, january, latest], instances=[first, second])
    alice.mappings.delete(mapping.id)


# -- errors -----------------------------------------------------------------------------------


def test_validation_error_lists_every_problem(alice: GraphOLAPClient, tag: str) -> None:
    dangling_ddl = {**PURCHASED_V1, "to_node": "Supplier", "sql": "DROP TABLE analytics.purchases"}

    with pytest.raises(ValidationError) as caught:
        alice.mappings.create(
            name=f"Broken {tag}",
            description=tag,
            node_definitions=[CUSTOMER_V1, PRODUCT, CUSTOMER_V1],
            edge_definitions=[dangling_ddl],
        )

    error = caught.value
    check_error(error, ValidationError, code="VALIDATION_FAILED", status=400)
    assert error.message == "Invalid request body"
    expected = [
        {
            "field": "node_definitions[2].label",
            "message": "Duplicate label 'Customer' (also node_definitions[0])",
        },
        {
            "field": "edge_definitions[0].to_node",
            "message": "Referenced node 'Supplier' not found in node_definitions",
        },
        {
            "field": "edge_definitions[0].sql",
            "message": "SQL must be a read-only SELECT query, found DROP statement",
        },
    ]
    assert error.errors == expected
    assert error.details == {"errors": expected}
    # str() shows every problem, one per line, so a notebook traceback lists all of them.
    assert str(error).splitlines() == [
        "Invalid request body",
        *(f"  - {e['field']}: {e['message']}" for e in expected),
    ]
    # Nothing was stored.
    assert alice.mappings.list(search=tag).total == 0


def test_validation_error_of_the_seed_example(alice: GraphOLAPClient, tag: str) -> None:
    unlabelled = {key: value for key, value in CUSTOMER_V1.items() if key != "label"}

    with pytest.raises(ValidationError) as caught:
        alice.mappings.create(
            name=f"Unlabelled {tag}",
            node_definitions=[unlabelled],
            edge_definitions=[{**PURCHASED_V1, "to_node": "Customer"}],
        )

    # The seed's example response, both problems at once.
    assert caught.value.errors == [
        {"field": "node_definitions[0].label", "message": "Label is required"},
        {
            "field": "edge_definitions[0].from_node",
            "message": "Referenced node 'Customer' not found in node_definitions",
        },
        {
            "field": "edge_definitions[0].to_node",
            "message": "Referenced node 'Customer' not found in node_definitions",
        },
    ]


def test_error_request_id_is_the_one_the_sdk_sent(platform: PlatformProcess, tag: str) -> None:
    transport = RecordingTransport()
    client = GraphOLAPClient(
        platform.url, api_key=platform.keys["alice.smith"], max_retries=0, transport=transport
    )
    with client:
        with pytest.raises(ValidationError) as invalid:
            client.mappings.create(name=f"Empty {tag}", node_definitions=[])
        sent_invalid = transport.requests[-1].headers["X-Request-ID"]
        with pytest.raises(NotFoundError) as missing:
            client.mappings.get(UNKNOWN_ID)
        sent_missing = transport.requests[-1].headers["X-Request-ID"]

    assert invalid.value.request_id == sent_invalid
    assert missing.value.request_id == sent_missing
    assert sent_invalid != sent_missing


UNKNOWN_MAPPING_CALLS: dict[str, Callable[[GraphOLAPClient], object]] = {
    "get": lambda c: c.mappings.get(UNKNOWN_ID),
    "get_version": lambda c: c.mappings.get_version(UNKNOWN_ID, 1),
    "list_versions": lambda c: c.mappings.list_versions(UNKNOWN_ID),
    "list_snapshots": lambda c: c.mappings.list_snapshots(UNKNOWN_ID),
    "list_instances": lambda c: c.mappings.list_instances(UNKNOWN_ID),
    "update": lambda c: c.mappings.update(UNKNOWN_ID, "x", node_definitions=[CUSTOMER_V1]),
    "delete": lambda c: c.mappings.delete(UNKNOWN_ID),
    "copy": lambda c: c.mappings.copy(UNKNOWN_ID),
    "set_lifecycle": lambda c: c.mappings.set_lifecycle(UNKNOWN_ID, ttl="P1D"),
    "get_tree": lambda c: c.mappings.get_tree(UNKNOWN_ID),
    "diff_versions": lambda c: c.mappings.diff_versions(UNKNOWN_ID, 1, 2),
}


@pytest.mark.parametrize("method", sorted(UNKNOWN_MAPPING_CALLS))
def test_unknown_mapping_raises_not_found(alice: GraphOLAPClient, method: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        UNKNOWN_MAPPING_CALLS[method](alice)

    check_error(
        caught.value,
        NotFoundError,
        code="RESOURCE_NOT_FOUND",
        status=404,
        details={"id": UNKNOWN_ID},
    )
    assert caught.value.message == "Mapping not found"


def test_wrong_api_key_raises_authentication_error(platform: PlatformProcess) -> None:
    client = GraphOLAPClient(platform.url, api_key="gok_not-a-real-key", max_retries=0)
    with client, pytest.raises(AuthenticationError) as caught:
        client.mappings.list()

    error = caught.value
    check_error(error, AuthenticationError, code="UNAUTHORIZED", status=401, details={})
    assert error.message.startswith("Invalid API key")
    assert "GRAPH_OLAP_API_KEY" in error.message


def test_username_is_refused_outside_dev_mode(platform: PlatformProcess) -> None:
    with GraphOLAPClient(platform.url, username="alice.smith", max_retries=0) as client:
        assert client.config.auth_mode == "username"
        with pytest.raises(AuthenticationError) as caught:
            client.mappings.create(name="Never stored", node_definitions=[CUSTOMER_V1])

    error = caught.value
    check_error(error, AuthenticationError, code="UNAUTHORIZED", status=401)
    assert "dev mode" in error.message


def test_no_credentials_raise_authentication_error(platform: PlatformProcess) -> None:
    client = GraphOLAPClient(platform.url, max_retries=0)
    with client, pytest.raises(AuthenticationError) as caught:
        client.mappings.get(UNKNOWN_ID)

    check_error(caught.value, AuthenticationError, code="UNAUTHORIZED", status=401)
    assert caught.value.message.startswith("Authentication required")


# -- notebook entry point, dev mode -----------------------------------------------------------


def test_notebook_connect_talks_to_the_dev_platform(
    monkeypatch: pytest.MonkeyPatch, dev_platform: PlatformProcess, tag: str
) -> None:
    monkeypatch.setattr(notebook, "_current_client", None)
    monkeypatch.setenv("GRAPH_OLAP_API_URL", dev_platform.url)
    monkeypatch.setenv("GRAPH_OLAP_USERNAME", "alice.smith")

    client = notebook.connect()
    try:
        assert notebook.get_client() is client
        assert client.config.api_url == dev_platform.url
        assert client.config.auth_mode == "username"
        assert client.health.ready().status == "ready"

        mapping = create_simple(client, f"Customers {tag}", tag)

        assert mapping.owner_username == "alice.smith"
        assert mapping.version is not None
        assert mapping.version.created_by_name == "Alice Smith"
        # Helpers reach the same client through get_client().
        remembered = notebook.get_client()
        assert remembered is client
        assert [m.id for m in remembered.mappings.list(search=tag)] == [mapping.id]
    finally:
        client.close()


def test_dev_mode_provisions_unknown_usernames(dev_platform: PlatformProcess, tag: str) -> None:
    username = f"carol.{tag}"
    with GraphOLAPClient(dev_platform.url, username=username, max_retries=0) as carol:
        mapping = create_simple(carol, f"Customers {tag}", tag)
        copied = carol.mappings.copy(mapping.id)

    assert mapping.owner_username == copied.owner_username == username
    assert mapping.version is not None
    assert (mapping.version.created_by, mapping.version.created_by_name) == (username, username)
    # A provisioned user is an analyst: others' mappings stay read-only to them.
    with GraphOLAPClient(dev_platform.url, username=f"dave.{tag}", max_retries=0) as dave:
        assert dave.mappings.get(mapping.id) == mapping
        with pytest.raises(PermissionDeniedError) as caught:
            dave.mappings.delete(mapping.id)
    assert caught.value.details == {"owner_username": username, "your_role": "analyst"}
