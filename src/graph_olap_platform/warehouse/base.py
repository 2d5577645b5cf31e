"""The warehouse interface: metadata, query description and export to Parquet.

Implementations: DuckDB (the embedded default, with a demo dataset), PostgreSQL and
Trino/Starburst. Export is pushed down to the warehouse wherever it can write Parquet itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class WarehouseError(Exception):
    """The warehouse refused or failed a query; ``message`` carries the warehouse's own text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    data_type: str  # the warehouse's own type name, e.g. VARCHAR, DECIMAL(10,2)
    ryu_type: str | None  # the graph type it maps to (STRING, INT64, DOUBLE, ...), None if none
    is_nullable: bool = True
    ordinal_position: int = 0


@dataclass(frozen=True)
class TableInfo:
    catalog: str
    schema: str
    name: str
    table_type: str  # BASE TABLE | VIEW
    column_count: int


@dataclass(frozen=True)
class ExportResult:
    row_count: int
    size_bytes: int
    columns: list[ColumnInfo]


class Warehouse(Protocol):
    kind: str  # duckdb | postgresql | trino

    def list_catalogs(self) -> list[str]: ...

    def list_schemas(self, catalog: str) -> list[str]: ...

    def list_tables(self, catalog: str, schema: str) -> list[TableInfo]: ...

    def list_columns(self, catalog: str, schema: str, table: str) -> list[ColumnInfo]: ...

    def describe(self, sql: str) -> list[ColumnInfo]:
        """Output columns of ``sql`` without running it in full; WarehouseError if it fails."""

    def export(self, sql: str, columns: list[str], destination: Path) -> ExportResult:
        """Write the rows of ``sql`` to one Parquet file, renaming its columns to ``columns``."""

    def close(self) -> None: ...
