"""Warehouses for the warehouse-layer tests: the demo DuckDB file and a real PostgreSQL.

Both are built once per session and only read by the tests (the platform only reads too).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from graph_olap_platform.warehouse.demo import create_demo_warehouse, load_demo_postgres
from graph_olap_platform.warehouse.duckdb import DuckDBWarehouse
from graph_olap_platform.warehouse.postgres import PostgresWarehouse
from tests.support.postgres import PostgresServer

EVENTS = 150_000  # more rows than one export batch, more than one Arrow CSV block


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return create_demo_warehouse(tmp_path_factory.mktemp("demo") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def duck(demo_path: Path) -> Iterator[DuckDBWarehouse]:
    warehouse = DuckDBWarehouse(demo_path)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="session")
def pg_url(postgres: PostgresServer) -> str:
    """A database holding the demo tables plus tables of every type and a large one."""
    url = postgres.create_database()
    load_demo_postgres(url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            """
            CREATE TYPE analytics.mood AS ENUM ('happy', 'sad');
            CREATE DOMAIN analytics.positive AS integer CHECK (VALUE > 0);
            CREATE TABLE analytics.kinds (
                id varchar(20) PRIMARY KEY, small smallint, medium integer, big bigint,
                price numeric(10, 2), ratio real, score double precision, flag boolean,
                day date, at timestamp, at_tz timestamptz, uid uuid, raw bytea,
                tags text[], doc jsonb, mood analytics.mood, positive analytics.positive,
                clock time, span interval);
            INSERT INTO analytics.kinds VALUES
                ('k1', 1, 2, 3, 12.34, 1.5, 2.25, true, '2024-02-29', '2024-02-29 13:14:15.5',
                 '2024-02-29 13:14:15+02', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x0102',
                 '{a,b}', '{"k": [1, 2]}', 'sad', 7, '10:30', '1 day 2 hours'),
                ('k2', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                 NULL, NULL, NULL, NULL, NULL, NULL);
            CREATE TABLE analytics.texts (id integer PRIMARY KEY, body text, score float8);
            INSERT INTO analytics.texts VALUES
                (1, '', 'NaN'), (2, NULL, 'Infinity'), (3, 'NA', '-Infinity'),
                (4, 'comma, "quote" and' || E'\\n' || 'newline', 0.1), (5, 'NULL', 1e300),
                (6, 'ünïcødé ✓', -0.0);
            CREATE VIEW analytics.big_spenders AS
                SELECT customer_id, sum(amount) AS total FROM analytics.purchases
                GROUP BY customer_id HAVING sum(amount) > 5000;
            """
        )
        connection.execute(
            "CREATE TABLE analytics.events AS "
            "SELECT 'E' || lpad(g::text, 7, '0') AS event_id, g AS seq, (g % 97) * 1.5 AS value,"
            " date '2023-01-01' + (g % 1000) AS day, ARRAY[g, g + 1] AS pair "
            f"FROM generate_series(1, {EVENTS}) AS g"
        )
        connection.execute(
            "CREATE FUNCTION analytics.delete_events() RETURNS bigint LANGUAGE sql AS "
            "'DELETE FROM analytics.events; SELECT 0::bigint'"
        )
    return url


@pytest.fixture(scope="session")
def pg(pg_url: str) -> PostgresWarehouse:
    return PostgresWarehouse(pg_url)
