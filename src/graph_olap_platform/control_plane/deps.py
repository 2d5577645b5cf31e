"""FastAPI dependencies: app state, the authenticated caller, JSON bodies and list parameters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from graph_olap_platform.control_plane import auth
from graph_olap_platform.control_plane.errors import DomainError, unauthorized, validation_failed
from graph_olap_platform.control_plane.services.mappings import MappingService
from graph_olap_platform.control_plane.services.users import UserService
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.settings import Settings

MAX_BODY_BYTES = 5 * 1024 * 1024


@dataclass
class AppState:
    settings: Settings
    store: Store
    mappings: MappingService
    users: UserService


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.graph_olap
    return state


State = Annotated[AppState, Depends(get_state)]


def current_principal(request: Request, state: State) -> auth.Principal:
    """Authenticate by API key; by ``X-Username`` only in dev mode."""
    headers = request.headers
    authorization = headers.get("authorization")
    if authorization:
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise unauthorized("Authorization header must be 'Bearer <api key>'")
        with state.store.session(write=True) as session:
            return auth.authenticate_api_key(session, key.strip())
    if headers.get("x-internal-api-key"):
        raise unauthorized("X-Internal-Api-Key is reserved for instance wrappers (/api/internal)")
    username = headers.get("x-username")
    if username:
        if not state.settings.dev_mode:
            raise unauthorized(
                "X-Username is only accepted when the server runs in dev mode "
                "(graph-olap serve --dev); send 'Authorization: Bearer <api key>'"
            )
        if not auth.USERNAME.match(username):
            raise unauthorized(f"Invalid username '{username[:64]}'")
        with state.store.session(write=True) as session:
            return auth.authenticate_dev_username(session, username)
    raise unauthorized(
        "Authentication required: send 'Authorization: Bearer <api key>' "
        "(create a key with `graph-olap users create NAME`)"
    )


CurrentUser = Annotated[auth.Principal, Depends(current_principal)]


async def json_body(request: Request) -> Any:
    """The request body as JSON; malformed JSON is a 400 listing where it broke."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise DomainError(
            "PAYLOAD_TOO_LARGE",
            f"Request body exceeds {MAX_BODY_BYTES // (1024 * 1024)} MB",
            {"max_bytes": MAX_BODY_BYTES},
        )
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = (
            f" at line {exc.lineno}, column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise validation_failed(
            [{"field": "body", "message": f"Malformed JSON{where}: {getattr(exc, 'msg', exc)}"}],
            "Request body is not valid JSON",
        ) from None


JsonBody = Annotated[Any, Depends(json_body)]


@dataclass(frozen=True)
class Paging:
    offset: int
    limit: int


def paging(
    offset: Annotated[int, Query(ge=0, description="Records to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="Max records (1-100)")] = 50,
) -> Paging:
    return Paging(offset, limit)


PageParams = Annotated[Paging, Depends(paging)]
