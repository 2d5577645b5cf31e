"""The engine implementation shared by the Kuzu-family engines (LadybugDB and Ryugraph).

Both embed the database in the wrapper process and speak the same Cypher dialect, Python API and
Arrow export; they differ in how a database must be opened and loaded, which the thin subclasses
in ``ladybug.py`` and ``ryugraph.py`` set through class attributes. The engine module is imported
only when ``open`` runs, so importing this package never loads either library (the two cannot
share a process).
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from graph_olap_platform.wrapper.engines.base import (
    EdgeSpec,
    EngineError,
    NodeSpec,
    PropertySpec,
    QueryOutput,
    QueryTimeout,
)
from graph_olap_platform.wrapper.engines.kuzu_values import (
    Catalog,
    ValueConverter,
    arrow_to_kuzu_type,
    graph_columns_as_json,
    invalid_columns,
    table_rows,
)
from graph_olap_platform.wrapper.engines.parquet_staging import stage, staged_chunks
from graph_olap_platform.wrapper.engines.watchdog import Watchdog
from graph_olap_platform.wrapper.values import normalise_type_name

log = logging.getLogger("graph_olap_platform.wrapper.engines")

COLUMN_TYPES_METADATA = b"graph_olap.column_types"
"""Arrow schema metadata key of ``query_arrow`` tables: the JSON list of column types."""

_POSITION = re.compile(r"\(line: (\d+), offset: (\d+)\)")
_COPIED = re.compile(r"^(\d+) tuples? ha(?:ve|s) been copied")
_CONTAINER_TYPES = {"LIST", "MAP", "STRUCT"}


def quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def quote_path(path: Path) -> str:
    return "'" + str(path).replace("\\", "\\\\").replace("'", "\\'") + "'"


def translate_error(message: str) -> EngineError | QueryTimeout:
    """Map an engine exception's text to ``QueryTimeout`` or a coded ``EngineError``."""
    text = message.strip()
    if text.startswith("Interrupted"):
        return QueryTimeout(text)
    if text.startswith("Parser exception"):
        position = None
        match = _POSITION.search(text)
        if match:
            # The engine counts the offset within the line from 0; columns count from 1.
            position = {"line": int(match.group(1)), "column": int(match.group(2)) + 1}
        return EngineError(text, code="QUERY_SYNTAX_ERROR", position=position)
    return EngineError(text, code="QUERY_ERROR")


@dataclass
class Fetched:
    """A result as Arrow, plus Python values for columns the engine exported malformed."""

    table: pa.Table
    types: list[str]
    replacements: dict[int, list[Any]]


class _Session:
    """One engine connection and the guard that lets a watchdog interrupt only its own query."""

    def __init__(self, connection: Any, threads: int) -> None:
        self.connection = connection
        self.threads = threads
        self.guard = threading.Lock()
        self.running = False


class KuzuFamilyEngine:
    """Shared implementation of the ``Engine`` protocol for Kuzu-family engines."""

    name: str = "kuzu"
    module_name: str = ""
    in_memory: bool = False
    """Open an in-memory database instead of one on disk in the work directory."""
    first_chunk_rows: int | None = None
    chunk_rows: int | None = None
    """Load tables in COPYs of at most this many rows (``first_chunk_rows`` for the first one)."""
    max_connections: int = 16
    interrupt_grace_seconds: float = 2.0
    """After ``timeout_ms`` plus this, a watchdog interrupts a query the engine has not stopped."""

    def __init__(self) -> None:
        self._module: Any = None
        self._db: Any = None
        self._work_dir: Path | None = None
        self._threads = 1
        self._idle: list[_Session] = []
        self._busy: set[_Session] = set()
        self._pool_lock = threading.Condition()
        self._load_lock = threading.Lock()
        self._closed = False
        self._nodes: dict[str, NodeSpec] = {}
        self._edges: dict[str, EdgeSpec] = {}
        self._catalog = Catalog()
        self._keys: dict[int, pa.Array] = {}  # node table id -> primary keys by offset
        self._keys_lock = threading.Lock()
        self._watchdog = Watchdog(f"{self.name}-watchdog")

    # -- lifecycle ----------------------------------------------------------------------------
    def open(self, work_dir: Path, *, threads: int) -> None:
        self._module = importlib.import_module(self.module_name)
        self._work_dir = work_dir
        self._threads = max(1, threads)
        work_dir.mkdir(parents=True, exist_ok=True)
        if self.in_memory:
            self._db = self._module.Database(None)
        else:
            path = work_dir / f"graph.{self.name}"
            for leftover in (path, Path(f"{path}.wal"), Path(f"{path}.lock")):
                if leftover.is_dir():
                    shutil.rmtree(leftover)
                elif leftover.exists():
                    leftover.unlink()
            self._db = self._module.Database(str(path))
        log.info("%s database opened (%s)", self.name, "memory" if self.in_memory else work_dir)

    def close(self) -> None:
        with self._pool_lock:
            if self._closed:
                return
            self._closed = True
            for session in list(self._busy):
                self._interrupt(session)
            deadline = time.monotonic() + 10
            while self._busy and time.monotonic() < deadline:
                self._pool_lock.wait(timeout=0.1)
            sessions = self._idle + list(self._busy)
            self._idle = []
        for session in sessions:
            try:
                session.connection.close()
            except Exception:  # pragma: no cover - best effort on shutdown
                log.exception("closing a %s connection failed", self.name)
        if self._db is not None:
            self._db.close()
            self._db = None
        log.info("%s database closed", self.name)

    # -- connections --------------------------------------------------------------------------
    @contextmanager
    def _session(self) -> Iterator[_Session]:
        with self._pool_lock:
            while True:
                if self._closed or self._db is None:
                    raise EngineError("The database is not open", code="DATABASE_ERROR")
                if self._idle:
                    session = self._idle.pop()
                    break
                if len(self._busy) < self.max_connections:
                    session = _Session(self._module.Connection(self._db), 0)
                    break
                self._pool_lock.wait()
            self._busy.add(session)
            threads = self._threads
        try:
            if session.threads != threads:
                session.connection.set_max_threads_for_exec(threads)
                session.threads = threads
            yield session
        finally:
            with self._pool_lock:
                self._busy.discard(session)
                if not self._closed:
                    self._idle.append(session)
                self._pool_lock.notify_all()

    def _interrupt(self, session: _Session) -> None:
        with session.guard:
            if session.running:
                session.connection.interrupt()

    def _execute(
        self,
        session: _Session,
        cypher: str,
        parameters: dict[str, Any],
        timeout_ms: int | None,
    ) -> Any:
        """Run one query; returns the engine's (last) QueryResult."""
        connection = session.connection
        connection.set_query_timeout(timeout_ms or 0)
        with session.guard:
            session.running = True
        token = None
        if timeout_ms:
            # The engine stops the query at its timeout; this is the backstop if it does not.
            delay = timeout_ms / 1000 + self.interrupt_grace_seconds
            token = self._watchdog.arm(delay, partial(self._interrupt, session))
        try:
            result = connection.execute(cypher, parameters)
        except RuntimeError as exc:
            raise translate_error(str(exc)) from exc
        finally:
            with session.guard:
                session.running = False
            if token is not None:
                self._watchdog.disarm(token)
        if isinstance(result, list):  # several statements: answer with the last one
            for earlier in result[:-1]:
                earlier.close()
            result = result[-1]
        return result

    def _run(self, cypher: str, parameters: dict[str, Any] | None = None) -> list[list[Any]]:
        """An internal query without timeout, answered as Python rows."""
        with self._session() as session:
            result = self._execute(session, cypher, parameters or {}, None)
            try:
                rows: list[list[Any]] = result.get_all()
            finally:
                result.close()
        return rows

    # -- schema and load ----------------------------------------------------------------------
    def create_schema(self, nodes: list[NodeSpec], edges: list[EdgeSpec]) -> None:
        statements = [self._node_ddl(node) for node in nodes] + [
            self._edge_ddl(edge) for edge in edges
        ]
        for statement in statements:
            log.debug("%s: %s", self.name, statement)
            try:
                self._run(statement)
            except (EngineError, QueryTimeout) as exc:
                raise EngineError(f"{exc} (in: {statement})", code="DATABASE_ERROR") from exc
        self._nodes = {node.label: node for node in nodes}
        self._edges = {edge.type: edge for edge in edges}
        tables = {str(row[1]): int(row[0]) for row in self._run("CALL show_tables() RETURN *")}
        self._catalog = Catalog(
            node_keys={n.label: n.primary_key.name for n in nodes},
            node_properties={
                n.label: frozenset([n.primary_key.name, *(p.name for p in n.properties)])
                for n in nodes
            },
            rel_properties={e.type: frozenset(p.name for p in e.properties) for e in edges},
            node_tables={tables[n.label]: n.label for n in nodes if n.label in tables},
        )

    def _column_type(self, prop: PropertySpec, parquet: Path, index: int) -> str:
        declared = prop.type.upper()
        if declared not in _CONTAINER_TYPES:
            return declared
        # LIST/MAP/STRUCT carry no element types in a mapping: take them from the Parquet file.
        try:
            schema = pq.read_schema(parquet)
            arrow_field = schema.field(prop.name) if prop.name in schema.names else schema[index]
        except (OSError, IndexError, KeyError) as exc:
            raise EngineError(
                f"Cannot read the type of {prop.name} from {parquet.name}: {exc}",
                code="DATABASE_ERROR",
            ) from exc
        return arrow_to_kuzu_type(arrow_field.type)

    def _node_ddl(self, node: NodeSpec) -> str:
        columns = [
            f"{quote_identifier(node.primary_key.name)} "
            f"{self._column_type(node.primary_key, node.parquet, 0)} PRIMARY KEY"
        ]
        columns += [
            f"{quote_identifier(p.name)} {self._column_type(p, node.parquet, i + 1)}"
            for i, p in enumerate(node.properties)
        ]
        return f"CREATE NODE TABLE {quote_identifier(node.label)}({', '.join(columns)})"

    def _edge_ddl(self, edge: EdgeSpec) -> str:
        columns = [f"FROM {quote_identifier(edge.from_node)} TO {quote_identifier(edge.to_node)}"]
        columns += [
            f"{quote_identifier(p.name)} {self._column_type(p, edge.parquet, i + 2)}"
            for i, p in enumerate(edge.properties)
        ]
        return f"CREATE REL TABLE {quote_identifier(edge.type)}({', '.join(columns)})"

    def load_nodes(self, node: NodeSpec) -> int:
        names = [node.primary_key.name, *(p.name for p in node.properties)]
        declared = [node.primary_key.type, *(p.type for p in node.properties)]
        return self._load(node.label, node.parquet, names, declared)

    def load_edges(self, edge: EdgeSpec) -> int:
        keys = [
            self._nodes[end].primary_key.type if end in self._nodes else ""
            for end in (edge.from_node, edge.to_node)
        ]
        names = [edge.from_key, edge.to_key, *(p.name for p in edge.properties)]
        declared = [*keys, *(p.type for p in edge.properties)]
        return self._load(edge.type, edge.parquet, names, declared)

    def _staging_dir(self) -> Path:
        assert self._work_dir is not None, "open() first"
        return self._work_dir / "staging"

    def _load(self, table: str, parquet: Path, names: list[str], declared: list[str]) -> int:
        if not parquet.is_file():
            raise EngineError(f"Parquet file not found: {parquet}", code="DATABASE_ERROR")
        with self._load_lock:
            try:
                if self.chunk_rows is None:
                    source = stage(parquet, names, declared, self._staging_dir())
                    try:
                        return self._copy(table, source, pq.ParquetFile(source).metadata.num_rows)
                    finally:
                        if source != parquet:
                            source.unlink(missing_ok=True)
                loaded = 0
                with staged_chunks(
                    parquet,
                    names,
                    declared,
                    self._staging_dir(),
                    first_rows=self.first_chunk_rows or self.chunk_rows,
                    rows=self.chunk_rows,
                ) as chunks:
                    for chunk, rows in chunks:
                        loaded += self._copy(table, chunk, rows)
                        chunk.unlink(missing_ok=True)
                return loaded
            except (ValueError, OSError, pa.ArrowException) as exc:
                raise EngineError(f"{parquet.name}: {exc}", code="DATABASE_ERROR") from exc

    def _copy(self, table: str, path: Path, expected: int) -> int:
        if expected == 0:
            return 0
        statement = f"COPY {quote_identifier(table)} FROM {quote_path(path)}"
        try:
            rows = self._run(statement)
        except (EngineError, QueryTimeout) as exc:
            raise EngineError(str(exc), code="DATABASE_ERROR") from exc
        message = str(rows[0][0]) if rows and rows[0] else ""
        match = _COPIED.match(message)
        return int(match.group(1)) if match else expected

    # -- queries ------------------------------------------------------------------------------
    def _converter(self) -> ValueConverter:
        return ValueConverter(self._catalog, self._primary_key)

    def _primary_key(self, table_id: int, offset: int) -> Any:
        keys = self._keys.get(table_id)
        if keys is None:
            with self._keys_lock:
                keys = self._keys.get(table_id)
                if keys is None:
                    keys = self._load_keys(table_id)
                    self._keys[table_id] = keys
        return keys[offset].as_py() if 0 <= offset < len(keys) else None

    def _load_keys(self, table_id: int) -> pa.Array:
        """Primary keys of one node table indexed by internal offset (for ``_start``/``_end``)."""
        label = self._catalog.node_tables[table_id]
        key = self._catalog.node_keys[label]
        cypher = (
            f"MATCH (n:{quote_identifier(label)}) "
            f"RETURN offset(id(n)) AS o, n.{quote_identifier(key)} AS k ORDER BY o"
        )
        with self._session() as session:
            result = self._execute(session, cypher, {}, None)
            try:
                table = result.get_as_arrow(0)
            finally:
                result.close()
        offsets = table.column("o").to_numpy()
        keys = table.column("k").combine_chunks()
        if len(offsets) and int(offsets[-1]) != len(offsets) - 1:  # sparse offsets: densify
            dense: list[Any] = [None] * (int(offsets[-1]) + 1)
            for offset, value in zip(offsets.tolist(), keys.to_pylist(), strict=True):
                dense[offset] = value
            return pa.array(dense, keys.type)
        return keys

    def _fetch(self, cypher: str, parameters: dict[str, Any], timeout_ms: int) -> Fetched:
        with self._session() as session:
            result = self._execute(session, cypher, parameters, timeout_ms)
            try:
                types = [normalise_type_name(t) for t in result.get_column_data_types()]
                # Not LadybugDB's ``query_as_arrow``: it returns wrong values for the nulls of
                # OPTIONAL MATCH (the last non-null value repeated), measured on 0.22.
                table = result.get_as_arrow(0)
                broken = invalid_columns(table)
                replacements: dict[int, list[Any]] = {}
                if broken:
                    # Ryugraph exports null nodes/rels as structs whose children are shorter
                    # than the column; those columns are read through the Python API instead.
                    result.reset_iterator()
                    rows = result.get_all()
                    replacements = {i: [row[i] for row in rows] for i in broken}
            except RuntimeError as exc:
                raise translate_error(str(exc)) from exc
            finally:
                result.close()
        return Fetched(table, types, replacements)

    def query(
        self, cypher: str, parameters: dict[str, Any], *, timeout_ms: int, max_rows: int | None
    ) -> QueryOutput:
        fetched = self._fetch(cypher, parameters, timeout_ms)
        table, replacements = fetched.table, fetched.replacements
        truncated = max_rows is not None and table.num_rows > max_rows
        if truncated:
            table = table.slice(0, max_rows)
            replacements = {i: values[:max_rows] for i, values in replacements.items()}
        return QueryOutput(
            columns=list(table.column_names),
            column_types=fetched.types,
            rows=table_rows(table, self._converter(), replacements),
            truncated=truncated,
        )

    def query_arrow(self, cypher: str, parameters: dict[str, Any], *, timeout_ms: int) -> pa.Table:
        fetched = self._fetch(cypher, parameters, timeout_ms)
        table = graph_columns_as_json(fetched.table, self._converter(), fetched.replacements)
        metadata = dict(table.schema.metadata or {})
        metadata[COLUMN_TYPES_METADATA] = orjson.dumps(fetched.types)
        return table.replace_schema_metadata(metadata)

    # -- state --------------------------------------------------------------------------------
    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        nodes = {
            label: int(self._run(f"MATCH (n:{quote_identifier(label)}) RETURN count(n)")[0][0])
            for label in self._nodes
        }
        edges = {
            rel: int(self._run(f"MATCH ()-[r:{quote_identifier(rel)}]->() RETURN count(r)")[0][0])
            for rel in self._edges
        }
        return nodes, edges

    def set_threads(self, threads: int) -> None:
        with self._pool_lock:
            self._threads = max(1, threads)

    def memory_usage_bytes(self) -> int | None:
        return process_rss_bytes()


def process_rss_bytes(pid: int | str = "self") -> int | None:
    """Resident set size of a process (Linux ``/proc``), None where unavailable."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            resident_pages = int(handle.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
