"""DuckDB warehouse: the embedded default (a single ``.duckdb`` file, opened read-only).

- **Catalog** is the database name DuckDB gives the file (its stem: ``warehouse.duckdb`` →
  ``warehouse``); schemas and tables come from ``information_schema``.
- **describe** binds ``DESCRIBE SELECT * FROM (<sql>)``: DuckDB plans the query and reports its
  output columns without reading any data.
- **export** is pushed down: ``COPY (SELECT ... FROM (<sql>) AS _q(<names>)) TO '<file>'
  (FORMAT parquet, COMPRESSION zstd)`` writes the file from DuckDB's own threads. Columns are
  renamed by position to the definition's names and a few types are made loadable by every
  graph engine: ``DECIMAL`` → ``DOUBLE``; ``HUGEINT``/unsigned integers → the signed integer of
  their RyuType (a value out of range fails the export rather than being rounded); ``UUID`` and
  ``JSON`` → ``VARCHAR``; types without a RyuType (``TIME``, ``INTERVAL``, ...) → ``VARCHAR``.
  Nested types are written as they are.

The file is opened once, read-only, when first needed and kept open until :meth:`close`;
every call runs on its own cursor, so one warehouse object may be used from many threads.
Other processes may read the same file at the same time; a process writing to it needs the
platform to let go of it first (DuckDB allows one writer or many readers per file).

User SQL runs with the platform's file access: DuckDB table functions such as
``read_csv('/path')`` can read any file the process can. Pass DuckDB settings through
``config`` (e.g. ``{"allowed_directories": [...]}`` with ``enable_external_access``) to restrict
that where the warehouse is shared.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from graph_olap_platform.warehouse._parquet import atomic_file, parquet_row_count
from graph_olap_platform.warehouse._sql import (
    check_column_count,
    clean_query,
    quote_identifier,
    quote_literal,
    subquery,
)
from graph_olap_platform.warehouse.base import ColumnInfo, ExportResult, TableInfo, WarehouseError
from graph_olap_platform.warehouse.types import parse_type, ryu_type

__all__ = ["DuckDBWarehouse"]

# Type conversions applied on export (see the module docstring), by base type name.
_EXPORT_CASTS = {
    "decimal": "DOUBLE",
    "numeric": "DOUBLE",
    "hugeint": "BIGINT",
    "uhugeint": "BIGINT",
    "ubigint": "BIGINT",
    "uinteger": "BIGINT",
    "usmallint": "INTEGER",
    "utinyint": "SMALLINT",
    "uuid": "VARCHAR",
    "json": "VARCHAR",
}
_INTERNAL_CATALOGS = ("system", "temp")


class DuckDBWarehouse:
    """A DuckDB database file as the warehouse."""

    kind = "duckdb"

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = True,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._config = dict(config or {})
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None

    # -- metadata ------------------------------------------------------------------------------

    def list_catalogs(self) -> list[str]:
        rows = self._query(
            "SELECT database_name FROM duckdb_databases() "
            "WHERE NOT internal AND database_name NOT IN (?, ?) ORDER BY 1",
            list(_INTERNAL_CATALOGS),
        )
        return [str(row[0]) for row in rows]

    def list_schemas(self, catalog: str) -> list[str]:
        rows = self._query(
            "SELECT schema_name FROM information_schema.schemata "
            "WHERE catalog_name = ? AND schema_name NOT IN ('information_schema', 'pg_catalog') "
            "ORDER BY 1",
            [catalog],
        )
        return [str(row[0]) for row in rows]

    def list_tables(self, catalog: str, schema: str) -> list[TableInfo]:
        rows = self._query(
            """
            SELECT t.table_name, t.table_type, count(c.column_name)
            FROM information_schema.tables t
            LEFT JOIN information_schema.columns c
              ON c.table_catalog = t.table_catalog AND c.table_schema = t.table_schema
             AND c.table_name = t.table_name
            WHERE t.table_catalog = ? AND t.table_schema = ?
            GROUP BY t.table_name, t.table_type
            ORDER BY t.table_name
            """,
            [catalog, schema],
        )
        return [
            TableInfo(catalog, schema, str(name), _table_type(str(kind)), int(count))
            for name, kind, count in rows
        ]

    def list_columns(self, catalog: str, schema: str, table: str) -> list[ColumnInfo]:
        """Columns of a table or view in order; empty when there is no such table."""
        rows = self._query(
            "SELECT column_name, data_type, is_nullable, ordinal_position "
            "FROM information_schema.columns "
            "WHERE table_catalog = ? AND table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position",
            [catalog, schema, table],
        )
        return [
            ColumnInfo(
                name=str(name),
                data_type=str(data_type),
                ryu_type=ryu_type(str(data_type)),
                is_nullable=str(nullable).upper() == "YES",
                ordinal_position=int(position),
            )
            for name, data_type, nullable, position in rows
        ]

    # -- queries -------------------------------------------------------------------------------

    def describe(self, sql: str) -> list[ColumnInfo]:
        rows = self._query(f"DESCRIBE SELECT * FROM {subquery(sql)}", user_sql=sql)
        return [
            ColumnInfo(
                name=str(row[0]),
                data_type=str(row[1]),
                ryu_type=ryu_type(str(row[1])),
                is_nullable=str(row[2]).upper() != "NO",
                ordinal_position=position,
            )
            for position, row in enumerate(rows, start=1)
        ]

    def export(self, sql: str, columns: list[str], destination: Path) -> ExportResult:
        described = self.describe(sql)
        check_column_count(columns, len(described))
        projection: list[str] = []
        written: list[ColumnInfo] = []
        for position, (name, column) in enumerate(zip(columns, described, strict=True), start=1):
            cast = _export_cast(column.data_type)
            quoted = quote_identifier(name)
            projection.append(f"CAST({quoted} AS {cast}) AS {quoted}" if cast else quoted)
            data_type = cast or column.data_type
            written.append(
                ColumnInfo(name, data_type, ryu_type(data_type), column.is_nullable, position)
            )
        select = f"SELECT {', '.join(projection)} FROM {subquery(sql, columns)}"
        destination = Path(destination)
        with atomic_file(destination) as temporary:
            self._query(
                f"COPY ({select}) TO {quote_literal(str(temporary))} "
                "(FORMAT parquet, COMPRESSION zstd)",
                user_sql=sql,
            )
            row_count = parquet_row_count(temporary)
            size = temporary.stat().st_size
        return ExportResult(row_count=row_count, size_bytes=size, columns=written)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # -- internals -----------------------------------------------------------------------------

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._connection is None:
                if not self.path.exists():
                    raise WarehouseError(f"DuckDB warehouse file not found: {self.path}")
                try:
                    self._connection = duckdb.connect(
                        str(self.path), read_only=self.read_only, config=self._config
                    )
                except duckdb.Error as error:
                    raise WarehouseError(str(error)) from error
            return self._connection.cursor()

    def _query(
        self, sql: str, parameters: list[Any] | None = None, *, user_sql: str | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows of ``sql``. ``user_sql``, which ``sql`` wraps, must be one SELECT statement:
        DuckDB runs every statement of a text, so user SQL must not smuggle in a second one."""
        cursor = self._cursor()
        try:
            if user_sql is not None:
                _check_single_select(cursor, user_sql)
            return cursor.execute(sql, parameters).fetchall()
        except duckdb.Error as error:
            raise WarehouseError(str(error)) from error
        finally:
            cursor.close()


def _check_single_select(cursor: duckdb.DuckDBPyConnection, sql: str) -> None:
    statements = cursor.extract_statements(clean_query(sql))
    if len(statements) != 1:
        raise WarehouseError(f"SQL must be a single query, found {len(statements)} statements")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise WarehouseError(f"SQL must be a SELECT query, found {statements[0].type.name}")


def _table_type(kind: str) -> str:
    return "VIEW" if kind.upper() == "VIEW" else "BASE TABLE"


def _export_cast(data_type: str) -> str | None:
    try:
        parsed = parse_type(data_type)
    except ValueError:
        return "VARCHAR"
    if parsed.name in _EXPORT_CASTS:
        return _EXPORT_CASTS[parsed.name]
    if ryu_type(parsed) is None:
        return "VARCHAR"
    return None
