"""notebook.connect / init / get_client."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from graph_olap import GraphOLAPClient, notebook


@pytest.fixture(autouse=True)
def _fresh_notebook_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(notebook, "_current_client", None)
    yield
    client = notebook.get_client()
    if client is not None:
        client.close()


def test_get_client_is_none_before_connect() -> None:
    assert notebook.get_client() is None


def test_connect_discovers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_OLAP_API_URL", "http://platform:8000")
    monkeypatch.setenv("GRAPH_OLAP_API_KEY", "sk-env")

    client = notebook.connect()

    assert isinstance(client, GraphOLAPClient)
    assert client.config.api_url == "http://platform:8000"
    assert client.config.api_key == "sk-env"
    assert notebook.get_client() is client


def test_connect_defaults_to_local_platform() -> None:
    assert notebook.connect().config.api_url == "http://localhost:8000"


def test_connect_arguments_beat_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_OLAP_API_URL", "http://platform:8000")

    client = notebook.connect(
        api_url="http://other:8000", api_key="sk-arg", username="bob", timeout=9
    )

    assert client.config.api_url == "http://other:8000"
    assert client.config.api_key == "sk-arg"
    assert client.config.username == "bob"
    assert client.config.timeout == 9


def test_init_is_connect() -> None:
    client = notebook.init(api_url="http://other:8000")

    assert notebook.get_client() is client
    assert client.config.api_url == "http://other:8000"


def test_reconnect_replaces_current_client() -> None:
    first = notebook.connect()
    second = notebook.connect(api_url="http://other:8000")

    assert notebook.get_client() is second
    assert second is not first
    first.close()


def test_setup_itables_is_silent_without_itables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "itables", None)  # makes `import itables` fail
    monkeypatch.setattr(notebook, "_itables_ready", False)

    notebook._setup_itables()

    assert notebook._itables_ready is False
    assert notebook.connect().config.api_url == "http://localhost:8000"
