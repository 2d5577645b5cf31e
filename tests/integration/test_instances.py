"""From a mapping of the demo warehouse to running graphs on every engine, end to end.

Everything is real: the control plane process, DuckDB, the export worker, the launcher and one
wrapper process per instance with its engine (LadybugDB, Ryugraph, FalkorDB's redis-server).
"""

from __future__ import annotations

import os
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import duckdb
import httpx
import pytest

from graph_olap import GraphOLAPClient
from graph_olap.exceptions import (
    InstanceFailedError,
    PermissionDeniedError,
    QueryError,
    QueryTimeoutError,
)
from graph_olap.instance.connection import InstanceConnection
from graph_olap.models import Instance
from tests.integration.demo import EDGES, NODES, SHARED_QUERIES, TABLES, same_values
from tests.support.platform import PlatformProcess

ENGINES = ["ladybug", "ryugraph", "falkordb"]
OWNER = "analyst.e2e"


def _client(platform: PlatformProcess, username: str = OWNER) -> GraphOLAPClient:
    return GraphOLAPClient(platform.url, username=username, max_retries=0, timeout=60)


@pytest.fixture(scope="module")
def demo_mapping(demo_platform: PlatformProcess) -> int:
    with _client(demo_platform) as client:
        mapping = client.mappings.create(
            name="Demo graph", node_definitions=NODES, edge_definitions=EDGES
        )
    return mapping.id


@pytest.fixture(scope="module")
def running(
    demo_platform: PlatformProcess, demo_mapping: int
) -> Iterator[dict[str, tuple[Instance, InstanceConnection]]]:
    client = _client(demo_platform)
    started: dict[str, tuple[Instance, InstanceConnection]] = {}
    try:
        for engine in ENGINES:
            instance = client.instances.create_from_mapping_and_wait(
                demo_mapping,
                f"demo on {engine}",
                wrapper_type=engine,
                timeout=180,
                show_progress=False,
            )
            started[engine] = (instance, client.instances.connect(instance.id))
        yield started
    finally:
        for instance, connection in started.values():
            connection.close()
            client.instances.terminate(instance.id)
        client.close()


def _warehouse_counts(platform: PlatformProcess) -> dict[str, int]:
    with duckdb.connect(str(platform.data_dir / "warehouse.duckdb"), read_only=True) as db:
        return {
            name: db.execute(f"SELECT count(*) FROM analytics.{table}").fetchall()[0][0]  # type: ignore[index]
            for name, table in TABLES.items()
        }


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_runs_and_loads_every_row(
    running: dict[str, tuple[Instance, InstanceConnection]],
    demo_platform: PlatformProcess,
    engine: str,
) -> None:
    instance, connection = running[engine]
    assert instance.status == "running" and instance.wrapper_type == engine
    expected = _warehouse_counts(demo_platform)
    schema = connection.get_schema()
    counts = {t.label: t.node_count for t in schema.node_tables}
    counts |= {t.type: t.edge_count for t in schema.edge_tables}
    assert counts == expected
    for label in ("Customer", "Product", "Supplier", "Person"):
        assert connection.query_scalar(f"MATCH (n:{label}) RETURN count(n)") == expected[label]
    assert (
        connection.query_scalar("MATCH ()-[r:PURCHASED]->() RETURN count(r)")
        == expected["PURCHASED"]
    )


def test_shared_queries_return_the_same_rows_on_every_engine(
    running: dict[str, tuple[Instance, InstanceConnection]],
) -> None:
    for cypher, parameters in SHARED_QUERIES:
        answers = {
            engine: connection.query(cypher, parameters).rows
            for engine, (_instance, connection) in running.items()
        }
        reference = answers["ladybug"]
        assert reference or "count" in cypher, f"no rows for {cypher}"
        for engine, rows in answers.items():
            message = f"{engine} differs on {cypher}:\n{rows}\n{reference}"
            assert same_values(rows, reference), message


def test_a_parameter_with_cypher_syntax_stays_a_value(
    running: dict[str, tuple[Instance, InstanceConnection]],
) -> None:
    for _instance, connection in running.values():
        assert (
            connection.query_scalar(
                "MATCH (c:Customer) WHERE c.name = $name RETURN count(c)",
                {"name": "x' OR 1=1 RETURN 1 //"},
            )
            == 0
        )


@pytest.mark.parametrize("engine", ENGINES)
def test_nodes_relationships_and_paths_come_back_tagged(
    running: dict[str, tuple[Instance, InstanceConnection]], engine: str
) -> None:
    _instance, connection = running[engine]
    result = connection.query(
        "MATCH p = (c:Customer {customer_id: $id})-[r:PURCHASED]->(x:Product) "
        "RETURN c, r, p LIMIT 1",
        {"id": "C0001"},
    )
    node, rel, path = result.rows[0]
    assert node["_id"] == "Customer_C0001" and node["_label"] == "Customer"
    assert node["name"] and "city" in node
    assert rel["_type"] == "PURCHASED" and rel["_start"] == "Customer_C0001"
    assert rel["_end"].startswith("Product_P")
    assert [item.get("_label") or item.get("_type") for item in path] == [
        "Customer",
        "PURCHASED",
        "Product",
    ]
    frame = connection.query_df(
        "MATCH (c:Customer) RETURN c.customer_id AS id, c.signup_date AS since ORDER BY id LIMIT 5"
    )
    assert list(frame["id"]) == ["C0001", "C0002", "C0003", "C0004", "C0005"]


@pytest.mark.parametrize("engine", ENGINES)
def test_bad_queries_fail_clearly_and_the_instance_keeps_serving(
    running: dict[str, tuple[Instance, InstanceConnection]], engine: str
) -> None:
    _instance, connection = running[engine]
    with pytest.raises(QueryError) as caught:
        connection.query("MATCH (n:Customer RETURN n")
    assert caught.value.engine_message
    assert caught.value.position is not None and caught.value.position["line"] == 1
    with pytest.raises(QueryTimeoutError):
        connection.query("MATCH (a:Person)-[:KNOWS*1..12]-(b:Person) RETURN count(*)", timeout=1)
    assert connection.query_scalar("MATCH (s:Supplier) RETURN count(s)") == 40


def test_the_wrapper_checks_who_is_calling(
    running: dict[str, tuple[Instance, InstanceConnection]], demo_platform: PlatformProcess
) -> None:
    instance, _connection = running["ladybug"]
    url = f"{instance.instance_url}/query"
    body = {"query": "MATCH (n:Supplier) RETURN count(n)"}
    assert httpx.post(url, json=body).status_code == 401
    other = httpx.post(url, json=body, headers={"X-Username": "someone.else"})
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "PERMISSION_DENIED"
    admin = httpx.post(
        url, json=body, headers={"Authorization": f"Bearer {demo_platform.keys['admin.user']}"}
    )
    assert admin.status_code == 200
    with (
        GraphOLAPClient(demo_platform.url, username="someone.else", max_retries=0) as outsider,
        pytest.raises(PermissionDeniedError),
    ):
        outsider.instances.connect(instance.id).query("RETURN 1")


def test_queries_count_as_activity(
    running: dict[str, tuple[Instance, InstanceConnection]], demo_platform: PlatformProcess
) -> None:
    instance, connection = running["ryugraph"]
    connection.query("MATCH (n:Supplier) RETURN count(n)")
    deadline = time.monotonic() + 10
    with _client(demo_platform) as client:
        while time.monotonic() < deadline:
            last = client.instances.get(instance.id).last_activity_at
            if last is not None:
                break
            time.sleep(0.1)
    assert last is not None


def _failing_mapping(client: GraphOLAPClient) -> int:
    # Valid for the warehouse's describe, but the cast fails once rows are read.
    broken = {
        "label": "Customer",
        "sql": "SELECT customer_id, CAST(name AS BIGINT) AS name_number FROM analytics.customers",
        "primary_key": {"name": "customer_id", "type": "STRING"},
        "properties": [{"name": "name_number", "type": "INT64"}],
    }
    return client.mappings.create(name="broken", node_definitions=[broken, NODES[1]]).id


def _pids_of(instance_id: int) -> list[int]:
    marker = b"graph_olap_platform.wrapper"
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                env = environ.read()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:
            continue
        if marker in command and f"GRAPH_OLAP_WRAPPER_INSTANCE_ID={instance_id}\0".encode() in env:
            found.append(int(entry))
    return found


def test_failing_sql_fails_snapshot_and_instance_then_a_fixed_mapping_runs(
    demo_platform: PlatformProcess,
) -> None:
    with _client(demo_platform, "analyst.failing") as client:
        mapping_id = _failing_mapping(client)
        with pytest.raises(InstanceFailedError) as caught:
            client.instances.create_from_mapping_and_wait(
                mapping_id, "doomed", timeout=60, show_progress=False
            )
        assert caught.value.error_code == "DATA_LOAD_ERROR"
        assert "Customer" in str(caught.value)
        failed = client.instances.get(caught.value.instance_id)
        assert failed.status == "failed" and failed.error_code == "DATA_LOAD_ERROR"
        snapshot = client.snapshots.get(failed.snapshot_id or failed.pending_snapshot_id or 0)
        assert snapshot.status == "failed"
        assert "node definition 'Customer'" in (snapshot.error_message or "")
        assert "Conversion Error" in (snapshot.error_message or "")
        assert _pids_of(failed.id) == []

        retried = client.snapshots.retry(snapshot.id)
        assert retried.status == "pending"
        with pytest.raises(Exception, match="Customer"):
            client.snapshots.wait_until_ready(snapshot.id, timeout=30)

        client.mappings.update(mapping_id, "Fix the Customer query", node_definitions=NODES[:2])
        fixed = client.instances.create_from_mapping_and_wait(
            mapping_id, "fixed", timeout=120, show_progress=False
        )
        assert fixed.status == "running"
        client.instances.terminate(fixed.id)
        client.instances.terminate(failed.id)


def test_a_killed_wrapper_fails_its_instance_and_terminate_frees_everything(
    demo_platform: PlatformProcess, demo_mapping: int
) -> None:
    with _client(demo_platform, "analyst.crash") as client:
        victim = client.instances.create_from_mapping_and_wait(
            demo_mapping, "victim", timeout=120, show_progress=False
        )
        (pid,) = _pids_of(victim.id)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            current = client.instances.get(victim.id)
            if current.status == "failed":
                break
            time.sleep(0.1)
        assert current.status == "failed"
        assert current.error_code == "UNEXPECTED_TERMINATION"
        client.instances.terminate(victim.id)

        survivor = client.instances.create_from_mapping_and_wait(
            demo_mapping,
            "to terminate",
            wrapper_type="falkordb",
            timeout=120,
            show_progress=False,
        )
        port = int((survivor.instance_url or "").rsplit(":", 1)[1])
        assert _pids_of(survivor.id)
        client.instances.terminate(survivor.id)
        assert _pids_of(survivor.id) == []
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # the port is free again
        assert not (demo_platform.data_dir / "instances" / str(survivor.id)).exists()


def test_ttl_and_inactivity_expire_instances(
    demo_platform: PlatformProcess, demo_mapping: int
) -> None:
    with _client(demo_platform, "analyst.expiry") as client:
        short = client.instances.create_from_mapping_and_wait(
            demo_mapping,
            "short ttl",
            ttl="PT4S",
            inactivity_timeout="PT4S",
            timeout=120,
            show_progress=False,
        )
        idle = client.instances.create_from_mapping_and_wait(
            demo_mapping, "idle", inactivity_timeout="PT3S", timeout=120, show_progress=False
        )
        assert short.expires_at is not None
        deadline = time.monotonic() + 20
        remaining = {short.id, idle.id}
        while remaining and time.monotonic() < deadline:
            listed = {i.id for i in client.instances.list(owner="analyst.expiry")}
            remaining &= listed
            time.sleep(0.2)
        assert remaining == set()
        assert _pids_of(short.id) == [] and _pids_of(idle.id) == []


def test_concurrency_limits_return_the_spec_details(demo_platform: PlatformProcess) -> None:
    username = f"analyst.limits.{uuid.uuid4().hex[:6]}"
    with _client(demo_platform, username) as client:
        mapping_id = client.mappings.create(name="limits", node_definitions=NODES[3:4]).id
        made = [client.instances.create_from_mapping(mapping_id, f"slot {n}") for n in range(6)]
        with pytest.raises(Exception) as caught:
            client.instances.create_from_mapping(mapping_id, "one too many")
        error: Any = caught.value
        assert error.code == "CONCURRENCY_LIMIT_EXCEEDED"
        assert error.details == {"limit_type": "per_analyst", "current_count": 6, "max_allowed": 6}
        assert client.instances.get_user_status().available_slots == 0
        for instance in made:
            client.instances.terminate(instance.id)
        assert client.instances.get_user_status().active_instances == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_queries_cannot_change_the_graph(
    running: dict[str, tuple[Instance, InstanceConnection]], engine: str
) -> None:
    _instance, connection = running[engine]
    with pytest.raises(QueryError, match="read-only: CREATE"):
        connection.query("CREATE (n:Customer {customer_id: 'intruder'})")
    with pytest.raises(QueryError, match="read-only: LOAD"):
        connection.query("LOAD FROM '/etc/passwd' RETURN *")
    assert (
        connection.query_scalar("MATCH (c:Customer {customer_id: 'intruder'}) RETURN count(c)") == 0
    )


def test_cpu_changes_reach_the_engine_and_are_recorded(
    running: dict[str, tuple[Instance, InstanceConnection]], demo_platform: PlatformProcess
) -> None:
    instance, connection = running["ladybug"]
    with _client(demo_platform) as client:
        updated = client.instances.update_cpu(instance.id, 3)
        assert updated.cpu_cores == 3
        events = client.instances.get_events(instance.id)
        assert events[0].event_type == "cpu_updated"
        assert events[0].details == {"old_cpu_cores": instance.cpu_cores, "new_cpu_cores": 3}
    assert connection.status()["threads"] == 3
    assert connection.query_scalar("MATCH (s:Supplier) RETURN count(s)") == 40


def test_unused_snapshots_and_expired_mappings_are_deleted(
    demo_platform: PlatformProcess,
) -> None:
    with _client(demo_platform, "analyst.cleanup") as client:
        mapping = client.mappings.create(
            name="short-lived",
            node_definitions=NODES[2:3],
            ttl="PT5S",
            inactivity_timeout="PT5S",
        )
        instance = client.instances.create_from_mapping_and_wait(
            mapping.id, "brief", timeout=120, show_progress=False
        )
        snapshot = client.snapshots.get(instance.snapshot_id or 0)
        files = demo_platform.data_dir / "snapshots" / str(snapshot.id)
        assert (files / "manifest.json").exists()
        client.instances.terminate(instance.id)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            left = client.mappings.list(owner="analyst.cleanup").total
            if left == 0:
                break
            time.sleep(0.2)
        assert left == 0
        assert client.snapshots.list(mapping_id=mapping.id).total == 0
        assert not files.exists()


def test_reconciliation_stops_orphan_wrappers(demo_platform: PlatformProcess) -> None:
    # A process that looks like a wrapper but whose instance does not exist (for example one
    # left behind by a crash while its row was deleted).
    import json
    import subprocess
    import sys

    work = demo_platform.data_dir / "instances" / "987654"
    work.mkdir(parents=True)
    orphan = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)", "graph_olap_platform.wrapper"],
        start_new_session=True,
    )
    (work / "wrapper.json").write_text(json.dumps({"pid": orphan.pid, "port": 1}))
    try:
        orphan.wait(timeout=15)
    except subprocess.TimeoutExpired:
        orphan.kill()
        pytest.fail("the orphan wrapper was not stopped by reconciliation")
    deadline = time.monotonic() + 5
    while work.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not work.exists()


def test_owners_delete_unused_snapshots_and_then_the_mapping(
    demo_platform: PlatformProcess,
) -> None:
    from graph_olap.exceptions import DependencyError

    with _client(demo_platform, "analyst.tidy") as client:
        mapping = client.mappings.create(name="tidy", node_definitions=NODES[2:3])
        instance = client.instances.create_from_mapping_and_wait(
            mapping.id, "tidy", timeout=120, show_progress=False
        )
        snapshot_id = instance.snapshot_id or 0
        with pytest.raises(DependencyError):
            client.snapshots.delete(snapshot_id)  # the running instance uses it
        with (
            GraphOLAPClient(demo_platform.url, username="someone.else", max_retries=0) as other,
            pytest.raises(PermissionDeniedError),
        ):
            other.snapshots.delete(snapshot_id)
        client.instances.terminate(instance.id)
        client.snapshots.delete(snapshot_id)
        assert not (demo_platform.data_dir / "snapshots" / str(snapshot_id)).exists()
        client.mappings.delete(mapping.id)
        assert client.mappings.list(owner="analyst.tidy").total == 0
