/** Values of query rows (their JSON form) as short, readable text. */

const NAME_KEYS = ["name", "title", "label", "displayName", "display_name", "id", "key", "code"];
const CELL_MAX = 80;

export type Entity = Record<string, unknown>;

export function isNode(value: unknown): value is Entity {
  return isObject(value) && "_id" in value && "_label" in value;
}

export function isRelationship(value: unknown): value is Entity {
  return (
    isObject(value) &&
    "_type" in value &&
    "_start" in value &&
    "_end" in value &&
    !("_label" in value)
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The first name-like property of an entity (`name`, `title`...), as text. */
export function nameOf(entity: Record<string, unknown>): string | null {
  for (const key of NAME_KEYS) {
    const value = entity[key];
    if (value !== undefined && value !== null && value !== "") return String(value);
  }
  return null;
}

/** Full text of a value: strings as they are, everything else as JSON. */
export function fullText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function cut(text: string, max = CELL_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The text of one table cell: `(:Person "Ada")`, `[:KNOWS]`, `path of 3 nodes`... */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (isNode(value)) {
    const name = nameOf(value);
    return name === null ? `(:${value._label})` : `(:${value._label} ${cut(name, 40)})`;
  }
  if (isRelationship(value)) return `[:${String(value._type)}]`;
  if (Array.isArray(value)) {
    const nodes = value.filter(isNode).length;
    const rels = value.filter(isRelationship).length;
    if (nodes + rels > 0 && nodes + rels === value.length) {
      return rels > 0 ? `path: ${nodes} nodes, ${rels} rels` : `[${nodes} nodes]`;
    }
  }
  if (typeof value === "string") return cut(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return cut(JSON.stringify(value));
}

/** A number with thousands separators. */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

/** A duration in seconds as `4 s`, `1 min 05 s`, `1 h 02 min`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "–";
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** Make an element with a class and optional text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}
