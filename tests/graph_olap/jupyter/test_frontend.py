"""The widgets' front-end: vitest suite, bundle size budget, bundles built from current sources.

`npm test` runs the vitest tests of the data transforms (table paging/sorting/search, graph
building, colour and size scales, progress text). It needs Node.js: without it the test is
skipped, and says so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph_olap.jupyter.widgets._bundle import STATIC_DIR

ROOT = Path(__file__).resolve().parents[3]
BUNDLES = ("result", "graph", "progress")
BUDGET_BYTES = 600 * 1024

sys.path.insert(0, str(ROOT))
from js.build_hook import bundles_stale  # noqa: E402


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("Node.js/npm is not installed: the vitest suite (npm test) cannot run")
    if not (ROOT / "node_modules").is_dir():
        pytest.fail("node_modules is missing: run `npm ci` (or `pip install -e .`) first")
    return npm


def test_vitest_suite_passes() -> None:
    npm = _npm()
    run = subprocess.run(
        [npm, "test", "--", "--reporter=dot"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, f"npm test failed:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    assert "passed" in run.stdout


def test_typescript_typechecks() -> None:
    npm = _npm()
    run = subprocess.run(
        [npm, "run", "typecheck"], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert run.returncode == 0, f"tsc failed:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"


@pytest.mark.parametrize("name", BUNDLES)
def test_bundle_is_within_the_size_budget(name: str) -> None:
    path = STATIC_DIR / f"{name}.js"
    assert path.is_file(), f"{path} is missing: run `npm run build`"
    size = path.stat().st_size
    assert size <= BUDGET_BYTES, (
        f"{path.name} is {size / 1024:.0f} KB minified, over the {BUDGET_BYTES // 1024} KB budget"
    )
    # A real bundle: minified ESM with a default export, sigma inside the graph views.
    text = path.read_text(encoding="utf-8")
    assert "export{" in text.replace(" ", "")
    if name in ("result", "graph"):
        assert "WebGL" in text or "webgl" in text


def test_bundles_are_built_from_the_current_sources() -> None:
    assert not bundles_stale(), (
        "the widget bundles are older than js/ (or missing): run `npm run build`"
    )
