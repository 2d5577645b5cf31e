"""``/api/mappings``: versioned graph mappings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from graph_olap_platform.control_plane.deps import (
    MAX_ID,
    CurrentUser,
    JsonBody,
    PageParams,
    State,
)
from graph_olap_platform.control_plane.envelope import ok, page
from graph_olap_platform.control_plane.schemas import (
    LifecycleRequest,
    MappingCopyRequest,
    MappingCreateRequest,
    MappingUpdateRequest,
    body_doc,
)
from graph_olap_platform.control_plane.services.mappings import MappingQuery, MappingSort, Saved

router = APIRouter(prefix="/api/mappings", tags=["mappings"])

MappingId = Annotated[int, Path(ge=1, le=MAX_ID, description="Mapping id")]
Version = Annotated[int, Path(ge=1, le=MAX_ID, description="Version number")]


def _saved(request: Request, saved: Saved, status_code: int) -> JSONResponse:
    meta = {"warnings": saved.warnings} if saved.warnings else {}
    return ok(request, saved.mapping, status_code=status_code, **meta)


@router.get("", summary="List mappings")
def list_mappings(
    request: Request,
    state: State,
    _user: CurrentUser,
    paging: PageParams,
    owner: Annotated[str | None, Query(description="Exact owner username")] = None,
    search: Annotated[str | None, Query(description="Substring of name or description")] = None,
    created_after: Annotated[datetime | None, Query()] = None,
    created_before: Annotated[datetime | None, Query()] = None,
    sort_by: MappingSort = "created_at",
    sort_order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
) -> JSONResponse:
    query = MappingQuery(
        owner=owner,
        search=search,
        created_after=created_after,
        created_before=created_before,
        sort_by=sort_by,
        sort_order="asc" if sort_order == "asc" else "desc",
        offset=paging.offset,
        limit=paging.limit,
    )
    result = state.mappings.list(query)
    return page(request, result.items, total=result.total, offset=paging.offset, limit=paging.limit)


@router.post(
    "",
    status_code=201,
    summary="Create a mapping (version 1)",
    openapi_extra=body_doc(MappingCreateRequest),
)
def create_mapping(
    request: Request, state: State, user: CurrentUser, body: JsonBody
) -> JSONResponse:
    return _saved(request, state.mappings.create(user, body), 201)


@router.get("/{mapping_id}", summary="Get a mapping with its current version")
def get_mapping(
    request: Request, state: State, _user: CurrentUser, mapping_id: MappingId
) -> JSONResponse:
    return ok(request, state.mappings.get(mapping_id))


@router.put(
    "/{mapping_id}",
    summary="Update a mapping; new definitions create a new version",
    openapi_extra=body_doc(MappingUpdateRequest),
)
def update_mapping(
    request: Request, state: State, user: CurrentUser, mapping_id: MappingId, body: JsonBody
) -> JSONResponse:
    return _saved(request, state.mappings.update(user, mapping_id, body), 200)


@router.delete("/{mapping_id}", summary="Delete a mapping without snapshots")
def delete_mapping(
    request: Request, state: State, user: CurrentUser, mapping_id: MappingId
) -> JSONResponse:
    state.mappings.delete(user, mapping_id)
    return ok(request, {"deleted": True})


@router.post(
    "/{mapping_id}/copy",
    status_code=201,
    summary="Copy a mapping; you own the copy",
    openapi_extra=body_doc(MappingCopyRequest),
)
def copy_mapping(
    request: Request, state: State, user: CurrentUser, mapping_id: MappingId, body: JsonBody
) -> JSONResponse:
    return _saved(request, state.mappings.copy(user, mapping_id, body), 201)


@router.put(
    "/{mapping_id}/lifecycle",
    summary="Set TTL and inactivity timeout",
    openapi_extra=body_doc(LifecycleRequest),
)
def set_lifecycle(
    request: Request, state: State, user: CurrentUser, mapping_id: MappingId, body: JsonBody
) -> JSONResponse:
    return ok(request, state.mappings.set_lifecycle(user, mapping_id, body))


@router.get("/{mapping_id}/versions", summary="List versions, newest first")
def list_versions(
    request: Request, state: State, _user: CurrentUser, mapping_id: MappingId, paging: PageParams
) -> JSONResponse:
    result = state.mappings.list_versions(mapping_id, paging.offset, paging.limit)
    return page(request, result.items, total=result.total, offset=paging.offset, limit=paging.limit)


@router.get("/{mapping_id}/versions/{version}", summary="Get one version")
def get_version(
    request: Request, state: State, _user: CurrentUser, mapping_id: MappingId, version: Version
) -> JSONResponse:
    return ok(request, state.mappings.get_version(mapping_id, version))


@router.get(
    "/{mapping_id}/versions/{from_version}/diff/{to_version}", summary="Compare two versions"
)
def diff_versions(
    request: Request,
    state: State,
    _user: CurrentUser,
    mapping_id: MappingId,
    from_version: Version,
    to_version: Version,
) -> JSONResponse:
    return ok(request, state.mappings.diff(mapping_id, from_version, to_version))


@router.get("/{mapping_id}/tree", summary="Versions → snapshots → instances")
def get_tree(
    request: Request,
    state: State,
    _user: CurrentUser,
    mapping_id: MappingId,
    include_instances: bool = True,
    status: Annotated[str | None, Query(description="Filter snapshots by status")] = None,
) -> JSONResponse:
    return ok(
        request, state.mappings.tree(mapping_id, include_instances=include_instances, status=status)
    )


@router.get("/{mapping_id}/snapshots", summary="Snapshots of every version")
def list_snapshots(
    request: Request, state: State, _user: CurrentUser, mapping_id: MappingId, paging: PageParams
) -> JSONResponse:
    result = state.mappings.list_snapshots(mapping_id, paging.offset, paging.limit)
    return page(request, result.items, total=result.total, offset=paging.offset, limit=paging.limit)


@router.get("/{mapping_id}/instances", summary="Instances from any snapshot of this mapping")
def list_instances(
    request: Request, state: State, _user: CurrentUser, mapping_id: MappingId, paging: PageParams
) -> JSONResponse:
    result = state.mappings.list_instances(mapping_id, paging.offset, paging.limit)
    return page(request, result.items, total=result.total, offset=paging.offset, limit=paging.limit)
