"""The product's widgets in a real JupyterLab, asserted from the DOM Chromium renders.

One notebook runs against the session's dev platform, cell by cell, like a user would: connect,
`%load_ext graph_olap`, one mapping, ONE instance (created with the live progress widget and
reused by every later cell), a query result's Table and Graph tabs, a `%%cypher` cell, the
instance's rich repr, and the clean-up. Expected rows and graph sizes come from the demo
warehouse's own generator (same seed as the platform's warehouse), not from the SDK under test.

DOM contracts used (documented in js/result.ts, js/lib/graphview.ts, js/progress.ts and
src/graph_olap/jupyter/styles/notebook.css):
- result widget: `.golap-result[data-view]`, tabs `button.golap-tab[data-tab]`,
  `table.golap-table tbody tr`, `.golap-table-note`;
- graph view: `.golap-graph[data-node-count][data-edge-count][data-first-frame-ms]`, legend
  swatches `.golap-legend-swatch`;
- progress widget: `.golap-progress[data-status][data-state]`;
- reprs: `.golap-repr` with `.golap-badge.golap-status-<status>`; the notebook-wide sheet is
  `style#golap-notebook-css`.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from graph_olap import GraphOLAPClient
from tests.browser.conftest import NOTEBOOK_USER, OpenNotebook
from tests.browser.lab import LabPage
from tests.support.platform import PlatformProcess

pytestmark = pytest.mark.timeout(240)

RUN = secrets.token_hex(3)
MAPPING_NAME = f"browser widgets {RUN}"
INSTANCE_NAME = f"browser widgets {RUN}"
GRAPH_CUSTOMERS = ("C0001", "C0002", "C0003")

CELLS: dict[str, tuple[list[str], str]] = {
    # name: (cells it needs first, source)
    "connect": (
        [],
        "from graph_olap import notebook\n\n"
        "client = notebook.connect()\n"
        "print('connected to', client.config.api_url)",
    ),
    "load_ext": ([], "%load_ext graph_olap"),
    "mapping": (
        ["connect"],
        f"""customer = {{
    "label": "Customer",
    "sql": "SELECT customer_id, name, city FROM analytics.customers",
    "primary_key": {{"name": "customer_id", "type": "STRING"}},
    "properties": [{{"name": "name", "type": "STRING"}}, {{"name": "city", "type": "STRING"}}],
}}
product = {{
    "label": "Product",
    "sql": "SELECT product_id, name FROM analytics.products",
    "primary_key": {{"name": "product_id", "type": "STRING"}},
    "properties": [{{"name": "name", "type": "STRING"}}],
}}
purchased = {{
    "type": "PURCHASED",
    "from_node": "Customer",
    "to_node": "Product",
    "sql": "SELECT customer_id, product_id, amount FROM analytics.purchases",
    "from_key": "customer_id",
    "to_key": "product_id",
    "properties": [{{"name": "amount", "type": "DOUBLE"}}],
}}
mapping = client.mappings.create(
    name={MAPPING_NAME!r}, node_definitions=[customer, product], edge_definitions=[purchased]
)
print("mapping", mapping.id)""",
    ),
    "create": (
        ["mapping"],
        f"instance = client.instances.create_from_mapping_and_wait(\n"
        f"    mapping.id, {INSTANCE_NAME!r}, timeout=300\n)\n"
        "conn = client.instances.connect(instance.id)\n"
        "print('instance', instance.id, instance.status)",
    ),
    "table": (
        ["create"],
        "conn.query(\n"
        '    "MATCH (c:Customer) RETURN c.customer_id AS id, c.name AS name, c.city AS city "\n'
        '    "ORDER BY id LIMIT 5"\n'
        ")",
    ),
    "graph": (
        ["create"],
        "conn.query(\n"
        '    "MATCH (c:Customer)-[r:PURCHASED]->(p:Product) "\n'
        '    "WHERE c.customer_id IN $ids RETURN c, r, p",\n'
        f"    {{'ids': {list(GRAPH_CUSTOMERS)!r}}},\n"
        ")",
    ),
    "cypher_params": (["create", "load_ext"], "last = 'C0005'"),
    "cypher": (
        ["cypher_params"],
        "%%cypher\n"
        "MATCH (c:Customer) WHERE c.customer_id <= $last\n"
        "RETURN c.customer_id AS id, c.name AS name, c.city AS city ORDER BY id",
    ),
    "repr": (["create", "load_ext"], "client.instances.get(instance.id)"),
    "markup": (
        ["load_ext"],
        "from IPython.display import HTML\n\n"
        "# Hand-written golap- markup with no <style> of its own: only the notebook-wide sheet\n"
        "# (applied by %load_ext graph_olap and notebook.connect()) can style it.\n"
        'HTML(\'<div class="golap"><span class="golap-badge golap-status-failed" '
        'id="handmade-badge">failed</span></div>\')',
    ),
    "large": (
        ["create"],
        "big = conn.query('UNWIND range(1, 1000000) AS i RETURN i, i * 2 AS twice')\n"
        "print(f'rows={big.row_count} truncated={big.truncated}')\n"
        "big",
    ),
    "after_large": (["large"], "print('kernel answers', 6 * 7)"),
    "cleanup": (
        [],
        "conn.close()\n"
        "client.instances.terminate(instance.id)\n"
        "for snapshot in client.mappings.list_snapshots(mapping.id):\n"
        "    client.snapshots.delete(snapshot.id)\n"
        "client.mappings.delete(mapping.id)\n"
        "print('cleaned up')",
    ),
}
NAMES = list(CELLS)


@dataclass
class WidgetNotebook:
    """The shared notebook: runs a named cell once, after the cells it needs."""

    lab: LabPage
    ran: set[str] = field(default_factory=set)

    def index(self, name: str) -> int:
        return NAMES.index(name)

    def ensure(self, name: str, *, timeout: float = 60) -> None:
        needs, _ = CELLS[name]
        for need in needs:
            self.ensure(need, timeout=timeout)
        if name not in self.ran:
            self.lab.run_cell(self.index(name), timeout=timeout)
            self.ran.add(name)

    def start(self, name: str) -> int | None:
        """Start ``name`` (its needs are run first) and return at once."""
        for need in CELLS[name][0]:
            self.ensure(need)
        self.ran.add(name)
        return self.lab.start_cell(self.index(name))

    def output(self, name: str) -> Any:
        return self.lab.output(self.index(name))


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, list[dict[str, Any]]]:
    """The demo warehouse's rows, from its generator (the platform builds it the same way)."""
    from graph_olap_platform.warehouse import demo

    tables = demo.generate(random.Random(demo.SEED))
    return {name: tables[name].to_pylist() for name in ("customers", "purchases")}


@pytest.fixture(scope="module")
def notebook(
    lab_pages: OpenNotebook, browser_platform: PlatformProcess
) -> Iterator[WidgetNotebook]:
    lab = lab_pages("widgets.ipynb", [source for _, source in CELLS.values()])
    book = WidgetNotebook(lab)
    try:
        yield book
    finally:
        if "create" in book.ran:  # the notebook's own clean-up, as a user would run it
            try:
                lab.run_cell(NAMES.index("cleanup"), timeout=60)
            except AssertionError as error:
                print(f"notebook clean-up failed: {error}")
        lab.close()
        _remove_leftovers(browser_platform)


def _remove_leftovers(platform: PlatformProcess) -> None:
    """Whatever the notebook left behind (a failed test stops it early) goes here."""
    with GraphOLAPClient(platform.url, username=NOTEBOOK_USER, max_retries=0) as sdk:
        for instance in sdk.instances.list(search=INSTANCE_NAME):
            sdk.instances.terminate(instance.id)
        for mapping in sdk.mappings.list(search=MAPPING_NAME):
            for snapshot in sdk.mappings.list_snapshots(mapping.id):
                sdk.snapshots.delete(snapshot.id)
            sdk.mappings.delete(mapping.id)


def _rows(lab: LabPage, widget: Any) -> list[list[str]]:
    rows: list[list[str]] = widget.locator("table.golap-table tbody tr").evaluate_all(
        "(rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent))"
    )
    return rows


def _expected_customers(demo_tables: dict[str, list[dict[str, Any]]]) -> list[list[str]]:
    customers = sorted(demo_tables["customers"], key=lambda row: row["customer_id"])[:5]
    return [[row["customer_id"], row["name"], row["city"]] for row in customers]


# -- notebook.connect()'s set-up output raises nothing in the page ----------------------------


def test_connect_cell_raises_no_page_errors(notebook: WidgetNotebook) -> None:
    """The connect cell shows the stylesheet and itables' offline set-up (DataTables inside the
    output); its scripts must run without a page error (itables' dark-theme script once awaited
    a promise defined by a later output: see `graph_olap.notebook._init_itables_offline`)."""
    lab = notebook.lab
    loading = len(lab.page_errors())
    notebook.ensure("connect")
    lab.wait_itables_ready(since=loading)
    assert lab.page_errors()[loading:] == [], lab.explain("page errors from notebook.connect()")


# -- (c) the progress widget reaches `running` ------------------------------------------------


def test_progress_widget_reaches_running(notebook: WidgetNotebook) -> None:
    lab = notebook.lab
    before = notebook.start("create")
    progress = notebook.output("create").locator(".golap-progress")
    seen: list[str] = []
    live_shot = False
    deadline = time.monotonic() + 240
    while not lab.finished(notebook.index("create"), before):
        if time.monotonic() > deadline:
            raise lab.fail(f"create_from_mapping_and_wait did not finish; statuses seen: {seen}")
        if progress.count():
            status = progress.first.get_attribute("data-status") or ""
            if not seen or seen[-1] != status:
                seen.append(status)
            if not live_shot:  # a picture of the widget while it is live
                progress.first.scroll_into_view_if_needed()
                lab.screenshot("test_progress_widget_reaches_running-live")
                live_shot = True
        lab.page.wait_for_timeout(50)
    lab.wait_cell(notebook.index("create"), before=before)

    assert progress.count() == 1, lab.explain("no progress widget in the create cell's output")
    final = progress.first
    # The cell may end between two looks (a fast start): the final status counts as seen.
    last = final.get_attribute("data-status") or ""
    if not seen or seen[-1] != last:
        seen.append(last)
    assert final.get_attribute("data-status") == "running", lab.explain(
        f"the progress widget ended on {final.get_attribute('data-status')!r}; seen {seen}"
    )
    assert final.get_attribute("data-state") == "done", lab.explain(
        f"the wait's state is {final.get_attribute('data-state')!r}"
    )
    assert len(seen) >= 2 and seen[0] != "running", lab.explain(
        f"the widget never showed an earlier phase live (statuses seen: {seen})"
    )
    progress.first.scroll_into_view_if_needed()


# -- (a) the table tab shows the expected rows ------------------------------------------------


def test_result_table_tab_shows_the_rows(
    notebook: WidgetNotebook, demo_tables: dict[str, list[dict[str, Any]]]
) -> None:
    lab = notebook.lab
    notebook.ensure("table")
    widget = notebook.output("table").locator(".golap-result")
    lab.wait_until(
        lambda: widget.count() == 1 and widget.locator("tbody tr").count() == 5,
        what="the result widget's table with 5 rows",
    )
    assert widget.get_attribute("data-view") == "table"
    assert widget.locator("button.golap-tab").all_inner_texts() == [
        "Table",
        "Graph",
        "JSON",
        "Metadata",
    ]
    assert widget.locator("thead .golap-col-name").all_inner_texts() == ["id", "name", "city"]
    assert _rows(lab, widget) == _expected_customers(demo_tables), lab.diagnostics()
    note = widget.locator(".golap-table-note").inner_text()
    assert "showing 5 of 5 rows" in note, note
    widget.scroll_into_view_if_needed()


# -- (b) the graph tab draws the expected number of nodes -------------------------------------


def test_result_graph_tab_draws_the_nodes(
    notebook: WidgetNotebook, demo_tables: dict[str, list[dict[str, Any]]]
) -> None:
    lab = notebook.lab
    purchases = [p for p in demo_tables["purchases"] if p["customer_id"] in GRAPH_CUSTOMERS]
    products = {p["product_id"] for p in purchases}
    customers = {p["customer_id"] for p in purchases}
    expected_nodes = len(customers) + len(products)

    notebook.ensure("graph")
    widget = notebook.output("graph").locator(".golap-result")
    lab.wait_until(lambda: widget.count() == 1, what="the result widget of the graph query")
    if widget.get_attribute("data-view") != "graph":
        widget.locator('button.golap-tab[data-tab="graph"]').click()
    view = widget.locator(".golap-graph")
    lab.wait_until(
        lambda: view.count() == 1 and view.get_attribute("data-first-frame-ms"),
        what="the graph view's first frame (data-first-frame-ms)",
    )
    assert widget.get_attribute("data-view") == "graph"
    assert view.get_attribute("data-node-count") == str(expected_nodes), lab.explain(
        f"drew {view.get_attribute('data-node-count')} nodes, expected {expected_nodes} "
        f"({len(customers)} customers, {len(products)} products)"
    )
    assert view.get_attribute("data-edge-count") == str(len(purchases))
    legend = view.locator(".golap-legend-item").all_inner_texts()
    assert sorted(legend) == sorted(
        [f"Customer ({len(customers)})", f"Product ({len(products)})"]
    ), legend

    # The nodes are really on the canvas: each label's legend colour appears in a picture of
    # the stage (the browser decodes the screenshot; WebGL buffers cannot be read back).
    stage = view.locator(".golap-graph-stage")
    stage.scroll_into_view_if_needed()
    lab.page.wait_for_timeout(300)
    colours = view.locator(".golap-legend-swatch").evaluate_all(
        "(swatches) => swatches.map((s) => getComputedStyle(s).backgroundColor)"
    )
    picture = stage.screenshot()
    counts = _colour_pixels(lab, picture, colours)
    assert all(count >= 20 for count in counts.values()), lab.explain(
        f"node colours on the canvas (pixels per legend colour): {counts}"
    )


def _colour_pixels(lab: LabPage, png: bytes, colours: list[str]) -> dict[str, int]:
    import base64

    counts: dict[str, int] = lab.page.evaluate(
        """async ({ png, colours }) => {
          const image = new Image();
          image.src = `data:image/png;base64,${png}`;
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = image.width;
          canvas.height = image.height;
          const context = canvas.getContext('2d');
          context.drawImage(image, 0, 0);
          const data = context.getImageData(0, 0, image.width, image.height).data;
          const targets = colours.map((c) => c.match(/\\d+/g).slice(0, 3).map(Number));
          const counts = Object.fromEntries(colours.map((c) => [c, 0]));
          for (let i = 0; i < data.length; i += 4) {
            targets.forEach(([r, g, b], k) => {
              if (Math.abs(data[i] - r) <= 6 && Math.abs(data[i + 1] - g) <= 6
                  && Math.abs(data[i + 2] - b) <= 6) counts[colours[k]] += 1;
            });
          }
          return counts;
        }""",
        {"png": base64.b64encode(png).decode(), "colours": colours},
    )
    return counts


# -- %%cypher renders the same widget ---------------------------------------------------------


def test_cypher_magic_shows_the_rows(
    notebook: WidgetNotebook, demo_tables: dict[str, list[dict[str, Any]]]
) -> None:
    lab = notebook.lab
    notebook.ensure("cypher")
    widget = notebook.output("cypher").locator(".golap-result")
    lab.wait_until(
        lambda: widget.count() == 1 and widget.locator("tbody tr").count() == 5,
        what="the %%cypher cell's result widget with 5 rows",
    )
    assert _rows(lab, widget) == _expected_customers(demo_tables), lab.diagnostics()
    widget.scroll_into_view_if_needed()


# -- (d) the packaged CSS is applied ----------------------------------------------------------

# The computed colour of a CSS expression, resolved in the page's theme.
RESOLVE_COLOUR = """(expression) => {
  const probe = document.createElement('span');
  probe.style.color = expression;
  document.body.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}"""


def test_notebook_css_styles_reprs_and_markup(notebook: WidgetNotebook) -> None:
    lab = notebook.lab
    notebook.ensure("repr")
    card = notebook.output("repr").locator(".golap-repr")
    lab.wait_until(lambda: card.count() == 1, what="the instance's rich repr")
    style = card.evaluate(
        """(repr) => {
          const css = (selector, property) => {
            const element = repr.querySelector(selector);
            return element && getComputedStyle(element)[property];
          };
          return {
            fallback: css('.golap-text-fallback', 'display'),
            wrap: css('.golap-wrap', 'display'),
            radius: css('.golap-badge', 'borderRadius'),
            colour: css('.golap-badge.golap-status-running', 'color'),
            card: css('.golap-card', 'borderTopStyle'),
          };
        }"""
    )
    success = lab.page.evaluate(RESOLVE_COLOUR, "var(--jp-success-color1)")
    assert style == {
        "fallback": "none",
        "wrap": "block",
        "radius": "999px",
        "colour": success,
        "card": "solid",
    }, lab.explain(f"computed styles of the instance repr: {style} (theme success: {success})")

    # The notebook-wide sheet (%load_ext graph_olap, notebook.connect()) styles markup that
    # carries no <style> itself.
    notebook.ensure("markup")
    assert lab.page.locator("style#golap-notebook-css").count() >= 1, lab.explain(
        "no notebook-wide stylesheet (style#golap-notebook-css) after %load_ext graph_olap"
    )
    badge = notebook.output("markup").locator("#handmade-badge")
    lab.wait_until(lambda: badge.count() == 1, what="the hand-written golap- badge")
    error = lab.page.evaluate(RESOLVE_COLOUR, "var(--jp-error-color1)")
    computed = badge.evaluate(
        "(b) => [getComputedStyle(b).borderRadius, getComputedStyle(b).color]"
    )
    assert computed == ["999px", error], lab.explain(
        f"the hand-written badge is not styled by the sheet: {computed} (theme error: {error})"
    )

    # JupyterLab's dark theme: the same elements follow the theme's colours.
    dark = _with_theme(lab, "JupyterLab Dark", card)
    card.scroll_into_view_if_needed()
    lab.screenshot("test_notebook_css_styles_reprs_and_markup-dark")
    light = _with_theme(lab, "JupyterLab Light", card)
    assert dark["badge"] == dark["success"] != light["badge"] == light["success"], lab.explain(
        f"badge colours: dark {dark}, light {light}"
    )
    assert dark["background"] == dark["layout"] != light["background"], lab.explain(
        f"card backgrounds: dark {dark}, light {light}"
    )
    card.scroll_into_view_if_needed()


def _with_theme(lab: LabPage, theme: str, card: Any) -> dict[str, str]:
    """Switch JupyterLab's theme and read the repr's colours and the theme's own."""
    lab.page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', { theme })",
        theme,
    )
    light = "false" if "Dark" in theme else "true"
    lab.wait_until(
        lambda: (
            lab.page.evaluate("() => document.body.dataset.jpThemeLight") == light
            and lab.page.evaluate("() => document.body.dataset.jpThemeName") == theme
            # the splash JupyterLab shows while it swaps themes
            and lab.page.locator("#jupyterlab-splash").count() == 0
        ),
        what=f"the {theme} theme",
    )
    colours: dict[str, str] = card.evaluate(
        """(repr) => ({
          badge: getComputedStyle(repr.querySelector('.golap-status-running')).color,
          background: getComputedStyle(repr.querySelector('.golap-card')).backgroundColor,
        })"""
    )
    colours["success"] = lab.page.evaluate(RESOLVE_COLOUR, "var(--jp-success-color1)")
    colours["layout"] = lab.page.evaluate(
        """() => {
          const probe = document.createElement('span');
          probe.style.backgroundColor = 'var(--jp-layout-color1)';
          document.body.append(probe);
          const colour = getComputedStyle(probe).backgroundColor;
          probe.remove();
          return colour;
        }"""
    )
    return colours


# -- a huge result never freezes the browser --------------------------------------------------

# Milliseconds until the page paints its next frame: a busy main thread shows here.
FRAME_DELAY = """() => new Promise((resolve) => {
  const started = performance.now();
  requestAnimationFrame(() => resolve(performance.now() - started));
})"""


def test_huge_result_keeps_browser_and_kernel_responsive(notebook: WidgetNotebook) -> None:
    lab = notebook.lab
    notebook.ensure("large", timeout=120)
    output = notebook.output("large")
    stream = output.filter(has_text="rows=").first.inner_text()
    total = int(stream.split("rows=")[1].split()[0])
    assert total >= 100_000, stream  # the instance's row cap (or all of it)

    widget = output.locator(".golap-result")
    lab.wait_until(
        lambda: widget.count() == 1 and widget.locator("tbody tr").count() > 0,
        what="the result widget of the huge result",
    )
    # Only the display limit travelled to the browser, and only one page is in the DOM.
    assert widget.get_attribute("data-total-rows") == str(total)
    assert widget.get_attribute("data-shown-rows") == "1000"
    shown = widget.locator("tbody tr").count()
    assert 0 < shown <= 100, shown
    note = widget.locator(".golap-table-note").inner_text()
    assert f"showing 1,000 of {total:,} rows" in note, note

    # The page keeps painting and reacts at once: paging and searching the 1,000 rows.
    delays = [lab.page.evaluate(FRAME_DELAY) for _ in range(5)]
    assert max(delays) < 500, lab.explain(f"frame delays (ms) after the huge result: {delays}")
    first = widget.locator("tbody tr").first
    before = first.inner_text()
    started = time.monotonic()
    widget.locator("button.golap-page-next").click()
    lab.wait_until(lambda: first.inner_text() != before, what="the next page", timeout=5)
    widget.locator("input.golap-table-search").fill("500")
    lab.wait_until(
        lambda: (
            widget.locator("tbody tr").count() >= 1
            and all("500" in text for text in widget.locator("tbody tr").all_inner_texts())
        ),
        what="the search to filter the rows",
        timeout=5,
    )
    assert time.monotonic() - started < 5

    started = time.monotonic()
    notebook.ensure("after_large", timeout=30)
    assert "kernel answers 42" in notebook.output("after_large").inner_text()
    assert time.monotonic() - started < 10, "the kernel was slow to answer after the result"
    widget.scroll_into_view_if_needed()
