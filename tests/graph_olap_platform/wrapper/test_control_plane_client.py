"""The wrapper's internal-API client against a tiny real control plane on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from graph_olap_platform.wrapper.control_plane import (
    AuthCache,
    AuthError,
    Caller,
    ControlPlaneClient,
    ControlPlaneError,
    credentials_key,
)
from tests.graph_olap_platform.wrapper.fake_control_plane import INTERNAL_KEY, FakeControlPlane
from tests.support.net import free_port


@pytest.fixture
def control_plane() -> Iterator[FakeControlPlane]:
    fake = FakeControlPlane(mapping={"snapshot_path": "/nowhere"}).start()
    yield fake
    fake.stop()


def client(url: str, **kwargs: object) -> ControlPlaneClient:
    return ControlPlaneClient(url, INTERNAL_KEY, instance_id=12, url_slug="slug-12", **kwargs)  # type: ignore[arg-type]


def authorize_calls(fake: FakeControlPlane) -> int:
    return len(fake.of("GET", "/authorize"))


def test_authorisation_is_cached_per_credentials(control_plane: FakeControlPlane) -> None:
    async def scenario() -> None:
        cp = client(control_plane.url, auth_ttl=0.5)
        alice = await cp.authorize("Bearer alice-key", None)
        assert alice == Caller("alice.smith", "analyst", True, True, True)
        assert await cp.authorize("Bearer alice-key", None) == alice
        assert authorize_calls(control_plane) == 1
        admin = await cp.authorize("Bearer admin-key", None)
        assert admin.role == "admin" and not admin.is_owner and admin.can_query
        assert authorize_calls(control_plane) == 2
        await asyncio.sleep(0.6)  # past the TTL: asked again
        await cp.authorize("Bearer alice-key", None)
        assert authorize_calls(control_plane) == 3
        await cp.aclose()

    asyncio.run(scenario())
    first = control_plane.of("GET", "/authorize")[0]
    assert first.path == "/api/internal/instances/slug-12/authorize"
    assert first.headers["x-internal-api-key"] == INTERNAL_KEY
    assert first.headers["x-forwarded-authorization"] == "Bearer alice-key"


def test_refusals_are_cached_too(control_plane: FakeControlPlane) -> None:
    async def scenario() -> None:
        cp = client(control_plane.url)
        for _ in range(3):
            with pytest.raises(AuthError) as bob:
                await cp.authorize("Bearer bob-key", None)
            assert bob.value.status_code == 403 and bob.value.code == "PERMISSION_DENIED"
        for _ in range(2):
            with pytest.raises(AuthError) as wrong:
                await cp.authorize("Bearer wrong-key", None)
            assert wrong.value.status_code == 401 and wrong.value.code == "UNAUTHORIZED"
        await cp.aclose()

    asyncio.run(scenario())
    assert authorize_calls(control_plane) == 2


def test_missing_credentials_are_refused_without_asking(control_plane: FakeControlPlane) -> None:
    async def scenario() -> None:
        cp = client(control_plane.url)
        with pytest.raises(AuthError) as missing:
            await cp.authorize(None, None)
        assert missing.value.status_code == 401
        await cp.aclose()

    asyncio.run(scenario())
    assert authorize_calls(control_plane) == 0


def test_dev_mode_usernames_are_forwarded(control_plane: FakeControlPlane) -> None:
    async def scenario() -> Caller:
        cp = client(control_plane.url)
        try:
            return await cp.authorize(None, "alice.smith")
        finally:
            await cp.aclose()

    assert asyncio.run(scenario()).is_owner
    assert control_plane.of("GET", "/authorize")[0].headers["x-forwarded-username"] == "alice.smith"


def test_concurrent_checks_of_one_caller_ask_once(control_plane: FakeControlPlane) -> None:
    control_plane.authorize_delay = 0.2

    async def scenario() -> list[Caller]:
        cp = client(control_plane.url)
        try:
            return await asyncio.gather(*(cp.authorize("Bearer ops-key", None) for _ in range(10)))
        finally:
            await cp.aclose()

    callers = asyncio.run(scenario())
    assert {c.username for c in callers} == {"ops.user"}
    assert authorize_calls(control_plane) == 1


def test_an_unreachable_control_plane_is_503_and_not_cached() -> None:
    async def scenario() -> None:
        cp = client(f"http://127.0.0.1:{free_port()}", timeout=2)
        for _ in range(2):
            with pytest.raises(AuthError) as down:
                await cp.authorize("Bearer alice-key", None)
            assert down.value.status_code == 503
        assert len(cp.auth_cache) == 0
        assert cp.authorize_calls == 2
        cp.report_activity()  # fire-and-forget: never raises
        await asyncio.sleep(0.2)
        await cp.aclose()

    asyncio.run(scenario())


def test_activity_is_fire_and_forget_and_coalesced(control_plane: FakeControlPlane) -> None:
    async def scenario(interval: float, reports: int) -> None:
        cp = client(control_plane.url, activity_min_interval=interval)
        for _ in range(reports):
            cp.report_activity()
        await asyncio.sleep(0.3)
        await cp.aclose()

    asyncio.run(scenario(0, 3))
    assert len(control_plane.of("POST", "/instances/12/activity")) == 3
    asyncio.run(scenario(60, 3))
    assert len(control_plane.of("POST", "/instances/12/activity")) == 4


def test_startup_reports(control_plane: FakeControlPlane) -> None:
    cp = client(control_plane.url)
    assert cp.fetch_mapping()["instance_id"] == 12  # the {"data": ...} envelope is unwrapped
    cp.report_progress(
        "loading_nodes", [{"name": "Customer", "type": "node", "status": "in_progress"}]
    )
    cp.report_running("http://127.0.0.1:9999", 10, 20)
    cp.report_failed("DATA_LOAD_ERROR", "boom", "loading_edges", "trace")
    cp.close()
    assert control_plane.of("PUT", "/instances/12/progress")[0].body == {
        "phase": "loading_nodes",
        "steps": [{"name": "Customer", "type": "node", "status": "in_progress"}],
    }
    running, failed = (c.body for c in control_plane.of("PATCH", "/instances/12/status"))
    assert running == {
        "status": "running",
        "instance_url": "http://127.0.0.1:9999",
        "graph_stats": {"node_count": 10, "edge_count": 20},
    }
    assert failed["status"] == "failed" and failed["error_code"] == "DATA_LOAD_ERROR"
    assert failed["failed_phase"] == "loading_edges" and failed["error_message"] == "boom"


def test_mapping_fetch_errors() -> None:
    cp = ControlPlaneClient(
        f"http://127.0.0.1:{free_port()}", "k", instance_id=1, timeout=1, retries=2
    )
    started = time.monotonic()
    with pytest.raises(ControlPlaneError):
        cp.fetch_mapping()
    assert time.monotonic() - started < 5
    cp.close()


def test_auth_cache_expiry_and_bounds() -> None:
    now = [100.0]
    cache = AuthCache(30, clock=lambda: now[0], max_entries=2)
    caller = Caller("a")
    cache.put("k1", caller)
    now[0] += 29.9
    assert cache.get("k1") is caller
    now[0] += 0.2
    assert cache.get("k1") is None
    cache.put("k1", caller)
    cache.put("k2", caller)
    cache.put("k3", caller)
    assert len(cache) == 2 and cache.get("k3") is caller
    assert credentials_key("Bearer x", None) != credentials_key(None, "Bearer x")
    assert "Bearer" not in credentials_key("Bearer secret", None)
