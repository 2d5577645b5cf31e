"""The export worker: runs pending export jobs against the warehouse and finalises snapshots.

Jobs are claimed in the store (``pending → claimed``), so a crashed worker's claim can be reset
and several workers never run the same job. Each job writes its Parquet file next to its final
name and renames it into place; the snapshot becomes ``ready`` (with ``manifest.json``) when every
job completed, or ``failed`` naming the first definition that failed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from graph_olap_platform.control_plane.services.snapshots import snapshot_jobs
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import ExportJobRow, SnapshotRow, utcnow
from graph_olap_platform.warehouse.base import Warehouse, WarehouseError

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)
MANIFEST = "manifest.json"


class ExportWorker:
    def __init__(
        self,
        store: Store,
        warehouse: Callable[[], Warehouse],
        *,
        workers: int = 2,
        on_snapshot_done: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        self._warehouse = warehouse
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="export")
        self._workers = max(1, workers)
        self._on_done = on_snapshot_done
        self._name = f"worker-{os.getpid()}"
        self._lock = threading.Lock()

    def run_once(self) -> int:
        """Claim and run pending jobs; returns how many ran."""
        with self._lock:  # one pass at a time; the pool parallelises inside it
            self.reset_stale_claims()
            jobs = self._claim(limit=self._workers * 4)
            if not jobs:
                return 0
            list(self._pool.map(self._run, jobs))
            for snapshot_id in sorted({snapshot for _, snapshot in jobs}):
                self.finalize(snapshot_id)
            return len(jobs)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def reset_stale_claims(self) -> None:
        cutoff = utcnow() - CLAIM_LEASE
        with self.store.session(write=True) as session:
            session.execute(
                update(ExportJobRow)
                .where(ExportJobRow.status == "claimed", ExportJobRow.claimed_at < cutoff)
                .values(status="pending", claimed_by=None, claimed_at=None)
            )

    def _claim(self, limit: int) -> list[tuple[int, int]]:
        now = utcnow()
        with self.store.session(write=True) as session:
            statement = (
                select(ExportJobRow)
                .where(ExportJobRow.status == "pending")
                .order_by(ExportJobRow.id)
                .limit(limit)
            )
            if self.store.dialect == "postgresql":
                statement = statement.with_for_update(skip_locked=True)
            jobs = list(session.scalars(statement))
            for job in jobs:
                job.status, job.claimed_by, job.claimed_at = "claimed", self._name, now
                job.attempts += 1
                job.updated_at = now
            for snapshot_id in {job.snapshot_id for job in jobs}:
                snapshot = session.get(SnapshotRow, snapshot_id)
                if snapshot is not None and snapshot.status == "pending":
                    snapshot.status, snapshot.updated_at = "creating", now
            return [(job.id, job.snapshot_id) for job in jobs]

    def _run(self, claimed: tuple[int, int]) -> None:
        job_id, _snapshot_id = claimed
        with self.store.session() as session:
            job = session.get(ExportJobRow, job_id)
            if job is None:
                return
            sql, names, target = job.sql, list(job.column_names), Path(job.gcs_path)
            label = f"{job.job_type} definition '{job.entity_name}'"
        values: dict[str, Any]
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".parquet.partial")
            result = self._warehouse().export(sql, names, partial)
            digest = _sha256(partial)
            partial.replace(target)
            values = {
                "status": "completed",
                "row_count": result.row_count,
                "size_bytes": result.size_bytes,
                "sha256": digest,
                "columns": [{"name": c.name, "type": c.data_type} for c in result.columns],
                "error_message": None,
            }
        except WarehouseError as error:
            values = {
                "status": "failed",
                "error_message": f"Export of {label} failed: {error.message}",
            }
        except Exception as error:  # a bug or an I/O failure: the job fails, the worker lives
            log.exception("export job %s failed", job_id)
            values = {
                "status": "failed",
                "error_message": f"Export of {label} failed: {type(error).__name__}: {error}",
            }
        now = utcnow()
        with self.store.session(write=True) as session:
            session.execute(
                update(ExportJobRow)
                .where(ExportJobRow.id == job_id)
                .values(**values, completed_at=now, updated_at=now)
            )

    def finalize(self, snapshot_id: int) -> None:
        """Mark the snapshot ready or failed once all its jobs are terminal."""
        with self.store.session(write=True) as session:
            snapshot = session.get(SnapshotRow, snapshot_id)
            if snapshot is None or snapshot.status not in ("pending", "creating"):
                return
            jobs = snapshot_jobs(session, snapshot_id)
            if any(job.status not in ("completed", "failed") for job in jobs):
                return
            now = utcnow()
            failed = [job for job in jobs if job.status == "failed"]
            if failed:
                snapshot.status = "failed"
                snapshot.error_message = failed[0].error_message
            else:
                snapshot.status = "ready"
                snapshot.size_bytes = sum(job.size_bytes or 0 for job in jobs)
                snapshot.node_counts = {
                    j.entity_name: j.row_count or 0 for j in jobs if j.job_type == "node"
                }
                snapshot.edge_counts = {
                    j.entity_name: j.row_count or 0 for j in jobs if j.job_type == "edge"
                }
                _write_manifest(snapshot, jobs)
            snapshot.updated_at = now
        if self._on_done is not None:
            self._on_done(snapshot_id)


def _write_manifest(snapshot: SnapshotRow, jobs: list[ExportJobRow]) -> None:
    root = Path(snapshot.gcs_path or "")

    def entry(job: ExportJobRow) -> dict[str, Any]:
        key = "label" if job.job_type == "node" else "type"
        return {
            key: job.entity_name,
            "file": str(Path(job.gcs_path).relative_to(root)),
            "row_count": job.row_count,
            "size_bytes": job.size_bytes,
            "sha256": job.sha256,
            "columns": job.columns or [],
        }

    manifest = {
        "format": 1,
        "snapshot_id": snapshot.id,
        "mapping_id": snapshot.mapping_id,
        "mapping_version": snapshot.mapping_version,
        "created_at": utcnow().isoformat().replace("+00:00", "Z"),
        "nodes": [entry(job) for job in jobs if job.job_type == "node"],
        "edges": [entry(job) for job in jobs if job.job_type == "edge"],
    }
    partial = root / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=2))
    partial.replace(root / MANIFEST)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
