"""What the background jobs do: start instances whose snapshot is ready, notice dead wrappers,
and expire resources past their TTL or inactivity timeout.

Each pass handles items independently: one failing item is logged and the pass goes on.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import func, select

from graph_olap_platform.control_plane.services.common import inactive_since, past
from graph_olap_platform.control_plane.services.snapshots import SnapshotService
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import (
    InstanceRow,
    MappingRow,
    SnapshotRow,
    utcnow,
)
from graph_olap_platform.launcher.base import Launcher, LaunchSpec
from graph_olap_platform.settings import Settings

log = logging.getLogger(__name__)
MAX_MESSAGE = 4000
BATCH = 100


class Orchestrator:
    def __init__(
        self, store: Store, settings: Settings, launcher: Launcher, snapshots: SnapshotService
    ) -> None:
        self.store = store
        self.settings = settings
        self.launcher = launcher
        self.snapshots = snapshots
        # Instances marked `starting` whose process is still being launched (no pid yet).
        self._launching: set[int] = set()
        self._launching_lock = threading.Lock()

    # -- waiting_for_snapshot → starting | failed -----------------------------------------------

    def start_ready(self) -> int:
        started = 0
        with self.store.session() as session:
            waiting = list(
                session.execute(
                    select(InstanceRow.id, SnapshotRow.status, SnapshotRow.error_message)
                    .outerjoin(SnapshotRow, SnapshotRow.id == InstanceRow.pending_snapshot_id)
                    .where(InstanceRow.status == "waiting_for_snapshot")
                    .order_by(InstanceRow.id)
                )
            )
        for instance_id, snapshot_status, snapshot_error in waiting:
            try:
                if snapshot_status == "ready":
                    started += self._launch(instance_id)
                elif snapshot_status in (None, "failed", "cancelled"):
                    reason = snapshot_error or f"snapshot {snapshot_status or 'deleted'}"
                    self.fail(instance_id, "DATA_LOAD_ERROR", f"Snapshot failed: {reason}")
            except Exception:
                log.exception("could not start instance %s", instance_id)
        return started

    def _launch(self, instance_id: int) -> int:
        # Marked before the row says `starting`, so reconciliation never takes a wrapper that is
        # being launched (no pid recorded yet) for a dead one.
        with self._launching_lock:
            self._launching.add(instance_id)
        try:
            return self._launch_marked(instance_id)
        finally:
            with self._launching_lock:
                self._launching.discard(instance_id)

    def _launch_marked(self, instance_id: int) -> int:
        now = utcnow()
        with self.store.session(write=True) as session:
            row = session.get(InstanceRow, instance_id)
            if row is None or row.status != "waiting_for_snapshot":
                return 0
            row.snapshot_id, row.pending_snapshot_id = row.pending_snapshot_id, None
            row.status, row.updated_at = "starting", now
            snapshot = session.get(SnapshotRow, row.snapshot_id)
            if snapshot is not None:
                snapshot.last_used_at = now
            spec = LaunchSpec(
                instance_id=row.id,
                url_slug=row.url_slug,
                wrapper_type=row.wrapper_type,
                threads=row.cpu_cores,
                control_plane_url=self.settings.resolved_control_plane_url,
                internal_api_key=self.settings.resolved_internal_api_key(),
                max_rows=self.settings.wrapper_max_rows,
            )
        try:
            launched = self.launcher.start(spec)
        except Exception as error:
            self.fail(instance_id, "STARTUP_FAILED", f"Could not start the wrapper: {error}")
            return 0
        with self.store.session(write=True) as session:
            row = session.get(InstanceRow, instance_id)
            if row is None:  # terminated while launching
                self.launcher.stop(instance_id)
                return 0
            row.pod_name, row.instance_url = launched.pod_name, launched.instance_url
        log.info("instance %s starting (%s)", instance_id, launched.pod_name)
        return 1

    # -- failure detection ---------------------------------------------------------------------

    def reconcile(self) -> None:
        """Dead wrappers fail their instance; wrappers without a live instance are stopped."""
        timeout = timedelta(seconds=self.settings.instance_startup_timeout_seconds)
        now = utcnow()
        with self.store.session() as session:
            active = list(
                session.execute(
                    select(InstanceRow.id, InstanceRow.status, InstanceRow.updated_at).where(
                        InstanceRow.status.in_(("starting", "running"))
                    )
                )
            )
            known = set(
                session.scalars(
                    select(InstanceRow.id).where(
                        InstanceRow.status.in_(("starting", "running", "stopping"))
                    )
                )
            )
        for instance_id, status, updated_at in active:
            with self._launching_lock:
                if instance_id in self._launching:
                    continue
            try:
                if not self.launcher.is_alive(instance_id):
                    # Re-read: the wrapper may have reported `failed` itself just before exiting.
                    with self.store.session() as session:
                        row = session.get(InstanceRow, instance_id)
                        if row is None or row.status not in ("starting", "running"):
                            continue
                    tail = self.launcher.log_tail(instance_id)
                    message = f"The instance process exited unexpectedly (was {status})"
                    self.fail(
                        instance_id,
                        "UNEXPECTED_TERMINATION",
                        f"{message}. Last log lines:\n{tail}" if tail else message,
                    )
                elif status == "starting" and now - updated_at > timeout:
                    self.fail(
                        instance_id,
                        "STARTUP_FAILED",
                        f"Startup took longer than {timeout.total_seconds():.0f} s",
                    )
                    self.launcher.stop(instance_id)
            except Exception:
                log.exception("reconciliation of instance %s failed", instance_id)
        for orphan in set(self.launcher.running()) - known:
            with self.store.session() as session:
                row = session.get(InstanceRow, orphan)
                if row is not None and row.status in ("starting", "running", "stopping"):
                    continue  # launched after `known` was read
            log.error("stopping orphan wrapper of instance %s", orphan)
            self.launcher.stop(orphan)

    def fail(self, instance_id: int, code: str, message: str, **extra: str | None) -> None:
        with self.store.session(write=True) as session:
            row = session.get(InstanceRow, instance_id)
            if row is None or row.status == "failed":
                return
            row.status, row.error_code = "failed", code
            row.error_message = message[:MAX_MESSAGE]
            row.failed_phase = extra.get("failed_phase")
            row.stack_trace = extra.get("stack_trace")
            row.updated_at = utcnow()
        log.warning("instance %s failed: %s %s", instance_id, code, message.splitlines()[0])

    # -- lifecycle -----------------------------------------------------------------------------

    def expire(self) -> dict[str, int]:
        now = utcnow()
        counts = {"instances": 0, "snapshots": 0, "mappings": 0}
        with self.store.session() as session:
            instances = list(session.scalars(select(InstanceRow).limit(10_000)))
        for row in instances:
            last = row.last_activity_at or row.started_at or row.created_at
            if past(row.created_at, row.ttl, now) or inactive_since(
                last, row.inactivity_timeout, now
            ):
                try:
                    self.launcher.stop(row.id)
                    with self.store.session(write=True) as session:
                        current = session.get(InstanceRow, row.id)
                        if current is not None:
                            session.delete(current)
                    counts["instances"] += 1
                    log.info("instance %s expired", row.id)
                except Exception:
                    log.exception("could not expire instance %s", row.id)
                if counts["instances"] >= BATCH:
                    break
        with self.store.session(write=True) as session:
            used = func.coalesce(InstanceRow.snapshot_id, InstanceRow.pending_snapshot_id)
            for snapshot in session.scalars(select(SnapshotRow).limit(10_000)):
                last = snapshot.last_used_at or snapshot.created_at
                expired = past(snapshot.created_at, snapshot.ttl, now) or inactive_since(
                    last, snapshot.inactivity_timeout, now
                )
                busy = snapshot.status in ("pending", "creating") or session.scalar(
                    select(func.count()).where(used == snapshot.id)
                )
                if expired and not busy:
                    self.snapshots.delete(session, snapshot)
                    counts["snapshots"] += 1
        with self.store.session(write=True) as session:
            for mapping in session.scalars(select(MappingRow).limit(10_000)):
                last = mapping.last_used_at or mapping.updated_at
                expired = past(mapping.created_at, mapping.ttl, now) or inactive_since(
                    last, mapping.inactivity_timeout, now
                )
                if expired and not session.scalar(
                    select(func.count()).where(SnapshotRow.mapping_id == mapping.id)
                ):
                    session.delete(mapping)
                    counts["mappings"] += 1
        return counts
