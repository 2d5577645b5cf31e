"""NotebookProgress and ProgressWidget without a kernel: state, steps, estimates, cancel.

The same objects in a real kernel, with the Cancel click arriving while a cell waits, are
tested in test_widgets_kernel.py.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from graph_olap._progress import ProgressReporter
from graph_olap.jupyter.progress import NotebookProgress, step_dicts
from graph_olap.models.instance import ProgressStep


@pytest.fixture
def progress(capsys: pytest.CaptureFixture[str]) -> NotebookProgress:
    return NotebookProgress(title="Instance 7", cancellable=True)


def test_updates_fill_the_widget(progress: NotebookProgress) -> None:
    steps = [
        ProgressStep(name="export Person", status="completed", row_count=200,
                     completed_at=datetime(2025, 1, 1, tzinfo=UTC)),
        ProgressStep(name="export KNOWS", status="running"),
    ]  # fmt: skip
    time.sleep(0.05)
    progress.update("exporting", 1, 4, label="exporting snapshot", status="waiting", steps=steps)
    widget = progress.widget
    assert widget.title == "Instance 7"
    assert widget.phase == "exporting snapshot" and widget.status == "waiting"
    assert (widget.completed, widget.total) == (1, 4)
    assert widget.steps == [
        {"name": "export Person", "status": "completed", "row_count": 200, "type": None},
        {"name": "export KNOWS", "status": "running", "row_count": None, "type": None},
    ]
    assert widget.elapsed_s >= 0.05
    # Three steps left at the pace of the first one.
    assert widget.eta_s == pytest.approx(3 * widget.elapsed_s, abs=0.15)

    progress.update("loading", 4, 4, status="running")
    assert widget.eta_s is None and widget.steps[0]["name"] == "export Person"

    progress.finish("done")
    assert widget.state == "done" and widget.phase == "running" and widget.eta_s is None


def test_no_estimate_before_the_first_step(progress: NotebookProgress) -> None:
    progress.update("pending", 0, 5)
    assert progress.widget.eta_s is None
    progress.update("starting", 0, 0)
    assert progress.widget.eta_s is None


def test_outside_a_kernel_cancel_is_not_offered(progress: NotebookProgress) -> None:
    # No kernel subshell to route the button's messages to: no button that would not work.
    assert progress.cancellable is False
    assert progress.widget.cancellable is False


def test_a_cancel_request_ends_the_pause_at_once(progress: NotebookProgress) -> None:
    calls: list[str] = []
    progress.widget.on_cancel(lambda: calls.append("cancel"))
    started = time.monotonic()
    assert progress.wait(0.05) is False
    progress.widget.cancel_requested = True  # what the front-end's click sets
    assert progress.wait(30) is True
    assert time.monotonic() - started < 5
    assert calls == ["cancel"]
    progress.finish("cancelled", "Interrupted.")
    assert progress.widget.state == "cancelled" and progress.widget.message == "Interrupted."


def test_step_dicts_accept_models_and_mappings() -> None:
    assert step_dicts([{"name": "KNOWS", "status": "completed", "row_count": 800.0}]) == [
        {"name": "KNOWS", "status": "completed", "row_count": 800, "type": None}
    ]
    assert step_dicts([ProgressStep(name="x", status="pending", type="node")])[0]["type"] == "node"


def test_the_reporter_outside_notebooks_shows_no_widget() -> None:
    seen: list[tuple[str, int, int]] = []
    with ProgressReporter(lambda *s: seen.append(s), None, cancel=lambda: None) as reporter:
        reporter.update("a", 1, 2, status="running", steps=[])
        assert not reporter.shows_widget and reporter.widget is None
        assert reporter.cancel_requested is False
        started = time.monotonic()
        reporter.sleep(0.01)
        assert time.monotonic() - started < 1
    assert seen == [("a", 1, 2)]
