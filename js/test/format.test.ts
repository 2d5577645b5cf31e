import { describe, expect, it } from "vitest";

import { cellText, formatSeconds, isNode, isRelationship, nameOf } from "../lib/format";
import { fraction, progressLine, stepText } from "../lib/progress";

describe("cellText", () => {
  it("abbreviates nodes, relationships and paths", () => {
    expect(cellText({ _id: "P_1", _label: "Person", name: "Ada" })).toBe("(:Person Ada)");
    expect(cellText({ _id: "P_1", _label: "Person" })).toBe("(:Person)");
    expect(cellText({ _id: "K_1", _type: "KNOWS", _start: "a", _end: "b" })).toBe("[:KNOWS]");
    const path = [
      { _id: "a", _label: "P" },
      { _id: "r", _type: "K", _start: "a", _end: "b" },
      { _id: "b", _label: "P" },
    ];
    expect(cellText(path)).toBe("path: 2 nodes, 1 rels");
  });
  it("shows scalars, cuts long text and keeps nulls empty", () => {
    expect(cellText(null)).toBe("");
    expect(cellText(3.5)).toBe("3.5");
    expect(cellText(false)).toBe("false");
    expect(cellText("x".repeat(100))).toHaveLength(80);
    expect(cellText([1, 2])).toBe("[1,2]");
    expect(cellText({ a: 1 })).toBe('{"a":1}');
  });
  it("tells nodes from relationships", () => {
    expect(isNode({ _id: 1, _label: "A" })).toBe(true);
    expect(isRelationship({ _id: 1, _label: "A", _type: "T", _start: 1, _end: 2 })).toBe(false);
    expect(nameOf({ id: 7 })).toBe("7");
    expect(nameOf({ other: 7 })).toBeNull();
  });
});

describe("progress text", () => {
  it("formats durations", () => {
    expect(formatSeconds(3.21)).toBe("3.2 s");
    expect(formatSeconds(42)).toBe("42 s");
    expect(formatSeconds(65)).toBe("1 min 05 s");
    expect(formatSeconds(3725)).toBe("1 h 02 min");
    expect(formatSeconds(-1)).toBe("–");
  });
  it("builds the line under the bar", () => {
    const model = { completed: 3, total: 7, state: "active" as const, eta_s: 20 };
    expect(progressLine(model, 12)).toBe("3 / 7 steps · 12 s elapsed · about 20 s left");
    expect(progressLine({ ...model, state: "done" }, 12)).toBe("3 / 7 steps · 12 s elapsed");
    expect(progressLine({ ...model, total: 0, eta_s: null }, 1)).toBe("1.0 s elapsed");
  });
  it("computes the fraction and step text", () => {
    expect(fraction(3, 4)).toBe(0.75);
    expect(fraction(5, 4)).toBe(1);
    expect(fraction(1, 0)).toBeNull();
    expect(stepText({ name: "Customer", status: "completed", row_count: 1200 })).toBe(
      "Customer · 1,200 rows",
    );
    expect(stepText({ name: "Product", status: "pending" })).toBe("Product");
  });
});
