"""Clients for the test users of the shared `platform` server, and direct store access.

`platform` (tests/conftest.py) is one real server per store backend for the whole session, so
every fixture here only opens clients or adds rows of its own; none assumes an empty store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from graph_olap_platform.control_plane.store.db import Store
from tests.graph_olap_platform.control_plane.helpers import token
from tests.support.platform import PlatformProcess


@pytest.fixture
def alice(platform: PlatformProcess) -> Iterator[httpx.Client]:
    with platform.http("alice.smith") as client:
        yield client


@pytest.fixture
def bob(platform: PlatformProcess) -> Iterator[httpx.Client]:
    with platform.http("bob.jones") as client:
        yield client


@pytest.fixture
def admin(platform: PlatformProcess) -> Iterator[httpx.Client]:
    with platform.http("admin.user") as client:
        yield client


@pytest.fixture
def ops(platform: PlatformProcess) -> Iterator[httpx.Client]:
    with platform.http("ops.user") as client:
        yield client


@pytest.fixture
def anonymous(platform: PlatformProcess) -> Iterator[httpx.Client]:
    with platform.http(None) as client:
        yield client


@pytest.fixture
def store(platform: PlatformProcess) -> Iterator[Store]:
    """The server's own store, for rows no public route creates yet (snapshots, instances)."""
    opened = Store(platform.settings.resolved_database_url)
    yield opened
    opened.dispose()


@dataclass
class Caller:
    username: str
    client: httpx.Client


@pytest.fixture
def newcomer(platform: PlatformProcess, admin: httpx.Client) -> Iterator[Caller]:
    """A brand-new analyst (created through the admin API) who owns no mappings yet.

    "Nothing was written" is then simply: this user still owns zero mappings.
    """
    username = f"analyst.{token()}"
    response = admin.post("/api/users", json={"username": username, "role": "analyst"})
    assert response.status_code == 201, response.text
    key = response.json()["data"]["api_key"]
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=platform.url, headers=headers, timeout=30) as client:
        yield Caller(username, client)
