"""Bulk results: ``query_df`` (Arrow IPC) against the engine's own Arrow fetch and the JSON path.

A generated node table of ``--rows`` rows (default 1 M) and 3 columns (INT64 key, STRING, DOUBLE)
is mapped and loaded on each engine; the query returns every row:
``MATCH (n:Item) RETURN n.item_id, n.name, n.value``.

- SDK Arrow: ``conn.query_df(q)`` (pandas, the default) and ``conn.query_df(q, backend="polars")``;
- engine Arrow, in a child process that loaded the same snapshot: LadybugDB/Ryugraph
  ``conn.execute(q).get_as_arrow()``; FalkorDB has no Arrow export, so its baseline is the
  ``falkordb`` client's ``ro_query(q).result_set`` turned into an Arrow table;
- SDK JSON: ``conn.query(q, max_rows=rows)`` (the platform's row cap raised for this run with
  ``GRAPH_OLAP_WRAPPER_MAX_ROWS``).

Targets: SDK Arrow (pandas) at most 2x the engine's Arrow fetch, and at least 5x faster than JSON.
Medians of ``--runs`` runs.

    python benchmarks/query_df.py                 # 1 M rows, 3 runs
    python benchmarks/query_df.py --smoke         # 20 K rows, 1 run
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _bench

ARROW_TARGET = 2.0
JSON_TARGET = 5.0
QUERY = "MATCH (n:Item) RETURN n.item_id AS item_id, n.name AS name, n.value AS value"
NODES = [
    {
        "label": "Item",
        "sql": "SELECT item_id, name, value FROM bench.items",
        "primary_key": {"name": "item_id", "type": "INT64"},
        "properties": [{"name": "name", "type": "STRING"}, {"name": "value", "type": "DOUBLE"}],
    }
]


def items_table(rows: int) -> list[str]:
    return [
        "CREATE SCHEMA bench",
        f"CREATE TABLE bench.items AS SELECT i AS item_id, 'item ' || i AS name, "
        f"CAST(i % 100000 AS DOUBLE) / 100 AS value FROM range({rows}) t(i)",
    ]


def timed_runs(fn: Any, runs: int, expected: int, what: str) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - started)
        if count != expected:
            raise SystemExit(f"{what}: {count} rows, expected {expected}")
    return _bench.median(times)


def arrow_worker(payload: dict[str, Any]) -> dict[str, Any]:
    """Child process: load the snapshot into the engine, then time its own Arrow fetch."""
    import pyarrow as pa

    engine = _bench.load_engine(
        payload["engine"], Path(payload["snapshot"]), NODES, [], Path(payload["work"])
    )
    native = _bench.native_connection(engine)
    if engine.name == "falkordb":

        def fetch() -> int:
            rows = native.ro_query(QUERY, timeout=600_000).result_set
            columns = list(zip(*rows, strict=True)) if rows else [[], [], []]
            table = pa.table(
                {
                    name: pa.array(values)
                    for name, values in zip(("item_id", "name", "value"), columns, strict=True)
                }
            )
            return int(table.num_rows)

    else:

        def fetch() -> int:
            result = native.execute(QUERY)
            table = result.get_as_arrow()
            result.close()
            return int(table.num_rows)

    seconds = timed_runs(fetch, payload["runs"], payload["rows"], "engine Arrow")
    engine.close()
    return {"arrow_s": seconds}


def main() -> int:
    p = _bench.parser(__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=None, help="rows returned (default 1 M)")
    p.add_argument("--runs", type=int, default=None, help="runs per figure (default 3)")
    args = p.parse_args()
    if args.worker:
        return _bench.worker_main(arrow_worker, args.worker)
    note = _bench.MachineNote()
    rows_n = args.rows or (20_000 if args.smoke else 1_000_000)
    runs = args.runs or (1 if args.smoke else 3)

    tmp = Path(tempfile.mkdtemp(prefix="bench-query-df-"))
    rows = []
    try:
        warehouse = _bench.build_warehouse(
            tmp / "warehouse.duckdb", items_table(rows_n), demo=False
        )
        env = _bench.warehouse_env(warehouse, GRAPH_OLAP_WRAPPER_MAX_ROWS=str(rows_n))
        with _bench.running_platform(env) as server:
            sdk = _bench.client(server)
            mapping = sdk.mappings.create(
                name=f"bench query_df {time.time_ns()}",
                node_definitions=NODES,
                edge_definitions=[],
            )
            for engine in args.engines:
                instance = sdk.instances.create_from_mapping_and_wait(
                    mapping.id,
                    f"query_df {engine} {time.time_ns()}",
                    wrapper_type=engine,
                    show_progress=False,
                    timeout=1800,
                )
                snapshot = sdk.snapshots.get(instance.snapshot_id).gcs_path
                with sdk.instances.connect(instance.id, timeout=600) as conn:
                    conn.query_df(QUERY, timeout=600)  # warm-up (and imports)
                    conn.query_df(QUERY, backend="polars", timeout=600)
                    pandas_s = timed_runs(
                        lambda c=conn: len(c.query_df(QUERY, timeout=600)),
                        runs,
                        rows_n,
                        "query_df",
                    )
                    polars_s = timed_runs(
                        lambda c=conn: len(c.query_df(QUERY, backend="polars", timeout=600)),
                        runs,
                        rows_n,
                        "query_df polars",
                    )
                    json_s = timed_runs(
                        lambda c=conn: c.query(QUERY, max_rows=rows_n, timeout=1800).row_count,
                        runs,
                        rows_n,
                        "query (JSON)",
                    )
                _bench.terminate(sdk, instance.id)  # the baseline runs alone
                native = _bench.run_worker(
                    __file__,
                    {
                        "engine": engine,
                        "snapshot": snapshot,
                        "work": str(tmp / engine),
                        "runs": runs,
                        "rows": rows_n,
                    },
                )
                arrow_s = native["arrow_s"]
                rows.append(
                    [
                        engine,
                        f"{pandas_s:.3f}",
                        f"{polars_s:.3f}",
                        f"{arrow_s:.3f}",
                        f"{json_s:.3f}",
                        _bench.ratio(pandas_s, arrow_s),
                        _bench.verdict(pandas_s <= ARROW_TARGET * arrow_s),
                        _bench.ratio(json_s, pandas_s),
                        _bench.verdict(json_s >= JSON_TARGET * pandas_s),
                    ]
                )
            sdk.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _bench.print_table(
        f"query_df: {rows_n:,} rows x 3 columns (seconds, median of {runs}); targets: "
        f"ratio to engine Arrow <= {ARROW_TARGET:g}x, JSON/Arrow >= {JSON_TARGET:g}x",
        [
            "engine",
            "query_df",
            "(polars)",
            "engine Arrow",
            "JSON query",
            "ratio to engine",
            "result",
            "JSON/Arrow ratio",
            "result",
        ],
        rows,
    )
    note.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
