"""The interface every graph engine of the wrapper implements.

One wrapper process owns exactly one engine (LadybugDB and Ryugraph cannot even share a process).
The wrapper app calls these methods from worker threads; an engine serialises access to its
database where the engine requires it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa


class EngineError(Exception):
    """A query or load failed inside the engine; ``message`` is the engine's own text."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "QUERY_ERROR",
        position: dict[str, int] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code  # QUERY_SYNTAX_ERROR | QUERY_ERROR | DATABASE_ERROR
        self.position = position  # {"line": 1, "column": 17} when the engine reports one


class QueryTimeout(Exception):
    """The query ran past its timeout and was interrupted; the engine keeps serving."""


@dataclass(frozen=True)
class PropertySpec:
    name: str
    type: str  # a RyuType name: STRING, INT64, DOUBLE, DATE, ...
    nullable: bool = True


@dataclass(frozen=True)
class NodeSpec:
    label: str
    primary_key: PropertySpec
    properties: list[PropertySpec]
    parquet: Path  # nodes/<Label>.parquet: primary key column first, then properties


@dataclass(frozen=True)
class EdgeSpec:
    type: str
    from_node: str
    to_node: str
    from_key: str
    to_key: str
    properties: list[PropertySpec]
    parquet: Path  # edges/<TYPE>.parquet: from_key, to_key, then properties


@dataclass
class QueryOutput:
    """Rows already converted to JSON-ready values (see docs/instances.md, "Values")."""

    columns: list[str]
    column_types: list[str]
    rows: list[list[Any]]
    truncated: bool = False


@dataclass
class TableStats:
    label: str
    count: int
    extra: dict[str, Any] = field(default_factory=dict)


class Engine(Protocol):
    name: str

    def open(self, work_dir: Path, *, threads: int) -> None:
        """Create an empty database in ``work_dir`` (private to this process)."""

    def create_schema(self, nodes: list[NodeSpec], edges: list[EdgeSpec]) -> None:
        """Create typed node and relationship tables (or indexes, for schemaless engines)."""

    def load_nodes(self, node: NodeSpec) -> int:
        """Bulk-load one node table from its Parquet file; return the rows loaded."""

    def load_edges(self, edge: EdgeSpec) -> int:
        """Bulk-load one relationship table from its Parquet file; return the rows loaded."""

    def query(
        self, cypher: str, parameters: dict[str, Any], *, timeout_ms: int, max_rows: int | None
    ) -> QueryOutput:
        """Run a read query; raise ``EngineError`` or ``QueryTimeout``."""

    def query_arrow(self, cypher: str, parameters: dict[str, Any], *, timeout_ms: int) -> pa.Table:
        """Run a read query and return all rows as an Arrow table."""

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Node counts by label and edge counts by type."""

    def set_threads(self, threads: int) -> None:
        """Change the engine's worker threads (``PUT /api/instances/{id}/cpu``)."""

    def memory_usage_bytes(self) -> int | None: ...

    def close(self) -> None: ...
