"""PostgreSQL warehouse through psycopg 3.

URL: ``postgresql://user:password@host:5432/database`` (also ``postgres://`` and SQLAlchemy's
``postgresql+psycopg://``); any libpq parameter may ride in the query string, e.g.
``?sslmode=require`` or ``?options=-c%20statement_timeout%3D600000`` to bound export time.

- **Catalog** is the connected database (PostgreSQL cannot query across databases); schemas and
  tables come from ``pg_catalog`` (tables, partitioned tables, views, materialized views and
  foreign tables the user may ``SELECT``; partitions are left out).
- **describe** prepares ``SELECT * FROM (<sql>) AS _q`` and asks for its row description
  (libpq ``PQprepare`` + ``PQdescribePrepared``): the query is parsed and analysed but never
  planned or run. Type OIDs and modifiers become names through ``format_type``; domains map
  like their base type and enums like ``STRING``.
- **export** runs in a ``READ ONLY`` transaction (a function that writes fails). Every column is
  cast on the server to the plain PostgreSQL type of its RyuType (``numeric`` → ``double
  precision``; ``uuid``, ``json``, enums and types without a RyuType → ``text``; arrays
  element-wise), so the Arrow types are known before the first row arrives. Then:

  - columns of scalar types (strings, integers, floats, booleans, dates, timestamps — what graph
    data nearly always is): ``COPY (SELECT ...) TO STDOUT (FORMAT csv)`` is streamed into
    Arrow's CSV reader, which parses it in C into record batches that ``ParquetWriter``
    appends — no Python object per value;
  - otherwise (``bytea``, arrays): a server-side cursor fetches ``batch_rows`` rows at a time
    and each batch becomes one Arrow record batch (one ``pyarrow.array`` per column).

Each call opens its own connection, so one warehouse object may be used from many threads.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pa_parquet
from psycopg import pq
from psycopg.abc import Buffer
from psycopg.errors import error_from_result

from graph_olap.models.mapping import RyuType
from graph_olap_platform.warehouse._parquet import (
    COMPRESSION,
    RowBatchWriter,
    arrow_type,
    atomic_file,
    parquet_row_count,
)
from graph_olap_platform.warehouse._sql import check_column_count, quote_identifier, subquery
from graph_olap_platform.warehouse.base import ColumnInfo, ExportResult, TableInfo, WarehouseError
from graph_olap_platform.warehouse.types import parse_type, ryu_type

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["PostgresWarehouse", "normalise_url"]

DEFAULT_BATCH_ROWS = 50_000

# The PostgreSQL type each RyuType is exported as (timestamps keep their time zone kind).
_EXPORT_TYPES: dict[RyuType, str] = {
    RyuType.STRING: "text",
    RyuType.INT64: "bigint",
    RyuType.INT32: "integer",
    RyuType.INT16: "smallint",
    RyuType.INT8: "smallint",
    RyuType.DOUBLE: "double precision",
    RyuType.FLOAT: "real",
    RyuType.BOOL: "boolean",
    RyuType.DATE: "date",
    RyuType.UUID: "text",
    RyuType.BLOB: "bytea",
}
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")

_TYPES_SQL = """
SELECT format_type(c.oid, c.mod), t.typtype, t.typcategory,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END
FROM unnest(%s::oid[], %s::int4[]) WITH ORDINALITY AS c(oid, mod, n)
LEFT JOIN pg_catalog.pg_type t ON t.oid = c.oid
ORDER BY c.n
"""


def normalise_url(url: str) -> str:
    """A libpq connection URL from the platform's warehouse URL."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres+psycopg://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class _Column:
    info: ColumnInfo
    export_type: str  # the PostgreSQL type the column is cast to on export


class PostgresWarehouse:
    """A PostgreSQL database as the warehouse."""

    kind = "postgresql"

    def __init__(
        self, url: str, *, batch_rows: int = DEFAULT_BATCH_ROWS, connect_timeout: int = 10
    ) -> None:
        if batch_rows < 1:
            raise ValueError("batch_rows must be positive")
        self.url = normalise_url(url)
        self.batch_rows = batch_rows
        self.connect_timeout = connect_timeout

    # -- metadata ------------------------------------------------------------------------------

    def list_catalogs(self) -> list[str]:
        with self._connect() as connection:
            row = connection.execute("SELECT current_database()").fetchone()
        return [str(row[0])] if row else []

    def list_schemas(self, catalog: str) -> list[str]:
        with self._connect() as connection:
            rows = connection.execute(
                """
                SELECT n.nspname FROM pg_catalog.pg_namespace n
                WHERE current_database() = %s
                  AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg\\_temp\\_%%'
                  AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%%'
                  AND has_schema_privilege(n.oid, 'USAGE')
                ORDER BY 1
                """,
                [catalog, list(_SYSTEM_SCHEMAS)],
            ).fetchall()
        return [str(row[0]) for row in rows]

    def list_tables(self, catalog: str, schema: str) -> list[TableInfo]:
        with self._connect() as connection:
            rows = connection.execute(
                """
                SELECT c.relname, c.relkind,
                       (SELECT count(*) FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
                FROM pg_catalog.pg_class c
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE current_database() = %s AND n.nspname = %s
                  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
                  AND has_table_privilege(c.oid, 'SELECT')
                ORDER BY c.relname
                """,
                [catalog, schema],
            ).fetchall()
        return [
            TableInfo(
                catalog,
                schema,
                str(name),
                "VIEW" if kind in ("v", "m") else "BASE TABLE",
                int(count),
            )
            for name, kind, count in rows
        ]

    def list_columns(self, catalog: str, schema: str, table: str) -> list[ColumnInfo]:
        """Columns of a table or view in order; empty when there is no such table."""
        with self._connect() as connection:
            rows = connection.execute(
                """
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
                       t.typtype, t.typcategory,
                       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END
                FROM pg_catalog.pg_attribute a
                JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                WHERE current_database() = %s AND n.nspname = %s AND c.relname = %s
                  AND a.attnum > 0 AND NOT a.attisdropped
                  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                ORDER BY a.attnum
                """,
                [catalog, schema, table],
            ).fetchall()
        return [
            ColumnInfo(
                name=str(name),
                data_type=str(data_type),
                ryu_type=_ryu(str(data_type), typtype, category, base),
                is_nullable=bool(nullable),
                ordinal_position=position,
            )
            for position, (name, data_type, nullable, typtype, category, base) in enumerate(
                rows, start=1
            )
        ]

    # -- queries -------------------------------------------------------------------------------

    def describe(self, sql: str) -> list[ColumnInfo]:
        query = f"SELECT * FROM {subquery(sql)}"
        with self._connect() as connection:
            return [column.info for column in _describe(connection, query)]

    def export(self, sql: str, columns: list[str], destination: Path) -> ExportResult:
        described_query = f"SELECT * FROM {subquery(sql)}"
        destination = Path(destination)
        with self._connect() as connection:
            described = _describe(connection, described_query)
            check_column_count(columns, len(described))
            projection = ", ".join(
                f"CAST({quoted} AS {column.export_type}) AS {quoted}"
                for quoted, column in zip(map(quote_identifier, columns), described, strict=True)
            )
            query = f"SELECT {projection} FROM {subquery(sql, columns)}"
            written = [
                ColumnInfo(name, column.export_type, ryu_type(column.export_type), True, position)
                for position, (name, column) in enumerate(
                    zip(columns, described, strict=True), start=1
                )
            ]
            schema = pa.schema([_arrow_field(column) for column in written])
            with atomic_file(destination) as temporary:
                if all(_csv_safe(field.type) for field in schema):
                    _copy_csv(connection, query, schema, temporary)
                else:
                    self._fetch_batches(connection, query, schema, temporary)
                row_count = parquet_row_count(temporary)
                size = temporary.stat().st_size
        return ExportResult(row_count=row_count, size_bytes=size, columns=written)

    def close(self) -> None:
        """Nothing to release: every call opens and closes its own connection."""

    # -- internals -----------------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[Any]]:
        with _guard():
            connection = psycopg.connect(
                self.url, connect_timeout=self.connect_timeout, autocommit=False
            )
        try:
            connection.read_only = True  # every transaction starts with BEGIN READ ONLY
            with _guard():
                yield connection
        finally:
            # Nothing is ever committed: the platform only reads.
            with suppress(psycopg.Error):
                connection.rollback()
            connection.close()

    def _fetch_batches(
        self, connection: psycopg.Connection[Any], query: str, schema: pa.Schema, path: Path
    ) -> None:
        """Rows from a server-side cursor, ``batch_rows`` at a time, one record batch each."""
        name = f"graph_olap_export_{uuid.uuid4().hex[:8]}"
        with (
            RowBatchWriter(path, schema) as writer,
            connection.cursor(name=name, binary=True) as cursor,
        ):
            cursor.itersize = self.batch_rows
            cursor.execute(query)
            while rows := cursor.fetchmany(self.batch_rows):
                writer.write_rows(rows)


# -- COPY ... TO STDOUT (FORMAT csv) → pyarrow.csv: the path for columns of scalar types ----------

_CSV_SETTINGS = (
    # Unambiguous text forms for the CSV reader: ISO dates, UTC offsets, exact floats.
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL extra_float_digits = 3",
)


def _csv_safe(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_date32(kind)
        or pa.types.is_timestamp(kind)
    )


def _copy_csv(
    connection: psycopg.Connection[Any], query: str, schema: pa.Schema, path: Path
) -> None:
    """Stream ``COPY (query) TO STDOUT`` as CSV through Arrow's CSV reader into Parquet.

    PostgreSQL renders the values and Arrow parses them in C, so no Python object is made per
    value. Every non-NULL value is quoted (``FORCE_QUOTE *``), so an unquoted empty field is
    exactly NULL and a quoted one an empty string.
    """
    for setting in _CSV_SETTINGS:
        connection.execute(setting)
    read_options = pa_csv.ReadOptions(column_names=schema.names, block_size=4 << 20)
    parse_options = pa_csv.ParseOptions(newlines_in_values=True)
    convert_options = pa_csv.ConvertOptions(
        column_types=schema,
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["t"],
        false_values=["f"],
    )
    copy_sql = f"COPY ({query}) TO STDOUT (FORMAT csv, FORCE_QUOTE *)"
    with (
        connection.cursor() as cursor,
        cursor.copy(copy_sql) as copy,
        pa_parquet.ParquetWriter(path, schema, compression=COMPRESSION) as writer,
    ):
        stream = _CopyStream(copy)
        if stream.empty():
            return  # no rows: the writer leaves a file with the schema only
        try:
            reader = pa_csv.open_csv(
                stream,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
            for batch in reader:
                writer.write_batch(batch)
        except pa.ArrowException as error:
            raise WarehouseError(f"Could not read the rows PostgreSQL sent: {error}") from error


class _CopyStream(io.RawIOBase):
    """A readable file over the chunks of a COPY TO STDOUT (one chunk per row)."""

    def __init__(self, chunks: Iterable[Buffer]) -> None:
        self._chunks = iter(chunks)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def empty(self) -> bool:
        """Whether the COPY sent no data at all (reads ahead up to the first row)."""
        if not self._pending:
            self._fill(1)
        return not self._pending

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer).cast("B")
        if not self._pending:
            self._fill(len(target))
        count = min(len(target), len(self._pending))
        target[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def _fill(self, wanted: int) -> None:
        parts: list[Buffer] = []
        size = 0
        for chunk in self._chunks:
            parts.append(chunk)
            size += len(memoryview(chunk))
            if size >= wanted:
                break
        self._pending = memoryview(b"".join(parts))


@contextmanager
def _guard() -> Iterator[None]:
    """psycopg errors → WarehouseError carrying PostgreSQL's message."""
    try:
        yield
    except psycopg.Error as error:
        raise WarehouseError(_message(error)) from error


def _message(error: psycopg.Error) -> str:
    text = str(error).strip()
    return text or type(error).__name__


def _describe(connection: psycopg.Connection[Any], query: str) -> list[_Column]:
    """Output columns of ``query`` from its row description, without planning or running it."""
    encoding = connection.info.encoding
    pgconn = connection.pgconn
    result = pgconn.prepare(b"", query.encode(encoding))
    _check(result, encoding)
    result = pgconn.describe_prepared(b"")
    _check(result, encoding)
    names = [(result.fname(i) or b"").decode(encoding) for i in range(result.nfields)]
    oids = [result.ftype(i) for i in range(result.nfields)]
    modifiers = [result.fmod(i) for i in range(result.nfields)]
    if not names:
        return []
    rows = connection.execute(_TYPES_SQL, [oids, modifiers]).fetchall()
    columns: list[_Column] = []
    for position, (name, (data_type, typtype, category, base)) in enumerate(
        zip(names, rows, strict=True), start=1
    ):
        ryu = _ryu(str(data_type), typtype, category, base)
        info = ColumnInfo(name, str(data_type), ryu, True, position)
        columns.append(_Column(info, _export_type(str(data_type), ryu, base)))
    return columns


def _check(result: pq.abc.PGresult, encoding: str) -> None:
    if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
        raise WarehouseError(_message(error_from_result(result, encoding=encoding)))


def _ryu(data_type: str, typtype: Any, category: Any, base: Any) -> RyuType | None:
    ryu = ryu_type(data_type)
    if ryu is None and base:
        ryu = ryu_type(str(base))  # a domain maps like its base type
    if ryu is None and (typtype == "e" or category == "S"):
        ryu = RyuType.STRING  # enums and string-like extension types (citext, ...)
    return ryu


def _export_type(data_type: str, ryu: RyuType | None, base: Any) -> str:
    if ryu == RyuType.TIMESTAMP:
        zoned = "with time zone" in f"{data_type} {base or ''}".lower()
        return "timestamp with time zone" if zoned else "timestamp without time zone"
    if ryu == RyuType.LIST:
        element = parse_type(data_type).element
        if element is None:  # a domain over an array type
            element = parse_type(str(base)).element if base else None
        element_text = element.text if element is not None else "text"
        inner = _export_type(element_text, ryu_type(element_text), None)
        return inner + "[]" if not inner.endswith("]") else inner
    if ryu is None or ryu not in _EXPORT_TYPES:
        return "text"
    return _EXPORT_TYPES[ryu]


def _arrow_field(column: ColumnInfo) -> pa.Field:
    kind = arrow_type(column.data_type)
    if kind is None:  # unreachable: export types all have an Arrow type
        raise WarehouseError(f"Column {column.name}: no Arrow type for {column.data_type}")
    return pa.field(column.name, kind)
