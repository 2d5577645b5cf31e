"""The README's SDK example runs as written against a real dev-mode platform."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.platform import PlatformProcess

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_sdk_example_runs(dev_platform: PlatformProcess, capsys: object) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "the README has no Python example"
    assert len(blocks) >= 2, "the README lost its instance example"
    namespace: dict[str, object] = {}
    assert len(blocks) >= 3, "the README lost its algorithms example"
    # A mapping, an instance of it, then algorithms on another one, as a reader would run them.
    for block in blocks[:3]:
        code = block.replace("http://127.0.0.1:8000", dev_platform.url)
        exec(compile(code, str(README), "exec"), namespace)
    top = namespace["top"]
    assert top.columns == ["customer", "spent"] and len(top) == 5  # type: ignore[attr-defined]
    assert len(namespace["df"]) == 300  # type: ignore[arg-type]
    diff = namespace["diff"]
    assert diff.summary.nodes_modified == 1  # type: ignore[attr-defined]
    assert diff.changes.nodes[0].fields_changed == ["sql", "properties"]  # type: ignore[attr-defined]
    run = namespace["run"]
    assert run.status == "completed" and run.nodes_updated > 3000  # type: ignore[attr-defined]
    best = namespace["best"]
    assert len(best) == 3 and best[0]["influence"] >= best[2]["influence"]  # type: ignore[arg-type,index]
    route = namespace["route"]
    assert route["hop_count"] % 2 == 0 and route["path"][0] == "Customer_C0001"  # type: ignore[index]


def test_readme_opens_with_exactly_two_setup_commands() -> None:
    text = README.read_text()
    first_block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert first_block is not None
    commands = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert [c.split()[0] for c in commands] == ["scripts/run.sh", "scripts/test.sh"]
    ci = (README.parent / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci
