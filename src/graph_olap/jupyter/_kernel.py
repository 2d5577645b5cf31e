"""Widget messages while a cell is busy: route a widget's comm to a kernel subshell.

A cell that waits (``create_from_mapping_and_wait``, an algorithm) keeps the kernel's main
thread busy, and ipykernel handles front-end messages (a widget's button click) on that thread
only after the cell ends: a Cancel button would do nothing until it no longer matters.
ipykernel 7 runs *subshells*: extra shell threads with their own event loop, and it routes a
comm's incoming messages to the subshell its ``_reply_subshell_for`` names. So a widget that
must stay responsive gets its comm routed to one private subshell of this kernel; its messages
are then handled in that thread while the main thread waits. Older kernels (no subshells) and
other front-ends fall back to the default, and callers hide buttons that would not work.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from typing import Any

__all__ = ["kernel", "route_comm_to_subshell", "supports_busy_messages"]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_subshells: dict[int, str] = {}  # id(kernel) -> the subshell created for widgets
_CREATE_TIMEOUT = 5.0


def kernel() -> Any:
    """The running ipykernel kernel, or None outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    return getattr(shell, "kernel", None) if shell is not None else None


def supports_busy_messages() -> bool:
    """Whether widget messages can be handled while a cell runs (ipykernel >= 7 subshells)."""
    current = kernel()
    return bool(
        current is not None
        and getattr(current, "_supports_kernel_subshells", False)
        and getattr(current, "shell_channel_thread", None) is not None
    )


def _subshell_id(current: Any) -> str:
    with _lock:
        known = _subshells.get(id(current))
        if known is not None:
            return known
        thread = current.shell_channel_thread
        created: concurrent.futures.Future[str] = concurrent.futures.Future()

        def create() -> None:
            # The subshell manager must be used from the shell channel thread.
            try:
                created.set_result(thread.manager._create_subshell())
            except BaseException as exc:  # handed to the waiting thread
                created.set_exception(exc)

        thread.io_loop.add_callback(create)
        subshell = created.result(timeout=_CREATE_TIMEOUT)
        _subshells[id(current)] = subshell
        return subshell


def route_comm_to_subshell(widget: Any) -> bool:
    """Have ``widget``'s front-end messages handled in a subshell thread; False if impossible."""
    if not supports_busy_messages():
        return False
    comm = getattr(widget, "comm", None)
    if comm is None or not hasattr(comm, "_reply_subshell_for"):
        return False
    try:
        subshell = _subshell_id(kernel())
    except Exception as exc:  # an ipykernel whose internals changed: keep the default route
        log.debug("no subshell for widget messages: %s", exc)
        return False

    def route(data: Any, default: Any) -> str:
        return subshell

    comm._reply_subshell_for = route
    return True
