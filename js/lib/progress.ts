/** Text of the progress widget, kept apart from the DOM so it can be tested. */

import type { ProgressModel, ProgressStep } from "../models";
import { formatCount, formatSeconds } from "./format";

/** Fraction done in [0, 1], or null when the number of steps is unknown. */
export function fraction(completed: number, total: number): number | null {
  if (!total || total < 0) return null;
  return Math.min(1, Math.max(0, completed / total));
}

/** "3 / 7 steps · 12 s elapsed · about 20 s left". */
export function progressLine(
  model: Pick<ProgressModel, "completed" | "total" | "state" | "eta_s">,
  elapsed: number,
): string {
  const parts: string[] = [];
  if (model.total > 0) parts.push(`${model.completed} / ${model.total} steps`);
  parts.push(`${formatSeconds(elapsed)} elapsed`);
  if (model.state === "active" && model.eta_s !== null && model.eta_s !== undefined) {
    parts.push(`about ${formatSeconds(Math.max(0, model.eta_s))} left`);
  }
  return parts.join(" · ");
}

/** One step as "Customer · 1,200 rows". */
export function stepText(step: ProgressStep): string {
  const rows =
    step.row_count !== null && step.row_count !== undefined
      ? ` · ${formatCount(step.row_count)} rows`
      : "";
  return `${step.name}${rows}`;
}

/** A phase name for people: `loading_nodes` → "loading nodes". */
export function phaseText(phase: string): string {
  return phase.replace(/_/g, " ").trim();
}
