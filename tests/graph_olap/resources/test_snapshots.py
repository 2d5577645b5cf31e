"""``client.snapshots``: listing, progress, retry and waiting.

These tests run against a stand-in control plane (control_plane_standin.py, written from
control-plane.md §3.2, each snapshot playing a scripted progress sequence) served over real
loopback HTTP. They are stand-ins until the lead's integration tests against the real control
plane exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from graph_olap import (
    GraphOLAPClient,
    GraphOLAPTimeoutError,
    InvalidStateError,
    Snapshot,
    SnapshotFailedError,
    SnapshotProgress,
)
from tests.graph_olap.resources.control_plane_standin import (
    SNAPSHOT_FAILURE,
    ControlPlaneState,
    make_control_plane_app,
)
from tests.graph_olap.standins import serve


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, ControlPlaneState]]:
    state = ControlPlaneState()
    with serve(make_control_plane_app(state)) as url:
        yield url, state


@pytest.fixture
def cp(server: tuple[str, ControlPlaneState]) -> ControlPlaneState:
    state = server[1]
    state.requests.clear()
    state.snapshot_polls.clear()
    return state


@pytest.fixture
def client(
    server: tuple[str, ControlPlaneState], cp: ControlPlaneState
) -> Iterator[GraphOLAPClient]:
    with GraphOLAPClient(server[0], username="alice") as client:
        yield client


def test_list_sends_filters_and_reads_the_page(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    page = client.snapshots.list(
        mapping_id=3,
        mapping_version=2,
        owner="alice",
        status="ready",
        search="q",
        created_before=datetime(2030, 1, 1, 12, tzinfo=UTC),
        offset=2,
        limit=1000,
    )

    assert [s.id for s in page] == [1, 2]
    assert all(isinstance(s, Snapshot) for s in page)
    assert (page.total, page.limit, page.has_more) == (7, 2, True)
    assert cp.calls("GET", "/api/snapshots")[0].params == {
        "mapping_id": "3",
        "mapping_version": "2",
        "owner": "alice",
        "status": "ready",
        "search": "q",
        "created_before": "2030-01-01T12:00:00Z",
        "sort_by": "created_at",
        "sort_order": "desc",
        "offset": "2",
        "limit": "100",
    }


def test_get_and_get_progress(client: GraphOLAPClient) -> None:
    snapshot = client.snapshots.get(1)
    progress = client.snapshots.get_progress(1)

    assert (snapshot.id, snapshot.status) == (1, "pending")
    assert isinstance(progress, SnapshotProgress)
    assert (progress.phase, progress.completed_steps, progress.total_steps) == (
        "submitting",
        0,
        2,
    )


def test_wait_until_ready_reports_progress_and_returns_the_snapshot(
    client: GraphOLAPClient,
) -> None:
    calls: list[tuple[str, int, int]] = []

    snapshot = client.snapshots.wait_until_ready(
        1, 10, 0.01, on_progress=lambda *state: calls.append(state)
    )

    assert snapshot.status == "ready"
    assert calls == [("submitting", 0, 2), ("creating", 1, 2), ("completed", 2, 2)]


def test_failed_snapshot_raises_with_the_servers_message(client: GraphOLAPClient) -> None:
    with pytest.raises(SnapshotFailedError) as caught:
        client.snapshots.wait_until_ready(2, 10, 0.01)

    error = caught.value
    assert error.snapshot_id == 2
    assert error.error_message == SNAPSHOT_FAILURE
    assert str(error) == f"Snapshot 2 failed: {SNAPSHOT_FAILURE}"


def test_wait_times_out(client: GraphOLAPClient) -> None:
    with pytest.raises(GraphOLAPTimeoutError, match=r"Snapshot 3 was not ready after 0.2 s"):
        client.snapshots.wait_until_ready(3, timeout=0.2, poll_interval=0.05)


def test_retry_a_failed_snapshot_then_wait(client: GraphOLAPClient, cp: ControlPlaneState) -> None:
    with pytest.raises(SnapshotFailedError):
        client.snapshots.wait_until_ready(2, 10, 0.01)

    retried = client.snapshots.retry(2)

    assert retried.status == "pending"
    assert [s.path for s in cp.calls("POST")] == ["/api/snapshots/2/retry"]
    assert client.snapshots.get_progress(2).status == "creating"


def test_retry_refuses_a_snapshot_that_did_not_fail(client: GraphOLAPClient) -> None:
    with pytest.raises(InvalidStateError) as caught:
        client.snapshots.retry(3)
    assert caught.value.details == {"current_status": "creating"}
