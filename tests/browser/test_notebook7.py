"""The product's widgets in Jupyter Notebook 7, with no extension installed.

Notebook 7 is built from JupyterLab's components, so the same harness drives it: a real
`jupyter notebook` server (`NotebookServer`, isolated like the JupyterLab one), the notebook
opened at `/notebooks/<name>.ipynb`, cells run through the application's own commands
(`window.jupyterapp`, exposed with `JupyterNotebookApp.expose_app_in_browser`). One notebook
connects, creates ONE small instance from the demo warehouse (the progress widget watched live),
shows a result's Table tab and a graph result's Graph tab, and terminates the instance.
Expected rows and graph sizes come from the demo warehouse's own generator, not from the SDK.

DOM contracts (docs/widgets.md "DOM contract"): `.golap-progress[data-status][data-state]`,
`.golap-result[data-view]`, `table.golap-table tbody tr`, `.golap-graph[data-node-count]`.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest

from graph_olap import GraphOLAPClient
from tests.browser.conftest import NOTEBOOK_USER, OpenNotebook
from tests.browser.lab import LabPage, NotebookServer
from tests.support.platform import PlatformProcess

pytestmark = pytest.mark.timeout(180)

RUN = secrets.token_hex(3)
NAME = f"browser notebook7 {RUN}"
GRAPH_CUSTOMERS = ("C0001", "C0002")
# The instance holds only the customers it draws (and their products): small and quick to load.
CUSTOMER_FILTER = "customer_id IN (" + ", ".join(f"'{c}'" for c in GRAPH_CUSTOMERS) + ")"

CONNECT, FRAME, CREATE, TABLE, GRAPH, CLEANUP = range(6)
CELLS = [
    "from graph_olap import notebook\n\nclient = notebook.connect()\nprint('connected')",
    "import pandas as pd\n\npd.DataFrame({'n': [3, 1, 2], 'word': ['c', 'a', 'b']})",
    f"""mapping = client.mappings.create(
    name={NAME!r},
    node_definitions=[
        {{
            "label": "Customer",
            "sql": "SELECT customer_id, name FROM analytics.customers WHERE {CUSTOMER_FILTER}",
            "primary_key": {{"name": "customer_id", "type": "STRING"}},
            "properties": [{{"name": "name", "type": "STRING"}}],
        }},
        {{
            "label": "Product",
            "sql": "SELECT product_id, name FROM analytics.products",
            "primary_key": {{"name": "product_id", "type": "STRING"}},
            "properties": [{{"name": "name", "type": "STRING"}}],
        }},
    ],
    edge_definitions=[
        {{
            "type": "PURCHASED",
            "from_node": "Customer",
            "to_node": "Product",
            "sql": "SELECT customer_id, product_id FROM analytics.purchases "
            "WHERE {CUSTOMER_FILTER}",
            "from_key": "customer_id",
            "to_key": "product_id",
            "properties": [],
        }}
    ],
)
instance = client.instances.create_from_mapping_and_wait(mapping.id, {NAME!r}, timeout=120)
conn = client.instances.connect(instance.id)
print('instance', instance.id, instance.status)""",
    "conn.query(\n"
    '    "MATCH (c:Customer) RETURN c.customer_id AS id, c.name AS name ORDER BY id"\n'
    ")",
    "conn.query(\n"
    '    "MATCH (c:Customer)-[r:PURCHASED]->(p:Product) RETURN c, r, p"\n'
    ").show('graph')",
    "conn.close()\n"
    "client.instances.terminate(instance.id)\n"
    "for snapshot in client.mappings.list_snapshots(mapping.id):\n"
    "    client.snapshots.delete(snapshot.id)\n"
    "client.mappings.delete(mapping.id)\n"
    "print('cleaned up')",
]


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, list[dict[str, Any]]]:
    """The demo warehouse's rows, from its generator (the platform builds it the same way)."""
    from graph_olap_platform.warehouse import demo

    tables = demo.generate(random.Random(demo.SEED))
    return {name: tables[name].to_pylist() for name in ("customers", "purchases")}


@pytest.fixture(scope="module")
def nb7(notebook7_pages: OpenNotebook, browser_platform: PlatformProcess) -> Iterator[LabPage]:
    page = notebook7_pages("widgets_nb7.ipynb", CELLS)
    assert isinstance(page.server, NotebookServer)
    try:
        yield page
    finally:
        if page.execution_count(CREATE) is not None:  # the notebook's own clean-up
            try:
                page.run_cell(CLEANUP, timeout=60)
            except AssertionError as error:
                print(f"notebook clean-up failed: {error}")
        page.close()
        with GraphOLAPClient(browser_platform.url, username=NOTEBOOK_USER, max_retries=0) as sdk:
            for instance in sdk.instances.list(search=NAME):
                sdk.instances.terminate(instance.id)
            for mapping in sdk.mappings.list(search=NAME):
                for snapshot in sdk.mappings.list_snapshots(mapping.id):
                    sdk.snapshots.delete(snapshot.id)
                sdk.mappings.delete(mapping.id)


def test_notebook7_widgets(nb7: LabPage, demo_tables: dict[str, list[dict[str, Any]]]) -> None:
    page = nb7
    # It is Notebook 7's own page, not JupyterLab's.
    assert "/notebooks/widgets_nb7.ipynb" in page.page.url
    assert page.page.evaluate("() => window.jupyterapp.name") == "Jupyter Notebook"

    # connect(): no page error from its set-up output (the stylesheet, itables' offline mode).
    # Notebook 7.6 itself raises one while it loads (its shortcuts plugin reads the schema of
    # a plugin it has not loaded: "Cannot read properties of undefined (reading 'schema')";
    # also with no user settings and every installed extension disabled), so only errors from
    # the cells on count.
    loading = len(page.page_errors())
    page.run_cell(CONNECT)
    page.wait_itables_ready(since=loading)
    assert page.page_errors()[loading:] == [], page.explain("page errors from notebook.connect()")

    # ... and DataFrames are interactive (itables' DataTables, from the connect cell's output:
    # nothing is fetched from a CDN, these machines have no internet).
    page.run_cell(FRAME)
    frame = page.output(FRAME).locator("table.dataTable")
    page.wait_until(
        lambda: frame.count() == 1 and frame.locator("tbody tr").count() == 3,
        what="the DataFrame as an interactive DataTable",
    )
    frame.locator("thead th").nth(0).click()  # sorts by n, ascending
    page.wait_until(
        lambda: frame.locator("tbody tr td:first-child").all_inner_texts() == ["1", "2", "3"],
        what="the DataTable to sort on a header click",
    )

    # The progress widget, watched live while the instance is created, reaches `running`.
    before = page.start_cell(CREATE)
    progress = page.output(CREATE).locator(".golap-progress")
    seen: list[str] = []
    deadline = time.monotonic() + 150
    while not page.finished(CREATE, before):
        if time.monotonic() > deadline:
            raise page.fail(f"the instance was not created; statuses seen: {seen}")
        status = progress.first.get_attribute("data-status") if progress.count() else None
        if status and (not seen or seen[-1] != status):
            seen.append(status)
        page.page.wait_for_timeout(50)
    page.wait_cell(CREATE, before=before)
    assert progress.count() == 1, page.explain("no progress widget in the create cell")
    assert progress.get_attribute("data-status") == "running", page.explain(f"seen {seen}")
    assert progress.get_attribute("data-state") == "done", page.explain(f"seen {seen}")
    assert seen and seen[0] != "running", page.explain(f"no earlier phase shown live: {seen}")

    # The result widget's Table tab shows the customers.
    page.run_cell(TABLE)
    table = page.output(TABLE).locator(".golap-result")
    expected = sorted(
        [row["customer_id"], row["name"]]
        for row in demo_tables["customers"]
        if row["customer_id"] in GRAPH_CUSTOMERS
    )
    page.wait_until(
        lambda: table.count() == 1 and table.locator("tbody tr").count() == len(expected),
        what=f"the result widget's table with {len(expected)} rows",
    )
    assert table.get_attribute("data-view") == "table"
    rows = table.locator("table.golap-table tbody tr").evaluate_all(
        "(rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent))"
    )
    assert rows == expected, page.explain(f"table rows {rows}, expected {expected}")

    # The Graph tab draws every customer and product of the purchases.
    page.run_cell(GRAPH)
    purchases = [p for p in demo_tables["purchases"] if p["customer_id"] in GRAPH_CUSTOMERS]
    expected_nodes = len({p["customer_id"] for p in purchases}) + len(
        {p["product_id"] for p in purchases}
    )
    result = page.output(GRAPH).locator(".golap-result")
    view = result.locator(".golap-graph")
    page.wait_until(
        lambda: view.count() == 1 and view.get_attribute("data-first-frame-ms"),
        what="the graph view's first frame (data-first-frame-ms)",
    )
    assert result.get_attribute("data-view") == "graph"
    assert view.get_attribute("data-node-count") == str(expected_nodes), page.explain(
        f"drew {view.get_attribute('data-node-count')} nodes, expected {expected_nodes}"
    )
    assert view.get_attribute("data-edge-count") == str(len(purchases))
    view.scroll_into_view_if_needed()
    page.screenshot("test_notebook7_widgets-graph")
    assert page.page_errors()[loading:] == [], page.explain("page errors from the cells")
    external = [
        line
        for line in page.console
        if line.startswith("[requestfailed]") and "127.0.0.1" not in line
    ]
    assert external == [], page.explain("requests to hosts other than the loopback servers")
