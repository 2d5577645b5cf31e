"""Preparing snapshot Parquet files for an engine's ``COPY FROM``.

Kuzu-family engines copy Parquet columns by position and cast most Arrow types to the declared
column types themselves, but not decimals (``Unsupported converted type``) nor timestamps in a unit
other than microseconds. Files whose columns are out of order or need such casts are rewritten here,
streaming record batches into a staged copy. The same machinery cuts a file into row chunks for
engines that must load in pieces (Ryugraph).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

_INTEGER_TYPES = {"INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"}


def staged_type(arrow_type: pa.DataType, declared: str) -> pa.DataType | None:
    """The Arrow type a column must be cast to before ``COPY``, or None when it loads as is."""
    declared = declared.upper()
    if pa.types.is_decimal(arrow_type):
        if declared in _INTEGER_TYPES:
            return pa.int64()
        if declared == "STRING":
            return pa.string()
        return pa.float64()
    if pa.types.is_timestamp(arrow_type) and arrow_type.unit != "us":
        return pa.timestamp("us", tz=arrow_type.tz)
    if pa.types.is_date64(arrow_type):
        return pa.date32()
    return None


def target_schema(schema: pa.Schema, declared: list[str]) -> pa.Schema | None:
    """The schema to cast to (None when nothing needs casting)."""
    fields = []
    changed = False
    for arrow_field, declared_type in zip(schema, declared, strict=False):
        new_type = staged_type(arrow_field.type, declared_type)
        if new_type is not None:
            changed = True
            arrow_field = arrow_field.with_type(new_type)
        fields.append(arrow_field)
    fields.extend(schema.field(i) for i in range(len(fields), len(schema)))
    return pa.schema(fields) if changed else None


def _cast_array(array: pa.Array, target: pa.DataType) -> pa.Array:
    if array.type == target:
        return array
    if pa.types.is_decimal(array.type) and pa.types.is_floating(target):
        # Arrow's decimal -> double cast is not correctly rounded (16.99 -> 16.990000000000002);
        # parsing the decimal's text is.
        return array.cast(pa.string()).cast(target)
    return array.cast(target, safe=False)


def column_order(schema: pa.Schema, names: list[str]) -> list[int] | None:
    """Where the expected columns are in the file: None when they come first and in order.

    Engines copy Parquet columns by position, so a file whose columns are in another order would
    load silently wrong. Names are matched case-insensitively; extra columns are dropped.
    """
    have = [name.lower() for name in schema.names]
    want = [name.lower() for name in names]
    if have == want or len(set(want)) < len(want):  # duplicate names: trust the positions
        return None
    missing = [name for name, key in zip(names, want, strict=True) if key not in have]
    if missing:
        raise ValueError(
            f"column(s) {', '.join(missing)} missing: the file has {', '.join(schema.names)}"
        )
    return [have.index(key) for key in want]


def _plan(
    schema: pa.Schema, names: list[str], declared: list[str]
) -> tuple[list[int] | None, pa.Schema | None]:
    """(columns to select, schema to convert to); (None, None) when the file loads as is."""
    order = column_order(schema, names) if names else None
    selected = pa.schema([schema.field(i) for i in order]) if order is not None else schema
    cast = target_schema(selected, declared)
    return order, cast if cast is not None else (selected if order is not None else None)


def _convert(
    batch: pa.RecordBatch, order: list[int] | None, schema: pa.Schema | None
) -> pa.RecordBatch:
    if order is not None:
        batch = batch.select(order)
    if schema is None:
        return batch
    columns = [_cast_array(column, schema.field(i).type) for i, column in enumerate(batch.columns)]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def stage(source: Path, names: list[str], declared: list[str], staging_dir: Path) -> Path:
    """``source`` itself when it loads as is, else a reordered/cast copy in ``staging_dir``."""
    parquet = pq.ParquetFile(source)
    order, schema = _plan(parquet.schema_arrow, names, declared)
    if schema is None:
        return source
    staging_dir.mkdir(parents=True, exist_ok=True)
    target = staging_dir / f"{source.stem}.staged.parquet"
    with pq.ParquetWriter(target, schema, compression="none") as writer:
        for batch in parquet.iter_batches(batch_size=65_536):
            writer.write_batch(_convert(batch, order, schema))
    return target


@contextmanager
def staged_chunks(
    source: Path,
    names: list[str],
    declared: list[str],
    staging_dir: Path,
    *,
    first_rows: int,
    rows: int,
) -> Iterator[Iterator[tuple[Path, int]]]:
    """Yield an iterator of (chunk file, row count): ``first_rows`` rows first, then ``rows``.

    Chunk files are written one at a time just before they are loaded and removed afterwards.
    """
    parquet = pq.ParquetFile(source)
    order, schema = _plan(parquet.schema_arrow, names, declared)
    out_schema = schema or parquet.schema_arrow
    staging_dir.mkdir(parents=True, exist_ok=True)

    def chunks() -> Iterator[tuple[Path, int]]:
        pending = out_schema.empty_table()
        limit = first_rows
        index = 0
        for batch in parquet.iter_batches(batch_size=max(1, min(first_rows, rows))):
            converted = _convert(batch, order, schema)
            pending = pa.concat_tables([pending, pa.Table.from_batches([converted])])
            while pending.num_rows >= limit:
                yield write(pending.slice(0, limit), index)
                pending = pending.slice(limit)
                index += 1
                limit = rows
        if pending.num_rows:
            yield write(pending, index)

    def write(table: pa.Table, index: int) -> tuple[Path, int]:
        path = staging_dir / f"{source.stem}.{index:05d}.parquet"
        pq.write_table(table, path, compression="none")
        return path, table.num_rows

    try:
        yield chunks()
    finally:
        for leftover in staging_dir.glob(f"{source.stem}.*.parquet"):
            leftover.unlink(missing_ok=True)
