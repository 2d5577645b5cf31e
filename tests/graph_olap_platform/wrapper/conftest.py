"""Fixtures: one snapshot directory per session and one real wrapper process per engine.

The Kuzu-family engines cannot share a Python process, so they are never imported here: every
engine runs inside its own ``python -m graph_olap_platform.wrapper`` process (standalone mode).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.graph_olap_platform.wrapper.process import WrapperProcess
from tests.graph_olap_platform.wrapper.snapshot import Snapshot, write_snapshot

ENGINES = ["ladybug", "ryugraph"]


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return write_snapshot(tmp_path_factory.mktemp("snapshots") / "7")


def standalone(engine: str, data_dir: Path, snapshot: Snapshot, **env: str) -> WrapperProcess:
    return WrapperProcess(
        engine,
        data_dir,
        env_extra={
            "GRAPH_OLAP_WRAPPER_SNAPSHOT_PATH": str(snapshot.path),
            "GRAPH_OLAP_WRAPPER_MAPPING_FILE": str(snapshot.mapping_file),
            **env,
        },
    )


@pytest.fixture(scope="session")
def wrappers(
    snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, WrapperProcess]]:
    """Both engines, started together and shared by the whole session."""
    processes = {
        engine: standalone(engine, tmp_path_factory.mktemp(f"wrapper-{engine}"), snapshot)
        for engine in ENGINES
    }
    try:
        for process in processes.values():
            process.start(wait=False)
        for process in processes.values():
            process.wait_ready()
        yield processes
    finally:
        for process in processes.values():
            process.stop()


@pytest.fixture(params=ENGINES)
def wrapper(request: pytest.FixtureRequest, wrappers: dict[str, WrapperProcess]) -> WrapperProcess:
    return wrappers[request.param]
