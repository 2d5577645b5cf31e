"""Compiled algorithms run in a child process, so that a cancel or a timeout really stops them.

igraph (and some scipy routines) hold the GIL for a whole call: run in one of the server's
threads, a long Louvain or betweenness would freeze every request of the instance, ``/query`` and
``/health`` included, and nothing could interrupt it. A child process leaves the server
responsive and can be killed. Children are forked from a ``forkserver`` that has numpy, scipy,
igraph and the algorithm modules loaded (started on first use, about a second), never from the
server itself, whose engine threads must not be forked. Arguments and results travel pickled
(about 16 MB for a million edges).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from graph_olap_platform.wrapper.algorithms.base import AlgorithmError, Cancelled, CancelToken

T = TypeVar("T")

POLL_SECONDS = 0.05
PRELOAD = [
    "graph_olap_platform.wrapper.algorithms.native",
    "graph_olap_platform.wrapper.algorithms.shortest_path",
]

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)
_start_lock = threading.Lock()  # the first two runs must not race to start the fork server


def _child(writer: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[str, Any] = ("ok", fn(*args))
    except AlgorithmError as exc:  # its constructor does not round-trip through pickle
        outcome = ("error", (exc.status_code, exc.code, exc.message, exc.details))
    except BaseException as exc:  # reported to the parent, which fails the run
        outcome = ("exception", f"{type(exc).__name__}: {exc}")
    writer.send(outcome)
    writer.close()


def run_in_child(fn: Callable[..., T], *args: Any, token: CancelToken, name: str = "") -> T:
    """``fn(*args)`` in a fresh child process; raises ``Cancelled`` (and kills the child) as soon
    as ``token`` is cancelled, ``AlgorithmError`` when the computation failed or the child died."""
    token.check()
    reader, writer = _context.Pipe(duplex=False)
    process = _context.Process(
        target=_child, args=(writer, fn, args), name=f"algorithm {name}".strip(), daemon=True
    )
    with _start_lock:
        process.start()
    writer.close()
    try:
        while not reader.poll(POLL_SECONDS):
            if token.cancelled:
                raise Cancelled(token.reason)
        try:
            status, payload = reader.recv()
        except EOFError:  # the child died: a crash, or killed for memory
            process.join()
            code = process.exitcode
            hint = " (killed: out of memory?)" if code == -9 else ""
            status, payload = (
                "exception",
                f"The computation's process ended unexpectedly with exit code {code}{hint}",
            )
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
        reader.close()
    if status == "error":
        raise AlgorithmError(*payload)
    if status == "exception":
        raise AlgorithmError(500, "ALGORITHM_FAILED", payload)
    result: T = payload
    return result
