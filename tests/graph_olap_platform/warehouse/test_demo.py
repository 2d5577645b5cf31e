"""The demo warehouse: deterministic, the documented shape, and referentially sound."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from graph_olap_platform.warehouse.demo import (
    DEMO_ROW_COUNTS,
    create_demo_warehouse,
    ensure_demo_warehouse,
)

TABLES = {
    "customers": ["customer_id", "name", "city", "segment", "signup_date"],
    "products": ["product_id", "name", "category", "price"],
    "suppliers": ["supplier_id", "name", "country"],
    "purchases": ["purchase_id", "customer_id", "product_id", "amount", "purchase_date"],
    "supplies": ["supplier_id", "product_id", "unit_cost"],
    "people": ["person_id", "name", "age"],
    "knows": ["src", "dst", "since"],
}


def _scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = connection.execute(sql).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture
def db(demo_path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(demo_path), read_only=True)


def test_two_builds_hold_identical_data(tmp_path: Path, demo_path: Path) -> None:
    started = time.perf_counter()
    other = create_demo_warehouse(tmp_path / "again.duckdb")
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"building the demo warehouse took {elapsed:.1f} s"
    with duckdb.connect(":memory:") as connection:
        connection.execute(f"ATTACH '{demo_path}' AS a (READ_ONLY)")
        connection.execute(f"ATTACH '{other}' AS b (READ_ONLY)")
        for table, columns in TABLES.items():
            order = ", ".join(columns)
            left = connection.execute(f"SELECT * FROM a.analytics.{table} ORDER BY {order}")
            rows = left.fetchall()
            right = connection.execute(f"SELECT * FROM b.analytics.{table} ORDER BY {order}")
            assert rows == right.fetchall(), table
            assert rows, table


def test_tables_columns_and_row_counts(db: duckdb.DuckDBPyConnection) -> None:
    for table, columns in TABLES.items():
        described = db.execute(f"DESCRIBE analytics.{table}").fetchall()
        assert [row[0] for row in described] == columns
    for table, count in DEMO_ROW_COUNTS.items():
        assert _scalar(db, f"SELECT count(*) FROM analytics.{table}") == count
    supplies = _scalar(db, "SELECT count(*) FROM analytics.supplies")
    assert isinstance(supplies, int)
    assert DEMO_ROW_COUNTS["products"] <= supplies <= 3 * DEMO_ROW_COUNTS["products"]


def test_column_types_suit_graph_loads(db: duckdb.DuckDBPyConnection) -> None:
    types = dict(
        db.execute(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'analytics'"
        ).fetchall()
    )
    assert types["customers.customer_id"] == "VARCHAR"
    assert types["customers.signup_date"] == "DATE"
    assert types["products.price"] == "DOUBLE"
    assert types["purchases.amount"] == "DOUBLE"
    assert types["supplies.unit_cost"] == "DOUBLE"
    assert types["people.age"] == "INTEGER"
    assert types["knows.since"] == "DATE"


@pytest.mark.parametrize(
    ("table", "column", "pattern"),
    [
        ("customers", "customer_id", r"C\d{4}"),
        ("products", "product_id", r"P\d{3}"),
        ("suppliers", "supplier_id", r"S\d{2}"),
        ("purchases", "purchase_id", r"T\d{6}"),
        ("people", "person_id", r"U\d{3}"),
    ],
)
def test_ids_are_unique_strings(
    db: duckdb.DuckDBPyConnection, table: str, column: str, pattern: str
) -> None:
    ids = [row[0] for row in db.execute(f"SELECT {column} FROM analytics.{table}").fetchall()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(pattern, value) for value in ids)


@pytest.mark.parametrize(
    ("child", "column", "parent", "key"),
    [
        ("purchases", "customer_id", "customers", "customer_id"),
        ("purchases", "product_id", "products", "product_id"),
        ("supplies", "supplier_id", "suppliers", "supplier_id"),
        ("supplies", "product_id", "products", "product_id"),
        ("knows", "src", "people", "person_id"),
        ("knows", "dst", "people", "person_id"),
    ],
)
def test_every_foreign_key_refers_to_an_existing_row(
    db: duckdb.DuckDBPyConnection, child: str, column: str, parent: str, key: str
) -> None:
    dangling = _scalar(
        db,
        f"SELECT count(*) FROM analytics.{child} c "
        f"WHERE NOT EXISTS (SELECT 1 FROM analytics.{parent} p WHERE p.{key} = c.{column})",
    )
    assert dangling == 0


def test_social_graph_has_no_self_loops_or_duplicate_pairs(db: duckdb.DuckDBPyConnection) -> None:
    assert _scalar(db, "SELECT count(*) FROM analytics.knows WHERE src = dst") == 0
    pairs = _scalar(
        db, "SELECT count(DISTINCT (least(src, dst), greatest(src, dst))) FROM analytics.knows"
    )
    assert pairs == DEMO_ROW_COUNTS["knows"]
    supplies = _scalar(
        db, "SELECT count(DISTINCT (supplier_id, product_id)) FROM analytics.supplies"
    )
    assert supplies == _scalar(db, "SELECT count(*) FROM analytics.supplies")


def test_values_are_realistic(db: duckdb.DuckDBPyConnection) -> None:
    segments = {row[0] for row in db.execute("SELECT segment FROM analytics.customers").fetchall()}
    assert segments == {"Consumer", "Corporate", "Small Business"}
    assert _scalar(db, "SELECT count(DISTINCT city) FROM analytics.customers") >= 30
    assert _scalar(db, "SELECT count(DISTINCT category) FROM analytics.products") >= 6
    low, high = db.execute(
        "SELECT min(least(signup_date, purchase_date)), max(greatest(signup_date, purchase_date)) "
        "FROM analytics.purchases JOIN analytics.customers USING (customer_id)"
    ).fetchone() or (None, None)
    assert str(low) >= "2023-01-01" and str(high) <= "2025-12-31"
    assert (
        _scalar(
            db,
            "SELECT count(*) FROM analytics.purchases p JOIN analytics.customers c "
            "USING (customer_id) WHERE p.purchase_date < c.signup_date",
        )
        == 0
    )
    assert (
        _scalar(
            db,
            "SELECT min(amount) > 0 AND min(price) > 0 FROM analytics.purchases "
            "JOIN analytics.products USING (product_id)",
        )
        is True
    )
    assert _scalar(db, "SELECT min(age) >= 18 AND max(age) <= 80 FROM analytics.people") is True
    # money has cents, not float noise
    assert (
        _scalar(db, "SELECT count(*) FROM analytics.purchases WHERE round(amount, 2) <> amount")
        == 0
    )


def test_ensure_builds_only_when_missing(tmp_path: Path) -> None:
    path = tmp_path / "data" / "warehouse.duckdb"
    assert ensure_demo_warehouse(path) == path
    assert path.exists()
    stamp = path.stat().st_mtime_ns
    os.utime(path, ns=(stamp - 10**9, stamp - 10**9))
    ensure_demo_warehouse(path)
    assert path.stat().st_mtime_ns == stamp - 10**9  # not rebuilt
    assert [p.name for p in path.parent.iterdir()] == ["warehouse.duckdb"]  # no temp files left


def test_create_refuses_to_replace_a_file_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(b"someone's data")
    with pytest.raises(FileExistsError):
        create_demo_warehouse(path)
    assert path.read_bytes() == b"someone's data"
    create_demo_warehouse(path, overwrite=True)
    with duckdb.connect(str(path), read_only=True) as connection:
        assert _scalar(connection, "SELECT count(*) FROM analytics.people") == 200
