"""The engines' algorithm methods (graph_view, write/drop_node_property, native_algorithm) against
ONE real engine chosen by ``GRAPH_OLAP_TEST_ENGINE``, checked against the Parquet data.

Not collected by the main test run (the name does not start with ``test_``): LadybugDB and
Ryugraph crash when imported into one process, so ``test_engine_algorithms_inprocess.py`` runs
this module in a fresh ``python -m pytest`` per engine (FalkorDB too, so that all three answer
the same cases).

The graph: Person (INT64 keys; ten without any relationship), Company (STRING keys; one without
any), City; KNOWS between persons with self loops, parallel edges and null / NaN weights,
WORKS_AT from persons to companies (parallel edges too), LIVES_IN to cities.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph_olap_platform.wrapper.engines.base import (
    EdgeSpec,
    Engine,
    EngineError,
    GraphView,
    NodeSpec,
    PropertySpec,
)
from graph_olap_platform.wrapper.engines.registry import create_engine

ENGINE = os.environ.get("GRAPH_OLAP_TEST_ENGINE", "ladybug")
TIMEOUT = 30_000
PERSONS = list(range(100, 160))  # 150..159 have no relationship
LINKED = PERSONS[:50]
COMPANIES = [f"K{i:02d}" for i in range(8)]  # K07 has no relationship
CITIES = ["Oslo", "Lima", "Pune"]


@dataclass
class Graph:
    engine: Engine
    tables: dict[str, pa.Table]


def build_tables() -> dict[str, pa.Table]:
    rng = np.random.default_rng(11)
    knows_src = [int(v) for v in rng.choice(LINKED, 200)] + [101, 102, 102, 102, 104]
    knows_dst = [int(v) for v in rng.choice(LINKED, 200)] + [101, 103, 103, 103, 104]
    count = len(knows_src)
    # Weights with two decimals (exact in FalkorDB's 15-digit replies); some null, one NaN.
    weights: list[float | None] = [round(float(w), 2) for w in rng.uniform(0.5, 5.0, count)]
    for i in range(0, count, 10):
        weights[i] = None
    weights[3] = math.nan
    works_src = [*LINKED[:40], 100]
    works_dst = [COMPANIES[i % 7] for i in range(40)] + [COMPANIES[0]]  # 100 -> K00 twice
    return {
        "Person": pa.table(
            {
                "person_id": pa.array(PERSONS, pa.int64()),
                "name": [f"Person {p}" for p in PERSONS],
            }
        ),
        "Company": pa.table(
            {"code": COMPANIES, "size": pa.array([10 * i for i in range(8)], pa.int64())}
        ),
        "City": pa.table({"city": CITIES}),
        "KNOWS": pa.table(
            {
                "src": pa.array(knows_src, pa.int64()),
                "dst": pa.array(knows_dst, pa.int64()),
                "weight": pa.array(weights, pa.float64()),
                "since": pa.array([2000 + i % 20 for i in range(count)], pa.int64()),
                "note": [f"n{i}" for i in range(count)],
            }
        ),
        "WORKS_AT": pa.table(
            {
                "person_id": pa.array(works_src, pa.int64()),
                "code": works_dst,
                "share": [round(0.25 * (i % 4 + 1), 2) for i in range(len(works_src))],
            }
        ),
        "LIVES_IN": pa.table(
            {"person_id": pa.array(LINKED[:3], pa.int64()), "city": CITIES},
        ),
    }


def specs(root: Path) -> tuple[list[NodeSpec], list[EdgeSpec]]:
    nodes = [
        NodeSpec(
            "Person",
            PropertySpec("person_id", "INT64"),
            [PropertySpec("name", "STRING")],
            root / "Person.parquet",
        ),
        NodeSpec(
            "Company",
            PropertySpec("code", "STRING"),
            [PropertySpec("size", "INT64")],
            root / "Company.parquet",
        ),
        NodeSpec("City", PropertySpec("city", "STRING"), [], root / "City.parquet"),
    ]
    edges = [
        EdgeSpec(
            "KNOWS",
            "Person",
            "Person",
            "src",
            "dst",
            [
                PropertySpec("weight", "DOUBLE"),
                PropertySpec("since", "INT64"),
                PropertySpec("note", "STRING"),
            ],
            root / "KNOWS.parquet",
        ),
        EdgeSpec(
            "WORKS_AT",
            "Person",
            "Company",
            "person_id",
            "code",
            [PropertySpec("share", "DOUBLE")],
            root / "WORKS_AT.parquet",
        ),
        EdgeSpec("LIVES_IN", "Person", "City", "person_id", "city", [], root / "LIVES_IN.parquet"),
    ]
    return nodes, edges


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    root = tmp_path_factory.mktemp("algorithm-graph")
    tables = build_tables()
    for name, table in tables.items():
        pq.write_table(table, root / f"{name}.parquet")
    nodes, edges = specs(root)
    engine = create_engine(ENGINE)
    engine.open(tmp_path_factory.mktemp("engine"), threads=2)
    engine.create_schema(nodes, edges)
    for node in nodes:
        assert engine.load_nodes(node) == tables[node.label].num_rows
    for edge in edges:
        assert engine.load_edges(edge) == tables[edge.type].num_rows
    yield Graph(engine, tables)
    engine.close()


# -- helpers ---------------------------------------------------------------------------------------


def endpoints(view: GraphView) -> tuple[list[Any], list[str]]:
    """Primary key and label of every view index."""
    keys: list[Any] = []
    labels: list[str] = []
    for label, label_keys in zip(view.labels, view.keys, strict=True):
        keys += label_keys.to_pylist()
        labels += [label] * len(label_keys)
    return keys, labels


def view_edges(view: GraphView, label_of_src: str, label_of_dst: str) -> Counter[tuple[Any, Any]]:
    keys, labels = endpoints(view)
    out: Counter[tuple[Any, Any]] = Counter()
    for s, d in zip(view.src.tolist(), view.dst.tolist(), strict=True):
        if labels[s] == label_of_src and labels[d] == label_of_dst:
            out[(keys[s], keys[d])] += 1
    return out


def parquet_edges(table: pa.Table) -> Counter[tuple[Any, Any]]:
    return Counter(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))


def query(engine: Engine, cypher: str) -> tuple[list[str], list[list[Any]]]:
    out = engine.query(cypher, {}, timeout_ms=TIMEOUT, max_rows=None)
    return out.column_types, out.rows


def person_values(engine: Engine, prop: str) -> dict[int, Any]:
    _, rows = query(engine, f"MATCH (p:Person) RETURN p.person_id, p.{prop}")
    return {key: value for key, value in rows}


def person_node(engine: Engine, key: int) -> dict[str, Any]:
    _, rows = query(engine, f"MATCH (p:Person) WHERE p.person_id = {key} RETURN p")
    node: dict[str, Any] = rows[0][0]
    return node


def failing_after(engine: Engine, attribute: str, calls: int) -> None:
    """Make ``engine.<attribute>`` raise once it has run ``calls`` times (a failure in the
    middle of a write-back, after the engine has already written something)."""
    original: Callable[..., Any] = getattr(engine, attribute)
    done = {"calls": 0}

    def hook(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        done["calls"] += 1
        if done["calls"] >= calls:
            raise RuntimeError("injected failure")
        return result

    setattr(engine, attribute, hook)


# -- graph_view ------------------------------------------------------------------------------------


def test_view_numbers_every_node_of_the_labels(graph: Graph) -> None:
    view = graph.engine.graph_view(["Person", "Company"], ["KNOWS", "WORKS_AT"], timeout_ms=TIMEOUT)
    assert view.labels == ["Person", "Company"]
    assert view.rel_types == ["KNOWS", "WORKS_AT"]
    assert sorted(view.keys[0].to_pylist()) == PERSONS  # isolated persons included
    assert sorted(view.keys[1].to_pylist()) == COMPANIES  # and the isolated company
    assert pa.types.is_integer(view.keys[0].type) and pa.types.is_string(view.keys[1].type)
    assert view.num_nodes == 68 and list(view.offsets) == [0, 60, 68]
    assert view.label_slice("Company") == slice(60, 68)
    assert len(set(view.node_ids())) == 68 and "Company_K07" in view.node_ids()
    assert view.src.dtype == np.int64 and view.dst.dtype == np.int64
    assert view.weights is None
    assert view.num_edges == graph.tables["KNOWS"].num_rows + graph.tables["WORKS_AT"].num_rows


def test_view_edges_are_the_parquet_rows(graph: Graph) -> None:
    view = graph.engine.graph_view(["Person", "Company"], ["KNOWS", "WORKS_AT"], timeout_ms=TIMEOUT)
    knows = view_edges(view, "Person", "Person")
    assert knows == parquet_edges(graph.tables["KNOWS"])
    assert knows[(102, 103)] == 3 and knows[(101, 101)] >= 1  # parallel edges, self loops
    works = view_edges(view, "Person", "Company")
    assert works == parquet_edges(graph.tables["WORKS_AT"])  # a two-label type
    assert works[(100, "K00")] == 2
    # Every WORKS_AT target lies in the Company range, every KNOWS end in the Person range.
    assert sum(works.values()) + sum(knows.values()) == view.num_edges
    alone = graph.engine.graph_view(["Person"], ["KNOWS"], timeout_ms=TIMEOUT)
    assert view_edges(alone, "Person", "Person") == knows
    assert alone.num_nodes == 60


def test_view_without_relationship_types(graph: Graph) -> None:
    view = graph.engine.graph_view(["Company"], [], timeout_ms=TIMEOUT)
    assert sorted(view.keys[0].to_pylist()) == COMPANIES
    assert view.num_edges == 0 and view.src.dtype == np.int64
    empty = graph.engine.graph_view(["Company"], [], weight_property="share", timeout_ms=TIMEOUT)
    assert empty.weights is not None and len(empty.weights) == 0


def test_view_weights(graph: Graph) -> None:
    view = graph.engine.graph_view(
        ["Person"], ["KNOWS"], weight_property="weight", timeout_ms=TIMEOUT
    )
    assert view.weights is not None and view.weights.dtype == np.float64
    keys, _ = endpoints(view)
    got = Counter(
        (keys[s], keys[d], w)
        for s, d, w in zip(view.src.tolist(), view.dst.tolist(), view.weights.tolist(), strict=True)
    )
    table = graph.tables["KNOWS"]
    expected = Counter(
        (s, d, 1.0 if w is None or math.isnan(w) else w)  # null and NaN weights count as 1.0
        for s, d, w in zip(
            table.column("src").to_pylist(),
            table.column("dst").to_pylist(),
            table.column("weight").to_pylist(),
            strict=True,
        )
    )
    assert got == expected

    integers = graph.engine.graph_view(
        ["Person"], ["KNOWS"], weight_property="since", timeout_ms=TIMEOUT
    )
    assert integers.weights is not None and integers.weights.dtype == np.float64
    assert sorted(integers.weights.tolist()) == sorted(
        float(v) for v in table.column("since").to_pylist()
    )


def test_view_selection_errors(graph: Graph) -> None:
    engine = graph.engine
    cases = [
        ((["Person"], ["KNOWS"], "nope"), ["'nope'", "KNOWS", "since, weight"]),
        ((["Person"], ["KNOWS"], "note"), ["STRING", "not a number"]),
        ((["Person", "Company"], ["KNOWS", "WORKS_AT"], "weight"), ["WORKS_AT", "share"]),
        ((["Persn"], [], None), ["Persn", "City, Company, Person"]),
        ((["Person"], ["KNOWZ"], None), ["KNOWZ", "KNOWS, LIVES_IN, WORKS_AT"]),
        ((["Person"], ["LIVES_IN"], None), ["LIVES_IN", "City"]),
    ]
    for (labels, types, weight), words in cases:
        with pytest.raises(EngineError) as failure:
            engine.graph_view(labels, types, weight_property=weight, timeout_ms=TIMEOUT)
        assert failure.value.code == "QUERY_ERROR", failure.value.message
        for word in words:
            assert word in failure.value.message, (word, failure.value.message)


def test_csr_export_agrees_with_offset_pairs(graph: Graph) -> None:
    """LadybugDB reads same-label relationships as CSR; the result must equal the pairs."""
    engine: Any = graph.engine
    if not getattr(engine, "csr_export", False):
        pytest.skip(f"{ENGINE} reads offset pairs only")
    fast = engine.graph_view(["Person"], ["KNOWS"], timeout_ms=TIMEOUT)
    assert engine._csr("MATCH (a:Person)-[r:KNOWS]->(b:Person)", 60, 60, TIMEOUT) is not None
    engine.csr_export = False
    try:
        slow = engine.graph_view(["Person"], ["KNOWS"], timeout_ms=TIMEOUT)
    finally:
        del engine.csr_export
    assert Counter(zip(fast.src.tolist(), fast.dst.tolist(), strict=True)) == Counter(
        zip(slow.src.tolist(), slow.dst.tolist(), strict=True)
    )


# -- write-back ------------------------------------------------------------------------------------


def test_written_values_are_read_by_the_next_query(graph: Graph) -> None:
    engine = graph.engine
    view = engine.graph_view(["Person"], ["KNOWS"], timeout_ms=TIMEOUT)
    keys = view.keys[0]
    values: list[float | None] = [k / 4 for k in keys.to_pylist()]
    values[0] = None
    values[1] = math.nan  # "no value": stored as null
    assert engine.write_node_property("Person", "score", "DOUBLE", keys, pa.array(values)) == 60
    expected = {k: (None if i < 2 else k / 4) for i, k in enumerate(keys.to_pylist())}
    assert person_values(engine, "score") == expected
    types, rows = query(engine, "MATCH (p:Person) RETURN p.score ORDER BY p.person_id LIMIT 1")
    assert types == ["DOUBLE"]
    written = keys[5].as_py()
    node = person_node(engine, written)
    assert node["score"] == written / 4 and node["name"] == f"Person {written}"
    assert person_node(engine, keys[0].as_py())["score"] is None  # present, null
    _, rows = query(engine, "MATCH (p:Person) WHERE p.score > 38 RETURN count(p)")
    assert rows == [[sum(1 for v in expected.values() if v is not None and v > 38)]]
    listed = getattr(engine, "written_properties", dict)()
    assert listed.get("Person", {}).get("score") == "DOUBLE"
    engine.drop_node_property("Person", "score")


def test_overwrite_with_another_type_replaces_the_property(graph: Graph) -> None:
    engine = graph.engine
    keys = pa.array(PERSONS, pa.int64())
    engine.write_node_property("Person", "community", "DOUBLE", keys, pa.array([0.5] * 60))
    ints = pa.array([p % 3 if p % 5 else None for p in PERSONS], pa.int64())
    assert engine.write_node_property("Person", "community", "INT64", keys, ints) == 60
    types, _ = query(engine, "MATCH (p:Person) RETURN p.community LIMIT 1")
    assert types == ["INT64"]
    assert person_values(engine, "community") == dict(zip(PERSONS, ints.to_pylist(), strict=True))
    # Fewer keys: the property is replaced for the whole label (the rest reads null).
    flags = pa.array([True, False, None])
    assert engine.write_node_property("Person", "community", "BOOL", keys[:3], flags) == 3
    types, _ = query(engine, "MATCH (p:Person) RETURN p.community LIMIT 1")
    assert types == ["BOOL"]
    assert person_values(engine, "community") == {
        p: [True, False][i] if i < 2 else None for i, p in enumerate(PERSONS)
    }
    assert person_node(engine, 100)["community"] is True
    # The same type again, for fewer nodes: still replaced, no value of the last run survives.
    assert engine.write_node_property("Person", "community", "BOOL", keys[1:2], flags[:1]) == 1
    assert person_values(engine, "community") == {
        p: True if i == 1 else None for i, p in enumerate(PERSONS)
    }
    engine.drop_node_property("Person", "community")


def test_write_counts_only_existing_nodes_and_other_labels_are_untouched(graph: Graph) -> None:
    engine = graph.engine
    keys = pa.array(["K00", "K03", "K99"])
    assert engine.write_node_property("Company", "rank", "INT64", keys, pa.array([1, 2, 3])) == 2
    _, rows = query(engine, "MATCH (c:Company) RETURN c.code, c.rank ORDER BY c.code")
    assert dict(rows) == {c: {"K00": 1, "K03": 2}.get(c) for c in COMPANIES}
    assert "rank" not in person_node(engine, 100)
    assert engine.write_node_property("Company", "empty", "DOUBLE", keys[:0], pa.array([])) == 0
    engine.drop_node_property("Company", "rank")
    engine.drop_node_property("Company", "empty")


def test_drop(graph: Graph) -> None:
    engine = graph.engine
    keys = pa.array(PERSONS, pa.int64())
    engine.write_node_property("Person", "temp", "INT64", keys, pa.array(PERSONS))
    assert person_node(engine, 120)["temp"] == 120
    engine.drop_node_property("Person", "temp")
    assert "temp" not in person_node(engine, 120)
    engine.drop_node_property("Person", "temp")  # absent: no error
    engine.drop_node_property("Nobody", "temp")
    assert getattr(engine, "written_properties", dict)().get("Person", {}).get("temp") is None
    # The name can be written again, with any type.
    engine.write_node_property("Person", "temp", "BOOL", keys[:1], pa.array([False]))
    assert person_node(engine, 100)["temp"] is False
    engine.drop_node_property("Person", "temp")


def test_mapping_properties_and_bad_input_are_refused(graph: Graph) -> None:
    engine = graph.engine
    keys = pa.array(PERSONS[:2], pa.int64())
    for name in ("name", "person_id"):
        with pytest.raises(EngineError) as refused:
            engine.write_node_property("Person", name, "DOUBLE", keys, pa.array([1.0, 2.0]))
        assert refused.value.code == "QUERY_ERROR" and name in refused.value.message
        with pytest.raises(EngineError):
            engine.drop_node_property("Person", name)
    assert person_node(engine, 100)["name"] == "Person 100"
    bad = [
        ("Nobody", "x", "DOUBLE", keys, pa.array([1.0, 2.0])),
        ("Person", "x", "STRING", keys, pa.array(["a", "b"])),
        ("Person", "x", "DOUBLE", keys, pa.array([1.0])),
        ("Person", "x", "INT64", keys, pa.array(["one", "two"])),
    ]
    for label, name, kind, key_array, values in bad:
        with pytest.raises(EngineError) as failure:
            engine.write_node_property(label, name, kind, key_array, values)
        assert failure.value.code == "QUERY_ERROR"
    assert "x" not in person_node(engine, 100)


def test_a_failed_write_leaves_nothing_written(graph: Graph) -> None:
    engine: Any = graph.engine
    keys = pa.array(PERSONS, pa.int64())
    before = [float(p) for p in PERSONS]
    engine.write_node_property("Person", "stable", "DOUBLE", keys, pa.array(before))
    if ENGINE == "falkordb":
        engine.chunk_rows = 16  # several batches: the failure comes after the first ones
        failing_after(engine, "_set_values", 2)
    else:
        failing_after(engine, "_set_values", 1)  # after the SET, before the commit
    try:
        with pytest.raises(EngineError) as failure:
            engine.write_node_property(
                "Person", "stable", "INT64", keys, pa.array([7] * 60, pa.int64())
            )
        assert failure.value.code == "DATABASE_ERROR" and "injected" in failure.value.message
        with pytest.raises(EngineError):
            engine.write_node_property("Person", "fresh", "BOOL", keys, pa.array([True] * 60))
    finally:
        del engine._set_values
        if ENGINE == "falkordb":
            del engine.chunk_rows
    types, _ = query(engine, "MATCH (p:Person) RETURN p.stable LIMIT 1")
    assert types == ["DOUBLE"]
    assert person_values(engine, "stable") == dict(zip(PERSONS, before, strict=True))
    node = person_node(engine, 130)
    assert node["stable"] == 130.0 and "fresh" not in node
    assert not any(k.startswith("__") for k in node)
    # The engine still writes afterwards.
    assert engine.write_node_property("Person", "fresh", "BOOL", keys, pa.array([True] * 60)) == 60
    engine.drop_node_property("Person", "fresh")
    engine.drop_node_property("Person", "stable")


# -- native algorithms -----------------------------------------------------------------------------


def test_kuzu_family_has_no_native_algorithms(graph: Graph) -> None:
    if ENGINE == "falkordb":
        pytest.skip("test_falkordb_algorithms.py covers FalkorDB's procedures")
    view = graph.engine.graph_view(["Person"], ["KNOWS"], timeout_ms=TIMEOUT)
    for name in ("pagerank", "wcc", "betweenness", "label_propagation"):
        assert graph.engine.native_algorithm(name, view, {}, timeout_ms=TIMEOUT) is None
