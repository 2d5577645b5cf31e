"""Instances: create from a mapping (snapshot + export jobs + instance in one transaction),
read, update, terminate, and the state changes reported by wrappers and background jobs.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import httpx
from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from graph_olap.models import Instance, InstanceEvent, InstanceProgress, UserInstanceStatus
from graph_olap.models.instance import WrapperType
from graph_olap_platform.control_plane.auth import Principal, require_owner
from graph_olap_platform.control_plane.errors import DomainError, not_found, validation_failed
from graph_olap_platform.control_plane.services.common import (
    Page,
    check_lifecycle,
    columns,
    expires_at,
    filter_and_sort,
    seconds,
)
from graph_olap_platform.control_plane.services.snapshots import (
    add_snapshot,
    snapshot_jobs,
    snapshot_steps,
)
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import (
    InstanceEventRow,
    InstanceRow,
    MappingRow,
    MappingVersionRow,
    SnapshotRow,
    utcnow,
)
from graph_olap_platform.control_plane.validation import (
    Problems,
    check_description,
    check_fields,
    check_resource_name,
)
from graph_olap_platform.launcher.base import Launcher
from graph_olap_platform.settings import Settings

log = logging.getLogger(__name__)

ACTIVE = ("waiting_for_snapshot", "starting", "running")
STATUSES = (*ACTIVE, "stopping", "failed")
CREATE_FIELDS = {
    "mapping_id",
    "snapshot_id",
    "name",
    "wrapper_type",
    "mapping_version",
    "description",
    "snapshot_name",
    "ttl",
    "inactivity_timeout",
    "cpu_cores",
}
InstanceSort = Literal["name", "created_at", "status", "last_activity_at", "memory_usage_bytes"]


@dataclass(frozen=True)
class InstanceQuery:
    snapshot_id: int | None = None
    owner: str | None = None
    status: str | None = None
    search: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort_by: InstanceSort = "created_at"
    sort_order: Literal["asc", "desc"] = "desc"
    offset: int = 0
    limit: int = 50


class InstanceService:
    def __init__(self, store: Store, settings: Settings, launcher: Launcher) -> None:
        self.store = store
        self.settings = settings
        self.launcher = launcher

    # -- create --------------------------------------------------------------------------------

    def create(self, principal: Principal, body: Any) -> Instance:
        problems = Problems()
        if not check_fields(body, CREATE_FIELDS, problems):
            raise validation_failed(problems.errors)
        mapping_id, snapshot_id = body.get("mapping_id"), body.get("snapshot_id")
        if mapping_id is None and snapshot_id is None:
            problems.add("mapping_id", "Mapping id is required")
        for name in ("mapping_id", "snapshot_id", "mapping_version"):
            value = body.get(name)
            if value is not None and (not _is_int(value) or value < 1):
                problems.add(name, f"{name} must be a positive integer")
        check_resource_name(body.get("name"), "name", problems, required=True)
        check_resource_name(body.get("snapshot_name"), "snapshot_name", problems, required=False)
        check_description(body.get("description"), "description", problems)
        wrapper_type = body.get("wrapper_type") or self.settings.default_wrapper_type
        if wrapper_type not in {w.value for w in WrapperType}:
            problems.add(
                "wrapper_type",
                f"Unknown wrapper type {wrapper_type!r}; expected one of "
                f"{', '.join(w.value for w in WrapperType)}",
            )
        cpu = body.get("cpu_cores", 2)
        if not _is_int(cpu) or not 1 <= cpu <= 8:
            problems.add("cpu_cores", "cpu_cores must be an integer from 1 to 8")
        limits = self.settings.instance_lifecycle
        ttl = body.get("ttl", limits.default_ttl)
        inactivity = body.get("inactivity_timeout", limits.default_inactivity)
        check_lifecycle(ttl, inactivity, limits, problems)
        if problems:
            raise validation_failed(problems.errors)

        now = utcnow()
        with self.store.session(write=True) as session:
            self._check_limits(session, principal)
            if snapshot_id is not None:
                snapshot = session.get(SnapshotRow, snapshot_id)
                if snapshot is None:
                    raise not_found("Snapshot", snapshot_id)
                if snapshot.status != "ready":
                    raise DomainError(
                        "SNAPSHOT_NOT_READY",
                        f"Snapshot {snapshot_id} is {snapshot.status}",
                        {"snapshot_id": snapshot_id, "current_status": snapshot.status},
                    )
                mapping = session.get(MappingRow, snapshot.mapping_id)
            else:
                mapping = self._mapping(session, mapping_id)
                version = self._version(session, mapping, body.get("mapping_version"))
                snap_limits = self.settings.snapshot_lifecycle
                snapshot = add_snapshot(
                    session,
                    owner=principal.username,
                    mapping=mapping,
                    version=version,
                    name=body.get("snapshot_name") or body["name"],
                    ttl=snap_limits.default_ttl,
                    inactivity_timeout=snap_limits.default_inactivity,
                    root=self.settings.resolved_snapshot_root,
                )
            if mapping is not None:
                mapping.last_used_at = now
            snapshot.last_used_at = now
            row = InstanceRow(
                pending_snapshot_id=snapshot.id,
                owner_username=principal.username,
                wrapper_type=wrapper_type,
                name=body["name"],
                description=body.get("description"),
                url_slug=str(uuid.uuid4()),
                status="waiting_for_snapshot",
                created_at=now,
                updated_at=now,
                ttl=ttl,
                inactivity_timeout=inactivity,
                cpu_cores=cpu,
            )
            session.add(row)
            session.flush()
            log.info("instance %s created by %s (%s)", row.id, principal.username, wrapper_type)
            return instance_model(session, row)

    def _check_limits(self, session: Session, principal: Principal) -> None:
        active = select(func.count()).where(InstanceRow.status.in_(ACTIVE))
        mine = session.scalar(active.where(InstanceRow.owner_username == principal.username)) or 0
        if mine >= self.settings.per_analyst_limit:
            raise _limit("per_analyst", mine, self.settings.per_analyst_limit)
        total = session.scalar(active) or 0
        if total >= self.settings.cluster_total_limit:
            raise _limit("cluster_total", total, self.settings.cluster_total_limit)

    def _mapping(self, session: Session, mapping_id: int) -> MappingRow:
        mapping = session.get(MappingRow, mapping_id)
        if mapping is None:
            raise not_found("Mapping", mapping_id)
        return mapping

    def _version(
        self, session: Session, mapping: MappingRow, version: int | None
    ) -> MappingVersionRow:
        number = version or mapping.current_version
        row = session.get(MappingVersionRow, (mapping.id, number))
        if row is None:
            raise DomainError(
                "MAPPING_VERSION_NOT_FOUND",
                f"Version {number} not found for mapping",
                {
                    "mapping_id": mapping.id,
                    "version": number,
                    "latest_version": mapping.current_version,
                },
            )
        return row

    # -- reads ---------------------------------------------------------------------------------

    def list(self, query: InstanceQuery) -> Page:
        if query.status is not None and query.status not in STATUSES:
            raise validation_failed(
                [
                    {
                        "field": "status",
                        "message": f"Unknown status '{query.status}'; expected one "
                        f"of {', '.join(STATUSES)}",
                    }
                ],
                "Invalid query parameter",
            )
        statement = select(InstanceRow)
        for column, value in (
            (InstanceRow.owner_username, query.owner),
            (InstanceRow.status, query.status),
        ):
            if value is not None:
                statement = statement.where(column == value)
        if query.snapshot_id is not None:
            statement = statement.where(
                func.coalesce(InstanceRow.snapshot_id, InstanceRow.pending_snapshot_id)
                == query.snapshot_id
            )
        statement = filter_and_sort(
            statement,
            InstanceRow,
            search=query.search,
            created_after=query.created_after,
            created_before=query.created_before,
            sort_by=query.sort_by,
            sort_order=query.sort_order,
        )
        with self.store.session() as session:
            total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
            rows = session.scalars(statement.offset(query.offset).limit(query.limit)).all()
            return Page([instance_model(session, r, detail=False) for r in rows], total)

    def get(self, instance_id: int) -> Instance:
        with self.store.session() as session:
            return instance_model(session, self._row(session, instance_id))

    def progress(self, instance_id: int) -> InstanceProgress:
        with self.store.session() as session:
            return instance_progress(session, self._row(session, instance_id))

    def events(self, instance_id: int, offset: int, limit: int) -> Page:
        with self.store.session() as session:
            row = self._row(session, instance_id)
            statement = select(InstanceEventRow).where(InstanceEventRow.instance_id == row.id)
            total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
            events = session.scalars(
                statement.order_by(desc(InstanceEventRow.id)).offset(offset).limit(limit)
            ).all()
            return Page([InstanceEvent.model_validate(columns(e)) for e in events], total)

    def user_status(self, principal: Principal) -> UserInstanceStatus:
        with self.store.session() as session:
            active = (
                session.scalar(
                    select(func.count()).where(
                        InstanceRow.owner_username == principal.username,
                        InstanceRow.status.in_(ACTIVE),
                    )
                )
                or 0
            )
        limit = self.settings.per_analyst_limit
        return UserInstanceStatus(
            active_instances=active, per_user_limit=limit, available_slots=max(0, limit - active)
        )

    # -- owner writes --------------------------------------------------------------------------

    def update(self, principal: Principal, instance_id: int, body: Any) -> Instance:
        problems = Problems()
        if check_fields(body, {"name", "description"}, problems):
            check_resource_name(body.get("name"), "name", problems, required=False)
            check_description(body.get("description"), "description", problems)
        if problems:
            raise validation_failed(problems.errors)
        with self.store.session(write=True) as session:
            row = self._row(session, instance_id)
            require_owner(principal, row.owner_username, "update this instance")
            if body.get("name") is not None:
                row.name = body["name"]
            if "description" in body:
                row.description = body["description"]
            row.updated_at = utcnow()
            session.flush()
            return instance_model(session, row)

    def set_lifecycle(self, principal: Principal, instance_id: int, body: Any) -> Instance:
        problems = Problems()
        if not check_fields(body, {"ttl", "inactivity_timeout"}, problems):
            raise validation_failed(problems.errors)
        with self.store.session(write=True) as session:
            row = self._row(session, instance_id)
            require_owner(principal, row.owner_username, "change this instance's lifecycle")
            ttl = body.get("ttl", row.ttl)
            inactivity = body.get("inactivity_timeout", row.inactivity_timeout)
            check_lifecycle(
                ttl, inactivity, self.settings.instance_lifecycle, problems, raise_limits=True
            )
            if problems:
                raise validation_failed(problems.errors)
            row.ttl, row.inactivity_timeout, row.updated_at = ttl, inactivity, utcnow()
            session.flush()
            return instance_model(session, row)

    def update_cpu(self, principal: Principal, instance_id: int, body: Any) -> Instance:
        problems = Problems()
        if check_fields(body, {"cpu_cores"}, problems):
            cpu = body.get("cpu_cores")
            if not _is_int(cpu) or not 1 <= cpu <= 8:
                problems.add("cpu_cores", "cpu_cores must be an integer from 1 to 8")
        if problems:
            raise validation_failed(problems.errors)
        with self.store.session(write=True) as session:
            row = self._row(session, instance_id)
            require_owner(principal, row.owner_username, "resize this instance")
            if row.status != "running":
                raise DomainError(
                    "INVALID_STATE",
                    f"Instance is {row.status}; only a running instance can be resized",
                    {"current_status": row.status},
                )
            old, row.cpu_cores, row.updated_at = row.cpu_cores, body["cpu_cores"], utcnow()
            url = row.instance_url
            session.add(
                InstanceEventRow(
                    instance_id=row.id,
                    event_type="cpu_updated",
                    details={"old_cpu_cores": old, "new_cpu_cores": row.cpu_cores},
                )
            )
            session.flush()
            result = instance_model(session, row)
        if url:
            self._tell_wrapper(url, "/admin/threads", {"threads": body["cpu_cores"]})
        return result

    def terminate(self, principal: Principal, instance_id: int) -> None:
        with self.store.session(write=True) as session:
            row = self._row(session, instance_id)
            require_owner(principal, row.owner_username, "terminate this instance")
            row.status, row.updated_at = "stopping", utcnow()
        self.launcher.stop(instance_id)
        with self.store.session(write=True) as session:
            row_or_none = session.get(InstanceRow, instance_id)
            if row_or_none is not None:
                session.delete(row_or_none)
        log.info("instance %s terminated by %s", instance_id, principal.username)

    def _tell_wrapper(self, url: str, path: str, body: dict[str, Any]) -> None:
        try:
            httpx.post(
                url.rstrip("/") + path,
                json=body,
                timeout=5,
                headers={"X-Internal-Api-Key": self.settings.resolved_internal_api_key()},
            )
        except httpx.HTTPError:
            log.warning("could not reach the wrapper at %s", url)

    def _row(self, session: Session, instance_id: int) -> InstanceRow:
        row = session.get(InstanceRow, instance_id)
        if row is None:
            raise not_found("Instance", instance_id)
        return row


def _limit(kind: str, current: int, allowed: int) -> DomainError:
    who = "you have" if kind == "per_analyst" else "the platform has"
    return DomainError(
        "CONCURRENCY_LIMIT_EXCEEDED",
        f"Instance limit reached: {who} {current} active instance(s) of {allowed} allowed; "
        "terminate one first",
        {"limit_type": kind, "current_count": current, "max_allowed": allowed},
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def instance_model(session: Session, row: InstanceRow, *, detail: bool = True) -> Instance:
    snapshot_id = row.snapshot_id or row.pending_snapshot_id
    snapshot = session.get(SnapshotRow, snapshot_id) if snapshot_id else None
    mapping = session.get(MappingRow, snapshot.mapping_id) if snapshot else None
    data = columns(row)
    if not detail:
        data.pop("stack_trace", None)
    data["progress"] = None
    return Instance.model_validate(
        {
            **data,
            "snapshot_name": snapshot.name if snapshot else None,
            "mapping_id": snapshot.mapping_id if snapshot else None,
            "mapping_version": snapshot.mapping_version if snapshot else None,
            "mapping_name": mapping.name if mapping else None,
            "expires_at": expires_at(row.created_at, row.ttl),
        }
    )


def instance_progress(session: Session, row: InstanceRow) -> InstanceProgress:
    """Export steps of its snapshot followed by the wrapper's startup steps, in one list."""
    snapshot_id = row.snapshot_id or row.pending_snapshot_id
    export = snapshot_steps(snapshot_jobs(session, snapshot_id)) if snapshot_id else []
    reported = (row.progress or {}).get("steps", [])
    steps = [*export, *reported]
    phase = (row.progress or {}).get("phase") or {
        "waiting_for_snapshot": "exporting",
        "starting": "initializing",
        "running": "ready",
        "failed": "failed",
        "stopping": "stopping",
    }[row.status]
    if row.status == "waiting_for_snapshot":
        phase = "exporting"
    elif row.status in ("running", "failed"):
        phase = "ready" if row.status == "running" else "failed"
    now = utcnow()
    ready_at = row.started_at if row.status == "running" else None
    return InstanceProgress.model_validate(
        {
            "id": row.id,
            "status": row.status,
            "phase": phase,
            "started_at": row.created_at,
            "ready_at": ready_at,
            "startup_duration_seconds": seconds(ready_at - row.created_at) if ready_at else None,
            "elapsed_seconds": seconds((ready_at or now) - row.created_at),
            "steps": steps,
            "completed_steps": sum(1 for s in steps if s.get("status") == "completed"),
            # The wrapper reports its start, schema creation and one load per definition.
            "total_steps": max(len(steps), 2 * len(export) + 2),
            "error_code": row.error_code,
            "error_message": row.error_message,
        }
    )
