"""A tiny real FastAPI app standing in for the control plane's internal API, on loopback.

It knows four API keys (alice owns the instance, bob is another analyst, an admin and an ops
user), accepts ``X-Username`` as dev mode does, and records every call it receives.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from tests.support.net import free_port

INTERNAL_KEY = "internal-secret"
USERS = {
    "Bearer alice-key": ("alice.smith", "analyst"),
    "Bearer bob-key": ("bob.jones", "analyst"),
    "Bearer admin-key": ("admin.user", "admin"),
    "Bearer ops-key": ("ops.user", "ops"),
}
OWNER = "alice.smith"


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeControlPlane:
    mapping: dict[str, Any] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    calls: list[Call] = field(default_factory=list)
    authorize_delay: float = 0.0
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def of(self, method: str, suffix: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.endswith(suffix)]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.middleware("http")
        async def record(request: Request, call_next: Any) -> Response:
            body = await request.body()
            self.calls.append(
                Call(
                    request.method,
                    request.url.path,
                    {k.lower(): v for k, v in request.headers.items()},
                    json.loads(body) if body else None,
                )
            )
            if request.headers.get("x-internal-api-key") != INTERNAL_KEY:
                return JSONResponse(
                    {"error": {"code": "UNAUTHORIZED", "message": "bad internal key"}}, 401
                )
            response: Response = await call_next(request)
            return response

        @app.get("/api/internal/instances/{instance_id}/mapping")
        async def mapping(instance_id: int) -> Any:
            return {"data": {**self.mapping, "instance_id": instance_id}}

        @app.put("/api/internal/instances/{instance_id}/progress")
        async def progress(instance_id: int) -> Response:
            return Response(status_code=204)

        @app.patch("/api/internal/instances/{instance_id}/status")
        async def status(instance_id: int) -> Any:
            return {"data": {"id": instance_id}}

        @app.put("/api/internal/instances/{instance_id}/metrics")
        async def metrics(instance_id: int) -> Response:
            return Response(status_code=204)

        @app.post("/api/internal/instances/{instance_id}/activity")
        async def activity(instance_id: int) -> Response:
            return Response(status_code=204)

        @app.get("/api/internal/instances/{slug}/authorize")
        async def authorize(slug: str, request: Request) -> Any:
            if self.authorize_delay:
                await asyncio.sleep(self.authorize_delay)
            header = request.headers.get("x-forwarded-authorization")
            dev_user = request.headers.get("x-forwarded-username")
            if header in USERS:
                username, role = USERS[header]
            elif dev_user:
                username, role = dev_user, "analyst"
            else:
                return JSONResponse(
                    {"error": {"code": "UNAUTHORIZED", "message": "Invalid API key"}}, 401
                )
            is_owner = username == OWNER
            allowed = is_owner or role in ("admin", "ops")
            return {
                "username": username,
                "role": role,
                "is_owner": is_owner,
                "can_query": allowed,
                "can_run_algorithms": allowed,
            }

        return app

    def start(self) -> FakeControlPlane:
        config = uvicorn.Config(
            self.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake control plane did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)
