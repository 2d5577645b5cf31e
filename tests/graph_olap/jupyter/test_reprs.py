"""Rich HTML reprs of models fetched from a real platform and a real LadybugDB instance."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from IPython.core.interactiveshell import InteractiveShell

from graph_olap import GraphOLAPClient
from graph_olap.instance.connection import InstanceConnection
from graph_olap.jupyter.reprs import status_badge
from graph_olap.jupyter.styles import compact_notebook_css, get_notebook_css
from graph_olap.models import (
    AlgorithmExecution,
    GraphSchema,
    Instance,
    LockStatus,
    Mapping,
    MappingDiff,
    MappingVersion,
    Snapshot,
)
from graph_olap.pagination import PaginatedList
from tests.integration.demo import EDGES, NODES
from tests.support.platform import PlatformProcess

EVIL = '<script>alert("x")</script>'
PERSON = next(node for node in NODES if node["label"] == "Person")
CUSTOMER = next(node for node in NODES if node["label"] == "Customer")
KNOWS = next(edge for edge in EDGES if edge["type"] == "KNOWS")


@dataclass
class World:
    client: GraphOLAPClient
    mapping: Mapping
    version: MappingVersion
    diff: MappingDiff
    snapshot: Snapshot
    instance: Instance
    conn: InstanceConnection
    schema: GraphSchema
    execution: AlgorithmExecution
    lock: LockStatus


@pytest.fixture(scope="module")
def world(dev_platform: PlatformProcess) -> Iterator[World]:
    """One small mapping (people who know people) in two versions, and one running instance."""
    client = dev_platform.sdk("alice.smith")
    created = client.mappings.create(
        name="People reprs",
        description=f"{EVIL} a & b <i>not italic</i>",
        node_definitions=[PERSON],
        edge_definitions=[KNOWS],
    )
    # v2 changes Person's SQL, adds Customer and drops KNOWS.
    person = {**PERSON, "sql": PERSON["sql"] + " WHERE age > 0"}
    client.mappings.update(
        created.id,
        f"customers in, knows out {EVIL}",
        node_definitions=[person, CUSTOMER],
        edge_definitions=[],
    )
    instance = client.instances.create_from_mapping_and_wait(
        created.id,
        "Reprs",
        description=EVIL,
        wrapper_type="ladybug",
        mapping_version=1,
        timeout=300,
        show_progress=False,
    )
    conn = client.instances.connect(instance.id)
    try:
        execution = conn.algo.pagerank("Person", show_progress=False)
        assert instance.snapshot_id is not None
        yield World(
            client=client,
            mapping=client.mappings.get(created.id),
            version=client.mappings.get_version(created.id, 1),
            diff=client.mappings.diff_versions(created.id, 1, 2),
            snapshot=client.snapshots.get(instance.snapshot_id),
            instance=client.instances.get(instance.id),
            conn=conn,
            schema=conn.get_schema(),
            execution=execution,
            lock=conn.get_lock(),
        )
    finally:
        conn.close()
        client.instances.terminate(instance.id)
        client.close()


def _soup(markup: str) -> BeautifulSoup:
    return BeautifulSoup(markup, "html.parser")


def _card(markup: str) -> Tag:
    """The rich part of a repr, after checking the frame every repr shares."""
    soup = _soup(markup)
    root = soup.find("div", class_="golap")
    assert isinstance(root, Tag) and "golap-repr" in root["class"]
    style = root.find("style")
    assert style is not None and style.string == compact_notebook_css()
    fallback = root.find("pre", class_="golap-text-fallback")
    assert fallback is not None and fallback.get_text().strip()
    wrap = root.find("div", class_="golap-wrap")
    assert isinstance(wrap, Tag) and wrap["style"] == "display:none"
    card = wrap.find("div", class_="golap-card")
    assert isinstance(card, Tag)
    return card


def _kv(card: Tag) -> dict[str, str]:
    table = card.find("table", class_="golap-kv")
    assert isinstance(table, Tag)
    return {row.th.get_text(): row.td.get_text() for row in table.find_all("tr")}


def _badges(card: Tag) -> list[tuple[str, str]]:
    found = []
    for badge in card.find_all("span", class_="golap-badge"):
        tone = [c for c in badge["class"] if c.startswith("golap-status-")]
        assert len(tone) == 1
        found.append((tone[0].removeprefix("golap-status-"), badge.get_text()))
    return found


def _rows(table: Tag) -> list[list[str]]:
    return [[td.get_text() for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]


def test_reprs_escape_every_value(world: World) -> None:
    for model in (world.mapping, world.version, world.snapshot, world.instance, world.diff):
        markup = model._repr_html_()
        assert "<script" not in markup.lower(), type(model).__name__
        assert "<i>" not in markup
    mapping = world.mapping._repr_html_()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; a &amp; b &lt;i&gt;not" in mapping
    assert f"customers in, knows out {EVIL}" in _kv(_card(mapping))["Change"]
    assert _kv(_card(world.instance._repr_html_()))["Description"] == EVIL
    # The text fallback carries the same words, escaped too.
    fallback = _soup(mapping).find("pre", class_="golap-text-fallback")
    assert fallback is not None and EVIL in fallback.get_text()


def test_mapping_card(world: World) -> None:
    card = _card(world.mapping._repr_html_())

    assert card.find(class_="golap-title").get_text() == "People reprs"
    assert card.find(class_="golap-id").get_text() == f"#{world.mapping.id}"
    fields = _kv(card)
    assert fields["Owner"] == "alice.smith"
    assert fields["Current version"] == "2"
    assert fields["Snapshots"] == str(world.mapping.snapshot_count) == "1"
    # Fetched by id, a mapping carries its current (v2) definitions.
    tables = card.find_all("table", class_="golap-table")
    assert [row[0] for row in _rows(tables[0])] == ["Person", "Customer"]
    assert "(2)" in card.find_all(class_="golap-section-title")[0].get_text()
    assert card.find(class_="golap-empty").get_text() == "none"  # v2 has no edges


def test_mapping_version_definitions_tables(world: World) -> None:
    card = _card(world.version._repr_html_())

    assert card.find(class_="golap-title").get_text() == "v1"
    nodes, edges = card.find_all("table", class_="golap-table")
    assert _rows(nodes)[0][:3] == [
        "Person",
        "person_id: STRING",
        "name STRING, age INT64",
    ]
    assert _rows(edges)[0][:3] == ["KNOWS", "(:Person)-[:KNOWS]->(:Person)", "src → dst"]
    sql = edges.find("pre", class_="golap-code")
    assert sql is not None and sql.get_text() == KNOWS["sql"]


def test_version_list_items_have_no_definitions(world: World) -> None:
    versions = world.client.mappings.list_versions(world.mapping.id)
    card = _card(versions[0]._repr_html_())
    assert "Definitions not loaded" in card.get_text()


def test_diff_rows_are_coloured_by_change(world: World) -> None:
    card = _card(world.diff._repr_html_())

    rows = card.find("table", class_="golap-table").tbody.find_all("tr")
    changes = {tr.find_all("td")[1].get_text(): tr for tr in rows}
    assert set(changes) == {"Person", "Customer", "KNOWS"}
    assert changes["Customer"]["class"] == ["golap-diff-added"]
    assert changes["KNOWS"]["class"] == ["golap-diff-removed"]
    assert changes["Person"]["class"] == ["golap-diff-changed"]
    assert _badges(changes["Person"]) == [("modified", "modified")]
    detail = changes["Person"].find_all("td")[3]
    assert detail.find(class_="golap-diff-old").get_text() == PERSON["sql"]
    assert detail.find(class_="golap-diff-new").get_text() == PERSON["sql"] + " WHERE age > 0"
    note = card.find(class_="golap-note").get_text()
    assert (
        "+1 / 0 added" in note
        and "\N{MINUS SIGN}0 / 1 removed" in note
        and "~1 / 0 modified" in note
    )
    css = get_notebook_css()
    for name in ("golap-diff-added", "golap-diff-removed", "golap-diff-changed"):
        assert f"tr.{name}" in css


def test_an_unchanged_diff_says_so(world: World) -> None:
    same = world.client.mappings.diff_versions(world.mapping.id, 1, 1)
    assert "No differences" in _card(same._repr_html_()).get_text()


def test_snapshot_card_counts(world: World) -> None:
    card = _card(world.snapshot._repr_html_())

    assert _badges(card) == [("ready", "ready")]
    fields = _kv(card)
    people = world.snapshot.node_counts["Person"]
    knows = world.snapshot.edge_counts["KNOWS"]
    assert people > 0 and knows > 0
    assert fields["Nodes"] == f"{people:,}"
    assert fields["Edges"] == f"{knows:,}"
    assert fields["Mapping"].endswith(f"#{world.mapping.id} v1")
    assert re.fullmatch(r"[\d.,]+ (B|KB|MB)", fields["Size"])
    counts = card.find_all("table", class_="golap-table")
    assert [_rows(t) for t in counts] == [[["Person", f"{people:,}"]], [["KNOWS", f"{knows:,}"]]]


def test_instance_card(world: World) -> None:
    # Wrappers report memory to the control plane once a minute; take the wrapper's own figure.
    memory = world.conn.status()["memory_usage_bytes"]
    assert isinstance(memory, int) and memory > 0
    instance = Instance.model_validate({**world.instance.to_dict(), "memory_usage_bytes": memory})
    card = _card(instance._repr_html_())

    assert _badges(card) == [("running", "running")]
    fields = _kv(card)
    assert fields["Engine"] == "ladybug"
    assert fields["URL"] == instance.instance_url
    link = card.find("a", class_="golap-link")
    assert link["href"] == instance.instance_url and link["rel"] == ["noopener", "noreferrer"]
    assert re.fullmatch(r"[\d,]+\.\d MB( of \d+ GB)?", fields["Memory"])
    assert fields["Memory"].startswith(f"{memory / 1024**2:,.1f} MB")
    assert fields["Nodes"] == f"{world.snapshot.node_counts['Person']:,}"
    if world.instance.memory_usage_bytes is None:  # not reported yet: no row rather than "-"
        assert "Memory" not in _kv(_card(world.instance._repr_html_()))


def test_failed_instance_shows_its_error(world: World) -> None:
    failed = Instance.model_validate(
        {
            **world.instance.to_dict(),
            "status": "failed",
            "error_code": "STARTUP_FAILED",
            "error_message": "engine <b>crashed</b>",
            "instance_url": "javascript:alert(1)",
        }
    )
    card = _card(failed._repr_html_())

    assert _badges(card) == [("failed", "failed")]
    error = card.find(class_="golap-error")
    assert error.get_text() == "Failed (STARTUP_FAILED): engine <b>crashed</b>"
    assert card.find("a") is None  # never a javascript: link


def test_schema_card(world: World) -> None:
    card = _card(world.schema._repr_html_())

    nodes, edges = card.find_all("table", class_="golap-table")
    person = _rows(nodes)[0]
    assert person[0] == "Person" and person[1] == "person_id: STRING"
    assert person[3] == "pagerank DOUBLE"  # written back by the algorithm run
    assert person[4] == f"{world.snapshot.node_counts['Person']:,}"
    assert _rows(edges)[0][:2] == ["KNOWS", "(:Person)-[:KNOWS]->(:Person)"]
    pills = [p.get_text() for p in card.find(class_="golap-card-header").find_all("span")]
    assert f"{world.schema.total_nodes:,} nodes" in pills


def test_execution_card(world: World) -> None:
    execution = world.execution
    card = _card(execution._repr_html_())

    assert card.find(class_="golap-title").get_text() == "pagerank"
    assert _badges(card) == [("completed", "completed")]
    fields = _kv(card)
    assert fields["Nodes updated"] == f"{execution.nodes_updated:,}"
    assert fields["Result property"] == "pagerank"
    assert fields["Node labels"] == "Person"
    assert "max=" in fields["Summary"]
    assert re.fullmatch(r"\d+\.\d+ s", fields["Duration"])


def test_execution_values_are_capped(world: World) -> None:
    run = world.conn.algo.pagerank("Person", write_back=False, show_progress=False)
    assert run.values is not None and len(run.values) > 10
    card = _card(run._repr_html_())

    values = card.find("table", class_="golap-table")
    assert len(_rows(values)) == 10
    assert card.find(class_="golap-note").get_text() == f"showing 10 of {len(run.values):,}"


def test_lock_cards(world: World) -> None:
    assert world.lock.locked is False
    free = _card(world.lock._repr_html_())
    assert _badges(free) == [("unlocked", "unlocked")]

    held = LockStatus.from_api_response(
        {
            "lock": {
                "holder_username": "bob <b>",
                "algorithm_name": "louvain",
                "execution_id": "e1",
                "locked_at": "2026-01-02T03:04:05Z",
                "duration_seconds": 75,
            }
        }
    )
    card = _card(held._repr_html_())
    assert _badges(card) == [("locked", "locked")]
    assert _kv(card) == {
        "Held by": "bob <b>",
        "Algorithm": "louvain",
        "Execution": "e1",
        "Since": "2026-01-02 03:04:05 UTC",
        "Held for": "1 min 15 s",
    }


def test_page_of_mappings(world: World) -> None:
    client = world.client
    total = client.mappings.list(limit=1).total
    page = client.mappings.list(limit=1)
    card = _card(page._repr_html_())

    note = card.find(class_="golap-note").get_text()
    assert note.startswith(f"showing 1\N{EN DASH}1 of {total:,}")
    if total > 1:
        assert "next page: offset=1" in note
    rows = _rows(card.find("table", class_="golap-table"))
    assert len(rows) == 1
    headers = [th.get_text() for th in card.find("table", class_="golap-table").thead("th")]
    assert headers == ["ID", "Name", "Owner", "Version", "Snapshots", "Updated"]


def test_page_of_instances_shows_badges(world: World) -> None:
    page = world.client.instances.list(limit=100)
    card = _card(page._repr_html_())

    assert (
        card.find(class_="golap-note").get_text().startswith(f"showing 1\N{EN DASH}{len(page)} of")
    )
    mine = [
        r for r in _rows(card.find("table", class_="golap-table")) if r[0] == str(world.instance.id)
    ]
    assert mine and mine[0][2] == "running" and mine[0][3] == "ladybug"
    assert mine[0][1] == "Reprs"


def test_empty_page() -> None:
    card = _card(PaginatedList(items=[], total=0, offset=0, limit=50)._repr_html_())
    assert card.find(class_="golap-note").get_text() == "showing 0 of 0"
    assert card.find(class_="golap-empty").get_text() == "No items"


def test_page_of_plain_values() -> None:
    card = _card(PaginatedList(items=["<a>", 2], total=7, offset=5, limit=2)._repr_html_())
    assert card.find(class_="golap-note").get_text() == "showing 6\N{EN DASH}7 of 7"
    assert _rows(card.find("table", class_="golap-table")) == [["'<a>'"], ["2"]]


@pytest.mark.parametrize(
    "status",
    [
        "pending",
        "creating",
        "ready",
        "failed",
        "waiting_for_snapshot",
        "starting",
        "running",
        "stopping",
        "terminated",
        "queued",
        "completed",
        "cancelled",
        "timeout",
        "Weird Status!",
    ],
)
def test_status_badges(status: str) -> None:
    badge = _soup(status_badge(status)).span
    slug = re.sub(r"[^a-z0-9_]+", "_", status.lower())
    assert badge["class"] == ["golap-badge", f"golap-status-{slug}"]
    assert badge["data-status"] == status
    assert badge.get_text() == status.replace("_", " ")
    if status != "Weird Status!":  # an unknown status keeps the neutral default tone
        assert f".golap .golap-status-{slug}" in get_notebook_css()


def test_ipython_formats_models_as_html(world: World) -> None:
    # The display machinery picks the method up (pydantic must not hide it).
    shell = InteractiveShell.instance()
    for model in (
        world.mapping,
        world.snapshot,
        world.instance,
        world.schema,
        world.lock,
        world.execution,
        world.client.mappings.list(limit=2),
    ):
        data, _ = shell.display_formatter.format(model)
        assert data["text/html"].startswith('<div class="golap golap-repr">')
        assert data["text/plain"]  # the plain repr is still there


def test_text_fallback_reads_like_the_card(world: World) -> None:
    text = _soup(world.instance._repr_html_()).find("pre").get_text()
    lines = text.splitlines()
    assert lines[0] == f"Instance 'Reprs' #{world.instance.id} [running]"
    assert f"  Description: {EVIL}" in lines
    assert "  Engine: ladybug" in lines
    assert f"  URL: {world.instance.instance_url}" in lines


def test_repr_is_kept(world: World) -> None:
    assert repr(world.execution).startswith("AlgorithmExecution(pagerank, completed")
    assert repr(world.instance).startswith("Instance(id=")


# -- in a real browser: the themes and the fallback ---------------------------------------------

_PROBE = """() => {
  const style = (selector) => getComputedStyle(document.querySelector(selector));
  return {
    card: style('.golap-card').backgroundColor,
    text: style('.golap-kv td').color,
    running: style('.golap-status-running').color,
    failed: style('.golap-status-failed').color,
    fallback: style('.golap-text-fallback').display,
    wrap: style('.golap-wrap').display,
  };
}"""


def _lab_theme(name: str) -> str:
    import jupyterlab

    path = Path(jupyterlab.__file__).parent / "themes/@jupyterlab" / name / "index.css"
    return path.read_text()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.browser.lab import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.mark.parametrize(
    ("front_end", "scheme", "card", "text"),
    [
        ("plain", "light", "rgb(255, 255, 255)", "rgb(31, 35, 40)"),
        ("plain", "dark", "rgb(22, 27, 34)", "rgb(230, 237, 243)"),
        ("jupyterlab-light", "dark", "rgb(255, 255, 255)", "rgba(0, 0, 0, 0.87)"),
        ("jupyterlab-dark", "light", "rgb(33, 33, 33)", "rgba(255, 255, 255, 0.87)"),
        ("vscode-dark", "light", "rgb(30, 30, 30)", "rgb(204, 204, 204)"),
        ("vscode-light-bare", "dark", "rgb(255, 255, 255)", "rgb(31, 35, 40)"),
    ],
)
def test_themes_in_chromium(
    world: World, chromium: Any, front_end: str, scheme: str, card: str, text: str
) -> None:
    head, body = "", ""
    if front_end.startswith("jupyterlab"):
        # JupyterLab's own theme sheets define the --jp-* variables and mark the body.
        head = f"<style>{_lab_theme('theme-' + front_end.split('-')[1] + '-extension')}</style>"
        body = f' data-jp-theme-light="{str(front_end.endswith("light")).lower()}"'
    elif front_end == "vscode-dark":
        body = (
            ' class="vscode-dark" style="--vscode-editor-background:#1e1e1e;'
            '--vscode-foreground:#cccccc"'
        )
    elif front_end == "vscode-light-bare":  # VS Code says light, sets no variables, OS is dark
        body = ' class="vscode-light"'
    page = chromium.new_page(color_scheme=scheme)
    try:
        page.set_content(
            f"<!doctype html><html><head>{head}</head><body{body}>"
            f"{world.instance._repr_html_()}{status_badge('failed')}</body></html>"
        )
        page.evaluate(  # the loose badge needs a .golap ancestor like every golap- class
            "() => document.querySelector('.golap-card')"
            ".appendChild(document.body.lastElementChild)"
        )
        seen = page.evaluate(_PROBE)
    finally:
        page.close()

    assert (seen["card"], seen["text"]) == (card, text)
    assert seen["running"] != seen["failed"]
    assert (seen["fallback"], seen["wrap"]) == ("none", "block")


def test_text_fallback_shows_where_styles_are_stripped(world: World, chromium: Any) -> None:
    # What a sanitiser that drops <style> (an untrusted notebook) leaves behind.
    markup = re.sub(r"<style>.*?</style>", "", world.instance._repr_html_(), flags=re.DOTALL)
    page = chromium.new_page()
    try:
        page.set_content(f"<!doctype html><html><body>{markup}</body></html>")
        fallback = page.locator(".golap-text-fallback")
        assert fallback.is_visible()
        assert fallback.inner_text().startswith(f"Instance 'Reprs' #{world.instance.id}")
        assert not page.locator(".golap-wrap").is_visible()
    finally:
        page.close()
