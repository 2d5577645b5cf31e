"""A stand-in for the control plane's snapshot and instance routes (control-plane.md §3.2-3.3).

It exists only until the integration tests against the real control plane do. Each instance
plays a scripted sequence of progress answers, one per ``GET .../progress``, chosen by the
``mapping_id`` it was created from (see ``INSTANCE_SCRIPTS``); snapshots likewise by id. Every
request is recorded so tests can check what the SDK sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from graph_olap.durations import parse_duration

LOAD_ERROR = (
    "Snapshot failed: node definition 'Customer': Catalog Error: Table with name "
    "customerz does not exist!"
)

# (status, phase, completed_steps, total_steps, error_code, error_message)
Step = tuple[str, str, int, int, str | None, str | None]

INSTANCE_SCRIPTS: dict[int, list[Step]] = {
    # Exports 2 definitions, then loads them; the repeated answer must not re-notify.
    1: [
        ("waiting_for_snapshot", "exporting", 0, 5, None, None),
        ("waiting_for_snapshot", "exporting", 0, 5, None, None),
        ("waiting_for_snapshot", "exporting", 2, 5, None, None),
        ("starting", "loading_nodes", 3, 5, None, None),
        ("starting", "loading_edges", 4, 5, None, None),
        ("running", "ready", 5, 5, None, None),
    ],
    # The snapshot's SQL fails: the instance fails with DATA_LOAD_ERROR.
    2: [
        ("waiting_for_snapshot", "exporting", 0, 3, None, None),
        ("failed", "failed", 1, 3, "DATA_LOAD_ERROR", LOAD_ERROR),
    ],
    # Never gets anywhere (for timeouts and Ctrl-C).
    3: [("waiting_for_snapshot", "exporting", 0, 3, None, None)],
    # A running answer without steps.
    4: [("starting", "initializing", 1, 3, None, None), ("running", "ready", 0, 0, None, None)],
    # Failed, but the progress answer lacks the error fields (the instance has them).
    5: [("failed", "failed", 0, 0, None, None)],
}

SNAPSHOT_FAILURE = "Export of node definition 'Customer' failed: Binder Error: column nme"

# snapshot id -> (status, phase, completed, total, error_message) answers
SNAPSHOT_SCRIPTS: dict[int, list[tuple[str, str, int, int, str | None]]] = {
    1: [
        ("pending", "submitting", 0, 2, None),
        ("creating", "creating", 1, 2, None),
        ("ready", "completed", 2, 2, None),
    ],
    2: [("creating", "creating", 0, 2, None), ("failed", "failed", 1, 2, SNAPSHOT_FAILURE)],
    3: [("creating", "creating", 0, 2, None)],
}

CREATED = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


@dataclass
class Seen:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class InstanceRecord:
    id: int
    name: str
    mapping_id: int
    body: dict[str, Any]
    script: list[Step]
    position: int = 0
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    ttl: str | None = "PT24H"
    inactivity_timeout: str | None = "PT4H"
    cpu_cores: int = 2
    description: str | None = None

    @property
    def step(self) -> Step:
        return self.script[min(self.position, len(self.script) - 1)]


@dataclass
class ControlPlaneState:
    wrapper_url: str = "http://127.0.0.1:9"
    requests: list[Seen] = field(default_factory=list)
    instances: dict[int, InstanceRecord] = field(default_factory=dict)
    snapshot_polls: dict[int, int] = field(default_factory=dict)
    next_id: int = 100

    def calls(self, method: str, suffix: str = "") -> list[Seen]:
        return [s for s in self.requests if s.method == method and s.path.endswith(suffix)]

    def instance_json(self, record: InstanceRecord) -> dict[str, Any]:
        status, _, _, _, code, message = record.step
        if record.mapping_id == 5 and status == "failed":
            code, message = "UNEXPECTED_TERMINATION", "The instance process exited (signal 9)"
        expires = record.created_at + parse_duration(record.ttl) if record.ttl else None
        return {
            "id": record.id,
            "name": record.name,
            "description": record.description,
            "owner_username": "alice",
            "snapshot_id": None if status == "waiting_for_snapshot" else 500 + record.id,
            "pending_snapshot_id": 500 + record.id,
            "mapping_id": record.mapping_id,
            "mapping_version": 1,
            "wrapper_type": record.body.get("wrapper_type") or "ladybug",
            "status": status,
            "instance_url": self.wrapper_url if status == "running" else None,
            "error_code": code,
            "error_message": message,
            "created_at": _iso(record.created_at),
            "updated_at": _iso(record.created_at),
            "ttl": record.ttl,
            "inactivity_timeout": record.inactivity_timeout,
            "expires_at": _iso(expires),
            "cpu_cores": record.cpu_cores,
        }


def snapshot_json(snapshot_id: int, status: str, error: str | None) -> dict[str, Any]:
    return {
        "id": snapshot_id,
        "mapping_id": 1,
        "mapping_version": 1,
        "owner_username": "alice",
        "name": f"snapshot {snapshot_id}",
        "status": status,
        "error_message": error,
        "created_at": _iso(CREATED),
        "updated_at": _iso(CREATED),
    }


def _ok(data: Any, status_code: int = 200, **meta: Any) -> Any:
    return JSONResponse({"data": data, "meta": {"request_id": "r", **meta}}, status_code)


def _error(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Any:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details or {}}}, status
    )


def make_control_plane_app(state: ControlPlaneState) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Any:
        raw = await request.body()
        state.requests.append(
            Seen(
                request.method,
                request.url.path,
                dict(request.query_params),
                dict(request.headers),
                json.loads(raw) if raw else None,
            )
        )
        if "x-username" not in request.headers and "authorization" not in request.headers:
            return _error(401, "UNAUTHORIZED", "No credentials")
        return await call_next(request)

    def instance_or_404(instance_id: int) -> InstanceRecord | None:
        return state.instances.get(instance_id)

    async def create(request: Request) -> Any:
        body = await request.json()
        mapping_id = body.get("mapping_id") or 1
        state.next_id += 1
        record = InstanceRecord(
            id=state.next_id,
            name=body["name"],
            mapping_id=mapping_id,
            body=body,
            script=INSTANCE_SCRIPTS.get(mapping_id, INSTANCE_SCRIPTS[1]),
            description=body.get("description"),
        )
        state.instances[record.id] = record
        return _ok(state.instance_json(record), 201)

    app.add_api_route("/api/instances", create, methods=["POST"])
    app.add_api_route("/api/instances/from-mapping", create, methods=["POST"])

    @app.get("/api/instances")
    async def list_instances() -> Any:
        items = [state.instance_json(r) for r in state.instances.values()]
        return _ok(items, total=len(items), offset=0, limit=50)

    @app.get("/api/instances/user/status")
    async def user_status() -> Any:
        return _ok({"active_instances": 2, "per_user_limit": 5, "available_slots": 3})

    @app.get("/api/instances/{instance_id}")
    async def get_instance(instance_id: int) -> Any:
        record = instance_or_404(instance_id)
        if record is None:
            return _error(404, "RESOURCE_NOT_FOUND", "No such instance", {"id": instance_id})
        return _ok(state.instance_json(record))

    @app.get("/api/instances/{instance_id}/progress")
    async def progress(instance_id: int) -> Any:
        record = instance_or_404(instance_id)
        if record is None:
            return _error(404, "RESOURCE_NOT_FOUND", "No such instance", {"id": instance_id})
        status, phase, completed, total, code, message = record.step
        record.position += 1
        return _ok(
            {
                "id": instance_id,
                "status": status,
                "phase": phase,
                "steps": [
                    {"name": f"step {i}", "status": "completed" if i < completed else "pending"}
                    for i in range(total)
                ],
                "completed_steps": completed,
                "total_steps": total,
                "error_code": code,
                "error_message": message,
            }
        )

    @app.put("/api/instances/{instance_id}")
    async def update(instance_id: int, request: Request) -> Any:
        record = state.instances[instance_id]
        body = await request.json()
        record.name = body.get("name", record.name)
        record.description = body.get("description", record.description)
        return _ok(state.instance_json(record))

    @app.put("/api/instances/{instance_id}/lifecycle")
    async def lifecycle(instance_id: int, request: Request) -> Any:
        record = state.instances[instance_id]
        body = await request.json()
        ttl = body.get("ttl", record.ttl)
        if ttl is not None and parse_duration(ttl) > timedelta(days=7):
            return _error(
                400,
                "VALIDATION_FAILED",
                "ttl exceeds the maximum",
                {"field": "ttl", "reason": "over max", "requested": ttl, "max_allowed": "P7D"},
            )
        record.ttl = ttl
        record.inactivity_timeout = body.get("inactivity_timeout", record.inactivity_timeout)
        return _ok(state.instance_json(record))

    @app.put("/api/instances/{instance_id}/cpu")
    async def cpu(instance_id: int, request: Request) -> Any:
        record = state.instances[instance_id]
        record.cpu_cores = (await request.json())["cpu_cores"]
        return _ok(state.instance_json(record))

    @app.get("/api/instances/{instance_id}/events")
    async def events(instance_id: int) -> Any:
        event = {
            "id": 1,
            "event_type": "cpu_updated",
            "details": {"old": 2, "new": 4},
            "created_at": _iso(CREATED),
        }
        return _ok([event], total=1, offset=0, limit=50)

    async def terminate(instance_id: int) -> Any:
        state.instances.pop(instance_id, None)
        return Response(status_code=204)

    app.add_api_route("/api/instances/{instance_id}", terminate, methods=["DELETE"])
    app.add_api_route("/api/instances/{instance_id}/terminate", terminate, methods=["POST"])

    # -- snapshots ------------------------------------------------------------------------

    def snapshot_step(snapshot_id: int, advance: bool) -> tuple[str, str, int, int, str | None]:
        script = SNAPSHOT_SCRIPTS[snapshot_id]
        polls = state.snapshot_polls.get(snapshot_id, 0)
        if advance:
            state.snapshot_polls[snapshot_id] = polls + 1
        return script[min(polls, len(script) - 1)]

    @app.get("/api/snapshots")
    async def list_snapshots() -> Any:
        items = [snapshot_json(1, "ready", None), snapshot_json(2, "failed", SNAPSHOT_FAILURE)]
        return _ok(items, total=7, offset=0, limit=2)

    @app.get("/api/snapshots/{snapshot_id}")
    async def get_snapshot(snapshot_id: int) -> Any:
        status, _, _, _, error = snapshot_step(snapshot_id, advance=False)
        return _ok(snapshot_json(snapshot_id, status, error))

    @app.get("/api/snapshots/{snapshot_id}/progress")
    async def snapshot_progress(snapshot_id: int) -> Any:
        status, phase, completed, total, error = snapshot_step(snapshot_id, advance=True)
        return _ok(
            {
                "id": snapshot_id,
                "status": status,
                "phase": phase,
                "steps": [],
                "completed_steps": completed,
                "total_steps": total,
                "error_message": error,
            }
        )

    @app.post("/api/snapshots/{snapshot_id}/retry")
    async def retry(snapshot_id: int) -> Any:
        status = snapshot_step(snapshot_id, advance=False)[0]
        if status != "failed":
            return _error(409, "INVALID_STATE", f"Snapshot is {status}", {"current_status": status})
        state.snapshot_polls[snapshot_id] = 0
        return _ok(snapshot_json(snapshot_id, "pending", None))

    return app
