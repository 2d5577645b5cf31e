"""notebook.connect / init / get_client."""

from __future__ import annotations

import subprocess
import sys
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from jupyter_client.manager import start_new_kernel

from graph_olap import GraphOLAPClient, notebook

DISPLAYS = ("display_data", "execute_result")


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
    shell = InteractiveShell.instance()  # a shell that renders HTML, so itables would be set up
    monkeypatch.setattr(notebook, "_itables_shells", weakref.WeakSet())
    monkeypatch.setattr(notebook, "_itables_ready", False)
    monkeypatch.setitem(sys.modules, "itables", None)  # makes `import itables` fail

    with capture_output() as shown:
        notebook._setup_itables()

    assert shown.outputs == []
    assert notebook._itables_ready is False
    assert notebook.connect().config.api_url == "http://localhost:8000"

    monkeypatch.delitem(sys.modules, "itables")  # installed again: now it is set up, once
    with capture_output() as shown:
        notebook._setup_itables()
        notebook._setup_itables()
    assert notebook._itables_ready is True
    assert shell in notebook._itables_shells
    assert any("itables" in out.data.get("text/html", "") for out in shown.outputs)
    count = len(shown.outputs)
    with capture_output() as again:
        notebook._setup_itables()
    assert again.outputs == [] and count > 0


def test_itables_bundle_is_shown_before_the_script_that_awaits_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # itables 2.9.1 displays its dark-theme module script first; it awaits
    # window._itables_<version>, which the bundle's output defines: shown in that order, the
    # script awaited undefined (a page error in JupyterLab and Notebook 7).
    InteractiveShell.instance()  # a shell that renders HTML
    monkeypatch.setattr(notebook, "_itables_shells", weakref.WeakSet())

    with capture_output() as shown:
        notebook._setup_itables()

    html = [str(out.data.get("text/html", "")) for out in shown.outputs]
    defines = [i for i, h in enumerate(html) if "injectModule" in h and "window._itables_" in h]
    awaits = [i for i, h in enumerate(html) if "set_or_remove_dark_class" in h]
    assert len(defines) == 1 and len(awaits) == 1, html
    assert defines[0] < awaits[0]
    assert "const { set_or_remove_dark_class } = await window._itables_" in html[awaits[0]]


def test_connect_outside_ipython_prints_nothing() -> None:
    # Plain Python cannot render the stylesheet or itables' set-up; it must not print them.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from graph_olap import notebook\n"
            "client = notebook.connect(api_url='http://other:8000')\n"
            "print(client.config.api_url)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == "http://other:8000\n"


def test_connect_in_a_kernel_styles_once_and_makes_tables_interactive() -> None:
    manager, client = start_new_kernel(startup_timeout=60)
    outputs: list[dict[str, Any]] = []

    def run(code: str) -> list[dict[str, Any]]:
        start = len(outputs)
        reply = client.execute_interactive(code, timeout=60, output_hook=outputs.append)
        assert reply["content"]["status"] == "ok", reply["content"]
        return [m["content"] for m in outputs[start:] if m["header"]["msg_type"] in DISPLAYS]

    try:
        first = run(
            "from graph_olap import notebook\n"
            "client = notebook.connect(api_url='http://other:8000')"
        )
        again = run("client = notebook.connect(api_url='http://other:8000')")
        frame = run("import pandas as pd\npd.DataFrame({'a': [1, 2]})")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)

    html = [content["data"].get("text/html", "") for content in first]
    assert sum(h.startswith('<style id="golap-notebook-css">') for h in html) == 1
    assert any("itables" in h for h in html)  # itables' offline set-up
    assert again == []  # once per kernel
    assert "itables" in frame[0]["data"]["text/html"]  # DataFrames render through itables
