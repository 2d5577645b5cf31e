"""open_warehouse: one URL per warehouse kind, a clear error otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_olap_platform.warehouse import open_warehouse
from graph_olap_platform.warehouse.duckdb import DuckDBWarehouse
from graph_olap_platform.warehouse.postgres import PostgresWarehouse
from graph_olap_platform.warehouse.trino import TrinoWarehouse


def test_duckdb_urls(demo_path: Path) -> None:
    warehouse = open_warehouse(f"duckdb://{demo_path}")
    assert isinstance(warehouse, DuckDBWarehouse)
    assert warehouse.path == demo_path
    assert warehouse.list_catalogs() == ["warehouse"]
    warehouse.close()
    relative = open_warehouse("duckdb://data/warehouse.duckdb")
    assert isinstance(relative, DuckDBWarehouse)
    assert relative.path == Path("data/warehouse.duckdb")
    spaced = open_warehouse("duckdb:///tmp/my%20data/w.duckdb")
    assert isinstance(spaced, DuckDBWarehouse)
    assert spaced.path == Path("/tmp/my data/w.duckdb")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://user:pw@db.internal:5432/warehouse",
        "postgres://user@db.internal/warehouse",
        "postgresql+psycopg://user@db.internal/warehouse?sslmode=require",
    ],
)
def test_postgres_urls_connect_lazily(url: str) -> None:
    warehouse = open_warehouse(url)
    assert isinstance(warehouse, PostgresWarehouse)
    assert warehouse.kind == "postgresql"
    assert warehouse.url.startswith(("postgresql://", "postgres://"))


def test_trino_url() -> None:
    warehouse = open_warehouse("trino://alice@starburst:8080/hive?schema=analytics")
    assert isinstance(warehouse, TrinoWarehouse)
    assert warehouse.settings.schema == "analytics"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mysql://user@host/db", "'mysql'"),
        ("sqlite:///tmp/x.db", "'sqlite'"),
        ("/tmp/warehouse.duckdb", "'/tmp/warehouse.duckdb'"),
        ("", "''"),
    ],
)
def test_unknown_schemes(url: str, shown: str) -> None:
    with pytest.raises(ValueError, match="Unsupported warehouse URL") as caught:
        open_warehouse(url)
    message = str(caught.value)
    assert shown in message
    assert "duckdb:///" in message and "postgresql://" in message and "trino://" in message


def test_duckdb_url_without_a_path() -> None:
    with pytest.raises(ValueError, match="names no file"):
        open_warehouse("duckdb://")
