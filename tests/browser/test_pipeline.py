"""The browser pipeline itself: JupyterLab renders an anywidget and its model syncs both ways.

A tiny inline counter (no package code) proves the harness before the product's widgets are
tested: the kernel's value reaches the DOM, a click in Chromium reaches the kernel.
"""

from __future__ import annotations

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
