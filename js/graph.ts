/** The graph widget (GraphWidget in src/graph_olap/jupyter/widgets/graph.py). */

import type { AnyWidget } from "@anywidget/types";

import { type GraphView, renderGraphView } from "./lib/graphview";
import type { GraphModel } from "./models";
import "./styles/widgets.css";

const widget: AnyWidget<GraphModel> = {
  render({ model, el }) {
    const start = performance.now();
    el.classList.add("golap-widget");
    let view: GraphView | null = null;
    const draw = () => {
      view?.destroy();
      view = renderGraphView(model.get("graph"), {
        sizeBy: model.get("size_by"),
        labelBy: model.get("label_by"),
        height: model.get("height"),
        start,
        onChoice: (choice) => {
          if ("sizeBy" in choice) model.set("size_by", choice.sizeBy ?? null);
          if ("labelBy" in choice) model.set("label_by", choice.labelBy ?? null);
          model.save_changes();
        },
      });
      el.replaceChildren(view.element);
    };
    const restyle = () =>
      view?.restyle({ sizeBy: model.get("size_by"), labelBy: model.get("label_by") });
    draw();
    model.on("change:graph", draw);
    model.on("change:height", draw);
    model.on("change:size_by", restyle);
    model.on("change:label_by", restyle);
    return () => {
      model.off("change:graph", draw);
      model.off("change:height", draw);
      model.off("change:size_by", restyle);
      model.off("change:label_by", restyle);
      view?.destroy();
    };
  },
};

export default widget;
