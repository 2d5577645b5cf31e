"""Progress of SDK waits: the caller's ``on_progress`` callback and, in terminals, a tqdm bar.

``show_progress`` decides the bar: ``None`` (the default) shows one only when stderr is an
interactive terminal and tqdm is installed, so scripts, CI logs and notebooks stay quiet;
``True`` always shows one (and needs tqdm); ``False`` never does. The callback is independent of
the bar and is called with ``(phase, completed_steps, total_steps)`` each time one of them
changes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any, Self, TypeVar

from graph_olap._optional import require

__all__ = [
    "FIRST_POLL_INTERVAL",
    "POLL_GROWTH",
    "ProgressCallback",
    "ProgressReporter",
    "poll",
    "stderr_is_terminal",
]

ProgressCallback = Callable[[str, int, int], None]
T = TypeVar("T")

FIRST_POLL_INTERVAL = 0.1
POLL_GROWTH = 1.5


def stderr_is_terminal() -> bool:
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


def _tqdm_class(show_progress: bool | None) -> Any:
    if show_progress is False:
        return None
    if show_progress is None:
        if not stderr_is_terminal():
            return None
        try:
            return require("tqdm", "A progress bar", extra=None).tqdm
        except ImportError:
            return None
    return require("tqdm", "show_progress=True", extra=None).tqdm


class ProgressReporter:
    """Feeds one wait's progress to the callback and the bar; close it (or use ``with``)."""

    def __init__(
        self,
        on_progress: ProgressCallback | None = None,
        show_progress: bool | None = None,
        *,
        stream: IO[str] | None = None,
    ) -> None:
        self._on_progress = on_progress
        self._tqdm = _tqdm_class(show_progress)
        self._stream = stream
        self._bar: Any = None
        self._last: tuple[str, int, int] | None = None
        self._label: str | None = None

    @property
    def shows_bar(self) -> bool:
        return self._tqdm is not None

    def update(self, phase: str, completed: int, total: int, *, label: str | None = None) -> None:
        """Report a state; ``label`` is the bar's text (defaults to ``phase``)."""
        state = (phase, completed, total)
        if state != self._last:
            self._last = state
            if self._on_progress is not None:
                self._on_progress(phase, completed, total)
        self._update_bar(label or phase, completed, total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _update_bar(self, label: str, completed: int, total: int) -> None:
        if self._tqdm is None:
            return
        if self._bar is None:
            self._bar = self._tqdm(
                total=total or None,
                desc=label,
                unit="step",
                file=self._stream if self._stream is not None else sys.stderr,
                leave=True,
                dynamic_ncols=True,
            )
        bar = self._bar
        if (total or None) != bar.total:
            # The steps change between phases (snapshot export, then engine start-up).
            bar.reset(total=total or None)
        if label != self._label:
            self._label = label
            bar.set_description_str(label, refresh=False)
        bar.n = completed
        bar.refresh()


def poll(
    check: Callable[[], T | None],
    *,
    timeout: float,
    poll_interval: float,
    on_timeout: Callable[[], BaseException],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``check`` until it returns a value (or raises), at most ``timeout`` seconds.

    ``check`` runs at least once; ``on_timeout()`` builds the error raised when time is up.
    The first gaps are short (0.1 s, growing by half each time) and ``poll_interval`` is the
    longest one, so that a fast start is seen at once and a long wait costs few requests.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if poll_interval <= 0:
        raise ValueError(
            f"poll_interval must be a positive number of seconds, got {poll_interval!r}"
        )
    deadline = time.monotonic() + timeout
    interval = min(FIRST_POLL_INTERVAL, poll_interval)
    while True:
        result = check()
        if result is not None:
            return result
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise on_timeout()
        sleep(min(interval, remaining))
        interval = min(interval * POLL_GROWTH, poll_interval)
