/** The one result table every benchmark fills: each figure beside the machine limit it is a fraction of. */

/** One line of the table. A baseline row (a machine limit) has no baseline of its own. */
export interface BenchRow {
  readonly name: string;
  readonly figure: number;
  readonly unit: string;
  readonly baselineName?: string;
  readonly baselineFigure?: number;
}

/** A row measured against `baseline`, which must be in the same unit (so the ratio is meaningful). */
export function rowBeside(name: string, figure: number, baseline: BenchRow): BenchRow {
  return { name, figure, unit: baseline.unit, baselineName: baseline.name, baselineFigure: baseline.figure };
}

const HEADER = ["name", "figure", "unit", "baseline name", "baseline figure", "ratio"] as const;

/** Formats `rows` as `name | figure | unit | baseline name | baseline figure | ratio`, columns aligned. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((row) => [
    row.name,
    formatFigure(row.figure),
    row.unit,
    row.baselineName ?? "-",
    row.baselineFigure === undefined ? "-" : formatFigure(row.baselineFigure),
    row.baselineFigure === undefined ? "-" : (row.figure / row.baselineFigure).toFixed(3),
  ]);
  const all = [[...HEADER], ...cells];
  const widths = HEADER.map((_, column) => Math.max(...all.map((line) => line[column].length)));
  const numeric = new Set([1, 4, 5]);
  const render = (line: string[]) =>
    line.map((cell, column) =>
      numeric.has(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])
    )
      .join(" | ").trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("-|-");
  return [render(all[0]), rule, ...cells.map(render)].join("\n");
}

/** Three significant digits at most, never scientific notation for the sizes we print. */
function formatFigure(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}
