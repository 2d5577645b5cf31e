"""Snapshots: a mapping version exported to Parquet, one export job per definition.

Snapshots are created implicitly with an instance (``InstanceService.create``); this service
reads them, retries failed ones and deletes expired ones.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from graph_olap.models import Snapshot, SnapshotProgress
from graph_olap_platform.control_plane.auth import Principal, require_owner
from graph_olap_platform.control_plane.errors import DomainError, not_found
from graph_olap_platform.control_plane.services.common import (
    Page,
    columns,
    filter_and_sort,
    seconds,
)
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import (
    ExportJobRow,
    InstanceRow,
    MappingRow,
    MappingVersionRow,
    SnapshotRow,
    utcnow,
)

SNAPSHOT_STATUSES = ("pending", "creating", "ready", "failed", "cancelled")
SnapshotSort = Literal["name", "created_at", "status"]


@dataclass(frozen=True)
class SnapshotQuery:
    mapping_id: int | None = None
    mapping_version: int | None = None
    owner: str | None = None
    status: str | None = None
    search: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort_by: SnapshotSort = "created_at"
    sort_order: Literal["asc", "desc"] = "desc"
    offset: int = 0
    limit: int = 50


def export_file(kind: str, name: str) -> str:
    """Where one definition's rows live inside a snapshot directory."""
    return f"{'nodes' if kind == 'node' else 'edges'}/{name}.parquet"


def add_snapshot(
    session: Session,
    *,
    owner: str,
    mapping: MappingRow,
    version: MappingVersionRow,
    name: str,
    ttl: str | None,
    inactivity_timeout: str | None,
    root: Path,
) -> SnapshotRow:
    """Insert a pending snapshot and one pending export job per node and edge definition."""
    now = utcnow()
    snapshot = SnapshotRow(
        mapping_id=mapping.id,
        mapping_version=version.version,
        owner_username=owner,
        name=name,
        status="pending",
        created_at=now,
        updated_at=now,
        ttl=ttl,
        inactivity_timeout=inactivity_timeout,
    )
    session.add(snapshot)
    session.flush()
    snapshot.gcs_path = str(root / str(snapshot.id))
    position = 0
    for kind, definitions, key in (
        ("node", version.node_definitions, "label"),
        ("edge", version.edge_definitions, "type"),
    ):
        for definition in definitions:
            if kind == "node":
                names = [definition["primary_key"]["name"]]
            else:
                names = [definition["from_key"], definition["to_key"]]
            names += [p["name"] for p in definition.get("properties", [])]
            session.add(
                ExportJobRow(
                    snapshot_id=snapshot.id,
                    job_type=kind,
                    entity_name=definition[key],
                    position=position,
                    status="pending",
                    sql=definition["sql"],
                    column_names=names,
                    gcs_path=str(Path(snapshot.gcs_path) / export_file(kind, definition[key])),
                    created_at=now,
                    updated_at=now,
                )
            )
            position += 1
    session.flush()
    return snapshot


def snapshot_steps(jobs: list[ExportJobRow]) -> list[dict[str, Any]]:
    status = {"claimed": "in_progress", "submitted": "in_progress"}
    return [
        {
            "name": f"export {job.entity_name}",
            "type": job.job_type,
            "status": status.get(job.status, job.status),
            "row_count": job.row_count,
            "completed_at": job.completed_at,
            "error": job.error_message,
        }
        for job in jobs
    ]


class SnapshotService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def list(self, query: SnapshotQuery) -> Page:
        if query.status is not None and query.status not in SNAPSHOT_STATUSES:
            raise DomainError(
                "VALIDATION_FAILED",
                "Invalid query parameter",
                {
                    "errors": [
                        {
                            "field": "status",
                            "message": f"Unknown status '{query.status}'; "
                            f"expected one of {', '.join(SNAPSHOT_STATUSES)}",
                        }
                    ]
                },
            )
        statement = select(SnapshotRow)
        for column, value in (
            (SnapshotRow.mapping_id, query.mapping_id),
            (SnapshotRow.mapping_version, query.mapping_version),
            (SnapshotRow.owner_username, query.owner),
            (SnapshotRow.status, query.status),
        ):
            if value is not None:
                statement = statement.where(column == value)
        statement = filter_and_sort(
            statement,
            SnapshotRow,
            search=query.search,
            created_after=query.created_after,
            created_before=query.created_before,
            sort_by=query.sort_by,
            sort_order=query.sort_order,
        )
        with self.store.session() as session:
            total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
            rows = session.scalars(statement.offset(query.offset).limit(query.limit)).all()
            return Page([snapshot_model(session, row) for row in rows], total)

    def get(self, snapshot_id: int) -> Snapshot:
        with self.store.session() as session:
            return snapshot_model(session, self._row(session, snapshot_id))

    def progress(self, snapshot_id: int) -> SnapshotProgress:
        with self.store.session() as session:
            row = self._row(session, snapshot_id)
            return snapshot_progress(session, row)

    def retry(self, principal: Principal, snapshot_id: int) -> Snapshot:
        with self.store.session(write=True) as session:
            row = self._row(session, snapshot_id)
            require_owner(principal, row.owner_username, "retry this snapshot")
            if row.status != "failed":
                raise DomainError(
                    "INVALID_STATE",
                    f"Only a failed snapshot can be retried (it is {row.status})",
                    {"current_status": row.status},
                )
            now = utcnow()
            for job in session.scalars(
                select(ExportJobRow).where(ExportJobRow.snapshot_id == row.id)
            ):
                job.status, job.error_message, job.claimed_by, job.claimed_at = (
                    "pending",
                    None,
                    None,
                    None,
                )
                job.row_count = job.size_bytes = None
                job.completed_at, job.updated_at = None, now
            row.status, row.error_message, row.updated_at = "pending", None, now
            row.progress = None
            session.flush()
            return snapshot_model(session, row)

    def delete_owned(self, principal: Principal, snapshot_id: int) -> None:
        """Delete a snapshot for its owner (or admin/ops) unless an instance still uses it."""
        with self.store.session(write=True) as session:
            row = self._row(session, snapshot_id)
            require_owner(principal, row.owner_username, "delete this snapshot")
            users = session.scalar(
                select(func.count()).where(
                    func.coalesce(InstanceRow.snapshot_id, InstanceRow.pending_snapshot_id)
                    == row.id,
                    InstanceRow.status.in_(("waiting_for_snapshot", "starting", "running")),
                )
            )
            if users:
                raise DomainError(
                    "RESOURCE_HAS_DEPENDENCIES",
                    "Cannot delete a snapshot that active instances use; terminate them first",
                    {"instance_count": users},
                )
            if row.status in ("pending", "creating"):
                raise DomainError(
                    "INVALID_STATE",
                    f"The snapshot is still {row.status}",
                    {"current_status": row.status},
                )
            # Failed instances keep their history but no longer point at deleted files.
            for instance in session.scalars(
                select(InstanceRow).where(
                    or_(
                        InstanceRow.snapshot_id == row.id, InstanceRow.pending_snapshot_id == row.id
                    )
                )
            ):
                instance.snapshot_id = instance.pending_snapshot_id = None
            self.delete(session, row)

    def delete(self, session: Session, row: SnapshotRow) -> None:
        """Delete the row first, then its files (a crash in between leaves only files)."""
        path = row.gcs_path
        session.delete(row)
        session.flush()
        if path:
            shutil.rmtree(path, ignore_errors=True)

    def _row(self, session: Session, snapshot_id: int) -> SnapshotRow:
        row = session.get(SnapshotRow, snapshot_id)
        if row is None:
            raise not_found("Snapshot", snapshot_id)
        return row


def snapshot_jobs(session: Session, snapshot_id: int) -> list[ExportJobRow]:
    return list(
        session.scalars(
            select(ExportJobRow)
            .where(ExportJobRow.snapshot_id == snapshot_id)
            .order_by(ExportJobRow.position)
        )
    )


def snapshot_model(session: Session, row: SnapshotRow) -> Snapshot:
    mapping = session.get(MappingRow, row.mapping_id)
    instances = session.scalar(
        select(func.count()).where(
            func.coalesce(InstanceRow.snapshot_id, InstanceRow.pending_snapshot_id) == row.id
        )
    )
    data = columns(row)
    data["progress"] = snapshot_progress(session, row).model_dump(mode="json")
    return Snapshot.model_validate(
        {
            **data,
            "mapping_name": mapping.name if mapping else None,
            "instance_count": instances or 0,
        }
    )


def snapshot_progress(session: Session, row: SnapshotRow) -> SnapshotProgress:
    jobs = snapshot_jobs(session, row.id)
    steps = snapshot_steps(jobs)
    done = [job for job in jobs if job.status == "completed"]
    started = min((job.claimed_at for job in jobs if job.claimed_at), default=None)
    finished = (
        max((job.completed_at for job in jobs if job.completed_at), default=None)
        if row.status in ("ready", "failed")
        else None
    )
    phase = {"pending": "submitting", "creating": "creating", "ready": "completed"}.get(
        row.status, row.status
    )
    return SnapshotProgress.model_validate(
        {
            "id": row.id,
            "status": row.status,
            "phase": phase,
            "started_at": started,
            "completed_at": finished,
            "duration_seconds": seconds(finished - started) if finished and started else None,
            "steps": steps,
            "completed_steps": len(done),
            "total_steps": len(jobs),
            "error_message": row.error_message,
        }
    )
