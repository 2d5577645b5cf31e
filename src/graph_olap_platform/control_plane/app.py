"""The control-plane app factory.

``create_app(settings)`` wires the store, services and routers; every failure, including unknown
routes, wrong methods and malformed bodies, is answered with the error envelope.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph_olap_platform import __version__
from graph_olap_platform.control_plane.deps import AppState
from graph_olap_platform.control_plane.envelope import REQUEST_ID_HEADER, error
from graph_olap_platform.control_plane.errors import DomainError
from graph_olap_platform.control_plane.routers import health, mappings, users
from graph_olap_platform.control_plane.services.mappings import MappingService
from graph_olap_platform.control_plane.services.users import UserService
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.settings import Settings

log = logging.getLogger("graph_olap_platform.control_plane")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    store = Store(settings.resolved_database_url)
    state = AppState(
        settings=settings,
        store=store,
        mappings=MappingService(store, settings.mapping_lifecycle),
        users=UserService(store),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        store.migrate()
        log.info("control plane ready (store: %s, dev mode: %s)", store.dialect, settings.dev_mode)
        yield
        store.dispose()

    app = FastAPI(
        title="graph-olap control plane",
        version=__version__,
        description="Mappings, snapshots and graph instances for notebook graph analytics.",
        lifespan=lifespan,
    )
    app.state.graph_olap = state
    for router in (health.router, mappings.router, users.router):
        app.include_router(router)
    _install_error_handlers(app)
    _install_request_ids(app)
    return app


def _install_request_ids(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_ids(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.state.request_id = (
            incoming if _REQUEST_ID.match(incoming) else f"req-{uuid.uuid4()}"
        )
        response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        return response


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return error(request, exc.status_code, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"field": _field_path(item.get("loc", ())), "message": item.get("msg", "invalid")}
            for item in exc.errors()
        ]
        return error(
            request, 400, "VALIDATION_FAILED", "Invalid request parameters", {"errors": errors}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error(
                request,
                404,
                "RESOURCE_NOT_FOUND",
                f"No route {request.method} {request.url.path}",
                {"path": request.url.path},
            )
        if exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "")
            return error(
                request,
                405,
                "METHOD_NOT_ALLOWED",
                f"{request.method} is not allowed on {request.url.path}",
                {"allowed_methods": [m.strip() for m in allowed.split(",") if m.strip()]},
                {"Allow": allowed} if allowed else None,
            )
        return error(request, exc.status_code, "HTTP_ERROR", str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error(
            request,
            500,
            "INTERNAL_ERROR",
            "Internal error; the server log has the details under this request id",
            {},
        )


def _field_path(loc: Any) -> str:
    """Turn ``("query", "limit")`` into ``limit`` and ``("body", "a", 0)`` into ``a[0]``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"
