"""The wrapper process's life: startup reports, auth, loading, failures and shutdown."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.graph_olap_platform.wrapper.conftest import ENGINES, standalone
from tests.graph_olap_platform.wrapper.fake_control_plane import INTERNAL_KEY, FakeControlPlane
from tests.graph_olap_platform.wrapper.process import WrapperProcess
from tests.graph_olap_platform.wrapper.snapshot import MAPPING, Snapshot, write_snapshot


def managed(engine: str, data_dir: Path, fake: FakeControlPlane, **env: str) -> WrapperProcess:
    return WrapperProcess(
        engine,
        data_dir,
        env_extra={
            "GRAPH_OLAP_WRAPPER_CONTROL_PLANE_URL": fake.url,
            "GRAPH_OLAP_WRAPPER_INTERNAL_API_KEY": INTERNAL_KEY,
            "GRAPH_OLAP_WRAPPER_INSTANCE_ID": "12",
            "GRAPH_OLAP_WRAPPER_URL_SLUG": "slug-12",
            **env,
        },
    )


@pytest.fixture
def fake(snapshot: Snapshot) -> Iterator[FakeControlPlane]:
    control_plane = FakeControlPlane(
        mapping={**MAPPING, "snapshot_path": str(snapshot.path), "wrapper_type": "ladybug"}
    ).start()
    yield control_plane
    control_plane.stop()


def test_managed_wrapper_reports_startup_and_authorises_callers(
    fake: FakeControlPlane, snapshot: Snapshot, tmp_path: Path
) -> None:
    wrapper = managed(
        "ladybug",
        tmp_path,
        fake,
        GRAPH_OLAP_WRAPPER_METRICS_INTERVAL_SECONDS="0.2",
        GRAPH_OLAP_WRAPPER_ACTIVITY_MIN_INTERVAL_SECONDS="0",
    ).start()
    try:
        progress = [c.body for c in fake.of("PUT", "/instances/12/progress")]
        assert progress[0] == {
            "phase": "initializing",
            "steps": [{"name": "pod_scheduled", "status": "completed"}],
        }
        phases = [p["phase"] for p in progress]
        assert phases.index("loading_nodes") < phases.index("loading_edges")
        final = progress[-1]["steps"]
        assert final[1] == {"name": "schema_created", "status": "completed"}
        tables = {(s["name"], s["type"]): s for s in final[2:]}
        assert tables[("Customer", "node")] == {
            "name": "Customer",
            "type": "node",
            "status": "completed",
            "row_count": 300,
        }
        assert tables[("VIEWED", "edge")]["row_count"] == snapshot.rows("VIEWED")
        (running,) = [c.body for c in fake.of("PATCH", "/instances/12/status")]
        assert running == {
            "status": "running",
            "instance_url": wrapper.url,
            "graph_stats": {
                "node_count": 340,
                "edge_count": 123_891 - 120_000 + snapshot.rows("VIEWED"),
            },
        }

        body = {"query": "MATCH (c:Customer) RETURN count(c)"}
        with httpx.Client(base_url=wrapper.url, timeout=30) as client:
            assert client.get("/health").status_code == 200  # no credentials needed
            assert client.get("/ready").status_code == 200
            anonymous = client.post("/query", json=body)
            wrong_key = client.post("/query", json=body, headers={"Authorization": "Bearer nope"})
            bob = client.post("/query", json=body, headers={"Authorization": "Bearer bob-key"})
            alice = client.post("/query", json=body, headers={"Authorization": "Bearer alice-key"})
            admin = client.get("/schema", headers={"Authorization": "Bearer admin-key"})
            dev = client.get("/status", headers={"X-Username": "alice.smith"})
            for _ in range(3):
                client.post("/query", json=body, headers={"Authorization": "Bearer alice-key"})
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "UNAUTHORIZED"
        assert wrong_key.status_code == 401
        assert bob.status_code == 403
        assert bob.json()["error"]["code"] == "PERMISSION_DENIED"
        assert alice.status_code == 200 and alice.json()["rows"] == [[300]]
        assert admin.status_code == 200
        assert dev.status_code == 200 and dev.json()["owner_username"] == "alice.smith"
        assert dev.json()["instance_id"] == 12
        # One authorisation per distinct credentials (30 s cache); activity per authorised query.
        forwarded = [
            c.headers.get("x-forwarded-authorization") for c in fake.of("GET", "/authorize")
        ]
        assert forwarded.count("Bearer alice-key") == 1
        time.sleep(0.5)
        assert len(fake.of("POST", "/instances/12/activity")) == 4
        metrics = fake.of("PUT", "/instances/12/metrics")
        assert metrics and metrics[-1].body["memory_usage_bytes"] > 10_000_000
        assert all(c.headers["x-internal-api-key"] == INTERNAL_KEY for c in fake.calls)
    finally:
        wrapper.stop()


def test_a_wrapper_stops_when_its_control_plane_is_gone(
    fake: FakeControlPlane, tmp_path: Path
) -> None:
    wrapper = managed(
        "ladybug", tmp_path, fake, GRAPH_OLAP_WRAPPER_ORPHAN_TIMEOUT_SECONDS="1"
    ).start()
    try:
        time.sleep(2)  # longer than the timeout: a control plane that answers keeps it alive
        assert wrapper.process is not None and wrapper.process.poll() is None
        fake.stop()
        started = time.monotonic()
        assert wrapper.wait_exit(timeout=30) == 3
        assert time.monotonic() - started < 15
        assert "has been unreachable for" in wrapper.log_tail()
        assert "wrapper stopped" in wrapper.log_tail()  # the engine was closed on the way out
    finally:
        wrapper.stop()


def broken_snapshot(root: Path) -> Snapshot:
    """The test snapshot with one purchase by a customer who does not exist."""
    snap = write_snapshot(root, views=1_000)
    purchases = snap.tables["PURCHASED"]
    extra = purchases.slice(0, 1).set_column(0, "customer_id", pa.array(["C9999"]))
    pq.write_table(pa.concat_tables([purchases, extra]), root / "edges" / "PURCHASED.parquet")
    manifest = json.loads((root / "manifest.json").read_text())
    for entry in manifest["edges"]:
        if entry["type"] == "PURCHASED":
            entry["row_count"] += 1
    (root / "manifest.json").write_text(json.dumps(manifest))
    return snap


@pytest.mark.parametrize("engine", ENGINES)
def test_edges_with_missing_endpoints_fail_the_instance(engine: str, tmp_path: Path) -> None:
    snap = broken_snapshot(tmp_path / "snap")
    fake = FakeControlPlane(mapping={**MAPPING, "snapshot_path": str(snap.path)}).start()
    wrapper = managed(engine, tmp_path / "wrapper", fake).start(wait=False)
    try:
        assert wrapper.wait_exit(timeout=60) != 0
        (failed,) = [c.body for c in fake.of("PATCH", "/instances/12/status")]
        assert failed["status"] == "failed"
        assert failed["error_code"] == "DATA_LOAD_ERROR"
        assert failed["failed_phase"] == "loading_edges"
        assert "PURCHASED" in failed["error_message"]
        assert "C9999" in failed["error_message"]  # the engine's own message
        assert failed["stack_trace"]
        last_progress = fake.of("PUT", "/instances/12/progress")[-1].body
        purchased = [s for s in last_progress["steps"] if s["name"] == "PURCHASED"]
        assert purchased[0]["status"] == "failed"
    finally:
        wrapper.stop()
        fake.stop()


def test_a_missing_snapshot_is_a_mapping_error(tmp_path: Path) -> None:
    wrapper = WrapperProcess(
        "ladybug",
        tmp_path,
        env_extra={"GRAPH_OLAP_WRAPPER_SNAPSHOT_PATH": str(tmp_path / "missing")},
    ).start(wait=False)
    try:
        assert wrapper.wait_exit(timeout=60) == 1
        assert "MAPPING_FETCH_ERROR" in wrapper.log_tail()
    finally:
        wrapper.stop()


@pytest.fixture(scope="module")
def slow_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 M-node table keeps LadybugDB loading for about a second."""
    root = tmp_path_factory.mktemp("slow")
    (root / "nodes").mkdir()
    rows = 2_000_000
    pq.write_table(
        pa.table({"id": np.arange(rows), "v": np.random.default_rng(1).random(rows)}),
        root / "nodes" / "Reading.parquet",
    )
    manifest = {"nodes": [{"label": "Reading", "file": "nodes/Reading.parquet", "row_count": rows}]}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


def wait_for_health(wrapper: WrapperProcess, client: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            assert time.monotonic() < deadline, wrapper.log_tail()
            time.sleep(0.02)


def test_health_answers_while_the_graph_loads(slow_snapshot: Path, tmp_path: Path) -> None:
    wrapper = WrapperProcess(
        "ladybug", tmp_path, env_extra={"GRAPH_OLAP_WRAPPER_SNAPSHOT_PATH": str(slow_snapshot)}
    ).start(wait=False)
    try:
        with httpx.Client(base_url=wrapper.url, timeout=10) as client:
            wait_for_health(wrapper, client)
            ready = client.get("/ready")
            query = client.post("/query", json={"query": "RETURN 1"})
            status = client.get("/status").json()
        assert ready.status_code == 503
        assert ready.json()["error"]["code"] == "DATABASE_NOT_INITIALIZED"
        assert query.status_code == 503
        assert status["status"] in ("starting", "loading") and status["node_count"] is None
        wrapper.wait_ready()
        assert wrapper.query("MATCH (r:Reading) RETURN count(r)")["rows"] == [[2_000_000]]
    finally:
        wrapper.stop()


def test_sigterm_during_the_load_stops_promptly(slow_snapshot: Path, tmp_path: Path) -> None:
    wrapper = WrapperProcess(
        "ladybug", tmp_path, env_extra={"GRAPH_OLAP_WRAPPER_SNAPSHOT_PATH": str(slow_snapshot)}
    ).start(wait=False)
    try:
        with httpx.Client(base_url=wrapper.url, timeout=10) as client:
            wait_for_health(wrapper, client)
            assert client.get("/ready").status_code == 503
        started = time.monotonic()
        assert wrapper.stop() in (0, -15)
        assert time.monotonic() - started < 10
        log = wrapper.log_tail()
        assert "ladybug database closed" in log and "wrapper stopped" in log
        assert "startup failed" not in log
    finally:
        wrapper.stop()


def test_configured_row_cap(snapshot: Snapshot, tmp_path: Path) -> None:
    wrapper = standalone("ladybug", tmp_path, snapshot, GRAPH_OLAP_WRAPPER_MAX_ROWS="25").start()
    try:
        capped = wrapper.query("MATCH (c:Customer) RETURN c.customer_id")
        assert capped["row_count"] == 25 and capped["truncated"] is True
        asked_more = wrapper.query("MATCH (c:Customer) RETURN c.customer_id", max_rows=1000)
        assert asked_more["row_count"] == 25  # the server's cap is the ceiling
        assert wrapper.query_arrow("MATCH (c:Customer) RETURN c.customer_id").num_rows == 300
    finally:
        wrapper.stop()


@pytest.mark.parametrize("engine", ENGINES)
def test_sigterm_closes_the_engine(engine: str, snapshot: Snapshot, tmp_path: Path) -> None:
    wrapper = standalone(engine, tmp_path, snapshot).start()
    code = wrapper.stop()
    assert code in (0, -15)  # uvicorn re-raises SIGTERM after its graceful shutdown
    log = wrapper.log_tail()
    assert f"{engine} database closed" in log and "wrapper stopped" in log
