"""``/api/internal``: what instance wrappers call (``X-Internal-Api-Key`` only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from graph_olap_platform.control_plane.deps import Internal, JsonBody, State, authenticate
from graph_olap_platform.control_plane.envelope import ok

router = APIRouter(
    prefix="/api/internal", tags=["internal"], dependencies=[Internal], include_in_schema=False
)

InstanceId = Annotated[int, "instance id"]


@router.get("/instances/{instance_id}/mapping")
def mapping(request: Request, state: State, instance_id: int) -> JSONResponse:
    return ok(request, state.wrappers.mapping(instance_id))


@router.put("/instances/{instance_id}/progress", status_code=204)
def progress(state: State, instance_id: int, body: JsonBody) -> Response:
    state.wrappers.progress(instance_id, body)
    return Response(status_code=204)


@router.patch("/instances/{instance_id}/status")
def status(request: Request, state: State, instance_id: int, body: JsonBody) -> JSONResponse:
    result = state.wrappers.status(instance_id, body)
    return ok(request, result)


@router.put("/instances/{instance_id}/metrics", status_code=204)
def metrics(state: State, instance_id: int, body: JsonBody) -> Response:
    state.wrappers.metrics(instance_id, body)
    return Response(status_code=204)


@router.post("/instances/{instance_id}/activity", status_code=204)
def activity(state: State, instance_id: int) -> Response:
    state.wrappers.activity(instance_id)
    return Response(status_code=204)


@router.get("/instances/{slug}/authorize")
def authorize(request: Request, state: State, slug: str) -> JSONResponse:
    """Who is calling the wrapper, from the caller's own forwarded credentials."""
    principal = authenticate(
        state,
        request.headers.get("x-forwarded-authorization"),
        request.headers.get("x-forwarded-username"),
    )
    return ok(request, state.wrappers.authorize(slug, principal))
