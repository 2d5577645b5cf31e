"""DuckDB warehouse against real DuckDB files: metadata, describe, pushed-down export, errors."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph_olap_platform.warehouse import TableInfo, WarehouseError
from graph_olap_platform.warehouse.duckdb import DuckDBWarehouse


@pytest.fixture(scope="module")
def odd_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small file with the types that need converting on export, and a view."""
    path = tmp_path_factory.mktemp("odd") / "odd.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            """
            CREATE TABLE kinds (
                id VARCHAR, price DECIMAL(10, 2), huge HUGEINT, small UTINYINT, uid UUID,
                clock TIME, span INTERVAL, tags VARCHAR[], point STRUCT(x DOUBLE, y DOUBLE),
                doc JSON, stamp TIMESTAMPTZ);
            INSERT INTO kinds VALUES
                ('a', 12.34, 12345678901234, 200, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
                 '10:30:00', INTERVAL 2 DAY, ['x', 'y'], {'x': 1.5, 'y': -2},
                 '{"k": 1}', '2024-02-29 13:14:15+00'),
                ('b', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            CREATE VIEW tagged AS SELECT id, tags FROM kinds;
            """
        )
    return path


@pytest.fixture(scope="module")
def odd(odd_path: Path) -> DuckDBWarehouse:
    return DuckDBWarehouse(odd_path)


# -- metadata -------------------------------------------------------------------------------------


def test_catalog_is_the_database_name(duck: DuckDBWarehouse) -> None:
    assert duck.kind == "duckdb"
    assert duck.list_catalogs() == ["warehouse"]
    assert duck.list_schemas("warehouse") == ["analytics", "main"]
    assert duck.list_schemas("no_such_catalog") == []


def test_list_tables(duck: DuckDBWarehouse, odd: DuckDBWarehouse) -> None:
    tables = duck.list_tables("warehouse", "analytics")
    assert [t.name for t in tables] == [
        "customers",
        "knows",
        "people",
        "products",
        "purchases",
        "suppliers",
        "supplies",
    ]
    assert tables[0] == TableInfo("warehouse", "analytics", "customers", "BASE TABLE", 5)
    assert {t.name: t.table_type for t in odd.list_tables("odd", "main")} == {
        "kinds": "BASE TABLE",
        "tagged": "VIEW",
    }
    assert duck.list_tables("warehouse", "nope") == []


def test_list_columns(duck: DuckDBWarehouse) -> None:
    columns = duck.list_columns("warehouse", "analytics", "customers")
    assert [(c.name, c.data_type, c.ryu_type, c.ordinal_position) for c in columns] == [
        ("customer_id", "VARCHAR", "STRING", 1),
        ("name", "VARCHAR", "STRING", 2),
        ("city", "VARCHAR", "STRING", 3),
        ("segment", "VARCHAR", "STRING", 4),
        ("signup_date", "DATE", "DATE", 5),
    ]
    assert not columns[0].is_nullable  # the primary key
    assert duck.list_columns("warehouse", "analytics", "nope") == []


# -- describe -------------------------------------------------------------------------------------


def test_describe_names_and_types(duck: DuckDBWarehouse) -> None:
    columns = duck.describe(
        "SELECT c.customer_id, count(*) AS purchases, sum(p.amount) AS spent, "
        "max(p.purchase_date) AS last_purchase "
        "FROM analytics.customers c JOIN analytics.purchases p USING (customer_id) "
        "GROUP BY ALL"
    )
    assert [(c.name, c.data_type, c.ryu_type) for c in columns] == [
        ("customer_id", "VARCHAR", "STRING"),
        ("purchases", "BIGINT", "INT64"),
        ("spent", "DOUBLE", "DOUBLE"),
        ("last_purchase", "DATE", "DATE"),
    ]
    assert [c.ordinal_position for c in columns] == [1, 2, 3, 4]


def test_describe_does_not_run_the_query(duck: DuckDBWarehouse) -> None:
    # Running either would fail or take very long; describing only binds them.
    assert [c.name for c in duck.describe("SELECT error('boom') AS x")] == ["x"]
    huge = duck.describe("SELECT count(*) AS n FROM range(1000000000000) a, range(1000000) b")
    assert [(c.name, c.ryu_type) for c in huge] == [("n", "INT64")]


def test_describe_accepts_comments_and_trailing_semicolons(duck: DuckDBWarehouse) -> None:
    for sql in (
        "-- people\nSELECT person_id, age\nFROM analytics.people; -- the end\n-- really",
        "-- people\nSELECT person_id, age -- years\nFROM analytics.people;;\n",
        "SELECT person_id, age FROM analytics.people /* done */",
    ):
        assert [c.name for c in duck.describe(sql)] == ["person_id", "age"]
    assert [c.name for c in duck.describe("SELECT ';--x' AS s")] == ["s"]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM analytics.nope", "Table with name nope does not exist"),
        ("SELECT nope FROM analytics.people", 'Referenced column "nope" not found'),
        ("SELEC 1", "syntax error"),
        ("", "SQL is empty"),
    ],
)
def test_describe_errors_carry_duckdbs_message(
    duck: DuckDBWarehouse, sql: str, message: str
) -> None:
    with pytest.raises(WarehouseError) as caught:
        duck.describe(sql)
    assert message in caught.value.message


def test_smuggled_statements_are_refused(duck: DuckDBWarehouse, demo_path: Path) -> None:
    # Text that would close the wrapping parenthesis and run a second statement...
    sql = "SELECT 1 AS x) AS a; CREATE TABLE analytics.evil AS SELECT 1; SELECT * FROM (SELECT 1"
    for call in (lambda: duck.describe(sql), lambda: duck.export(sql, ["x"], demo_path.parent)):
        with pytest.raises(WarehouseError, match="syntax error"):
            call()
    # ... or simply several statements
    sql = "SELECT 1 AS x; CREATE TABLE analytics.evil AS SELECT 1"
    with pytest.raises(WarehouseError, match="single query, found 2 statements"):
        duck.describe(sql)
    with pytest.raises(WarehouseError, match="must be a SELECT query, found CREATE"):
        duck.describe("CREATE TABLE analytics.evil AS SELECT 1")
    assert "evil" not in [t.name for t in duck.list_tables("warehouse", "analytics")]


def test_the_file_is_opened_read_only(duck: DuckDBWarehouse) -> None:
    cursor = duck._cursor()
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            cursor.execute("CREATE TABLE analytics.evil AS SELECT 1")
    finally:
        cursor.close()


# -- export ---------------------------------------------------------------------------------------


def test_export_writes_renamed_columns(duck: DuckDBWarehouse, tmp_path: Path) -> None:
    target = tmp_path / "nodes" / "Customer.parquet"
    result = duck.export(
        "SELECT customer_id AS id, name AS full_name, signup_date FROM analytics.customers",
        ["customer_id", "name", "signup_date"],
        target,
    )
    assert result.row_count == 3000
    assert result.size_bytes == target.stat().st_size
    assert [(c.name, c.ryu_type) for c in result.columns] == [
        ("customer_id", "STRING"),
        ("name", "STRING"),
        ("signup_date", "DATE"),
    ]
    table = pq.read_table(target)
    assert table.schema.names == ["customer_id", "name", "signup_date"]
    assert table.schema.field("signup_date").type == pa.date32()
    assert table.num_rows == pq.read_metadata(target).num_rows == 3000
    assert sorted(table.column("customer_id").to_pylist())[:2] == ["C0001", "C0002"]
    assert [p.name for p in target.parent.iterdir()] == ["Customer.parquet"]


def test_export_of_an_edge_query(duck: DuckDBWarehouse, tmp_path: Path) -> None:
    target = tmp_path / "PURCHASED.parquet"
    result = duck.export(
        "SELECT customer_id, product_id, amount, purchase_date FROM analytics.purchases",
        ["customer_id", "product_id", "amount", "purchase_date"],
        target,
    )
    table = pq.read_table(target)
    assert result.row_count == table.num_rows == 30000
    assert table.schema.field("amount").type == pa.float64()
    total = duck._cursor().execute("SELECT sum(amount) FROM analytics.purchases").fetchone()
    assert total is not None
    assert sum(table.column("amount").to_pylist()) == pytest.approx(total[0])


def test_export_converts_types_engines_cannot_load(odd: DuckDBWarehouse, tmp_path: Path) -> None:
    names = [
        "id",
        "price",
        "huge",
        "small",
        "uid",
        "clock",
        "span",
        "tags",
        "point",
        "doc",
        "stamp",
    ]
    target = tmp_path / "kinds.parquet"
    result = odd.export("SELECT * FROM kinds ORDER BY id", names, target)
    assert {c.name: c.data_type for c in result.columns} == {
        "id": "VARCHAR",
        "price": "DOUBLE",
        "huge": "BIGINT",
        "small": "SMALLINT",
        "uid": "VARCHAR",
        "clock": "VARCHAR",
        "span": "VARCHAR",
        "tags": "VARCHAR[]",
        "point": "STRUCT(x DOUBLE, y DOUBLE)",
        "doc": "VARCHAR",
        "stamp": "TIMESTAMP WITH TIME ZONE",
    }
    table = pq.read_table(target)
    schema = table.schema
    assert schema.field("price").type == pa.float64()
    assert schema.field("huge").type == pa.int64()
    assert schema.field("small").type == pa.int16()
    assert schema.field("uid").type == pa.string()
    assert schema.field("tags").type == pa.list_(pa.string())
    assert pa.types.is_timestamp(schema.field("stamp").type)
    first, second = table.to_pylist()
    assert first["price"] == 12.34
    assert first["huge"] == 12345678901234
    assert first["uid"] == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    assert first["tags"] == ["x", "y"]
    assert first["point"] == {"x": 1.5, "y": -2.0}
    assert first["doc"] == '{"k": 1}'
    assert all(value is None for key, value in second.items() if key != "id")


def test_export_of_an_empty_result_keeps_the_schema(duck: DuckDBWarehouse, tmp_path: Path) -> None:
    target = tmp_path / "empty.parquet"
    result = duck.export(
        "SELECT person_id, age FROM analytics.people WHERE age > 1000", ["id", "age"], target
    )
    assert result.row_count == 0
    assert pq.read_schema(target).names == ["id", "age"]


def test_export_needs_one_name_per_column(duck: DuckDBWarehouse, tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match=r"returns 3 columns but 2 were expected"):
        duck.export("SELECT * FROM analytics.people", ["a", "b"], tmp_path / "x.parquet")
    assert list(tmp_path.iterdir()) == []


def test_failed_export_leaves_no_file(duck: DuckDBWarehouse, tmp_path: Path) -> None:
    target = tmp_path / "boom.parquet"
    with pytest.raises(WarehouseError, match="boom"):
        duck.export(
            "SELECT person_id, CASE WHEN person_id = 'U100' THEN error('boom') ELSE age END AS age "
            "FROM analytics.people",
            ["person_id", "age"],
            target,
        )
    assert list(tmp_path.iterdir()) == []


def test_export_replaces_an_existing_file(duck: DuckDBWarehouse, tmp_path: Path) -> None:
    target = tmp_path / "Person.parquet"
    target.write_bytes(b"old")
    duck.export("SELECT person_id FROM analytics.people", ["person_id"], target)
    assert pq.read_metadata(target).num_rows == 200


# -- concurrency and lifecycle --------------------------------------------------------------------


def test_concurrent_calls_from_many_threads(duck: DuckDBWarehouse, tmp_path: Path) -> None:
    barrier = threading.Barrier(8)

    def work(index: int) -> tuple[int, int]:
        barrier.wait()
        described = duck.describe("SELECT * FROM analytics.knows")
        result = duck.export(
            f"SELECT src, dst FROM analytics.knows WHERE since >= DATE '20{15 + index}-01-01'",
            ["src", "dst"],
            tmp_path / f"{index}.parquet",
        )
        return len(described), result.row_count

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    assert all(columns == 3 for columns, _ in results)
    counts = [rows for _, rows in results]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1] > 0


def test_other_readers_share_the_file(demo_path: Path, duck: DuckDBWarehouse) -> None:
    duck.list_catalogs()  # the shared fixture holds the file open
    other = DuckDBWarehouse(demo_path)
    try:
        assert len(other.describe("SELECT * FROM analytics.products")) == 4
        with duckdb.connect(str(demo_path), read_only=True) as connection:
            assert connection.execute("SELECT count(*) FROM analytics.people").fetchone() == (200,)
    finally:
        other.close()


def test_missing_file_and_reopen_after_close(tmp_path: Path, demo_path: Path) -> None:
    missing = DuckDBWarehouse(tmp_path / "missing.duckdb")
    with pytest.raises(WarehouseError, match="not found"):
        missing.list_catalogs()
    assert not (tmp_path / "missing.duckdb").exists()  # not created by the attempt
    warehouse = DuckDBWarehouse(demo_path)
    assert warehouse.list_catalogs() == ["warehouse"]
    warehouse.close()
    assert warehouse.list_catalogs() == ["warehouse"]  # reopens on demand
    warehouse.close()
