"""A dev-mode platform on the demo warehouse with fast background jobs, shared per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.platform import PlatformProcess

FAST_JOBS = {
    "GRAPH_OLAP_RECONCILIATION_JOB_INTERVAL_SECONDS": "0.5",
    "GRAPH_OLAP_LIFECYCLE_JOB_INTERVAL_SECONDS": "0.5",
    "GRAPH_OLAP_ORCHESTRATION_INTERVAL_SECONDS": "0.5",
    "GRAPH_OLAP_PER_ANALYST_LIMIT": "6",
    # Snapshots expire seconds after their last instance is gone.
    "GRAPH_OLAP_SNAPSHOT_DEFAULT_TTL": "PT3S",
    "GRAPH_OLAP_SNAPSHOT_DEFAULT_INACTIVITY": "PT3S",
}


@pytest.fixture(scope="module")
def demo_platform() -> Iterator[PlatformProcess]:
    server = PlatformProcess(dev=True, extra_env=FAST_JOBS)
    server.start()
    server.create_users()
    yield server
    server.stop()
