"""Shared helpers of the benchmark scripts (not a benchmark itself).

- a dev-mode platform in a subprocess on a temporary data dir (``tests/support/platform.py``'s
  ``PlatformProcess``), and an SDK client for it;
- "in-process" baselines run in a child process per engine (LadybugDB and Ryugraph cannot be
  imported into the same Python process): a script re-runs itself with ``--worker <json>`` and
  prints one JSON line, which :func:`run_worker` returns;
- statistics and the compact result tables every script prints.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.platform import PlatformProcess

    from graph_olap import GraphOLAPClient

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # tests.support and tests.integration.demo live at the repo root
    sys.path.insert(0, str(ROOT))
# The SDK, the platform and the engines are imported where they are used: workers (child
# processes) then start without the control plane's imports.

ENGINES = ("ladybug", "ryugraph", "falkordb")
USER = "bench.analyst"
WORKER_PREFIX = "WORKER-RESULT "


# -- command line ----------------------------------------------------------------------------


def engines_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ENGINES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown engine(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(ENGINES)}"
        )
    return names


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--smoke", action="store_true", help="a seconds-long version (CI)")
    p.add_argument(
        "--engines",
        type=engines_list,
        default=list(ENGINES),
        help="comma-separated engines (default: ladybug,ryugraph,falkordb)",
    )
    p.add_argument("--worker", help=argparse.SUPPRESS)  # in-process baseline (child process)
    return p


# -- platform --------------------------------------------------------------------------------


@contextmanager
def running_platform(env: dict[str, str] | None = None) -> Iterator[PlatformProcess]:
    """A dev-mode control plane (X-Username auth) on a fresh data dir, removed afterwards."""
    from tests.support.platform import PlatformProcess

    server = PlatformProcess(
        dev=True,
        extra_env={
            "GRAPH_OLAP_PER_ANALYST_LIMIT": "10",
            **(env or {}),
        },
    )
    try:
        server.start()
        yield server
    except BaseException:
        print(f"--- platform log ({server.data_dir}) ---\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        server.stop()
        shutil.rmtree(server.data_dir, ignore_errors=True)


def client(server: PlatformProcess) -> GraphOLAPClient:
    from graph_olap import GraphOLAPClient

    return GraphOLAPClient(server.url, username=USER, max_retries=0, timeout=120)


def wrapper_log(server: PlatformProcess, instance_id: int) -> str:
    path = server.data_dir / "instances" / str(instance_id) / "wrapper.log"
    return path.read_text(errors="replace") if path.exists() else ""


def terminate(sdk: GraphOLAPClient, instance_id: int) -> None:
    """Stop an instance and wait until its process has gone (frees memory for what follows)."""
    from graph_olap.exceptions import NotFoundError

    sdk.instances.terminate(instance_id)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status = sdk.instances.get(instance_id).status
        except NotFoundError:  # terminated instances are deleted
            return
        if status not in ("running", "starting", "stopping"):
            return
        time.sleep(0.1)


# -- child processes -------------------------------------------------------------------------


def run_worker(script: str, payload: dict[str, Any], *, timeout: float = 1800) -> dict[str, Any]:
    """Run ``script --worker <payload>`` in a new Python process; return its JSON answer."""
    command = [sys.executable, script, "--worker", json.dumps(payload)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(WORKER_PREFIX):
            answer: dict[str, Any] = json.loads(line[len(WORKER_PREFIX) :])
            return answer
    raise RuntimeError(
        f"worker {payload.get('engine', '')} failed (exit {done.returncode}):\n"
        f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    )


def worker_main(handler: Callable[[dict[str, Any]], dict[str, Any]], payload: str) -> int:
    answer = handler(json.loads(payload))
    print(WORKER_PREFIX + json.dumps(answer), flush=True)
    return 0


# -- figures ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}x" if floor > 0 else "n/a"


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))
    sys.stdout.flush()


# -- warehouse -------------------------------------------------------------------------------


def build_warehouse(path: Path, statements: Sequence[str] = (), *, demo: bool = True) -> Path:
    """A DuckDB warehouse with the tables ``statements`` create, and the demo tables (schema
    ``analytics``, as the platform generates them) when ``demo``."""
    import duckdb

    from graph_olap_platform.warehouse.demo import create_demo_warehouse

    if demo:
        create_demo_warehouse(path, overwrite=True)
    with duckdb.connect(str(path)) as db:
        db.execute("SET enable_progress_bar = false")
        for statement in statements:
            db.execute(statement)
        db.execute("CHECKPOINT")
    return path


def warehouse_env(path: Path, **extra: str) -> dict[str, str]:
    return {"GRAPH_OLAP_WAREHOUSE_URL": f"duckdb:///{path.resolve()}", **extra}


# -- engines in this process (worker side) ---------------------------------------------------


def load_engine(
    engine_name: str,
    snapshot: Path,
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    work_dir: Path,
    threads: int = 2,
) -> Any:
    """The wrapper's engine class, opened in ``work_dir`` and loaded from a snapshot directory."""
    from graph_olap_platform.wrapper.engines.registry import create_engine
    from graph_olap_platform.wrapper.mapping import from_payload

    mapping = from_payload(
        {"node_definitions": nodes, "edge_definitions": edges}, snapshot_path=snapshot
    )
    engine = create_engine(engine_name)
    engine.open(work_dir, threads=threads)
    engine.create_schema(mapping.nodes, mapping.edges)
    for node in mapping.nodes:
        engine.load_nodes(node)
    for edge in mapping.edges:
        engine.load_edges(edge)
    return engine


def native_connection(engine: Any) -> Any:
    """The engine's own client on a loaded engine: a Kuzu-family ``Connection`` or a FalkorDB
    graph handle (the ``falkordb`` client on the engine's Unix socket)."""
    if engine.name == "falkordb":
        from falkordb import FalkorDB

        return FalkorDB(unix_socket_path=str(engine.socket_path)).select_graph("graph")
    module = importlib.import_module(engine.module_name)
    return module.Connection(engine._db)


class MachineNote:
    """A line telling on what the figures were measured: cores and load before/after."""

    def __init__(self) -> None:
        self.load_before = os.getloadavg()[0]

    def print(self) -> None:
        print(
            f"\n  machine: {os.cpu_count()} cores; 1-min load average {self.load_before:.2f} at "
            f"start, {os.getloadavg()[0]:.2f} at end (other work inflates the figures)"
        )
