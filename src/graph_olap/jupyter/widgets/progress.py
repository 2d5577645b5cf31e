"""``ProgressWidget``: a live view of one SDK wait (snapshot export, instance start, algorithm)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import traitlets

from graph_olap.jupyter.widgets._bundle import BundledWidget

__all__ = ["STATES", "ProgressWidget"]

STATES = ("active", "done", "failed", "cancelled")


class ProgressWidget(BundledWidget):
    """Phase, steps (with row counts), elapsed and remaining time, and a Cancel button.

    ``status`` is the waited-for resource's own status (``"starting"``, ``"running"``,
    ``"ready"``, ``"completed"``...), ``state`` the wait's (``active``, ``done``, ``failed``,
    ``cancelled``). The Cancel button shows when ``cancellable``; pressing it sets
    ``cancel_requested``, which the waiting code reads. Mirrors ``js/progress.ts``'s
    ``ProgressModel``.
    """

    _bundle = "progress"

    title = traitlets.Unicode("").tag(sync=True)
    phase = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    state = traitlets.Enum(list(STATES), default_value="active").tag(sync=True)
    completed = traitlets.Int(0).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    steps = traitlets.List(traitlets.Dict()).tag(sync=True)
    elapsed_s = traitlets.Float(0.0).tag(sync=True)
    eta_s = traitlets.Float(None, allow_none=True).tag(sync=True)
    cancellable = traitlets.Bool(False).tag(sync=True)
    cancel_requested = traitlets.Bool(False).tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cancel_callbacks: list[Callable[[], None]] = []
        self.observe(self._on_cancel_requested, names="cancel_requested")

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` (once) when the Cancel button is pressed."""
        self._cancel_callbacks.append(callback)

    def _on_cancel_requested(self, change: dict[str, Any]) -> None:
        if change["new"] and not change["old"]:
            for callback in self._cancel_callbacks:
                callback()
