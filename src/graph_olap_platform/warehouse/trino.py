"""Trino / Starburst warehouse through the ``trino`` DB-API client.

Configuration is one URL (``GRAPH_OLAP_WAREHOUSE_URL`` style)::

    trino://USER[:PASSWORD]@HOST[:PORT]/CATALOG[/SCHEMA]?param=value&...

=========================  ================================================================
``USER`` / ``PASSWORD``    Trino user; a password means HTTP basic auth, which Trino accepts
                           over HTTPS only, so a password switches ``http_scheme`` to https.
``PORT``                   8080 for http, 443 for https when omitted.
``CATALOG`` / ``SCHEMA``   the session's defaults (also ``?schema=``); SQL may name others.
``http_scheme``            ``http`` | ``https``.
``verify``                 ``false`` to skip TLS verification, or a CA bundle path.
``source``                 ``X-Trino-Source`` (default ``graph-olap``).
``client_tags``            comma-separated ``X-Trino-Client-Tags`` (resource-group routing).
``roles``                  ``role`` (system) or ``catalog:role,...`` (Starburst BIAC roles).
``session.NAME``           a session property, e.g. ``session.query_max_run_time=30m``.
``request_timeout``        seconds per HTTP request (default 30).
``encoding``               spooling protocol encodings (``json+zstd,json``) on Trino ≥ 466.
``batch_rows``             rows per Parquet row group on export (default 50 000).
=========================  ================================================================

Example: ``trino://analyst:secret@starburst.example.com/hive?schema=analytics&roles=hive:analyst``.

- **Metadata** comes from ``SHOW CATALOGS`` (without ``system``) and each catalog's
  ``information_schema``.
- **describe** runs ``SELECT * FROM (<sql>) AS _q LIMIT 0``: Trino plans the query and replaces
  the scan with an empty result, so nothing is read; the column types come from the result's
  description (Trino's own type signatures, e.g. ``varchar(20)``, ``decimal(10,2)``).
- **export** (implemented) fetches the rows through the client in batches of ``batch_rows``;
  each batch becomes one Arrow record batch (one ``pyarrow.array`` per column) appended by
  ``ParquetWriter``. Columns are renamed by position and cast on the server so that every
  graph engine can load them: ``decimal`` → ``double``, ``uuid``/``time``/``interval``/other
  types without a RyuType → ``varchar``, ``json`` → its text (``json_format``); nested types are
  cast element-wise.

Pushed-down export for big data (not used by :meth:`TrinoWarehouse.export`): the batch path
moves every row through this process. On Starburst the cluster can write Parquet to object
storage itself with the ``system.unload`` table function (:func:`unload_sql`); on Trino with a
Hive or Iceberg catalog the same is a ``CREATE TABLE ... WITH (format = 'PARQUET',
external_location = ...) AS SELECT ...`` (:func:`ctas_sql`). Both write a *directory* of part
files at an object-store URL the cluster can reach (``s3://``, ``gs://``, ``abfs://``), so
using them needs (1) a snapshot root on that object store, (2) the Hive/Iceberg catalog or
the unload function enabled and granted to the platform's role, and (3) loaders that read
``nodes/<Label>/*.parquet``. The platform's settings would name the catalog/role for the
statement; row counts then come from the Parquet footers, as here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

import pyarrow as pa

from graph_olap_platform.warehouse._parquet import (
    RowBatchWriter,
    arrow_type,
    atomic_file,
    parquet_row_count,
)
from graph_olap_platform.warehouse._sql import (
    check_column_count,
    quote_identifier,
    quote_literal,
    subquery,
)
from graph_olap_platform.warehouse.base import ColumnInfo, ExportResult, TableInfo, WarehouseError
from graph_olap_platform.warehouse.types import SqlType, parse_type, ryu_type

__all__ = [
    "TrinoSettings",
    "TrinoWarehouse",
    "ctas_sql",
    "describe_sql",
    "export_sql",
    "parse_trino_url",
    "trino_export_type",
    "unload_sql",
]

DEFAULT_BATCH_ROWS = 50_000
DEFAULT_SOURCE = "graph-olap"


# -- configuration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrinoSettings:
    host: str
    port: int
    user: str
    catalog: str | None = None
    schema: str | None = None
    password: str | None = None
    http_scheme: str = "http"
    verify: bool | str = True
    source: str = DEFAULT_SOURCE
    client_tags: tuple[str, ...] = ()
    roles: str | dict[str, str] | None = None
    session_properties: dict[str, str] = field(default_factory=dict)
    request_timeout: float = 30.0
    encoding: tuple[str, ...] = ()
    batch_rows: int = DEFAULT_BATCH_ROWS

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``trino.dbapi.connect``."""
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "http_scheme": self.http_scheme,
            "verify": self.verify,
            "source": self.source,
            "request_timeout": self.request_timeout,
        }
        if self.catalog:
            kwargs["catalog"] = self.catalog
        if self.schema:
            kwargs["schema"] = self.schema
        if self.client_tags:
            kwargs["client_tags"] = list(self.client_tags)
        if self.roles:
            kwargs["roles"] = self.roles
        if self.session_properties:
            kwargs["session_properties"] = dict(self.session_properties)
        if self.encoding:
            kwargs["encoding"] = list(self.encoding)
        if self.password is not None:
            from trino.auth import BasicAuthentication

            kwargs["auth"] = BasicAuthentication(self.user, self.password)
        return kwargs


def parse_trino_url(url: str) -> TrinoSettings:
    """Settings from ``trino://user[:password]@host[:port]/catalog[/schema]?...``."""
    parts = urlsplit(url)
    if parts.scheme != "trino":
        raise ValueError(f"Not a trino:// URL: {url!r}")
    if not parts.hostname:
        raise ValueError(f"The Trino URL names no host: {url!r}")
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    password = unquote(parts.password) if parts.password is not None else None
    scheme = params.pop("http_scheme", "https" if password is not None else "http").lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"http_scheme must be http or https, got {scheme!r}")
    path = [unquote(piece) for piece in parts.path.split("/") if piece]
    if len(path) > 2:
        raise ValueError(f"The Trino URL path is /catalog[/schema], got {parts.path!r}")
    catalog = path[0] if path else None
    schema = params.pop("schema", path[1] if len(path) > 1 else None)
    session = {
        key.removeprefix("session."): params.pop(key)
        for key in [key for key in params if key.startswith("session.")]
    }
    verify: bool | str = True
    if "verify" in params:
        value = params.pop("verify")
        # true/false, or the path of a CA bundle
        verify = _BOOLS.get(value.lower(), value)
    try:
        port = parts.port or (443 if scheme == "https" else 8080)
        request_timeout = float(params.pop("request_timeout", 30.0))
        batch_rows = int(params.pop("batch_rows", DEFAULT_BATCH_ROWS))
    except ValueError as error:
        raise ValueError(f"Invalid Trino URL {url!r}: {error}") from error
    settings = TrinoSettings(
        host=parts.hostname,
        port=port,
        user=unquote(parts.username) if parts.username else DEFAULT_SOURCE,
        catalog=catalog,
        schema=schema,
        password=password,
        http_scheme=scheme,
        verify=verify,
        source=params.pop("source", DEFAULT_SOURCE),
        client_tags=_split(params.pop("client_tags", "")),
        roles=_roles(params.pop("roles", "")),
        session_properties=session,
        request_timeout=request_timeout,
        encoding=_split(params.pop("encoding", "")),
        batch_rows=batch_rows,
    )
    if params:
        raise ValueError(f"Unknown Trino URL parameters: {', '.join(sorted(params))}")
    return settings


_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _split(value: str) -> tuple[str, ...]:
    return tuple(piece.strip() for piece in value.split(",") if piece.strip())


def _roles(value: str) -> str | dict[str, str] | None:
    pieces = _split(value)
    if not pieces:
        return None
    if len(pieces) == 1 and ":" not in pieces[0]:
        return pieces[0]
    roles: dict[str, str] = {}
    for piece in pieces:
        catalog, _, role = piece.partition(":")
        if not role:
            raise ValueError(f"roles must be 'role' or 'catalog:role,...', got {value!r}")
        roles[catalog] = role
    return roles


# -- SQL generation -------------------------------------------------------------------------------


def describe_sql(sql: str) -> str:
    return f"SELECT * FROM {subquery(sql)} LIMIT 0"


_CAST_TO_VARCHAR = ("uuid", "time", "time with time zone", "ipaddress")


def trino_export_type(data_type: str | SqlType) -> str:
    """The Trino type a column of ``data_type`` is exported as (see the module docstring)."""
    parsed = parse_type(data_type) if isinstance(data_type, str) else data_type
    if parsed.element is not None:
        return f"array({trino_export_type(parsed.element)})"
    if parsed.key is not None and parsed.value is not None:
        return f"map({trino_export_type(parsed.key)}, {trino_export_type(parsed.value)})"
    if parsed.fields:
        if any(not name for name, _ in parsed.fields):
            return "json"  # anonymous row fields: written as JSON text
        inner = ", ".join(
            f"{quote_identifier(name)} {trino_export_type(kind)}" for name, kind in parsed.fields
        )
        return f"row({inner})"
    ryu = ryu_type(parsed)
    if parsed.name in ("decimal", "numeric"):
        return "double"
    if parsed.name == "json":
        return "json"
    if ryu is None or parsed.name in _CAST_TO_VARCHAR:
        return "varchar"
    return parsed.text


def _export_expression(name: str, data_type: str) -> tuple[str, str]:
    """The projected expression and the resulting type for one exported column."""
    column = quote_identifier(name)
    target = trino_export_type(data_type)
    if target == "json":
        expression = (
            f"json_format({column})"
            if parse_type(data_type).name == "json"
            else f"json_format(CAST({column} AS json))"
        )
        return f"{expression} AS {column}", "varchar"
    if target == parse_type(data_type).text:
        return column, target
    return f"CAST({column} AS {target}) AS {column}", target


def export_sql(sql: str, columns: Sequence[str], data_types: Sequence[str]) -> str:
    """The SELECT an export fetches: columns renamed by position and cast to loadable types."""
    projection = ", ".join(
        _export_expression(name, kind)[0] for name, kind in zip(columns, data_types, strict=True)
    )
    return f"SELECT {projection} FROM {subquery(sql, columns)}"


def _select_renamed(sql: str, columns: Sequence[str]) -> str:
    names = ", ".join(quote_identifier(name) for name in columns)
    return f"SELECT {names} FROM {subquery(sql, columns)}"


def unload_sql(
    sql: str, columns: Sequence[str], location: str, *, compression: str = "ZSTD"
) -> str:
    """Starburst's pushed-down export: ``system.unload`` writes Parquet part files at
    ``location`` (an object-store directory) from the workers."""
    return (
        "SELECT * FROM TABLE(system.unload(\n"
        f"  input => TABLE({_select_renamed(sql, columns)}),\n"
        f"  location => {quote_literal(location)},\n"
        "  format => 'PARQUET',\n"
        f"  compression => {quote_literal(compression.upper())}\n"
        "))"
    )


def ctas_sql(sql: str, columns: Sequence[str], table: str, location: str) -> str:
    """Trino's pushed-down export through a Hive catalog: an external Parquet table at
    ``location`` (``table`` is ``catalog.schema.name``; drop it afterwards, files stay)."""
    qualified = ".".join(quote_identifier(part) for part in table.split("."))
    return (
        f"CREATE TABLE {qualified}\n"
        f"WITH (format = 'PARQUET', external_location = {quote_literal(location)})\n"
        f"AS {_select_renamed(sql, columns)}"
    )


# -- the warehouse --------------------------------------------------------------------------------


class DBAPICursor(Protocol):
    """What this module uses of a DB-API cursor (the ``trino`` client's, or a test double)."""

    description: Any
    arraysize: int

    def execute(self, operation: str) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int) -> list[Any]: ...

    def close(self) -> None: ...


class DBAPIConnection(Protocol):
    def cursor(self) -> Any: ...

    def close(self) -> None: ...


class TrinoWarehouse:
    """A Trino or Starburst cluster as the warehouse.

    ``connect`` replaces the connection factory (tests; or a custom authentication); by default
    connections come from ``trino.dbapi.connect`` with the URL's settings. A connection is
    opened per call, so one warehouse object may be used from many threads.
    """

    kind = "trino"

    def __init__(
        self,
        url: str,
        *,
        connect: Callable[[], DBAPIConnection] | None = None,
        batch_rows: int | None = None,
    ) -> None:
        self.settings = parse_trino_url(url)
        self.batch_rows = batch_rows or self.settings.batch_rows
        self._connect_factory = connect or self._default_connect

    def _default_connect(self) -> DBAPIConnection:
        import trino.dbapi

        connect: Callable[..., DBAPIConnection] = trino.dbapi.connect
        return connect(**self.settings.connect_kwargs())

    # -- metadata ------------------------------------------------------------------------------

    def list_catalogs(self) -> list[str]:
        rows = self._fetchall("SHOW CATALOGS")
        return sorted(str(row[0]) for row in rows if str(row[0]) != "system")

    def list_schemas(self, catalog: str) -> list[str]:
        rows = self._fetchall(
            f"SELECT schema_name FROM {quote_identifier(catalog)}.information_schema.schemata "
            "WHERE schema_name <> 'information_schema' ORDER BY schema_name"
        )
        return [str(row[0]) for row in rows]

    def list_tables(self, catalog: str, schema: str) -> list[TableInfo]:
        info = f"{quote_identifier(catalog)}.information_schema"
        rows = self._fetchall(
            f"SELECT t.table_name, t.table_type, count(c.column_name) "
            f"FROM {info}.tables t LEFT JOIN {info}.columns c "
            "ON c.table_schema = t.table_schema AND c.table_name = t.table_name "
            f"WHERE t.table_schema = {quote_literal(schema)} "
            "GROUP BY t.table_name, t.table_type ORDER BY t.table_name"
        )
        return [
            TableInfo(
                catalog,
                schema,
                str(name),
                "VIEW" if str(kind).upper() == "VIEW" else "BASE TABLE",
                int(count),
            )
            for name, kind, count in rows
        ]

    def list_columns(self, catalog: str, schema: str, table: str) -> list[ColumnInfo]:
        """Columns of a table or view in order; empty when there is no such table."""
        rows = self._fetchall(
            "SELECT column_name, data_type, is_nullable, ordinal_position "
            f"FROM {quote_identifier(catalog)}.information_schema.columns "
            f"WHERE table_schema = {quote_literal(schema)} AND table_name = {quote_literal(table)} "
            "ORDER BY ordinal_position"
        )
        return [
            ColumnInfo(
                name=str(name),
                data_type=str(data_type),
                ryu_type=ryu_type(str(data_type)),
                is_nullable=str(nullable).upper() != "NO",
                ordinal_position=int(position),
            )
            for name, data_type, nullable, position in rows
        ]

    # -- queries -------------------------------------------------------------------------------

    def describe(self, sql: str) -> list[ColumnInfo]:
        with self._cursor() as cursor:
            cursor.execute(describe_sql(sql))
            cursor.fetchall()
            description = cursor.description or []
        return [
            ColumnInfo(str(item[0]), str(item[1]), ryu_type(str(item[1])), True, position)
            for position, item in enumerate(description, start=1)
        ]

    def export(self, sql: str, columns: list[str], destination: Path) -> ExportResult:
        described = self.describe(sql)
        check_column_count(columns, len(described))
        written: list[ColumnInfo] = []
        for position, (name, column) in enumerate(zip(columns, described, strict=True), start=1):
            _, data_type = _export_expression(name, column.data_type)
            written.append(ColumnInfo(name, data_type, ryu_type(data_type), True, position))
        schema = pa.schema([_arrow_field(column) for column in written])
        query = export_sql(sql, columns, [column.data_type for column in described])
        destination = Path(destination)
        with atomic_file(destination) as temporary:
            with RowBatchWriter(temporary, schema) as writer, self._cursor() as cursor:
                cursor.arraysize = self.batch_rows
                cursor.execute(query)
                while rows := cursor.fetchmany(self.batch_rows):
                    writer.write_rows(rows)
            row_count = parquet_row_count(temporary)
            size = temporary.stat().st_size
        return ExportResult(row_count=row_count, size_bytes=size, columns=written)

    def close(self) -> None:
        """Nothing to release: every call opens and closes its own connection."""

    # -- internals -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[DBAPICursor]:
        with _guard():
            connection = self._connect_factory()
        try:
            cursor: DBAPICursor = connection.cursor()
            try:
                with _guard():
                    yield cursor
            finally:
                with contextlib.suppress(Exception):
                    cursor.close()
        finally:
            with contextlib.suppress(Exception):
                connection.close()

    def _fetchall(self, sql: str) -> list[Any]:
        with self._cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())


@contextlib.contextmanager
def _guard() -> Iterator[None]:
    """Trino client errors → WarehouseError carrying Trino's message."""
    from trino import exceptions

    try:
        yield
    except exceptions.TrinoQueryError as error:
        raise WarehouseError(error.message) from error
    except (exceptions.Error, exceptions.HttpError) as error:
        raise WarehouseError(str(error) or type(error).__name__) from error


def _arrow_field(column: ColumnInfo) -> pa.Field:
    kind = arrow_type(column.data_type)
    if kind is None:
        raise WarehouseError(f"Column {column.name}: no Arrow type for {column.data_type}")
    return pa.field(column.name, kind)
