"""The benchmark scripts still run: each one in its seconds-long ``--smoke`` version.

Only the default engine (LadybugDB) runs here to keep this short; the scripts' figures come from
full runs by hand (benchmarks/README.md). A MISS at smoke size is not a failure: tiny inputs
measure fixed costs, not the targets.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
# A result row: the engine, figures, a ratio such as "1.23x" and a verdict.
RATIO_ROW = re.compile(r"^\s+ladybug\b.*\s\d+\.\d+x\s.*\b(PASS|MISS)\s*$", re.MULTILINE)


@pytest.mark.parametrize(
    ("script", "rows"),
    [("startup.py", 2), ("query_latency.py", 2), ("query_df.py", 1), ("algorithms.py", 2)],
)
def test_benchmark_smoke(script: str, rows: int) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--smoke", "--engines", "ladybug"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr[-4000:]}"
    found = RATIO_ROW.findall(done.stdout)
    assert len(found) == rows, f"{script}: expected {rows} ratio rows in:\n{done.stdout}"
    assert "ratio" in done.stdout
