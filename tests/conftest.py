"""Shared fixtures: real control-plane processes on SQLite and on a real PostgreSQL.

Expensive servers are session-scoped; tests isolate themselves by creating their own resources
(unique names) instead of relying on an empty store.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.platform import PlatformProcess
from tests.support.postgres import PostgresServer, find_pg_bin

SKIP_POSTGRES = os.environ.get("GRAPH_OLAP_TEST_POSTGRES") == "skip"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if SKIP_POSTGRES:
        pytest.skip("GRAPH_OLAP_TEST_POSTGRES=skip")
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.fail(
            "PostgreSQL is not installed; run scripts/test.sh (it installs the Debian package) "
            "or set GRAPH_OLAP_TEST_POSTGRES=skip"
        )
    server = PostgresServer(bin_dir)
    server.start()
    yield server
    server.stop()


def _platform(request: pytest.FixtureRequest, *, dev: bool = False) -> PlatformProcess:
    backend = getattr(request, "param", "sqlite")
    url = None
    if backend == "postgresql":
        url = request.getfixturevalue("postgres").create_database()
    # The API contract tests use the seed's illustrative SQL, which only partly exists in the
    # demo warehouse; checking SQL against the warehouse is tested on `dev_platform`.
    extra = {} if dev else {"GRAPH_OLAP_VALIDATE_SQL_AGAINST_WAREHOUSE": "false"}
    platform = PlatformProcess(database_url=url, dev=dev, backend=backend, extra_env=extra)
    platform.start()
    platform.create_users()
    return platform


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def platform(request: pytest.FixtureRequest) -> Iterator[PlatformProcess]:
    """The platform in production auth mode (API keys), on each store backend."""
    server = _platform(request)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dev_platform(request: pytest.FixtureRequest) -> Iterator[PlatformProcess]:
    """The embedded default: SQLite, dev mode (X-Username accepted)."""
    server = _platform(request, dev=True)
    yield server
    server.stop()
