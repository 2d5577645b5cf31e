/** Paging, sorting and searching of the rows the result widget received. */

import { cellText, formatCount, fullText } from "./format";

export type SortDirection = "asc" | "desc";

export interface TableState {
  /** Column index to sort by, or null for the query's order. */
  sortColumn: number | null;
  sortDirection: SortDirection;
  /** Case-insensitive text every shown row must contain in one of its cells. */
  search: string;
  /** Zero-based page. */
  page: number;
  pageSize: number;
}

export interface TableView {
  /** Indices into the rows, for the current page. */
  indices: number[];
  /** Rows matching the search (all pages). */
  matching: number;
  page: number;
  pageCount: number;
  /** First and last row numbers of the page, one-based (0, 0 when empty). */
  first: number;
  last: number;
}

const RANK = { number: 0, boolean: 1, string: 2, other: 3, null: 4 } as const;

function rank(value: unknown): number {
  if (value === null || value === undefined) return RANK.null;
  if (typeof value === "number") return Number.isNaN(value) ? RANK.other : RANK.number;
  if (typeof value === "boolean") return RANK.boolean;
  if (typeof value === "string") return RANK.string;
  return RANK.other;
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** Order of two cell values: numbers numerically, text naturally; nulls always last. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === RANK.number) return (a as number) - (b as number);
  if (ra === RANK.boolean) return Number(a) - Number(b);
  if (ra === RANK.string) return collator.compare(a as string, b as string);
  if (ra === RANK.null) return 0;
  return collator.compare(cellText(a), cellText(b));
}

/** Row indices sorted by one column (stable; nulls last in both directions). */
export function sortIndices(
  rows: readonly unknown[][],
  indices: readonly number[],
  column: number,
  direction: SortDirection,
): number[] {
  const sign = direction === "asc" ? 1 : -1;
  return [...indices].sort((i, j) => {
    const a = rows[i]?.[column];
    const b = rows[j]?.[column];
    const nullA = a === null || a === undefined;
    const nullB = b === null || b === undefined;
    if (nullA || nullB) return nullA === nullB ? i - j : nullA ? 1 : -1;
    return sign * compareValues(a, b) || i - j;
  });
}

/** A lazily built lower-case text per row, for search. */
export class SearchIndex {
  private readonly texts: (string | undefined)[];

  constructor(private readonly rows: readonly unknown[][]) {
    this.texts = new Array<string | undefined>(rows.length);
  }

  text(index: number): string {
    let text = this.texts[index];
    if (text === undefined) {
      const row = this.rows[index] ?? [];
      text = row.map((value) => `${cellText(value)}\u0000${fullText(value)}`).join("\u0001");
      text = text.toLowerCase();
      this.texts[index] = text;
    }
    return text;
  }

  /** Indices of the rows containing `query` (all rows when it is blank). */
  filter(query: string): number[] {
    const all = this.rows.map((_, i) => i);
    const needle = query.trim().toLowerCase();
    if (!needle) return all;
    return all.filter((i) => this.text(i).includes(needle));
  }
}

/** The rows of one page after search and sort; the page is clamped to the last one. */
export function tableView(
  rows: readonly unknown[][],
  state: TableState,
  index: SearchIndex = new SearchIndex(rows),
): TableView {
  let indices = index.filter(state.search);
  if (state.sortColumn !== null) {
    indices = sortIndices(rows, indices, state.sortColumn, state.sortDirection);
  }
  const pageSize = Math.max(1, Math.floor(state.pageSize));
  const pageCount = Math.max(1, Math.ceil(indices.length / pageSize));
  const page = Math.min(Math.max(0, Math.floor(state.page)), pageCount - 1);
  const start = page * pageSize;
  const pageIndices = indices.slice(start, start + pageSize);
  return {
    indices: pageIndices,
    matching: indices.length,
    page,
    pageCount,
    first: pageIndices.length ? start + 1 : 0,
    last: start + pageIndices.length,
  };
}

/** Next sort state when a column header is clicked: ascending, descending, then off. */
export function nextSort(
  state: Pick<TableState, "sortColumn" | "sortDirection">,
  column: number,
): Pick<TableState, "sortColumn" | "sortDirection"> {
  if (state.sortColumn !== column) return { sortColumn: column, sortDirection: "asc" };
  if (state.sortDirection === "asc") return { sortColumn: column, sortDirection: "desc" };
  return { sortColumn: null, sortDirection: "asc" };
}

/** "Rows 1–20 of 1,000 · showing 1,000 of 1,000,000 rows (the display limit)". */
export function tableNote(
  first: number,
  last: number,
  matching: number,
  shown: number,
  total: number,
  search: string,
): string {
  const parts = [`Rows ${formatCount(first)}–${formatCount(last)} of ${formatCount(matching)}`];
  if (search.trim()) parts[0] += ` matching “${search.trim()}”`;
  if (shown < total) {
    parts.push(
      `showing ${formatCount(shown)} of ${formatCount(total)} rows (the display limit; ` +
        "use result.to_pandas() or a narrower query for the rest)",
    );
  } else {
    parts.push(`showing ${formatCount(shown)} of ${formatCount(total)} rows`);
  }
  return parts.join(" · ");
}
