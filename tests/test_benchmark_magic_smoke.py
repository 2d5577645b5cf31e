"""``benchmarks/magic_overhead.py`` still runs: its seconds-long ``--smoke`` version on LadybugDB.

A MISS at smoke size is not a failure (20 pairs on a shared machine); the figure comes from a
full run (benchmarks/README.md).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "magic_overhead.py"
ROW = re.compile(
    r"^\s+ladybug\s+(?:[\d.]+\s+){4}[+-][\d.]+\s+\d+\.\d+x\s+<= \+5 ms\s+(PASS|MISS)\s*$",
    re.MULTILINE,
)


def test_magic_overhead_smoke() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--engines", "ladybug"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"failed:\n{done.stdout}\n{done.stderr[-4000:]}"
    assert len(ROW.findall(done.stdout)) == 1, done.stdout
    assert "%%cypher vs conn.query" in done.stdout and "HTML object" not in done.stdout
