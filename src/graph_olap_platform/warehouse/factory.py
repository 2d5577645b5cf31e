"""Open the warehouse a URL names.

=====================================  =============================================
``duckdb:///abs/path/warehouse.duckdb``  a DuckDB file (``duckdb://relative/path`` too)
``postgresql://user:pw@host/db``         PostgreSQL (also ``postgres://`` and
                                         ``postgresql+psycopg://``)
``trino://user@host:port/catalog``       Trino / Starburst (see ``warehouse.trino``)
=====================================  =============================================

Implementations are imported only when their scheme is used, so the control plane does not
load a client library it does not need.
"""

from __future__ import annotations

import threading
from urllib.parse import unquote

from graph_olap_platform.warehouse.base import Warehouse

__all__ = ["SCHEMES", "SharedWarehouse", "open_warehouse"]

SCHEMES = ("duckdb", "postgresql", "postgres", "postgresql+psycopg", "trino")


def open_warehouse(url: str) -> Warehouse:
    """The warehouse for ``url``; ValueError for a URL this platform cannot open."""
    scheme, separator, rest = url.partition("://")
    scheme = scheme.lower()
    if not separator or scheme not in SCHEMES:
        shown = scheme if separator else url
        raise ValueError(
            f"Unsupported warehouse URL {shown!r}: expected duckdb:///path/to/file.duckdb, "
            "postgresql://user@host/database or trino://user@host:port/catalog"
        )
    if scheme == "duckdb":
        from graph_olap_platform.warehouse.duckdb import DuckDBWarehouse

        path = unquote(rest.split("?", 1)[0])
        if not path:
            raise ValueError(f"The DuckDB URL names no file: {url!r}")
        return DuckDBWarehouse(path)
    if scheme == "trino":
        from graph_olap_platform.warehouse.trino import TrinoWarehouse

        return TrinoWarehouse(url)
    from graph_olap_platform.warehouse.postgres import PostgresWarehouse

    return PostgresWarehouse(url)


class SharedWarehouse:
    """One warehouse connection for the whole control plane, opened on first use.

    Implementations are thread-safe, so export workers and validation share it; ``close()``
    at shutdown.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._warehouse: Warehouse | None = None
        self._lock = threading.Lock()

    def get(self) -> Warehouse:
        with self._lock:
            if self._warehouse is None:
                self._warehouse = open_warehouse(self.url)
            return self._warehouse

    def close(self) -> None:
        with self._lock:
            if self._warehouse is not None:
                self._warehouse.close()
                self._warehouse = None
