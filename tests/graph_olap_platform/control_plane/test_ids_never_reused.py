"""The id of a deleted mapping, snapshot or instance is never handed out again.

A client may still hold an old id (a favorite, a notebook variable, a log line); if the next
resource created reused it, that client would silently address a different resource. SQLite
reuses ``max(rowid) + 1`` unless the table is ``AUTOINCREMENT``, so each test deletes the newest
row, which is exactly the id plain rowid allocation would hand out next. Runs on the real server,
once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import InstanceRow, SnapshotRow
from tests.graph_olap_platform.control_plane.helpers import (
    create,
    data_of,
    error_of,
    simple_body,
    token,
)


def _insert_snapshot(store: Store, mapping: dict[str, Any]) -> int:
    # No public route creates a bare snapshot (the instance workflow does, after an export), so
    # the row a finished export leaves is written into the server's own store.
    with store.session(write=True) as session:
        row = SnapshotRow(
            mapping_id=mapping["id"],
            mapping_version=1,
            owner_username=mapping["owner_username"],
            name=f"Snapshot {token()}",
            status="ready",
        )
        session.add(row)
        session.flush()
        return row.id


def _insert_instance(store: Store, snapshot_id: int) -> int:
    # A failed instance: no wrapper process to launch or stop, but deletable through the API.
    with store.session(write=True) as session:
        row = InstanceRow(
            snapshot_id=snapshot_id,
            owner_username="alice.smith",
            wrapper_type="ryugraph",
            name=f"Instance {token()}",
            url_slug=str(uuid.uuid4()),
            status="failed",
        )
        session.add(row)
        session.flush()
        return row.id


def test_a_deleted_mappings_id_is_not_reused(alice: httpx.Client) -> None:
    tag = token()
    older = create(alice, simple_body(f"Older {tag}"))
    newest = create(alice, simple_body(f"Newest {tag}"))
    assert data_of(alice.delete(f"/api/mappings/{newest['id']}")) == {"deleted": True}

    created = create(alice, simple_body(f"Created after the delete {tag}"))

    assert created["id"] > newest["id"] > older["id"]
    error_of(alice.get(f"/api/mappings/{newest['id']}"), 404, "RESOURCE_NOT_FOUND")


def test_a_deleted_snapshots_id_is_not_reused(alice: httpx.Client, store: Store) -> None:
    mapping = create(alice, simple_body(f"Snapshots {token()}"))
    newest = _insert_snapshot(store, mapping)
    assert data_of(alice.delete(f"/api/snapshots/{newest}")) == {"deleted": True}

    created = _insert_snapshot(store, mapping)

    assert created > newest
    error_of(alice.get(f"/api/snapshots/{newest}"), 404, "RESOURCE_NOT_FOUND")
    assert data_of(alice.get(f"/api/snapshots/{created}"))["id"] == created


def test_a_deleted_instances_id_is_not_reused(alice: httpx.Client, store: Store) -> None:
    mapping = create(alice, simple_body(f"Instances {token()}"))
    snapshot = _insert_snapshot(store, mapping)
    newest = _insert_instance(store, snapshot)
    assert alice.delete(f"/api/instances/{newest}").status_code == 204

    created = _insert_instance(store, snapshot)

    assert created > newest
    error_of(alice.get(f"/api/instances/{newest}"), 404, "RESOURCE_NOT_FOUND")
    assert data_of(alice.get(f"/api/instances/{created}"))["id"] == created
