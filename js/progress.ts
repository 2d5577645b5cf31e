/**
 * The progress widget (ProgressWidget in src/graph_olap/jupyter/widgets/progress.py).
 *
 * DOM contract: `.golap-progress[data-status]` is the resource's status (e.g. `starting`,
 * `running`), `[data-state]` the wait's (`active`, `done`, `failed`, `cancelled`).
 */

import type { AnyWidget } from "@anywidget/types";

import { h } from "./lib/format";
import { fraction, phaseText, progressLine, stepText } from "./lib/progress";
import type { ProgressModel } from "./models";
import "./styles/widgets.css";

const STEP_ICONS: Record<string, string> = {
  completed: "✓",
  done: "✓",
  ready: "✓",
  running: "▶",
  in_progress: "▶",
  failed: "✗",
  pending: "·",
};

const widget: AnyWidget<ProgressModel> = {
  render({ model, el }) {
    el.classList.add("golap-widget");
    const root = h("div", "golap-progress");
    const header = h("div", "golap-progress-header");
    const title = h("span", "golap-progress-title");
    const phase = h("span", "golap-progress-phase");
    const cancel = h("button", "golap-button golap-progress-cancel", "Cancel");
    header.append(title, phase, cancel);
    const bar = h("div", "golap-progress-bar");
    const fill = h("div", "golap-progress-fill");
    bar.append(fill);
    const line = h("div", "golap-progress-line");
    const steps = h("ul", "golap-progress-steps");
    const message = h("div", "golap-progress-message");
    root.append(header, bar, line, steps, message);
    el.replaceChildren(root);

    // Elapsed time ticks in the browser between the kernel's updates.
    let base = model.get("elapsed_s");
    let receivedAt = performance.now();
    const elapsed = () =>
      model.get("state") === "active" ? base + (performance.now() - receivedAt) / 1000 : base;

    const counts = () => ({
      completed: model.get("completed"),
      total: model.get("total"),
      state: model.get("state"),
      eta_s: model.get("eta_s"),
    });
    const draw = () => {
      const state = model.get("state");
      root.dataset.status = model.get("status") || model.get("phase");
      root.dataset.state = state;
      title.textContent = model.get("title");
      phase.textContent = phaseText(model.get("phase"));
      const done = fraction(model.get("completed"), model.get("total"));
      bar.classList.toggle("golap-progress-indeterminate", done === null && state === "active");
      fill.style.width = `${Math.round((state === "done" ? 1 : (done ?? 0)) * 100)}%`;
      line.textContent = progressLine(counts(), elapsed());
      steps.replaceChildren(
        ...model.get("steps").map((step) => {
          const item = h("li", `golap-step golap-step-${step.status}`);
          item.append(
            h("span", "golap-step-icon", STEP_ICONS[step.status] ?? "·"),
            document.createTextNode(stepText(step)),
          );
          return item;
        }),
      );
      message.textContent = model.get("message");
      message.hidden = !model.get("message");
      const requested = model.get("cancel_requested");
      cancel.hidden = !model.get("cancellable") || state !== "active";
      cancel.disabled = requested;
      cancel.textContent = requested ? "Cancelling…" : "Cancel";
    };
    const onElapsed = () => {
      base = model.get("elapsed_s");
      receivedAt = performance.now();
    };
    cancel.addEventListener("click", () => {
      model.set("cancel_requested", true);
      model.save_changes();
    });
    const names = [
      "title", "phase", "status", "state", "completed", "total", "steps", "eta_s",
      "cancellable", "cancel_requested", "message",
    ] as const;
    for (const name of names) model.on(`change:${name}`, draw);
    model.on("change:elapsed_s", onElapsed);
    const timer = setInterval(() => {
      if (model.get("state") === "active") line.textContent = progressLine(counts(), elapsed());
    }, 500);
    draw();
    return () => {
      clearInterval(timer);
      for (const name of names) model.off(`change:${name}`, draw);
      model.off("change:elapsed_s", onElapsed);
    };
  },
};

export default widget;
