"""The graph-view benchmark still runs: its seconds-long ``--smoke`` version (500 nodes / 2 K
edges in headless Chromium). Its figures come from full runs by hand (benchmarks/README.md);
a MISS at smoke size would be a failure here, since the smoke graph is ten times smaller."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "graph_view.py"
# "500 nodes / 2,000 edges    500  2,000  349  133  1.77x  <= 2000  PASS"
BIG_ROW = re.compile(
    r"^\s+500 nodes / 2,000 edges\s+500\s+2,000\s+(\d+)\s+(\d+)\s+\d+\.\d+x"
    r"\s+<= 2000\s+(PASS|MISS)",
    re.MULTILINE,
)


def test_graph_view_benchmark_smoke(tmp_path: Path) -> None:
    picture = tmp_path / "graph.png"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--screenshot", str(picture)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"graph_view.py failed:\n{done.stdout}\n{done.stderr[-4000:]}"
    found = BIG_ROW.search(done.stdout)
    assert found, f"no 500-node result row in:\n{done.stdout}"
    assert found.group(3) == "PASS", f"500 nodes took {found.group(1)} ms:\n{done.stdout}"
    assert "empty result (note)" in done.stdout and "baseline" in done.stdout
    assert picture.stat().st_size > 10_000  # a drawn graph, not a blank page
