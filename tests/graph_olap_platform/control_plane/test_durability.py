"""A server killed with SIGKILL mid-write loses no acknowledged mapping (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.support.platform import PlatformProcess


def _mapping(token: str, index: int) -> dict[str, Any]:
    return {
        "name": f"durable {token} {index}",
        "description": f"written before the crash #{index}",
        "node_definitions": [
            {
                "label": "Customer",
                "sql": "SELECT customer_id, name FROM analytics.customers",
                "primary_key": {"name": "customer_id", "type": "STRING"},
                "properties": [{"name": "name", "type": "STRING"}],
            }
        ],
        "edge_definitions": [],
    }


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def crashable(request: pytest.FixtureRequest) -> Any:
    url = (
        request.getfixturevalue("postgres").create_database()
        if request.param == "postgresql"
        else None
    )
    server = PlatformProcess(database_url=url)
    server.start()
    server.create_users()
    yield server
    server.stop()


def test_every_acknowledged_create_survives_sigkill(crashable: PlatformProcess) -> None:
    token = uuid.uuid4().hex[:8]
    acknowledged: dict[int, dict[str, Any]] = {}
    stop = threading.Event()

    def writer() -> None:
        index = 0
        with crashable.http("alice.smith") as client:
            while not stop.is_set():
                body = _mapping(token, index)
                index += 1
                try:
                    response = client.post("/api/mappings", json=body)
                except httpx.TransportError:
                    continue  # the server is gone: this create was never acknowledged
                if response.status_code == 201:
                    acknowledged[response.json()["data"]["id"]] = body

    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    crashable.kill()  # while the writer is still sending
    time.sleep(0.2)
    stop.set()
    thread.join(timeout=30)
    assert len(acknowledged) >= 20

    crashable.start()
    with crashable.http("alice.smith") as client:
        for mapping_id, body in acknowledged.items():
            response = client.get(f"/api/mappings/{mapping_id}")
            assert response.status_code == 200, f"acknowledged mapping {mapping_id} was lost"
            data = response.json()["data"]
            assert data["name"] == body["name"]
            assert data["description"] == body["description"]
            assert data["current_version"] == 1
            assert data["version"]["node_definitions"] == body["node_definitions"]
        # The store is usable after the crash: new writes succeed.
        assert client.post("/api/mappings", json=_mapping(token, -1)).status_code == 201
