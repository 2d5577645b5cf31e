"""The warehouse layer: SQL sources, their metadata, query description and export to Parquet.

``open_warehouse(url)`` gives a :class:`Warehouse` for ``duckdb:///…``, ``postgresql://…`` or
``trino://…``; ``check_definitions_against`` checks mapping definitions against it. The
implementations (``.duckdb``, ``.postgres``, ``.trino``) and the demo dataset (``.demo``) are
imported on demand, so importing this package loads no database client.
"""

from graph_olap_platform.warehouse.base import (
    ColumnInfo,
    ExportResult,
    TableInfo,
    Warehouse,
    WarehouseError,
)
from graph_olap_platform.warehouse.factory import open_warehouse
from graph_olap_platform.warehouse.types import compatible, ryu_type
from graph_olap_platform.warehouse.validate import check_definitions_against

__all__ = [
    "ColumnInfo",
    "ExportResult",
    "TableInfo",
    "Warehouse",
    "WarehouseError",
    "check_definitions_against",
    "compatible",
    "open_warehouse",
    "ryu_type",
]
