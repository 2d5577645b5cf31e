"""A real JupyterLab (or Notebook 7) server and a Playwright page driving notebooks in it
(Debian's Chromium).

`JupyterLabServer` runs `jupyter lab` in its own process group on loopback with isolated
config/settings/workspace dirs; its kernels inherit the server's environment (the platform's
address). `NotebookServer` is the same for `jupyter notebook` (Notebook 7, built from
JupyterLab's components). `LabPage` opens a notebook written by `write_notebook`, runs cells
through the application's own commands (`window.jupyterapp`, exposed with
`LabApp.expose_app_in_browser` / `JupyterNotebookApp.expose_app_in_browser`) and waits on the
DOM. Every wait that times out raises an `AssertionError` carrying the server's log tail and
the page's console messages, so a failure in CI explains itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from tests.support.net import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying hosts it cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # WebGL (the graph view) in software: newer Chromium builds only allow it when asked.
    "--enable-unsafe-swiftshader",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

# User settings written before the server starts: every cell stays attached to the DOM (the
# default windowing detaches off-screen cells), and no news/update toasts cover the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def require_chromium() -> Path:
    """Debian's Chromium, or a failure telling how to install it (never a silent skip)."""
    if not CHROMIUM.exists():
        raise AssertionError(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. "
            "Run `scripts/setup.sh --dev` (it installs the `chromium` package)."
        )
    return CHROMIUM


def launch_chromium(playwright: Any, **kwargs: Any) -> Browser:
    browser: Browser = playwright.chromium.launch(
        executable_path=str(require_chromium()), args=CHROMIUM_ARGS, **kwargs
    )
    return browser


@dataclass
class JupyterLabServer:
    """`jupyter lab` on a free loopback port with a random token, serving ``root_dir``."""

    # What runs: `python -m <MODULE>` with the app's own flags after the shared server flags.
    NAME: ClassVar[str] = "jupyter lab"
    MODULE: ClassVar[str] = "jupyterlab"
    APP_FLAGS: ClassVar[tuple[str, ...]] = (
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    )

    env: dict[str, str] = field(default_factory=dict)
    base_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="golap-lab-")))
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen[bytes] | None = None

    @property
    def root_dir(self) -> Path:
        return self.base_dir / "notebooks"

    @property
    def log_path(self) -> Path:
        return self.base_dir / f"{self.MODULE}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"

    def start(self, timeout: float = 90) -> None:
        dirs = {
            name: self.base_dir / name
            for name in ("notebooks", "config", "data-runtime", "settings", "workspaces")
        }
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        for relative, values in LAB_SETTINGS.items():
            target = dirs["settings"] / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        env = {
            **os.environ,
            **self.env,
            "JUPYTER_CONFIG_DIR": str(dirs["config"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["data-runtime"]),
            "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
            "PYTHONUNBUFFERED": "1",
        }
        command = [
            sys.executable,
            "-m",
            self.MODULE,
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--allow-root",
            *self.APP_FLAGS,
        ]
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.NAME} exited early:\n{self.log_tail()}")
            try:
                answer = httpx.get(f"{self.url}/api/status?token={self.token}", timeout=2)
                if answer.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.NAME} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def shutdown_sessions(self, path: str) -> None:
        """Stop the kernels of the notebook at ``path`` (closing a tab leaves them running)."""
        with httpx.Client(base_url=self.url, params={"token": self.token}, timeout=10) as http:
            for session in http.get("/api/sessions").json():
                if session.get("path") == path:
                    http.delete(f"/api/sessions/{session['id']}")

    def log_tail(self, chars: int = 4000) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        """SIGTERM the whole process group (server and kernels), SIGKILL what lingers."""
        if self.process is None:
            return
        pgid = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=15)
        # Kernels are in the same group; kill any survivor even when the server exited.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=15)
        self.process = None

    def remove(self) -> None:
        shutil.rmtree(self.base_dir, ignore_errors=True)


class NotebookServer(JupyterLabServer):
    """`jupyter notebook` (Notebook 7) with the same isolation; notebooks open at
    ``/notebooks/<name>``, one notebook per browser page as users see it."""

    NAME: ClassVar[str] = "jupyter notebook"
    MODULE: ClassVar[str] = "notebook"
    # Notebook 7 has no news feed or update check of its own (the settings written by
    # `start` switch JupyterLab's notification plugin off all the same).
    APP_FLAGS: ClassVar[tuple[str, ...]] = ("--JupyterNotebookApp.expose_app_in_browser=True",)

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/notebooks/{name}?token={self.token}"


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the test process dies, even by SIGKILL (Linux), so a
    killed test run leaves no JupyterLab behind (it then stops its kernels)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def write_notebook(directory: Path, name: str, cells: Sequence[str]) -> Path:
    """An nbformat 4 notebook of code cells (a cell starting with ``#md`` becomes markdown),
    with kernelspec metadata so JupyterLab starts the kernel without a "Select Kernel" dialog."""
    nb_cells = []
    for index, source in enumerate(cells):
        if source.startswith("#md\n"):
            markdown = {"cell_type": "markdown", "metadata": {}, "source": source[4:]}
            nb_cells.append({"id": f"cell-{index}", **markdown})
        else:
            nb_cells.append(
                {
                    "cell_type": "code",
                    "id": f"cell-{index}",
                    "execution_count": None,
                    "metadata": {},
                    "outputs": [],
                    "source": source,
                }
            )
    notebook = {
        "cells": nb_cells,
        "metadata": {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = directory / name
    path.write_text(json.dumps(notebook, indent=1))
    return path


@dataclass
class LabPage:
    """One Chromium page (in its own browser context) showing one notebook in JupyterLab (or
    Notebook 7: the same `window.jupyterapp` commands and DOM).

    Open pages are listed in ``LabPage.opened`` so the test report hook can screenshot them.
    """

    opened: ClassVar[list[LabPage]] = []

    page: Page
    server: JupyterLabServer
    extra_logs: list[Callable[[], str]] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    path: str | None = None

    def __post_init__(self) -> None:
        LabPage.opened.append(self)
        self.page.on("console", lambda m: self.console.append(f"[{m.type}] {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"[pageerror] {e}"))
        self.page.on(
            "requestfailed",
            lambda r: self.console.append(f"[requestfailed] {r.method} {r.url} {r.failure}"),
        )

    def close(self) -> None:
        """Close the page's browser context and stop its notebook's kernel."""
        if self in LabPage.opened:
            LabPage.opened.remove(self)
        self.page.context.close()
        if self.path is not None and self.server.process is not None:
            self.server.shutdown_sessions(self.path)

    # -- diagnostics ---------------------------------------------------------------------

    def diagnostics(self) -> str:
        console = "\n".join(self.console[-60:]) or "(no console messages)"
        parts = [
            f"--- browser console (last {min(len(self.console), 60)}) ---\n{console}",
            f"--- {self.server.MODULE} log tail ---\n{self.server.log_tail(3000)}",
        ]
        parts += [log() for log in self.extra_logs]
        return "\n".join(parts)

    def explain(self, message: str) -> str:
        """``message`` followed by the diagnostics, for an ``assert``'s message."""
        return f"{message}\n{self.diagnostics()}"

    def fail(self, message: str) -> AssertionError:
        return AssertionError(self.explain(message))

    def wait_until(
        self, predicate: Callable[[], Any], *, what: str, timeout: float = 30, interval: float = 0.1
    ) -> Any:
        """Poll ``predicate`` until it returns a truthy value; return that value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise self.fail(f"timed out after {timeout:.0f} s waiting for {what}")
            self.page.wait_for_timeout(interval * 1000)

    def page_errors(self) -> list[str]:
        """Uncaught exceptions the page raised so far (Playwright's ``pageerror``)."""
        return [line for line in self.console if line.startswith("[pageerror]")]

    def wait_itables_ready(self, *, since: int = 0, timeout: float = 30) -> None:
        """Wait until itables' offline set-up (from ``notebook.connect()``) has finished: its
        DataTables bundle loaded, and its dark-theme script ran (the script sets
        ``window._itables_dark_theme_watcher``), or a page error after the first ``since``
        ones says why it did not."""
        self.wait_until(
            lambda: (
                len(self.page_errors()) > since
                or self.page.evaluate(
                    """async () => {
                  const key = Object.keys(window).find((k) => /^_itables_\\d/.test(k));
                  if (!key) return false;
                  await window[key];
                  return window._itables_dark_theme_watcher === true;
                }"""
                )
            ),
            what="itables' offline set-up (window._itables_dark_theme_watcher)",
            timeout=timeout,
        )

    def screenshot(self, name: str, *, locator: Locator | None = None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        if locator is not None:
            locator.screenshot(path=str(path), timeout=10_000)
        else:
            self.page.screenshot(path=str(path), timeout=10_000)
        return path

    # -- notebook ------------------------------------------------------------------------

    def open(self, name: str, *, timeout: float = 60) -> None:
        """Open ``name`` (relative to the server's root) and wait for an idle kernel."""
        self.path = name
        self.page.goto(self.server.notebook_url(name), timeout=timeout * 1000)
        self.wait_until(
            lambda: self.page.evaluate(
                """(name) => {
                  const app = window.jupyterapp;
                  const panel = app && app.shell.currentWidget;
                  return !!(panel && panel.context && panel.context.path === name
                    && panel.context.isReady);
                }""",
                name,
            ),
            what=f"JupyterLab to open {name}",
            timeout=timeout,
            interval=0.25,
        )
        self.wait_until(
            lambda: self.kernel_status() == "idle",
            what="the notebook's kernel to be idle",
            timeout=timeout,
            interval=0.25,
        )

    def kernel_status(self) -> str:
        status: str = self.page.evaluate(
            """() => {
              const panel = window.jupyterapp.shell.currentWidget;
              const kernel = panel && panel.sessionContext.session
                && panel.sessionContext.session.kernel;
              return kernel ? kernel.status : 'none';
            }"""
        )
        return status

    def cells(self) -> Locator:
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")

    def cell(self, index: int) -> Locator:
        return self.cells().nth(index)

    def output(self, index: int) -> Locator:
        return self.cell(index).locator(".jp-OutputArea-output")

    def cell_count(self) -> int:
        count: int = self.page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.content.widgets.length"
        )
        return count

    def execution_count(self, index: int) -> int | None:
        count: int | None = self.page.evaluate(
            """(index) => window.jupyterapp.shell.currentWidget.content.widgets[index]
                 .model.executionCount""",
            index,
        )
        return count

    def start_cell(self, index: int) -> int | None:
        """Run one cell through JupyterLab's command and return at once (the cell runs on);
        answers the cell's execution count before this run, for `wait_cell`."""
        before = self.execution_count(index)
        self.page.evaluate(
            """(index) => {
              const app = window.jupyterapp;
              const notebook = app.shell.currentWidget.content;
              notebook.activeCellIndex = index;
              notebook.deselectAll();
              // Not awaited: the caller watches the DOM while the cell runs.
              app.commands.execute('notebook:run-cell');
            }""",
            index,
        )
        return before

    def _prompt(self, index: int) -> str:
        text: str = self.cell(index).locator(".jp-InputPrompt").first.inner_text(timeout=5000)
        return text.strip()

    def finished(self, index: int, before: int | None) -> bool:
        """Whether code cell ``index`` shows an execution count newer than ``before``."""
        match = re.fullmatch(r"\[(\d+)\]:?", self._prompt(index))
        return match is not None and (before is None or int(match.group(1)) > before)

    def errors(self, index: int) -> list[str]:
        """The error outputs (exception name, value, traceback) of cell ``index``."""
        found: list[str] = self.page.evaluate(
            r"""(index) => window.jupyterapp.shell.currentWidget.content.widgets[index]
                 .model.outputs.toJSON().filter((o) => o.output_type === 'error')
                 .map((o) => `${o.ename}: ${o.evalue}\n${(o.traceback || []).join('\n')}`)""",
            index,
        )
        # Tracebacks carry ANSI colours.
        return [re.sub(r"\x1b\[[0-9;]*m", "", text) for text in found]

    def wait_cell(
        self,
        index: int,
        *,
        before: int | None = None,
        timeout: float = 60,
        allow_error: bool = False,
    ) -> None:
        """Wait until code cell ``index`` shows an execution count (``[n]:``, not ``[*]:``)
        newer than ``before``; fail with the cell's error output when it raised (unless
        ``allow_error``)."""
        self.wait_until(
            lambda: self.finished(index, before),
            what=f"cell {index} to finish (prompt {self._prompt(index)!r})",
            timeout=timeout,
        )
        if not allow_error and (errors := self.errors(index)):
            raise self.fail(f"cell {index} raised:\n" + "\n".join(errors)[-4000:])

    def run_cell(self, index: int, *, timeout: float = 60, allow_error: bool = False) -> Locator:
        before = self.start_cell(index)
        self.wait_cell(index, before=before, timeout=timeout, allow_error=allow_error)
        return self.cell(index)

    def run_all(self, *, timeout: float = 120) -> None:
        """Run every cell (JupyterLab's "Run All Cells") and wait for each code cell."""
        self.page.evaluate(
            "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
        )
        deadline = time.monotonic() + timeout
        code_cells = self.page.evaluate(
            """() => window.jupyterapp.shell.currentWidget.content.widgets
                 .map((cell, index) => cell.model.type === 'code' ? index : -1)
                 .filter((index) => index >= 0)"""
        )
        for index in code_cells:
            self.wait_cell(index, timeout=max(1.0, deadline - time.monotonic()))
