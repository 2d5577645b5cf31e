/**
 * The widgets' models: one interface per widget, mirroring the Python traitlets
 * (src/graph_olap/jupyter/widgets/*.py). A renamed trait must change on both sides.
 */

/** A node as src/graph_olap/jupyter/widgets/graph_data.py sends it. */
export interface NodeData {
  id: string;
  label: string;
  properties: Record<string, unknown>;
  /** Only a relationship named it: its properties are unknown. */
  placeholder: boolean;
}

/** A relationship as graph_data.py sends it. */
export interface EdgeData {
  id: string;
  source: string;
  target: string;
  type: string;
  properties: Record<string, unknown>;
}

/** GraphData.to_json(): what the graph view draws. */
export interface GraphPayload {
  nodes: NodeData[];
  edges: EdgeData[];
  rows_scanned: number;
  truncated: boolean;
}

export type ResultView = "table" | "graph" | "json" | "metadata";

/** ResultWidget (widgets/result.py). */
export interface ResultModel {
  columns: string[];
  column_types: string[];
  /** Only the first `display_limit` rows, values in their JSON form. */
  rows: unknown[][];
  /** Rows in the whole result (what "showing N of M" counts). */
  row_count: number;
  display_limit: number;
  page_size: number;
  view: ResultView;
  metadata: ResultMetadata;
  graph: GraphPayload;
  size_by: string | null;
  label_by: string | null;
  height: number;
}

export interface ResultMetadata {
  rows: number;
  row_count: number;
  columns: string[];
  column_types: string[];
  execution_time_ms: number;
  truncated: boolean;
  instance: string | null;
  query: string | null;
}

/** GraphWidget (widgets/graph.py). */
export interface GraphModel {
  graph: GraphPayload;
  size_by: string | null;
  label_by: string | null;
  height: number;
}

export type ProgressState = "active" | "done" | "failed" | "cancelled";

export interface ProgressStep {
  name: string;
  status: string;
  /** Rows exported or loaded so far, when the server reports them. */
  row_count?: number | null;
  type?: string | null;
}

/** ProgressWidget (widgets/progress.py). */
export interface ProgressModel {
  title: string;
  phase: string;
  status: string;
  state: ProgressState;
  completed: number;
  total: number;
  steps: ProgressStep[];
  elapsed_s: number;
  eta_s: number | null;
  cancellable: boolean;
  cancel_requested: boolean;
  message: string;
}
