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

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from graph_olap_platform import __version__
from graph_olap_platform.control_plane.deps import NUL_MESSAGE, AppState
from graph_olap_platform.control_plane.envelope import REQUEST_ID_HEADER, error
from graph_olap_platform.control_plane.errors import DomainError
from graph_olap_platform.control_plane.jobs import Job, Jobs
from graph_olap_platform.control_plane.routers import (
    health,
    instances,
    internal,
    mappings,
    snapshots,
    users,
)
from graph_olap_platform.control_plane.services.exports import ExportWorker
from graph_olap_platform.control_plane.services.instances import InstanceService
from graph_olap_platform.control_plane.services.mappings import MappingService
from graph_olap_platform.control_plane.services.orchestration import Orchestrator
from graph_olap_platform.control_plane.services.snapshots import SnapshotService
from graph_olap_platform.control_plane.services.users import UserService
from graph_olap_platform.control_plane.services.wrappers import WrapperService
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.field_paths import field_errors
from graph_olap_platform.launcher import LocalLauncher
from graph_olap_platform.settings import Settings
from graph_olap_platform.warehouse.demo import ensure_demo_warehouse
from graph_olap_platform.warehouse.factory import SharedWarehouse

log = logging.getLogger("graph_olap_platform.control_plane")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    state = build_state(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.store.migrate()
        if settings.uses_demo_warehouse:
            ensure_demo_warehouse(settings.data_dir / "warehouse.duckdb")
        state.jobs.start()
        log.info(
            "control plane ready (store: %s, warehouse: %s, dev mode: %s)",
            state.store.dialect,
            settings.resolved_warehouse_url.split("@")[-1],
            settings.dev_mode,
        )
        yield
        state.jobs.stop()
        state.exports.close()
        state.warehouse.close()
        state.store.dispose()

    app = FastAPI(
        title="graph-olap control plane",
        version=__version__,
        description="Mappings, snapshots and graph instances for notebook graph analytics.",
        lifespan=lifespan,
    )
    app.state.graph_olap = state
    routers = (
        health.router,
        mappings.router,
        snapshots.router,
        instances.router,
        internal.router,
        users.router,
    )
    for router in routers:
        app.include_router(router)
    _install_error_handlers(app)
    _install_request_ids(app)
    return app


def build_state(settings: Settings) -> AppState:
    """Wire the store, the warehouse, the launcher, the services and the background jobs."""
    store = Store(settings.resolved_database_url)
    launcher = LocalLauncher(settings.data_dir / "instances")
    snapshot_service = SnapshotService(store)
    orchestrator = Orchestrator(store, settings, launcher, snapshot_service)
    jobs_holder: list[Jobs] = []

    def snapshot_done(_snapshot_id: int) -> None:
        jobs_holder[0].wake("orchestration")

    warehouse = SharedWarehouse(settings.resolved_warehouse_url)
    exports = ExportWorker(
        store,
        warehouse.get,
        workers=settings.export_workers,
        on_snapshot_done=snapshot_done,
    )
    jobs = Jobs(
        [
            Job("export", 0.5 if settings.export_workers else 0, exports.run_once),
            Job("orchestration", settings.orchestration_interval_seconds, orchestrator.start_ready),
            Job(
                "reconciliation",
                settings.reconciliation_job_interval_seconds,
                orchestrator.reconcile,
            ),
            Job("lifecycle", settings.lifecycle_job_interval_seconds, orchestrator.expire),
        ]
    )
    jobs_holder.append(jobs)
    return AppState(
        settings=settings,
        store=store,
        mappings=MappingService(
            store,
            settings.mapping_lifecycle,
            warehouse=warehouse.get if settings.validate_sql_against_warehouse else None,
        ),
        warehouse=warehouse,
        users=UserService(store),
        snapshots=snapshot_service,
        instances=InstanceService(store, settings, launcher),
        wrappers=WrapperService(store, orchestrator),
        orchestrator=orchestrator,
        exports=exports,
        jobs=jobs,
    )


def _install_request_ids(app: FastAPI) -> None:
    @app.middleware("http")
    async def request_ids(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.state.request_id = (
            incoming if _REQUEST_ID.match(incoming) else f"req-{uuid.uuid4()}"
        )
        # PostgreSQL text cannot hold NUL: refuse it in the path or query before the store sees it.
        nul = ["path"] if "\x00" in request.scope.get("path", "") else []
        nul += [k for k, v in request.query_params.multi_items() if "\x00" in k + v]
        if nul:
            errors = [{"field": field, "message": NUL_MESSAGE} for field in nul]
            return error(
                request, 400, "VALIDATION_FAILED", "Invalid request parameters", {"errors": errors}
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
        errors = field_errors(exc.errors())
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
            methods = _allowed_methods(request) or [
                m.strip() for m in (exc.headers or {}).get("Allow", "").split(",") if m.strip()
            ]
            allowed = ", ".join(methods)
            return error(
                request,
                405,
                "METHOD_NOT_ALLOWED",
                f"{request.method} is not allowed on {request.url.path}",
                {"allowed_methods": methods},
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


def _allowed_methods(request: Request) -> list[str]:
    """Every method served on this path; Starlette's own Allow names only the first route's."""
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed
