"""``/api/instances``: graph instances created from mappings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from graph_olap_platform.control_plane.deps import CurrentUser, JsonBody, PageParams, State
from graph_olap_platform.control_plane.envelope import ok, page
from graph_olap_platform.control_plane.schemas import (
    CpuRequest,
    InstanceCreateRequest,
    InstanceUpdateRequest,
    LifecycleRequest,
    body_doc,
)
from graph_olap_platform.control_plane.services.instances import InstanceQuery, InstanceSort

router = APIRouter(prefix="/api/instances", tags=["instances"])

InstanceId = Annotated[int, Path(ge=1, description="Instance id")]


@router.get("", summary="List instances")
def list_instances(
    request: Request,
    state: State,
    _user: CurrentUser,
    paging: PageParams,
    snapshot_id: int | None = None,
    owner: str | None = None,
    status: str | None = None,
    search: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    sort_by: InstanceSort = "created_at",
    sort_order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
) -> JSONResponse:
    query = InstanceQuery(
        snapshot_id=snapshot_id,
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
    result = state.instances.list(query)
    return page(request, result.items, total=result.total, offset=paging.offset, limit=paging.limit)


def _create(request: Request, state: State, user: CurrentUser, body: JsonBody) -> JSONResponse:
    instance = state.instances.create(user, body)
    state.jobs_wake()
    return ok(request, instance, status_code=201)


router.add_api_route(
    "",
    _create,
    methods=["POST"],
    status_code=201,
    summary="Create an instance from a mapping",
    openapi_extra=body_doc(InstanceCreateRequest),
)
router.add_api_route(
    "/from-mapping",
    _create,
    methods=["POST"],
    status_code=201,
    summary="Create an instance from a mapping (same as POST /api/instances)",
    openapi_extra=body_doc(InstanceCreateRequest),
)


@router.get("/user/status", summary="Your active instances and free slots")
def user_status(request: Request, state: State, user: CurrentUser) -> JSONResponse:
    return ok(request, state.instances.user_status(user))


@router.get("/{instance_id}", summary="Get an instance")
def get_instance(
    request: Request, state: State, _user: CurrentUser, instance_id: InstanceId
) -> JSONResponse:
    return ok(request, state.instances.get(instance_id))


@router.put(
    "/{instance_id}",
    summary="Rename or describe an instance",
    openapi_extra=body_doc(InstanceUpdateRequest),
)
def update_instance(
    request: Request, state: State, user: CurrentUser, instance_id: InstanceId, body: JsonBody
) -> JSONResponse:
    return ok(request, state.instances.update(user, instance_id, body))


def _terminate(state: State, user: CurrentUser, instance_id: InstanceId) -> Response:
    state.instances.terminate(user, instance_id)
    return Response(status_code=204)


router.add_api_route(
    "/{instance_id}",
    _terminate,
    methods=["DELETE"],
    status_code=204,
    summary="Terminate and delete an instance",
)
router.add_api_route(
    "/{instance_id}/terminate",
    _terminate,
    methods=["POST"],
    status_code=204,
    summary="Terminate and delete an instance (same as DELETE)",
)


@router.put(
    "/{instance_id}/lifecycle",
    summary="Set TTL and inactivity timeout",
    openapi_extra=body_doc(LifecycleRequest),
)
def set_lifecycle(
    request: Request, state: State, user: CurrentUser, instance_id: InstanceId, body: JsonBody
) -> JSONResponse:
    return ok(request, state.instances.set_lifecycle(user, instance_id, body))


@router.put(
    "/{instance_id}/cpu",
    summary="Change CPU cores (engine threads) of a running instance",
    openapi_extra=body_doc(CpuRequest),
)
def update_cpu(
    request: Request, state: State, user: CurrentUser, instance_id: InstanceId, body: JsonBody
) -> JSONResponse:
    return ok(request, state.instances.update_cpu(user, instance_id, body))


@router.get("/{instance_id}/progress", summary="Export and startup progress")
def progress(
    request: Request, state: State, _user: CurrentUser, instance_id: InstanceId
) -> JSONResponse:
    return ok(request, state.instances.progress(instance_id))


@router.get("/{instance_id}/events", summary="Resource events (cpu_updated, ...)")
def events(
    request: Request, state: State, _user: CurrentUser, instance_id: InstanceId, paging: PageParams
) -> JSONResponse:
    result = state.instances.events(instance_id, paging.offset, paging.limit)
    return page(request, result.items, total=result.total, offset=paging.offset, limit=paging.limit)
