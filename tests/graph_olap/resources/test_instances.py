"""``client.instances`` and ``client.quick_start``: request shaping, waiting and connecting.

These tests run against stand-ins served over real loopback HTTP: a small control plane
(control_plane_standin.py, written from control-plane.md §3.3, each instance playing a scripted
progress sequence) and a small wrapper (instance/wrapper_standin.py). They are stand-ins until
the lead's integration tests against the real control plane and wrapper exist; they check the
SDK's side: bodies sent, polling, progress callbacks and bars, failures, timeouts and Ctrl-C.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

import graph_olap._progress as progress_module
from graph_olap import (
    GraphOLAPClient,
    GraphOLAPTimeoutError,
    Instance,
    InstanceConnection,
    InstanceEvent,
    InstanceFailedError,
    InstanceProgress,
    InvalidStateError,
    NotFoundError,
    PaginatedList,
    UserInstanceStatus,
    ValidationError,
    WrapperType,
)
from graph_olap.durations import parse_duration
from tests.graph_olap.instance.wrapper_standin import WrapperState, make_wrapper_app
from tests.graph_olap.resources.control_plane_standin import (
    LOAD_ERROR,
    ControlPlaneState,
    make_control_plane_app,
)
from tests.graph_olap.standins import serve

FAST = {"timeout": 10.0, "poll_interval": 0.01}


@dataclass
class Servers:
    cp_url: str
    cp: ControlPlaneState
    wrapper: WrapperState


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    wrapper = WrapperState()
    with serve(make_wrapper_app(wrapper)) as wrapper_url:
        cp = ControlPlaneState(wrapper_url=wrapper_url)
        with serve(make_control_plane_app(cp)) as cp_url:
            yield Servers(cp_url, cp, wrapper)


@pytest.fixture
def cp(servers: Servers) -> ControlPlaneState:
    servers.cp.requests.clear()
    servers.wrapper.requests.clear()
    return servers.cp


@pytest.fixture
def client(servers: Servers, cp: ControlPlaneState) -> Iterator[GraphOLAPClient]:
    with GraphOLAPClient(servers.cp_url, username="alice") as client:
        yield client


def _record_progress() -> tuple[list[tuple[str, int, int]], object]:
    calls: list[tuple[str, int, int]] = []

    def on_progress(phase: str, completed: int, total: int) -> None:
        calls.append((phase, completed, total))

    return calls, on_progress


# -- creating -----------------------------------------------------------------------------


def test_create_from_mapping_sends_only_what_is_given(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    instance = client.instances.create_from_mapping(1, "Quick analysis")

    assert isinstance(instance, Instance)
    assert instance.status == "waiting_for_snapshot"
    assert instance.wrapper_type == "ladybug"  # the server's default engine
    [sent] = cp.calls("POST", "/from-mapping")
    assert sent.body == {"mapping_id": 1, "name": "Quick analysis"}


def test_create_from_mapping_with_every_option(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    instance = client.instances.create_from_mapping(
        1,
        "Full",
        wrapper_type=WrapperType.FALKORDB,
        description="d",
        mapping_version=2,
        snapshot_name="snap",
        ttl=timedelta(hours=12),
        inactivity_timeout="PT1H",
        cpu_cores=4,
    )

    assert instance.wrapper_type == "falkordb"
    assert cp.calls("POST", "/from-mapping")[0].body == {
        "mapping_id": 1,
        "name": "Full",
        "wrapper_type": "falkordb",
        "description": "d",
        "mapping_version": 2,
        "snapshot_name": "snap",
        "ttl": "PT12H",
        "inactivity_timeout": "PT1H",
        "cpu_cores": 4,
    }


def test_create_accepts_a_snapshot_or_a_mapping(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    client.instances.create(9, "From snapshot", "desc", "PT2H")
    client.instances.create(name="From mapping", mapping_id=1, wrapper_type="ryugraph")

    first, second = cp.calls("POST", "/api/instances")
    assert first.body == {
        "snapshot_id": 9,
        "name": "From snapshot",
        "description": "desc",
        "ttl": "PT2H",
    }
    assert second.body == {"mapping_id": 1, "name": "From mapping", "wrapper_type": "ryugraph"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "x"}, "exactly one of snapshot_id= and mapping_id="),
        ({"snapshot_id": 1, "mapping_id": 1, "name": "x"}, "exactly one"),
        ({"snapshot_id": 1}, "needs name="),
    ],
)
def test_create_refuses_ambiguous_requests_before_sending(
    client: GraphOLAPClient, cp: ControlPlaneState, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        client.instances.create(**kwargs)  # type: ignore[arg-type]
    assert cp.requests == []


# -- waiting ------------------------------------------------------------------------------


def test_create_from_mapping_and_wait_reports_each_change(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    calls, on_progress = _record_progress()

    instance = client.instances.create_from_mapping_and_wait(
        1,
        "Waited",
        on_progress=on_progress,
        **FAST,  # type: ignore[arg-type]
    )

    assert instance.status == "running"
    assert instance.instance_url == cp.wrapper_url
    # Export steps, then start-up steps; the repeated answer is reported once.
    assert calls == [
        ("exporting", 0, 5),
        ("exporting", 2, 5),
        ("loading_nodes", 3, 5),
        ("loading_edges", 4, 5),
        ("ready", 5, 5),
    ]
    assert len(cp.calls("GET", "/progress")) == 6


def test_running_answer_without_steps_reports_the_last_total_done(
    client: GraphOLAPClient,
) -> None:
    calls, on_progress = _record_progress()

    client.instances.create_from_mapping_and_wait(4, "x", on_progress=on_progress, **FAST)  # type: ignore[arg-type]

    assert calls == [("initializing", 1, 3), ("ready", 3, 3)]


def test_failed_snapshot_fails_the_wait_with_the_servers_error(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    with pytest.raises(InstanceFailedError) as caught:
        client.instances.create_from_mapping_and_wait(2, "Broken", **FAST)  # type: ignore[arg-type]

    error = caught.value
    assert error.error_code == "DATA_LOAD_ERROR"
    assert error.code == "DATA_LOAD_ERROR"
    assert error.error_message == LOAD_ERROR
    assert error.instance_id == max(cp.instances)
    assert "node definition 'Customer'" in str(error)
    assert str(error).startswith(f"Instance {error.instance_id} failed: [DATA_LOAD_ERROR]")
    assert cp.calls("POST", "/terminate") == [] and cp.calls("DELETE") == []


def test_failure_details_come_from_the_instance_when_progress_lacks_them(
    client: GraphOLAPClient,
) -> None:
    instance = client.instances.create_from_mapping(5, "Crashed")

    with pytest.raises(InstanceFailedError) as caught:
        client.instances.wait_until_running(instance.id, **FAST)  # type: ignore[arg-type]

    assert caught.value.error_code == "UNEXPECTED_TERMINATION"
    assert "signal 9" in str(caught.value)


def test_timeout_leaves_the_instance_and_says_how_to_go_on(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    with pytest.raises(GraphOLAPTimeoutError) as caught:
        client.instances.create_from_mapping_and_wait(3, "Slow", timeout=0.3, poll_interval=0.05)

    text = str(caught.value)
    instance_id = max(cp.instances)
    assert f"Instance {instance_id} was not running after 0.3 s" in text
    assert "status waiting_for_snapshot, phase exporting, 0/3 steps" in text
    assert f"client.instances.terminate({instance_id})" in text
    assert len(cp.calls("GET", "/progress")) >= 2
    assert cp.calls("POST", "/terminate") == [] and cp.calls("DELETE") == []


def test_ctrl_c_leaves_the_instance_alone_and_prints_nothing(
    client: GraphOLAPClient, cp: ControlPlaneState, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupt(phase: str, completed: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        client.instances.create_from_mapping_and_wait(
            3, "Interrupted", on_progress=interrupt, **FAST
        )  # type: ignore[arg-type]

    assert cp.calls("POST", "/terminate") == [] and cp.calls("DELETE") == []
    assert max(cp.instances) in cp.instances  # still there
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.parametrize(("timeout", "interval"), [(0, 1.0), (-1, 1.0), (10, 0)])
def test_wait_refuses_non_positive_times(
    client: GraphOLAPClient, timeout: float, interval: float
) -> None:
    with pytest.raises(ValueError, match="positive"):
        client.instances.wait_until_running(1, timeout, interval)


def test_wait_for_an_unknown_instance_raises_not_found(client: GraphOLAPClient) -> None:
    with pytest.raises(NotFoundError):
        client.instances.wait_until_running(99999, **FAST)  # type: ignore[arg-type]


# -- progress bar -------------------------------------------------------------------------


def test_no_bar_when_stderr_is_not_a_terminal(
    client: GraphOLAPClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.instances.create_from_mapping_and_wait(1, "Quiet", **FAST)  # type: ignore[arg-type]

    assert capsys.readouterr().err == ""


def test_bar_in_terminals_by_default(
    client: GraphOLAPClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "stderr_is_terminal", lambda: True)

    client.instances.create_from_mapping_and_wait(1, "Bar", **FAST)  # type: ignore[arg-type]

    err = capsys.readouterr().err
    assert "exporting snapshot" in err
    assert "loading edges" in err
    assert "running" in err
    assert "5/5" in err


def test_show_progress_false_wins_in_terminals(
    client: GraphOLAPClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "stderr_is_terminal", lambda: True)

    client.instances.create_from_mapping_and_wait(1, "Off", show_progress=False, **FAST)  # type: ignore[arg-type]

    assert capsys.readouterr().err == ""


def test_show_progress_true_forces_a_bar(
    client: GraphOLAPClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.instances.create_from_mapping_and_wait(1, "Forced", show_progress=True, **FAST)  # type: ignore[arg-type]

    assert "5/5" in capsys.readouterr().err


def test_show_progress_true_without_tqdm_says_what_to_install(
    client: GraphOLAPClient, cp: ControlPlaneState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "tqdm", None)

    with pytest.raises(ImportError, match="pip install tqdm"):
        client.instances.wait_until_running(1, show_progress=True, **FAST)  # type: ignore[arg-type]
    assert cp.requests == []


# -- connecting ---------------------------------------------------------------------------


def test_connect_uses_the_clients_credentials(client: GraphOLAPClient, servers: Servers) -> None:
    instance = client.instances.create_from_mapping_and_wait(1, "Connect", **FAST)  # type: ignore[arg-type]

    with client.instances.connect(instance.id) as conn:
        assert isinstance(conn, InstanceConnection)
        assert conn.instance_id == instance.id
        assert conn.name == "Connect"
        assert conn.instance_url == servers.cp.wrapper_url
        assert conn.query_scalar("RETURN 1 AS one") == 1

    [sent] = servers.wrapper.queries()
    assert sent.headers["x-username"] == "alice"


def test_connect_refuses_an_instance_that_is_not_running(client: GraphOLAPClient) -> None:
    instance = client.instances.create_from_mapping(3, "Not yet")

    with pytest.raises(InvalidStateError, match=r"not running .*waiting_for_snapshot") as caught:
        client.instances.connect(instance.id)
    assert f"wait_until_running({instance.id})" in str(caught.value)
    assert caught.value.details == {"current_status": "waiting_for_snapshot"}


def test_quick_start_returns_a_connection(client: GraphOLAPClient, cp: ControlPlaneState) -> None:
    calls, on_progress = _record_progress()

    with client.quick_start(1, "ryugraph", instance_name="QS", on_progress=on_progress) as conn:
        assert conn.query_scalar("RETURN 1 AS one") == 1

    [sent] = cp.calls("POST", "/from-mapping")
    assert sent.body == {"mapping_id": 1, "name": "QS", "wrapper_type": "ryugraph"}
    assert calls[-1] == ("ready", 5, 5)


def test_quick_start_default_name_and_engine(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    client.quick_start(1).close()

    assert cp.calls("POST", "/from-mapping")[0].body == {"mapping_id": 1, "name": "Quick Instance"}


# -- reading and changing ------------------------------------------------------------------


def test_list_sends_filters(client: GraphOLAPClient, cp: ControlPlaneState) -> None:
    page = client.instances.list(
        snapshot_id=5,
        status="running",
        search="q",
        created_after=datetime(2030, 1, 1, tzinfo=UTC),
        sort_by="name",
        sort_order="asc",
        limit=500,
    )

    assert isinstance(page, PaginatedList)
    assert all(isinstance(item, Instance) for item in page)
    assert cp.calls("GET", "/api/instances")[0].params == {
        "snapshot_id": "5",
        "status": "running",
        "search": "q",
        "created_after": "2030-01-01T00:00:00Z",
        "sort_by": "name",
        "sort_order": "asc",
        "offset": "0",
        "limit": "100",
    }


def test_get_progress_events_and_user_status(client: GraphOLAPClient) -> None:
    instance = client.instances.create_from_mapping(1, "Reads")

    progress = client.instances.get_progress(instance.id)
    events = client.instances.get_events(instance.id)
    status = client.instances.get_user_status()

    assert isinstance(progress, InstanceProgress)
    assert (progress.status, progress.total_steps, len(progress.steps)) == (
        "waiting_for_snapshot",
        5,
        5,
    )
    assert isinstance(events[0], InstanceEvent)
    assert events[0].event_type == "cpu_updated" and events.total == 1
    assert status == UserInstanceStatus(active_instances=2, per_user_limit=5, available_slots=3)


def test_update_and_update_cpu(client: GraphOLAPClient, cp: ControlPlaneState) -> None:
    instance = client.instances.create_from_mapping(1, "Old")

    renamed = client.instances.update(instance.id, name="New")
    described = client.instances.update(instance.id, description="about")
    resized = client.instances.update_cpu(instance.id, 4)

    assert (renamed.name, described.description, resized.cpu_cores) == ("New", "about", 4)
    assert [s.body for s in cp.calls("PUT")] == [
        {"name": "New"},
        {"description": "about"},
        {"cpu_cores": 4},
    ]
    with pytest.raises(ValueError, match="name= and/or description="):
        client.instances.update(instance.id)


def test_set_lifecycle_sends_only_what_is_given(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    instance = client.instances.create_from_mapping(1, "Life")

    cleared = client.instances.set_lifecycle(instance.id, ttl=None)
    shorter = client.instances.set_lifecycle(instance.id, inactivity_timeout=timedelta(hours=2))

    assert cleared.ttl is None and cleared.expires_at is None
    assert shorter.inactivity_timeout == "PT2H"
    assert [s.body for s in cp.calls("PUT", "/lifecycle")] == [
        {"ttl": None},
        {"inactivity_timeout": "PT2H"},
    ]
    with pytest.raises(ValueError, match="ttl= and/or inactivity_timeout="):
        client.instances.set_lifecycle(instance.id)


def _aged_instance(
    client: GraphOLAPClient, cp: ControlPlaneState, age: timedelta, ttl: str | None
) -> int:
    instance = client.instances.create_from_mapping(1, "Aged")
    record = cp.instances[instance.id]
    record.created_at = (datetime.now(UTC) - age).replace(microsecond=0)
    record.ttl = ttl
    return instance.id


def _sent_ttl(cp: ControlPlaneState) -> timedelta:
    return parse_duration(cp.calls("PUT", "/lifecycle")[-1].body["ttl"])


def test_extend_ttl_adds_hours_to_the_current_expiry(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    instance_id = _aged_instance(client, cp, timedelta(hours=2), "PT24H")

    extended = client.instances.extend_ttl(instance_id)

    # expires_at = created_at + ttl, so the new ttl is counted from creation.
    assert cp.calls("PUT", "/lifecycle")[-1].body == {"ttl": "P2D"}
    assert extended.expires_at == cp.instances[instance_id].created_at + timedelta(hours=48)


def test_extend_ttl_without_expiry_counts_from_now(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    instance_id = _aged_instance(client, cp, timedelta(hours=2), None)

    client.instances.extend_ttl(instance_id, hours=6)

    assert timedelta(hours=8) <= _sent_ttl(cp) <= timedelta(hours=8, seconds=30)


def test_extend_ttl_of_an_overdue_instance_counts_from_now(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    instance_id = _aged_instance(client, cp, timedelta(hours=30), "PT24H")

    client.instances.extend_ttl(instance_id, hours=1)

    assert timedelta(hours=31) <= _sent_ttl(cp) <= timedelta(hours=31, seconds=30)


def test_extend_ttl_past_the_maximum_is_the_servers_validation_error(
    client: GraphOLAPClient, cp: ControlPlaneState
) -> None:
    instance_id = _aged_instance(client, cp, timedelta(days=6), "P6D")

    with pytest.raises(ValidationError, match="ttl exceeds the maximum"):
        client.instances.extend_ttl(instance_id)
    with pytest.raises(ValueError, match="hours must be positive"):
        client.instances.extend_ttl(instance_id, hours=0)


def test_terminate_and_delete(client: GraphOLAPClient, cp: ControlPlaneState) -> None:
    first = client.instances.create_from_mapping(1, "One")
    second = client.instances.create_from_mapping(1, "Two")

    assert client.instances.terminate(first.id) is None
    assert client.instances.delete(second.id) is None

    assert [s.path for s in cp.calls("POST", "/terminate")] == [
        f"/api/instances/{first.id}/terminate"
    ]
    assert [s.path for s in cp.calls("DELETE")] == [f"/api/instances/{second.id}"]
    assert first.id not in cp.instances and second.id not in cp.instances
