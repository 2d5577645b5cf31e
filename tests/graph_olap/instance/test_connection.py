"""``InstanceConnection``: how it shapes requests to a wrapper and reads its answers.

These tests run against a stand-in wrapper (tests/graph_olap/instance/wrapper_standin.py, a small
FastAPI app written from docs/instances.md) served over real loopback HTTP. They are stand-ins
until the lead's integration tests against the real wrapper and engines exist; they check the
SDK's side of the contract: query body, timeout conversion, Arrow decoding, error mapping,
credentials and retries.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from graph_olap import (
    APIConnectionError,
    AuthenticationError,
    Config,
    GraphSchema,
    InstanceConnection,
    LockStatus,
    PermissionDeniedError,
    QueryError,
    QueryResult,
    QueryTimeoutError,
    RyugraphError,
    ServiceUnavailableError,
)
from tests.graph_olap.instance.wrapper_standin import (
    ARROW,
    OTHER_KEY,
    OWNER_KEY,
    WrapperState,
    make_wrapper_app,
)
from tests.graph_olap.standins import serve
from tests.support.net import free_port


@pytest.fixture(scope="module")
def wrapper() -> Iterator[tuple[str, WrapperState]]:
    state = WrapperState()
    with serve(make_wrapper_app(state)) as url:
        yield url, state


@pytest.fixture
def state(wrapper: tuple[str, WrapperState]) -> Iterator[WrapperState]:
    state = wrapper[1]
    state.requests.clear()
    state.lock = {"locked": False}
    state.arrow_supported = True
    state.wrap_in_data = False
    yield state


@pytest.fixture
def conn(wrapper: tuple[str, WrapperState], state: WrapperState) -> Iterator[InstanceConnection]:
    with InstanceConnection(wrapper[0], 7, api_key=OWNER_KEY, name="demo") as connection:
        yield connection


# -- queries ------------------------------------------------------------------------------


def test_query_sends_text_and_returns_result(conn: InstanceConnection, state: WrapperState) -> None:
    result = conn.query("RETURN 1 AS one")

    assert isinstance(result, QueryResult)
    assert result.columns == ["one"]
    assert result.column_types == ["INT64"]
    assert result.rows == [[1]]
    assert result.row_count == 1
    assert result.execution_time_ms == 1.5
    assert result.truncated is False
    [sent] = state.queries()
    query_id = sent.body.pop("query_id")  # a fresh id per query names it for a cancel
    assert isinstance(query_id, str) and len(query_id) == 24
    assert sent.body == {"query": "RETURN 1 AS one"}  # no timeout_ms: the instance's default
    assert sent.headers["authorization"] == f"Bearer {OWNER_KEY}"
    assert sent.headers["accept"] == "application/json"


def test_query_timeout_seconds_become_timeout_ms(
    conn: InstanceConnection, state: WrapperState
) -> None:
    conn.query("RETURN 1 AS one", timeout=2.5)
    conn.query("RETURN 1 AS one", timeout=1800)

    assert [q.body["timeout_ms"] for q in state.queries()] == [2500, 1_800_000]


@pytest.mark.parametrize("timeout", [0, 0.5, -1, 1800.5])
def test_query_timeout_out_of_range_is_refused_before_sending(
    conn: InstanceConnection, state: WrapperState, timeout: float
) -> None:
    with pytest.raises(ValueError, match="timeout is in seconds, from 1 to 1800"):
        conn.query("RETURN 1 AS one", timeout=timeout)
    assert state.queries() == []


def test_query_parameters_are_sent_json_ready(
    conn: InstanceConnection, state: WrapperState
) -> None:
    parameters = {
        "name": "Alice",
        "n": 3,
        "day": date(2025, 1, 15),
        "at": datetime(2025, 1, 15, 10, 30, tzinfo=UTC),
        "ids": ["a", "b"],
    }

    result = conn.query("ECHO", parameters, coerce_types=False)

    sent = state.queries()[0].body["parameters"]
    assert sent == {
        "name": "Alice",
        "n": 3,
        "day": "2025-01-15",
        "at": "2025-01-15T10:30:00Z",
        "ids": ["a", "b"],
    }
    assert result.scalar() == sent


def test_empty_parameters_are_not_sent(conn: InstanceConnection, state: WrapperState) -> None:
    conn.query("RETURN 1 AS one", {})

    assert "parameters" not in state.queries()[0].body


def test_max_rows_is_sent_and_truncation_reported(
    conn: InstanceConnection, state: WrapperState
) -> None:
    result = conn.query("PEOPLE", max_rows=2)

    assert state.queries()[0].body["max_rows"] == 2
    assert result.truncated is True
    assert len(result) == 2
    assert "truncated=True" in repr(result)


def test_query_rejects_empty_text_and_bad_max_rows(
    conn: InstanceConnection, state: WrapperState
) -> None:
    with pytest.raises(ValueError, match="Cypher"):
        conn.query("   ")
    with pytest.raises(ValueError, match="max_rows"):
        conn.query("RETURN 1 AS one", max_rows=0)
    assert state.queries() == []


def test_query_values_are_coerced(conn: InstanceConnection) -> None:
    row = conn.query("TYPES").first()

    assert row is not None
    assert row["d"] == date(2025, 1, 15)
    assert row["ts"] == datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
    assert row["iv"] == timedelta(days=1, hours=2)
    assert row["blob"] == b"hello"
    assert row["dates"] == [date(2025, 1, 1), None]
    assert row["person"]["born"] == date(1990, 4, 1)
    assert row["knows"]["since"] == datetime(2020, 1, 15, 8, 0, tzinfo=UTC)
    assert [item["_id"] for item in row["path"]] == ["Person_p1", "KNOWS_0", "Person_p2"]


def test_coerce_types_false_keeps_wire_values(conn: InstanceConnection) -> None:
    row = conn.query("TYPES", coerce_types=False).first()

    assert row is not None
    assert row["d"] == "2025-01-15"
    assert row["blob"] == "aGVsbG8="
    assert row["person"]["born"] == "1990-04-01"


def test_query_scalar_and_query_one(conn: InstanceConnection, state: WrapperState) -> None:
    assert conn.query_scalar("RETURN 1 AS one") == 1
    assert conn.query_scalar("EMPTY") is None
    assert conn.query_one("PEOPLE") == {"name": "Alice", "age": 34, "born": date(1990, 4, 1)}
    assert conn.query_one("EMPTY") is None
    # query_one only needs one row, so it asks the instance for no more.
    assert [q.body.get("max_rows") for q in state.queries()] == [None, None, 1, 1]


def test_query_scalar_refuses_several_rows(conn: InstanceConnection) -> None:
    with pytest.raises(ValueError, match="exactly one column"):
        conn.query_scalar("PEOPLE")


def test_a_data_envelope_is_tolerated(conn: InstanceConnection, state: WrapperState) -> None:
    state.wrap_in_data = True

    assert conn.query_scalar("RETURN 1 AS one") == 1
    assert conn.get_schema().total_nodes == 3
    assert conn.status()["engine"] == "ladybug"


# -- DataFrames over Arrow ----------------------------------------------------------------


def test_query_df_reads_arrow_into_pandas(conn: InstanceConnection, state: WrapperState) -> None:
    frame = conn.query_df("PEOPLE", {"min": 1}, timeout=5)

    [sent] = state.queries()
    assert sent.headers["accept"] == ARROW
    assert sent.body.pop("query_id")
    assert sent.body == {"query": "PEOPLE", "parameters": {"min": 1}, "timeout_ms": 5000}
    assert type(frame).__module__.startswith("pandas")
    assert list(frame.columns) == ["name", "age", "born"]
    assert frame["name"].tolist() == ["Alice", "Bob", "Carol"]
    assert frame["age"].iloc[0] == 34
    assert frame["born"].iloc[1] == date(1985, 12, 24)


def test_query_df_polars_backend(conn: InstanceConnection) -> None:
    import polars as pl

    frame = conn.query_df("PEOPLE", backend="polars")

    assert isinstance(frame, pl.DataFrame)
    assert frame.schema["age"] == pl.Int64
    assert frame.schema["born"] == pl.Date
    assert frame["name"].to_list() == ["Alice", "Bob", "Carol"]


def test_query_df_nodes_arrive_as_json_text(conn: InstanceConnection) -> None:
    frame = conn.query_df("TYPES", backend="polars")

    assert frame["person"][0].startswith('{"_id": "Person_p1"')


def test_query_df_falls_back_to_json_answers(conn: InstanceConnection, state: WrapperState) -> None:
    state.arrow_supported = False

    frame = conn.query_df("PEOPLE")

    assert frame["born"].tolist()[:2] == [date(1990, 4, 1), date(1985, 12, 24)]


def test_query_df_rejects_unknown_backend(conn: InstanceConnection, state: WrapperState) -> None:
    with pytest.raises(ValueError, match="'pandas' or 'polars'"):
        conn.query_df("PEOPLE", backend="spark")  # type: ignore[arg-type]
    assert state.queries() == []


# -- errors -------------------------------------------------------------------------------


def test_syntax_error_carries_engine_message_and_position(conn: InstanceConnection) -> None:
    with pytest.raises(QueryError) as caught:
        conn.query("SYNTAX MATC (n) RETURN n")

    error = caught.value
    assert error.code == "QUERY_SYNTAX_ERROR"
    assert error.status_code == 400
    assert error.engine == "ladybug"
    assert error.engine_message == "Parser exception: Invalid input <MATC>"
    assert error.position == {"line": 1, "column": 1}
    assert str(error) == "Parser exception: Invalid input <MATC> (at line 1, column 1)"


def test_query_error_without_position(conn: InstanceConnection) -> None:
    with pytest.raises(QueryError) as caught:
        conn.query("SEMANTIC MATCH (n:Nope) RETURN n")

    assert caught.value.code == "QUERY_ERROR"
    assert caught.value.position is None
    assert "Table Nope does not exist" in str(caught.value)


def test_engine_error_is_a_query_error(conn: InstanceConnection) -> None:
    with pytest.raises(RyugraphError) as caught:
        conn.query("RYUGRAPH RETURN 1")

    assert isinstance(caught.value, QueryError)
    assert caught.value.position == {"line": 2, "column": 5}


def test_query_timeout_maps_and_is_not_retried(
    conn: InstanceConnection, state: WrapperState
) -> None:
    with pytest.raises(QueryTimeoutError, match="timeout") as caught:
        conn.query("SLOW", timeout=1)

    assert "the instance keeps serving" in str(caught.value)
    assert len(state.queries()) == 1


def test_loading_instance_is_service_unavailable(
    wrapper: tuple[str, WrapperState], state: WrapperState
) -> None:
    config = Config(api_url="http://unused.invalid", api_key=OWNER_KEY, max_retries=1)
    with (
        InstanceConnection(wrapper[0], 7, config=config) as conn,
        pytest.raises(ServiceUnavailableError, match="wait_until_running") as caught,
    ):
        conn.query("LOADING")

    assert caught.value.code == "DATABASE_NOT_INITIALIZED"
    # A 503 means the instance refused the work, so even the POST was tried again once.
    assert len(state.queries()) == 2


def test_missing_credentials_are_refused(wrapper: tuple[str, WrapperState]) -> None:
    with InstanceConnection(wrapper[0], 7) as anonymous, pytest.raises(AuthenticationError):
        anonymous.query("RETURN 1 AS one")


def test_other_analysts_are_refused(wrapper: tuple[str, WrapperState]) -> None:
    with (
        InstanceConnection(wrapper[0], 7, api_key=OTHER_KEY) as other,
        pytest.raises(PermissionDeniedError) as caught,
    ):
        other.get_schema()
    assert caught.value.details["owner_username"] == "alice"


# -- reads --------------------------------------------------------------------------------


def test_get_schema(conn: InstanceConnection) -> None:
    schema = conn.get_schema()

    assert isinstance(schema, GraphSchema)
    assert schema.node_tables[0].label == "Person"
    assert schema.node_tables[0].properties == {"name": "STRING", "age": "INT64"}
    assert schema.edge_tables[0].from_node == "Person"
    assert (schema.total_nodes, schema.total_edges) == (3, 2)


def test_get_lock_unlocked(conn: InstanceConnection) -> None:
    lock = conn.get_lock()

    assert isinstance(lock, LockStatus)
    assert lock.locked is False
    assert lock.holder_name is None


@pytest.mark.parametrize(
    "raw",
    [
        {"locked": True, "holder_id": "u1", "holder_name": "alice", "algorithm": "pagerank"},
        # The legacy key names of older wrappers.
        {
            "locked": True,
            "holder_id": "u1",
            "holder_username": "alice",
            "algorithm_name": "pagerank",
        },
    ],
)
def test_get_lock_locked(
    conn: InstanceConnection, state: WrapperState, raw: dict[str, object]
) -> None:
    state.lock = {**raw, "execution_id": "e-1", "acquired_at": "2025-01-15T10:30:00Z"}

    lock = conn.get_lock()

    assert lock.locked is True
    assert lock.holder_name == "alice"
    assert lock.algorithm == "pagerank"
    assert lock.acquired_at == datetime(2025, 1, 15, 10, 30, tzinfo=UTC)


def test_status_is_a_dict(conn: InstanceConnection) -> None:
    status = conn.status()

    assert status["status"] == "running"
    assert status["node_count"] == 3


# -- construction and transport -----------------------------------------------------------


def test_username_auth_and_config_credentials(
    wrapper: tuple[str, WrapperState], state: WrapperState
) -> None:
    with InstanceConnection(wrapper[0], username="alice") as by_name:
        by_name.get_schema()
    config = Config(api_url="http://cp.invalid", api_key=OWNER_KEY, timeout=5)
    with InstanceConnection(wrapper[0], 7, config=config) as from_config:
        from_config.get_schema()
        assert from_config.instance_url == wrapper[0]

    # Credentials given explicitly replace the configuration's.
    internal = Config(api_url="http://cp.invalid", internal_api_key="service-key")
    with InstanceConnection(wrapper[0], 7, config=internal, username="alice") as overridden:
        overridden.get_schema()

    first, second, third = state.requests
    assert first.headers["x-username"] == "alice"
    assert second.headers["authorization"] == f"Bearer {OWNER_KEY}"
    assert third.headers["x-username"] == "alice"
    assert "x-internal-api-key" not in third.headers


def test_repr_shows_no_credentials(
    conn: InstanceConnection, wrapper: tuple[str, WrapperState]
) -> None:
    text = repr(conn)

    assert text == f"InstanceConnection(instance_id=7, instance_url={wrapper[0]!r}, name='demo')"
    assert OWNER_KEY not in text


def test_unreachable_instance_names_it(state: WrapperState) -> None:
    config = Config(api_url="http://unused.invalid", max_retries=0)
    url = f"http://127.0.0.1:{free_port()}"
    with (
        InstanceConnection(url, 42, config=config) as gone,
        pytest.raises(APIConnectionError, match=r"instance 42") as caught,
    ):
        gone.get_schema()
    assert "client.instances.get(42).status" in str(caught.value)


class _DroppingServer:
    """Accepts connections and closes each as soon as the request arrives (no answer)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.accepted = 0
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            client.recv(65536)
            client.close()

    def close(self) -> None:
        self.sock.close()


def test_queries_are_not_resent_but_reads_are() -> None:
    server = _DroppingServer()
    config = Config(api_url="http://unused.invalid", api_key=OWNER_KEY, max_retries=2)
    try:
        with InstanceConnection(server.url, 7, config=config) as conn:
            with pytest.raises(APIConnectionError, match="was not re-sent"):
                conn.query("RETURN 1 AS one")
            assert server.accepted == 1

            with pytest.raises(APIConnectionError, match="after 3 attempt"):
                conn.get_schema()
            assert server.accepted == 4
    finally:
        server.close()
