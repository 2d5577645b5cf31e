"""Query cancel (``POST /query/{id}/cancel``) and plans (``mode`` explain/profile) on the real
wrapper: standalone wrapper processes for the Kuzu family, FalkorDB's engine in process."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_olap_platform.wrapper.engines.falkordb import FalkorDBEngine
from tests.graph_olap_platform.wrapper.process import ARROW_STREAM, WrapperProcess
from tests.graph_olap_platform.wrapper.test_wrapper_http import SLOW_QUERY


def _post(wrapper: WrapperProcess, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
    with wrapper.http() as client:
        return client.post("/query", json=body, **kwargs)


def _cancel(wrapper: WrapperProcess, query_id: str) -> dict[str, Any]:
    with wrapper.http() as client:
        response = client.post(f"/query/{query_id}/cancel")
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_cancel_interrupts_a_running_query(wrapper: WrapperProcess) -> None:
    query_id = uuid.uuid4().hex
    answers: list[httpx.Response] = []
    body = {"query": SLOW_QUERY, "parameters": {"x": "-"}, "query_id": query_id}
    worker = threading.Thread(target=lambda: answers.append(_post(wrapper, body)))
    worker.start()
    time.sleep(1.0)  # the engine is busy with the product by now
    cancelled_at = time.monotonic()
    assert _cancel(wrapper, query_id) == {"query_id": query_id, "state": "cancelled"}
    worker.join(timeout=30)
    stopped_after = time.monotonic() - cancelled_at
    [answer] = answers
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "QUERY_CANCELLED"
    assert stopped_after < 5, f"the engine took {stopped_after:.1f} s to stop"
    started = time.monotonic()
    assert wrapper.query("RETURN 1 AS one")["rows"] == [[1]]
    assert time.monotonic() - started < 1
    log = wrapper.log_tail()
    assert f"query {query_id}: cancel requested (interrupted)" in log
    assert f"query {query_id} was cancelled" in log


def test_a_cancel_that_overtakes_its_query(wrapper: WrapperProcess) -> None:
    query_id = uuid.uuid4().hex
    assert _cancel(wrapper, query_id) == {"query_id": query_id, "state": "not_running"}
    started = time.monotonic()
    answer = _post(wrapper, {"query": SLOW_QUERY, "parameters": {"x": "-"}, "query_id": query_id})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "QUERY_CANCELLED"
    assert time.monotonic() - started < 1


def test_cancel_after_the_answer_changes_nothing(wrapper: WrapperProcess) -> None:
    query_id = uuid.uuid4().hex
    answer = _post(wrapper, {"query": "RETURN 2 AS two", "query_id": query_id})
    assert answer.status_code == 200 and answer.json()["rows"] == [[2]]
    assert _cancel(wrapper, query_id)["state"] == "not_running"


def test_query_ids_are_validated(wrapper: WrapperProcess) -> None:
    answer = _post(wrapper, {"query": "RETURN 1", "query_id": "not valid!"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "VALIDATION_FAILED"
    with wrapper.http() as client:
        assert client.post("/query/bad%20id/cancel").status_code == 400


def test_explain_and_profile(wrapper: WrapperProcess) -> None:
    cypher = "MATCH (c:Customer) WHERE c.name <> $x RETURN count(c) AS n"
    explained = wrapper.query(cypher, {"x": "-"}, mode="explain")
    assert explained["mode"] == "explain" and explained["engine"] == wrapper.engine
    assert explained["columns"] == ["plan"] and explained["rows"] == [[explained["plan"]]]
    assert "Physical Plan" in explained["plan"]
    assert "NumOutputTuples: 0" in explained["plan"]  # planned, not run
    profiled = wrapper.query(cypher, {"x": "-"}, mode="profile")
    assert profiled["mode"] == "profile" and "PROFILE" in profiled["plan"]
    assert "NumOutputTuples: 0\n" not in profiled["plan"].split("RESULT_COLLECTOR")[1][:200]


def test_plan_errors_point_into_the_users_text(wrapper: WrapperProcess) -> None:
    answer = _post(wrapper, {"query": "MATCH (n) RETRN n", "mode": "explain"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "QUERY_SYNTAX_ERROR"
    assert error["details"]["position"] == {"line": 1, "column": 11}  # not shifted by EXPLAIN
    refused = _post(wrapper, {"query": "MATCH (n) DETACH DELETE n", "mode": "profile"})
    assert refused.status_code == 400 and "read-only" in refused.json()["error"]["message"]
    arrow = _post(
        wrapper, {"query": "RETURN 1", "mode": "explain"}, headers={"Accept": ARROW_STREAM}
    )
    assert arrow.status_code == 400


# -- FalkorDB: plans, and no way to stop a running query -------------------------------------


@pytest.fixture(scope="module")
def falkordb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FalkorDBEngine]:
    engine = FalkorDBEngine()
    engine.open(Path(tmp_path_factory.mktemp("falkordb-cancel")), threads=2)
    yield engine
    engine.close()


def test_falkordb_plans(falkordb: FalkorDBEngine) -> None:
    cypher = "UNWIND range(1, $n) AS i RETURN i"
    explained = falkordb.plan(cypher, {"n": 10}, mode="explain", timeout_ms=5000)
    assert explained.splitlines() == ["Results", "    Project", "        Unwind"]
    profiled = falkordb.plan(cypher, {"n": 10}, mode="profile", timeout_ms=5000)
    assert "Records produced: 10" in profiled
    from graph_olap_platform.wrapper.engines.base import EngineError

    with pytest.raises(EngineError) as caught:
        falkordb.plan("  MATCH (n) RETRN n", {}, mode="explain", timeout_ms=5000)
    assert caught.value.position == {"line": 1, "column": 16}


def test_falkordb_cannot_stop_a_running_query(falkordb: FalkorDBEngine) -> None:
    query_id = uuid.uuid4().hex
    slow = "UNWIND range(1, 30000000) AS i WITH i WHERE i % 7 = 3 RETURN count(i)"
    done = threading.Event()

    def run() -> None:
        try:
            falkordb.query(slow, {}, timeout_ms=60_000, max_rows=None, query_id=query_id)
        finally:
            done.set()

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.3)
    try:
        assert not done.is_set(), "the query must still be running for this test"
        assert falkordb.cancel(query_id) == "unsupported"
    finally:
        worker.join(timeout=120)
    assert falkordb.cancel(query_id) == "not_running"
