"""``client.health`` against real control-plane processes (no HTTP mocks).

``/health`` and ``/ready`` are unauthenticated, so they answer any client, with or without
credentials. The not-ready case runs a platform of its own on a PostgreSQL server of its own and
then stops that database, so the shared servers are never disturbed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from graph_olap import GraphOLAPClient, HealthStatus
from graph_olap_platform import __version__ as platform_version
from tests.support.platform import PlatformProcess
from tests.support.postgres import PostgresServer, find_pg_bin


def _recent(moment: datetime | None) -> bool:
    assert moment is not None
    assert moment.tzinfo is not None
    return abs(datetime.now(UTC) - moment) < timedelta(minutes=5)


@pytest.fixture(params=["anonymous", "api_key", "wrong_key"])
def any_client(
    request: pytest.FixtureRequest, platform: PlatformProcess
) -> Iterator[GraphOLAPClient]:
    """A client without credentials, with a valid key and with a key the platform rejects."""
    key = {
        "anonymous": None,
        "api_key": platform.keys["alice.smith"],
        "wrong_key": "gok_not-a-real-key",
    }[request.param]
    with GraphOLAPClient(platform.url, api_key=key, max_retries=0) as client:
        yield client


def test_check_reports_liveness_and_version(any_client: GraphOLAPClient) -> None:
    health = any_client.health.check()

    assert isinstance(health, HealthStatus)
    assert health.status == "ok"
    assert health.ok
    assert health.version == platform_version
    assert health.database is None
    assert _recent(health.checked_at)


def test_ready_reports_the_store_backend(
    any_client: GraphOLAPClient, platform: PlatformProcess
) -> None:
    ready = any_client.health.ready()

    assert isinstance(ready, HealthStatus)
    assert ready.status == "ready"
    assert ready.ok
    assert ready.database == platform.backend
    assert ready.database in ("sqlite", "postgresql")
    assert ready.version == platform_version
    assert _recent(ready.checked_at)


def test_dev_platform_is_ready_on_sqlite(dev_platform: PlatformProcess) -> None:
    with GraphOLAPClient(dev_platform.url, username="alice.smith", max_retries=0) as client:
        assert client.health.check().status == "ok"
        ready = client.health.ready()

    assert (ready.status, ready.database) == ("ready", "sqlite")


@pytest.fixture
def lonely_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server used by one platform only, so the test may stop it."""
    if os.environ.get("GRAPH_OLAP_TEST_POSTGRES") == "skip":
        pytest.skip("GRAPH_OLAP_TEST_POSTGRES=skip")
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed; run scripts/test.sh")
    server = PostgresServer(bin_dir)
    server.start()
    yield server
    if server.root.exists():  # the test stops it itself; stop() also removes the directory
        server.stop()


@pytest.mark.postgres
def test_ready_reports_an_unreachable_store(lonely_postgres: PostgresServer) -> None:
    platform = PlatformProcess(database_url=lonely_postgres.create_database(), backend="postgresql")
    platform.start()
    try:
        with GraphOLAPClient(platform.url, max_retries=0) as client:
            assert client.health.ready().status == "ready"
            lonely_postgres.stop()

            # The platform answers 503 with its readiness report: a result, not an exception.
            not_ready = client.health.ready()
            alive = client.health.check()
    finally:
        platform.stop()

    assert not_ready.status == "unavailable"
    assert not not_ready.ok
    assert not_ready.database is not None
    assert not_ready.database.startswith("error: ")
    # Liveness does not depend on the store.
    assert alive.status == "ok"
