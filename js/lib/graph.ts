/** From the graph payload to a graphology graph with colours, sizes and labels. */

import { MultiDirectedGraph } from "graphology";

import type { EdgeData, GraphPayload, NodeData } from "../models";
import { fullText, nameOf } from "./format";

/** Colour-blind friendly categorical palette (Tableau 10), then HSL steps for more labels. */
export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];
export const PLACEHOLDER_COLOUR = "#9aa0a6";
export const EDGE_COLOUR = "#b8bec6";
export const MIN_NODE_SIZE = 3;
export const MAX_NODE_SIZE = 16;
export const DEFAULT_NODE_SIZE = 5;

export interface NodeAttributes {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  /** The node's label (its type), for the legend and tooltips. */
  nodeLabel: string;
  placeholder: boolean;
  properties: Record<string, unknown>;
  highlighted?: boolean;
}

export interface EdgeAttributes {
  size: number;
  color: string;
  relType: string;
  properties: Record<string, unknown>;
}

export interface GraphOptions {
  sizeBy: string | null;
  labelBy: string | null;
  /** Seed of the initial positions, so that the same data draws the same way. */
  seed?: number;
}

export interface LegendEntry {
  label: string;
  colour: string;
  count: number;
}

/** Node sizes shrink as graphs grow, so thousands of nodes do not cover each other. */
export function sizeRange(count: number): [number, number] {
  if (count <= 500) return [MIN_NODE_SIZE, MAX_NODE_SIZE];
  const factor = Math.max(0.35, Math.sqrt(500 / count));
  return [Math.max(1.5, MIN_NODE_SIZE * factor), Math.max(5, MAX_NODE_SIZE * factor)];
}

/** Colour per node label: the most frequent label gets the first colour. */
export function labelColours(nodes: readonly NodeData[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const node of nodes) {
    if (node.placeholder) continue;
    counts.set(node.label, (counts.get(node.label) ?? 0) + 1);
  }
  const ordered = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const colours = new Map<string, string>();
  ordered.forEach(([label], i) => colours.set(label, colourAt(i)));
  return colours;
}

export function colourAt(index: number): string {
  if (index < PALETTE.length) return PALETTE[index] as string;
  const hue = Math.round((index * 137.508) % 360);
  return `hsl(${hue}, 55%, 55%)`;
}

/** Legend entries in colour order, with placeholders last when there are any. */
export function legend(nodes: readonly NodeData[]): LegendEntry[] {
  const colours = labelColours(nodes);
  const counts = new Map<string, number>();
  let placeholders = 0;
  for (const node of nodes) {
    if (node.placeholder) placeholders += 1;
    else counts.set(node.label, (counts.get(node.label) ?? 0) + 1);
  }
  const entries = [...colours.entries()].map(([label, colour]) => ({
    label,
    colour,
    count: counts.get(label) ?? 0,
  }));
  if (placeholders) {
    entries.push({ label: "(not in result)", colour: PLACEHOLDER_COLOUR, count: placeholders });
  }
  return entries;
}

/** A finite number from a property value (numbers only; the JSON text of NaN is not one). */
export function numeric(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Properties that are numbers on at least one node: the choices for "size by". */
export function numericProperties(nodes: readonly NodeData[]): string[] {
  const names = new Set<string>();
  for (const node of nodes) {
    for (const [key, value] of Object.entries(node.properties)) {
      if (numeric(value) !== null) names.add(key);
    }
  }
  return [...names].sort();
}

/** Properties present on any node: the choices for "label by". */
export function propertyNames(nodes: readonly NodeData[]): string[] {
  const names = new Set<string>();
  for (const node of nodes) for (const key of Object.keys(node.properties)) names.add(key);
  return [...names].sort();
}

/**
 * A linear scale from the values' range to [minSize, maxSize]; a missing or non-numeric value
 * gets the smallest size, and a constant property the middle one.
 */
export function sizeScale(
  values: readonly unknown[],
  minSize = MIN_NODE_SIZE,
  maxSize = MAX_NODE_SIZE,
): (value: unknown) => number {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    const n = numeric(value);
    if (n === null) continue;
    if (n < low) low = n;
    if (n > high) high = n;
  }
  if (low === Infinity) return () => DEFAULT_NODE_SIZE;
  const span = high - low;
  return (value) => {
    const n = numeric(value);
    if (n === null) return minSize;
    if (span === 0) return (minSize + maxSize) / 2;
    return minSize + ((n - low) / span) * (maxSize - minSize);
  };
}

/** The text under a node: the `labelBy` property, else a name-like one, else the label. */
export function nodeText(node: NodeData, labelBy: string | null): string {
  if (labelBy) {
    const value = node.properties[labelBy];
    if (value !== undefined && value !== null) return fullText(value);
  }
  const name = nameOf(node.properties);
  if (name !== null) return name;
  return node.placeholder ? node.id : `${node.label} ${node.id}`;
}

/** A small deterministic random generator (mulberry32), for reproducible layouts. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The graphology graph of a payload: nodes with positions (seeded, spread over a disc so a
 * first frame is quick), sizes, colours and labels; parallel relationships kept. Edges whose
 * endpoints are missing are skipped (the Python side adds placeholders, so this is a guard).
 */
/** Each node's drawn size: by `options.sizeBy` when chosen; placeholders at the smallest. */
function nodeSizer(payload: GraphPayload, options: GraphOptions): (node: NodeData) => number {
  const [low, high] = sizeRange(payload.nodes.length);
  const scale = options.sizeBy
    ? sizeScale(
        payload.nodes.map((node) => node.properties[options.sizeBy as string]),
        low,
        high,
      )
    : () => Math.min(DEFAULT_NODE_SIZE, (low + high) / 2);
  return (node) => (node.placeholder ? low : scale(node.properties[options.sizeBy ?? ""]));
}

export function buildGraph(
  payload: GraphPayload,
  options: GraphOptions,
): MultiDirectedGraph<NodeAttributes, EdgeAttributes> {
  const graph = new MultiDirectedGraph<NodeAttributes, EdgeAttributes>();
  const colours = labelColours(payload.nodes);
  const sizeOf = nodeSizer(payload, options);
  const random = seededRandom(options.seed ?? 42);
  const radius = Math.sqrt(Math.max(payload.nodes.length, 1)) * 10;
  for (const node of payload.nodes) {
    if (graph.hasNode(node.id)) continue;
    const angle = random() * 2 * Math.PI;
    const distance = Math.sqrt(random()) * radius;
    graph.addNode(node.id, {
      x: Math.cos(angle) * distance,
      y: Math.sin(angle) * distance,
      size: sizeOf(node),
      color: node.placeholder ? PLACEHOLDER_COLOUR : (colours.get(node.label) ?? colourAt(0)),
      label: nodeText(node, options.labelBy),
      nodeLabel: node.label,
      placeholder: node.placeholder,
      properties: node.properties,
    });
  }
  for (const edge of payload.edges) addEdge(graph, edge);
  return graph;
}

function addEdge(graph: MultiDirectedGraph<NodeAttributes, EdgeAttributes>, edge: EdgeData): void {
  if (!graph.hasNode(edge.source) || !graph.hasNode(edge.target)) return;
  if (graph.hasEdge(edge.id)) return;
  graph.addDirectedEdgeWithKey(edge.id, edge.source, edge.target, {
    size: 1,
    color: EDGE_COLOUR,
    relType: edge.type,
    properties: edge.properties,
  });
}

/** Node keys whose label text, node label or any property value contains `query`. */
export function matchNodes(
  graph: MultiDirectedGraph<NodeAttributes, EdgeAttributes>,
  query: string,
): string[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [];
  const found: string[] = [];
  graph.forEachNode((key, attributes) => {
    if (
      attributes.label.toLowerCase().includes(needle) ||
      attributes.nodeLabel.toLowerCase().includes(needle) ||
      key.toLowerCase().includes(needle) ||
      Object.values(attributes.properties).some((value) =>
        fullText(value).toLowerCase().includes(needle),
      )
    ) {
      found.push(key);
    }
  });
  return found;
}

/** "12 nodes · 30 relationships" and what was left out. */
export function summary(payload: GraphPayload, drawnNodes: number, drawnEdges: number): string {
  const plural = (n: number, word: string) =>
    `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
  let text = `${plural(drawnNodes, "node")} · ${plural(drawnEdges, "relationship")}`;
  if (payload.truncated) text += " (the view's limit was reached: more exist in the result)";
  return text;
}

/** Change sizes and label texts in place (positions kept) after a new size/label choice. */
export function restyle(
  graph: MultiDirectedGraph<NodeAttributes, EdgeAttributes>,
  payload: GraphPayload,
  options: GraphOptions,
): void {
  const byId = new Map(payload.nodes.map((node) => [node.id, node]));
  const sizeOf = nodeSizer(payload, options);
  graph.updateEachNodeAttributes((key, attributes) => {
    const node = byId.get(key);
    if (!node) return attributes;
    return {
      ...attributes,
      size: sizeOf(node),
      label: nodeText(node, options.labelBy),
    };
  });
}
