"""Value encoding, Kuzu result conversion, Parquet staging and mapping parsing (no engine)."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph_olap_platform.wrapper.engines.base import EngineError, QueryTimeout
from graph_olap_platform.wrapper.engines.kuzu_family import translate_error
from graph_olap_platform.wrapper.engines.kuzu_values import (
    Catalog,
    ValueConverter,
    arrow_to_kuzu_type,
    graph_columns_as_json,
    holds_graph_values,
    invalid_columns,
    table_rows,
)
from graph_olap_platform.wrapper.engines.parquet_staging import stage, staged_chunks
from graph_olap_platform.wrapper.engines.watchdog import Watchdog
from graph_olap_platform.wrapper.mapping import MappingError, from_payload, standalone_mapping
from graph_olap_platform.wrapper.values import (
    iso_datetime,
    iso_duration,
    normalise_type_name,
    plain,
)
from tests.graph_olap_platform.wrapper.snapshot import MAPPING, write_snapshot


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "PT0S"),
        (timedelta(days=1, hours=2), "P1DT2H"),
        (timedelta(minutes=5, seconds=30), "PT5M30S"),
        (timedelta(seconds=1, microseconds=500_000), "PT1.5S"),
        (timedelta(days=-3), "-P3D"),
        (timedelta(days=367, seconds=3), "P367DT3S"),
    ],
)
def test_iso_durations(delta: timedelta, text: str) -> None:
    assert iso_duration(delta) == text


def test_plain_values() -> None:
    assert iso_datetime(datetime(2025, 1, 15, 10, 30)) == "2025-01-15T10:30:00Z"
    plus_two = datetime(2025, 1, 15, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    assert iso_datetime(plus_two) == "2025-01-15T10:30:00Z"
    assert plain(date(2025, 1, 15)) == "2025-01-15"
    assert plain(b"\xaa\xbb") == "qrs="
    assert plain(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert plain(Decimal("1.50")) == 1.5 and plain(Decimal("7")) == 7
    assert plain(Decimal(2**70)) == str(2**70)
    assert plain(float("nan")) is None
    assert plain({1: [datetime(2025, 1, 1, tzinfo=UTC)]}) == {"1": ["2025-01-01T00:00:00Z"]}


@pytest.mark.parametrize(
    ("engine_type", "name"),
    [
        ("INT64", "INT64"),
        ("INT64[]", "LIST"),
        ("STRING[3]", "LIST"),
        ("STRUCT(a INT64, b STRUCT(c STRING))", "STRUCT"),
        ("MAP(STRING, INT64)", "MAP"),
        ("DECIMAL(5, 2)", "DECIMAL"),
        ("RECURSIVE_REL", "RECURSIVE_REL"),
        ("", "ANY"),
    ],
)
def test_type_names(engine_type: str, name: str) -> None:
    assert normalise_type_name(engine_type) == name


def test_error_translation() -> None:
    syntax = translate_error(
        'Parser exception: Invalid input < LIMT>: expected rule (line: 3, offset: 9)\n"x"'
    )
    assert isinstance(syntax, EngineError) and syntax.code == "QUERY_SYNTAX_ERROR"
    assert syntax.position == {"line": 3, "column": 10}
    binder = translate_error("Binder exception: Table Nope does not exist.")
    assert isinstance(binder, EngineError) and binder.code == "QUERY_ERROR"
    assert binder.position is None
    assert isinstance(translate_error("Interrupted."), QueryTimeout)


CATALOG = Catalog(
    node_keys={"Customer": "customer_id", "Product": "product_id"},
    node_properties={
        "Customer": frozenset({"customer_id", "name"}),
        "Product": frozenset({"product_id", "price"}),
    },
    rel_properties={"PURCHASED": frozenset({"amount"})},
    node_tables={0: "Customer", 1: "Product"},
)
KEYS = {(0, 0): "C1", (0, 1): "C2", (1, 0): "P1"}


def _customer(offset: int, key: str) -> dict[str, object]:
    return {
        "_ID": {"offset": offset, "table": 0},
        "_LABEL": "Customer",
        "customer_id": key,
        "name": None,
        "product_id": None,
        "price": None,
    }


def _purchase(src: int, dst: int, offset: int) -> dict[str, object]:
    return {
        "_SRC": {"offset": src, "table": 0},
        "_DST": {"offset": dst, "table": 1},
        "_LABEL": "PURCHASED",
        "_ID": {"offset": offset, "table": 5},
        "amount": 2.5,
    }


def test_nodes_relationships_and_paths() -> None:
    lookups: list[tuple[int, int]] = []

    def resolve(table: int, offset: int) -> object:
        lookups.append((table, offset))
        return KEYS.get((table, offset))

    converter = ValueConverter(CATALOG, resolve)
    node = converter.convert(_customer(0, "C1"))
    # Own properties stay even when null; other labels' nulls (from paths) are dropped.
    assert node == {"_id": "Customer_C1", "_label": "Customer", "customer_id": "C1", "name": None}
    rel = converter.convert(_purchase(0, 0, 7))
    assert rel == {
        "_id": "PURCHASED_7",
        "_type": "PURCHASED",
        "_start": "Customer_C1",
        "_end": "Product_P1",
        "amount": 2.5,
    }
    converter.convert(_purchase(0, 0, 8))
    assert lookups == [(0, 0), (1, 0)]  # memoised per result
    product = {
        "_ID": {"offset": 0, "table": 1},
        "_LABEL": "Product",
        "customer_id": None,
        "name": None,
        "product_id": "P1",
        "price": 9.5,
    }
    path = converter.convert(
        {"_NODES": [_customer(1, "C2"), product], "_RELS": [_purchase(1, 0, 3)]}
    )
    assert [item.get("_id") for item in path] == ["Customer_C2", "PURCHASED_3", "Product_P1"]
    assert path[1]["_start"] == "Customer_C2"  # resolved from the path itself
    assert path[2] == {"_id": "Product_P1", "_label": "Product", "product_id": "P1", "price": 9.5}
    # A bare recursive relationship only carries its intermediate nodes.
    bare = converter.convert({"_NODES": [], "_RELS": [_purchase(0, 0, 1)]})
    assert [item["_type"] for item in bare] == ["PURCHASED"]


def test_arrow_tables_to_rows_and_json_columns() -> None:
    node_type = pa.struct(
        [
            ("_ID", pa.struct([("offset", pa.int64()), ("table", pa.int64())])),
            ("_LABEL", pa.string()),
            ("customer_id", pa.string()),
            ("name", pa.string()),
        ]
    )
    nodes = pa.array(
        [
            {
                "_ID": {"offset": 0, "table": 0},
                "_LABEL": "Customer",
                "customer_id": "C1",
                "name": "Ann",
            },
            None,
        ],
        node_type,
    )
    table = pa.table(
        {
            "n": nodes,
            "d": pa.array([date(2024, 1, 2), None]),
            "x": pa.array([1.5, float("inf")]),
            "m": pa.array([[("a", 1)], []], pa.map_(pa.string(), pa.int64())),
        }
    )
    assert holds_graph_values(node_type) and not holds_graph_values(pa.list_(pa.int64()))
    converter = ValueConverter(CATALOG, lambda t, o: None)
    assert table_rows(table, converter) == [
        [
            {"_id": "Customer_C1", "_label": "Customer", "customer_id": "C1", "name": "Ann"},
            "2024-01-02",
            1.5,
            {"a": 1},
        ],
        [None, None, None, {}],
    ]
    arrow = graph_columns_as_json(table, converter)
    assert arrow.schema.field("n").type == pa.string()
    assert json.loads(arrow.column("n")[0].as_py())["_id"] == "Customer_C1"
    assert arrow.column("n")[1].as_py() is None
    assert arrow.schema.field("d").type == pa.date32()
    replaced = table_rows(table, converter, {3: [{"b": 2}, None]})
    assert [row[3] for row in replaced] == [{"b": 2}, None]


def test_valid_columns_pass_validation() -> None:
    # Malformed arrays (Ryugraph's null nodes) cannot be built from Python; the HTTP tests cover
    # them through OPTIONAL MATCH results on Ryugraph.
    table = pa.table({"n": pa.array([1, 2]), "s": pa.array([{"v": "a"}, None])})
    assert invalid_columns(table) == []


def test_arrow_types_for_container_properties() -> None:
    assert arrow_to_kuzu_type(pa.list_(pa.string())) == "STRING[]"
    assert arrow_to_kuzu_type(pa.struct([("a", pa.int32())])) == "STRUCT(`a` INT32)"
    assert arrow_to_kuzu_type(pa.map_(pa.string(), pa.float64())) == "MAP(STRING, DOUBLE)"
    assert arrow_to_kuzu_type(pa.decimal128(10, 2)) == "DOUBLE"


def test_staging_casts_decimals_exactly_and_timestamps_to_microseconds(tmp_path: Path) -> None:
    source = tmp_path / "t.parquet"
    pq.write_table(
        pa.table(
            {
                "id": ["a", "b"],
                "price": pa.array([Decimal("16.99"), None], pa.decimal128(10, 2)),
                "at": pa.array([datetime(2024, 1, 1), datetime(2024, 1, 2)], pa.timestamp("ns")),
            }
        ),
        source,
    )
    staged = stage(
        source, ["id", "price", "at"], ["STRING", "DOUBLE", "TIMESTAMP"], tmp_path / "staging"
    )
    assert staged != source
    table = pq.read_table(staged)
    assert table.column("price").to_pylist() == [16.99, None]
    assert table.schema.field("at").type == pa.timestamp("us")
    plain_file = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"id": ["a"], "n": [1]}), plain_file)
    assert stage(plain_file, ["ID", "n"], ["STRING", "INT64"], tmp_path / "staging") == plain_file


def test_staging_reorders_columns_by_name(tmp_path: Path) -> None:
    source = tmp_path / "t.parquet"
    pq.write_table(pa.table({"name": ["x"], "extra": [1], "id": ["k"]}), source)
    staged = stage(source, ["id", "name"], ["STRING", "STRING"], tmp_path / "staging")
    assert pq.read_table(staged).to_pylist() == [{"id": "k", "name": "x"}]
    with pytest.raises(ValueError, match="nope"):
        stage(source, ["id", "nope"], ["STRING", "STRING"], tmp_path / "staging")


def test_chunks_are_exact(tmp_path: Path) -> None:
    source = tmp_path / "big.parquet"
    pq.write_table(pa.table({"n": list(range(1_000))}), source, row_group_size=137)
    staging = tmp_path / "staging"
    with staged_chunks(source, ["n"], ["INT64"], staging, first_rows=100, rows=300) as chunks:
        sizes = []
        values: list[int] = []
        for path, rows in chunks:
            sizes.append(rows)
            values += pq.read_table(path).column("n").to_pylist()
    assert sizes == [100, 300, 300, 300]
    assert values == list(range(1_000))
    assert not list(staging.glob("*.parquet"))


def test_mapping_from_payload_and_manifest(tmp_path: Path) -> None:
    snapshot = write_snapshot(tmp_path / "snap", views=10)
    payload = {**MAPPING, "instance_id": 5, "snapshot_path": str(snapshot.path)}
    mapping = from_payload({"data": payload})
    assert mapping.instance_id == 5 and mapping.owner_username == "alice.smith"
    assert mapping.node_labels == ["Customer", "Product"]
    assert mapping.nodes[0].parquet == snapshot.path / "nodes" / "Customer.parquet"
    assert mapping.nodes[0].primary_key.type == "STRING"
    assert mapping.edges[2].type == "VIEWED" and mapping.expected_rows["VIEWED"] == 10
    # Without a mapping file, definitions are derived from the manifest and Parquet types.
    derived = standalone_mapping(snapshot.path, None)
    assert derived.node_labels == ["Customer", "Product"]
    assert derived.edges[0].from_key == "customer_id" and derived.edges[0].to_node == "Product"
    assert {p.name: p.type for p in derived.nodes[0].properties}["tags"] == "LIST"
    with pytest.raises(MappingError):
        from_payload({**payload, "snapshot_path": str(tmp_path / "missing")})
    with pytest.raises(MappingError):
        standalone_mapping(None, None)


def test_watchdog_fires_unless_disarmed() -> None:
    fired: list[str] = []
    watchdog = Watchdog()
    watchdog.arm(0.05, lambda: fired.append("late"))
    early = watchdog.arm(0.01, lambda: fired.append("disarmed"))
    watchdog.disarm(early)
    watchdog.arm(0.02, lambda: fired.append("first"))
    time.sleep(0.3)
    assert fired == ["first", "late"]
