"""What ``%%cypher`` adds over ``conn.query`` for a 10-row result, per engine.

Both run in this process against the same running instance and the same connection (the
magic's default: the last connection made in the session): ``conn.query(q, params)`` and
``shell.run_cell_magic("cypher", "", q)`` in a real IPython ``InteractiveShell`` with the
extension loaded, binding ``$city`` from the namespace, wrapping the result for display and
printing its timing line (stdout captured). Calls alternate, so drift hits both alike; p50 and
p95 over ``--calls`` pairs after a warm-up. The displayhook's rendering is not included (it is
the widget's cost, paid by any way of showing a result). Target: p50 overhead at most 5 ms.

    python benchmarks/magic_overhead.py               # 300 pairs per engine
    python benchmarks/magic_overhead.py --smoke       # 20 pairs, LadybugDB is enough
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from typing import Any

import _bench

TARGET_MS = 5.0
QUERY = (
    "MATCH (c:Customer) WHERE c.city <> $city "
    "RETURN c.customer_id AS id, c.name AS name ORDER BY id LIMIT 10"
)


def measure(sdk: Any, instance_id: int, calls: int, warmup: int) -> tuple[list[float], list[float]]:
    """Milliseconds per call: (conn.query, %%cypher), alternating."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    with contextlib.redirect_stdout(io.StringIO()):  # a plain shell prints the CSS's repr
        shell.run_line_magic("load_ext", "graph_olap")
    shell.user_ns["city"] = "Nowhere"
    plain: list[float] = []
    magic: list[float] = []
    with sdk.instances.connect(instance_id) as conn:
        parameters = {"city": "Nowhere"}
        expected = conn.query(QUERY, parameters).rows
        if len(expected) != 10:
            raise SystemExit(f"expected 10 rows, got {len(expected)}")
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink):
            if shell.run_cell_magic("cypher", "", QUERY).rows != expected:
                raise SystemExit("%%cypher and conn.query disagree")
            for i in range(warmup + calls):
                started = time.perf_counter()
                conn.query(QUERY, parameters)
                middle = time.perf_counter()
                shell.run_cell_magic("cypher", "", QUERY)
                ended = time.perf_counter()
                if i >= warmup:
                    plain.append((middle - started) * 1000)
                    magic.append((ended - middle) * 1000)
                sink.seek(0)
                sink.truncate()
    return plain, magic


def main() -> int:
    p = _bench.parser(__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=None, help="timed pairs (default 300)")
    p.add_argument("--warmup", type=int, default=None, help="untimed pairs first (default 30)")
    args = p.parse_args()
    note = _bench.MachineNote()
    calls = args.calls or (20 if args.smoke else 300)
    warmup = args.warmup or (5 if args.smoke else 30)

    from tests.integration.demo import NODES

    rows = []
    with _bench.running_platform() as server:
        sdk = _bench.client(server)
        mapping = sdk.mappings.create(
            name=f"bench magic {time.time_ns()}",
            node_definitions=[n for n in NODES if n["label"] == "Customer"],
            edge_definitions=[],
        )
        for engine in args.engines:
            instance = sdk.instances.create_from_mapping_and_wait(
                mapping.id, f"magic {engine}", wrapper_type=engine, show_progress=False
            )
            plain, magic = measure(sdk, instance.id, calls, warmup)
            _bench.terminate(sdk, instance.id)
            q50, q95 = (_bench.percentile(plain, q) for q in (50, 95))
            m50, m95 = (_bench.percentile(magic, q) for q in (50, 95))
            rows.append(
                [
                    engine,
                    f"{q50:.2f}",
                    f"{q95:.2f}",
                    f"{m50:.2f}",
                    f"{m95:.2f}",
                    f"{m50 - q50:+.2f}",
                    _bench.ratio(m50, q50),
                    f"<= +{TARGET_MS:g} ms",
                    _bench.verdict(m50 - q50 <= TARGET_MS),
                ]
            )
        sdk.close()
    _bench.print_table(
        f"%%cypher vs conn.query, 10 rows ({calls} pairs after {warmup} warm-up; milliseconds)",
        [
            "engine",
            "query p50",
            "query p95",
            "magic p50",
            "magic p95",
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
