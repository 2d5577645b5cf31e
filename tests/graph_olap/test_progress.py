"""Progress reporting and polling shared by the SDK's waits (no server involved)."""

from __future__ import annotations

import io
import sys

import pytest

import graph_olap._progress as progress_module
from graph_olap._progress import ProgressReporter, poll


def test_callback_is_called_once_per_change() -> None:
    calls: list[tuple[str, int, int]] = []
    reporter = ProgressReporter(lambda *state: calls.append(state), show_progress=False)

    for state in [("a", 0, 2), ("a", 0, 2), ("a", 1, 2), ("b", 1, 4), ("b", 1, 4)]:
        reporter.update(*state)
    reporter.close()

    assert calls == [("a", 0, 2), ("a", 1, 2), ("b", 1, 4)]
    assert not reporter.shows_bar


def test_bar_follows_phases_and_totals() -> None:
    stream = io.StringIO()
    with ProgressReporter(show_progress=True, stream=stream) as reporter:
        reporter.update("exporting", 1, 2, label="exporting snapshot")
        reporter.update("loading", 3, 5, label="loading graph")
        reporter.update("ready", 5, 5)

    text = stream.getvalue()
    assert "exporting snapshot" in text and "1/2" in text
    assert "loading graph" in text and "3/5" in text
    assert "5/5" in text


def test_default_bar_only_in_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "stderr_is_terminal", lambda: False)
    assert not ProgressReporter().shows_bar

    monkeypatch.setattr(progress_module, "stderr_is_terminal", lambda: True)
    assert ProgressReporter().shows_bar

    # In a terminal without tqdm the default quietly shows nothing...
    monkeypatch.setitem(sys.modules, "tqdm", None)
    assert not ProgressReporter().shows_bar
    # ...while asking for a bar explicitly says what is missing.
    with pytest.raises(ImportError, match=r"show_progress=True needs tqdm.*pip install tqdm"):
        ProgressReporter(show_progress=True)


def test_stderr_is_terminal_survives_odd_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress_module.stderr_is_terminal() is False
    monkeypatch.setattr(sys, "stderr", None)
    assert progress_module.stderr_is_terminal() is False


def test_poll_starts_fast_and_backs_off_to_the_interval() -> None:
    sleeps: list[float] = []
    answers = iter([None] * 8 + ["done"])

    assert (
        poll(
            lambda: next(answers),
            timeout=60,
            poll_interval=0.5,
            on_timeout=AssertionError,
            sleep=sleeps.append,
        )
        == "done"
    )

    assert sleeps == pytest.approx([0.1, 0.15, 0.225, 0.3375, 0.5, 0.5, 0.5, 0.5])


def test_poll_interval_below_the_first_gap_is_used_as_is() -> None:
    sleeps: list[float] = []
    answers = iter([None, None, 1])

    poll(
        lambda: next(answers),
        timeout=60,
        poll_interval=0.01,
        on_timeout=AssertionError,
        sleep=sleeps.append,
    )

    assert sleeps == [0.01, 0.01]


def test_poll_times_out_with_the_given_error() -> None:
    with pytest.raises(TimeoutError, match="gave up"):
        poll(
            lambda: None,
            timeout=0.05,
            poll_interval=0.01,
            on_timeout=lambda: TimeoutError("gave up"),
        )


def test_poll_propagates_what_check_raises() -> None:
    def check() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        poll(check, timeout=1, poll_interval=0.1, on_timeout=AssertionError)
