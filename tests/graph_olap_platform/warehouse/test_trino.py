"""Trino / Starburst warehouse, tested without a Trino server.

There is no Trino (or Starburst) server on the test machine, so these tests cover what can be
checked without one: URL parsing and the client settings it yields, the SQL the warehouse sends
(describe, export with its casts, metadata, the pushed-down unload/CTAS statements), type
mapping, and the real ``trino`` client failing to reach a server. Only the wiring of cursor
calls into metadata, describe and the batched Parquet export runs against a fake DB-API
connection (`FakeConnection` below) — unavoidable without a server. The fake returns the Python
value types the ``trino`` client produces (``date``, aware ``datetime``, tuples for rows, dicts
for maps, ``bytes``). Everything after the cursor (Arrow conversion, Parquet writing, row counts)
is the same code the PostgreSQL warehouse runs against a real server.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from trino.auth import BasicAuthentication
from trino.exceptions import TrinoUserError

from graph_olap_platform.warehouse import WarehouseError, open_warehouse
from graph_olap_platform.warehouse.trino import (
    TrinoWarehouse,
    ctas_sql,
    describe_sql,
    export_sql,
    parse_trino_url,
    trino_export_type,
    unload_sql,
)

# -- URL parsing ----------------------------------------------------------------------------------


def test_minimal_url() -> None:
    settings = parse_trino_url("trino://alice@trino.internal/hive")
    assert (settings.host, settings.port, settings.user) == ("trino.internal", 8080, "alice")
    assert (settings.catalog, settings.schema, settings.password) == ("hive", None, None)
    assert settings.http_scheme == "http"
    assert settings.connect_kwargs() == {
        "host": "trino.internal",
        "port": 8080,
        "user": "alice",
        "catalog": "hive",
        "http_scheme": "http",
        "verify": True,
        "source": "graph-olap",
        "request_timeout": 30.0,
    }


def test_full_url() -> None:
    settings = parse_trino_url(
        "trino://svc%40corp:s%3Acret@starburst.example.com/hive/analytics"
        "?roles=hive:analyst,system:reader&client_tags=graph-olap,export&source=graph-olap-export"
        "&session.query_max_run_time=30m&verify=/etc/ssl/ca.pem&request_timeout=60"
        "&encoding=json%2Bzstd,json&batch_rows=1000"
    )
    assert settings.user == "svc@corp" and settings.password == "s:cret"
    assert (settings.http_scheme, settings.port) == ("https", 443)  # a password needs HTTPS
    assert (settings.catalog, settings.schema) == ("hive", "analytics")
    assert settings.roles == {"hive": "analyst", "system": "reader"}
    assert settings.client_tags == ("graph-olap", "export")
    assert settings.session_properties == {"query_max_run_time": "30m"}
    assert settings.verify == "/etc/ssl/ca.pem"
    assert settings.encoding == ("json+zstd", "json")
    assert settings.batch_rows == 1000
    kwargs = settings.connect_kwargs()
    assert isinstance(kwargs["auth"], BasicAuthentication)
    assert kwargs["roles"] == {"hive": "analyst", "system": "reader"}
    assert kwargs["client_tags"] == ["graph-olap", "export"]
    assert kwargs["source"] == "graph-olap-export"
    assert TrinoWarehouse("trino://a:b@h/c?batch_rows=1000&http_scheme=https").batch_rows == 1000


@pytest.mark.parametrize(
    ("url", "field", "value"),
    [
        ("trino://u@h:8443/c?http_scheme=https", "port", 8443),
        ("trino://u@h/c?schema=s", "schema", "s"),
        ("trino://u@h/c?verify=false", "verify", False),
        ("trino://u@h/c?roles=admin", "roles", "admin"),
        ("trino://h", "user", "graph-olap"),
        ("trino://h", "catalog", None),
        ("trino://u:p@h/c?http_scheme=http", "http_scheme", "http"),
    ],
)
def test_url_parameters(url: str, field: str, value: object) -> None:
    assert getattr(parse_trino_url(url), field) == value


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://h/db", "Not a trino:// URL"),
        ("trino:///hive", "names no host"),
        ("trino://u@h/a/b/c", "path is /catalog"),
        ("trino://u@h/c?colour=blue", "Unknown Trino URL parameters: colour"),
        ("trino://u@h/c?http_scheme=ftp", "http_scheme must be http or https"),
        ("trino://u@h/c?request_timeout=soon", "Invalid Trino URL"),
        ("trino://u@h/c?roles=a:b,c", "roles must be"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_trino_url(url)


# -- SQL generation -------------------------------------------------------------------------------


def test_describe_sql_plans_without_reading() -> None:
    assert describe_sql("SELECT a FROM t;  ") == "SELECT * FROM (SELECT a FROM t\n) AS _q LIMIT 0"


@pytest.mark.parametrize(
    ("trino_type", "exported"),
    [
        ("varchar(20)", "varchar(20)"),
        ("bigint", "bigint"),
        ("decimal(10,2)", "double"),
        ("uuid", "varchar"),
        ("time(3)", "varchar"),
        ("interval day to second", "varchar"),
        ("ipaddress", "varchar"),
        ("timestamp(3) with time zone", "timestamp(3) with time zone"),
        ("array(decimal(5,1))", "array(double)"),
        ("map(varchar, uuid)", "map(varchar, varchar)"),
        ("row(a decimal(3,0), b varchar)", 'row("a" double, "b" varchar)'),
        ("row(integer, varchar)", "json"),
        ("json", "json"),
    ],
)
def test_export_types(trino_type: str, exported: str) -> None:
    assert trino_export_type(trino_type) == exported


def test_export_sql_renames_and_casts() -> None:
    sql = export_sql(
        "SELECT id, price, doc, uid, tags FROM hive.shop.items",
        ["item_id", "price", "doc", 'odd "name"', "tags"],
        ["varchar", "decimal(10,2)", "json", "uuid", "array(varchar)"],
    )
    assert sql == (
        'SELECT "item_id", CAST("price" AS double) AS "price", json_format("doc") AS "doc", '
        'CAST("odd ""name""" AS varchar) AS "odd ""name""", "tags" '
        "FROM (SELECT id, price, doc, uid, tags FROM hive.shop.items\n) "
        'AS _q("item_id", "price", "doc", "odd ""name""", "tags")'
    )


def test_pushed_down_export_statements() -> None:
    assert unload_sql(
        "SELECT customer_id, name FROM hive.analytics.customers",
        ["customer_id", "name"],
        "s3://bucket/snapshots/7/nodes/Customer/",
    ) == (
        "SELECT * FROM TABLE(system.unload(\n"
        '  input => TABLE(SELECT "customer_id", "name" FROM '
        "(SELECT customer_id, name FROM hive.analytics.customers\n) "
        'AS _q("customer_id", "name")),\n'
        "  location => 's3://bucket/snapshots/7/nodes/Customer/',\n"
        "  format => 'PARQUET',\n"
        "  compression => 'ZSTD'\n"
        "))"
    )
    assert ctas_sql(
        "SELECT src, dst FROM hive.social.knows",
        ["src", "dst"],
        "hive.graph_olap_exports.snapshot_7_knows",
        "s3://bucket/snapshots/7/edges/KNOWS/",
    ) == (
        'CREATE TABLE "hive"."graph_olap_exports"."snapshot_7_knows"\n'
        "WITH (format = 'PARQUET', external_location = 's3://bucket/snapshots/7/edges/KNOWS/')\n"
        'AS SELECT "src", "dst" FROM (SELECT src, dst FROM hive.social.knows\n) '
        'AS _q("src", "dst")'
    )


# -- the real client without a server --------------------------------------------------------------


def test_unreachable_server_is_a_warehouse_error() -> None:
    warehouse = open_warehouse("trino://alice@127.0.0.1:1/hive?request_timeout=2")
    assert isinstance(warehouse, TrinoWarehouse) and warehouse.kind == "trino"
    with pytest.raises(WarehouseError, match=r"Connection refused|failed to execute"):
        warehouse.list_catalogs()


# -- cursor wiring, against a fake DB-API connection (no Trino server here) ------------------------

Handler = Callable[[str], tuple[list[tuple[str, str]], list[tuple[Any, ...]]]]


class FakeCursor:
    def __init__(self, connection: FakeConnection) -> None:
        self.connection = connection
        self.description: list[tuple[Any, ...]] | None = None
        self.arraysize = 1
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, operation: str) -> None:
        self.connection.executed.append(operation)
        columns, rows = self.connection.handler(operation)
        self.description = [(name, kind, None, None, None, None, None) for name, kind in columns]
        self._rows = list(rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        self.connection.fetch_sizes.append(size)
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def close(self) -> None:
        self.connection.cursors_closed += 1


class FakeConnection:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.executed: list[str] = []
        self.fetch_sizes: list[int] = []
        self.cursors_closed = 0
        self.closed = False

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def close(self) -> None:
        self.closed = True


def _warehouse(handler: Handler, **kwargs: Any) -> tuple[TrinoWarehouse, list[FakeConnection]]:
    connections: list[FakeConnection] = []

    def connect() -> FakeConnection:
        connections.append(FakeConnection(handler))
        return connections[-1]

    url = "trino://alice@trino.internal/hive?schema=analytics"
    return TrinoWarehouse(url, connect=connect, **kwargs), connections


ITEM_COLUMNS = [
    ("id", "varchar(10)"),
    ("price", "decimal(10,2)"),
    ("qty", "integer"),
    ("added", "date"),
    ("seen", "timestamp(3) with time zone"),
    ("tags", "array(varchar)"),
    ("attrs", "map(varchar, bigint)"),
    ("dims", "row(w double, h double)"),
    ("raw", "varbinary"),
]
ITEMS = 2500


def _item(index: int) -> tuple[Any, ...]:
    """A row as the trino client returns it after the export casts (price is a double)."""
    return (
        f"I{index:04d}",
        index / 4,
        index,
        date(2024, 1, 1) + timedelta(days=index % 366),
        datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2))),
        ["new"] if index % 2 else [],
        {"stock": index},
        (1.5, float(index)),
        bytes([index % 256]),
    )


def test_metadata_queries() -> None:
    def handler(sql: str) -> tuple[list[tuple[str, str]], list[tuple[Any, ...]]]:
        if sql == "SHOW CATALOGS":
            return [("Catalog", "varchar")], [("system",), ("tpch",), ("hive",)]
        if "information_schema.schemata" in sql:
            return [("schema_name", "varchar")], [("analytics",), ("raw",)]
        if "information_schema.tables" in sql:
            return [("table_name", "varchar")], [("items", "BASE TABLE", 9), ("v", "VIEW", 2)]
        return [("column_name", "varchar")], [
            (n, t, "YES", i) for i, (n, t) in enumerate(ITEM_COLUMNS, 1)
        ]

    warehouse, connections = _warehouse(handler)
    assert warehouse.list_catalogs() == ["hive", "tpch"]
    assert warehouse.list_schemas("hive") == ["analytics", "raw"]
    tables = warehouse.list_tables("hive", "analytics")
    assert [(t.catalog, t.schema, t.name, t.table_type, t.column_count) for t in tables] == [
        ("hive", "analytics", "items", "BASE TABLE", 9),
        ("hive", "analytics", "v", "VIEW", 2),
    ]
    columns = warehouse.list_columns("hive", "analytics", "it'ems")
    assert [(c.name, c.ryu_type) for c in columns][:3] == [
        ("id", "STRING"),
        ("price", "DOUBLE"),
        ("qty", "INT32"),
    ]
    executed = [c.executed[0] for c in connections]
    assert executed[1] == (
        'SELECT schema_name FROM "hive".information_schema.schemata '
        "WHERE schema_name <> 'information_schema' ORDER BY schema_name"
    )
    assert "WHERE t.table_schema = 'analytics'" in executed[2]
    assert "table_name = 'it''ems'" in executed[3]  # literals are escaped
    assert all(c.closed and c.cursors_closed == 1 for c in connections)


def test_describe_and_export_in_batches(tmp_path: Path) -> None:
    def handler(sql: str) -> tuple[list[tuple[str, str]], list[tuple[Any, ...]]]:
        if sql.endswith("LIMIT 0"):
            return ITEM_COLUMNS, []
        exported = [(n, "double" if n == "price" else t) for n, t in ITEM_COLUMNS]
        return exported, [_item(i) for i in range(ITEMS)]

    warehouse, connections = _warehouse(handler, batch_rows=1000)
    described = warehouse.describe("SELECT * FROM items")
    assert [(c.name, c.data_type, c.ryu_type) for c in described] == [
        ("id", "varchar(10)", "STRING"),
        ("price", "decimal(10,2)", "DOUBLE"),
        ("qty", "integer", "INT32"),
        ("added", "date", "DATE"),
        ("seen", "timestamp(3) with time zone", "TIMESTAMP"),
        ("tags", "array(varchar)", "LIST"),
        ("attrs", "map(varchar, bigint)", "MAP"),
        ("dims", "row(w double, h double)", "STRUCT"),
        ("raw", "varbinary", "BLOB"),
    ]
    names = [name for name, _ in ITEM_COLUMNS]
    target = tmp_path / "nodes" / "Item.parquet"
    result = warehouse.export("SELECT * FROM items", names, target)
    assert result.row_count == ITEMS
    assert result.columns[1].data_type == "double"
    export_connection = connections[-1]
    assert export_connection.executed[0].startswith('SELECT "id", CAST("price" AS double)')
    assert export_connection.fetch_sizes == [1000, 1000, 1000, 1000]  # the last one is empty
    metadata = pq.read_metadata(target)
    assert (metadata.num_rows, metadata.num_row_groups) == (ITEMS, 3)
    table = pq.read_table(target)
    assert table.schema == pa.schema(
        [
            ("id", pa.string()),
            ("price", pa.float64()),
            ("qty", pa.int32()),
            ("added", pa.date32()),
            ("seen", pa.timestamp("us", tz="UTC")),
            ("tags", pa.list_(pa.string())),
            ("attrs", pa.map_(pa.string(), pa.int64())),
            ("dims", pa.struct([("w", pa.float64()), ("h", pa.float64())])),
            ("raw", pa.binary()),
        ]
    )
    row = table.slice(1, 1).to_pylist()[0]
    assert row["id"] == "I0001" and row["price"] == 0.25 and row["added"] == date(2024, 1, 2)
    assert row["seen"] == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert row["attrs"] == [("stock", 1)] and row["dims"] == {"w": 1.5, "h": 1.0}


def test_trino_errors_carry_trinos_message(tmp_path: Path) -> None:
    def handler(sql: str) -> tuple[list[tuple[str, str]], list[tuple[Any, ...]]]:
        raise TrinoUserError(
            {
                "message": "line 1:15: Table 'hive.analytics.nope' does not exist",
                "errorName": "TABLE_NOT_FOUND",
                "errorType": "USER_ERROR",
            },
            "20240101_000000_00001_abcde",
        )

    warehouse, connections = _warehouse(handler)
    with pytest.raises(WarehouseError) as caught:
        warehouse.describe("SELECT * FROM nope")
    assert caught.value.message == "line 1:15: Table 'hive.analytics.nope' does not exist"
    with pytest.raises(WarehouseError, match="does not exist"):
        warehouse.export("SELECT * FROM nope", ["x"], tmp_path / "x.parquet")
    assert list(tmp_path.iterdir()) == []
    assert all(c.closed for c in connections)


def test_values_that_do_not_fit_fail_the_export(tmp_path: Path) -> None:
    def handler(sql: str) -> tuple[list[tuple[str, str]], list[tuple[Any, ...]]]:
        return [("n", "integer")], [] if sql.endswith("LIMIT 0") else [(1,), ("two",)]

    warehouse, _ = _warehouse(handler)
    with pytest.raises(WarehouseError, match="Column n: the warehouse returned values"):
        warehouse.export("SELECT n FROM t", ["n"], tmp_path / "n.parquet")
    assert list(tmp_path.iterdir()) == []
