"""Live progress of SDK waits in notebooks: a :class:`ProgressWidget` fed by the reporter.

:class:`NotebookProgress` is what :class:`graph_olap._progress.ProgressReporter` uses when
code runs in a Jupyter kernel: it displays the widget at the first update, keeps its phase,
steps (with row counts), elapsed and estimated remaining time current, and reports a press of
its Cancel button through :meth:`NotebookProgress.wait`. The button works while the cell is
busy because the widget's comm is routed to a kernel subshell (see
:mod:`graph_olap.jupyter._kernel`); where that is impossible (ipykernel < 7) the button is not
shown, and interrupting the kernel stops the wait as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from graph_olap.jupyter._kernel import route_comm_to_subshell
from graph_olap.jupyter.widgets.progress import ProgressWidget

__all__ = ["NotebookProgress", "step_dicts"]

FinalState = Literal["done", "failed", "cancelled"]


class NotebookProgress:
    """One wait's widget: ``update`` it, ``wait`` between polls, ``finish`` it."""

    def __init__(self, *, title: str = "", cancellable: bool = False) -> None:
        self._started = time.monotonic()
        self._cancel = threading.Event()
        self._displayed = False
        self.widget = ProgressWidget(title=title)
        # Only offer Cancel when the click can reach the kernel while the cell is busy.
        self.cancellable = cancellable and route_comm_to_subshell(self.widget)
        self.widget.cancellable = self.cancellable
        self.widget.on_cancel(self._cancel.set)

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

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
        elapsed = time.monotonic() - self._started
        widget = self.widget
        with widget.hold_sync():
            widget.phase = label or phase
            widget.status = status or phase
            widget.completed = max(0, completed)
            widget.total = max(0, total)
            if steps is not None:
                widget.steps = step_dicts(steps)
            widget.elapsed_s = round(elapsed, 2)
            widget.eta_s = _eta(elapsed, completed, total)
        self._display()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True (at once) when Cancel was pressed."""
        return self._cancel.wait(max(0.0, seconds))

    def finish(self, state: FinalState, message: str = "") -> None:
        widget = self.widget
        with widget.hold_sync():
            widget.state = state
            widget.elapsed_s = round(time.monotonic() - self._started, 2)
            widget.eta_s = None
            if state == "done":
                # The last phase read may be a running one ("writing"): the wait is over.
                widget.phase = widget.status or "done"
                widget.completed = widget.total
            widget.message = message
        self._display()

    def _display(self) -> None:
        if self._displayed:
            return
        self._displayed = True
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]


def step_dicts(steps: Iterable[Any]) -> list[dict[str, Any]]:
    """Progress steps (models or dicts) as the widget's ``{name, status, row_count, type}``."""
    out: list[dict[str, Any]] = []
    for step in steps:
        data: Mapping[str, Any]
        if isinstance(step, Mapping):
            data = step
        elif hasattr(step, "model_dump"):
            data = step.model_dump()
        else:
            data = vars(step)
        row_count = data.get("row_count")
        out.append(
            {
                "name": str(data.get("name", "")),
                "status": str(data.get("status", "")),
                "row_count": int(row_count) if isinstance(row_count, int | float) else None,
                "type": data.get("type"),
            }
        )
    return out


def _eta(elapsed: float, completed: int, total: int) -> float | None:
    # The steps so far set the pace; nothing is promised before the first one is done.
    if completed <= 0 or total <= completed:
        return None
    return round(elapsed / completed * (total - completed), 1)
