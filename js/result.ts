/**
 * The result widget (ResultWidget in src/graph_olap/jupyter/widgets/result.py): tabs Table,
 * Graph, JSON and Metadata over the rows the kernel sent (at most its display limit).
 *
 * DOM contract (browser tests): `.golap-result[data-view]` is the open tab; the table is
 * `.golap-table` with one `tbody tr` per row of the page and `data-shown-rows`,
 * `data-total-rows` on `.golap-result`; the note `.golap-table-note` says "showing N of M".
 */

import type { AnyModel, AnyWidget } from "@anywidget/types";

import { cellText, formatCount, fullText, h } from "./lib/format";
import { type GraphView, renderGraphView } from "./lib/graphview";
import { nextSort, SearchIndex, tableNote, type TableState, tableView } from "./lib/table";
import type { ResultModel, ResultView } from "./models";
import "./styles/widgets.css";

const TABS: [ResultView, string][] = [
  ["table", "Table"],
  ["graph", "Graph"],
  ["json", "JSON"],
  ["metadata", "Metadata"],
];
/** The JSON tab shows this many rows at most: a 1000-row JSON text is unreadable anyway. */
const JSON_ROWS = 200;

const widget: AnyWidget<ResultModel> = {
  render({ model, el }) {
    const start = performance.now();
    el.classList.add("golap-widget");
    const root = h("div", "golap-result");
    const tabBar = h("div", "golap-tabs");
    tabBar.setAttribute("role", "tablist");
    const panels = new Map<ResultView, HTMLElement>();
    const buttons = new Map<ResultView, HTMLButtonElement>();
    for (const [name, title] of TABS) {
      const button = h("button", "golap-tab", title);
      button.dataset.tab = name;
      button.setAttribute("role", "tab");
      button.addEventListener("click", () => {
        model.set("view", name);
        model.save_changes();
      });
      buttons.set(name, button);
      tabBar.append(button);
      const panel = h("div", "golap-panel");
      panel.dataset.panel = name;
      panels.set(name, panel);
    }
    root.append(tabBar, ...panels.values());
    el.replaceChildren(root);

    const rendered = new Set<ResultView>();
    let graphView: GraphView | null = null;

    const renderPanel = (name: ResultView) => {
      const panel = panels.get(name) as HTMLElement;
      // A tab opened later is timed from its opening, not from the widget's.
      const began = rendered.size === 0 ? start : performance.now();
      rendered.add(name);
      if (name === "table") renderTable(panel, model, root);
      else if (name === "json") renderJson(panel, model);
      else if (name === "metadata") renderMetadata(panel, model);
      else {
        graphView?.destroy();
        graphView = renderGraphView(model.get("graph"), {
          sizeBy: model.get("size_by"),
          labelBy: model.get("label_by"),
          height: model.get("height"),
          start: began,
          onChoice: (choice) => {
            if ("sizeBy" in choice) model.set("size_by", choice.sizeBy ?? null);
            if ("labelBy" in choice) model.set("label_by", choice.labelBy ?? null);
            model.save_changes();
          },
        });
        panel.replaceChildren(graphView.element);
      }
    };

    // Panels are built when first opened: the graph needs a visible stage, and a result
    // looked at only as a table never pays for the rest.
    const show = () => {
      const view = model.get("view");
      root.dataset.view = view;
      for (const [name, panel] of panels) {
        const active = name === view;
        panel.hidden = !active;
        buttons.get(name)?.setAttribute("aria-selected", String(active));
        buttons.get(name)?.classList.toggle("golap-tab-active", active);
      }
      if (!rendered.has(view)) renderPanel(view);
    };
    const refresh = () => {
      rendered.clear();
      show();
    };
    const restyle = () =>
      graphView?.restyle({ sizeBy: model.get("size_by"), labelBy: model.get("label_by") });

    root.dataset.totalRows = String(model.get("row_count"));
    root.dataset.shownRows = String(model.get("rows").length);
    show();
    model.on("change:view", show);
    model.on("change:rows", refresh);
    model.on("change:graph", refresh);
    model.on("change:size_by", restyle);
    model.on("change:label_by", restyle);
    return () => {
      model.off("change:view", show);
      model.off("change:rows", refresh);
      model.off("change:graph", refresh);
      model.off("change:size_by", restyle);
      model.off("change:label_by", restyle);
      graphView?.destroy();
    };
  },
};

export default widget;

type Model = AnyModel<ResultModel>;

function renderTable(panel: HTMLElement, model: Model, root: HTMLElement): void {
  const columns = model.get("columns");
  const types = model.get("column_types");
  const rows = model.get("rows");
  const total = model.get("row_count");
  const index = new SearchIndex(rows);
  const state: TableState = {
    sortColumn: null,
    sortDirection: "asc",
    search: "",
    page: 0,
    pageSize: model.get("page_size"),
  };
  root.dataset.totalRows = String(total);
  root.dataset.shownRows = String(rows.length);

  const controls = h("div", "golap-table-controls");
  const search = h("input", "golap-table-search");
  search.type = "search";
  search.placeholder = "Search rows…";
  search.setAttribute("aria-label", "Search rows");
  const pager = h("div", "golap-pager");
  const prev = h("button", "golap-button golap-page-prev", "‹ Prev");
  const pageText = h("span", "golap-page-text");
  const next = h("button", "golap-button golap-page-next", "Next ›");
  pager.append(prev, pageText, next);
  controls.append(search, pager);

  const scroller = h("div", "golap-table-scroll");
  const table = h("table", "golap-table");
  const head = h("thead");
  const headRow = h("tr");
  const headers: HTMLTableCellElement[] = [];
  columns.forEach((name, column) => {
    const th = h("th");
    th.title = `${name}: ${types[column] ?? "ANY"} (click to sort)`;
    th.dataset.column = String(column);
    th.append(h("span", "golap-col-name", name), h("span", "golap-col-type", types[column] ?? ""));
    th.addEventListener("click", () => {
      Object.assign(state, nextSort(state, column));
      draw();
    });
    headers.push(th);
    headRow.append(th);
  });
  head.append(headRow);
  const body = h("tbody");
  table.append(head, body);
  scroller.append(table);
  const note = h("div", "golap-note golap-table-note");
  panel.replaceChildren(controls, scroller, note);

  const draw = () => {
    const view = tableView(rows, state, index);
    state.page = view.page;
    body.replaceChildren(
      ...view.indices.map((i) => {
        const tr = h("tr");
        tr.dataset.row = String(i);
        for (const value of rows[i] ?? []) {
          const td = h("td", value === null || value === undefined ? "golap-null" : undefined);
          td.textContent = value === null || value === undefined ? "null" : cellText(value);
          if (typeof value === "number") td.classList.add("golap-num");
          td.title = fullText(value).slice(0, 2000);
          tr.append(td);
        }
        return tr;
      }),
    );
    headers.forEach((th, column) => {
      const sorted = state.sortColumn === column;
      th.dataset.sort = sorted ? state.sortDirection : "";
      th.setAttribute(
        "aria-sort",
        sorted ? (state.sortDirection === "asc" ? "ascending" : "descending") : "none",
      );
    });
    pageText.textContent = `Page ${view.page + 1} of ${view.pageCount}`;
    prev.disabled = view.page === 0;
    next.disabled = view.page >= view.pageCount - 1;
    const { first, last, matching } = view;
    note.textContent = tableNote(first, last, matching, rows.length, total, state.search);
    if (!rows.length) note.textContent = total ? note.textContent : "The query returned no rows.";
  };
  search.addEventListener("input", () => {
    state.search = search.value;
    state.page = 0;
    draw();
  });
  prev.addEventListener("click", () => {
    state.page -= 1;
    draw();
  });
  next.addEventListener("click", () => {
    state.page += 1;
    draw();
  });
  draw();
}

function renderJson(panel: HTMLElement, model: Model): void {
  const columns = model.get("columns");
  const rows = model.get("rows");
  const objects = rows
    .slice(0, JSON_ROWS)
    .map((row) => Object.fromEntries(columns.map((name, i) => [name, row[i] ?? null])));
  const pre = h("pre", "golap-json", JSON.stringify(objects, null, 2));
  const note = h(
    "div",
    "golap-note",
    rows.length > JSON_ROWS
      ? `The first ${JSON_ROWS} rows; result.to_json() gives them all.`
      : `${formatCount(rows.length)} rows; result.to_json() writes them to a file.`,
  );
  panel.replaceChildren(note, pre);
}

function renderMetadata(panel: HTMLElement, model: Model): void {
  const meta = model.get("metadata");
  const table = h("table", "golap-metadata");
  const add = (term: string, value: string | HTMLElement) => {
    const row = h("tr");
    const cell = h("td");
    cell.append(value);
    row.append(h("th", undefined, term), cell);
    table.append(row);
  };
  add("Rows", formatCount(meta.rows));
  if (meta.row_count !== meta.rows) add("Rows reported", formatCount(meta.row_count));
  add("Rows sent to the browser", formatCount(model.get("rows").length));
  add("Truncated", meta.truncated ? "yes: the instance's row limit stopped the query" : "no");
  add("Execution time", `${Number(meta.execution_time_ms).toLocaleString("en-US")} ms`);
  add("Instance", meta.instance ?? "–");
  const types = h("table", "golap-types");
  meta.columns.forEach((name, i) => {
    const row = h("tr");
    row.append(h("td", undefined, name), h("td", "golap-col-type", meta.column_types[i] ?? ""));
    types.append(row);
  });
  add(`Columns (${meta.columns.length})`, types);
  if (meta.query) add("Query", h("pre", "golap-query", meta.query));
  panel.replaceChildren(table);
}
