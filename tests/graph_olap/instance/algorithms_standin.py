"""A stand-in for the wrapper's algorithm endpoints, written from docs/algorithms.md.

It exists only for the SDK's unit tests while the real endpoints are being written; the
end-to-end tests against real engines live in tests/integration/test_algorithms.py. Nothing is
computed: an execution moves one phase per status read (extracting, computing, writing) and
then ends the way ``AlgoState.outcome`` says, so tests decide every path of the SDK's wait.
It keeps the one-at-a-time lock, the execution history, the error envelopes and codes, and
records every request.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.graph_olap.instance.wrapper_standin import Seen, _error

Outcome = Literal[
    "completed",  # ends completed after ``polls_to_finish`` status reads
    "failed",  # ends failed (ALGORITHM_FAILED)
    "server_timeout",  # ends failed with ALGORITHM_TIMEOUT (the instance's own limit)
    "cancelled",  # someone else cancels it
    "hang",  # runs until cancelled
    "finish_on_cancel",  # runs until a cancel arrives, which finds it completed (404)
    "cancel_breaks",  # runs; the cancel answers 500
]
Legacy = Literal["", "falkordb", "ryugraph"]

STARTED = "2025-01-15T10:30:00Z"
PHASES = ["extracting", "computing", "writing"]


def _param(name: str, type_: str, default: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "required": False, "default": default, "description": ""}


def _entry(name: str, kind: str, category: str, params: list[dict[str, Any]], returns: str) -> Any:
    return {
        "name": name,
        "type": kind,
        "category": category,
        "description": f"{name} ({kind})",
        "parameters": params,
        "returns": returns,
        "supports_write_back": returns in ("node_values", "communities"),
        "default_timeout_ms": 300_000,
        "implementation": "networkx" if kind == "networkx" else "scipy",
    }


NATIVE = {
    entry["name"]: entry
    for entry in [
        _entry(
            "pagerank",
            "native",
            "centrality",
            [
                _param("damping_factor", "float", 0.85),
                _param("max_iterations", "int", 100),
                _param("tolerance", "float", 1e-6),
            ],
            "node_values",
        ),
        _entry("wcc", "native", "community", [], "communities"),
        _entry("scc", "native", "community", [], "communities"),
        _entry(
            "louvain", "native", "community", [_param("resolution", "float", 1.0)], "communities"
        ),
        _entry(
            "label_propagation",
            "native",
            "community",
            [_param("max_iterations", "int", 100)],
            "communities",
        ),
        _entry("kcore", "native", "community", [], "node_values"),
        _entry("triangle_count", "native", "community", [], "node_values"),
        _entry("betweenness", "native", "centrality", [], "node_values"),
        _entry("degree", "native", "centrality", [], "node_values"),
        _entry(
            "shortest_path",
            "native",
            "path",
            [_param("source_id", "node_id", None), _param("target_id", "node_id", None)],
            "path",
        ),
    ]
}
NETWORKX = {
    entry["name"]: entry
    for entry in [
        _entry("degree_centrality", "networkx", "centrality", [], "node_values"),
        _entry(
            "betweenness_centrality",
            "networkx",
            "centrality",
            [_param("normalized", "bool", True), _param("k", "int", None)],
            "node_values",
        ),
        _entry(
            "closeness_centrality",
            "networkx",
            "centrality",
            [_param("wf_improved", "bool", True)],
            "node_values",
        ),
        _entry(
            "eigenvector_centrality",
            "networkx",
            "centrality",
            [_param("max_iter", "int", 100), _param("tol", "float", 1e-6)],
            "node_values",
        ),
        _entry("clustering", "networkx", "cluster", [], "node_values"),
        _entry("diameter", "networkx", "distance_measures", [], "scalar"),
    ]
}
NODES = 3


@dataclass
class AlgoState:
    requests: list[Seen] = field(default_factory=list)
    executions: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)  # status reads per execution
    lock: dict[str, Any] = field(default_factory=lambda: {"locked": False})
    outcome: Outcome = "completed"
    polls_to_finish: int = 2
    legacy: Legacy = ""
    async_shortest_path: bool = False

    def sent(self, method: str, prefix: str) -> list[Seen]:
        return [s for s in self.requests if s.method == method and s.path.startswith(prefix)]

    def starts(self) -> list[Seen]:
        return [s for s in self.requests if s.method == "POST" and "/algorithms" not in s.path]


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _as_list(body: dict[str, Any], one: str, *many: str) -> list[str]:
    for key in many:
        if body.get(key):
            return list(body[key])
    return [body[one]] if body.get(one) else []


def _legacy(execution: dict[str, Any], legacy: Legacy) -> dict[str, Any]:
    """The same execution in an older wrapper's vocabulary (spec §1.7 and §6.8)."""
    if legacy == "ryugraph":
        keep = ("execution_id", "algorithm", "status", "started_at", "completed_at", "result")
        data = {key: execution[key] for key in keep}
        if execution["status"] == "failed":
            data["failed_at"], data["error"] = execution["completed_at"], execution["error"]
            data.pop("completed_at")
        if execution["status"] in ("pending", "running"):
            data["elapsed_seconds"] = execution["elapsed_seconds"]
        else:
            data["duration_seconds"] = execution["duration_seconds"]
        return {"data": data, "meta": {}}
    result = execution.get("result") or {}
    seconds = execution.get("duration_seconds")
    return {
        "execution_id": execution["execution_id"],
        "algorithm_name": execution["algorithm"],
        "algorithm_type": execution["algorithm_type"],
        "status": execution["status"],
        "started_at": execution["started_at"],
        "completed_at": execution["completed_at"],
        "user_id": "u-alice",
        "user_name": execution["user_name"],
        "result_property": execution["result_property"],
        "write_back": execution["write_back"],
        "nodes_updated": result.get("nodes_updated"),
        "elapsed_ms": round(execution["elapsed_seconds"] * 1000),
        "duration_ms": None if seconds is None else round(seconds * 1000),
        "error_message": execution["error"],
    }


def make_algorithms_app(state: AlgoState) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Any:
        raw = await request.body()
        body = json.loads(raw) if raw else None
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        state.requests.append(Seen(request.method, path, dict(request.headers), body))
        return await call_next(request)

    def show(execution: dict[str, Any]) -> Any:
        return _legacy(execution, state.legacy) if state.legacy else execution

    def release(execution: dict[str, Any]) -> None:
        if state.lock.get("execution_id") == execution["execution_id"]:
            state.lock = {"locked": False}

    def finish(execution: dict[str, Any], status: str, **fields: Any) -> None:
        execution.update(status=status, completed_at=_now(), duration_seconds=0.25, **fields)
        execution["progress"] = None
        release(execution)

    def complete(execution: dict[str, Any]) -> None:
        prop = execution["result_property"]
        if execution["algorithm"] == "shortest_path":
            params = execution["parameters"]
            path = [params["source_id"], "Person_p2", params["target_id"]]
            result: dict[str, Any] = {"type": "path", "path": path, "length": 2}
        elif execution["write_back"]:
            result = {
                "type": "node_values",
                "property_name": prop,
                "property_type": "DOUBLE",
                "nodes_updated": NODES,
                "summary": {"min": 0.1, "max": 0.5, "mean": 1 / NODES},
            }
        else:
            result = {
                "type": "node_values",
                "values": {"Person_p1": 0.5, "Person_p2": 0.1, "Person_p3": 0.4},
                "values_truncated": False,
                "summary": {"min": 0.1, "max": 0.5, "mean": 1 / NODES},
            }
        finish(execution, "completed", result=result)

    def catalogue(entries: dict[str, Any], request: Request) -> Any:
        category = request.query_params.get("category")
        search = request.query_params.get("search")
        found = [
            e
            for e in entries.values()
            if (not category or e["category"] == category)
            and (not search or search in e["name"] or search in e["description"])
        ]
        categories = sorted({e["category"] for e in entries.values()})
        return {"algorithms": found, "categories": categories, "total": len(found)}

    def info(entries: dict[str, Any], name: str) -> Any:
        if name not in entries:
            return _error(
                404,
                "ALGORITHM_NOT_FOUND",
                f"Unknown algorithm {name!r}; did you mean one of: {', '.join(sorted(entries))}",
                {"algorithm": name},
            )
        return entries[name]

    def start(kind: str, entries: dict[str, Any], name: str, body: dict[str, Any]) -> Any:
        if name not in entries:
            return info(entries, name)
        entry = entries[name]
        params = dict(body.get("parameters") or body.get("params") or {})
        valid = [p["name"] for p in entry["parameters"]]
        invalid = [key for key in params if key not in valid]
        if invalid:
            return _error(
                400,
                "VALIDATION_FAILED",
                f"Invalid parameters for {name}: {', '.join(invalid)}",
                {"invalid_params": invalid, "valid_params": valid},
            )
        if state.lock.get("locked"):
            lock = state.lock
            holder = lock.get("holder_name") or lock.get("holder_username")
            running = lock.get("algorithm") or lock.get("algorithm_name")
            return _error(
                409,
                "RESOURCE_LOCKED",
                f"Instance locked by user {holder} running algorithm {running} "
                f"since {lock.get('acquired_at')}",
                lock,
            )
        if name == "shortest_path" and not state.async_shortest_path:
            path = [params["source_id"], "Person_p2", params["target_id"]]
            return JSONResponse({"path": path, "hop_count": 2, "total_weight": None})
        execution_id = str(uuid.uuid4())
        execution: dict[str, Any] = {
            "execution_id": execution_id,
            "algorithm": name,
            "algorithm_type": kind,
            "status": "running",
            "started_at": STARTED,
            "completed_at": None,
            "duration_seconds": None,
            "elapsed_seconds": 0.0,
            "user_name": "alice",
            "node_labels": _as_list(body, "node_label", "node_labels") or ["Person"],
            "edge_types": _as_list(body, "edge_type", "edge_types", "relationship_types")
            or ["KNOWS"],
            "result_property": body.get("result_property", body.get("property_name")),
            "write_back": body.get("write_back", True),
            "parameters": params,
            "progress": {"phase": "extracting", "message": "reading the graph"},
            "result": None,
            "error": None,
            "error_code": None,
        }
        state.executions[execution_id] = execution
        state.lock = {
            "locked": True,
            "holder_id": "u-alice",
            "holder_name": "alice",
            "holder_username": "alice",
            "algorithm": name,
            "algorithm_name": name,
            "algorithm_type": kind,
            "execution_id": execution_id,
            "acquired_at": STARTED,
            "duration_seconds": 0.0,
        }
        return JSONResponse(show(execution), status_code=202)

    @app.get("/algo/algorithms")
    async def native_catalogue(request: Request) -> Any:
        return catalogue(NATIVE, request)

    @app.get("/algo/algorithms/{name}")
    async def native_info(name: str) -> Any:
        return info(NATIVE, name)

    @app.get("/algo/status/{execution_id}")
    async def status(execution_id: str) -> Any:
        execution = state.executions.get(execution_id)
        if execution is None:
            return _error(404, "EXECUTION_NOT_FOUND", f"Unknown execution {execution_id}")
        if execution["status"] == "running":
            reads = state.reads[execution_id] = state.reads.get(execution_id, 0) + 1
            execution["elapsed_seconds"] = 0.1 * reads
            if reads < state.polls_to_finish or state.outcome in (
                "hang",
                "finish_on_cancel",
                "cancel_breaks",
            ):
                phase = PHASES[min(reads, len(PHASES) - 1)]
                execution["progress"] = {"phase": phase, "message": f"{phase}..."}
            elif state.outcome == "completed":
                complete(execution)
            elif state.outcome == "failed":
                finish(
                    execution,
                    "failed",
                    error="Weight property 'w' is not numeric",
                    error_code="ALGORITHM_FAILED",
                )
            elif state.outcome == "server_timeout":
                finish(
                    execution,
                    "failed",
                    error="Timed out after 300000 ms",
                    error_code="ALGORITHM_TIMEOUT",
                )
            elif state.outcome == "cancelled":
                finish(execution, "cancelled")
        return show(execution)

    @app.get("/algo/executions")
    async def executions(request: Request) -> Any:
        limit = int(request.query_params.get("limit", 20))
        wanted = request.query_params.get("status_filter")
        found = [
            show(e)
            for e in reversed(state.executions.values())
            if not wanted or e["status"] == wanted
        ]
        return {"executions": found[:limit], "total_count": len(found)}

    @app.delete("/algo/executions/{execution_id}")
    async def cancel(execution_id: str) -> Any:
        execution = state.executions.get(execution_id)
        if execution is not None and state.outcome == "cancel_breaks":
            return _error(500, "INTERNAL_ERROR", "the cancel broke")
        if execution is not None and state.outcome == "finish_on_cancel":
            complete(execution)
        if execution is None or execution["status"] not in ("pending", "running"):
            return _error(
                404, "EXECUTION_NOT_FOUND", f"Execution {execution_id} is unknown or finished"
            )
        finish(execution, "cancelled")
        return {"status": "cancelled", "execution_id": execution_id}

    @app.post("/algo/{name}")
    async def start_native(name: str, request: Request) -> Any:
        return start("native", NATIVE, name, await request.json())

    @app.get("/networkx/algorithms")
    async def networkx_catalogue(request: Request) -> Any:
        return catalogue(NETWORKX, request)

    @app.get("/networkx/algorithms/{name}")
    async def networkx_info(name: str) -> Any:
        return info(NETWORKX, name)

    @app.post("/networkx/{name}")
    async def start_networkx(name: str, request: Request) -> Any:
        return start("networkx", NETWORKX, name, await request.json())

    @app.get("/lock")
    async def lock() -> Any:
        return {"lock": state.lock}

    return app
