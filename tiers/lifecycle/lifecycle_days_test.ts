import { assertEquals } from "../../tests/support/asserts.ts";
import { assertThrows } from "../../tests/support/throws_test_support.ts";
import { AWS_DAY_MS, dateMs, dueAfterDaysMs, nextMidnightMs } from "./lifecycle_days.ts";

Deno.test("dueAfterDaysMs() rounds creation + days up to the next midnight UTC (the AWS example)", () => {
  // AWS: an object created 2014-01-15 10:30 UTC with a 3-day rule transitions on 2014-01-19 00:00 UTC.
  const createdMs = Date.parse("2014-01-15T10:30:00.000Z");
  assertEquals(dueAfterDaysMs(createdMs, 3, AWS_DAY_MS), Date.parse("2014-01-19T00:00:00.000Z"));
});

Deno.test("dueAfterDaysMs() keeps a sum that falls exactly on a midnight, on both day lengths", () => {
  const cases: Array<[startMs: number, days: number, dayMs: number, expectedMs: number]> = [
    [Date.parse("2024-03-01T00:00:00.000Z"), 1, AWS_DAY_MS, Date.parse("2024-03-02T00:00:00.000Z")],
    [Date.parse("2024-03-01T00:00:00.001Z"), 1, AWS_DAY_MS, Date.parse("2024-03-03T00:00:00.000Z")],
    [Date.parse("2024-02-29T23:59:59.999Z"), 1, AWS_DAY_MS, Date.parse("2024-03-02T00:00:00.000Z")],
    [4000, 1, 2000, 6000],
    [4001, 1, 2000, 8000],
    [5999, 1, 2000, 8000],
    [5999, 0, 2000, 6000],
    [6000, 0, 2000, 6000],
    [0, 3, 2000, 6000],
  ];
  for (const [startMs, days, dayMs, expectedMs] of cases) {
    assertEquals(dueAfterDaysMs(startMs, days, dayMs), expectedMs, `start ${startMs} + ${days} days`);
  }
});

Deno.test("nextMidnightMs() rounds up to a multiple of the day length", () => {
  assertEquals([0, 1, 1999, 2000, 2001].map((ms) => nextMidnightMs(ms, 2000)), [0, 2000, 2000, 2000, 4000]);
});

Deno.test("dueAfterDaysMs() rejects a day length or a day count that is not a whole positive number", () => {
  for (const [days, dayMs] of [[1, 0], [1, -2000], [1, 1.5], [-1, 2000], [0.5, 2000]]) {
    const error = assertThrows(() => dueAfterDaysMs(0, days, dayMs));
    assertEquals(error instanceof Error && /Expected/.test(error.message), true);
  }
});

Deno.test("dateMs() parses an ISO date and rejects anything else", () => {
  assertEquals(dateMs("2027-01-01T00:00:00.000Z"), Date.UTC(2027, 0, 1));
  assertThrows(() => dateMs("next tuesday"));
});
