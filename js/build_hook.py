"""hatch-jupyter-builder build function: bundle the widget front-ends during ``pip install``.

Configured in pyproject.toml (``[tool.hatch.build.hooks.jupyter-builder]``). It installs the
locked npm packages (``npm ci``: exactly package-lock.json, from the registry) when
``node_modules`` is missing or older than the lock file, then runs ``npm run build`` (esbuild;
the size budget is checked there) when the bundles are missing or older than ``js/``. Wheels
must contain the bundles (``ensured-targets``); an editable install without Node.js only
warns, and the widgets then say how to build.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src" / "graph_olap" / "jupyter" / "static"
BUNDLES = ("result.js", "graph.js", "progress.js")
SOURCES = (ROOT / "js", ROOT / "package.json", ROOT / "package-lock.json", ROOT / "tsconfig.json")

_BUNDLED = {".ts", ".css", ".mjs"}

log = logging.getLogger("graph_olap.build_hook")


def _newest(paths: tuple[Path, ...]) -> float:
    newest = 0.0
    for path in paths:
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            # What goes into the bundles: not the tests, docs or this hook.
            for child in path.rglob("*"):
                if child.suffix in _BUNDLED and "test" not in child.relative_to(path).parts:
                    newest = max(newest, child.stat().st_mtime)
    return newest


def bundles_stale() -> bool:
    outputs = [STATIC / name for name in BUNDLES]
    if not all(path.is_file() for path in outputs):
        return True
    return _newest(SOURCES) > min(path.stat().st_mtime for path in outputs)


def build(target_name: str, version: str) -> None:
    """The build function hatch-jupyter-builder calls (``target_name``: wheel or sdist)."""
    if os.environ.get("GRAPH_OLAP_SKIP_JS_BUILD") == "1":
        log.info("GRAPH_OLAP_SKIP_JS_BUILD=1: not building the widget bundles")
        return
    if not (ROOT / "js").is_dir():  # a wheel built from an sdist that already has the bundles
        return
    if not bundles_stale():
        log.info("widget bundles are up to date")
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "Building the graph-olap widgets needs Node.js >= 20 and npm (not found on PATH). "
            "Install Node.js, or set GRAPH_OLAP_SKIP_JS_BUILD=1 to install without the widgets."
        )
    lock = ROOT / "package-lock.json"
    installed = ROOT / "node_modules" / ".package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    subprocess.run([npm, "run", "build"], cwd=ROOT, check=True)
