"""Fixtures of the Jupyter-layer tests.

``widget_*``: one dev platform, the demo mapping and one running LadybugDB instance, shared by
the widget test modules for the whole session (started only when a test asks for them).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from graph_olap import GraphOLAPClient
from graph_olap.instance.connection import InstanceConnection
from tests.integration.conftest import FAST_JOBS
from tests.integration.demo import EDGES, NODES
from tests.support.platform import PlatformProcess

WIDGET_USER = "widget.analyst"


def widget_client(platform: PlatformProcess) -> GraphOLAPClient:
    return GraphOLAPClient(platform.url, username=WIDGET_USER, max_retries=0, timeout=60)


@pytest.fixture(scope="session")
def widget_platform() -> Iterator[PlatformProcess]:
    server = PlatformProcess(dev=True, extra_env=FAST_JOBS)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def widget_mapping(widget_platform: PlatformProcess) -> int:
    with widget_client(widget_platform) as client:
        mapping = client.mappings.create(
            name="Widget demo", node_definitions=NODES, edge_definitions=EDGES
        )
    return mapping.id


@pytest.fixture(scope="session")
def widget_conn(
    widget_platform: PlatformProcess, widget_mapping: int
) -> Iterator[InstanceConnection]:
    client = widget_client(widget_platform)
    instance = client.instances.create_from_mapping_and_wait(
        widget_mapping, "widgets", wrapper_type="ladybug", timeout=300, show_progress=False
    )
    conn = client.instances.connect(instance.id)
    yield conn
    conn.close()
    client.instances.terminate(instance.id)
    client.close()
