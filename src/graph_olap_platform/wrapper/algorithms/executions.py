"""Executions and the instance's implicit lock (docs/algorithms.md, spec §1.6-1.7).

One algorithm at a time: starting one takes the lock (a second start gets 409
``RESOURCE_LOCKED``), and completion, failure, cancel and timeout release it at once. Each run has
its own worker thread, never the query pool, so queries keep working; compiled work that holds
the GIL runs in a child process (``compute_process``) that a cancel kills. Pure-Python work
(NetworkX) is interrupted with an asynchronous ``Cancelled`` raised in its thread, but only inside
``RunContext.interruptible()``, never while the engine is being called.

A cancel or timeout marks the execution at once and frees the lock; whatever the run still
computes is discarded, because the run checks, under the manager's mutex, that it was not
cancelled before it commits to writing. Once writing (the ``writing`` phase), a cancel or timeout
stops the write between two labels and drops what this run wrote; the run then ends
``cancelled`` (or ``failed`` with ``ALGORITHM_TIMEOUT``) and frees the lock, so the lock is held
at most one label's write longer, and a DELETE answers once the rollback is done. The last 100
executions are kept.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph_olap_platform.wrapper.algorithms.base import (
    AlgorithmError,
    AlgorithmRequest,
    AlgorithmResult,
    Cancelled,
    CancelToken,
)
from graph_olap_platform.wrapper.algorithms.write_back import (
    PropertyWriter,
    arrow_values,
    returned_values,
    summarise,
)
from graph_olap_platform.wrapper.engines.base import EngineError, GraphView, QueryTimeout

log = logging.getLogger("graph_olap_platform.wrapper.algorithms")

HISTORY = 100
TERMINAL = frozenset({"completed", "failed", "cancelled"})
STATUSES = ("pending", "running", "completed", "failed", "cancelled")


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


@dataclass
class Outcome:
    """What a job computed; ``view`` holds the nodes that ``result.values`` are indexed by."""

    result: AlgorithmResult
    view: GraphView | None = None


@dataclass
class Execution:
    execution_id: str
    request: AlgorithmRequest
    user_name: str | None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_monotonic: float = field(default_factory=time.monotonic)
    token: CancelToken = field(default_factory=CancelToken)
    status: str = "running"
    phase: str = "extracting"
    phase_started: float = field(default_factory=time.monotonic)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per finished phase
    message: str = "Starting"
    completed_at: datetime | None = None
    finished_monotonic: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    error_code: str | None = None
    error_details: dict[str, Any] = field(default_factory=dict)
    committed: bool = False  # writing: a cancel or timeout rolls back, then the worker ends it
    interruptible: bool = False  # in pure-Python work that an async exception may stop
    thread_ident: int | None = None
    done: threading.Event = field(default_factory=threading.Event)
    start_json: dict[str, Any] = field(default_factory=dict)  # the 202 answer: as it started

    @property
    def holder_id(self) -> str:
        return self.user_name or "standalone"

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def enter(self, phase: str, message: str) -> None:
        """Move to ``phase``; the time spent in the previous one goes to ``timings``."""
        self.close_phase()
        self.phase, self.message = phase, message

    def close_phase(self) -> None:
        now = time.monotonic()
        spent = self.timings.get(self.phase, 0.0) + now - self.phase_started
        self.timings[self.phase] = round(spent, 4)
        self.phase_started = now

    def elapsed_seconds(self) -> float:
        end = self.finished_monotonic or time.monotonic()
        return round(end - self.started_monotonic, 3)

    def to_json(self) -> dict[str, Any]:
        request = self.request
        elapsed = self.elapsed_seconds()
        return {
            "execution_id": self.execution_id,
            "algorithm": request.algorithm,
            "algorithm_type": request.algorithm_type,
            "status": self.status,
            "started_at": iso(self.started_at),
            "completed_at": iso(self.completed_at),
            "duration_seconds": elapsed if self.terminal else None,
            "elapsed_seconds": elapsed,
            "user_name": self.user_name,
            "node_labels": request.selection.labels,
            "edge_types": request.selection.rel_types,
            "directed": request.selection.directed,
            "weight_property": request.selection.weight_property,
            "result_property": request.result_property,
            "write_back": request.write_back,
            "parameters": request.parameters,
            "timeout_ms": request.timeout_ms,
            "progress": {"phase": self.phase, "message": self.message},
            "phase_seconds": dict(self.timings),
            "result": self.result,
            "error": self.error,
            "error_code": self.error_code,
        }

    def lock_json(self) -> dict[str, Any]:
        name = self.request.algorithm
        return {
            "locked": True,
            "holder_id": self.holder_id,
            "holder_name": self.user_name,
            "holder_username": self.user_name,
            "algorithm": name,
            "algorithm_name": name,
            "algorithm_type": self.request.algorithm_type,
            "execution_id": self.execution_id,
            "acquired_at": iso(self.started_at),
            "duration_seconds": self.elapsed_seconds(),
        }


def _raise_in_thread(thread_ident: int, exception: type[BaseException] | None) -> None:
    """Schedule ``exception`` in another Python thread (``None`` clears a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_ident), ctypes.py_object(exception) if exception else None
    )


class RunContext:
    """What a job sees of its execution: the token, phases, the time left, interruptibility."""

    def __init__(self, manager: ExecutionManager, execution: Execution) -> None:
        self._manager = manager
        self.execution = execution
        self.token = execution.token
        self.deadline = execution.started_monotonic + execution.request.timeout_ms / 1000

    def phase(self, phase: str, message: str) -> None:
        self.token.check()
        self.execution.enter(phase, message)

    def remaining_ms(self) -> int:
        return max(1, int((self.deadline - time.monotonic()) * 1000))

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """Pure-Python code inside may be stopped by an asynchronous ``Cancelled``; keep engine
        calls and anything holding a lock outside."""
        execution = self.execution
        with self._manager.mutex:
            self.token.check()
            execution.thread_ident = threading.get_ident()
            execution.interruptible = True
        try:
            yield
        finally:
            with self._manager.mutex:
                execution.interruptible = False
            _raise_in_thread(threading.get_ident(), None)  # drop one that came too late


Job = Callable[[RunContext], Outcome]


class ExecutionManager:
    def __init__(self, writer: PropertyWriter, *, history: int = HISTORY) -> None:
        self.writer = writer
        self.mutex = threading.Lock()
        self._history = history
        self._executions: OrderedDict[str, Execution] = OrderedDict()
        self._holder: Execution | None = None
        self._timers: dict[str, threading.Timer] = {}

    # -- the lock ---------------------------------------------------------------------------
    def lock_json(self) -> dict[str, Any]:
        holder = self._holder
        return holder.lock_json() if holder is not None else {"locked": False}

    def _locked_error(self, holder: Execution) -> AlgorithmError:
        since = iso(holder.started_at)
        return AlgorithmError(
            409,
            "RESOURCE_LOCKED",
            f"Instance locked by user {holder.holder_id} running algorithm "
            f"{holder.request.algorithm} since {since}",
            holder.lock_json(),
        )

    # -- starting and finishing -------------------------------------------------------------
    def start(self, request: AlgorithmRequest, user_name: str | None, job: Job) -> Execution:
        """Take the lock and run ``job`` in a new worker thread; 409 when the lock is held."""
        with self.mutex:
            if self._holder is not None:
                raise self._locked_error(self._holder)
            execution = Execution(str(uuid.uuid4()), request, user_name)
            self._holder = execution
            self._executions[execution.execution_id] = execution
            while len(self._executions) > self._history:
                self._executions.popitem(last=False)
            timer = threading.Timer(request.timeout_ms / 1000, self._expire, (execution,))
            timer.daemon = True
            self._timers[execution.execution_id] = timer
        worker = threading.Thread(
            target=self._run,
            args=(execution, job),
            name=f"algorithm-{request.algorithm}-{execution.execution_id[:8]}",
            daemon=True,
        )
        execution.start_json = execution.to_json()  # a quick run may finish before it is sent
        timer.start()
        worker.start()
        return execution

    def _run(self, execution: Execution, job: Job) -> None:
        execution.thread_ident = threading.get_ident()
        context = RunContext(self, execution)
        try:
            outcome = job(context)
            with self.mutex:
                if execution.terminal:
                    return  # cancelled or timed out meanwhile: the result is discarded
                execution.committed = True
            result = self._store(execution, outcome, context)
            self._finish(execution, "completed", result=result, force=True)
        except Cancelled:
            # Before writing the execution is already terminal; while writing it ends here,
            # after the rollback.
            if execution.token.reason == "timeout":
                self._finish(execution, "failed", *self._timeout_error(execution), force=True)
            else:
                self._finish(execution, "cancelled", "Cancelled by the user", force=True)
        except AlgorithmError as exc:
            self._finish(execution, "failed", exc.message, exc.code, exc.details, force=True)
        except QueryTimeout:
            message = f"Reading the graph ran past the timeout of {execution.request.timeout_ms} ms"
            self._finish(execution, "failed", message, "ALGORITHM_TIMEOUT", force=True)
        except EngineError as exc:
            self._finish(execution, "failed", exc.message, "DATABASE_ERROR", force=True)
        except Exception as exc:
            log.exception("algorithm %s failed", execution.request.algorithm)
            message = f"{type(exc).__name__}: {exc}"
            self._finish(execution, "failed", message, "ALGORITHM_FAILED", force=True)

    def _store(self, execution: Execution, outcome: Outcome, context: RunContext) -> dict[str, Any]:
        """The execution's ``result``: write-back or returned values, or the payload as is."""
        result, view, request = outcome.result, outcome.view, execution.request
        if result.kind not in ("node_values", "communities"):
            return {"type": result.kind, **result.payload}
        if view is None or result.values is None or len(result.values) != view.num_nodes:
            raise AlgorithmError(
                500, "ALGORITHM_FAILED", "The algorithm returned no value per node of the graph"
            )
        body: dict[str, Any] = {
            "type": result.kind,
            "property_type": result.value_type,
            "summary": summarise(result),
        }
        if request.write_back and request.result_property:
            name = request.result_property
            execution.enter("writing", f"Writing {name}")

            def progress(message: str) -> None:
                execution.message = message

            updated = self.writer.write(view, name, result, progress, execution.token)
            body.update(
                property_name=name,
                nodes_updated=sum(updated.values()),
                nodes_updated_by_label=updated,
            )
        else:
            body.update(returned_values(view, arrow_values(result)), node_count=view.num_nodes)
        return body

    def _finish(
        self,
        execution: Execution,
        status: str,
        message: str | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        result: dict[str, Any] | None = None,
        force: bool = False,
    ) -> bool:
        """Mark ``execution`` terminal and release its lock; False when it already was.
        ``force`` finishes a committed run (the worker's own outcome)."""
        with self.mutex:
            if execution.terminal or (execution.committed and not force):
                return False
            timer = self._mark(execution, status, message, code, details, result)
        self._after(execution, timer)
        return True

    def _mark(
        self,
        execution: Execution,
        status: str,
        message: str | None,
        code: str | None,
        details: dict[str, Any] | None,
        result: dict[str, Any] | None = None,
    ) -> threading.Timer | None:
        """The terminal state, with the mutex held; the lock is free when this returns."""
        execution.close_phase()
        execution.status = status
        execution.completed_at = datetime.now(UTC)
        execution.finished_monotonic = time.monotonic()
        execution.result = result
        if status == "completed":
            execution.message = "Done"
        else:
            execution.message = message or status
            execution.error, execution.error_code = message, code
            execution.error_details = details or {}
        if self._holder is execution:
            self._holder = None
        return self._timers.pop(execution.execution_id, None)

    def _after(self, execution: Execution, timer: threading.Timer | None) -> None:
        if timer is not None:
            timer.cancel()
        execution.done.set()
        log.info(
            "algorithm %s %s after %.3f s%s",
            execution.request.algorithm,
            execution.status,
            execution.elapsed_seconds(),
            f": {execution.error_code} {execution.error}" if execution.error else "",
        )

    def _stop(self, execution: Execution, reason: str) -> None:
        """Stop what still runs of a run just marked terminal: kill its child, interrupt it."""
        execution.token.cancel(reason)
        with self.mutex:
            if execution.interruptible and execution.thread_ident is not None:
                _raise_in_thread(execution.thread_ident, Cancelled)

    @staticmethod
    def _timeout_error(execution: Execution) -> tuple[str, str, dict[str, Any]]:
        timeout = execution.request.timeout_ms
        message = f"{execution.request.algorithm} ran longer than its timeout of {timeout} ms"
        return message, "ALGORITHM_TIMEOUT", {"timeout_ms": timeout}

    def _expire(self, execution: Execution) -> None:
        with self.mutex:
            writing = execution.committed and not execution.terminal
        if writing:
            execution.token.cancel("timeout")  # the writer rolls back and ends the run
        elif self._finish(execution, "failed", *self._timeout_error(execution)):
            self._stop(execution, "timeout")

    # -- reading and cancelling -------------------------------------------------------------
    def get(self, execution_id: str) -> Execution:
        execution = self._executions.get(execution_id)
        if execution is None:
            raise AlgorithmError(
                404,
                "EXECUTION_NOT_FOUND",
                f"No execution {execution_id} (the last {self._history} are kept)",
                {"execution_id": execution_id},
            )
        return execution

    def list(self, limit: int = 20, status: str | None = None) -> tuple[list[Execution], int]:
        """Newest first, and how many match ``status`` in all."""
        with self.mutex:
            matching = [
                e for e in reversed(self._executions.values()) if status in (None, e.status)
            ]
        return matching[:limit], len(matching)

    def cancel(self, execution_id: str) -> Execution:
        """Cancel a running execution. One that is writing is told to roll back and is not
        terminal yet when this returns: wait for ``done`` (it may still end ``completed``
        when the cancel came after its last write)."""
        execution = self.get(execution_id)
        with self.mutex:
            if execution.terminal:
                raise AlgorithmError(
                    404,
                    "EXECUTION_NOT_FOUND",
                    f"Execution {execution_id} is already {execution.status}",
                    {"execution_id": execution_id, "status": execution.status},
                )
            if execution.committed:
                execution.token.cancel("cancelled")
                return execution
            timer = self._mark(execution, "cancelled", "Cancelled by the user", None, None)
        self._after(execution, timer)
        self._stop(execution, "cancelled")
        return execution

    def shutdown(self, wait_seconds: float = 10) -> None:
        """Stop the run holding the lock (the instance is going away); a run that is writing
        gets ``wait_seconds`` to roll back before the engine closes."""
        holder = self._holder
        if holder is None:
            return
        if self._finish(holder, "cancelled", "The instance stopped", "INSTANCE_STOPPING"):
            self._stop(holder, "cancelled")
        else:
            holder.token.cancel("cancelled")
            holder.done.wait(wait_seconds)
