"""FastAPI dependencies: app state, the authenticated caller, JSON bodies and list parameters."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from graph_olap_platform.control_plane import auth
from graph_olap_platform.control_plane.errors import DomainError, unauthorized, validation_failed
from graph_olap_platform.control_plane.jobs import Jobs
from graph_olap_platform.control_plane.services.exports import ExportWorker
from graph_olap_platform.control_plane.services.instances import InstanceService
from graph_olap_platform.control_plane.services.mappings import MappingService
from graph_olap_platform.control_plane.services.orchestration import Orchestrator
from graph_olap_platform.control_plane.services.snapshots import SnapshotService
from graph_olap_platform.control_plane.services.users import UserService
from graph_olap_platform.control_plane.services.wrappers import WrapperService
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.settings import Settings
from graph_olap_platform.warehouse.factory import SharedWarehouse

MAX_BODY_BYTES = 5 * 1024 * 1024
# Ids and versions live in 32-bit INTEGER columns and offsets in BIGINT: larger numbers are
# refused up front instead of overflowing in the database driver (a 500).
MAX_ID = 2**31 - 1
MAX_OFFSET = 2**63 - 1
NUL_MESSAGE = "NUL characters (\\u0000) are not allowed"


@dataclass
class AppState:
    settings: Settings
    store: Store
    mappings: MappingService
    users: UserService
    snapshots: SnapshotService
    instances: InstanceService
    wrappers: WrapperService
    orchestrator: Orchestrator
    exports: ExportWorker
    jobs: Jobs
    warehouse: SharedWarehouse

    def jobs_wake(self) -> None:
        """Start exports and launches now rather than at the next tick."""
        self.jobs.wake("export", "orchestration")


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.graph_olap
    return state


State = Annotated[AppState, Depends(get_state)]


def authenticate(
    state: AppState, authorization: str | None, username: str | None
) -> auth.Principal:
    """Authenticate by API key; by username only in dev mode."""
    if authorization:
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise unauthorized("Authorization header must be 'Bearer <api key>'")
        with state.store.session(write=True) as session:
            return auth.authenticate_api_key(session, key.strip())
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


def current_principal(request: Request, state: State) -> auth.Principal:
    headers = request.headers
    if not headers.get("authorization") and headers.get("x-internal-api-key"):
        raise unauthorized("X-Internal-Api-Key is reserved for instance wrappers (/api/internal)")
    return authenticate(state, headers.get("authorization"), headers.get("x-username"))


CurrentUser = Annotated[auth.Principal, Depends(current_principal)]


def internal_caller(request: Request, state: State) -> None:
    """Wrappers only: the internal API key, compared in constant time."""
    key = request.headers.get("x-internal-api-key", "")
    if not key or not hmac.compare_digest(key, state.settings.resolved_internal_api_key()):
        raise unauthorized("The internal API needs a valid X-Internal-Api-Key")


Internal = Depends(internal_caller)


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
        body = json.loads(raw)
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
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the store.
    nul = _nul_fields(body, "")
    if nul:
        raise validation_failed([{"field": field, "message": NUL_MESSAGE} for field in nul])
    return body


def _nul_fields(value: Any, path: str) -> list[str]:
    """Field paths (``a.b[0]``) of the strings and keys in ``value`` that contain NUL."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, list):
        return [f for i, item in enumerate(value) for f in _nul_fields(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        found: list[str] = []
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            found += [child] if "\x00" in key else _nul_fields(item, child)
        return found
    return []


JsonBody = Annotated[Any, Depends(json_body)]


@dataclass(frozen=True)
class Paging:
    offset: int
    limit: int


def paging(
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Records to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="Max records (1-100)")] = 50,
) -> Paging:
    return Paging(offset, limit)


PageParams = Annotated[Paging, Depends(paging)]
