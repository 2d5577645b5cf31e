/**
 * The graph view: sigma.js (WebGL) over a graphology graph, with a legend, tooltips, search,
 * zoom-to-fit, fullscreen and "size by"/"label by" choices. Shared by the graph widget and the
 * result widget's Graph tab.
 *
 * The container exposes what a test or benchmark needs as attributes: `data-node-count`,
 * `data-edge-count` (what is drawn), `data-first-frame-ms` (from `start` to sigma's first
 * frame), `data-layout` (`running`, `done`) and `data-match-count` (search).
 */

import forceAtlas2 from "graphology-layout-forceatlas2";
import Sigma from "sigma";
import { EdgeLineProgram } from "sigma/rendering";
import type { MultiDirectedGraph } from "graphology";

import type { GraphPayload } from "../models";
import { fullText, h } from "./format";
import {
  buildGraph,
  type EdgeAttributes,
  legend,
  matchNodes,
  type NodeAttributes,
  numericProperties,
  propertyNames,
  restyle,
  summary,
} from "./graph";

/** Layout runs on the main thread in small slices after the first frame, for at most this. */
const LAYOUT_BUDGET_MS = 4000;
const LAYOUT_MAX_ITERATIONS = 300;
const SLICE_MS = 12;
/** Past this many relationships edges are drawn as thin lines without arrow heads: a third of
 * the WebGL work, which keeps the first frame of big graphs quick (software GL included). */
const FAST_EDGES = 3000;
/** Small graphs are laid out before the first frame: it costs less than a redraw. */
const SYNC_LAYOUT_NODES = 300;
const TOOLTIP_PROPERTIES = 12;
/**
 * Nodes and edges outside a search's matches or a hovered neighbourhood: see-through grey on
 * light and dark themes. Sigma blends with premultiplied alpha (ONE, ONE_MINUS_SRC_ALPHA), so
 * the colour is given premultiplied: grey 128 at 35 % is rgb 45, at 15 % rgb 19.
 */
const FADED = "rgba(45, 45, 45, 0.35)";
const FADED_EDGE = "rgba(19, 19, 19, 0.15)";

export interface GraphViewOptions {
  sizeBy: string | null;
  labelBy: string | null;
  height: number;
  /** performance.now() when the widget started rendering (for data-first-frame-ms). */
  start: number;
  /** The user picked another property in the toolbar. */
  onChoice?: (choice: { sizeBy?: string | null; labelBy?: string | null }) => void;
}

export interface GraphView {
  element: HTMLElement;
  /** New size/label properties: sizes and texts change, positions stay. */
  restyle(choice: { sizeBy: string | null; labelBy: string | null }): void;
  destroy(): void;
}

type Graph = MultiDirectedGraph<NodeAttributes, EdgeAttributes>;

export const NO_GRAPH_NOTE =
  "No nodes, relationships or paths in this result, so there is nothing to draw. " +
  "Return graph elements to see a graph, e.g. MATCH (a)-[r]->(b) RETURN a, r, b LIMIT 100.";

export function renderGraphView(payload: GraphPayload, options: GraphViewOptions): GraphView {
  const root = h("div", "golap-graph");
  root.style.setProperty("--golap-graph-height", `${options.height}px`);
  if (!payload.nodes.length) {
    root.dataset.nodeCount = "0";
    root.dataset.edgeCount = "0";
    root.classList.add("golap-graph-empty");
    root.append(h("div", "golap-graph-note", NO_GRAPH_NOTE));
    return { element: root, restyle() {}, destroy() {} };
  }

  const graph: Graph = buildGraph(payload, options);
  root.dataset.nodeCount = String(graph.order);
  root.dataset.edgeCount = String(graph.size);
  root.dataset.layout = "running";

  // Toolbar: search, size by, label by, fit, fullscreen.
  const toolbar = h("div", "golap-graph-toolbar");
  const search = h("input", "golap-graph-search");
  search.type = "search";
  search.placeholder = "Search nodes…";
  search.setAttribute("aria-label", "Search nodes");
  const sizeSelect = select(
    "Size by",
    ["", ...numericProperties(payload.nodes)],
    options.sizeBy ?? "",
  );
  const labelSelect = select(
    "Label by",
    ["", ...propertyNames(payload.nodes)],
    options.labelBy ?? "",
  );
  const fit = h("button", "golap-button golap-graph-fit", "Fit");
  fit.title = "Zoom to fit";
  const full = h("button", "golap-button golap-graph-fullscreen", "Fullscreen");
  full.title = "Fullscreen";
  toolbar.append(search, sizeSelect.wrap, labelSelect.wrap, fit, full);

  const stage = h("div", "golap-graph-stage");
  const tooltip = h("div", "golap-graph-tooltip");
  tooltip.hidden = true;
  stage.append(tooltip);
  const legendEl = h("div", "golap-graph-legend");
  for (const entry of legend(payload.nodes)) {
    const item = h("span", "golap-legend-item");
    const swatch = h("span", "golap-legend-swatch");
    swatch.style.background = entry.colour;
    item.append(swatch, document.createTextNode(`${entry.label} (${entry.count})`));
    legendEl.append(item);
  }
  const note = h("div", "golap-graph-note", summary(payload, graph.order, graph.size));
  root.append(toolbar, stage, legendEl, note);

  if (graph.order <= SYNC_LAYOUT_NODES) {
    runLayout(graph, 150);
    root.dataset.layout = "done";
  }

  // Search highlights: matches keep their colour and get a label; the rest fade.
  let matches = new Set<string>();
  let hovered: string | null = null;
  let neighbourhood = new Set<string>();
  // Labels take the widget's text colour (light or dark theme) once it is in the page.
  const labelColour = () => getComputedStyle(stage).color || "#222";
  const renderer = new Sigma<NodeAttributes, EdgeAttributes>(graph, stage, {
    allowInvalidContainer: true,
    defaultEdgeType: graph.size > FAST_EDGES ? "thin" : "arrow",
    edgeProgramClasses: { thin: EdgeLineProgram },
    renderEdgeLabels: false,
    labelRenderedSizeThreshold: 7,
    labelColor: { color: labelColour() },
    zIndex: true,
    nodeReducer: (node, data) => {
      // Hovering a node brings out its neighbourhood; otherwise a search its matches.
      const focus = hovered ? neighbourhood : matches;
      if (!focus.size) return data;
      if (focus.has(node)) {
        return { ...data, highlighted: node === hovered || !hovered, forceLabel: true, zIndex: 1 };
      }
      return { ...data, color: FADED, label: "", zIndex: 0 };
    },
    edgeReducer: (edge, data) => {
      if (hovered) {
        const touches = graph.hasExtremity(edge, hovered);
        return touches ? { ...data, zIndex: 1 } : { ...data, color: FADED_EDGE };
      }
      return matches.size ? { ...data, color: FADED_EDGE } : data;
    },
  });

  let firstFrame = false;
  renderer.on("afterRender", () => {
    if (firstFrame || stage.clientWidth === 0) return;
    firstFrame = true;
    root.dataset.firstFrameMs = (performance.now() - options.start).toFixed(1);
  });

  // Tooltips: the node's label, id and first properties.
  renderer.on("enterNode", ({ node, event }) => {
    const attributes = graph.getNodeAttributes(node);
    tooltip.replaceChildren(tooltipContent(node, attributes));
    tooltip.style.left = `${event.x + 12}px`;
    tooltip.style.top = `${event.y + 12}px`;
    tooltip.hidden = false;
    hovered = node;
    neighbourhood = new Set([node, ...graph.neighbors(node)]);
    renderer.refresh({ skipIndexation: true });
  });
  renderer.on("leaveNode", () => {
    tooltip.hidden = true;
    hovered = null;
    neighbourhood = new Set();
    renderer.refresh({ skipIndexation: true });
  });

  search.addEventListener("input", () => {
    matches = new Set(matchNodes(graph, search.value));
    root.dataset.matchCount = String(matches.size);
    renderer.refresh({ skipIndexation: true });
  });
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !matches.size) return;
    const first = renderer.getNodeDisplayData([...matches][0] as string);
    if (!first) return;
    renderer.getCamera().animate({ x: first.x, y: first.y, ratio: 0.3 }, { duration: 400 });
  });
  fit.addEventListener("click", () => {
    void renderer.getCamera().animatedReset({ duration: 300 });
  });
  full.addEventListener("click", () => {
    if (document.fullscreenElement === root) void document.exitFullscreen();
    else void root.requestFullscreen?.();
  });
  const onFullscreen = () => {
    root.classList.toggle("golap-graph-is-fullscreen", document.fullscreenElement === root);
    renderer.resize();
    renderer.refresh();
  };
  document.addEventListener("fullscreenchange", onFullscreen);
  sizeSelect.select.addEventListener("change", () => {
    options.onChoice?.({ sizeBy: sizeSelect.select.value || null });
  });
  labelSelect.select.addEventListener("change", () => {
    options.onChoice?.({ labelBy: labelSelect.select.value || null });
  });

  // The stage may have no size yet (a hidden tab, an output not yet attached): redraw when
  // it gets one.
  let themed = false;
  const resize = new ResizeObserver(() => {
    if (stage.clientWidth > 0) {
      if (!themed) {
        themed = true;
        renderer.setSetting("labelColor", { color: labelColour() });
      }
      renderer.resize();
      renderer.refresh();
    }
  });
  resize.observe(stage);

  // Bigger graphs: a first frame at the seeded positions, then ForceAtlas2 in slices.
  let stopped = false;
  let frame = 0;
  if (root.dataset.layout === "running") {
    const settings = { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 1000 };
    const began = performance.now();
    let iterations = 0;
    let perSlice = 1;
    const step = () => {
      if (stopped) return;
      const sliceStart = performance.now();
      forceAtlas2.assign(graph, { iterations: perSlice, settings });
      iterations += perSlice;
      const spent = performance.now() - sliceStart;
      perSlice = Math.max(1, Math.min(20, Math.round((perSlice * SLICE_MS) / Math.max(spent, 1))));
      if (iterations >= LAYOUT_MAX_ITERATIONS || performance.now() - began > LAYOUT_BUDGET_MS) {
        root.dataset.layout = "done";
        return;
      }
      frame = requestAnimationFrame(step);
    };
    // Let sigma draw the first frame before the layout takes the main thread.
    frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(step);
    });
  }

  return {
    element: root,
    restyle(choice) {
      restyle(graph, payload, choice);
      sizeSelect.select.value = choice.sizeBy ?? "";
      labelSelect.select.value = choice.labelBy ?? "";
      renderer.refresh();
    },
    destroy() {
      stopped = true;
      cancelAnimationFrame(frame);
      resize.disconnect();
      document.removeEventListener("fullscreenchange", onFullscreen);
      renderer.kill();
    },
  };
}

/** Run ForceAtlas2 synchronously (small graphs). */
export function runLayout(graph: Graph, iterations: number): void {
  if (graph.order < 2) return;
  const settings = forceAtlas2.inferSettings(graph);
  forceAtlas2.assign(graph, { iterations, settings });
}

function select(label: string, values: string[], current: string) {
  const wrap = h("label", "golap-graph-select");
  wrap.append(document.createTextNode(`${label} `));
  const element = h("select");
  for (const value of values) {
    const option = h("option", undefined, value || "(default)");
    option.value = value;
    if (value === current) option.selected = true;
    element.append(option);
  }
  wrap.append(element);
  return { wrap, select: element };
}

function tooltipContent(node: string, attributes: NodeAttributes): HTMLElement {
  const box = h("div");
  const title = h("div", "golap-tooltip-title");
  title.textContent = attributes.placeholder
    ? `${node} (only referenced by a relationship)`
    : `:${attributes.nodeLabel}  ${attributes.label}`;
  box.append(title);
  const entries = Object.entries(attributes.properties);
  if (entries.length) {
    const table = h("table", "golap-tooltip-props");
    for (const [key, value] of entries.slice(0, TOOLTIP_PROPERTIES)) {
      const row = h("tr");
      row.append(h("th", undefined, key), h("td", undefined, fullText(value)));
      table.append(row);
    }
    box.append(table);
    if (entries.length > TOOLTIP_PROPERTIES) {
      box.append(h("div", "golap-tooltip-more", `… ${entries.length - TOOLTIP_PROPERTIES} more`));
    }
  }
  return box;
}
