"""Mapping service: versioned node/edge definitions, free of HTTP concerns.

Every write validates the whole request first and only then touches the store, inside one
transaction, so a rejected request leaves nothing behind.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from graph_olap.models import (
    Mapping,
    MappingDiff,
    MappingInstance,
    MappingLifecycle,
    MappingTree,
    MappingVersion,
    Snapshot,
)
from graph_olap_platform.control_plane.auth import Principal, require_owner
from graph_olap_platform.control_plane.errors import DomainError, not_found, validation_failed
from graph_olap_platform.control_plane.services.common import (
    Page,
    check_lifecycle,
    columns,
    filter_and_sort,
)
from graph_olap_platform.control_plane.services.diff import diff_definitions
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import (
    InstanceRow,
    MappingRow,
    MappingVersionRow,
    SnapshotRow,
    User,
    utcnow,
)
from graph_olap_platform.control_plane.validation import (
    Problems,
    check_definitions,
    check_description,
    check_fields,
    check_resource_name,
)
from graph_olap_platform.settings import LifecycleDefaults
from graph_olap_platform.warehouse.base import Warehouse, WarehouseError
from graph_olap_platform.warehouse.validate import check_definitions_against

MappingSort = Literal["name", "created_at", "updated_at", "current_version"]
SNAPSHOT_STATUSES = ("pending", "creating", "ready", "failed", "cancelled")

CREATE_FIELDS = {
    "name",
    "description",
    "node_definitions",
    "edge_definitions",
    "ttl",
    "inactivity_timeout",
}
UPDATE_FIELDS = {
    "name",
    "description",
    "change_description",
    "node_definitions",
    "edge_definitions",
}
IMMUTABLE_FIELDS = {"id", "owner_username", "created_at", "updated_at", "current_version"}
CHANGE_WITHOUT_DEFINITIONS = (
    "change_description only goes with new node_definitions or edge_definitions (it describes "
    "the new version they create); nothing was changed"
)
LIFECYCLE_FIELDS = {"ttl", "inactivity_timeout"}


@dataclass(frozen=True)
class MappingQuery:
    owner: str | None = None
    search: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort_by: MappingSort = "created_at"
    sort_order: Literal["asc", "desc"] = "desc"
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class Saved:
    """A written mapping plus non-blocking warnings about its definitions."""

    mapping: Mapping
    warnings: list[dict[str, str]]


class MappingService:
    def __init__(
        self,
        store: Store,
        lifecycle: LifecycleDefaults,
        *,
        warehouse: Callable[[], Warehouse] | None = None,
    ) -> None:
        self.store = store
        self.lifecycle = lifecycle
        self._warehouse = warehouse

    # -- reads ---------------------------------------------------------------------------------

    def list(self, query: MappingQuery) -> Page:
        statement = select(MappingRow)
        if query.owner:
            statement = statement.where(MappingRow.owner_username == query.owner)
        statement = filter_and_sort(
            statement,
            MappingRow,
            search=query.search,
            created_after=query.created_after,
            created_before=query.created_before,
            sort_by=query.sort_by,
            sort_order=query.sort_order,
        )
        with self.store.session() as session:
            total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
            rows = session.scalars(statement.offset(query.offset).limit(query.limit)).all()
            counts = _snapshot_counts(session, [row.id for row in rows])
            # List items are mapping headers; only GET /{id} carries the `version` object.
            items = [
                _mapping(row, counts.get(row.id, 0)).model_dump(
                    mode="json", by_alias=True, exclude={"version"}
                )
                for row in rows
            ]
        return Page(items, total)

    def get(self, mapping_id: int) -> Mapping:
        with self.store.session() as session:
            return self._full(session, self._row(session, mapping_id))

    def list_versions(self, mapping_id: int, offset: int, limit: int) -> Page:
        with self.store.session() as session:
            row = self._row(session, mapping_id)
            statement = (
                select(MappingVersionRow, User.display_name)
                .outerjoin(User, User.username == MappingVersionRow.created_by)
                .where(MappingVersionRow.mapping_id == row.id)
                .order_by(desc(MappingVersionRow.version))
            )
            results = session.execute(statement.offset(offset).limit(limit)).all()
            items = [
                _version(version, display_name, with_definitions=False).model_dump(
                    mode="json", exclude={"mapping_id", "node_definitions", "edge_definitions"}
                )
                for version, display_name in results
            ]
            return Page(items, row.current_version)

    def get_version(self, mapping_id: int, version: int) -> MappingVersion:
        with self.store.session() as session:
            row = self._row(session, mapping_id)
            return self._version(session, row, version)

    def diff(self, mapping_id: int, from_version: int, to_version: int) -> MappingDiff:
        with self.store.session() as session:
            row = self._row(session, mapping_id)
            old = self._version_row(session, row, from_version)
            new = self._version_row(session, row, to_version)
            changes = diff_definitions(
                old.node_definitions,
                new.node_definitions,
                old.edge_definitions,
                new.edge_definitions,
            )
        return MappingDiff.model_validate(
            {
                "mapping_id": mapping_id,
                "from_version": from_version,
                "to_version": to_version,
                **changes,
            }
        )

    def tree(
        self, mapping_id: int, *, include_instances: bool, status: str | None
    ) -> dict[str, Any]:
        if status is not None and status not in SNAPSHOT_STATUSES:
            raise _bad_status(status)
        with self.store.session() as session:
            row = self._row(session, mapping_id)
            versions = session.scalars(
                select(MappingVersionRow)
                .where(MappingVersionRow.mapping_id == row.id)
                .order_by(desc(MappingVersionRow.version))
            ).all()
            snapshots_q = select(SnapshotRow).where(SnapshotRow.mapping_id == row.id)
            if status:
                snapshots_q = snapshots_q.where(SnapshotRow.status == status)
            snapshots = session.scalars(snapshots_q.order_by(desc(SnapshotRow.id))).all()
            instances = _instances_by_snapshot(session, [s.id for s in snapshots])
        by_version: dict[int, list[dict[str, Any]]] = {}
        for snapshot in snapshots:
            attached = instances.get(snapshot.id, [])
            entry: dict[str, Any] = {
                "id": snapshot.id,
                "name": snapshot.name,
                "status": snapshot.status,
                "created_at": snapshot.created_at,
                "instance_count": len(attached),
            }
            if include_instances:
                entry["instances"] = [
                    {"id": i.id, "name": i.name, "status": i.status} for i in attached
                ]
            by_version.setdefault(snapshot.mapping_version, []).append(entry)
        tree = MappingTree.model_validate(
            {
                "id": row.id,
                "name": row.name,
                "owner_username": row.owner_username,
                "current_version": row.current_version,
                "versions": [
                    {
                        "version": v.version,
                        "change_description": v.change_description,
                        "created_at": v.created_at,
                        "snapshot_count": len(by_version.get(v.version, [])),
                        "snapshots": by_version.get(v.version, []),
                    }
                    for v in versions
                ],
                "totals": {
                    "version_count": len(versions),
                    "snapshot_count": len(snapshots),
                    "instance_count": sum(len(v) for v in instances.values()),
                },
            }
        )
        data = tree.model_dump(mode="json")
        if not include_instances:
            for version in data["versions"]:
                for snapshot in version["snapshots"]:
                    snapshot.pop("instances", None)
        return data

    def list_snapshots(self, mapping_id: int, offset: int, limit: int) -> Page:
        with self.store.session() as session:
            row = self._row(session, mapping_id)
            statement = select(SnapshotRow).where(SnapshotRow.mapping_id == row.id)
            total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
            snapshots = session.scalars(
                statement.order_by(desc(SnapshotRow.id)).offset(offset).limit(limit)
            ).all()
            counts = {
                snapshot_id: len(instances)
                for snapshot_id, instances in _instances_by_snapshot(
                    session, [s.id for s in snapshots]
                ).items()
            }
            items = [
                Snapshot.model_validate(
                    {**columns(s), "mapping_name": row.name, "instance_count": counts.get(s.id, 0)}
                )
                for s in snapshots
            ]
        return Page(items, total)

    def list_instances(self, mapping_id: int, offset: int, limit: int) -> Page:
        with self.store.session() as session:
            row = self._row(session, mapping_id)
            snapshot_ids = select(SnapshotRow.id).where(SnapshotRow.mapping_id == row.id)
            statement = (
                select(InstanceRow, SnapshotRow.name)
                .join(
                    SnapshotRow,
                    SnapshotRow.id
                    == func.coalesce(InstanceRow.snapshot_id, InstanceRow.pending_snapshot_id),
                )
                .where(SnapshotRow.id.in_(snapshot_ids))
            )
            total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
            results = session.execute(
                statement.order_by(desc(InstanceRow.id)).offset(offset).limit(limit)
            ).all()
            items = [
                MappingInstance.model_validate({**columns(i), "snapshot_name": name})
                for i, name in results
            ]
        return Page(items, total)

    # -- writes --------------------------------------------------------------------------------

    def create(self, principal: Principal, body: Any) -> Saved:
        problems = Problems()
        if check_fields(body, CREATE_FIELDS, problems):
            check_resource_name(body.get("name"), "name", problems, required=True)
            check_description(body.get("description"), "description", problems)
            nodes, edges = check_definitions(
                body.get("node_definitions"), body.get("edge_definitions", []), problems
            )
            self._check_against_warehouse(nodes, edges, problems)
            ttl = body.get("ttl", self.lifecycle.default_ttl)
            inactivity = body.get("inactivity_timeout", self.lifecycle.default_inactivity)
            self._check_lifecycle(ttl, inactivity, problems)
        if problems:
            raise validation_failed(problems.errors)
        now = utcnow()
        with self.store.session(write=True) as session:
            row = MappingRow(
                owner_username=principal.username,
                name=body["name"],
                description=body.get("description"),
                current_version=1,
                created_at=now,
                updated_at=now,
                ttl=ttl,
                inactivity_timeout=inactivity,
            )
            session.add(row)
            session.flush()
            session.add(
                MappingVersionRow(
                    mapping_id=row.id,
                    version=1,
                    change_description=None,
                    node_definitions=nodes,
                    edge_definitions=edges,
                    created_at=now,
                    created_by=principal.username,
                )
            )
            session.flush()
            return Saved(self._full(session, row), problems.warnings)

    def update(self, principal: Principal, mapping_id: int, body: Any) -> Saved:
        problems = Problems()
        if not check_fields(body, UPDATE_FIELDS | IMMUTABLE_FIELDS, problems):
            raise validation_failed(problems.errors)
        for name in IMMUTABLE_FIELDS & body.keys():
            problems.add(name, f"'{name}' cannot be changed")
        check_resource_name(body.get("name"), "name", problems, required=False)
        if "name" in body and body["name"] is None:
            problems.add("name", "Name cannot be null")
        check_description(body.get("description"), "description", problems)
        new_version = "node_definitions" in body or "edge_definitions" in body
        if not new_version and body.get("change_description") is not None:
            # It would describe a version that is not created: refuse rather than drop it.
            problems.add("change_description", CHANGE_WITHOUT_DEFINITIONS)
        with self.store.session(write=True) as session:
            row = self._row(session, mapping_id, for_update=True)
            require_owner(principal, row.owner_username, "update this mapping")
            if new_version:
                current = self._version_row(session, row, row.current_version)
                nodes, edges = check_definitions(
                    body.get("node_definitions", current.node_definitions),
                    body.get("edge_definitions", current.edge_definitions),
                    problems,
                )
                self._check_against_warehouse(nodes, edges, problems)
                change = body.get("change_description")
                if not isinstance(change, str) or not change.strip():
                    problems.add(
                        "change_description",
                        "change_description is required when updating mapping definitions",
                    )
            if problems:
                raise _update_failed(problems)
            now = utcnow()
            if "name" in body:
                row.name = body["name"]
            if "description" in body:
                row.description = body["description"]
            if new_version:
                row.current_version += 1
                session.add(
                    MappingVersionRow(
                        mapping_id=row.id,
                        version=row.current_version,
                        change_description=body["change_description"].strip(),
                        node_definitions=nodes,
                        edge_definitions=edges,
                        created_at=now,
                        created_by=principal.username,
                    )
                )
            if new_version or {"name", "description"} & body.keys():
                row.updated_at = now
            session.flush()
            return Saved(self._full(session, row), problems.warnings)

    def delete(self, principal: Principal, mapping_id: int) -> None:
        with self.store.session(write=True) as session:
            row = self._row(session, mapping_id, for_update=True)
            require_owner(principal, row.owner_username, "delete this mapping")
            snapshots = _snapshot_counts(session, [row.id]).get(row.id, 0)
            if snapshots:
                raise DomainError(
                    "RESOURCE_HAS_DEPENDENCIES",
                    "Cannot delete mapping with existing snapshots",
                    {"snapshot_count": snapshots},
                )
            session.delete(row)

    def copy(self, principal: Principal, mapping_id: int, body: Any) -> Saved:
        problems = Problems()
        body = {} if body is None else body
        if check_fields(body, {"name"}, problems):
            check_resource_name(body.get("name"), "name", problems, required=False)
        if problems:
            raise validation_failed(problems.errors)
        now = utcnow()
        with self.store.session(write=True) as session:
            source = self._row(session, mapping_id)
            version = self._version_row(session, source, source.current_version)
            copy = MappingRow(
                owner_username=principal.username,
                name=body.get("name") or f"Copy of {source.name}"[:255],
                description=source.description,
                current_version=1,
                created_at=now,
                updated_at=now,
                ttl=self.lifecycle.default_ttl,
                inactivity_timeout=self.lifecycle.default_inactivity,
            )
            session.add(copy)
            session.flush()
            session.add(
                MappingVersionRow(
                    mapping_id=copy.id,
                    version=1,
                    change_description=None,
                    node_definitions=version.node_definitions,
                    edge_definitions=version.edge_definitions,
                    created_at=now,
                    created_by=principal.username,
                )
            )
            session.flush()
            return Saved(self._full(session, copy), [])

    def set_lifecycle(self, principal: Principal, mapping_id: int, body: Any) -> MappingLifecycle:
        problems = Problems()
        if not check_fields(body, LIFECYCLE_FIELDS, problems):
            raise validation_failed(problems.errors)
        with self.store.session(write=True) as session:
            row = self._row(session, mapping_id, for_update=True)
            require_owner(principal, row.owner_username, "change this mapping's lifecycle")
            ttl = body.get("ttl", row.ttl)
            inactivity = body.get("inactivity_timeout", row.inactivity_timeout)
            self._check_lifecycle(ttl, inactivity, problems, raise_limits=True)
            if problems:
                raise validation_failed(problems.errors)
            row.ttl, row.inactivity_timeout, row.updated_at = ttl, inactivity, utcnow()
            session.flush()
            return MappingLifecycle.model_validate(columns(row))

    # -- helpers -------------------------------------------------------------------------------

    def _check_against_warehouse(
        self, nodes: builtins.list[Any], edges: builtins.list[Any], problems: Problems
    ) -> None:
        """Run each definition's SQL past the warehouse, once the static checks pass."""
        if self._warehouse is None or problems:
            return
        try:
            errors = check_definitions_against(self._warehouse(), nodes, edges)
        except WarehouseError as failure:
            problems.add("node_definitions", f"The warehouse could not check the SQL: {failure}")
            return
        for error in errors:
            problems.add(error["field"], error["message"])

    def _check_lifecycle(
        self, ttl: Any, inactivity: Any, problems: Problems, *, raise_limits: bool = False
    ) -> None:
        check_lifecycle(ttl, inactivity, self.lifecycle, problems, raise_limits=raise_limits)

    def _row(self, session: Session, mapping_id: int, *, for_update: bool = False) -> MappingRow:
        statement = select(MappingRow).where(MappingRow.id == mapping_id)
        if for_update and self.store.dialect == "postgresql":
            statement = statement.with_for_update()
        row = session.scalars(statement).first()
        if row is None:
            raise not_found("Mapping", mapping_id)
        return row

    def _version_row(self, session: Session, row: MappingRow, version: int) -> MappingVersionRow:
        found = session.get(MappingVersionRow, (row.id, version))
        if found is None:
            raise DomainError(
                "MAPPING_VERSION_NOT_FOUND",
                f"Version {version} not found for mapping",
                {"mapping_id": row.id, "version": version, "latest_version": row.current_version},
            )
        return found

    def _version(self, session: Session, row: MappingRow, version: int) -> MappingVersion:
        found = self._version_row(session, row, version)
        return _version(found, _display_name(session, found.created_by), with_definitions=True)

    def _full(self, session: Session, row: MappingRow) -> Mapping:
        count = _snapshot_counts(session, [row.id]).get(row.id, 0)
        version = self._version(session, row, row.current_version)
        return _mapping(row, count, version)


def _mapping(
    row: MappingRow, snapshot_count: int, version: MappingVersion | None = None
) -> Mapping:
    return Mapping.model_validate(
        {**columns(row), "snapshot_count": snapshot_count, "version": version}
    )


def _version(
    row: MappingVersionRow, display_name: str | None, *, with_definitions: bool
) -> MappingVersion:
    data = columns(row)
    if not with_definitions:
        data.pop("node_definitions")
        data.pop("edge_definitions")
    return MappingVersion.model_validate({**data, "created_by_name": display_name})


def _display_name(session: Session, username: str) -> str | None:
    user = session.get(User, username)
    return user.display_name if user else None


def _snapshot_counts(session: Session, mapping_ids: list[int]) -> dict[int, int]:
    if not mapping_ids:
        return {}
    rows = session.execute(
        select(SnapshotRow.mapping_id, func.count())
        .where(SnapshotRow.mapping_id.in_(mapping_ids))
        .group_by(SnapshotRow.mapping_id)
    ).all()
    return {mapping_id: count for mapping_id, count in rows}


def _instances_by_snapshot(
    session: Session, snapshot_ids: list[int]
) -> dict[int, list[InstanceRow]]:
    if not snapshot_ids:
        return {}
    source = func.coalesce(InstanceRow.snapshot_id, InstanceRow.pending_snapshot_id)
    grouped: dict[int, list[InstanceRow]] = {}
    for instance in session.scalars(
        select(InstanceRow).where(source.in_(snapshot_ids)).order_by(InstanceRow.id)
    ):
        key = instance.snapshot_id or instance.pending_snapshot_id
        if key is not None:
            grouped.setdefault(key, []).append(instance)
    return grouped


def _update_failed(problems: Problems) -> DomainError:
    fields = {error["field"] for error in problems.errors}
    if fields == {"change_description"}:
        return DomainError(
            "VALIDATION_FAILED",
            problems.errors[0]["message"],
            {"field": "change_description", "errors": problems.errors},
        )
    return validation_failed(problems.errors)


def _bad_status(status: str) -> DomainError:
    return validation_failed(
        [
            {
                "field": "status",
                "message": f"Unknown status '{status}'; expected one of "
                f"{', '.join(SNAPSHOT_STATUSES)}",
            }
        ],
        "Invalid query parameter",
    )
