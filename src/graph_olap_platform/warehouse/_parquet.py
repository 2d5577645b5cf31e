"""Parquet output shared by the warehouses that cannot write Parquet themselves.

PostgreSQL and Trino hand rows to Python in batches; each batch is converted column by column
into one Arrow record batch (``pyarrow.array`` over a whole column, never a Python loop writing
single values) and appended to the file as a row group by ``pyarrow.parquet.ParquetWriter``.
Files are written under a temporary name and renamed into place, so a failed export never
leaves a partial file at the destination.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from graph_olap.models.mapping import RyuType
from graph_olap_platform.warehouse.base import WarehouseError
from graph_olap_platform.warehouse.types import SqlType, parse_type, ryu_type

COMPRESSION = "zstd"

_SCALAR_ARROW: dict[RyuType, pa.DataType] = {
    RyuType.STRING: pa.string(),
    RyuType.INT64: pa.int64(),
    RyuType.INT32: pa.int32(),
    RyuType.INT16: pa.int16(),
    RyuType.INT8: pa.int8(),
    RyuType.DOUBLE: pa.float64(),
    RyuType.FLOAT: pa.float32(),
    RyuType.BOOL: pa.bool_(),
    RyuType.DATE: pa.date32(),
    RyuType.UUID: pa.string(),  # exports write UUIDs as their text form
    RyuType.BLOB: pa.binary(),
}


def arrow_type(data_type: str | SqlType) -> pa.DataType | None:
    """The Arrow type for values of a warehouse column type; ``None`` when unknown."""
    try:
        parsed = parse_type(data_type) if isinstance(data_type, str) else data_type
    except ValueError:
        return None
    if parsed.element is not None:
        element = arrow_type(parsed.element)
        return pa.list_(element) if element is not None else None
    if parsed.key is not None and parsed.value is not None:
        key, value = arrow_type(parsed.key), arrow_type(parsed.value)
        return pa.map_(key, value) if key is not None and value is not None else None
    if parsed.fields:
        fields = [(name, arrow_type(kind)) for name, kind in parsed.fields]
        if any(kind is None or not name for name, kind in fields):
            return None
        return pa.struct([pa.field(name, kind) for name, kind in fields])
    ryu = ryu_type(parsed)
    if ryu == RyuType.TIMESTAMP:
        zoned = "with time zone" in parsed.name or parsed.name == "timestamptz"
        return pa.timestamp("us", tz="UTC" if zoned else None)
    return _SCALAR_ARROW.get(ryu) if ryu is not None else None


@contextmanager
def atomic_file(destination: Path) -> Iterator[Path]:
    """A temporary path next to ``destination``, renamed onto it when the block succeeds."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        yield temporary
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)


def parquet_row_count(path: Path) -> int:
    """Rows in a Parquet file, from its footer."""
    return int(pq.read_metadata(path).num_rows)


class RowBatchWriter:
    """Appends batches of DB-API rows to a Parquet file as Arrow record batches."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.schema = schema
        self.rows = 0
        self._writer = pq.ParquetWriter(path, schema, compression=COMPRESSION)

    def write_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        arrays = [
            _column(values, field) for values, field in zip(columns, self.schema, strict=True)
        ]
        self._writer.write_batch(pa.record_batch(arrays, schema=self.schema))
        self.rows += len(rows)

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> RowBatchWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _column(values: Sequence[Any], field: pa.Field) -> pa.Array:
    try:
        return pa.array(values, type=field.type, from_pandas=False)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as error:
        raise WarehouseError(
            f"Column {field.name}: the warehouse returned values that do not fit {field.type}: "
            f"{error}"
        ) from error
