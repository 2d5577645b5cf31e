"""What instance wrappers report and ask over the internal API."""

from __future__ import annotations

from typing import Any

from graph_olap_platform.control_plane.auth import Principal
from graph_olap_platform.control_plane.errors import DomainError, not_found, validation_failed
from graph_olap_platform.control_plane.services.orchestration import Orchestrator
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import (
    InstanceRow,
    MappingVersionRow,
    SnapshotRow,
    utcnow,
)

ERROR_CODES = {
    "STARTUP_FAILED",
    "MAPPING_FETCH_ERROR",
    "SCHEMA_CREATE_ERROR",
    "FALKORDB_SCHEMA_CREATE_ERROR",
    "DATA_LOAD_ERROR",
    "DATABASE_ERROR",
    "FALKORDB_DATABASE_ERROR",
    "OOM_KILLED",
    "UNEXPECTED_TERMINATION",
}


class WrapperService:
    def __init__(self, store: Store, orchestrator: Orchestrator) -> None:
        self.store = store
        self.orchestrator = orchestrator

    def mapping(self, instance_id: int) -> dict[str, Any]:
        """Definitions (without SQL) and the snapshot directory the wrapper loads."""
        with self.store.session() as session:
            row = self._row(session, instance_id)
            snapshot = session.get(SnapshotRow, row.snapshot_id or row.pending_snapshot_id or 0)
            if snapshot is None:
                raise DomainError(
                    "INVALID_STATE", "The instance has no snapshot", {"current_status": row.status}
                )
            version = session.get(
                MappingVersionRow, (snapshot.mapping_id, snapshot.mapping_version)
            )
            if version is None:
                raise not_found("Mapping version", snapshot.mapping_version)

            def strip(definitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
                return [{k: v for k, v in d.items() if k != "sql"} for d in definitions]

            return {
                "instance_id": row.id,
                "snapshot_id": snapshot.id,
                "mapping_id": snapshot.mapping_id,
                "mapping_version": snapshot.mapping_version,
                "snapshot_path": snapshot.gcs_path,
                "wrapper_type": row.wrapper_type,
                "owner_username": row.owner_username,
                "node_definitions": strip(version.node_definitions),
                "edge_definitions": strip(version.edge_definitions),
            }

    def progress(self, instance_id: int, body: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("steps", []), list):
            raise validation_failed([{"field": "body", "message": "Expected {phase, steps[]}"}])
        with self.store.session(write=True) as session:
            row = self._row(session, instance_id)
            row.progress = {"phase": body.get("phase"), "steps": body.get("steps", [])}
            row.updated_at = utcnow()

    def status(self, instance_id: int, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get("status") not in ("running", "failed"):
            raise validation_failed(
                [{"field": "status", "message": "status must be 'running' or 'failed'"}]
            )
        if body["status"] == "failed":
            reported = body.get("error_code")
            code = reported if isinstance(reported, str) and reported in ERROR_CODES else None
            self.orchestrator.fail(
                instance_id,
                code or "STARTUP_FAILED",
                str(body.get("error_message") or "startup failed"),
                failed_phase=body.get("failed_phase"),
                stack_trace=body.get("stack_trace"),
            )
            return {"status": "failed"}
        now = utcnow()
        with self.store.session(write=True) as session:
            row = self._row(session, instance_id)
            if row.status != "starting":
                raise DomainError(
                    "INVALID_STATE_TRANSITION",
                    f"Cannot move from {row.status} to running",
                    {"current_status": row.status},
                )
            stats = body.get("graph_stats") or {}
            row.status, row.started_at, row.updated_at = "running", now, now
            row.node_count, row.edge_count = stats.get("node_count"), stats.get("edge_count")
            if body.get("instance_url"):
                row.instance_url = body["instance_url"]
            if row.progress:
                row.progress = {**row.progress, "phase": "ready"}
        return {"status": "running"}

    def metrics(self, instance_id: int, body: Any) -> None:
        with self.store.session(write=True) as session:
            row = self._row(session, instance_id)
            if isinstance(body, dict):
                row.memory_usage_bytes = body.get("memory_usage_bytes", row.memory_usage_bytes)
                row.disk_usage_bytes = body.get("disk_usage_bytes", row.disk_usage_bytes)

    def activity(self, instance_id: int) -> None:
        with self.store.session(write=True) as session:
            self._row(session, instance_id).last_activity_at = utcnow()

    def authorize(self, slug: str, principal: Principal) -> dict[str, Any]:
        with self.store.session() as session:
            row = session.query(InstanceRow).filter(InstanceRow.url_slug == slug).first()
            if row is None:
                raise not_found("Instance", slug)
            is_owner = row.owner_username == principal.username
        allowed = is_owner or principal.is_privileged
        return {
            "instance_id": row.id,
            "username": principal.username,
            "role": principal.role,
            "owner_username": row.owner_username,
            "is_owner": is_owner,
            "can_query": allowed,
            "can_run_algorithms": allowed,
        }

    def _row(self, session: Any, instance_id: int) -> InstanceRow:
        row = session.get(InstanceRow, instance_id)
        if row is None:
            raise not_found("Instance", instance_id)
        assert isinstance(row, InstanceRow)
        return row
