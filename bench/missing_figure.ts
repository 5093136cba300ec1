/**
 * Rows that could not be measured on this machine (a tool such as wrk or nginx is not installed): the
 * figure is NaN and the unit carries the reason, and `showGaps` prints every NaN cell of the formatted
 * table (figure, baseline figure, ratio) as `-`, keeping the columns aligned.
 */
import type { BenchRow } from "./bench_table.ts";

/** A row whose figure is missing because of `reason` (e.g. "wrk not installed"). */
export function missingRow(name: string, unit: string, reason: string): BenchRow {
  return { name, figure: NaN, unit: `${unit} (${reason})` };
}

/** `table` (from formatTable) with each cell that reads `NaN` replaced by a right-aligned `-`. */
export function showGaps(table: string): string {
  return table.split("\n").map((line) =>
    line.split(" | ").map((cell) => cell.trim() === "NaN" ? cell.replace("NaN", "  -") : cell).join(" | ")
  ).join("\n");
}
