"""One thread that runs callbacks at deadlines (query interrupts), instead of a timer per query.

Arming and disarming are cheap (a heap push and a dict update under a lock); a thread per query
(``threading.Timer``) costs about a millisecond to start, more than a point lookup.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("graph_olap_platform.wrapper.engines")


class Watchdog:
    def __init__(self, name: str = "query-watchdog") -> None:
        self._name = name
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._armed: dict[int, Callable[[], None]] = {}
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, delay: float, callback: Callable[[], None]) -> int:
        """Run ``callback`` in ``delay`` seconds unless disarmed first; returns a token."""
        token = next(self._tokens)
        with self._cond:
            self._armed[token] = callback
            heapq.heappush(self._heap, (time.monotonic() + delay, token))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            elif self._heap[0][1] == token:
                self._cond.notify()
        return token

    def disarm(self, token: int) -> None:
        """After this returns, the callback of ``token`` is not running and will never run."""
        with self._cond:
            self._armed.pop(token, None)

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][1] not in self._armed:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                deadline, token = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                callback = self._armed.pop(token)
                try:
                    callback()  # under the lock, so disarm() waits for a running callback
                except Exception:
                    log.exception("watchdog callback failed")
