"""The interface every graph engine of the wrapper implements.

One wrapper process owns exactly one engine (LadybugDB and Ryugraph cannot even share a process).
The wrapper app calls these methods from worker threads; an engine serialises access to its
database where the engine requires it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
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


CancelOutcome = Literal["interrupted", "not_running", "unsupported"]
"""What ``Engine.cancel`` did: stopped the query, found nothing running under that id, or
cannot stop a running query (it then runs until its own timeout and its result is dropped)."""

PlanMode = Literal["explain", "profile"]


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


@dataclass
class GraphView:
    """A read-only, index-based copy of (part of) the graph for algorithms (docs/algorithms.md).

    Nodes are numbered 0..n-1 label by label: the nodes of ``labels[i]`` are the indexes
    ``offsets[i]`` to ``offsets[i + 1] - 1``, in the order of ``keys[i]`` (their primary keys).
    Edges are the parallel arrays ``src`` / ``dst`` of node indexes (int64; parallel edges and
    self loops kept as stored), with ``weights`` (float64) when a weight property was asked for.
    """

    labels: list[str]
    keys: list[pa.Array]
    src: np.ndarray
    dst: np.ndarray
    rel_types: list[str] = field(default_factory=list)
    weights: np.ndarray | None = None

    @property
    def offsets(self) -> np.ndarray:
        return np.cumsum([0, *(len(k) for k in self.keys)], dtype=np.int64)

    @property
    def num_nodes(self) -> int:
        return int(sum(len(k) for k in self.keys))

    @property
    def num_edges(self) -> int:
        return len(self.src)

    def label_slice(self, label: str) -> slice:
        offsets = self.offsets
        i = self.labels.index(label)
        return slice(int(offsets[i]), int(offsets[i + 1]))

    def node_ids(self) -> list[str]:
        """The ``_id`` of every node, by index: ``"<Label>_<primary key>"`` (docs/instances.md)."""
        out: list[str] = []
        for label, keys in zip(self.labels, self.keys, strict=True):
            out.extend(f"{label}_{k}" for k in keys.to_pylist())
        return out


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
        self,
        cypher: str,
        parameters: dict[str, Any],
        *,
        timeout_ms: int,
        max_rows: int | None,
        query_id: str | None = None,
    ) -> QueryOutput:
        """Run a read query; raise ``EngineError`` or ``QueryTimeout``. ``query_id`` names the
        running query for :meth:`cancel` (an interrupted query raises ``QueryTimeout``)."""

    def query_arrow(
        self,
        cypher: str,
        parameters: dict[str, Any],
        *,
        timeout_ms: int,
        query_id: str | None = None,
    ) -> pa.Table:
        """Run a read query and return all rows as an Arrow table."""

    def plan(
        self,
        cypher: str,
        parameters: dict[str, Any],
        *,
        mode: PlanMode,
        timeout_ms: int,
        query_id: str | None = None,
    ) -> str:
        """The engine's query plan as text: ``explain`` plans without running, ``profile`` runs
        the query and reports per-operator rows and times (the rows are not returned)."""

    def cancel(self, query_id: str) -> CancelOutcome:
        """Stop the query running under ``query_id`` (from any thread; returns at once)."""

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Node counts by label and edge counts by type."""

    def set_threads(self, threads: int) -> None:
        """Change the engine's worker threads (``PUT /api/instances/{id}/cpu``)."""

    def memory_usage_bytes(self) -> int | None: ...

    # -- algorithms (docs/algorithms.md) ---------------------------------------------------------
    def graph_view(
        self,
        labels: list[str],
        rel_types: list[str],
        *,
        weight_property: str | None = None,
        timeout_ms: int,
    ) -> GraphView:
        """Every node of ``labels`` (isolated ones included) and every relationship of
        ``rel_types`` (whose endpoints all lie in ``labels``), as index arrays. Never builds a
        Python object per edge."""

    def write_node_property(
        self, label: str, name: str, value_type: str, keys: pa.Array, values: pa.Array
    ) -> int:
        """Store ``values[i]`` (``value_type`` DOUBLE, INT64 or BOOL; nulls allowed) as property
        ``name`` of the ``label`` node whose primary key is ``keys[i]``; create the property first
        when it does not exist (other nodes of the label then read null). All rows or none:
        on failure nothing is left half written. Returns the number of nodes updated."""

    def drop_node_property(self, label: str, name: str) -> None:
        """Remove a property that ``write_node_property`` created (no error when absent)."""

    def native_algorithm(
        self, name: str, view: GraphView, parameters: dict[str, Any], *, timeout_ms: int
    ) -> np.ndarray | None:
        """The engine's own implementation of a native algorithm on ``view``'s nodes, as one
        value per view node index; ``None`` when the engine has none for this case (the
        wrapper then runs its compiled implementation on the view)."""

    def close(self) -> None: ...
