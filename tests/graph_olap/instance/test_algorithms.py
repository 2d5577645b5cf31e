"""``conn.algo`` and ``conn.networkx``: request bodies, waiting, cancelling, errors, wire models.

The server here is a stand-in (tests/graph_olap/instance/algorithms_standin.py, a small FastAPI
app written from docs/algorithms.md) served over real loopback HTTP, because the wrapper's
algorithm endpoints are being written in parallel. It computes nothing: each status read moves
an execution one phase on and then ends it as the test asks. These tests check the SDK's side of
the contract; tests/integration/test_algorithms.py runs the real wrapper and engines.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from graph_olap import (
    AlgorithmCancelledError,
    AlgorithmExecution,
    AlgorithmFailedError,
    AlgorithmManager,
    AlgorithmNotFoundError,
    AlgorithmTimeoutError,
    Config,
    ExecutionNotFoundError,
    InstanceConnection,
    LockStatus,
    NetworkXManager,
    ResourceLockedError,
    ValidationError,
)
from graph_olap.exceptions import error_from_response
from graph_olap.http import HTTPClient
from tests.graph_olap.helpers import error_body
from tests.graph_olap.instance.algorithms_standin import (
    NODES,
    STARTED,
    AlgoState,
    make_algorithms_app,
)
from tests.graph_olap.standins import serve

QUIET = {"show_progress": False}
T0 = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, AlgoState]]:
    state = AlgoState()
    with serve(make_algorithms_app(state)) as url:
        yield url, state


@pytest.fixture
def state(server: tuple[str, AlgoState]) -> AlgoState:
    state = server[1]
    state.requests.clear()
    state.executions.clear()
    state.reads.clear()
    state.lock = {"locked": False}
    state.outcome = "completed"
    state.polls_to_finish = 1
    state.legacy = ""
    state.async_shortest_path = False
    return state


@pytest.fixture
def conn(server: tuple[str, AlgoState], state: AlgoState) -> Iterator[InstanceConnection]:
    with InstanceConnection(server[0], 7, username="alice") as connection:
        yield connection


@pytest.fixture
def manager_with_sleep(
    server: tuple[str, AlgoState], state: AlgoState
) -> Iterator[Callable[[Callable[[float], None]], AlgorithmManager]]:
    """``AlgorithmManager`` over its own HTTP client, with a replaced ``sleep``."""
    clients: list[HTTPClient] = []

    def make(sleep: Callable[[float], None]) -> AlgorithmManager:
        http = HTTPClient(Config(api_url=server[0], username="alice"))
        clients.append(http)
        return AlgorithmManager(http, sleep=sleep)

    yield make
    for http in clients:
        http.close()


def the_start(state: AlgoState) -> tuple[str, Any]:
    [start] = state.starts()
    return start.path, start.body


def deletes(state: AlgoState) -> list[str]:
    return [seen.path for seen in state.sent("DELETE", "/algo/executions/")]


# -- wiring -------------------------------------------------------------------------------------


def test_managers_are_connection_properties(conn: InstanceConnection) -> None:
    assert isinstance(conn.algo, AlgorithmManager)
    assert isinstance(conn.networkx, NetworkXManager)
    assert conn.algo is conn.algo and conn.networkx is conn.networkx


# -- request bodies -----------------------------------------------------------------------------

PR_DEFAULTS = {"damping_factor": 0.85, "max_iterations": 100, "tolerance": 1e-6}
BASE = {"write_back": True, "timeout_ms": 300_000}

BODIES: list[tuple[str, Callable[[InstanceConnection], Any], str, dict[str, Any]]] = [
    (
        "run, everything named",
        lambda c: c.algo.run(
            "pagerank", "Person", "pr", edge_type="KNOWS", params={"damping_factor": 0.9}, **QUIET
        ),
        "/algo/pagerank",
        {
            "node_label": "Person",
            "edge_type": "KNOWS",
            "result_property": "pr",
            "parameters": {"damping_factor": 0.9},
            **BASE,
        },
    ),
    (
        "run, property defaults to the algorithm",
        lambda c: c.algo.run("pagerank", **QUIET),
        "/algo/pagerank",
        {"result_property": "pagerank", "parameters": {}, **BASE},
    ),
    (
        "run, lists, no write-back, timeout and weight",
        lambda c: c.algo.run(
            "pagerank",
            ["Person", "Company"],
            edge_type=("KNOWS", "WORKS_AT"),
            write_back=False,
            timeout=12.5,
            weight_property="weight",
            **QUIET,
        ),
        "/algo/pagerank",
        {
            "node_labels": ["Person", "Company"],
            "edge_types": ["KNOWS", "WORKS_AT"],
            "parameters": {},
            "write_back": False,
            "timeout_ms": 12_500,
            "weight_property": "weight",
        },
    ),
    (
        "pagerank defaults",
        lambda c: c.algo.pagerank(**QUIET),
        "/algo/pagerank",
        {"result_property": "pagerank", "parameters": PR_DEFAULTS, **BASE},
    ),
    (
        "pagerank named values, params override",
        lambda c: c.algo.pagerank(
            "Person",
            "pr",
            edge_type="KNOWS",
            damping=0.5,
            max_iterations=10,
            tolerance=1e-3,
            params={"tolerance": 1e-9},
            **QUIET,
        ),
        "/algo/pagerank",
        {
            "node_label": "Person",
            "edge_type": "KNOWS",
            "result_property": "pr",
            "parameters": {"damping_factor": 0.5, "max_iterations": 10, "tolerance": 1e-9},
            **BASE,
        },
    ),
    (
        "wcc",
        lambda c: c.algo.wcc("Person", **QUIET),
        "/algo/wcc",
        {"node_label": "Person", "result_property": "wcc", "parameters": {}, **BASE},
    ),
    (
        "connected_components is wcc",
        lambda c: c.algo.connected_components("Person", edge_type="KNOWS", **QUIET),
        "/algo/wcc",
        {
            "node_label": "Person",
            "edge_type": "KNOWS",
            "result_property": "wcc",
            "parameters": {},
            **BASE,
        },
    ),
    (
        "scc",
        lambda c: c.algo.scc(property_name="comp", **QUIET),
        "/algo/scc",
        {"result_property": "comp", "parameters": {}, **BASE},
    ),
    (
        "louvain",
        lambda c: c.algo.louvain(**QUIET),
        "/algo/louvain",
        {"result_property": "louvain", "parameters": {"resolution": 1.0}, **BASE},
    ),
    (
        "louvain resolution",
        lambda c: c.algo.louvain("Person", "community", resolution=0.5, timeout=60, **QUIET),
        "/algo/louvain",
        {
            "node_label": "Person",
            "result_property": "community",
            "parameters": {"resolution": 0.5},
            "write_back": True,
            "timeout_ms": 60_000,
        },
    ),
    (
        "label_propagation",
        lambda c: c.algo.label_propagation(**QUIET),
        "/algo/label_propagation",
        {"result_property": "label_propagation", "parameters": {"max_iterations": 100}, **BASE},
    ),
    (
        "kcore",
        lambda c: c.algo.kcore(**QUIET),
        "/algo/kcore",
        {"result_property": "kcore", "parameters": {}, **BASE},
    ),
    (
        "triangle_count",
        lambda c: c.algo.triangle_count(**QUIET),
        "/algo/triangle_count",
        {"result_property": "triangle_count", "parameters": {}, **BASE},
    ),
    (
        "betweenness",
        lambda c: c.algo.betweenness(weight_property="w", **QUIET),
        "/algo/betweenness",
        {"result_property": "betweenness", "parameters": {}, **BASE, "weight_property": "w"},
    ),
    (
        "degree",
        lambda c: c.algo.degree(**QUIET),
        "/algo/degree",
        {"result_property": "degree", "parameters": {}, **BASE},
    ),
    (
        "networkx run: undirected by default",
        lambda c: c.networkx.run(
            "closeness_centrality", "Person", "cc", edge_type="KNOWS", **QUIET
        ),
        "/networkx/closeness_centrality",
        {
            "node_label": "Person",
            "edge_type": "KNOWS",
            "result_property": "cc",
            "parameters": {},
            **BASE,
            "directed": False,
        },
    ),
    (
        "networkx run: directed, subgraph query, params",
        lambda c: c.networkx.run(
            "closeness_centrality",
            params={"wf_improved": False},
            directed=True,
            subgraph_query="MATCH (a)-[r]->(b) RETURN a, r, b",
            **QUIET,
        ),
        "/networkx/closeness_centrality",
        {
            "result_property": "closeness_centrality",
            "parameters": {"wf_improved": False},
            **BASE,
            "directed": True,
            "subgraph_query": "MATCH (a)-[r]->(b) RETURN a, r, b",
        },
    ),
    (
        "degree_centrality",
        lambda c: c.networkx.degree_centrality("Person", **QUIET),
        "/networkx/degree_centrality",
        {
            "node_label": "Person",
            "result_property": "degree_centrality",
            "parameters": {},
            **BASE,
            "directed": False,
        },
    ),
    (
        "betweenness_centrality defaults: k left out",
        lambda c: c.networkx.betweenness_centrality(**QUIET),
        "/networkx/betweenness_centrality",
        {
            "result_property": "betweenness_centrality",
            "parameters": {"normalized": True},
            **BASE,
            "directed": False,
        },
    ),
    (
        "betweenness_centrality sampled",
        lambda c: c.networkx.betweenness_centrality(normalized=False, k=10, directed=True, **QUIET),
        "/networkx/betweenness_centrality",
        {
            "result_property": "betweenness_centrality",
            "parameters": {"normalized": False, "k": 10},
            **BASE,
            "directed": True,
        },
    ),
    (
        "closeness_centrality",
        lambda c: c.networkx.closeness_centrality(**QUIET),
        "/networkx/closeness_centrality",
        {
            "result_property": "closeness_centrality",
            "parameters": {},
            **BASE,
            "directed": False,
        },
    ),
    (
        "eigenvector_centrality: max_iter and tol",
        lambda c: c.networkx.eigenvector_centrality(max_iterations=500, **QUIET),
        "/networkx/eigenvector_centrality",
        {
            "result_property": "eigenvector_centrality",
            "parameters": {"max_iter": 500, "tol": 1e-6},
            **BASE,
            "directed": False,
        },
    ),
    (
        "clustering_coefficient is nx.clustering",
        lambda c: c.networkx.clustering_coefficient("Person", **QUIET),
        "/networkx/clustering",
        {
            "node_label": "Person",
            "result_property": "clustering",
            "parameters": {},
            **BASE,
            "directed": False,
        },
    ),
]


@pytest.mark.parametrize(
    ("call", "path", "body"),
    [pytest.param(call, path, body, id=name) for name, call, path, body in BODIES],
)
def test_request_body(
    conn: InstanceConnection,
    state: AlgoState,
    call: Callable[[InstanceConnection], Any],
    path: str,
    body: dict[str, Any],
) -> None:
    execution = call(conn)

    assert the_start(state) == (path, body)
    assert isinstance(execution, AlgorithmExecution)
    assert execution.status == "completed"


def test_timeout_must_be_positive(conn: InstanceConnection, state: AlgoState) -> None:
    with pytest.raises(ValueError, match="seconds"):
        conn.algo.pagerank(timeout=0)
    assert state.requests == []


# -- waiting ------------------------------------------------------------------------------------


def test_wait_polls_to_completion_and_reports_each_state(
    conn: InstanceConnection, state: AlgoState
) -> None:
    state.polls_to_finish = 3
    seen: list[AlgorithmExecution] = []

    run = conn.algo.pagerank("Person", edge_type="KNOWS", on_progress=seen.append, **QUIET)

    assert [(e.status, (e.progress or {}).get("phase")) for e in seen] == [
        ("running", "extracting"),
        ("running", "computing"),
        ("running", "writing"),
        ("completed", None),
    ]
    assert seen[-1] is run
    assert len(state.sent("GET", f"/algo/status/{run.execution_id}")) == 3
    assert run.is_terminal
    assert run.nodes_updated == NODES
    assert run.property_name == "pagerank"
    assert run.summary == {"min": 0.1, "max": 0.5, "mean": pytest.approx(1 / NODES)}
    assert run.values is None
    assert run.node_labels == ["Person"] and run.edge_types == ["KNOWS"]
    assert not conn.get_lock().locked


def test_polling_starts_fast_and_backs_off_to_a_second(
    manager_with_sleep: Callable[[Callable[[float], None]], AlgorithmManager], state: AlgoState
) -> None:
    state.polls_to_finish = 9
    sleeps: list[float] = []

    run = manager_with_sleep(sleeps.append).wcc(**QUIET)

    assert run.status == "completed"
    # The first status read follows the start at once (it may be a long poll that sees the end);
    # this stand-in answers at once, so every later read waits, backing off.
    assert len(sleeps) == 8
    assert sleeps[:2] == pytest.approx([0.15, 0.225])
    assert sleeps == sorted(sleeps)
    assert sleeps[-1] == 1.0 and max(sleeps) == 1.0


def test_write_back_false_returns_values(conn: InstanceConnection, state: AlgoState) -> None:
    run = conn.networkx.degree_centrality("Person", property_name=None, write_back=False, **QUIET)

    assert "result_property" not in the_start(state)[1]
    assert run.values == {"Person_p1": 0.5, "Person_p2": 0.1, "Person_p3": 0.4}
    assert run.nodes_updated is None
    assert run.summary["max"] == 0.5


def test_wait_false_returns_the_running_execution(
    conn: InstanceConnection, state: AlgoState
) -> None:
    state.outcome = "hang"

    run = conn.networkx.run("closeness_centrality", "Person", wait=False)

    assert run.status == "running" and not run.is_terminal
    assert run.algorithm == "closeness_centrality" and run.algorithm_type == "networkx"
    assert state.sent("GET", "/algo/status/") == []
    assert conn.algo.status(run.execution_id).progress == {
        "phase": "computing",
        "message": "computing...",
    }
    assert conn.get_lock().execution_id == run.execution_id

    cancelled = conn.algo.cancel(run.execution_id)

    assert cancelled.status == "cancelled"
    assert deletes(state) == [f"/algo/executions/{run.execution_id}"]
    assert not conn.get_lock().locked
    with pytest.raises(ExecutionNotFoundError):
        conn.algo.cancel(run.execution_id)  # already finished


def test_progress_bar_shows_algorithm_and_phase(
    conn: InstanceConnection, state: AlgoState, capsys: pytest.CaptureFixture[str]
) -> None:
    state.polls_to_finish = 2

    conn.algo.louvain("Person", show_progress=True)

    err = capsys.readouterr().err
    assert "louvain: extracting" in err and "louvain: computing" in err
    assert "3/3" in err


# -- how a wait ends ----------------------------------------------------------------------------


def test_failed_run_raises_with_the_server_error(
    conn: InstanceConnection, state: AlgoState
) -> None:
    state.outcome = "failed"

    with pytest.raises(AlgorithmFailedError) as caught:
        conn.algo.pagerank("Person", weight_property="w", **QUIET)

    error = caught.value
    assert type(error) is AlgorithmFailedError
    assert "Weight property 'w' is not numeric" in str(error)
    assert "pagerank" in str(error) and "ALGORITHM_FAILED" in str(error)
    assert error.execution is not None and error.execution.status == "failed"
    assert error.execution.error_code == error.code == "ALGORITHM_FAILED"
    assert error.execution_id == error.execution.execution_id
    assert deletes(state) == []
    assert not conn.get_lock().locked
    # The attached execution survives pickling (errors cross process boundaries).
    assert pickle.loads(pickle.dumps(error)).execution == error.execution


def test_cancelled_run_raises(conn: InstanceConnection, state: AlgoState) -> None:
    state.outcome = "cancelled"

    with pytest.raises(AlgorithmCancelledError, match="was cancelled") as caught:
        conn.networkx.closeness_centrality(**QUIET)

    assert isinstance(caught.value, AlgorithmFailedError)
    assert caught.value.execution is not None
    assert caught.value.execution.status == "cancelled"
    assert "nothing was written" in str(caught.value)


def test_instance_side_timeout_is_a_timeout_error(
    conn: InstanceConnection, state: AlgoState
) -> None:
    state.outcome = "server_timeout"

    with pytest.raises(AlgorithmTimeoutError, match="went past its timeout") as caught:
        conn.algo.betweenness(**QUIET)

    assert caught.value.execution is not None
    assert caught.value.execution.error_code == "ALGORITHM_TIMEOUT"
    assert deletes(state) == []  # the instance stopped it itself


def test_sdk_timeout_cancels_the_run_on_the_instance(
    conn: InstanceConnection, state: AlgoState
) -> None:
    state.outcome = "hang"

    with pytest.raises(AlgorithmTimeoutError) as caught:
        conn.algo.pagerank("Person", timeout=0.4, **QUIET)

    error = caught.value
    assert the_start(state)[1]["timeout_ms"] == 400
    assert error.execution is not None
    ident = error.execution.execution_id
    assert error.execution_id == ident
    assert deletes(state) == [f"/algo/executions/{ident}"]
    assert state.executions[ident]["status"] == "cancelled"
    assert not conn.get_lock().locked
    message = str(error)
    assert "0.4 s" in message and ident in message
    assert "cancelled on the instance" in message and "timeout=" in message


def test_sdk_timeout_returns_a_run_that_finished_meanwhile(
    conn: InstanceConnection, state: AlgoState
) -> None:
    state.outcome = "finish_on_cancel"

    run = conn.algo.pagerank(timeout=0.3, **QUIET)

    assert run.status == "completed" and run.nodes_updated == NODES
    assert len(deletes(state)) == 1


def test_sdk_timeout_says_when_the_cancel_failed(
    conn: InstanceConnection, state: AlgoState
) -> None:
    state.outcome = "cancel_breaks"

    with pytest.raises(AlgorithmTimeoutError) as caught:
        conn.algo.pagerank(timeout=0.3, **QUIET)

    assert caught.value.execution is not None
    ident = caught.value.execution.execution_id
    assert "Cancelling it failed" in str(caught.value)
    assert f"conn.algo.cancel('{ident}')" in str(caught.value)


@pytest.mark.parametrize("manager", ["algo", "networkx"])
def test_ctrl_c_in_a_callback_cancels_the_run(
    conn: InstanceConnection, state: AlgoState, manager: str
) -> None:
    state.outcome = "hang"
    calls: list[AlgorithmExecution] = []

    def interrupt(execution: AlgorithmExecution) -> None:
        calls.append(execution)
        if len(calls) == 2:
            raise KeyboardInterrupt

    algorithms = conn.algo if manager == "algo" else conn.networkx
    with pytest.raises(KeyboardInterrupt):
        algorithms.run("pagerank" if manager == "algo" else "clustering", on_progress=interrupt)

    ident = calls[-1].execution_id
    assert deletes(state) == [f"/algo/executions/{ident}"]
    assert conn.algo.status(ident).status == "cancelled"
    assert not conn.get_lock().locked


def test_ctrl_c_while_sleeping_cancels_the_run(
    manager_with_sleep: Callable[[Callable[[float], None]], AlgorithmManager], state: AlgoState
) -> None:
    state.outcome = "hang"
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        manager_with_sleep(sleep).louvain(**QUIET)

    [ident] = state.executions
    assert deletes(state) == [f"/algo/executions/{ident}"]
    assert state.executions[ident]["status"] == "cancelled"
    assert not state.lock["locked"]


def test_ctrl_c_after_the_run_ended_re_raises_quietly(
    conn: InstanceConnection, state: AlgoState
) -> None:
    def interrupt(execution: AlgorithmExecution) -> None:
        if execution.is_terminal:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        conn.algo.degree(on_progress=interrupt, **QUIET)

    assert len(deletes(state)) == 1  # answered 404: it had completed


# -- errors at the start ------------------------------------------------------------------------


def test_locked_instance_raises_resource_locked(conn: InstanceConnection, state: AlgoState) -> None:
    state.outcome = "hang"
    first = conn.algo.louvain("Person", wait=False)

    with pytest.raises(ResourceLockedError) as caught:
        conn.algo.pagerank("Person", **QUIET)

    error = caught.value
    assert error.status_code == 409 and error.code == "RESOURCE_LOCKED"
    assert error.holder_name == "alice"
    assert error.holder_id == "u-alice"
    assert error.algorithm == "louvain"
    assert error.algorithm_type == "native"
    assert error.execution_id == first.execution_id
    assert error.acquired_at == T0
    assert "Instance locked by user alice running algorithm louvain" in str(error)
    assert "conn.get_lock()" in str(error)
    assert len(state.starts()) == 2 and state.sent("GET", "/algo/status/") == []
    conn.algo.cancel(first.execution_id)


def test_locked_instance_with_legacy_details(conn: InstanceConnection, state: AlgoState) -> None:
    state.lock = {
        "locked": True,
        "holder_id": "u-bob",
        "holder_username": "bob",
        "algorithm_name": "cdlp",
        "execution_id": "e-9",
        "acquired_at": STARTED,
    }

    with pytest.raises(ResourceLockedError) as caught:
        conn.networkx.degree_centrality(**QUIET)

    error = caught.value
    assert (error.holder_name, error.algorithm, error.execution_id) == ("bob", "cdlp", "e-9")
    assert error.acquired_at == T0


def test_unknown_algorithm(conn: InstanceConnection) -> None:
    with pytest.raises(AlgorithmNotFoundError, match="pagerank") as caught:
        conn.algo.run("page_rank_typo", "Person", **QUIET)
    assert caught.value.status_code == 404
    assert "conn.algo.algorithms()" in str(caught.value)

    with pytest.raises(AlgorithmNotFoundError):
        conn.networkx.run("no_such_function", **QUIET)
    with pytest.raises(AlgorithmNotFoundError):
        conn.networkx.algorithm_info("no_such_function")


def test_invalid_parameters_list_the_valid_ones(conn: InstanceConnection) -> None:
    with pytest.raises(ValidationError) as caught:
        conn.algo.run("pagerank", "Person", params={"dampening": 0.8}, **QUIET)

    error = caught.value
    assert error.status_code == 400 and error.code == "VALIDATION_FAILED"
    assert error.invalid_params == ["dampening"]
    assert error.valid_params == ["damping_factor", "max_iterations", "tolerance"]
    text = str(error)
    assert "invalid parameters: dampening" in text
    assert "valid parameters: damping_factor, max_iterations, tolerance" in text


def test_unknown_execution(conn: InstanceConnection) -> None:
    with pytest.raises(ExecutionNotFoundError):
        conn.algo.status("no-such-execution")
    with pytest.raises(ExecutionNotFoundError):
        conn.networkx.cancel("no-such-execution")


# -- catalogue, history, shortest path ----------------------------------------------------------


def test_native_catalogue(conn: InstanceConnection, state: AlgoState) -> None:
    names = [entry["name"] for entry in conn.algo.algorithms()]
    assert {"pagerank", "wcc", "louvain", "shortest_path"} <= set(names)

    community = conn.algo.algorithms(category="community")
    assert community and {entry["category"] for entry in community} == {"community"}
    assert state.requests[-1].path == "/algo/algorithms?category=community"

    info = conn.algo.algorithm_info("pagerank")
    assert [p["name"] for p in info["parameters"]] == [
        "damping_factor",
        "max_iterations",
        "tolerance",
    ]


def test_networkx_catalogue(conn: InstanceConnection, state: AlgoState) -> None:
    found = conn.networkx.algorithms(search="centrality")
    assert state.requests[-1].path == "/networkx/algorithms?search=centrality"
    assert {entry["name"] for entry in found} == {
        "degree_centrality",
        "betweenness_centrality",
        "closeness_centrality",
        "eigenvector_centrality",
    }
    assert conn.networkx.algorithms(category="cluster")[0]["name"] == "clustering"
    assert conn.networkx.categories() == ["centrality", "cluster", "distance_measures"]
    assert conn.networkx.algorithm_info("diameter")["returns"] == "scalar"


def test_execution_history(conn: InstanceConnection, state: AlgoState) -> None:
    first = conn.algo.wcc(**QUIET)
    second = conn.algo.scc(**QUIET)
    state.outcome = "failed"
    with pytest.raises(AlgorithmFailedError):
        conn.algo.kcore(**QUIET)

    latest = conn.algo.executions()
    assert [e.algorithm for e in latest] == ["kcore", "scc", "wcc"]
    assert all(isinstance(e, AlgorithmExecution) for e in latest)

    completed = conn.algo.executions(1, "completed")
    assert state.requests[-1].path == "/algo/executions?limit=1&status_filter=completed"
    assert [e.execution_id for e in completed] == [second.execution_id]
    assert first.execution_id != second.execution_id
    with pytest.raises(ValueError, match="limit"):
        conn.algo.executions(0)


def test_shortest_path_is_synchronous(conn: InstanceConnection, state: AlgoState) -> None:
    path = conn.algo.shortest_path("Person_p1", "Person_p3", node_label="Person")

    assert the_start(state) == (
        "/algo/shortest_path",
        {
            "node_label": "Person",
            "parameters": {"source_id": "Person_p1", "target_id": "Person_p3"},
            "write_back": False,
            "timeout_ms": 300_000,
            "directed": True,
        },
    )
    assert path["path"] == ["Person_p1", "Person_p2", "Person_p3"]
    assert path["hop_count"] == path["length"] == 2
    assert state.sent("GET", "/algo/status/") == []


def test_shortest_path_followed_when_run_as_an_execution(
    conn: InstanceConnection, state: AlgoState
) -> None:
    state.async_shortest_path = True

    path = conn.algo.shortest_path(
        "Person_p1", "Person_p3", edge_type="KNOWS", weight_property="w", directed=False
    )

    body = the_start(state)[1]
    assert body["edge_type"] == "KNOWS" and body["weight_property"] == "w"
    assert body["directed"] is False
    assert path["path"] == ["Person_p1", "Person_p2", "Person_p3"]
    assert path["hop_count"] == 2


# -- older wrappers' wire shapes ----------------------------------------------------------------


@pytest.mark.parametrize("legacy", ["falkordb", "ryugraph"])
def test_legacy_execution_shapes_end_to_end(
    conn: InstanceConnection, state: AlgoState, legacy: Any
) -> None:
    state.legacy = legacy
    state.polls_to_finish = 2

    run = conn.algo.pagerank("Person", "pr", **QUIET)

    assert run.algorithm == "pagerank" and run.status == "completed"
    assert run.nodes_updated == NODES
    assert run.property_name == "pr"
    assert run.duration_seconds == 0.25

    state.outcome = "failed"
    with pytest.raises(AlgorithmFailedError, match="is not numeric") as caught:
        conn.algo.pagerank("Person", "pr", **QUIET)
    assert caught.value.execution is not None
    assert caught.value.execution.error == "Weight property 'w' is not numeric"


# -- the wire models ----------------------------------------------------------------------------

DOCUMENTED: dict[str, Any] = {
    "execution_id": "e-1",
    "algorithm": "pagerank",
    "algorithm_type": "native",
    "status": "completed",
    "started_at": "2025-01-15T10:30:00Z",
    "completed_at": "2025-01-15T10:30:01.2Z",
    "duration_seconds": 1.2,
    "elapsed_seconds": 1.2,
    "user_name": "alice.smith",
    "node_labels": ["Customer"],
    "edge_types": ["KNOWS"],
    "result_property": "pagerank",
    "write_back": True,
    "parameters": {"damping_factor": 0.85},
    "progress": None,
    "result": {
        "type": "node_values",
        "property_name": "pagerank",
        "property_type": "DOUBLE",
        "nodes_updated": 2000,
        "summary": {"min": 0.1, "max": 0.9, "mean": 0.5},
    },
    "error": None,
    "error_code": None,
}


def test_execution_documented_shape() -> None:
    run = AlgorithmExecution.from_api_response(DOCUMENTED)

    assert run.started_at == T0
    assert run.nodes_updated == 2000 and run.property_name == "pagerank"
    assert run.summary == {"min": 0.1, "max": 0.9, "mean": 0.5}
    assert run.is_terminal and run.values is None
    assert run["algorithm"] == "pagerank"  # dict-style access, like the other models
    assert AlgorithmExecution.from_api_response(run.to_dict()) == run
    assert (
        repr(run)
        == "AlgorithmExecution(pagerank, completed, 2000 nodes -> 'pagerank', 1.20 s, id=e-1)"
    )
    assert str(run) == repr(run)


def test_execution_legacy_falkordb_keys() -> None:
    run = AlgorithmExecution.from_api_response(
        {
            "execution_id": "e-2",
            "algorithm_name": "betweenness",
            "algorithm_type": "native",
            "status": "completed",
            "started_at": "2025-01-15T10:30:00Z",
            "completed_at": "2025-01-15T10:30:02Z",
            "user_id": "u1",
            "user_name": "alice",
            "result_property": "btw",
            "write_back": True,
            "nodes_updated": 42,
            "elapsed_ms": 2000,
            "duration_ms": 1500,
            "error_message": None,
            "node_labels": ["Person"],
            "relationship_types": ["KNOWS"],
        }
    )

    assert run.algorithm == "betweenness"
    assert run.duration_seconds == 1.5 and run.elapsed_seconds == 2.0
    assert run.nodes_updated == 42 and run.property_name == "btw"
    assert run.result == {"nodes_updated": 42, "property_name": "btw"}
    assert run.edge_types == ["KNOWS"]


def test_execution_legacy_ryugraph_wrapper() -> None:
    running = AlgorithmExecution.from_api_response(
        {
            "data": {
                "execution_id": "e-3",
                "algorithm": "louvain",
                "status": "running",
                "lock_acquired": True,
                "started_at": "2025-01-15T10:30:00Z",
                "elapsed_seconds": 3.5,
            },
            "meta": {},
        }
    )
    failed = AlgorithmExecution.from_api_response(
        {
            "data": {
                "execution_id": "e-3",
                "algorithm": "louvain",
                "status": "failed",
                "started_at": "2025-01-15T10:30:00Z",
                "failed_at": "2025-01-15T10:30:04Z",
                "error": "out of memory",
                "node_label": "Person",
                "edge_type": "KNOWS",
            }
        }
    )

    assert running.status == "running" and not running.is_terminal
    assert running.elapsed_seconds == 3.5 and running.nodes_updated is None
    assert repr(running) == "AlgorithmExecution(louvain, running, 3.50 s, id=e-3)"
    assert failed.is_terminal and failed.error == "out of memory"
    assert failed.completed_at == datetime(2025, 1, 15, 10, 30, 4, tzinfo=UTC)
    assert failed.node_labels == ["Person"] and failed.edge_types == ["KNOWS"]
    assert "'out of memory'" in repr(failed)


def test_execution_status_values() -> None:
    for status, terminal in [
        ("pending", False),
        ("running", False),
        ("completed", True),
        ("failed", True),
        ("cancelled", True),
    ]:
        run = AlgorithmExecution.from_api_response(
            {"execution_id": "e", "algorithm": "a", "status": status}
        )
        assert run.is_terminal is terminal, status


LOCKED_AT = "2025-01-15T10:30:00Z"


@pytest.mark.parametrize(
    "raw",
    [
        # docs/algorithms.md: both vocabularies side by side.
        {
            "lock": {
                "locked": True,
                "holder_id": "u1",
                "holder_name": "alice",
                "holder_username": "alice",
                "algorithm": "pagerank",
                "algorithm_name": "pagerank",
                "algorithm_type": "native",
                "execution_id": "e-1",
                "acquired_at": LOCKED_AT,
                "duration_seconds": 2.5,
            }
        },
        # The spec's GET /lock of older wrappers.
        {
            "lock": {
                "locked": True,
                "holder_id": "u1",
                "holder_username": "alice",
                "algorithm_name": "pagerank",
                "execution_id": "e-1",
                "acquired_at": LOCKED_AT,
            }
        },
        # A Ryugraph 409's details: no "locked" key.
        {
            "holder_id": "u1",
            "holder_name": "alice",
            "algorithm": "pagerank",
            "locked_at": LOCKED_AT,
        },
        # The Ryugraph router's data envelope.
        {"data": {"lock": {"locked": True, "holder_name": "alice", "algorithm": "pagerank"}}},
    ],
)
def test_lock_status_shapes(raw: dict[str, Any]) -> None:
    lock = LockStatus.from_api_response(raw)

    assert lock.locked is True
    assert lock.holder_name == "alice" and lock.algorithm == "pagerank"
    if "lock" in raw:
        assert lock.execution_id == "e-1" and lock.acquired_at == T0
    if "data" not in raw:
        assert lock.acquired_at == T0


def test_lock_status_unlocked() -> None:
    for raw in ({"lock": {"locked": False}}, {"locked": False}, {"lock": None}, {}):
        lock = LockStatus.from_api_response(raw)
        assert lock.locked is False and lock.holder_name is None


def test_lock_status_documented_fields() -> None:
    lock = LockStatus.from_api_response(
        {"lock": {"locked": True, "algorithm_type": "networkx", "duration_seconds": 2.5}}
    )
    assert lock.algorithm_type == "networkx" and lock.duration_seconds == 2.5


def test_algorithm_errors_from_a_response_have_no_execution() -> None:
    # Codes map in tests/graph_olap/test_exceptions.py; here: the execution id still shows.
    failed = error_from_response(500, error_body("ALGORITHM_FAILED", "boom", {"execution_id": "x"}))

    assert isinstance(failed, AlgorithmFailedError)
    assert failed.execution is None and failed.execution_id == "x"


@pytest.mark.parametrize(
    ("status", "phase", "steps"),
    [("completed", "writing", 3), ("cancelled", "computing", 1), ("failed", "writing", 2)],
)
def test_progress_of_an_ended_run_shows_the_step_it_reached(
    status: str, phase: str, steps: int
) -> None:
    from graph_olap._progress import ProgressReporter
    from graph_olap.instance.algorithms import _show

    seen: list[tuple[str, int, int]] = []
    execution = AlgorithmExecution.from_api_response(
        {
            "execution_id": "e1",
            "algorithm": "pagerank",
            "status": status,
            "progress": {"phase": phase, "message": "..."},
        }
    )
    with ProgressReporter(lambda *state: seen.append(state), False) as reporter:
        _show(reporter, execution)
    assert seen == [(phase, steps, 3)]
