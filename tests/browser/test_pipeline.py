"""The browser pipeline itself: JupyterLab renders an anywidget and its model syncs both ways.

A tiny inline counter (no package code) proves the harness before the product's widgets are
tested: the kernel's value reaches the DOM, a click in Chromium reaches the kernel.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import OpenNotebook

COUNTER = '''
import anywidget
import traitlets


class Counter(anywidget.AnyWidget):
    _esm = """
    function render({ model, el }) {
      const button = document.createElement("button");
      button.className = "test-counter";
      const update = () => {
        button.dataset.count = String(model.get("value"));
        button.textContent = `count is ${model.get("value")}`;
      };
      button.addEventListener("click", () => {
        model.set("value", model.get("value") + 1);
        model.save_changes();
      });
      model.on("change:value", update);
      update();
      el.appendChild(button);
    }
    export default { render };
    """
    value = traitlets.Int(0).tag(sync=True)


counter = Counter(value=41)
counter
'''


def test_anywidget_renders_and_syncs_both_ways(open_notebook: OpenNotebook) -> None:
    lab = open_notebook("pipeline.ipynb", [COUNTER, "print(f'kernel sees {counter.value}')"])
    button = lab.run_cell(0).locator("button.test-counter")
    lab.wait_until(
        lambda: button.count() == 1 and button.get_attribute("data-count") == "41",
        what="the counter widget to render with the kernel's value 41",
    )

    button.click()
    button.click()
    lab.wait_until(
        lambda: button.get_attribute("data-count") == "43", what="two clicks to count to 43"
    )
    output = lab.run_cell(1).locator(".jp-OutputArea-output")
    assert output.inner_text().strip() == "kernel sees 43", lab.diagnostics()


def test_run_all_waits_for_every_cell_and_reports_errors(open_notebook: OpenNotebook) -> None:
    """The harness itself can fail: "Run All" waits for each cell, a raising cell fails the
    wait with its exception, and a cell after it never counts as run."""
    lab = open_notebook(
        "run_all.ipynb",
        [
            "#md\n# A markdown cell is skipped",
            "import time\ntime.sleep(1)\nprint('slept')",
            "1 / 0",
            "print('never')",
        ],
    )
    with pytest.raises(AssertionError, match="ZeroDivisionError: division by zero") as failure:
        lab.run_all(timeout=60)
    assert "--- jupyterlab log tail ---" in str(failure.value)  # diagnostics are attached
    assert lab.output(1).inner_text().strip() == "slept"
    assert lab.errors(2) and lab.execution_count(3) is None
