"""Concurrent writers never lose or duplicate a version (SQLite BEGIN IMMEDIATE, PG FOR UPDATE)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support.platform import PlatformProcess

WRITERS = 6
UPDATES_EACH = 4


def _node(sql_suffix: str = "") -> dict[str, Any]:
    return {
        "label": "Customer",
        "sql": f"SELECT customer_id, name FROM analytics.customers{sql_suffix}",
        "primary_key": {"name": "customer_id", "type": "STRING"},
        "properties": [{"name": "name", "type": "STRING"}],
    }


def test_parallel_updates_produce_contiguous_versions(platform: PlatformProcess) -> None:
    with platform.http("alice.smith") as client:
        created = client.post(
            "/api/mappings",
            json={"name": f"concurrent {uuid.uuid4().hex[:8]}", "node_definitions": [_node()]},
        )
        assert created.status_code == 201
        mapping_id = created.json()["data"]["id"]

    def writer(index: int) -> list[int]:
        statuses = []
        with platform.http("alice.smith") as client:
            for update in range(UPDATES_EACH):
                response = client.put(
                    f"/api/mappings/{mapping_id}",
                    json={
                        "change_description": f"writer {index} update {update}",
                        "node_definitions": [_node(f" WHERE name <> 'w{index}u{update}'")],
                    },
                )
                statuses.append(response.status_code)
        return statuses

    with ThreadPoolExecutor(WRITERS) as pool:
        results = [status for statuses in pool.map(writer, range(WRITERS)) for status in statuses]
    assert results == [200] * (WRITERS * UPDATES_EACH)

    expected = 1 + WRITERS * UPDATES_EACH
    with platform.http("bob.jones") as client:
        mapping = client.get(f"/api/mappings/{mapping_id}").json()["data"]
        versions = client.get(f"/api/mappings/{mapping_id}/versions", params={"limit": 100})
    assert mapping["current_version"] == expected
    numbers = [v["version"] for v in versions.json()["data"]]
    assert numbers == list(range(expected, 0, -1))
    descriptions = {v["change_description"] for v in versions.json()["data"]} - {None}
    assert len(descriptions) == WRITERS * UPDATES_EACH
