"""``/api/users``: your own record, the first-ops bootstrap, and user admin (admin/ops)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from graph_olap_platform.control_plane.auth import ROLES, require_role
from graph_olap_platform.control_plane.deps import CurrentUser, JsonBody, State
from graph_olap_platform.control_plane.envelope import ok
from graph_olap_platform.control_plane.schemas import UserCreateRequest, body_doc

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("/me", summary="The authenticated user")
def me(request: Request, state: State, user: CurrentUser) -> JSONResponse:
    return ok(request, state.users.get(user.username))


@router.post(
    "/bootstrap",
    status_code=201,
    summary="Create the first (ops) user; 409 afterwards",
    openapi_extra=body_doc(UserCreateRequest),
)
def bootstrap(request: Request, state: State, body: JsonBody) -> JSONResponse:
    return ok(request, state.users.create(body, first_ops=True), status_code=201)


@router.get("", summary="List users (admin)")
def list_users(request: Request, state: State, user: CurrentUser) -> JSONResponse:
    require_role(user, "admin")
    users = state.users.list()
    return ok(request, users, total=len(users), offset=0, limit=len(users))


@router.post(
    "",
    status_code=201,
    summary="Create a user and its API key (admin)",
    openapi_extra=body_doc(UserCreateRequest),
)
def create_user(request: Request, state: State, user: CurrentUser, body: JsonBody) -> JSONResponse:
    require_role(user, "admin")
    if isinstance(body, dict) and isinstance(body.get("role"), str) and body["role"] in ROLES:
        # Nobody grants a role above their own: an admin cannot mint ops users.
        require_role(user, body["role"])
    return ok(request, state.users.create(body), status_code=201)


@router.get("/{username}", summary="A user's record (admin, or yourself)")
def get_user(
    request: Request, state: State, user: CurrentUser, username: Annotated[str, Path()]
) -> JSONResponse:
    if username != user.username:
        require_role(user, "admin")
    return ok(request, state.users.get(username))
