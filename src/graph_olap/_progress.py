"""Progress of SDK waits: the caller's ``on_progress`` callback, and a live display.

The display depends on where the code runs: in a Jupyter kernel with a front-end it is a
progress widget (phase, steps with row counts, elapsed and remaining time, and a Cancel button
when the wait can be cancelled); in a terminal a tqdm bar. ``show_progress`` decides: ``None``
(the default) shows the widget in notebooks and the bar only when stderr is an interactive
terminal with tqdm installed, so scripts and CI logs stay quiet; ``True`` always shows one (the
bar needs tqdm); ``False`` shows nothing. The callback is independent of the display and is
called with ``(phase, completed_steps, total_steps)`` each time one of them changes.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Self, TypeVar

from graph_olap._optional import require

if TYPE_CHECKING:
    from graph_olap.jupyter.progress import NotebookProgress

__all__ = [
    "FIRST_POLL_INTERVAL",
    "POLL_GROWTH",
    "CancelCallback",
    "ProgressCallback",
    "ProgressReporter",
    "poll",
    "stderr_is_terminal",
]

ProgressCallback = Callable[[str, int, int], None]
CancelCallback = Callable[[], None]
T = TypeVar("T")
log = logging.getLogger(__name__)

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


def _notebook_progress(
    show_progress: bool | None, title: str, cancellable: bool
) -> NotebookProgress | None:
    if show_progress is False:
        return None
    try:
        from graph_olap.jupyter.display import in_notebook_kernel

        if not in_notebook_kernel():
            return None
        from graph_olap.jupyter.progress import NotebookProgress

        return NotebookProgress(title=title, cancellable=cancellable)
    except Exception as exc:  # a missing bundle or widget library must not break a wait
        log.debug("no progress widget: %s", exc)
        return None


class ProgressReporter:
    """Feeds one wait's progress to the callback and the display; close it (or use ``with``).

    ``title`` heads the notebook widget. ``cancel`` is how the wait can be cancelled (e.g. an
    algorithm run on the instance): the widget then has a Cancel button, and a press makes
    :meth:`sleep` return early and call ``cancel()`` once, in the waiting thread; the wait
    goes on until the server reports the end. Leaving the ``with`` block marks the widget
    done, failed (with the error's message) or cancelled.
    """

    def __init__(
        self,
        on_progress: ProgressCallback | None = None,
        show_progress: bool | None = None,
        *,
        stream: IO[str] | None = None,
        title: str = "",
        cancel: CancelCallback | None = None,
    ) -> None:
        self._on_progress = on_progress
        self._cancel = cancel
        self._cancel_sent = False
        self._widget = _notebook_progress(show_progress, title, cancel is not None)
        self._tqdm = None if self._widget is not None else _tqdm_class(show_progress)
        self._stream = stream
        self._bar: Any = None
        self._last: tuple[str, int, int] | None = None
        self._label: str | None = None
        self._closed = False

    @property
    def shows_bar(self) -> bool:
        return self._tqdm is not None

    @property
    def shows_widget(self) -> bool:
        return self._widget is not None

    @property
    def widget(self) -> Any:
        """The notebook's ProgressWidget, or None outside notebooks."""
        return self._widget.widget if self._widget is not None else None

    @property
    def cancel_requested(self) -> bool:
        """Whether the user pressed Cancel (always False without a ``cancel``)."""
        return self._widget is not None and self._widget.cancel_requested

    def update(
        self,
        phase: str,
        completed: int,
        total: int,
        *,
        label: str | None = None,
        status: str | None = None,
        steps: Iterable[Any] | None = None,
    ) -> None:
        """Report a state; ``label`` is the display's text (defaults to ``phase``).

        ``status`` is the waited-for resource's own status and ``steps`` its progress steps
        (``name``, ``status``, ``row_count``), both shown by the notebook widget only.
        """
        state = (phase, completed, total)
        if state != self._last:
            self._last = state
            if self._on_progress is not None:
                self._on_progress(phase, completed, total)
        if self._widget is not None:
            self._widget.update(phase, completed, total, label=label, status=status, steps=steps)
        self._update_bar(label or phase, completed, total)
        self._send_cancel()

    def sleep(self, seconds: float) -> None:
        """Wait between polls; returns at once (and cancels) when Cancel is pressed."""
        if self._widget is None or self._cancel_sent:
            time.sleep(seconds)
            return
        if self._widget.wait(seconds):
            self._send_cancel()

    def close(self, *, error: BaseException | None = None) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self._widget is not None and not self._closed:
            if error is None and not self._cancel_sent:
                self._widget.finish("done")
            elif error is None:
                self._widget.finish("cancelled")
            elif isinstance(error, KeyboardInterrupt) or self._cancel_sent:
                self._widget.finish("cancelled", _message(error))
            else:
                self._widget.finish("failed", _message(error))
        self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(error=exc)

    def _send_cancel(self) -> None:
        if self._cancel is None or self._cancel_sent or not self.cancel_requested:
            return
        self._cancel_sent = True
        self._cancel()

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


def _message(error: BaseException) -> str:
    if isinstance(error, KeyboardInterrupt):
        return "Interrupted."
    text = getattr(error, "message", None) or str(error)
    return f"{type(error).__name__}: {text}"


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
