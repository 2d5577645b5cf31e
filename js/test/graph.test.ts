import { describe, expect, it } from "vitest";

import {
  buildGraph,
  colourAt,
  DEFAULT_NODE_SIZE,
  legend,
  labelColours,
  matchNodes,
  MAX_NODE_SIZE,
  MIN_NODE_SIZE,
  nodeText,
  numericProperties,
  PALETTE,
  PLACEHOLDER_COLOUR,
  restyle,
  seededRandom,
  sizeScale,
  summary,
} from "../lib/graph";
import type { GraphPayload, NodeData } from "../models";

function node(id: string, label: string, properties: Record<string, unknown> = {}): NodeData {
  return { id, label, properties, placeholder: false };
}

const payload: GraphPayload = {
  nodes: [
    node("P_1", "Person", { name: "Ada", pagerank: 0.5 }),
    node("P_2", "Person", { name: "Bob", pagerank: 0.1 }),
    node("P_3", "Person", { title: "Dr Cy", pagerank: 0.3 }),
    node("C_1", "City", { city_name: "Oslo", pagerank: "NaN" }),
    { id: "X_9", label: "", properties: {}, placeholder: true },
  ],
  edges: [
    { id: "K_1", source: "P_1", target: "P_2", type: "KNOWS", properties: { since: 2020 } },
    { id: "K_2", source: "P_1", target: "P_2", type: "KNOWS", properties: {} },
    { id: "L_1", source: "P_3", target: "C_1", type: "LIVES_IN", properties: {} },
    { id: "R_1", source: "C_1", target: "X_9", type: "NEAR", properties: {} },
    { id: "BAD", source: "P_1", target: "missing", type: "KNOWS", properties: {} },
  ],
  rows_scanned: 4,
  truncated: false,
};

describe("colours", () => {
  it("gives the most frequent label the first colour and is stable", () => {
    const colours = labelColours(payload.nodes);
    expect(colours.get("Person")).toBe(PALETTE[0]);
    expect(colours.get("City")).toBe(PALETTE[1]);
    expect(colours.has("")).toBe(false); // placeholders are not a label
    expect(labelColours([...payload.nodes].reverse())).toEqual(colours);
  });
  it("goes on past the palette with distinct colours", () => {
    const extra = new Set(Array.from({ length: 30 }, (_, i) => colourAt(i)));
    expect(extra.size).toBe(30);
  });
  it("lists the legend with counts and placeholders last", () => {
    expect(legend(payload.nodes)).toEqual([
      { label: "Person", colour: PALETTE[0], count: 3 },
      { label: "City", colour: PALETTE[1], count: 1 },
      { label: "(not in result)", colour: PLACEHOLDER_COLOUR, count: 1 },
    ]);
  });
});

describe("sizeScale", () => {
  it("maps the range linearly onto the sizes", () => {
    const scale = sizeScale([0, 5, 10]);
    expect(scale(0)).toBe(MIN_NODE_SIZE);
    expect(scale(10)).toBe(MAX_NODE_SIZE);
    expect(scale(5)).toBeCloseTo((MIN_NODE_SIZE + MAX_NODE_SIZE) / 2);
  });
  it("gives missing and non-numeric values the smallest size", () => {
    const scale = sizeScale([1, 2, "NaN", null]);
    expect(scale(null)).toBe(MIN_NODE_SIZE);
    expect(scale("NaN")).toBe(MIN_NODE_SIZE);
    expect(scale(undefined)).toBe(MIN_NODE_SIZE);
  });
  it("handles constant and absent properties", () => {
    expect(sizeScale([4, 4])(4)).toBe((MIN_NODE_SIZE + MAX_NODE_SIZE) / 2);
    expect(sizeScale(["a", null])(3)).toBe(DEFAULT_NODE_SIZE);
  });
  it("lists numeric properties only", () => {
    expect(numericProperties(payload.nodes)).toEqual(["pagerank"]);
  });
});

describe("labels", () => {
  it("prefers label_by, then a name-like property, then label and id", () => {
    expect(nodeText(payload.nodes[0] as NodeData, null)).toBe("Ada");
    expect(nodeText(payload.nodes[2] as NodeData, null)).toBe("Dr Cy");
    expect(nodeText(payload.nodes[3] as NodeData, null)).toBe("City C_1");
    expect(nodeText(payload.nodes[3] as NodeData, "city_name")).toBe("Oslo");
    expect(nodeText(payload.nodes[0] as NodeData, "pagerank")).toBe("0.5");
    expect(nodeText(payload.nodes[4] as NodeData, null)).toBe("X_9");
  });
});

describe("buildGraph", () => {
  it("draws every node and the relationships between them, parallel ones included", () => {
    const graph = buildGraph(payload, { sizeBy: "pagerank", labelBy: null });
    expect(graph.order).toBe(5);
    expect(graph.size).toBe(4); // BAD has an unknown endpoint
    expect(graph.edges("P_1", "P_2").sort()).toEqual(["K_1", "K_2"]);
    expect(graph.getNodeAttribute("P_1", "size")).toBe(MAX_NODE_SIZE);
    expect(graph.getNodeAttribute("P_2", "size")).toBe(MIN_NODE_SIZE);
    expect(graph.getNodeAttribute("X_9", "color")).toBe(PLACEHOLDER_COLOUR);
    expect(graph.getNodeAttribute("C_1", "color")).toBe(PALETTE[1]);
    expect(graph.getEdgeAttribute("L_1", "relType")).toBe("LIVES_IN");
  });
  it("places nodes reproducibly", () => {
    const a = buildGraph(payload, { sizeBy: null, labelBy: null, seed: 7 });
    const b = buildGraph(payload, { sizeBy: null, labelBy: null, seed: 7 });
    expect(a.getNodeAttributes("P_3")).toEqual(b.getNodeAttributes("P_3"));
    const random = seededRandom(1);
    const values = Array.from({ length: 1000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
  it("ignores duplicate node and edge ids", () => {
    const twice = { ...payload, nodes: [...payload.nodes, payload.nodes[0] as NodeData] };
    expect(buildGraph(twice, { sizeBy: null, labelBy: null }).order).toBe(5);
  });
  it("restyles in place, keeping positions", () => {
    const graph = buildGraph(payload, { sizeBy: null, labelBy: null });
    const before = graph.getNodeAttributes("P_1");
    restyle(graph, payload, { sizeBy: "pagerank", labelBy: "pagerank" });
    const after = graph.getNodeAttributes("P_1");
    expect([after.x, after.y]).toEqual([before.x, before.y]);
    expect(after.size).toBe(MAX_NODE_SIZE);
    expect(after.label).toBe("0.5");
  });
});

describe("search and summary", () => {
  const graph = buildGraph(payload, { sizeBy: null, labelBy: null });
  it("finds nodes by label text, node label, id or property", () => {
    expect(matchNodes(graph, "ada").sort()).toEqual(["P_1"]);
    expect(matchNodes(graph, "city").sort()).toEqual(["C_1"]);
    expect(matchNodes(graph, "oslo")).toEqual(["C_1"]);
    expect(matchNodes(graph, "p_")).toHaveLength(3);
    expect(matchNodes(graph, " ")).toEqual([]);
  });
  it("summarises what is drawn", () => {
    expect(summary(payload, 5, 4)).toBe("5 nodes · 4 relationships");
    expect(summary({ ...payload, truncated: true }, 1, 1)).toMatch(/^1 node · 1 relationship \(/);
  });
});

describe("sizeRange", () => {
  it("keeps small graphs at full size and shrinks big ones within bounds", async () => {
    const { sizeRange } = await import("../lib/graph");
    expect(sizeRange(10)).toEqual([MIN_NODE_SIZE, MAX_NODE_SIZE]);
    const [low, high] = sizeRange(5000);
    expect(low).toBeGreaterThanOrEqual(1.5);
    expect(high).toBeLessThan(MAX_NODE_SIZE);
    expect(high).toBeGreaterThan(low);
    expect(sizeRange(1_000_000)[1]).toBeGreaterThanOrEqual(5);
  });
});
