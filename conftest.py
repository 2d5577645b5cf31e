"""Runs the example notebooks (collected by nbval) against a real local platform.

The platform starts only when notebooks were collected, before any kernel starts, and the
kernels inherit its address through the same variables users set.
"""

from __future__ import annotations

import os

import pytest

_platform = None


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    global _platform
    if _platform is None and any(item.path.suffix == ".ipynb" for item in items):
        from tests.support.platform import PlatformProcess

        _platform = PlatformProcess(dev=True)
        _platform.start()
        os.environ["GRAPH_OLAP_API_URL"] = _platform.url
        os.environ["GRAPH_OLAP_USERNAME"] = "notebook.user"
        os.environ.pop("GRAPH_OLAP_API_KEY", None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _platform is not None:
        _platform.stop()
