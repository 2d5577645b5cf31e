"""``/api/snapshots``: read and retry snapshots (they are created with instances)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from graph_olap_platform.control_plane.deps import CurrentUser, PageParams, State
from graph_olap_platform.control_plane.envelope import ok, page
from graph_olap_platform.control_plane.services.snapshots import SnapshotQuery, SnapshotSort

router = APIRouter(prefix="/api/snapshots", tags=["snapshots"])

SnapshotId = Annotated[int, Path(ge=1, description="Snapshot id")]


@router.get("", summary="List snapshots")
def list_snapshots(
    request: Request,
    state: State,
    _user: CurrentUser,
    paging: PageParams,
    mapping_id: int | None = None,
    mapping_version: int | None = None,
    owner: str | None = None,
    status: str | None = None,
    search: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    sort_by: SnapshotSort = "created_at",
    sort_order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
) -> JSONResponse:
    query = SnapshotQuery(
        mapping_id=mapping_id,
        mapping_version=mapping_version,
        owner=owner,
        status=status,
        search=search,
        created_after=created_after,
        created_before=created_before,
        sort_by=sort_by,
        sort_order="asc" if sort_order == "asc" else "desc",
        offset=paging.offset,
        limit=paging.limit,
    )
    result = state.snapshots.list(query)
    return page(request, result.items, total=result.total, offset=paging.offset, limit=paging.limit)


@router.get("/{snapshot_id}", summary="Get a snapshot")
def get_snapshot(
    request: Request, state: State, _user: CurrentUser, snapshot_id: SnapshotId
) -> JSONResponse:
    return ok(request, state.snapshots.get(snapshot_id))


@router.get("/{snapshot_id}/progress", summary="Export progress, one step per definition")
def progress(
    request: Request, state: State, _user: CurrentUser, snapshot_id: SnapshotId
) -> JSONResponse:
    return ok(request, state.snapshots.progress(snapshot_id))


@router.post("/{snapshot_id}/retry", summary="Re-run a failed snapshot's export")
def retry(
    request: Request, state: State, user: CurrentUser, snapshot_id: SnapshotId
) -> JSONResponse:
    snapshot = state.snapshots.retry(user, snapshot_id)
    state.jobs_wake()
    return ok(request, snapshot)


@router.delete("/{snapshot_id}", summary="Delete a snapshot no active instance uses")
def delete_snapshot(
    request: Request, state: State, user: CurrentUser, snapshot_id: SnapshotId
) -> JSONResponse:
    state.snapshots.delete_owned(user, snapshot_id)
    return ok(request, {"deleted": True})
