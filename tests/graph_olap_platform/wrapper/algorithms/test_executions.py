"""The execution manager: lock, cancel, timeout, ring buffer, all-or-nothing write-back.

These tests use a small fake engine object (``RecordingEngine``) that only records
``write_node_property`` / ``drop_node_property`` calls and can be told to block or fail: the
manager's lock, timing and rollback rules are tested here in isolation and fast. The real engines
are exercised by the HTTP tests (``test_algorithm_http.py``) and the engines' own tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from graph_olap_platform.wrapper.algorithms.base import (
    AlgorithmError,
    AlgorithmRequest,
    AlgorithmResult,
    GraphSelection,
)
from graph_olap_platform.wrapper.algorithms.executions import (
    Execution,
    ExecutionManager,
    Outcome,
    RunContext,
)
from graph_olap_platform.wrapper.algorithms.write_back import PropertyWriter
from graph_olap_platform.wrapper.engines.base import EngineError, GraphView
from graph_olap_platform.wrapper.state import WrapperState


class RecordingEngine:
    """Only the write-back calls of an engine; ``fail_on`` a label raises, ``gate`` blocks."""

    name = "recording"

    def __init__(self) -> None:
        self.properties: dict[tuple[str, str], list[Any]] = {}
        self.calls: list[tuple[str, str, str]] = []
        self.fail_on: str | None = None
        self.gate: threading.Event | None = None
        self.writing = threading.Event()

    def write_node_property(
        self, label: str, name: str, value_type: str, keys: pa.Array, values: pa.Array
    ) -> int:
        self.calls.append(("write", label, name))
        self.writing.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        if label == self.fail_on:
            raise EngineError(f"disk full while writing {label}", code="DATABASE_ERROR")
        self.properties[(label, name)] = values.to_pylist()
        return len(keys)

    def drop_node_property(self, label: str, name: str) -> None:
        self.calls.append(("drop", label, name))
        self.properties.pop((label, name), None)


VIEW = GraphView(
    labels=["A", "B"],
    keys=[pa.array(["a0", "a1", "a2"]), pa.array([10, 20], pa.int64())],
    src=np.array([0, 1, 3], dtype=np.int64),
    dst=np.array([1, 2, 4], dtype=np.int64),
)


def request(
    name: str = "pagerank",
    *,
    prop: str | None = "score",
    write_back: bool = True,
    timeout_ms: int = 10_000,
) -> AlgorithmRequest:
    selection = GraphSelection(["A", "B"], ["R"])
    return AlgorithmRequest(name, "native", selection, {"p": 1}, prop, write_back, timeout_ms)


def values_job(values: list[float], view: GraphView = VIEW) -> Callable[[RunContext], Outcome]:
    def job(context: RunContext) -> Outcome:
        context.phase("computing", "adding up")
        return Outcome(AlgorithmResult("node_values", np.array(values), "DOUBLE"), view)

    return job


def blocking_job(release: threading.Event, started: threading.Event) -> Callable[..., Outcome]:
    """Ignores the cancel token, like a compiled call that cannot be interrupted."""

    def job(context: RunContext) -> Outcome:
        started.set()
        release.wait(10)
        return values_job([1.0] * 5)(context)

    return job


def wait(execution: Execution, timeout: float = 10) -> Execution:
    assert execution.done.wait(timeout), execution.to_json()
    return execution


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


@pytest.fixture
def state(engine: RecordingEngine) -> WrapperState:
    return WrapperState(engine=engine, engine_name="recording")  # type: ignore[arg-type]


@pytest.fixture
def manager(engine: RecordingEngine, state: WrapperState) -> Iterator[ExecutionManager]:
    manager = ExecutionManager(PropertyWriter(engine, state))  # type: ignore[arg-type]
    yield manager
    manager.shutdown()


def test_a_run_writes_every_label_and_releases_the_lock(
    manager: ExecutionManager, engine: RecordingEngine, state: WrapperState
) -> None:
    execution = manager.start(request(), "alice", values_job([0.1, 0.2, 0.3, 0.4, np.nan]))
    assert execution.start_json["status"] == "running"  # as answered; it may be done by now
    body = wait(execution).to_json()
    assert body["status"] == "completed" and body["error"] is None
    assert body["result"] == {
        "type": "node_values",
        "property_type": "DOUBLE",
        "summary": {"count": 4, "min": 0.1, "max": 0.4, "mean": pytest.approx(0.25)},
        "property_name": "score",
        "nodes_updated": 5,
        "nodes_updated_by_label": {"A": 3, "B": 2},
    }
    assert engine.properties == {("A", "score"): [0.1, 0.2, 0.3], ("B", "score"): [0.4, None]}
    assert state.algorithm_properties == {"A": {"score": "DOUBLE"}, "B": {"score": "DOUBLE"}}
    assert manager.lock_json() == {"locked": False}
    assert body["duration_seconds"] is not None and body["completed_at"].endswith("Z")
    assert set(body["phase_seconds"]) == {"extracting", "computing", "writing"}
    assert sum(body["phase_seconds"].values()) <= body["duration_seconds"] + 0.01


def test_a_second_start_is_refused_with_the_holder(manager: ExecutionManager) -> None:
    release, started = threading.Event(), threading.Event()
    first = manager.start(request(), "alice", blocking_job(release, started))
    assert started.wait(5)
    with pytest.raises(AlgorithmError) as locked:
        manager.start(request("wcc"), "ops", values_job([1.0] * 5))
    error = locked.value
    assert (error.status_code, error.code) == (409, "RESOURCE_LOCKED")
    assert error.message.startswith("Instance locked by user alice running algorithm pagerank")
    details = error.details
    assert details["holder_name"] == details["holder_username"] == details["holder_id"] == "alice"
    assert details["algorithm"] == details["algorithm_name"] == "pagerank"
    assert details["execution_id"] == first.execution_id and details["locked"] is True
    assert manager.lock_json()["execution_id"] == first.execution_id
    release.set()
    assert wait(first).status == "completed"
    assert wait(manager.start(request("wcc"), "ops", values_job([1.0] * 5))).status == "completed"


def test_concurrent_starts_get_one_lock(manager: ExecutionManager) -> None:
    release, started = threading.Event(), threading.Event()
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        try:
            manager.start(request(), "alice", blocking_job(release, started))
            outcomes.append("started")
        except AlgorithmError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    release.set()
    assert sorted(outcomes) == ["RESOURCE_LOCKED"] * 7 + ["started"]


def test_cancel_releases_at_once_and_discards_the_result(
    manager: ExecutionManager, engine: RecordingEngine, state: WrapperState
) -> None:
    release, started = threading.Event(), threading.Event()
    execution = manager.start(request(), "alice", blocking_job(release, started))
    assert started.wait(5)
    assert manager.cancel(execution.execution_id) is execution
    assert execution.status == "cancelled" and manager.lock_json() == {"locked": False}
    assert execution.token.cancelled
    with pytest.raises(AlgorithmError) as again:
        manager.cancel(execution.execution_id)
    assert again.value.status_code == 404 and "already cancelled" in again.value.message
    release.set()  # the uninterruptible work ends later: its result must be dropped
    time.sleep(0.2)
    assert engine.calls == [] and state.algorithm_properties == {}
    assert execution.status == "cancelled"


def test_cancel_interrupts_pure_python_work(manager: ExecutionManager) -> None:
    reached_end = threading.Event()
    looping = threading.Event()

    def job(context: RunContext) -> Outcome:
        with context.interruptible():
            looping.set()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # never checks the token
                sum(range(100))
            reached_end.set()
        return values_job([1.0] * 5)(context)

    execution = manager.start(request(), "alice", job)
    assert looping.wait(5)
    started = time.monotonic()
    manager.cancel(execution.execution_id)
    worker = next(t for t in threading.enumerate() if t.ident == execution.thread_ident)
    worker.join(5)
    assert not worker.is_alive() and time.monotonic() - started < 2
    assert not reached_end.is_set() and execution.status == "cancelled"


def test_timeout_fails_the_run_and_releases_the_lock(
    manager: ExecutionManager, engine: RecordingEngine
) -> None:
    release, started = threading.Event(), threading.Event()
    execution = manager.start(request(timeout_ms=200), "alice", blocking_job(release, started))
    wait(execution, 5)
    assert execution.status == "failed" and execution.error_code == "ALGORITHM_TIMEOUT"
    assert "200 ms" in (execution.error or "") and manager.lock_json() == {"locked": False}
    assert execution.token.reason == "timeout"
    release.set()
    time.sleep(0.2)
    assert engine.calls == []


def test_remaining_time_is_the_budget_for_engine_calls(manager: ExecutionManager) -> None:
    seen: list[int] = []

    def job(context: RunContext) -> Outcome:
        seen.append(context.remaining_ms())
        return values_job([1.0] * 5)(context)

    wait(manager.start(request(timeout_ms=5_000), "alice", job))
    assert 4_000 < seen[0] <= 5_000


def test_a_cancel_while_writing_rolls_the_write_back(
    manager: ExecutionManager, engine: RecordingEngine, state: WrapperState
) -> None:
    engine.gate = threading.Event()
    execution = manager.start(request(), "alice", values_job([1.0] * 5))
    assert engine.writing.wait(5)  # label A is being written
    assert manager.cancel(execution.execution_id) is execution
    assert not execution.terminal and manager.lock_json()["locked"] is True
    engine.gate.set()
    assert wait(execution).status == "cancelled"
    assert engine.calls == [("write", "A", "score"), ("drop", "A", "score")]  # B never started
    assert engine.properties == {} and state.algorithm_properties == {}
    assert manager.lock_json() == {"locked": False}


def test_a_timeout_while_writing_rolls_the_write_back(
    manager: ExecutionManager, engine: RecordingEngine, state: WrapperState
) -> None:
    engine.gate = threading.Event()
    execution = manager.start(request(timeout_ms=300), "alice", values_job([1.0] * 5))
    assert engine.writing.wait(5)
    time.sleep(0.5)  # past the timeout: the write in progress finishes, then rolls back
    assert execution.status == "running" and execution.token.reason == "timeout"
    engine.gate.set()
    wait(execution)
    assert execution.status == "failed" and execution.error_code == "ALGORITHM_TIMEOUT"
    assert engine.properties == {} and state.algorithm_properties == {}
    assert manager.lock_json() == {"locked": False}


def test_a_failed_write_rolls_back_the_labels_already_written(
    manager: ExecutionManager, engine: RecordingEngine, state: WrapperState
) -> None:
    engine.fail_on = "B"
    execution = wait(manager.start(request(), "alice", values_job([1.0] * 5)))
    assert execution.status == "failed" and execution.error_code == "DATABASE_ERROR"
    assert "disk full" in (execution.error or "") and "nothing was kept" in (execution.error or "")
    assert engine.properties == {}
    assert engine.calls == [
        ("write", "A", "score"),
        ("write", "B", "score"),
        ("drop", "A", "score"),
    ]
    assert state.algorithm_properties == {} and manager.lock_json() == {"locked": False}


def test_a_rerun_replaces_an_earlier_property(
    manager: ExecutionManager, engine: RecordingEngine, state: WrapperState
) -> None:
    wait(manager.start(request(), "alice", values_job([1.0] * 5)))

    def ints(context: RunContext) -> Outcome:
        values = np.array([0, 0, 1, 1, 2], dtype=np.int64)
        return Outcome(AlgorithmResult("communities", values, "INT64"), VIEW)

    rerun = wait(manager.start(request("wcc"), "alice", ints))
    assert rerun.result is not None
    assert rerun.result["summary"] == {
        "count": 5, "community_count": 3, "largest_community_size": 2
    }  # fmt: skip
    assert ("drop", "A", "score") in engine.calls  # the DOUBLE property went first
    assert state.algorithm_properties == {"A": {"score": "INT64"}, "B": {"score": "INT64"}}
    assert engine.properties[("B", "score")] == [1, 2]


def test_values_come_back_without_write_back(
    manager: ExecutionManager, engine: RecordingEngine
) -> None:
    n = 10_050
    view = GraphView(["N"], [pa.array(np.arange(n))], np.zeros(0, np.int64), np.zeros(0, np.int64))
    execution = wait(
        manager.start(request(prop=None, write_back=False), None, values_job(list(range(n)), view))
    )
    result = execution.result
    assert result is not None and engine.calls == []
    assert len(result["values"]) == 10_000 and result["values_truncated"] is True
    assert result["values"]["N_7"] == 7 and result["node_count"] == n
    assert "property_name" not in result
    assert execution.to_json()["user_name"] is None
    assert manager.lock_json() == {"locked": False}


@pytest.mark.parametrize(
    ("raised", "code"),
    [
        (AlgorithmError(500, "ALGORITHM_FAILED", "no convergence"), "ALGORITHM_FAILED"),
        (AlgorithmError(400, "VALIDATION_FAILED", "no node U999"), "VALIDATION_FAILED"),
        (EngineError("lost the database", code="DATABASE_ERROR"), "DATABASE_ERROR"),
        (ZeroDivisionError("division by zero"), "ALGORITHM_FAILED"),
    ],
)
def test_failures_release_the_lock(manager: ExecutionManager, raised: Exception, code: str) -> None:
    def job(_context: RunContext) -> Outcome:
        raise raised

    execution = wait(manager.start(request(), "alice", job))
    assert execution.status == "failed" and execution.error_code == code
    assert manager.lock_json() == {"locked": False}


def test_a_result_of_the_wrong_length_fails(manager: ExecutionManager) -> None:
    execution = wait(manager.start(request(), "alice", values_job([1.0, 2.0])))
    assert execution.error_code == "ALGORITHM_FAILED"


def test_other_result_kinds_are_returned_as_they_are(manager: ExecutionManager) -> None:
    def job(_context: RunContext) -> Outcome:
        return Outcome(AlgorithmResult("scalar", payload={"value": 0.5}))

    assert wait(manager.start(request(), "alice", job)).result == {"type": "scalar", "value": 0.5}


def test_the_last_100_executions_are_kept_newest_first(manager: ExecutionManager) -> None:
    first = wait(manager.start(request(), "alice", values_job([1.0] * 5)))
    failed = wait(manager.start(request(prop="x"), "alice", values_job([1.0])))
    last: Execution | None = None
    for _ in range(99):
        last = wait(manager.start(request(prop=None, write_back=False), "a", values_job([1.0] * 5)))
    assert last is not None
    with pytest.raises(AlgorithmError) as gone:
        manager.get(first.execution_id)
    assert (gone.value.status_code, gone.value.code) == (404, "EXECUTION_NOT_FOUND")
    assert manager.get(failed.execution_id) is failed
    newest, total = manager.list(limit=3)
    assert total == 100 and newest[0] is last and len(newest) == 3
    only_failed, failed_total = manager.list(limit=20, status="failed")
    assert failed_total == 1 and only_failed == [failed]


def test_shutdown_stops_the_holder(manager: ExecutionManager) -> None:
    release, started = threading.Event(), threading.Event()
    execution = manager.start(request(), "alice", blocking_job(release, started))
    assert started.wait(5)
    manager.shutdown()
    assert execution.status == "cancelled" and manager.lock_json() == {"locked": False}
    release.set()
