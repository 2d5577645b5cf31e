"""Warehouse type names → RyuTypes and Arrow types, and which declared types a column fills."""

from __future__ import annotations

import pyarrow as pa
import pytest

from graph_olap.models.mapping import RyuType
from graph_olap_platform.warehouse._parquet import arrow_type
from graph_olap_platform.warehouse.types import compatible, parse_type, ryu_type

DUCKDB = [
    ("VARCHAR", "STRING"),
    ("VARCHAR(20)", "STRING"),
    ("BIGINT", "INT64"),
    ("HUGEINT", "INT64"),
    ("UBIGINT", "INT64"),
    ("UINTEGER", "INT64"),
    ("INTEGER", "INT32"),
    ("USMALLINT", "INT32"),
    ("SMALLINT", "INT16"),
    ("TINYINT", "INT8"),
    ("DOUBLE", "DOUBLE"),
    ("DECIMAL(10,2)", "DOUBLE"),
    ("FLOAT", "FLOAT"),
    ("REAL", "FLOAT"),
    ("BOOLEAN", "BOOL"),
    ("DATE", "DATE"),
    ("TIMESTAMP", "TIMESTAMP"),
    ("TIMESTAMP WITH TIME ZONE", "TIMESTAMP"),
    ("TIMESTAMP_NS", "TIMESTAMP"),
    ("UUID", "UUID"),
    ("BLOB", "BLOB"),
    ("INTEGER[]", "LIST"),
    ("VARCHAR[3]", "LIST"),
    ("STRUCT(a INTEGER, b VARCHAR)[]", "LIST"),
    ("MAP(VARCHAR, INTEGER)", "MAP"),
    ('STRUCT("my field" INTEGER, b VARCHAR[])', "STRUCT"),
    ("ENUM('a', 'b)')", "STRING"),
    ("JSON", "STRING"),
    ("TIME", None),
    ("INTERVAL", None),
    ("BIT", None),
    ('"NULL"', None),
]
POSTGRES = [
    ("text", "STRING"),
    ("character varying(20)", "STRING"),
    ("character(3)", "STRING"),
    ("name", "STRING"),
    ("jsonb", "STRING"),
    ("bigint", "INT64"),
    ("integer", "INT32"),
    ("smallint", "INT16"),
    ("numeric(10,2)", "DOUBLE"),
    ("numeric", "DOUBLE"),
    ("double precision", "DOUBLE"),
    ("real", "FLOAT"),
    ("boolean", "BOOL"),
    ("date", "DATE"),
    ("timestamp without time zone", "TIMESTAMP"),
    ("timestamp(3) with time zone", "TIMESTAMP"),
    ("uuid", "UUID"),
    ("bytea", "BLOB"),
    ("integer[]", "LIST"),
    ("text[]", "LIST"),
    ("time without time zone", None),
    ("interval", None),
    ("inet", None),
    ("money", None),
]
TRINO = [
    ("varchar", "STRING"),
    ("varchar(20)", "STRING"),
    ("char(2)", "STRING"),
    ("bigint", "INT64"),
    ("integer", "INT32"),
    ("smallint", "INT16"),
    ("tinyint", "INT8"),
    ("double", "DOUBLE"),
    ("decimal(38,0)", "DOUBLE"),
    ("real", "FLOAT"),
    ("boolean", "BOOL"),
    ("date", "DATE"),
    ("timestamp(3)", "TIMESTAMP"),
    ("timestamp(6) with time zone", "TIMESTAMP"),
    ("uuid", "UUID"),
    ("varbinary", "BLOB"),
    ("array(varchar)", "LIST"),
    ("map(varchar, array(bigint))", "MAP"),
    ("row(a integer, b row(c double))", "STRUCT"),
    ("json", "STRING"),
    ("time(3)", None),
    ("interval day to second", None),
    ("ipaddress", None),
]


@pytest.mark.parametrize(("name", "expected"), DUCKDB + POSTGRES + TRINO)
def test_ryu_type(name: str, expected: str | None) -> None:
    assert ryu_type(name) == expected


@pytest.mark.parametrize("name", ["DECIMAL(10", "INTEGER]", "", "map(varchar"])
def test_malformed_type_names_map_to_none(name: str) -> None:
    assert ryu_type(name) is None


def test_nested_types_parse_into_their_parts() -> None:
    parsed = parse_type('STRUCT("my ""odd"" field" INTEGER, tags VARCHAR[])')
    assert [name for name, _ in parsed.fields] == ['my "odd" field', "tags"]
    assert parsed.fields[1][1].element is not None
    assert parsed.fields[1][1].element.name == "varchar"

    trino_map = parse_type("map(varchar(10), array(row(x double, y double)))")
    assert trino_map.key is not None and trino_map.key.name == "varchar"
    assert trino_map.value is not None and trino_map.value.element is not None
    assert [name for name, _ in trino_map.value.element.fields] == ["x", "y"]

    assert parse_type("timestamp(3) with time zone").name == "timestamp with time zone"
    assert parse_type("integer[][]").element == parse_type("integer[]")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("VARCHAR", pa.string()),
        ("bigint", pa.int64()),
        ("integer", pa.int32()),
        ("smallint", pa.int16()),
        ("tinyint", pa.int8()),
        ("double precision", pa.float64()),
        ("real", pa.float32()),
        ("boolean", pa.bool_()),
        ("date", pa.date32()),
        ("timestamp(3)", pa.timestamp("us")),
        ("timestamp with time zone", pa.timestamp("us", tz="UTC")),
        ("uuid", pa.string()),
        ("bytea", pa.binary()),
        ("integer[]", pa.list_(pa.int32())),
        ("array(varchar)", pa.list_(pa.string())),
        ("map(varchar, bigint)", pa.map_(pa.string(), pa.int64())),
        ("row(a integer, b varchar)", pa.struct([("a", pa.int32()), ("b", pa.string())])),
        ("row(integer, varchar)", None),  # anonymous fields
        ("interval", None),
    ],
)
def test_arrow_type(name: str, expected: pa.DataType | None) -> None:
    assert arrow_type(name) == expected


# declared, actual, compatible
RULES = [
    ("INT64", "INT64", True),
    ("INT64", "INT32", True),
    ("INT64", "INT8", True),
    ("INT32", "INT64", False),
    ("INT16", "INT32", False),
    ("INT32", "INT16", True),
    ("DOUBLE", "INT64", True),
    ("DOUBLE", "FLOAT", True),
    ("FLOAT", "DOUBLE", False),
    ("FLOAT", "INT16", True),
    ("FLOAT", "INT32", False),
    ("INT64", "DOUBLE", False),
    ("TIMESTAMP", "DATE", True),
    ("DATE", "TIMESTAMP", False),
    ("STRING", "INT64", True),
    ("STRING", "DATE", True),
    ("STRING", "UUID", True),
    ("STRING", "BOOL", True),
    ("STRING", "BLOB", False),
    ("STRING", "LIST", False),
    ("UUID", "STRING", False),
    ("BOOL", "INT8", False),
    ("INT64", "STRING", False),
    ("LIST", "LIST", True),
    ("MAP", "STRUCT", False),
    ("BLOB", "BLOB", True),
    ("string", "STRING", True),
    ("STRING", None, False),
    ("NOT_A_TYPE", "STRING", False),
]


@pytest.mark.parametrize(("declared", "actual", "expected"), RULES)
def test_compatible(declared: str, actual: str | None, expected: bool) -> None:
    assert compatible(declared, actual) is expected


def test_every_type_fills_itself() -> None:
    assert all(compatible(kind, kind) for kind in RyuType)
