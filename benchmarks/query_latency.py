"""Trivial query round trip: the SDK against the engine called in-process, per engine.

Two queries on the demo graph: ``RETURN 1`` and a parameterised point lookup
(``MATCH (c:Customer {customer_id: $id}) RETURN c.name``, the id cycling over customers). The SDK
side is ``InstanceConnection.query`` on a running instance (HTTP to the wrapper, authorisation
through the control plane (cached), the engine, JSON rows back). The baseline is the same query
with the same parameters on the engine's own API in a child process that loaded the same
snapshot: ``Connection.execute(q, params).get_all()`` for LadybugDB/Ryugraph, the ``falkordb``
client's ``ro_query(q, params).result_set`` for FalkorDB. p50/p95 over ``--calls`` calls after a
warm-up. Target: SDK p50 at most engine p50 + 2 ms.

    python benchmarks/query_latency.py               # 500 calls per query and engine
    python benchmarks/query_latency.py --smoke       # 20 calls
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _bench

TARGET_MS = 2.0
POINT = "MATCH (c:Customer {customer_id: $id}) RETURN c.name AS name"
QUERIES = {"RETURN 1": "RETURN 1 AS one", "point lookup": POINT}
CUSTOMER_IDS = [f"C{i:04d}" for i in range(1, 1001)]


def parameters(query: str, i: int) -> dict[str, Any]:
    return {"id": CUSTOMER_IDS[i % len(CUSTOMER_IDS)]} if "$id" in query else {}


def measure(call: Any, query: str, calls: int, warmup: int) -> list[float]:
    """Milliseconds per call of ``call(query, parameters)``, after ``warmup`` calls."""
    for i in range(warmup):
        call(query, parameters(query, i))
    times = []
    for i in range(calls):
        params = parameters(query, i)
        started = time.perf_counter()
        call(query, params)
        times.append((time.perf_counter() - started) * 1000)
    return times


def latency_worker(payload: dict[str, Any]) -> dict[str, Any]:
    """Child process: load the snapshot into the engine, then time its own client."""
    from tests.integration.demo import EDGES, NODES

    engine = _bench.load_engine(
        payload["engine"], Path(payload["snapshot"]), NODES, EDGES, Path(payload["work"])
    )
    native = _bench.native_connection(engine)
    if engine.name == "falkordb":

        def call(query: str, params: dict[str, Any]) -> Any:
            return native.ro_query(query, params).result_set

    else:

        def call(query: str, params: dict[str, Any]) -> Any:
            result = native.execute(query, params)
            rows = result.get_all()
            result.close()
            return rows

    answer = {
        name: measure(call, query, payload["calls"], payload["warmup"])
        for name, query in QUERIES.items()
    }
    engine.close()
    return answer


def sdk_side(sdk: Any, instance_id: int, calls: int, warmup: int) -> dict[str, list[float]]:
    with sdk.instances.connect(instance_id) as conn:
        if conn.query(POINT, {"id": CUSTOMER_IDS[0]}).row_count != 1:
            raise SystemExit(f"no customer {CUSTOMER_IDS[0]} in the demo graph")

        def call(query: str, params: dict[str, Any]) -> Any:
            return conn.query(query, params).rows

        return {name: measure(call, query, calls, warmup) for name, query in QUERIES.items()}


def main() -> int:
    p = _bench.parser(__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=None, help="timed calls per query (default 500)")
    p.add_argument("--warmup", type=int, default=None, help="untimed calls first (default 50)")
    args = p.parse_args()
    if args.worker:
        return _bench.worker_main(latency_worker, args.worker)
    note = _bench.MachineNote()
    calls = args.calls or (20 if args.smoke else 500)
    warmup = args.warmup or (5 if args.smoke else 50)

    from tests.integration.demo import EDGES, NODES

    tmp = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    rows = []
    try:
        with _bench.running_platform() as server:
            sdk = _bench.client(server)
            mapping = sdk.mappings.create(
                name=f"bench latency {time.time_ns()}",
                node_definitions=NODES,
                edge_definitions=EDGES,
            )
            for engine in args.engines:
                instance = sdk.instances.create_from_mapping_and_wait(
                    mapping.id,
                    f"latency {engine} {time.time_ns()}",
                    wrapper_type=engine,
                    show_progress=False,
                )
                snapshot = sdk.snapshots.get(instance.snapshot_id).gcs_path
                platform = sdk_side(sdk, instance.id, calls, warmup)
                _bench.terminate(sdk, instance.id)  # the baseline runs alone
                native = _bench.run_worker(
                    __file__,
                    {
                        "engine": engine,
                        "snapshot": snapshot,
                        "work": str(tmp / engine),
                        "calls": calls,
                        "warmup": warmup,
                    },
                )
                for name in QUERIES:
                    s50, s95 = (_bench.percentile(platform[name], q) for q in (50, 95))
                    e50, e95 = (_bench.percentile(native[name], q) for q in (50, 95))
                    rows.append(
                        [
                            engine,
                            name,
                            f"{s50:.2f}",
                            f"{s95:.2f}",
                            f"{e50:.2f}",
                            f"{e95:.2f}",
                            f"{s50 - e50:+.2f}",
                            _bench.ratio(s50, e50),
                            f"<= +{TARGET_MS:g} ms",
                            _bench.verdict(s50 <= e50 + TARGET_MS),
                        ]
                    )
            sdk.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _bench.print_table(
        f"query latency: SDK round trip vs engine in-process ({calls} calls after {warmup} "
        "warm-up; milliseconds)",
        [
            "engine",
            "query",
            "SDK p50",
            "SDK p95",
            "engine p50",
            "engine p95",
            "p50 overhead",
            "ratio",
            "target",
            "result",
        ],
        rows,
    )
    note.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
