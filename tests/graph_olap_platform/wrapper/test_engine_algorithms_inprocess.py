"""Runs ``engine_algorithm_cases.py`` in a fresh pytest process per engine (see its docstring)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.graph_olap_platform.wrapper.conftest import ENGINES

ROOT = Path(__file__).resolve().parents[3]
CASES = Path(__file__).with_name("engine_algorithm_cases.py")


@pytest.mark.parametrize("engine", [*ENGINES, "falkordb"])
def test_engine_algorithm_cases(engine: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPH_OLAP_")}
    env["GRAPH_OLAP_TEST_ENGINE"] = engine
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "--basetemp",
            str(tmp_path / "pytest"),
            str(CASES),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-3000:]
    assert " passed" in completed.stdout
