"""Engine-level cases, run in-process against ONE engine chosen by ``GRAPH_OLAP_TEST_ENGINE``.

Not collected by the main test run (the name does not start with ``test_``): LadybugDB and
Ryugraph crash when imported into one process, so ``test_engines_inprocess.py`` runs this module
in a fresh ``python -m pytest`` per engine.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph_olap_platform.wrapper.engines.base import (
    EdgeSpec,
    Engine,
    EngineError,
    NodeSpec,
    PropertySpec,
    QueryTimeout,
)
from graph_olap_platform.wrapper.engines.registry import create_engine
from graph_olap_platform.wrapper.mapping import standalone_mapping
from tests.graph_olap_platform.wrapper.snapshot import Snapshot, write_snapshot

ENGINE = os.environ.get("GRAPH_OLAP_TEST_ENGINE", "ladybug")
SLOW_QUERY = (
    "MATCH (a:Customer), (b:Customer), (c:Customer), (d:Customer) "
    "WHERE a.name + b.name + c.name + d.name = $x RETURN count(*)"
)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return write_snapshot(tmp_path_factory.mktemp("snapshot") / "1", views=30_000)


@pytest.fixture(scope="module")
def engine(snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    mapping = standalone_mapping(snapshot.path, snapshot.mapping_file)
    engine = create_engine(ENGINE)
    engine.open(tmp_path_factory.mktemp("engine"), threads=2)
    engine.create_schema(mapping.nodes, mapping.edges)
    for node in mapping.nodes:
        assert engine.load_nodes(node) == snapshot.rows(node.label)
    for edge in mapping.edges:
        assert engine.load_edges(edge) == snapshot.rows(edge.type)
    yield engine
    engine.close()
    engine.close()  # idempotent


def test_counts(engine: Engine, snapshot: Snapshot) -> None:
    nodes, edges = engine.counts()
    assert nodes == {"Customer": 300, "Product": 40}
    assert edges == {t: snapshot.rows(t) for t in ("PURCHASED", "KNOWS", "VIEWED")}


def test_query_output(engine: Engine) -> None:
    out = engine.query(
        "MATCH (c:Customer)-[k:KNOWS]->(f:Customer) WHERE c.customer_id = $id "
        "RETURN c.customer_id, f, k ORDER BY f.customer_id",
        {"id": "C0001"},
        timeout_ms=10_000,
        max_rows=None,
    )
    assert out.columns == ["c.customer_id", "f", "k"]
    assert out.column_types == ["STRING", "NODE", "REL"]
    assert out.rows and not out.truncated
    for cid, friend, rel in out.rows:
        assert cid == "C0001"
        assert rel["_start"] == "Customer_C0001" and rel["_end"] == friend["_id"]


def test_arrow_output(engine: Engine) -> None:
    table = engine.query_arrow(
        "MATCH (c:Customer) RETURN c, c.signup_date ORDER BY c.customer_id LIMIT 3",
        {},
        timeout_ms=10_000,
    )
    assert table.schema.field("c").type == pa.string()
    assert table.schema.field("c.signup_date").type == pa.date32()
    assert table.schema.metadata[b"graph_olap.column_types"] == b'["NODE","DATE"]'


def test_errors(engine: Engine) -> None:
    with pytest.raises(EngineError) as syntax:
        engine.query("RETURN (", {}, timeout_ms=5000, max_rows=None)
    assert syntax.value.code == "QUERY_SYNTAX_ERROR"
    assert syntax.value.position is not None and syntax.value.position["line"] == 1
    with pytest.raises(EngineError) as missing:
        engine.query("RETURN $nope", {"other": 1}, timeout_ms=5000, max_rows=None)
    assert missing.value.code == "QUERY_ERROR" and "nope" in missing.value.message


def test_timeout_interrupts_and_the_engine_keeps_serving(engine: Engine) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        engine.query(SLOW_QUERY, {"x": "?"}, timeout_ms=1000, max_rows=None)
    assert time.monotonic() - started < 4
    assert engine.query("RETURN 1 AS x", {}, timeout_ms=1000, max_rows=None).rows == [[1]]


def test_concurrent_queries(engine: Engine) -> None:
    results: list[object] = []

    def run(index: int) -> None:
        out = engine.query(
            "MATCH (c:Customer {customer_id: $id}) RETURN c.name",
            {"id": f"C{index:04d}"},
            timeout_ms=10_000,
            max_rows=None,
        )
        results.append(out.rows)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted([[f"Customer {i}"]] for i in range(24))  # type: ignore[type-var]


def test_set_threads_and_memory(engine: Engine) -> None:
    engine.set_threads(1)
    assert engine.query("RETURN 2 AS x", {}, timeout_ms=1000, max_rows=None).rows == [[2]]
    engine.set_threads(2)
    memory = engine.memory_usage_bytes()
    assert memory is not None and memory > 10_000_000


def _tiny_engine(tmp_path: Path, edges: pa.Table) -> tuple[Engine, EdgeSpec]:
    pq.write_table(pa.table({"id": ["a", "b"], "w": [1.0, 2.0]}), tmp_path / "N.parquet")
    pq.write_table(edges, tmp_path / "E.parquet")
    node = NodeSpec(
        "N", PropertySpec("id", "STRING"), [PropertySpec("w", "DOUBLE")], tmp_path / "N.parquet"
    )
    edge = EdgeSpec(
        "E", "N", "N", "src", "dst", [PropertySpec("w", "DOUBLE")], tmp_path / "E.parquet"
    )
    engine = create_engine(ENGINE)
    engine.open(tmp_path / "db", threads=1)
    engine.create_schema([node], [edge])
    engine.load_nodes(node)
    return engine, edge


def test_edges_with_missing_endpoints_fail_loudly(tmp_path: Path) -> None:
    edges = pa.table({"src": ["a", "zz"], "dst": ["b", "b"], "w": [1.0, 2.0]})
    engine, edge = _tiny_engine(tmp_path, edges)
    try:
        with pytest.raises(EngineError) as failure:
            engine.load_edges(edge)
        assert "zz" in failure.value.message
        assert failure.value.code == "DATABASE_ERROR"
    finally:
        engine.close()


def test_chunked_loads_count_every_row(tmp_path: Path) -> None:
    """Force tiny chunks: every chunk is loaded once, none is lost at the boundaries."""
    rows = 2_345
    edges = pa.table(
        {
            "src": ["a", "b"] * (rows // 2) + ["a"],
            "dst": ["b", "a"] * (rows // 2) + ["b"],
            "w": [float(i) for i in range(rows)],
        }
    )
    engine, edge = _tiny_engine(tmp_path, edges)
    try:
        engine.first_chunk_rows = 100  # type: ignore[attr-defined]
        engine.chunk_rows = 700  # type: ignore[attr-defined]
        assert engine.load_edges(edge) == rows
        out = engine.query(
            "MATCH ()-[e:E]->() RETURN count(e), sum(e.w)", {}, timeout_ms=5000, max_rows=None
        )
        assert out.rows == [[rows, float(sum(range(rows)))]]
        assert not list((tmp_path / "db" / "staging").glob("*.parquet"))
    finally:
        engine.close()
