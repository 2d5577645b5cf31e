"""Reconciliation while an instance is being launched: no wrapper is taken for dead or orphaned.

The orchestrator marks an instance `starting` and then launches its process; the launcher only
knows the process once it has a pid. A reconciliation pass in between (it runs on its own
schedule) used to fail the instance with UNEXPECTED_TERMINATION and then stop its wrapper as an
orphan. A launcher stand-in runs reconciliation at exactly those moments.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph_olap_platform.control_plane.services.orchestration import Orchestrator
from graph_olap_platform.control_plane.services.snapshots import SnapshotService
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import (
    InstanceRow,
    MappingRow,
    MappingVersionRow,
    SnapshotRow,
    User,
)
from graph_olap_platform.launcher.base import Launched, LaunchSpec
from graph_olap_platform.settings import Settings


class StandInLauncher:
    """Processes that exist once `start` returns; hooks run at the racy moments."""

    def __init__(self) -> None:
        self.alive: set[int] = set()
        self.stopped: list[int] = []
        self.during_start: Callable[[], None] = lambda: None
        self.before_listing: Callable[[], None] = lambda: None

    def start(self, spec: LaunchSpec) -> Launched:
        self.during_start()  # the process is starting; its pid is not recorded yet
        self.alive.add(spec.instance_id)
        return Launched(pod_name="local-1", instance_url="http://127.0.0.1:1")

    def stop(self, instance_id: int) -> None:
        self.stopped.append(instance_id)
        self.alive.discard(instance_id)

    def is_alive(self, instance_id: int) -> bool:
        return instance_id in self.alive

    def running(self) -> list[int]:
        self.before_listing()
        return sorted(self.alive)

    def log_tail(self, instance_id: int, lines: int = 20) -> str:
        return ""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'store.db'}")
    opened.migrate()
    yield opened
    opened.dispose()


@pytest.fixture
def launcher() -> StandInLauncher:
    return StandInLauncher()


@pytest.fixture
def orchestrator(store: Store, launcher: StandInLauncher, tmp_path: Path) -> Orchestrator:
    settings = Settings(data_dir=tmp_path, internal_api_key="test-key")
    return Orchestrator(store, settings, launcher, SnapshotService(store))


def _waiting_instance(store: Store) -> int:
    """An instance waiting for a snapshot that is ready: the next pass launches it."""
    with store.session(write=True) as session:
        session.add(User(username="analyst.race"))
        session.flush()
        mapping = MappingRow(owner_username="analyst.race", name="race")
        session.add(mapping)
        session.flush()
        session.add(
            MappingVersionRow(
                mapping_id=mapping.id,
                version=1,
                node_definitions=[],
                edge_definitions=[],
                created_by="analyst.race",
            )
        )
        snapshot = SnapshotRow(
            mapping_id=mapping.id,
            mapping_version=1,
            owner_username="analyst.race",
            name="race",
            status="ready",
        )
        session.add(snapshot)
        session.flush()
        instance = InstanceRow(
            pending_snapshot_id=snapshot.id,
            owner_username="analyst.race",
            wrapper_type="ladybug",
            name="race",
            url_slug=str(uuid.uuid4()),
            status="waiting_for_snapshot",
        )
        session.add(instance)
        session.flush()
        return instance.id


def _status(store: Store, instance_id: int) -> str:
    with store.session() as session:
        row = session.get(InstanceRow, instance_id)
        assert row is not None
        return row.status


def test_reconciliation_during_a_launch_leaves_the_instance_starting(
    store: Store, launcher: StandInLauncher, orchestrator: Orchestrator
) -> None:
    instance_id = _waiting_instance(store)
    launcher.during_start = orchestrator.reconcile
    assert orchestrator.start_ready() == 1
    assert _status(store, instance_id) == "starting"
    assert launcher.stopped == []
    orchestrator.reconcile()  # and once launched, it is alive
    assert _status(store, instance_id) == "starting"


def test_a_wrapper_launched_during_reconciliation_is_no_orphan(
    store: Store, launcher: StandInLauncher, orchestrator: Orchestrator
) -> None:
    instance_id = _waiting_instance(store)

    def launch_now() -> None:
        launcher.before_listing = lambda: None
        orchestrator.start_ready()

    # Reconciliation has read which instances exist; the launch happens before it lists wrappers.
    launcher.before_listing = launch_now
    orchestrator.reconcile()
    assert _status(store, instance_id) == "starting"
    assert launcher.stopped == []


def test_a_dead_wrapper_still_fails_its_instance(
    store: Store, launcher: StandInLauncher, orchestrator: Orchestrator
) -> None:
    instance_id = _waiting_instance(store)
    orchestrator.start_ready()
    launcher.alive.clear()  # the process died
    orchestrator.reconcile()
    assert _status(store, instance_id) == "failed"
