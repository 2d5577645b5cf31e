"""Snapshots: a mapping version's rows exported to Parquet, from which instances load.

Snapshots are created implicitly by ``client.instances.create_from_mapping``; this resource
reads them, follows their export and retries a failed one.
"""

from __future__ import annotations

from datetime import datetime

from graph_olap._progress import ProgressCallback, ProgressReporter, poll
from graph_olap.exceptions import GraphOLAPTimeoutError, SnapshotFailedError
from graph_olap.models import Snapshot, SnapshotProgress
from graph_olap.pagination import PaginatedList, paginated_from_response
from graph_olap.resources._base import Resource, data_of, drop_none, timestamp_param

__all__ = ["SnapshotResource"]

MAX_PAGE_SIZE = 100
_FAILED = frozenset({"failed", "cancelled"})


class SnapshotResource(Resource):
    """``client.snapshots``: list, inspect, follow and retry snapshots."""

    def list(
        self,
        mapping_id: int | None = None,
        mapping_version: int | None = None,
        owner: str | None = None,
        status: str | None = None,
        search: str | None = None,
        created_after: str | datetime | None = None,
        created_before: str | datetime | None = None,
        sort_by: str = "created_at",
        sort_order: str = "desc",
        offset: int = 0,
        limit: int = 50,
    ) -> PaginatedList[Snapshot]:
        """One page of snapshots, newest first by default.

        ``status`` is ``pending``, ``creating``, ``ready``, ``failed`` or ``cancelled``;
        ``sort_by`` one of ``name``, ``created_at``, ``status``. ``limit`` is capped at 100.
        """
        params = drop_none(
            {
                "mapping_id": mapping_id,
                "mapping_version": mapping_version,
                "owner": owner,
                "status": status,
                "search": search,
                "created_after": timestamp_param(created_after),
                "created_before": timestamp_param(created_before),
                "sort_by": sort_by,
                "sort_order": sort_order,
                "offset": offset,
                "limit": min(limit, MAX_PAGE_SIZE),
            }
        )
        return paginated_from_response(self._http.get("/api/snapshots", params=params), Snapshot)

    def get(self, snapshot_id: int) -> Snapshot:
        return Snapshot.from_api_response(data_of(self._http.get(_path(snapshot_id))))

    def get_progress(self, snapshot_id: int) -> SnapshotProgress:
        """Export progress: one step per node and edge definition, with row counts."""
        body = self._http.get(f"{_path(snapshot_id)}/progress")
        return SnapshotProgress.from_api_response(data_of(body))

    def retry(self, snapshot_id: int) -> Snapshot:
        """Export a failed snapshot again (it goes back to ``pending``); owner only.

        ``InvalidStateError`` unless the snapshot is ``failed``.
        """
        body = self._http.post(f"{_path(snapshot_id)}/retry")
        data = data_of(body) if body else None
        if isinstance(data, dict) and "status" in data and "mapping_id" in data:
            return Snapshot.from_api_response(data)
        return self.get(snapshot_id)

    def delete(self, snapshot_id: int) -> None:
        """Delete a snapshot and its files; owner (or admin/ops) only.

        ``DependencyError`` while an active instance uses it; ``InvalidStateError`` while it is
        still exporting. Deleting a mapping needs its snapshots gone first.
        """
        self._http.delete(_path(snapshot_id))

    def wait_until_ready(
        self,
        snapshot_id: int,
        timeout: float = 600,
        poll_interval: float = 1.0,
        *,
        on_progress: ProgressCallback | None = None,
        show_progress: bool | None = None,
    ) -> Snapshot:
        """Poll until the snapshot is ``ready`` and return it.

        ``on_progress(phase, completed_steps, total_steps)`` is called whenever progress
        changes; ``show_progress`` controls the terminal bar (None: only when stderr is a
        terminal); ``poll_interval`` is the longest gap between polls. Raises
        ``SnapshotFailedError`` (with the server's ``error_message``, which names the failing
        definition) or ``GraphOLAPTimeoutError``; Ctrl-C stops waiting and leaves the snapshot
        alone.
        """
        last: list[SnapshotProgress] = []

        def check() -> Snapshot | None:
            progress = self.get_progress(snapshot_id)
            last[:] = [progress]
            reporter.update(
                progress.phase,
                progress.completed_steps,
                progress.total_steps,
                status=progress.status,
                steps=progress.steps or None,
            )
            if progress.status == "ready":
                return self.get(snapshot_id)
            if progress.status in _FAILED:
                raise self._failed(snapshot_id, progress)
            return None

        def timed_out() -> GraphOLAPTimeoutError:
            state = f" (status {last[0].status}, phase {last[0].phase})" if last else ""
            return GraphOLAPTimeoutError(
                f"Snapshot {snapshot_id} was not ready after {timeout:g} s{state}; it keeps "
                f"exporting: wait again with client.snapshots.wait_until_ready({snapshot_id})"
            )

        title = f"Snapshot {snapshot_id}"
        with ProgressReporter(on_progress, show_progress, title=title) as reporter:
            return poll(check, timeout=timeout, poll_interval=poll_interval, on_timeout=timed_out)

    def _failed(self, snapshot_id: int, progress: SnapshotProgress) -> SnapshotFailedError:
        message = progress.error_message
        if not message:
            message = self.get(snapshot_id).error_message
        return SnapshotFailedError(
            f"Snapshot {snapshot_id} {progress.status}: {message or 'no error message'}",
            details={
                "snapshot_id": snapshot_id,
                "status": progress.status,
                "error_message": message,
            },
        )


def _path(snapshot_id: int) -> str:
    return f"/api/snapshots/{int(snapshot_id)}"
