"""The packaged notebook stylesheet: in the wheel, valid, themed, applied once per kernel."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tinycss2
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from jupyter_client.manager import start_new_kernel

from graph_olap.jupyter import styles
from graph_olap.jupyter.styles import (
    STYLE_ELEMENT_ID,
    compact_notebook_css,
    get_notebook_css,
)
from graph_olap.models import ExecutionStatus, InstanceStatus

ROOT = Path(__file__).resolve().parents[3]

# Every status a resource or execution can be in, plus the lock and diff states the reprs show.
STATUSES = [
    *(status.value for status in InstanceStatus),
    *(status.value for status in ExecutionStatus),
    "pending",
    "creating",
    "ready",
    "failed",
    "terminated",
    "queued",
    "cancelled",
    "timeout",
    "locked",
    "unlocked",
    "added",
    "removed",
    "modified",
]


def _rules(css: str) -> list[tinycss2.ast.QualifiedRule]:
    """Top-level and @media qualified rules; fails on any parse error."""
    rules: list[tinycss2.ast.QualifiedRule] = []
    for node in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        assert node.type != "error", node.message
        if node.type == "at-rule" and node.lower_at_keyword == "media":
            rules.extend(_rules(tinycss2.serialize(node.content)))
        elif node.type == "qualified-rule":
            rules.append(node)
    return rules


def _selectors(rule: tinycss2.ast.QualifiedRule) -> list[str]:
    return [part.strip() for part in tinycss2.serialize(rule.prelude).split(",")]


def _declarations(rule: tinycss2.ast.QualifiedRule) -> dict[str, str]:
    parsed = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
    out = {}
    for item in parsed:
        assert item.type == "declaration", getattr(item, "message", item.type)
        out[item.name] = tinycss2.serialize(item.value).strip()
    return out


def test_stylesheet_is_shipped_in_the_wheel() -> None:
    from hatchling.builders.wheel import WheelBuilder

    files = {f.distribution_path for f in WheelBuilder(str(ROOT)).recurse_included_files()}

    assert "graph_olap/jupyter/styles/notebook.css" in files
    assert "graph_olap/jupyter/styles.py" in files


def test_stylesheet_loads_from_the_package() -> None:
    css = get_notebook_css()

    assert css == (ROOT / "src/graph_olap/jupyter/styles/notebook.css").read_text()
    assert len(_rules(css)) > 40


def test_every_rule_is_scoped_under_golap() -> None:
    # Applied notebook-wide, the sheet must not restyle anything outside its own markup.
    for rule in _rules(get_notebook_css()):
        for selector in _selectors(rule):
            assert re.search(r"\.golap(?![\w-])", selector), selector
            classes = re.findall(r"\.([\w-]+)", selector)
            foreign = [
                c for c in classes if not c.startswith("golap") and not c.startswith("vscode")
            ]
            assert not foreign, selector


def test_both_theme_variable_sets_with_fallbacks() -> None:
    css = get_notebook_css()
    tokens = {}
    for rule in _rules(css):
        if _selectors(rule) == [".golap"]:
            tokens.update(_declarations(rule))

    for name in ("--golap-fg", "--golap-bg", "--golap-border", "--golap-ok", "--golap-bad"):
        # JupyterLab first, then VS Code, then the sheet's own palette.
        assert re.fullmatch(
            r"var\(--jp-[\w-]+,\s*var\(--vscode-[\w-]+,\s*var\(--golap-p-[\w-]+\)\)\)", tokens[name]
        ), tokens[name]
    for variable in (
        "--jp-layout-color1",
        "--jp-ui-font-color1",
        "--jp-border-color2",
        "--vscode-editor-background",
        "--vscode-foreground",
    ):
        assert f"var({variable}" in css
    assert "@media (prefers-color-scheme: dark)" in css
    assert 'body[data-jp-theme-light="false"] .golap' in css
    assert "body.vscode-dark .golap" in css


def test_light_and_dark_palettes_define_the_same_colours() -> None:
    palettes = []
    for rule in _rules(get_notebook_css()):
        names = {k for k in _declarations(rule) if k.startswith("--golap-p-")}
        if names:
            palettes.append((_selectors(rule), _declarations(rule)))
    # light, forced dark, prefers-color-scheme dark
    assert len(palettes) == 3
    light, dark, media_dark = (declarations for _, declarations in palettes)
    assert light.keys() == dark.keys() == media_dark.keys()
    assert dark == media_dark
    assert light["--golap-p-bg"] != dark["--golap-p-bg"]
    assert light["--golap-p-fg"] != dark["--golap-p-fg"]


@pytest.mark.parametrize("status", sorted(set(STATUSES)))
def test_every_status_has_a_badge_tone(status: str) -> None:
    tones = {}
    for rule in _rules(get_notebook_css()):
        declarations = _declarations(rule)
        if "--golap-tone" in declarations:
            for selector in _selectors(rule):
                tones[selector] = declarations["--golap-tone"]

    assert tones[f".golap .golap-status-{status}"].startswith("var(--golap-")


def test_status_groups_get_distinct_tones() -> None:
    tones = {}
    for rule in _rules(get_notebook_css()):
        tone = _declarations(rule).get("--golap-tone")
        for selector in _selectors(rule):
            tones[selector.removeprefix(".golap .golap-status-")] = tone
    assert tones["running"] == tones["ready"] == tones["completed"] == "var(--golap-ok)"
    assert tones["failed"] == "var(--golap-bad)"
    assert tones["starting"] == tones["creating"] == "var(--golap-busy)"
    assert tones["pending"] == tones["waiting_for_snapshot"] == "var(--golap-queued)"
    assert tones["terminated"] == "var(--golap-idle)"
    assert (
        len(
            {
                tones["running"],
                tones["failed"],
                tones["starting"],
                tones["pending"],
                tones["cancelled"],
                tones["terminated"],
            }
        )
        == 6
    )


def test_compact_stylesheet_keeps_every_rule() -> None:
    full, compact = get_notebook_css(), compact_notebook_css()

    assert "/*" not in compact and "\n" not in compact
    assert len(compact) < 0.85 * len(full)

    def normalised(css: str) -> list[tuple[list[str], dict[str, str]]]:
        def tidy(text: str) -> str:
            return re.sub(r"\s*([,>])\s*", r"\1", re.sub(r"\s+", " ", text))

        return [
            ([tidy(s) for s in _selectors(r)], {k: tidy(v) for k, v in _declarations(r).items()})
            for r in _rules(css)
        ]

    assert normalised(compact) == normalised(full)


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_apply_outside_ipython_prints_nothing() -> None:
    out = _run(
        """
        from graph_olap.jupyter.styles import apply_notebook_css
        apply_notebook_css()
        print("end")
        """
    )
    assert out == "end\n"


def test_apply_in_terminal_ipython_prints_nothing() -> None:
    # Terminal IPython would print "<IPython.core.display.HTML object>" for a <style>.
    out = _run(
        """
        from IPython.terminal.interactiveshell import TerminalInteractiveShell
        shell = TerminalInteractiveShell.instance()
        shell.run_cell("from graph_olap.jupyter.styles import apply_notebook_css", silent=True)
        shell.run_cell("apply_notebook_css()", silent=True)
        print("end")
        """
    )
    assert out == "end\n"


def test_apply_displays_the_stylesheet_once_per_shell() -> None:
    shell = InteractiveShell.instance()
    # The shell is a process-wide singleton: an earlier test (e.g. %load_ext) may have styled it.
    styles._styled_shells.discard(shell)

    with capture_output() as first:
        result = shell.run_cell(
            "from graph_olap.jupyter.styles import apply_notebook_css\n"
            "apply_notebook_css()\napply_notebook_css()"
        )
    result.raise_error()
    with capture_output() as later:
        shell.run_cell("apply_notebook_css()").raise_error()

    assert len(first.outputs) == 1
    html = first.outputs[0].data["text/html"]
    assert html == f'<style id="{STYLE_ELEMENT_ID}">{compact_notebook_css()}</style>'
    assert later.outputs == []


def test_apply_in_a_real_kernel_sends_one_style_output() -> None:
    manager, client = start_new_kernel(startup_timeout=60)
    try:
        reply = client.execute_interactive(
            "from graph_olap.jupyter.styles import apply_notebook_css\n"
            "apply_notebook_css()\n"
            "apply_notebook_css()",
            timeout=60,
            output_hook=(outputs := []).append,
        )
        assert reply["content"]["status"] == "ok"
        client.execute_interactive("apply_notebook_css()", timeout=60, output_hook=outputs.append)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)

    displays = [m for m in outputs if m["header"]["msg_type"] == "display_data"]
    assert len(displays) == 1
    html = displays[0]["content"]["data"]["text/html"]
    assert html.startswith(f'<style id="{STYLE_ELEMENT_ID}">.golap{{')
    assert html.endswith("}</style>")


def test_the_documented_custom_css_install_runs_once(tmp_path: Path) -> None:
    # The JupyterHub snippet of docs/notebook-styling.md, run twice in a fresh home.
    docs = (ROOT / "docs/notebook-styling.md").read_text()
    snippet = re.search(r"```bash\n(python - <<'EOF'\n.*?\nEOF)\n```", docs, re.DOTALL)
    assert snippet is not None
    custom = tmp_path / ".jupyter" / "custom" / "custom.css"
    custom.parent.mkdir(parents=True)
    custom.write_text("/* the hub's own rules */\n")
    # The venv first on PATH, as in a hub image where the package is installed.
    env = {"HOME": str(tmp_path), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    for _ in range(2):
        subprocess.run(["bash", "-c", snippet.group(1)], env=env, check=True, timeout=60)

    text = custom.read_text()
    assert text.startswith("/* the hub's own rules */\n")
    assert text.count(get_notebook_css()) == 1
