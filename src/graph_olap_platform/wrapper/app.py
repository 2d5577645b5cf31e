"""The wrapper's HTTP API (docs/instances.md, "Wrapper HTTP API").

Engine calls run in a dedicated thread pool, never on the event loop, so ``/health`` answers while
queries run and while the graph loads. JSON answers are rendered with orjson in the worker thread;
``Accept: application/vnd.apache.arrow.stream`` gets an Arrow IPC stream instead. Every failure,
including unknown routes, wrong methods and malformed bodies, is answered with the envelope
``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import orjson
import pyarrow as pa
from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph_olap_platform.field_paths import field_errors
from graph_olap_platform.wrapper.algorithms.base import AlgorithmError
from graph_olap_platform.wrapper.algorithms.executions import ExecutionManager
from graph_olap_platform.wrapper.algorithms.routes import algorithm_router
from graph_olap_platform.wrapper.algorithms.write_back import PropertyWriter
from graph_olap_platform.wrapper.control_plane import (
    STANDALONE_CALLER,
    AuthError,
    Caller,
    ControlPlaneClient,
)
from graph_olap_platform.wrapper.engines.base import EngineError, QueryTimeout
from graph_olap_platform.wrapper.readonly import write_clause
from graph_olap_platform.wrapper.settings import WrapperSettings
from graph_olap_platform.wrapper.state import WrapperState

log = logging.getLogger("graph_olap_platform.wrapper.app")

ARROW_STREAM = "application/vnd.apache.arrow.stream"
TIMEOUT_GRACE_SECONDS = 5.0
"""How long past ``timeout_ms`` the app waits for the engine before answering 408 itself."""
EARLY_CANCEL_SECONDS = 60.0
"""A cancel that arrives before its query is remembered this long (the two requests travel on
different connections, so the cancel can overtake the query it names)."""
QUERY_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

T = TypeVar("T")


class WrapperError(Exception):
    def __init__(
        self, status_code: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details or {}


class QueryRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    query: str = Field(
        min_length=1, max_length=100_000, validation_alias=AliasChoices("query", "cypher")
    )
    parameters: dict[str, Any] | None = None
    timeout_ms: int = Field(60_000, ge=1_000, le=1_800_000)
    max_rows: int | None = Field(None, ge=1)
    query_id: str | None = Field(None, pattern=QUERY_ID_PATTERN)
    """The caller's name for this query, for ``POST /query/{query_id}/cancel``."""
    mode: Literal["run", "explain", "profile"] = "run"
    """``explain``/``profile`` answer the engine's plan (one ``plan`` column) instead of rows."""


@dataclass
class InFlight:
    """A query the app is running under a caller's ``query_id``."""

    username: str | None
    cancelled: bool = False


class QueryRegistry:
    """Queries in flight by id, and cancels that arrived before their query (event loop only:
    no locking needed)."""

    def __init__(self) -> None:
        self.running: dict[str, InFlight] = {}
        self.early: dict[str, float] = {}  # query id -> monotonic time of the cancel

    def start(self, query_id: str, username: str | None) -> InFlight:
        if query_id in self.running:
            raise WrapperError(
                409,
                "CONFLICT",
                f"A query with id {query_id} is already running",
                {"query_id": query_id},
            )
        entry = InFlight(username, cancelled=self.early.pop(query_id, None) is not None)
        self.running[query_id] = entry
        return entry

    def finish(self, query_id: str) -> None:
        self.running.pop(query_id, None)

    def cancel_early(self, query_id: str) -> None:
        now = time.monotonic()
        self.early = {k: t for k, t in self.early.items() if now - t < EARLY_CANCEL_SECONDS}
        if len(self.early) < 10_000:
            self.early[query_id] = now


def json_response(
    body: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(body, default=str),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return json_response(body, status_code, headers)


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def directory_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with suppress(OSError):
                total += os.stat(os.path.join(root, name)).st_size
    return total


def arrow_ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def create_app(
    settings: WrapperSettings,
    state: WrapperState,
    control_plane: ControlPlaneClient | None = None,
    *,
    on_startup: Callable[[], None] | None = None,
    on_shutdown: Callable[[], None] | None = None,
    on_orphaned: Callable[[], None] | None = None,
) -> FastAPI:
    executor = ThreadPoolExecutor(settings.query_workers, thread_name_prefix="engine")
    engine = state.engine
    executions = ExecutionManager(PropertyWriter(engine, state))
    queries = QueryRegistry()

    async def in_thread(fn: Callable[[], T], timeout: float | None = None) -> T:
        future = asyncio.get_running_loop().run_in_executor(executor, fn)
        if timeout is None:
            return await future
        return await asyncio.wait_for(future, timeout)

    async def report_metrics() -> None:
        assert control_plane is not None
        while True:
            await asyncio.sleep(settings.metrics_interval_seconds)
            if not state.ready:
                continue
            try:
                memory = await in_thread(engine.memory_usage_bytes)
                disk = await in_thread(lambda: directory_size(settings.data_dir))
                await control_plane.report_metrics(memory, disk)
            except Exception:  # a metrics failure must never stop the loop
                log.exception("reporting metrics failed")

    async def watch_control_plane() -> None:
        """Call ``on_orphaned`` once the control plane has been unreachable for
        ``orphan_timeout_seconds`` (checked a few times per period)."""
        assert control_plane is not None and on_orphaned is not None
        timeout = settings.orphan_timeout_seconds
        last_seen = time.monotonic()
        while True:
            await asyncio.sleep(max(0.2, min(60.0, timeout / 4)))
            if await control_plane.reachable():
                last_seen = time.monotonic()
            elif time.monotonic() - last_seen >= timeout:
                log.error(
                    "the control plane at %s has been unreachable for %.0f s: stopping "
                    "(GRAPH_OLAP_WRAPPER_ORPHAN_TIMEOUT_SECONDS)",
                    control_plane.base_url,
                    time.monotonic() - last_seen,
                )
                on_orphaned()
                return

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        background: list[asyncio.Task[None]] = []
        if on_startup is not None:
            on_startup()
        if control_plane is not None and settings.metrics_interval_seconds > 0:
            background.append(asyncio.create_task(report_metrics()))
        if control_plane is not None and on_orphaned and settings.orphan_timeout_seconds > 0:
            background.append(asyncio.create_task(watch_control_plane()))
        try:
            yield
        finally:
            state.stop_event.set()
            executions.shutdown()
            for task in background:
                task.cancel()
            if control_plane is not None:
                await control_plane.aclose()
            if on_shutdown is not None:
                await asyncio.get_running_loop().run_in_executor(None, on_shutdown)
            executor.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="graph-olap instance wrapper",
        description="Cypher queries on one graph instance.",
        lifespan=lifespan,
    )
    app.state.executions = executions

    async def authorised(request: Request) -> Caller:
        if control_plane is None:
            return STANDALONE_CALLER
        caller = await control_plane.authorize(
            request.headers.get("authorization"), request.headers.get("x-username")
        )
        if caller.is_owner and state.owner_username is None:
            state.owner_username = caller.username  # the mapping answer need not name the owner
        return caller

    def require_ready() -> None:
        if not state.ready:
            detail = {"status": state.status}
            if state.error_message:
                detail["error"] = state.error_message
            raise WrapperError(
                503, "DATABASE_NOT_INITIALIZED", "The graph is not loaded yet", detail
            )

    @app.get("/health")
    @app.get("/")
    async def health() -> Response:
        return json_response({"status": "healthy", "timestamp": now_iso()})

    @app.get("/ready")
    async def ready() -> Response:
        require_ready()
        return json_response({"status": "ready", "ready": True, "timestamp": now_iso()})

    @app.get("/status")
    async def status(_caller: Caller = Depends(authorised)) -> Response:
        mapping = state.mapping
        memory = await in_thread(engine.memory_usage_bytes)
        disk = await in_thread(lambda: directory_size(settings.data_dir))
        body = {
            "status": state.status,
            "ready": state.ready,
            "instance_id": state.instance_id,
            "snapshot_id": mapping.snapshot_id if mapping else None,
            "mapping_id": mapping.mapping_id if mapping else None,
            "mapping_version": mapping.mapping_version if mapping else None,
            "owner_username": state.owner_username,
            "engine": state.engine_name,
            "started_at": state.started_at.isoformat().replace("+00:00", "Z"),
            "uptime_seconds": state.uptime_seconds,
            "load_seconds": state.load_seconds,
            "node_count": sum(state.node_counts.values()) if state.ready else None,
            "edge_count": sum(state.edge_counts.values()) if state.ready else None,
            "node_tables": mapping.node_labels if mapping else [],
            "edge_tables": mapping.edge_types if mapping else [],
            "memory_usage_bytes": memory,
            "disk_usage_bytes": disk,
            "threads": settings.threads,
            "lock": executions.lock_json(),
        }
        if state.error_code:
            body["error_code"] = state.error_code
            body["error_message"] = state.error_message
        return json_response(body)

    @app.get("/schema")
    async def schema(_caller: Caller = Depends(authorised)) -> Response:
        require_ready()
        mapping = state.mapping
        assert mapping is not None
        written = state.algorithm_properties  # replaced, never mutated: a consistent snapshot
        body = {
            "node_tables": [
                {
                    "label": node.label,
                    "primary_key": node.primary_key.name,
                    "primary_key_type": node.primary_key.type,
                    "properties": {p.name: p.type for p in node.properties},
                    "algorithm_properties": written.get(node.label, {}),
                    "node_count": state.node_counts.get(node.label, 0),
                }
                for node in mapping.nodes
            ],
            "edge_tables": [
                {
                    "type": edge.type,
                    "from_node": edge.from_node,
                    "to_node": edge.to_node,
                    "from_key": edge.from_key,
                    "to_key": edge.to_key,
                    "properties": {p.name: p.type for p in edge.properties},
                    "edge_count": state.edge_counts.get(edge.type, 0),
                }
                for edge in mapping.edges
            ],
            "total_nodes": sum(state.node_counts.values()),
            "total_edges": sum(state.edge_counts.values()),
            "algorithm_properties": written,
        }
        return json_response(body)

    @app.post("/admin/threads", include_in_schema=False)
    async def set_threads(request: Request) -> Response:
        """The control plane's ``PUT /api/instances/{id}/cpu`` lands here (internal key only)."""
        key = request.headers.get("x-internal-api-key", "")
        expected = settings.internal_api_key or ""
        if not expected or not hmac.compare_digest(key, expected):
            raise WrapperError(401, "UNAUTHORIZED", "Needs the internal API key", {})
        try:
            threads = int((await request.json())["threads"])
        except (ValueError, KeyError, TypeError) as exc:
            raise WrapperError(400, "VALIDATION_FAILED", 'Expected {"threads": <1-8>}', {}) from exc
        if not 1 <= threads <= 256:
            raise WrapperError(400, "VALIDATION_FAILED", "threads must be from 1 to 256", {})
        await in_thread(lambda: engine.set_threads(threads))
        settings.threads = threads
        return json_response({"threads": threads})

    @app.post("/query/{query_id}/cancel")
    async def cancel_query(query_id: str, _caller: Caller = Depends(authorised)) -> Response:
        """Stop a query started with this ``query_id`` (the SDK sends one on Ctrl-C).

        ``state``: ``cancelled`` (the engine was interrupted; the query answers
        ``QUERY_CANCELLED``), ``abandoned`` (the engine cannot stop a running query: it runs
        until its timeout and its answer is dropped), ``not_running`` (finished or unknown; a
        query that arrives later with this id is refused).
        """
        if not re.match(QUERY_ID_PATTERN, query_id):
            raise WrapperError(400, "VALIDATION_FAILED", "Invalid query id", {})
        entry = queries.running.get(query_id)
        if entry is None:
            queries.cancel_early(query_id)
            return json_response({"query_id": query_id, "state": "not_running"})
        # ``authorised`` admits the owner, admins and ops: the same callers as /query.
        entry.cancelled = True
        outcome = await asyncio.to_thread(engine.cancel, query_id)
        log.info("query %s: cancel requested (%s)", query_id, outcome)
        if outcome == "unsupported":
            return json_response(
                {
                    "query_id": query_id,
                    "state": "abandoned",
                    "message": f"The {state.engine_name} engine cannot stop a running query: it "
                    "runs until its timeout and its answer is dropped",
                }
            )
        return json_response(
            {
                "query_id": query_id,
                "state": "cancelled" if outcome == "interrupted" else "not_running",
            }
        )

    @app.post("/query")
    async def query(
        request: Request, body: QueryRequest, caller: Caller = Depends(authorised)
    ) -> Response:
        if control_plane is not None:
            control_plane.report_activity()
        require_ready()
        clause = write_clause(body.query)
        if clause is not None:
            raise WrapperError(
                400,
                "QUERY_ERROR",
                f"Queries are read-only: {clause} is not allowed on an instance (it is a "
                "snapshot of the warehouse; change the mapping instead)",
                {"engine": state.engine_name, "clause": clause},
            )
        parameters = body.parameters or {}
        timeout = body.timeout_ms / 1000 + TIMEOUT_GRACE_SECONDS
        wants_arrow = ARROW_STREAM in request.headers.get("accept", "")
        query_id = body.query_id
        entry = queries.start(query_id, caller.username) if query_id is not None else None

        def cancelled() -> WrapperError:
            log.info("query %s was cancelled", query_id)
            return WrapperError(
                409,
                "QUERY_CANCELLED",
                "The query was cancelled",
                {"query_id": query_id, "engine": state.engine_name},
            )

        def run_plan() -> bytes:
            mode: Literal["explain", "profile"] = "profile" if body.mode == "profile" else "explain"
            started = time.perf_counter()
            text = engine.plan(
                body.query, parameters, mode=mode, timeout_ms=body.timeout_ms, query_id=query_id
            )
            elapsed = (time.perf_counter() - started) * 1000
            return orjson.dumps(
                {
                    "columns": ["plan"],
                    "column_types": ["STRING"],
                    "rows": [[text]],
                    "row_count": 1,
                    "execution_time_ms": round(elapsed, 3),
                    "truncated": False,
                    "mode": body.mode,
                    "plan": text,
                    "engine": state.engine_name,
                }
            )

        def run_arrow() -> tuple[bytes, int, float]:
            started = time.perf_counter()
            table = engine.query_arrow(
                body.query, parameters, timeout_ms=body.timeout_ms, query_id=query_id
            )
            elapsed = (time.perf_counter() - started) * 1000
            return arrow_ipc(table), table.num_rows, elapsed

        def run_json() -> bytes:
            cap = min(body.max_rows or settings.max_rows, settings.max_rows)
            started = time.perf_counter()
            out = engine.query(
                body.query, parameters, timeout_ms=body.timeout_ms, max_rows=cap, query_id=query_id
            )
            elapsed = (time.perf_counter() - started) * 1000
            return orjson.dumps(
                {
                    "columns": out.columns,
                    "column_types": out.column_types,
                    "rows": out.rows,
                    "row_count": len(out.rows),
                    "execution_time_ms": round(elapsed, 3),
                    "truncated": out.truncated,
                },
                default=str,
            )

        try:
            if entry is not None and entry.cancelled:
                raise cancelled()
            if body.mode != "run":
                if wants_arrow:
                    raise WrapperError(
                        400,
                        "VALIDATION_FAILED",
                        f"mode {body.mode} answers JSON, not Arrow",
                        {"mode": body.mode},
                    )
                payload = await in_thread(run_plan, timeout)
                if entry is not None and entry.cancelled:
                    raise cancelled()
                return Response(payload, media_type="application/json")
            if wants_arrow:
                payload, rows, elapsed = await in_thread(run_arrow, timeout)
                if entry is not None and entry.cancelled:
                    raise cancelled()
                return Response(
                    payload,
                    media_type=ARROW_STREAM,
                    headers={"X-Row-Count": str(rows), "X-Execution-Time-Ms": f"{elapsed:.3f}"},
                )
            payload = await in_thread(run_json, timeout)
            if entry is not None and entry.cancelled:
                raise cancelled()
            return Response(payload, media_type="application/json")
        except (QueryTimeout, TimeoutError) as exc:
            if entry is not None and entry.cancelled:
                raise cancelled() from exc
            raise WrapperError(
                408,
                "QUERY_TIMEOUT",
                f"The query ran longer than its timeout of {body.timeout_ms} ms and was stopped",
                {"timeout_ms": body.timeout_ms, "engine": state.engine_name},
            ) from exc
        except EngineError as exc:
            details: dict[str, Any] = {"engine": state.engine_name, "message": exc.message}
            if exc.position is not None:
                details["position"] = exc.position
            status_code = 500 if exc.code == "DATABASE_ERROR" else 400
            first_line = exc.message.strip().splitlines()[0] if exc.message.strip() else exc.code
            raise WrapperError(status_code, exc.code, first_line, details) from exc
        finally:
            if query_id is not None:
                queries.finish(query_id)

    def report_activity() -> None:
        if control_plane is not None:
            control_plane.report_activity()

    app.include_router(
        algorithm_router(
            state,
            executions,
            authorised=authorised,
            require_ready=require_ready,
            report_activity=report_activity,
        )
    )
    _install_error_handlers(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WrapperError)
    async def wrapper_error(_request: Request, exc: WrapperError) -> Response:
        return error_response(exc.status_code, exc.code, exc.message, exc.details)

    @app.exception_handler(AlgorithmError)
    async def algorithm_error(_request: Request, exc: AlgorithmError) -> Response:
        return error_response(exc.status_code, exc.code, exc.message, exc.details)

    @app.exception_handler(AuthError)
    async def auth_error(_request: Request, exc: AuthError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return error_response(exc.status_code, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> Response:
        errors = field_errors(exc.errors())
        return error_response(400, "VALIDATION_FAILED", "Invalid request", {"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_response(
                404,
                "RESOURCE_NOT_FOUND",
                f"No route {request.method} {request.url.path}",
                {"path": request.url.path},
            )
        if exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "")
            return error_response(
                405,
                "METHOD_NOT_ALLOWED",
                f"{request.method} is not allowed on {request.url.path}",
                {"allowed_methods": [m.strip() for m in allowed.split(",") if m.strip()]},
                {"Allow": allowed} if allowed else None,
            )
        return error_response(exc.status_code, "HTTP_ERROR", str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "INTERNAL_ERROR", f"{type(exc).__name__}: {exc}")
