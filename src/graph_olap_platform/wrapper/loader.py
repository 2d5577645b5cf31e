"""The wrapper's startup sequence (docs/instances.md, "Wrapper process").

initializing → fetch the mapping → open the engine and create the schema → load every node table,
then every edge table (a progress step per table with its row count) → ``running`` with graph
stats. Any failure is reported as ``failed`` with an error code naming what broke.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any

from graph_olap_platform.wrapper.control_plane import Reporter
from graph_olap_platform.wrapper.engines.base import EngineError, QueryTimeout
from graph_olap_platform.wrapper.mapping import InstanceMapping
from graph_olap_platform.wrapper.settings import WrapperSettings
from graph_olap_platform.wrapper.state import WrapperState

log = logging.getLogger("graph_olap_platform.wrapper.loader")


class StartupFailed(Exception):
    def __init__(self, code: str, message: str, phase: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.phase = phase


class Loader:
    def __init__(
        self,
        settings: WrapperSettings,
        state: WrapperState,
        reporter: Reporter,
        fetch_mapping: Callable[[], InstanceMapping],
    ) -> None:
        self.settings = settings
        self.state = state
        self.reporter = reporter
        self.fetch_mapping = fetch_mapping
        self.steps: list[dict[str, Any]] = [{"name": "pod_scheduled", "status": "completed"}]
        self.phase = "initializing"
        self.timings: dict[str, float] = {}

    # -- progress -----------------------------------------------------------------------------
    def _step(self, name: str, kind: str | None = None) -> dict[str, Any]:
        for step in self.steps:
            if step["name"] == name and step.get("type") == kind:
                return step
        raise KeyError(name)

    def _report(self) -> None:
        self.reporter.report_progress(self.phase, [dict(step) for step in self.steps])

    def _check_stop(self) -> None:
        if self.state.stop_event.is_set():
            raise StartupFailed(
                "STARTUP_FAILED", "The wrapper was stopped while loading", self.phase
            )

    # -- sequence -----------------------------------------------------------------------------
    def run(self) -> bool:
        """Load the graph; True once running, False after reporting the failure."""
        started = time.monotonic()
        self.state.status = "loading"
        try:
            self._report()
            mapping = self._mapping()
            self._open_and_create_schema(mapping)
            self._load_tables(mapping)
            self._finish(mapping, started)
            return True
        except StartupFailed as exc:
            self._fail(exc.code, exc.message, exc.phase, traceback.format_exc())
        except Exception as exc:  # anything unforeseen is still reported, never swallowed
            log.exception("startup failed")
            self._fail(
                "STARTUP_FAILED", f"{type(exc).__name__}: {exc}", self.phase, traceback.format_exc()
            )
        return False

    def _mapping(self) -> InstanceMapping:
        try:
            mapping = self.fetch_mapping()
        except Exception as exc:
            raise StartupFailed(
                "MAPPING_FETCH_ERROR", f"Cannot get the mapping: {exc}", self.phase
            ) from exc
        self.state.mapping = mapping
        if mapping.owner_username and not self.state.owner_username:
            self.state.owner_username = mapping.owner_username
        self.steps.append({"name": "schema_created", "status": "pending"})
        self.steps += [
            {"name": node.label, "type": "node", "status": "pending"} for node in mapping.nodes
        ]
        self.steps += [
            {"name": edge.type, "type": "edge", "status": "pending"} for edge in mapping.edges
        ]
        self._report()
        return mapping

    def _open_and_create_schema(self, mapping: InstanceMapping) -> None:
        engine = self.state.engine
        try:
            engine.open(self.settings.data_dir / "engine", threads=self.settings.threads)
        except Exception as exc:
            raise StartupFailed(
                "DATABASE_ERROR",
                f"Cannot open the {self.state.engine_name} database: {exc}",
                self.phase,
            ) from exc
        self._check_stop()
        started = time.monotonic()
        try:
            engine.create_schema(mapping.nodes, mapping.edges)
        except Exception as exc:
            raise StartupFailed(
                "SCHEMA_CREATE_ERROR", f"Cannot create the schema: {exc}", self.phase
            ) from exc
        self.timings["schema"] = time.monotonic() - started
        self._step("schema_created")["status"] = "completed"

    def _load_tables(self, mapping: InstanceMapping) -> None:
        engine = self.state.engine
        self.phase = "loading_nodes"
        for node in mapping.nodes:
            self._load_one(
                node.label, "node", node.parquet.name, partial(engine.load_nodes, node), mapping
            )
        self.phase = "loading_edges"
        for edge in mapping.edges:
            self._load_one(
                edge.type, "edge", edge.parquet.name, partial(engine.load_edges, edge), mapping
            )

    def _load_one(
        self, name: str, kind: str, file: str, load: Callable[[], int], mapping: InstanceMapping
    ) -> None:
        self._check_stop()
        step = self._step(name, kind)
        step["status"] = "in_progress"
        self._report()
        started = time.monotonic()
        what = f"{'node' if kind == 'node' else 'edge'} table {name} ({kind}s/{file})"
        try:
            rows = load()
        except (EngineError, QueryTimeout) as exc:
            step["status"] = "failed"
            raise StartupFailed(
                "DATA_LOAD_ERROR", f"Loading {what} failed: {exc}", self.phase
            ) from exc
        except Exception as exc:
            step["status"] = "failed"
            raise StartupFailed(
                "DATA_LOAD_ERROR", f"Loading {what} failed: {type(exc).__name__}: {exc}", self.phase
            ) from exc
        elapsed = time.monotonic() - started
        self.timings[name] = elapsed
        expected = mapping.expected_rows.get(name)
        # Schemaless FalkorDB skips a few bad rows (duplicate keys, dangling edges) as
        # warnings within the spec's bounds, and raises itself past them.
        tolerated = getattr(self.state.engine, "load_warnings", None) is not None
        if expected is not None and rows < expected and tolerated:
            step["warning"] = f"{expected - rows} of {expected} rows skipped"
            log.warning("loading %s skipped %d rows", what, expected - rows)
        elif expected is not None and rows != expected:
            step["status"] = "failed"
            raise StartupFailed(
                "DATA_LOAD_ERROR",
                f"Loading {what} loaded {rows} rows but the snapshot manifest has {expected}",
                self.phase,
            )
        step.update(status="completed", row_count=rows)
        log.info("loaded %s: %d rows in %.3f s", what, rows, elapsed)
        self._report()

    def _finish(self, mapping: InstanceMapping, started: float) -> None:
        self._check_stop()
        try:
            nodes, edges = self.state.engine.counts()
        except Exception as exc:
            raise StartupFailed(
                "DATABASE_ERROR", f"Cannot count the loaded graph: {exc}", self.phase
            ) from exc
        loaded = {s["name"]: s.get("row_count") for s in self.steps if s.get("type")}
        for name, count in {**nodes, **edges}.items():
            if loaded.get(name) is not None and loaded[name] != count:
                raise StartupFailed(
                    "DATA_LOAD_ERROR",
                    f"{name} holds {count} rows after loading {loaded[name]}",
                    self.phase,
                )
        state = self.state
        state.node_counts, state.edge_counts = nodes, edges
        state.load_seconds = round(time.monotonic() - started, 3)
        state.status = "running"
        state.ready_event.set()
        log.info(
            "graph ready in %.3f s: %d nodes, %d edges (%s)",
            state.load_seconds,
            sum(nodes.values()),
            sum(edges.values()),
            ", ".join(f"{k} {v:.3f}s" for k, v in self.timings.items()),
        )
        self.reporter.report_running(
            self.settings.resolved_instance_url, sum(nodes.values()), sum(edges.values())
        )

    def _fail(self, code: str, message: str, phase: str, stack: str) -> None:
        if self.state.stop_event.is_set():  # shut down while loading: nothing to report
            log.info("loading stopped by shutdown during %s", phase)
            return
        self.state.status = "failed"
        self.state.error_code = code
        self.state.error_message = message
        log.error("startup failed (%s, %s): %s", code, phase, message)
        if any(step["status"] == "failed" for step in self.steps):
            self._report()
        self.reporter.report_failed(code, message, phase, stack)
