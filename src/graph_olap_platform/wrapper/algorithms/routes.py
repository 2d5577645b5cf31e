"""The algorithm endpoints of the wrapper (docs/algorithms.md, "Wrapper endpoints").

Included by ``create_app``, which hands over its authorisation dependency, its readiness check
and activity reporting. Errors are ``AlgorithmError``s, rendered by the app's error envelope.
Catalogue, status and execution reads never wait for the lock or the engine. The compute
modules (scipy, igraph, NetworkX) are imported on first use, not at the wrapper's start.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response

from graph_olap_platform.wrapper.algorithms import native_catalog
from graph_olap_platform.wrapper.algorithms.base import AlgorithmError, AlgorithmRequest
from graph_olap_platform.wrapper.algorithms.executions import (
    STATUSES,
    Execution,
    ExecutionManager,
    Job,
)
from graph_olap_platform.wrapper.algorithms.view_cache import ViewCache
from graph_olap_platform.wrapper.control_plane import Caller
from graph_olap_platform.wrapper.mapping import InstanceMapping
from graph_olap_platform.wrapper.state import WrapperState

MAX_STATUS_WAIT_MS = 10_000  # the longest a status read may be held open
# A synchronous run's failure as an HTTP answer; other codes are 500.
_SYNC_STATUS = {"VALIDATION_FAILED": 400, "ALGORITHM_TIMEOUT": 408, "ALGORITHM_CANCELLED": 409}


def _json(body: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body, default=str), status_code, media_type="application/json")


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise AlgorithmError(
            400, "VALIDATION_FAILED", f"The body is not valid JSON: {exc}", {"field": "body"}
        ) from exc


async def _finished(execution: Execution, *, deadline: float | None = None) -> None:
    """Until the execution is done (or ``deadline``, a ``time.monotonic()`` value, passes)."""
    delay = 0.002
    while not execution.done.is_set():
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            delay = min(delay, remaining)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.02)


def algorithm_router(
    state: WrapperState,
    manager: ExecutionManager,
    *,
    authorised: Callable[[Request], Awaitable[Caller]],
    require_ready: Callable[[], None],
    report_activity: Callable[[], None],
) -> APIRouter:
    router = APIRouter()
    engine = state.engine
    views = ViewCache()  # the last extracted graph, reused while the selection is the same

    def may_run(caller: Caller) -> InstanceMapping:
        """The mapping to validate against, once the caller may run algorithms here."""
        if not caller.can_run_algorithms:
            raise AlgorithmError(
                403,
                "PERMISSION_DENIED",
                "Only the instance's owner, admins and ops may run algorithms on it",
                {"owner_username": state.owner_username},
            )
        require_ready()
        assert state.mapping is not None
        return state.mapping

    def start(request: AlgorithmRequest, caller: Caller, job: Job) -> Response:
        execution = manager.start(request, caller.username, job)
        return _json(execution.start_json, 202)

    # -- native ------------------------------------------------------------------------------
    @router.get("/algo/algorithms")
    async def native_algorithms(
        category: str | None = None, _caller: Caller = Depends(authorised)
    ) -> Response:
        return _json(native_catalog.catalog(category))

    @router.get("/algo/algorithms/{name}")
    async def native_algorithm(name: str, _caller: Caller = Depends(authorised)) -> Response:
        return _json(native_catalog.lookup(name).to_json())

    @router.get("/algo/status/{execution_id}")
    async def execution_status(
        execution_id: str,
        wait_ms: int = Query(0, ge=0, le=MAX_STATUS_WAIT_MS),
        _caller: Caller = Depends(authorised),
    ) -> Response:
        """``wait_ms`` makes it a long poll: the answer comes when the run ends, or after that
        long, so a waiting client learns of the end at once without polling fast."""
        execution = manager.get(execution_id)
        if wait_ms:
            await _finished(execution, deadline=time.monotonic() + wait_ms / 1000)
        return _json(execution.to_json())

    @router.get("/algo/executions")
    async def executions(
        limit: int = Query(20, ge=1, le=100),
        status_filter: str | None = None,
        _caller: Caller = Depends(authorised),
    ) -> Response:
        if status_filter is not None and status_filter not in STATUSES:
            raise AlgorithmError(
                400,
                "VALIDATION_FAILED",
                f"status_filter must be one of {', '.join(STATUSES)}",
                {"field": "status_filter"},
            )
        found, total = manager.list(limit, status_filter)
        return _json({"executions": [e.to_json() for e in found], "total_count": total})

    @router.delete("/algo/executions/{execution_id}")
    async def cancel(execution_id: str, caller: Caller = Depends(authorised)) -> Response:
        may_run(caller)
        execution = manager.cancel(execution_id)
        await _finished(execution)  # at once, or after a write in progress is rolled back
        if execution.status != "cancelled":
            raise AlgorithmError(
                404,
                "EXECUTION_NOT_FOUND",
                f"Execution {execution_id} is already {execution.status}",
                {"execution_id": execution_id, "status": execution.status},
            )
        return _json({"status": execution.status, "execution_id": execution.execution_id})

    @router.post("/algo/{name}")
    async def start_native(
        name: str, request: Request, caller: Caller = Depends(authorised)
    ) -> Response:
        from graph_olap_platform.wrapper.algorithms import native_runner  # scipy, igraph

        report_activity()
        mapping = may_run(caller)
        prepared = native_runner.prepare(name, await _body(request), mapping)
        job = native_runner.job(prepared, engine, views)
        if prepared.algorithm != "shortest_path":
            return start(prepared, caller, job)
        execution = manager.start(prepared, caller.username, job)
        await _finished(execution)
        if execution.status != "completed" or execution.result is None:
            code = execution.error_code or "ALGORITHM_CANCELLED"
            raise AlgorithmError(
                _SYNC_STATUS.get(code, 500),
                code,
                execution.error or "The shortest path was cancelled",
                {**execution.error_details, "execution_id": execution.execution_id},
            )
        # No execution_id: the answer is the path itself (the run is still in the history).
        return _json(execution.result)

    # -- NetworkX ----------------------------------------------------------------------------
    @router.get("/networkx/algorithms")
    async def networkx_algorithms(
        category: str | None = None,
        search: str | None = None,
        _caller: Caller = Depends(authorised),
    ) -> Response:
        from graph_olap_platform.wrapper.algorithms import networkx_catalog

        # The catalogue is introspected on first use (about 0.1 s): off the event loop.
        return _json(await asyncio.to_thread(networkx_catalog.catalog, category, search))

    @router.get("/networkx/algorithms/{name}")
    async def networkx_algorithm(name: str, _caller: Caller = Depends(authorised)) -> Response:
        from graph_olap_platform.wrapper.algorithms import networkx_catalog

        return _json(await asyncio.to_thread(networkx_catalog.info, name))

    @router.post("/networkx/{name}")
    async def start_networkx(
        name: str, request: Request, caller: Caller = Depends(authorised)
    ) -> Response:
        from graph_olap_platform.wrapper.algorithms import networkx_jobs

        report_activity()
        mapping = may_run(caller)
        body = await _body(request)
        prepared = await asyncio.to_thread(networkx_jobs.prepare, name, body, mapping)
        return start(prepared, caller, networkx_jobs.job(prepared, engine, mapping, views))

    # -- the lock ----------------------------------------------------------------------------
    @router.get("/lock")
    async def lock(_caller: Caller = Depends(authorised)) -> Response:
        return _json({"lock": manager.lock_json()})

    return router
