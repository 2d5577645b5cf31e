"""Package fixtures for the real-browser tests: a dev platform, JupyterLab, Notebook 7 and
Chromium.

The kernels JupyterLab (or Notebook 7) starts inherit GRAPH_OLAP_API_URL /
GRAPH_OLAP_USERNAME, so notebooks connect to the platform exactly as a user's would. After each
test a screenshot of every notebook page the test used goes to
``artifacts/screenshots/<test name>.png``; a failing test's report gains the browser console,
the Jupyter server's log tail and the platform log tail.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from tests.browser.lab import (
    CHROMIUM,
    JupyterLabServer,
    LabPage,
    NotebookServer,
    launch_chromium,
    write_notebook,
)
from tests.support.platform import PlatformProcess

NOTEBOOK_USER = "browser.user"
VIEWPORT = {"width": 1400, "height": 1000}
OpenNotebook = Callable[[str, Sequence[str]], LabPage]


@pytest.fixture(scope="package")
def browser_platform() -> Iterator[PlatformProcess]:
    """A dev-mode control plane (X-Username auth) on the demo warehouse."""
    server = PlatformProcess(dev=True, extra_env={"GRAPH_OLAP_PER_ANALYST_LIMIT": "4"})
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


def _serve(kind: type[JupyterLabServer], platform: PlatformProcess) -> Iterator[JupyterLabServer]:
    if not CHROMIUM.exists():  # fail before paying for the server's start
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. "
            "Run `scripts/setup.sh --dev` (it installs the `chromium` package).",
            pytrace=False,
        )
    server = kind(
        env={
            "GRAPH_OLAP_API_URL": platform.url,
            "GRAPH_OLAP_USERNAME": NOTEBOOK_USER,
            "GRAPH_OLAP_API_KEY": "",
        }
    )
    server.start()
    yield server
    server.stop()
    server.remove()


@pytest.fixture(scope="package")
def jupyter_lab(browser_platform: PlatformProcess) -> Iterator[JupyterLabServer]:
    yield from _serve(JupyterLabServer, browser_platform)


@pytest.fixture(scope="package")
def notebook7(browser_platform: PlatformProcess) -> Iterator[JupyterLabServer]:
    """`jupyter notebook` (Notebook 7), isolated like `jupyter_lab`."""
    yield from _serve(NotebookServer, browser_platform)


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def _page_opener(
    server: JupyterLabServer, chromium: Any, platform: PlatformProcess
) -> Iterator[OpenNotebook]:
    def platform_log() -> str:
        return f"--- platform log tail ---\n{platform.log_tail()[-2000:]}"

    def open_(name: str, cells: Sequence[str]) -> LabPage:
        write_notebook(server.root_dir, name, cells)
        context = chromium.new_context(viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        lab = LabPage(context.new_page(), server, extra_logs=[platform_log])
        try:
            lab.open(name)
        except BaseException:
            lab.close()
            raise
        return lab

    yield open_
    for lab in list(LabPage.opened):
        if lab.server is server:
            lab.close()


@pytest.fixture(scope="package")
def lab_pages(
    jupyter_lab: JupyterLabServer, chromium: Any, browser_platform: PlatformProcess
) -> Iterator[OpenNotebook]:
    """``lab_pages(name, cells)`` writes a notebook into JupyterLab's root, opens it in a fresh
    browser context and waits for its kernel. The caller closes the page (``LabPage.close``);
    what is left open closes at the end of the package."""
    yield from _page_opener(jupyter_lab, chromium, browser_platform)


@pytest.fixture(scope="package")
def notebook7_pages(
    notebook7: JupyterLabServer, chromium: Any, browser_platform: PlatformProcess
) -> Iterator[OpenNotebook]:
    """``lab_pages`` for Notebook 7: the notebook opens at ``/notebooks/<name>``."""
    yield from _page_opener(notebook7, chromium, browser_platform)


@pytest.fixture
def open_notebook(lab_pages: OpenNotebook) -> Iterator[OpenNotebook]:
    """Like ``lab_pages``, for one test: its pages close (and kernels stop) after the test."""
    opened: list[LabPage] = []

    def open_(name: str, cells: Sequence[str]) -> LabPage:
        lab = lab_pages(name, cells)
        opened.append(lab)
        return lab

    yield open_
    for lab in opened:
        lab.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" or (report.when == "setup" and report.failed):
        for index, lab in enumerate(LabPage.opened):
            name = item.name if index == 0 else f"{item.name}-{index}"
            try:
                path = lab.screenshot(name)
                report.sections.append(("browser screenshot", str(path)))
            except Exception as error:  # the page may be gone; the report matters more
                report.sections.append(("browser screenshot", f"failed: {error}"))
            # Wait helpers already put the diagnostics into their assertion message.
            if report.failed and "--- browser console (last" not in str(report.longrepr):
                report.sections.append(("browser diagnostics", lab.diagnostics()))
    return report
