"""Algorithms over HTTP on real wrapper processes (LadybugDB, FalkorDB), checked with NetworkX.

The wrappers run managed by the fake control plane, so callers are real users: alice owns the
instance, ops.user is a colleague who may run algorithms too, bob.jones may not. They load their
own small snapshot (algorithm runs add properties, which the shared wrappers of the other tests
must not see) and are shared by the whole module.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import networkx as nx
import pytest

from tests.graph_olap_platform.wrapper.fake_control_plane import INTERNAL_KEY, FakeControlPlane
from tests.graph_olap_platform.wrapper.process import WrapperProcess
from tests.graph_olap_platform.wrapper.snapshot import MAPPING, Snapshot, write_snapshot

ENGINES = ["ladybug", "falkordb"]
ALICE = {"Authorization": "Bearer alice-key"}
OPS = {"Authorization": "Bearer ops-key"}
BOB = {"Authorization": "Bearer bob-key"}
REL = 1e-4
SLOW = "average_node_connectivity"  # pure-Python max-flows over every pair: minutes


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return write_snapshot(tmp_path_factory.mktemp("algorithm-snapshot") / "9", views=5_000)


@pytest.fixture(scope="module")
def fake(snapshot: Snapshot) -> Iterator[FakeControlPlane]:
    control_plane = FakeControlPlane(mapping={**MAPPING, "snapshot_path": str(snapshot.path)})
    yield control_plane.start()
    control_plane.stop()


@pytest.fixture(scope="module")
def servers(
    fake: FakeControlPlane, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, WrapperProcess]]:
    processes = {
        engine: WrapperProcess(
            engine,
            tmp_path_factory.mktemp(f"algorithms-{engine}"),
            env_extra={
                "GRAPH_OLAP_WRAPPER_CONTROL_PLANE_URL": fake.url,
                "GRAPH_OLAP_WRAPPER_INTERNAL_API_KEY": INTERNAL_KEY,
                "GRAPH_OLAP_WRAPPER_INSTANCE_ID": "21",
                "GRAPH_OLAP_WRAPPER_URL_SLUG": "slug-21",
                "GRAPH_OLAP_WRAPPER_METRICS_INTERVAL_SECONDS": "0",
                "GRAPH_OLAP_WRAPPER_ACTIVITY_MIN_INTERVAL_SECONDS": "0",
            },
        )
        for engine in ENGINES
    }
    try:
        for process in processes.values():
            process.start(wait=False)
        for process in processes.values():
            process.wait_ready()
        yield processes
    finally:
        for process in processes.values():
            process.stop()


@pytest.fixture(params=ENGINES)
def server(request: pytest.FixtureRequest, servers: dict[str, WrapperProcess]) -> WrapperProcess:
    return servers[request.param]


@pytest.fixture
def ladybug(servers: dict[str, WrapperProcess]) -> WrapperProcess:
    return servers["ladybug"]


# -- helpers ---------------------------------------------------------------------------------------


def call(
    server: WrapperProcess, method: str, path: str, user: dict[str, str] = ALICE, **kw: Any
) -> httpx.Response:
    with server.http(headers=user) as client:
        return client.request(method, path, **kw)


def start(
    server: WrapperProcess, path: str, body: dict[str, Any], user: dict[str, str] = ALICE
) -> dict[str, Any]:
    response = call(server, "POST", path, user, json=body)
    assert response.status_code == 202, response.text
    execution: dict[str, Any] = response.json()
    assert execution["status"] == "running"
    return execution


def finished(server: WrapperProcess, execution_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = call(server, "GET", f"/algo/status/{execution_id}").json()
        if body["status"] in ("completed", "failed", "cancelled"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"execution {execution_id} did not finish")


def run(server: WrapperProcess, name: str, body: dict[str, Any], kind: str = "algo") -> Any:
    execution = finished(server, start(server, f"/{kind}/{name}", body)["execution_id"])
    assert execution["status"] == "completed", execution
    return execution


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


def rows(server: WrapperProcess, cypher: str) -> list[list[Any]]:
    response = call(server, "POST", "/query", json={"query": cypher})
    assert response.status_code == 200, response.text
    result: list[list[Any]] = response.json()["rows"]
    return result


def written(server: WrapperProcess, label: str, key: str, prop: str) -> dict[str, Any]:
    return {
        f"{label}_{k}": v for k, v in rows(server, f"MATCH (n:{label}) RETURN n.{key}, n.{prop}")
    }


def lock(server: WrapperProcess, user: dict[str, str] = ALICE) -> dict[str, Any]:
    body: dict[str, Any] = call(server, "GET", "/lock", user).json()["lock"]
    return body


def schema_properties(server: WrapperProcess) -> dict[str, Any]:
    result: dict[str, Any] = call(server, "GET", "/schema").json()["algorithm_properties"]
    return result


def reference(snapshot: Snapshot, *types: str) -> nx.MultiDiGraph:
    """The snapshot's graph of ``types`` (and their endpoint labels), keyed by ``_id``."""
    graph = nx.MultiDiGraph()
    labels = {"Customer": "customer_id", "Product": "product_id"}
    ends = {"KNOWS": ("src", "dst", "Customer", "Customer")}
    used = {"Customer"} | ({"Product"} if set(types) - {"KNOWS"} else set())
    for label in used:
        graph.add_nodes_from(
            f"{label}_{k}" for k in snapshot.tables[label][labels[label]].to_pylist()
        )
    for rel in types:
        src, dst, a, b = ends.get(rel, ("customer_id", "product_id", "Customer", "Product"))
        table = snapshot.tables[rel]
        graph.add_edges_from(
            (f"{a}_{s}", f"{b}_{d}")
            for s, d in zip(table[src].to_pylist(), table[dst].to_pylist(), strict=True)
        )
    return graph


def assert_close(actual: dict[str, Any], expected: dict[str, float]) -> None:
    assert actual.keys() == expected.keys()
    worst = max(abs(actual[n] - v) / max(abs(v), 1e-12) for n, v in expected.items())
    assert worst < REL, worst


def partition(values: dict[str, Any]) -> set[frozenset[str]]:
    groups: dict[Any, set[str]] = {}
    for node, group in values.items():
        groups.setdefault(group, set()).add(node)
    return {frozenset(g) for g in groups.values()}


# -- tests -----------------------------------------------------------------------------------------


def test_catalogues(ladybug: WrapperProcess) -> None:
    native = call(ladybug, "GET", "/algo/algorithms").json()
    assert native["total"] == len(native["algorithms"]) == 10
    assert "centrality" in native["categories"]
    community = call(ladybug, "GET", "/algo/algorithms", params={"category": "community"}).json()
    assert {a["name"] for a in community["algorithms"]} == {
        "wcc", "scc", "louvain", "label_propagation"
    }  # fmt: skip
    alias = call(ladybug, "GET", "/algo/algorithms/connected_components").json()
    assert alias["name"] == "wcc" and alias["returns"] == "communities"
    missing = error_of(call(ladybug, "GET", "/algo/algorithms/nope"), 404, "ALGORITHM_NOT_FOUND")
    assert "pagerank" in missing["message"]
    found = call(ladybug, "GET", "/networkx/algorithms", params={"search": "closeness"}).json()
    assert "closeness_centrality" in {a["name"] for a in found["algorithms"]}
    info = call(ladybug, "GET", "/networkx/algorithms/closeness_centrality").json()
    assert info["networkx_function"].endswith("closeness_centrality")
    assert info["extracted_from"]["networkx_version"] == nx.__version__
    error_of(call(ladybug, "GET", "/networkx/algorithms/nope"), 404, "ALGORITHM_NOT_FOUND")
    error_of(call(ladybug, "GET", "/algo/algorithms", BOB), 403, "PERMISSION_DENIED")


def test_pagerank_is_written_back_and_queryable(server: WrapperProcess, snapshot: Snapshot) -> None:
    execution = start(
        server,
        "/algo/pagerank",
        {"node_label": "Customer", "edge_type": "KNOWS", "result_property": "pr",
         "parameters": {"damping_factor": 0.85}},
    )  # fmt: skip
    assert execution["algorithm"] == "pagerank" and execution["user_name"] == "alice.smith"
    assert execution["node_labels"] == ["Customer"] and execution["edge_types"] == ["KNOWS"]
    done = finished(server, execution["execution_id"])
    assert done["status"] == "completed", done
    result = done["result"]
    assert result["property_name"] == "pr" and result["property_type"] == "DOUBLE"
    assert result["nodes_updated"] == 300 and result["summary"]["converged"] is True
    expected = nx.pagerank(reference(snapshot, "KNOWS"), alpha=0.85, max_iter=100, tol=1e-6)
    assert_close(written(server, "Customer", "customer_id", "pr"), expected)
    assert result["summary"]["max"] == pytest.approx(max(expected.values()), rel=REL)
    assert schema_properties(server)["Customer"]["pr"] == "DOUBLE"
    tables = {t["label"]: t for t in call(server, "GET", "/schema").json()["node_tables"]}
    assert tables["Customer"]["algorithm_properties"]["pr"] == "DOUBLE"
    assert "pr" not in tables["Customer"]["properties"]
    assert lock(server) == {"locked": False}


def test_communities_and_degrees_on_two_labels(server: WrapperProcess, snapshot: Snapshot) -> None:
    graph = reference(snapshot, "PURCHASED")
    run(server, "connected_components", {"edge_type": "PURCHASED", "result_property": "wcc"})
    components = written(server, "Customer", "customer_id", "wcc") | written(
        server, "Product", "product_id", "wcc"
    )
    assert partition(components) == {frozenset(c) for c in nx.weakly_connected_components(graph)}
    assert set(components.values()) == set(range(len(set(components.values()))))

    degree = run(server, "degree", {"edge_type": "PURCHASED", "result_property": "deg"})
    assert degree["result"]["property_type"] == "INT64"
    degrees = written(server, "Customer", "customer_id", "deg") | written(
        server, "Product", "product_id", "deg"
    )
    assert degrees == dict(graph.degree())

    louvain = run(server, "louvain", {"node_label": "Customer", "result_property": "community"})
    simple = nx.Graph(reference(snapshot, "KNOWS").to_undirected())
    ours = nx.community.modularity(simple, partition(written(server, "Customer", "customer_id",
                                                             "community")))  # fmt: skip
    theirs = nx.community.modularity(simple, nx.community.louvain_communities(simple, seed=7))
    assert ours >= 0.95 * theirs
    assert louvain["result"]["summary"]["community_count"] >= 2
    assert louvain["result"]["summary"]["modularity"] == pytest.approx(ours, rel=0.05)


def test_values_come_back_without_write_back(server: WrapperProcess, snapshot: Snapshot) -> None:
    before = schema_properties(server)
    execution = run(server, "triangle_count", {"node_label": "Customer", "write_back": False})
    result = execution["result"]
    simple = nx.Graph(reference(snapshot, "KNOWS").to_undirected())
    simple.remove_edges_from(nx.selfloop_edges(simple))
    assert result["values"] == nx.triangles(simple) and result["values_truncated"] is False
    assert "property_name" not in result and schema_properties(server) == before


def test_shortest_path_answers_at_once(server: WrapperProcess, snapshot: Snapshot) -> None:
    graph = reference(snapshot, "KNOWS")
    source = "Customer_C0001"
    lengths = nx.single_source_shortest_path_length(graph, source)
    target = max(lengths, key=lambda node: (lengths[node], node))
    response = call(
        server, "POST", "/algo/shortest_path",
        json={"node_label": "Customer", "parameters": {"source_id": source,
              "target_id": target.removeprefix("Customer_")}, "write_back": False},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    path = response.json()
    assert path["found"] is True and path["hop_count"] == lengths[target]
    assert path["path"][0] == source and path["path"][-1] == target
    assert nx.is_path(graph, path["path"])
    unknown = call(
        server, "POST", "/algo/shortest_path",
        json={"source_id": "Customer_C9999", "target_id": source},
    )  # fmt: skip
    assert "C9999" in error_of(unknown, 400, "VALIDATION_FAILED")["message"]
    assert lock(server) == {"locked": False}


def test_the_lock_blocks_other_runs_but_not_queries(server: WrapperProcess) -> None:
    slow = start(server, f"/networkx/{SLOW}", {"node_label": "Customer"})
    holder = lock(server, OPS)
    assert holder["locked"] is True and holder["holder_name"] == "alice.smith"
    assert holder["algorithm"] == holder["algorithm_name"] == SLOW
    assert holder["algorithm_type"] == "networkx"
    assert holder["execution_id"] == slow["execution_id"]
    assert (
        call(server, "GET", "/status", OPS).json()["lock"]["execution_id"] == slow["execution_id"]
    )

    body = {"node_label": "Customer", "result_property": "p2"}
    refused = call(server, "POST", "/algo/pagerank", OPS, json=body)
    error = error_of(refused, 409, "RESOURCE_LOCKED")
    assert error["message"].startswith(
        f"Instance locked by user alice.smith running algorithm {SLOW} since "
    )
    details = error["details"]
    assert details["holder_name"] == details["holder_username"] == "alice.smith"
    assert details["algorithm"] == SLOW and details["execution_id"] == slow["execution_id"]
    assert details["acquired_at"] == slow["started_at"]

    started = time.monotonic()
    for user in (OPS, ALICE):  # queries from either client are never blocked
        with server.http(headers=user) as client:
            answer = client.post("/query", json={"query": "MATCH (c:Customer) RETURN count(c)"})
        assert answer.json()["rows"] == [[300]]
    assert time.monotonic() - started < 3

    running = call(server, "GET", "/algo/executions", params={"status_filter": "running"}).json()
    assert [e["execution_id"] for e in running["executions"]] == [slow["execution_id"]]

    cancelled = call(server, "DELETE", f"/algo/executions/{slow['execution_id']}", OPS)
    assert cancelled.json() == {"status": "cancelled", "execution_id": slow["execution_id"]}
    assert lock(server) == {"locked": False}
    status = call(server, "GET", f"/algo/status/{slow['execution_id']}").json()
    assert status["status"] == "cancelled" and status["completed_at"] is not None
    again = call(server, "DELETE", f"/algo/executions/{slow['execution_id']}")
    error_of(again, 404, "EXECUTION_NOT_FOUND")
    # The lock is free for the colleague at once.
    assert run(server, "degree", {"node_label": "Customer", "write_back": False})["status"] == (
        "completed"
    )


def test_status_long_poll_answers_when_the_run_ends(ladybug: WrapperProcess) -> None:
    slow = start(ladybug, f"/networkx/{SLOW}", {"node_label": "Customer"})
    path = f"/algo/status/{slow['execution_id']}"
    started = time.monotonic()
    held = call(ladybug, "GET", path, params={"wait_ms": 300}).json()
    assert held["status"] == "running"
    assert 0.3 <= time.monotonic() - started < 2  # held for wait_ms while it runs

    def cancel_soon() -> None:
        time.sleep(0.3)
        call(ladybug, "DELETE", f"/algo/executions/{slow['execution_id']}")

    canceller = threading.Thread(target=cancel_soon)
    canceller.start()
    started = time.monotonic()
    ended = call(ladybug, "GET", path, params={"wait_ms": 10_000}).json()
    canceller.join()
    assert ended["status"] == "cancelled"
    assert time.monotonic() - started < 3  # answered when the run ended, not after 10 s
    error_of(call(ladybug, "GET", path, params={"wait_ms": 60_000}), 400, "VALIDATION_FAILED")


def test_timeouts_and_failures_release_the_lock(ladybug: WrapperProcess) -> None:
    timed = start(ladybug, f"/networkx/{SLOW}", {"node_label": "Customer", "timeout_ms": 1000})
    done = finished(ladybug, timed["execution_id"], timeout=10)
    assert done["status"] == "failed" and done["error_code"] == "ALGORITHM_TIMEOUT"
    assert 1.0 <= done["duration_seconds"] < 3 and lock(ladybug) == {"locked": False}

    failing = start(
        ladybug, "/networkx/find_cycle", {"node_label": "Product", "edge_type": "PURCHASED"}
    )
    done = finished(ladybug, failing["execution_id"])
    assert done["status"] == "failed" and done["error_code"] == "ALGORITHM_FAILED"
    assert "cycle" in done["error"] and lock(ladybug) == {"locked": False}


def test_networkx_runs_write_back_like_native_ones(
    ladybug: WrapperProcess, snapshot: Snapshot
) -> None:
    execution = run(
        ladybug, "closeness_centrality",
        {"node_label": "Customer", "edge_type": "KNOWS", "result_property": "closeness",
         "directed": True},
        kind="networkx",
    )  # fmt: skip
    assert execution["algorithm_type"] == "networkx" and execution["result"]["nodes_updated"] == 300
    expected = nx.closeness_centrality(nx.DiGraph(reference(snapshot, "KNOWS")))
    assert_close(written(ladybug, "Customer", "customer_id", "closeness"), expected)
    assert schema_properties(ladybug)["Customer"]["closeness"] == "DOUBLE"


def test_bad_input_is_refused_and_writes_nothing(ladybug: WrapperProcess) -> None:
    names = rows(ladybug, "MATCH (c:Customer) RETURN c.name ORDER BY c.customer_id")
    before = schema_properties(ladybug)
    body = {"node_label": "Customer", "result_property": "x"}

    def post(path: str, extra: dict[str, Any], user: dict[str, str] = ALICE) -> httpx.Response:
        return call(ladybug, "POST", path, user, json={**body, **extra})

    missing = error_of(post("/algo/page_rank_typo", {}), 404, "ALGORITHM_NOT_FOUND")
    assert "pagerank" in missing["message"]
    error_of(post("/networkx/no_such_function", {}), 404, "ALGORITHM_NOT_FOUND")
    unknown = error_of(post("/algo/pagerank", {"parameters": {"dampening": 0.8}}), 400,
                       "VALIDATION_FAILED")  # fmt: skip
    assert unknown["details"]["invalid_params"] == ["dampening"]
    assert "damping_factor" in unknown["details"]["valid_params"]
    assert "damping_factor" in unknown["message"]
    wrong = error_of(post("/algo/pagerank", {"parameters": {"damping_factor": "high"}}), 400,
                     "VALIDATION_FAILED")  # fmt: skip
    assert wrong["details"]["invalid_params"] == ["damping_factor"]
    label = error_of(post("/algo/pagerank", {"node_label": "Persn"}), 400, "VALIDATION_FAILED")
    assert "Persn" in label["message"] and label["details"]["valid"] == ["Customer", "Product"]
    weight = error_of(
        post("/algo/pagerank", {"edge_type": "KNOWS", "weight_property": "no_such_property"}),
        400, "VALIDATION_FAILED",
    )  # fmt: skip
    assert "weight_property" in weight["message"] and weight["details"]["valid"] == ["since"]
    taken = error_of(post("/algo/pagerank", {"result_property": "name"}), 400, "VALIDATION_FAILED")
    assert "'name'" in taken["message"]
    error_of(post("/networkx/closeness_centrality", {"parameters": {"bogus": 1}}), 400,
             "VALIDATION_FAILED")  # fmt: skip
    error_of(
        call(ladybug, "POST", "/algo/pagerank", content=b"{not json"), 400, "VALIDATION_FAILED"
    )
    error_of(post("/algo/pagerank", {}, BOB), 403, "PERMISSION_DENIED")
    error_of(call(ladybug, "GET", "/algo/status/nope"), 404, "EXECUTION_NOT_FOUND")
    error_of(call(ladybug, "DELETE", "/algo/executions/nope"), 404, "EXECUTION_NOT_FOUND")
    error_of(call(ladybug, "GET", "/algo/executions", params={"status_filter": "odd"}), 400,
             "VALIDATION_FAILED")  # fmt: skip

    assert rows(ladybug, "MATCH (c:Customer) RETURN c.name ORDER BY c.customer_id") == names
    assert schema_properties(ladybug) == before and lock(ladybug) == {"locked": False}


def test_executions_are_listed_newest_first(ladybug: WrapperProcess) -> None:
    first = run(ladybug, "scc", {"node_label": "Customer", "result_property": "scc"})
    second = run(ladybug, "kcore", {"node_label": "Customer", "result_property": "core"})
    listed = call(ladybug, "GET", "/algo/executions", params={"limit": 2}).json()
    assert [e["execution_id"] for e in listed["executions"]] == [
        second["execution_id"], first["execution_id"]
    ]  # fmt: skip
    assert listed["total_count"] >= 2
    done = call(ladybug, "GET", "/algo/executions", params={"status_filter": "completed"}).json()
    assert all(e["status"] == "completed" for e in done["executions"])


def test_starts_report_activity(ladybug: WrapperProcess, fake: FakeControlPlane) -> None:
    before = len(fake.of("POST", "/instances/21/activity"))
    execution = start(ladybug, "/algo/wcc", {"node_label": "Customer", "write_back": False})
    assert finished(ladybug, execution["execution_id"])["status"] == "completed"
    deadline = time.monotonic() + 5
    while len(fake.of("POST", "/instances/21/activity")) == before:
        assert time.monotonic() < deadline, "no activity reported"
        time.sleep(0.05)
