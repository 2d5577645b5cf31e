"""The wrapper's client of the control plane's internal API (``/api/internal``).

Every call sends ``X-Internal-Api-Key``. The loader (a background thread) uses the synchronous
calls; request handlers use the asynchronous ones. Authorisation answers are cached for a short
time keyed by a hash of the caller's credentials; activity reports are fire-and-forget and never
fail the caller's request.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

log = logging.getLogger("graph_olap_platform.wrapper.control_plane")

API_KEY_HEADER = "X-Internal-Api-Key"


@dataclass(frozen=True)
class Caller:
    """Who is calling the wrapper, as the control plane sees it."""

    username: str | None
    role: str | None = None
    is_owner: bool = False
    can_query: bool = True
    can_run_algorithms: bool = True


STANDALONE_CALLER = Caller(username=None, role="standalone", is_owner=True)


class AuthError(Exception):
    """The caller is not let through: 401, 403, or 503 when the control plane cannot answer."""

    def __init__(
        self, status_code: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details or {}


class Reporter(Protocol):
    """Where the loader reports startup progress and outcome."""

    def report_progress(self, phase: str, steps: list[dict[str, Any]]) -> None: ...

    def report_running(self, instance_url: str, node_count: int, edge_count: int) -> None: ...

    def report_failed(
        self, error_code: str, error_message: str, failed_phase: str, stack_trace: str | None
    ) -> None: ...


class LogReporter:
    """The standalone reporter: progress goes to the log only."""

    def report_progress(self, phase: str, steps: list[dict[str, Any]]) -> None:
        current = next((s for s in reversed(steps) if s.get("status") != "pending"), None)
        log.info("progress: %s %s", phase, current or "")

    def report_running(self, instance_url: str, node_count: int, edge_count: int) -> None:
        log.info("running at %s: %d nodes, %d edges", instance_url, node_count, edge_count)

    def report_failed(
        self, error_code: str, error_message: str, failed_phase: str, stack_trace: str | None
    ) -> None:
        log.error("failed in %s: %s %s", failed_phase, error_code, error_message)


def credentials_key(authorization: str | None, username: str | None) -> str:
    """The cache key of a caller's credentials: a hash, so no secret is kept in memory."""
    raw = f"{authorization or ''}\n{username or ''}".encode()
    return hashlib.sha256(raw).hexdigest()


class AuthCache:
    """Authorisation outcomes (a ``Caller`` or an ``AuthError``) for ``ttl`` seconds."""

    def __init__(
        self, ttl: float, *, clock: Callable[[], float] = time.monotonic, max_entries: int = 4096
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[str, tuple[float, Caller | AuthError]] = {}

    def get(self, key: str) -> Caller | AuthError | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: str, outcome: Caller | AuthError) -> None:
        if self.ttl <= 0:
            return
        now = self._clock()
        if len(self._entries) >= self._max_entries:
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            while len(self._entries) >= self._max_entries:
                self._entries.pop(next(iter(self._entries)))
        self._entries[key] = (now + self.ttl, outcome)

    def __len__(self) -> int:
        return len(self._entries)


def _unwrap(body: Any) -> Any:
    """Accept both bare answers and the public ``{"data": ...}`` envelope."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict) and len(body) <= 2:
        return body["data"]
    return body


def _error_of(response: httpx.Response) -> tuple[str | None, str | None]:
    try:
        body = response.json()
    except ValueError:
        return None, None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return error.get("code"), error.get("message")
    return None, None


class ControlPlaneError(Exception):
    """An internal API call failed (transport error or unexpected status)."""


class ControlPlaneClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        instance_id: int | None,
        url_slug: str | None = None,
        timeout: float = 10.0,
        auth_ttl: float = 30.0,
        activity_min_interval: float = 0.0,
        retries: int = 3,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.instance_id = instance_id
        self.url_slug = url_slug or (str(instance_id) if instance_id is not None else None)
        headers = {API_KEY_HEADER: api_key or ""}
        self._sync = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)
        self._async = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=timeout)
        self._retries = max(1, retries)
        self.auth_cache = AuthCache(auth_ttl)
        self._inflight: dict[str, asyncio.Future[Caller]] = {}
        self._activity_interval = activity_min_interval
        self._last_activity = float("-inf")
        self._tasks: set[asyncio.Task[None]] = set()
        self.authorize_calls = 0  # answers fetched from the control plane (not the cache)

    @property
    def _instance_path(self) -> str:
        return f"/api/internal/instances/{self.instance_id}"

    # -- synchronous calls (loader thread) -----------------------------------------------------
    def _call(self, method: str, path: str, *, json: Any = None) -> httpx.Response:
        last: Exception | None = None
        for attempt in range(self._retries):
            try:
                response = self._sync.request(method, path, json=json)
            except httpx.TransportError as exc:
                last = exc
            else:
                if response.status_code < 500:
                    return response
                last = ControlPlaneError(f"{method} {path} answered {response.status_code}")
            if attempt + 1 < self._retries:
                time.sleep(0.2 * 2**attempt)
        raise ControlPlaneError(f"{method} {path} failed: {last}") from last

    def fetch_mapping(self) -> dict[str, Any]:
        response = self._call("GET", f"{self._instance_path}/mapping")
        if response.status_code != 200:
            code, message = _error_of(response)
            raise ControlPlaneError(
                f"GET mapping answered {response.status_code} {code or ''} {message or ''}".strip()
            )
        body = _unwrap(response.json())
        if not isinstance(body, dict):
            raise ControlPlaneError("GET mapping answered something other than an object")
        return body

    def _report(self, method: str, path: str, body: dict[str, Any]) -> bool:
        try:
            response = self._call(method, f"{self._instance_path}/{path}", json=body)
        except ControlPlaneError as exc:
            log.warning("reporting %s failed: %s", path, exc)
            return False
        if response.status_code >= 300:
            code, message = _error_of(response)
            log.warning("reporting %s answered %s %s %s", path, response.status_code, code, message)
            return False
        return True

    def report_progress(self, phase: str, steps: list[dict[str, Any]]) -> None:
        self._report("PUT", "progress", {"phase": phase, "steps": steps})

    def report_running(self, instance_url: str, node_count: int, edge_count: int) -> None:
        self._report(
            "PATCH",
            "status",
            {
                "status": "running",
                "instance_url": instance_url,
                "graph_stats": {"node_count": node_count, "edge_count": edge_count},
            },
        )

    def report_failed(
        self, error_code: str, error_message: str, failed_phase: str, stack_trace: str | None
    ) -> None:
        self._report(
            "PATCH",
            "status",
            {
                "status": "failed",
                "error_code": error_code,
                "error_message": error_message,
                "failed_phase": failed_phase,
                "stack_trace": stack_trace,
            },
        )

    # -- asynchronous calls (request handlers) ------------------------------------------------
    async def report_metrics(
        self, memory_usage_bytes: int | None, disk_usage_bytes: int | None
    ) -> None:
        body = {"memory_usage_bytes": memory_usage_bytes, "disk_usage_bytes": disk_usage_bytes}
        try:
            await self._async.put(f"{self._instance_path}/metrics", json=body)
        except httpx.HTTPError as exc:
            log.debug("reporting metrics failed: %s", exc)

    async def reachable(self) -> bool:
        """Whether the control plane answers at all (any HTTP status counts)."""
        try:
            await self._async.get("/health", timeout=5)
        except httpx.TransportError:
            return False
        return True

    def report_activity(self) -> None:
        """Fire-and-forget ``POST activity``; coalesced to one per ``activity_min_interval``."""
        now = time.monotonic()
        if now - self._last_activity < self._activity_interval:
            return
        self._last_activity = now
        task = asyncio.get_running_loop().create_task(self._post_activity())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post_activity(self) -> None:
        try:
            response = await self._async.post(f"{self._instance_path}/activity", json={})
            if response.status_code >= 300:
                log.debug("activity report answered %s", response.status_code)
        except Exception as exc:  # never let a report fail anything
            log.debug("activity report failed: %s", exc)

    async def authorize(self, authorization: str | None, username: str | None) -> Caller:
        """The caller behind these credentials, or ``AuthError``; cached per credentials."""
        if not authorization and not username:
            raise AuthError(
                401,
                "UNAUTHORIZED",
                "Missing credentials: send Authorization: Bearer <api key>",
            )
        key = credentials_key(authorization, username)
        cached = self.auth_cache.get(key)
        if isinstance(cached, AuthError):
            raise cached
        if cached is not None:
            return cached
        pending = self._inflight.get(key)
        if pending is not None:  # the same credentials are being checked right now
            return await asyncio.shield(pending)
        future: asyncio.Future[Caller] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            caller = await self._ask(authorization, username)
        except AuthError as exc:
            if exc.status_code in (401, 403):
                self.auth_cache.put(key, exc)
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        else:
            self.auth_cache.put(key, caller)
            future.set_result(caller)
            return caller
        finally:
            self._inflight.pop(key, None)

    async def _ask(self, authorization: str | None, username: str | None) -> Caller:
        headers = {}
        if authorization:
            headers["X-Forwarded-Authorization"] = authorization
        if username:
            headers["X-Forwarded-Username"] = username
        self.authorize_calls += 1
        try:
            response = await self._async.get(
                f"/api/internal/instances/{self.url_slug}/authorize", headers=headers
            )
        except httpx.HTTPError as exc:
            raise AuthError(
                503, "SERVICE_UNAVAILABLE", f"Cannot reach the control plane to authorise: {exc}"
            ) from exc
        code, message = _error_of(response)
        if response.status_code == 401:
            raise AuthError(401, code or "UNAUTHORIZED", message or "Invalid credentials")
        if response.status_code in (403, 404):
            raise AuthError(403, "PERMISSION_DENIED", message or "Not allowed to use this instance")
        if response.status_code != 200:
            raise AuthError(
                503,
                "SERVICE_UNAVAILABLE",
                f"The control plane answered {response.status_code} when authorising",
            )
        body = _unwrap(response.json())
        if not isinstance(body, dict):
            raise AuthError(503, "SERVICE_UNAVAILABLE", "Unexpected authorisation answer")
        caller = Caller(
            username=body.get("username"),
            role=body.get("role"),
            is_owner=bool(body.get("is_owner")),
            can_query=bool(body.get("can_query")),
            can_run_algorithms=bool(body.get("can_run_algorithms")),
        )
        if not caller.can_query:
            raise AuthError(
                403,
                "PERMISSION_DENIED",
                "Only the instance's owner, admins and ops may use this instance",
                {"username": caller.username},
            )
        return caller

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self._async.aclose()

    def close(self) -> None:
        self._sync.close()
