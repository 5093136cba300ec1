import { assertEquals } from "../tests/support/asserts.ts";
import { formatTable } from "./bench_table.ts";
import { missingRow, showGaps } from "./missing_figure.ts";

Deno.test("showGaps() prints a missing figure, baseline and ratio as aligned dashes", () => {
  const baseline = missingRow("nginx GET", "req/s", "nginx not installed");
  const table = showGaps(formatTable([
    baseline,
    { name: "gateway GET", figure: 1234, unit: "req/s", baselineName: "nginx GET", baselineFigure: NaN },
  ]));
  const lines = table.split("\n");
  assertEquals(lines[2].split(" | ").map((cell) => cell.trim()), [
    "nginx GET",
    "-",
    "req/s (nginx not installed)",
    "-",
    "-",
    "-",
  ]);
  assertEquals(lines[3].split(" | ").map((cell) => cell.trim()).slice(4), ["-", "-"]);
  assertEquals(new Set(lines.map((line) => line.indexOf("|"))).size, 1);
  assertEquals(table.includes("NaN"), false);
});

Deno.test("showGaps() leaves a table without missing figures unchanged", () => {
  const table = formatTable([{ name: "memcpy", figure: 12.5, unit: "GB/s" }]);
  assertEquals(showGaps(table), table);
});
