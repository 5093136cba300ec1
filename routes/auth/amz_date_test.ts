import assert from "node:assert/strict";
import { formatAmzDate, parseAmzDate, parseHttpDate } from "./amz_date.ts";

Deno.test("parseAmzDate() reads the ISO 8601 basic form and formatAmzDate() writes it back", () => {
  const ms = Date.UTC(2026, 10, 25, 8, 30, 5);
  assert.equal(parseAmzDate("20261125T083005Z"), ms);
  assert.equal(formatAmzDate(ms + 999), "20261125T083005Z");
});

Deno.test("parseAmzDate() rejects other forms and impossible dates", () => {
  for (
    const text of [
      "2026-11-25T08:30:05Z",
      "20261125T083005",
      "20261125T083005+0100",
      "20260230T000000Z",
      "20261125T246000Z",
    ]
  ) {
    assert.equal(parseAmzDate(text), null, text);
  }
});

Deno.test("parseHttpDate() reads IMF-fixdate and rejects other text", () => {
  assert.equal(parseHttpDate("Wed, 25 Nov 2026 08:30:05 GMT"), Date.UTC(2026, 10, 25, 8, 30, 5));
  assert.equal(parseHttpDate("20261125T083005Z"), null);
  assert.equal(parseHttpDate("Wed, not a date"), null);
});
