"""The widgets in a real IPython kernel, seen from the front-end's side of the protocol.

A kernel started by jupyter_client (as JupyterLab starts one) runs the SDK against the real
platform: a result returned by a cell displays as the result widget with its HTML fallback;
`create_from_mapping_and_wait` shows a live progress widget that ends `running`; an algorithm
wait shows a Cancel button whose click (a comm message sent while the cell is still busy)
cancels the run on the instance; `show_progress=False` shows nothing; `on_progress` still runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.graph_olap.jupyter.conftest import WIDGET_USER
from tests.graph_olap.jupyter.kernel_session import KernelSession
from tests.support.platform import PlatformProcess

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def kernel(widget_platform: PlatformProcess, widget_mapping: int) -> Iterator[KernelSession]:
    session = KernelSession(
        env={"GRAPH_OLAP_API_URL": widget_platform.url, "GRAPH_OLAP_USERNAME": WIDGET_USER}
    )
    try:
        session.execute(
            "from graph_olap import GraphOLAPClient\n"
            f"client = GraphOLAPClient({widget_platform.url!r}, username={WIDGET_USER!r})\n"
            "instance = client.instances.create_from_mapping_and_wait(\n"
            f"    {widget_mapping}, 'kernel widgets', wrapper_type='ladybug', timeout=300)\n"
            "conn = client.instances.connect(instance.id)\n",
            timeout=320,
        )
        yield session
    finally:
        try:
            session.execute("client.instances.terminate(instance.id)", timeout=60)
        finally:
            session.close()


def test_instance_wait_shows_a_live_progress_widget(kernel: KernelSession) -> None:
    progress = kernel.widgets_of("ProgressWidget")
    assert len(progress) == 1, "create_from_mapping_and_wait displays one progress widget"
    state = progress[0]["state"]
    assert state["title"].startswith("Instance ")
    assert state["status"] == "running" and state["state"] == "done"
    assert state["total"] > 0 and state["completed"] == state["total"]
    assert state["cancellable"] is False  # nothing to cancel an instance start with
    steps = state["steps"]
    assert steps and all(step["name"] for step in steps)
    assert any(isinstance(step["row_count"], int) and step["row_count"] > 0 for step in steps)
    assert state["elapsed_s"] > 0


def test_a_result_displays_as_the_widget_with_an_html_fallback(kernel: KernelSession) -> None:
    run = kernel.execute(
        "result = conn.query('MATCH (c:Customer)-[p:PURCHASED]->(pr:Product) "
        "RETURN c, p, pr LIMIT 10')\nresult"
    )
    assert run.result is not None
    assert WIDGET_MIME in run.result and "text/html" in run.result
    assert '<table class="golap-table">' in run.result["text/html"]
    model_id = run.result[WIDGET_MIME]["model_id"]
    widget = kernel.widgets[model_id]
    assert widget["model"].endswith(".ResultWidget")
    state = widget["state"]
    assert state["columns"] == ["c", "p", "pr"] and len(state["rows"]) == 10
    assert len(state["graph"]["edges"]) == 10
    assert state["metadata"]["query"].startswith("MATCH (c:Customer)")
    assert len(state["_esm"]) > 10_000  # the bundle travels inline, no CDN

    shown = kernel.execute("result.show('graph', size_by='price')")
    assert shown.displays and WIDGET_MIME in shown.displays[0]
    shown_state = kernel.widgets[shown.displays[0][WIDGET_MIME]["model_id"]]["state"]
    assert shown_state["view"] == "graph" and shown_state["size_by"] == "price"


def test_cancel_button_cancels_a_running_algorithm(kernel: KernelSession) -> None:
    before = set(kernel.widgets)
    # NetworkX betweenness on the whole demo graph runs for minutes in pure Python.
    run = kernel.start("conn.networkx.run('betweenness_centrality', property_name='btw_cancelled')")
    deadline = time.monotonic() + 60
    widget = None
    while widget is None and time.monotonic() < deadline:
        kernel.pump(run, 0.5)
        assert not run.done, f"the run ended before it could be cancelled: {run}"
        fresh = [
            kernel.widgets[key]
            for key in set(kernel.widgets) - before
            if kernel.widgets[key]["model"].endswith(".ProgressWidget")
        ]
        if fresh and fresh[0]["state"].get("status") == "running":
            widget = fresh[0]
    assert widget is not None, "no running progress widget appeared"
    assert widget["state"]["cancellable"] is True

    clicked = time.monotonic()
    kernel.send_widget_update(kernel.comm_id_of(widget), {"cancel_requested": True})
    kernel.wait(run, timeout=30)
    took = time.monotonic() - clicked
    print(f"cancel click to cancelled: {took:.2f} s")

    assert run.error is not None and run.error["ename"] == "AlgorithmCancelledError"
    assert took < 10, f"the cancel took {took:.1f} s"
    assert widget["state"]["state"] == "cancelled"
    check = kernel.execute(
        "latest = conn.algo.executions(limit=1)[0]\n"
        "print(latest.algorithm, latest.status, conn.get_lock().locked)"
    )
    assert check.stdout.split() == ["betweenness_centrality", "cancelled", "False"]


def test_show_progress_false_and_on_progress(kernel: KernelSession) -> None:
    before = len(kernel.widgets_of("ProgressWidget"))
    kernel.execute(
        "conn.algo.degree(node_label='Person', property_name='deg_quiet', show_progress=False)"
    )
    assert len(kernel.widgets_of("ProgressWidget")) == before

    run = kernel.execute(
        "seen = []\n"
        "conn.algo.pagerank(node_label='Person', property_name='pr_seen', "
        "on_progress=seen.append)\n"
        "print(len(seen) > 0, seen[-1].status)"
    )
    assert run.stdout.split() == ["True", "completed"]
    progress = kernel.widgets_of("ProgressWidget")
    assert len(progress) == before + 1
    assert progress[-1]["state"]["state"] == "done"
    assert progress[-1]["state"]["status"] == "completed"


def test_without_a_built_bundle_the_table_still_shows(kernel: KernelSession) -> None:
    run = kernel.execute(
        "from pathlib import Path\n"
        "from graph_olap.jupyter.widgets import _bundle, ResultWidget\n"
        "saved = (_bundle.STATIC_DIR, ResultWidget.__dict__.get('_esm'))\n"
        "_bundle.STATIC_DIR = Path('/nonexistent')\n"
        "_bundle.bundle_text.cache_clear()\n"
        "del ResultWidget._esm, ResultWidget._css\n"
        "try:\n"
        "    display(conn.query('MATCH (p:Person) RETURN p.name AS name LIMIT 3'))\n"
        "finally:\n"
        "    _bundle.STATIC_DIR = saved[0]\n"
        "    _bundle.bundle_text.cache_clear()\n"
    )
    assert len(run.displays) == 1
    assert WIDGET_MIME not in run.displays[0]
    assert '<table class="golap-table">' in run.displays[0]["text/html"]
    assert "npm ci && npm run build" in run.stderr
    # Built again, the widget is back.
    again = kernel.execute("conn.query('MATCH (p:Person) RETURN p.name AS name LIMIT 3')")
    assert again.result is not None and WIDGET_MIME in again.result
