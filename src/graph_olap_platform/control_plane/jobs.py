"""Background jobs of the control plane, each a daemon thread with its own interval.

- export: runs pending export jobs (woken at once when an instance is created);
- orchestration: starts instances whose snapshot became ready;
- reconciliation: fails instances whose wrapper died, stops orphan wrappers;
- lifecycle: expires instances, snapshots and mappings past TTL or inactivity.

An exception in one pass is logged and the next pass runs as usual.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    interval: float
    run: Callable[[], object]


class Jobs:
    def __init__(self, jobs: list[Job]) -> None:
        self._jobs = [job for job in jobs if job.interval > 0]
        self._stop = threading.Event()
        self._wake = {job.name: threading.Event() for job in self._jobs}
        self._threads: list[threading.Thread] = []
        self.passes: dict[str, int] = {job.name: 0 for job in jobs}

    def start(self) -> None:
        for job in self._jobs:
            thread = threading.Thread(
                target=self._loop, args=(job,), name=f"job-{job.name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def wake(self, *names: str) -> None:
        for name in names or tuple(self._wake):
            event = self._wake.get(name)
            if event is not None:
                event.set()

    def stop(self) -> None:
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=10)

    def _loop(self, job: Job) -> None:
        wake = self._wake[job.name]
        while not self._stop.is_set():
            wake.wait(job.interval)
            wake.clear()
            if self._stop.is_set():
                return
            try:
                job.run()
            except Exception:
                log.exception("background job %s failed; it runs again next time", job.name)
            self.passes[job.name] += 1
