import { describe, expect, it } from "vitest";

import { compareValues, nextSort, SearchIndex, sortIndices, tableView } from "../lib/table";

const rows: unknown[][] = [
  ["Ada", 36, null],
  ["bob", 5, { _id: "P_1", _label: "Person", name: "Zed" }],
  ["Cy", null, [1, 2]],
  ["ada", 100, "x"],
  ["Éric", 20, true],
];

describe("compareValues", () => {
  it("orders numbers numerically and text naturally", () => {
    expect(compareValues(5, 36)).toBeLessThan(0);
    expect(compareValues(100, 20)).toBeGreaterThan(0);
    expect(compareValues("item2", "item10")).toBeLessThan(0);
    expect(compareValues("a", "B")).toBeLessThan(0);
  });
  it("puts numbers before text and nulls last", () => {
    expect(compareValues(1, "a")).toBeLessThan(0);
    expect(compareValues(null, 1)).toBeGreaterThan(0);
    expect(compareValues(null, null)).toBe(0);
  });
});

describe("sortIndices", () => {
  const all = rows.map((_, i) => i);
  it("sorts ascending and descending with nulls last both ways", () => {
    expect(sortIndices(rows, all, 1, "asc")).toEqual([1, 4, 0, 3, 2]);
    expect(sortIndices(rows, all, 1, "desc")).toEqual([3, 0, 4, 1, 2]);
  });
  it("is stable for equal values", () => {
    const same = [["a", 1], ["b", 1], ["c", 0]];
    expect(sortIndices(same, [0, 1, 2], 1, "asc")).toEqual([2, 0, 1]);
    expect(sortIndices(same, [0, 1, 2], 1, "desc")).toEqual([0, 1, 2]);
  });
});

describe("search", () => {
  it("matches any cell, case-insensitively, including node properties", () => {
    const index = new SearchIndex(rows);
    expect(index.filter("ADA")).toEqual([0, 3]);
    expect(index.filter("zed")).toEqual([1]);
    expect(index.filter(":person")).toEqual([1]);
    expect(index.filter("  ")).toEqual([0, 1, 2, 3, 4]);
    expect(index.filter("nothing like it")).toEqual([]);
  });
});

describe("tableView", () => {
  const many = Array.from({ length: 45 }, (_, i) => [i, `row ${i}`]);
  const state = { sortColumn: null, sortDirection: "asc" as const, search: "", page: 0, pageSize: 20 };

  it("pages", () => {
    const first = tableView(many, state);
    expect(first.indices).toHaveLength(20);
    expect([first.first, first.last, first.pageCount, first.matching]).toEqual([1, 20, 3, 45]);
    const last = tableView(many, { ...state, page: 2 });
    expect(last.indices).toEqual([40, 41, 42, 43, 44]);
    expect([last.first, last.last]).toEqual([41, 45]);
  });

  it("clamps the page to the last one after a narrowing search", () => {
    const view = tableView(many, { ...state, page: 2, search: "row 1" });
    // row 1, row 10..19: 11 matches, one page
    expect(view.matching).toBe(11);
    expect(view.page).toBe(0);
    expect(view.indices[0]).toBe(1);
  });

  it("sorts before paging", () => {
    const view = tableView(many, { ...state, sortColumn: 0, sortDirection: "desc" });
    expect(view.indices.slice(0, 3)).toEqual([44, 43, 42]);
  });

  it("handles no rows", () => {
    const view = tableView([], state);
    expect(view).toMatchObject({ indices: [], matching: 0, page: 0, pageCount: 1, first: 0, last: 0 });
  });
});

describe("nextSort", () => {
  it("cycles ascending, descending, off", () => {
    let sort = { sortColumn: null as number | null, sortDirection: "asc" as "asc" | "desc" };
    sort = nextSort(sort, 2);
    expect(sort).toEqual({ sortColumn: 2, sortDirection: "asc" });
    sort = nextSort(sort, 2);
    expect(sort).toEqual({ sortColumn: 2, sortDirection: "desc" });
    sort = nextSort(sort, 2);
    expect(sort.sortColumn).toBeNull();
    expect(nextSort({ sortColumn: 1, sortDirection: "desc" }, 3)).toEqual({
      sortColumn: 3,
      sortDirection: "asc",
    });
  });
});

describe("tableNote", async () => {
  const { tableNote } = await import("../lib/table");
  it("says how many rows the browser has of the result", () => {
    expect(tableNote(1, 20, 1000, 1000, 1_000_000, "")).toBe(
      "Rows 1–20 of 1,000 · showing 1,000 of 1,000,000 rows (the display limit; " +
        "use result.to_pandas() or a narrower query for the rest)",
    );
    expect(tableNote(1, 5, 5, 45, 45, " ada ")).toBe(
      "Rows 1–5 of 5 matching “ada” · showing 45 of 45 rows",
    );
  });
});
