"""A stand-in for the instance wrapper's HTTP API, written from docs/instances.md.

It exists only until the integration tests against the real wrapper do. It answers a few canned
queries (chosen by their text), the wrapper's error codes, Arrow IPC for ``query_df``, and the
``/schema``, ``/lock`` and ``/status`` reads; it records every request so tests can check what
the SDK sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.ipc
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

ARROW = "application/vnd.apache.arrow.stream"

ALICE_NODE = {"_id": "Person_p1", "_label": "Person", "name": "Alice", "born": "1990-04-01"}
BOB_NODE = {"_id": "Person_p2", "_label": "Person", "name": "Bob", "born": "1985-12-24"}
KNOWS_REL = {
    "_id": "KNOWS_0",
    "_type": "KNOWS",
    "_start": "Person_p1",
    "_end": "Person_p2",
    "since": "2020-01-15T08:00:00Z",
}

PEOPLE: dict[str, Any] = {
    "columns": ["name", "age", "born"],
    "column_types": ["STRING", "INT64", "DATE"],
    "rows": [["Alice", 34, "1990-04-01"], ["Bob", 39, "1985-12-24"], ["Carol", None, None]],
}

CANNED: dict[str, dict[str, Any]] = {
    "RETURN 1 AS one": {"columns": ["one"], "column_types": ["INT64"], "rows": [[1]]},
    "PEOPLE": PEOPLE,
    "EMPTY": {"columns": ["n"], "column_types": ["INT64"], "rows": []},
    "TYPES": {
        "columns": ["d", "ts", "iv", "blob", "dates", "person", "knows", "path"],
        "column_types": [
            "DATE",
            "TIMESTAMP",
            "INTERVAL",
            "BLOB",
            "DATE[]",
            "NODE",
            "REL",
            "RECURSIVE_REL",
        ],
        "rows": [
            [
                "2025-01-15",
                "2025-01-15T10:30:00Z",
                "P1DT2H",
                "aGVsbG8=",
                ["2025-01-01", None],
                ALICE_NODE,
                KNOWS_REL,
                [ALICE_NODE, KNOWS_REL, BOB_NODE],
            ]
        ],
    },
}

SCHEMA: dict[str, Any] = {
    "node_tables": [
        {
            "label": "Person",
            "primary_key": "person_id",
            "primary_key_type": "STRING",
            "properties": {"name": "STRING", "age": "INT64"},
            "node_count": 3,
        }
    ],
    "edge_tables": [
        {
            "type": "KNOWS",
            "from_node": "Person",
            "to_node": "Person",
            "properties": {"since": "DATE"},
            "edge_count": 2,
        }
    ],
    "total_nodes": 3,
    "total_edges": 2,
}

# Credentials the stand-in's "authorize" accepts: owner alice; bob is another analyst.
OWNER_KEY = "key-alice"
OTHER_KEY = "key-bob"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class WrapperState:
    requests: list[Seen] = field(default_factory=list)
    lock: dict[str, Any] = field(default_factory=lambda: {"locked": False})
    arrow_supported: bool = True
    wrap_in_data: bool = False

    def queries(self) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == "/query"]


def _error(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Any:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details or {}}},
        status_code=status,
    )


def _who(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth == f"Bearer {OWNER_KEY}" or request.headers.get("x-username") == "alice":
        return "alice"
    if auth == f"Bearer {OTHER_KEY}" or request.headers.get("x-username") == "bob":
        return "bob"
    return None


def _query_error(text: str) -> Any:
    if text.startswith("SYNTAX"):
        return _error(
            400,
            "QUERY_SYNTAX_ERROR",
            "Parser exception: Invalid input <MATC>",
            {
                "engine": "ladybug",
                "message": "Parser exception: Invalid input <MATC>",
                "position": {"line": 1, "column": 1},
            },
        )
    if text.startswith("SEMANTIC"):
        return _error(
            400,
            "QUERY_ERROR",
            "Binder exception: Table Nope does not exist.",
            {"engine": "ladybug", "message": "Binder exception: Table Nope does not exist."},
        )
    if text.startswith("RYUGRAPH"):
        return _error(
            400,
            "RYUGRAPH_ERROR",
            "Runtime exception: overflow",
            {"message": "Runtime exception: overflow", "position": {"line": 2, "column": 5}},
        )
    if text.startswith("SLOW"):
        return _error(408, "QUERY_TIMEOUT", "Query exceeded its timeout of 1000 ms")
    if text.startswith("LOADING"):
        return _error(503, "DATABASE_NOT_INITIALIZED", "The graph is still loading")
    return None


def _arrow_bytes(answer: dict[str, Any]) -> bytes:
    arrays = []
    for position, type_name in enumerate(answer["column_types"]):
        values = [row[position] for row in answer["rows"]]
        if type_name == "INT64":
            arrays.append(pa.array(values, pa.int64()))
        elif type_name == "DATE":
            arrays.append(pa.array(values, pa.string()).cast(pa.date32()))
        elif type_name in ("NODE", "REL", "RECURSIVE_REL"):
            arrays.append(pa.array([None if v is None else json.dumps(v) for v in values]))
        else:
            arrays.append(pa.array(values))
    table = pa.Table.from_arrays(arrays, names=answer["columns"])
    sink = pa.BufferOutputStream()
    with pyarrow.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def make_wrapper_app(state: WrapperState) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Any:
        raw = await request.body()
        body = json.loads(raw) if raw else None
        state.requests.append(Seen(request.method, request.url.path, dict(request.headers), body))
        if request.url.path != "/health":
            who = _who(request)
            if who is None:
                return _error(401, "UNAUTHORIZED", "Missing or invalid credentials")
            if who != "alice":
                return _error(
                    403,
                    "PERMISSION_DENIED",
                    "Only the owner, admins and ops may use this instance",
                    {"owner_username": "alice"},
                )
        return await call_next(request)

    def answer(data: dict[str, Any]) -> Any:
        return JSONResponse({"data": data, "meta": {}} if state.wrap_in_data else data)

    @app.post("/query")
    async def query(request: Request) -> Any:
        body = await request.json()
        text = body.get("query", "")
        error = _query_error(text)
        if error is not None:
            return error
        if text == "ECHO":
            canned: dict[str, Any] = {
                "columns": ["parameters"],
                "column_types": ["MAP"],
                "rows": [[body.get("parameters")]],
            }
        else:
            canned = CANNED.get(text, CANNED["RETURN 1 AS one"])
        if state.arrow_supported and request.headers.get("accept") == ARROW:
            return Response(_arrow_bytes(canned), media_type=ARROW)
        rows = canned["rows"]
        cap = body.get("max_rows")
        truncated = cap is not None and len(rows) > cap
        rows = rows[:cap] if truncated else rows
        return answer(
            {
                **canned,
                "rows": rows,
                "row_count": len(rows),
                "execution_time_ms": 1.5,
                "truncated": truncated,
            }
        )

    @app.get("/schema")
    async def schema() -> Any:
        return answer(SCHEMA)

    @app.get("/lock")
    async def lock() -> Any:
        return JSONResponse({"lock": state.lock})

    @app.get("/status")
    async def status() -> Any:
        return answer(
            {
                "status": "running",
                "ready": True,
                "instance_id": 7,
                "engine": "ladybug",
                "node_count": 3,
                "edge_count": 2,
                "lock": state.lock,
            }
        )

    return app
