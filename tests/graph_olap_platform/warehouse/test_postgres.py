"""PostgreSQL warehouse against a real server (the session's `postgres` fixture)."""

from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph_olap_platform.warehouse import WarehouseError
from graph_olap_platform.warehouse.demo import DEMO_ROW_COUNTS
from graph_olap_platform.warehouse.postgres import PostgresWarehouse, normalise_url
from tests.graph_olap_platform.warehouse.conftest import EVENTS

pytestmark = pytest.mark.postgres


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


# -- metadata -------------------------------------------------------------------------------------


def test_metadata(pg: PostgresWarehouse, pg_url: str) -> None:
    assert pg.kind == "postgresql"
    catalog = _database(pg_url)
    assert pg.list_catalogs() == [catalog]
    assert pg.list_schemas(catalog) == ["analytics", "public"]
    assert pg.list_schemas("another_database") == []
    tables = {t.name: t for t in pg.list_tables(catalog, "analytics")}
    assert set(DEMO_ROW_COUNTS) < set(tables)
    assert tables["customers"].column_count == 5
    assert tables["customers"].table_type == "BASE TABLE"
    assert tables["big_spenders"].table_type == "VIEW"
    assert tables["big_spenders"].catalog == catalog
    assert pg.list_tables(catalog, "nope") == []


def test_list_columns(pg: PostgresWarehouse, pg_url: str) -> None:
    columns = pg.list_columns(_database(pg_url), "analytics", "kinds")
    assert [(c.name, c.data_type, c.ryu_type) for c in columns] == [
        ("id", "character varying(20)", "STRING"),
        ("small", "smallint", "INT16"),
        ("medium", "integer", "INT32"),
        ("big", "bigint", "INT64"),
        ("price", "numeric(10,2)", "DOUBLE"),
        ("ratio", "real", "FLOAT"),
        ("score", "double precision", "DOUBLE"),
        ("flag", "boolean", "BOOL"),
        ("day", "date", "DATE"),
        ("at", "timestamp without time zone", "TIMESTAMP"),
        ("at_tz", "timestamp with time zone", "TIMESTAMP"),
        ("uid", "uuid", "UUID"),
        ("raw", "bytea", "BLOB"),
        ("tags", "text[]", "LIST"),
        ("doc", "jsonb", "STRING"),
        ("mood", "analytics.mood", "STRING"),  # an enum
        ("positive", "analytics.positive", "INT32"),  # a domain over integer
        ("clock", "time without time zone", None),
        ("span", "interval", None),
    ]
    assert [c.ordinal_position for c in columns] == list(range(1, 20))
    assert not columns[0].is_nullable and columns[1].is_nullable
    assert pg.list_columns(_database(pg_url), "analytics", "nope") == []


# -- describe -------------------------------------------------------------------------------------


def test_describe(pg: PostgresWarehouse) -> None:
    columns = pg.describe(
        "SELECT c.customer_id, count(*) AS purchases, sum(p.amount) AS spent, "
        "max(p.purchase_date) AS last_purchase, avg(p.amount)::numeric(12, 2) AS average "
        "FROM analytics.customers c JOIN analytics.purchases p USING (customer_id) "
        "GROUP BY c.customer_id"
    )
    assert [(c.name, c.data_type, c.ryu_type) for c in columns] == [
        ("customer_id", "text", "STRING"),
        ("purchases", "bigint", "INT64"),
        ("spent", "double precision", "DOUBLE"),
        ("last_purchase", "date", "DATE"),
        ("average", "numeric(12,2)", "DOUBLE"),
    ]


def test_describe_does_not_run_the_query(pg: PostgresWarehouse) -> None:
    started = time.perf_counter()
    columns = pg.describe(
        "SELECT pg_sleep(30) AS slept, 1 / (seq - seq) AS broken, analytics.delete_events() AS n "
        "FROM analytics.events"
    )
    assert time.perf_counter() - started < 5
    assert [(c.name, c.data_type) for c in columns] == [
        ("slept", "void"),
        ("broken", "integer"),
        ("n", "bigint"),
    ]
    assert pg.describe("SELECT 1 / 0 AS constant")[0].name == "constant"  # not even planned


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM analytics.nope", 'relation "analytics.nope" does not exist'),
        ("SELECT nope FROM analytics.people", 'column "nope" does not exist'),
        ("SELEC 1", 'syntax error at or near "1"\nLINE 1: SELECT * FROM (SELEC 1'),
        ("SELECT 1 AS x; SELECT 2", "syntax error"),
        ("DELETE FROM analytics.people", "syntax error"),
    ],
)
def test_describe_errors_carry_postgresqls_message(
    pg: PostgresWarehouse, sql: str, message: str
) -> None:
    with pytest.raises(WarehouseError) as caught:
        pg.describe(sql)
    assert message in caught.value.message


# -- export ---------------------------------------------------------------------------------------


def test_export_of_many_rows_streams_through_arrow(pg: PostgresWarehouse, tmp_path: Path) -> None:
    """More than 100 000 rows of scalar columns: COPY ... TO STDOUT (csv) read by Arrow."""
    target = tmp_path / "nodes" / "Event.parquet"
    result = pg.export(
        "SELECT event_id, seq, value, day FROM analytics.events",
        ["event_id", "sequence", "value", "day"],
        target,
    )
    assert result.row_count == EVENTS
    assert result.size_bytes == target.stat().st_size
    assert [(c.name, c.data_type, c.ryu_type) for c in result.columns] == [
        ("event_id", "text", "STRING"),
        ("sequence", "integer", "INT32"),
        ("value", "double precision", "DOUBLE"),  # numeric on the server
        ("day", "date", "DATE"),
    ]
    metadata = pq.read_metadata(target)
    assert metadata.num_rows == EVENTS
    assert metadata.num_row_groups > 1  # written batch by batch
    table = pq.read_table(target)
    assert table.schema.types == [pa.string(), pa.int32(), pa.float64(), pa.date32()]
    assert table.column("sequence").to_pylist() == list(range(1, EVENTS + 1))
    assert sum(table.column("value").to_pylist()) == pytest.approx(
        sum((g % 97) * 1.5 for g in range(1, EVENTS + 1))
    )
    assert table.slice(0, 1).to_pylist() == [
        {"event_id": "E0000001", "sequence": 1, "value": 1.5, "day": date(2023, 1, 2)}
    ]
    assert [p.name for p in target.parent.iterdir()] == ["Event.parquet"]


def test_export_with_arrays_fetches_batches(tmp_path: Path, pg_url: str) -> None:
    """Columns Arrow cannot read from CSV (arrays): a server-side cursor, batch by batch."""
    warehouse = PostgresWarehouse(pg_url, batch_rows=40_000)
    target = tmp_path / "pairs.parquet"
    result = warehouse.export(
        "SELECT event_id, pair FROM analytics.events", ["event_id", "pair"], target
    )
    assert result.row_count == EVENTS
    metadata = pq.read_metadata(target)
    assert metadata.num_row_groups == math.ceil(EVENTS / 40_000)
    table = pq.read_table(target)
    assert table.schema.field("pair").type == pa.list_(pa.int32())
    assert table.slice(EVENTS - 1, 1).to_pylist() == [
        {"event_id": f"E{EVENTS:07d}", "pair": [EVENTS, EVENTS + 1]}
    ]


def test_export_types(pg: PostgresWarehouse, tmp_path: Path) -> None:
    names = [c.name for c in pg.describe("SELECT * FROM analytics.kinds")]
    target = tmp_path / "kinds.parquet"
    result = pg.export("SELECT * FROM analytics.kinds ORDER BY id", names, target)
    assert {c.name: c.data_type for c in result.columns} == {
        "id": "text",
        "small": "smallint",
        "medium": "integer",
        "big": "bigint",
        "price": "double precision",
        "ratio": "real",
        "score": "double precision",
        "flag": "boolean",
        "day": "date",
        "at": "timestamp without time zone",
        "at_tz": "timestamp with time zone",
        "uid": "text",
        "raw": "bytea",
        "tags": "text[]",
        "doc": "text",
        "mood": "text",
        "positive": "integer",
        "clock": "text",
        "span": "text",
    }
    table = pq.read_table(target)
    assert table.schema.field("at_tz").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("raw").type == pa.binary()
    first, second = table.to_pylist()
    assert first == {
        "id": "k1",
        "small": 1,
        "medium": 2,
        "big": 3,
        "price": 12.34,
        "ratio": 1.5,
        "score": 2.25,
        "flag": True,
        "day": date(2024, 2, 29),
        "at": datetime(2024, 2, 29, 13, 14, 15, 500000),
        "at_tz": datetime(2024, 2, 29, 11, 14, 15, tzinfo=UTC),
        "uid": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "raw": b"\x01\x02",
        "tags": ["a", "b"],
        "doc": '{"k": [1, 2]}',
        "mood": "sad",
        "positive": 7,
        "clock": "10:30:00",
        "span": "1 day 02:00:00",
    }
    assert all(value is None for key, value in second.items() if key != "id")


def test_export_keeps_text_and_floats_exact(pg: PostgresWarehouse, tmp_path: Path) -> None:
    """The CSV path: empty string vs NULL, quoting, 'NA'/'NULL' text, special floats."""
    target = tmp_path / "texts.parquet"
    pg.export("SELECT * FROM analytics.texts ORDER BY id", ["id", "body", "score"], target)
    rows = pq.read_table(target).to_pylist()
    assert [row["body"] for row in rows] == [
        "",
        None,
        "NA",
        'comma, "quote" and\nnewline',
        "NULL",
        "ünïcødé ✓",
    ]
    scores = [row["score"] for row in rows]
    assert math.isnan(scores[0])
    assert scores[1:5] == [math.inf, -math.inf, 0.1, 1e300]
    assert scores[5] == 0.0


def test_export_runs_read_only(pg: PostgresWarehouse, pg_url: str, tmp_path: Path) -> None:
    target = tmp_path / "deleted.parquet"
    with pytest.raises(WarehouseError, match="cannot execute DELETE in a read-only transaction"):
        pg.export("SELECT analytics.delete_events() AS n", ["n"], target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    with psycopg.connect(pg_url) as connection:
        row = connection.execute("SELECT count(*) FROM analytics.events").fetchone()
    assert row == (EVENTS,)


def test_export_errors(pg: PostgresWarehouse, tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="division by zero"):
        pg.export(
            "SELECT event_id, 1 / (seq - 10) AS x FROM analytics.events",
            ["id", "x"],
            tmp_path / "a.parquet",
        )
    with pytest.raises(WarehouseError, match="returns 3 columns but 1 was expected"):
        pg.export("SELECT * FROM analytics.people", ["person_id"], tmp_path / "b.parquet")
    assert list(tmp_path.iterdir()) == []


def test_export_renames_by_position(pg: PostgresWarehouse, tmp_path: Path) -> None:
    target = tmp_path / "KNOWS.parquet"
    result = pg.export(
        "SELECT k.src, k.dst, k.since FROM analytics.knows k;  -- friends",
        ["from_id", "to_id", "since"],
        target,
    )
    assert result.row_count == DEMO_ROW_COUNTS["knows"]
    assert pq.read_schema(target).names == ["from_id", "to_id", "since"]


def test_unreachable_server(tmp_path: Path) -> None:
    warehouse = PostgresWarehouse("postgresql://nobody@127.0.0.1:1/none", connect_timeout=2)
    with pytest.raises(WarehouseError, match="connection"):
        warehouse.describe("SELECT 1")


def test_urls() -> None:
    assert normalise_url("postgresql+psycopg://u@h/db") == "postgresql://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgres://u@h/db"


@pytest.mark.parametrize("columns", ["person_id, age", "person_id, ARRAY[age] AS ages"])
def test_export_of_an_empty_result_keeps_the_schema(
    pg: PostgresWarehouse, tmp_path: Path, columns: str
) -> None:
    target = tmp_path / "empty.parquet"
    result = pg.export(
        f"SELECT {columns} FROM analytics.people WHERE age > 1000", ["id", "age"], target
    )
    assert result.row_count == 0
    assert pq.read_schema(target).names == ["id", "age"]
