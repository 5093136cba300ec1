import { assertEquals } from "../tests/support/asserts.ts";
import {
  evaluatePreconditions,
  ifRangeMatches,
  parseHttpDate,
  type PreconditionOutcome,
  type Validators,
} from "./preconditions.ts";

const ETAG = "0123456789abcdef0123456789abcdef";
/** Last-Modified is 2026-03-04T05:06:07.890Z; the header shows it truncated to the second. */
const VALIDATORS: Validators = { etag: ETAG, lastModifiedMs: Date.UTC(2026, 2, 4, 5, 6, 7, 890) };
const LAST_MODIFIED = "Wed, 04 Mar 2026 05:06:07 GMT";
const SECOND_BEFORE = "Wed, 04 Mar 2026 05:06:06 GMT";
const SECOND_AFTER = "Wed, 04 Mar 2026 05:06:08 GMT";
const FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT";

const PROCEED: PreconditionOutcome = { kind: "proceed" };
const NOT_MODIFIED: PreconditionOutcome = { kind: "not-modified" };
const failed = (condition: "If-Match" | "If-Unmodified-Since" | "If-None-Match"): PreconditionOutcome => ({
  kind: "failed",
  condition,
});

interface PreconditionCase {
  readonly why: string;
  readonly headers: Record<string, string>;
  readonly method?: string;
  readonly expected: PreconditionOutcome;
}

const CASES: readonly PreconditionCase[] = [
  { why: "no conditional header proceeds", headers: {}, expected: PROCEED },
  // If-Match: strong comparison.
  { why: "If-Match with the ETag proceeds", headers: { "if-match": `"${ETAG}"` }, expected: PROCEED },
  { why: "If-Match * proceeds on an existing object", headers: { "if-match": "*" }, expected: PROCEED },
  {
    why: "If-Match with another ETag fails",
    headers: { "if-match": '"other"' },
    expected: failed("If-Match"),
  },
  {
    why: "If-Match with a weak tag fails (strong comparison)",
    headers: { "if-match": `W/"${ETAG}"` },
    expected: failed("If-Match"),
  },
  {
    why: "If-Match with a list holding the ETag proceeds",
    headers: { "if-match": `"a", "b,c" ,"${ETAG}"` },
    expected: PROCEED,
  },
  {
    why: "If-Match with an unquoted ETag proceeds (as S3)",
    headers: { "if-match": ETAG },
    expected: PROCEED,
  },
  { why: "If-Match with an empty value fails", headers: { "if-match": "" }, expected: failed("If-Match") },
  {
    why: "If-Match with a case-changed ETag fails",
    headers: { "if-match": `"${ETAG.toUpperCase()}"` },
    expected: failed("If-Match"),
  },
  // If-Unmodified-Since, only without If-Match.
  {
    why: "If-Unmodified-Since at Last-Modified proceeds",
    headers: { "if-unmodified-since": LAST_MODIFIED },
    expected: PROCEED,
  },
  {
    why: "If-Unmodified-Since after Last-Modified proceeds",
    headers: { "if-unmodified-since": SECOND_AFTER },
    expected: PROCEED,
  },
  {
    why: "If-Unmodified-Since before Last-Modified fails",
    headers: { "if-unmodified-since": SECOND_BEFORE },
    expected: failed("If-Unmodified-Since"),
  },
  {
    why: "an invalid If-Unmodified-Since is ignored",
    headers: { "if-unmodified-since": "yesterday" },
    expected: PROCEED,
  },
  {
    why: "If-Match true wins over a failing If-Unmodified-Since (S3: 200)",
    headers: { "if-match": `"${ETAG}"`, "if-unmodified-since": SECOND_BEFORE },
    expected: PROCEED,
  },
  {
    why: "If-Match false fails even when If-Unmodified-Since holds",
    headers: { "if-match": '"other"', "if-unmodified-since": SECOND_AFTER },
    expected: failed("If-Match"),
  },
  // If-None-Match: weak comparison.
  {
    why: "If-None-Match with the ETag is 304",
    headers: { "if-none-match": `"${ETAG}"` },
    expected: NOT_MODIFIED,
  },
  {
    why: "If-None-Match with the weak ETag is 304 (weak comparison)",
    headers: { "if-none-match": `W/"${ETAG}"` },
    expected: NOT_MODIFIED,
  },
  {
    why: "If-None-Match * is 304 on an existing object",
    headers: { "if-none-match": "*" },
    expected: NOT_MODIFIED,
  },
  {
    why: "If-None-Match with another ETag proceeds",
    headers: { "if-none-match": '"other"' },
    expected: PROCEED,
  },
  {
    why: "If-None-Match with a list holding the ETag is 304",
    headers: { "if-none-match": `"x", W/"${ETAG}"` },
    expected: NOT_MODIFIED,
  },
  {
    why: "If-None-Match on HEAD is 304 too",
    method: "HEAD",
    headers: { "if-none-match": `"${ETAG}"` },
    expected: NOT_MODIFIED,
  },
  {
    why: "If-None-Match matching on PUT fails with 412",
    method: "PUT",
    headers: { "if-none-match": "*" },
    expected: failed("If-None-Match"),
  },
  // If-Modified-Since, only without If-None-Match and only on GET/HEAD.
  {
    why: "If-Modified-Since at Last-Modified is 304 (second precision)",
    headers: { "if-modified-since": LAST_MODIFIED },
    expected: NOT_MODIFIED,
  },
  {
    why: "If-Modified-Since in the future is 304",
    headers: { "if-modified-since": FUTURE },
    expected: NOT_MODIFIED,
  },
  {
    why: "If-Modified-Since before Last-Modified proceeds",
    headers: { "if-modified-since": SECOND_BEFORE },
    expected: PROCEED,
  },
  {
    why: "an invalid If-Modified-Since is ignored",
    headers: { "if-modified-since": "2026-03-04T05:06:07Z" },
    expected: PROCEED,
  },
  {
    why: "If-Modified-Since is ignored on PUT",
    method: "PUT",
    headers: { "if-modified-since": FUTURE },
    expected: PROCEED,
  },
  {
    why: "If-None-Match false with If-Modified-Since true is 304 (S3)",
    headers: { "if-none-match": `"${ETAG}"`, "if-modified-since": SECOND_BEFORE },
    expected: NOT_MODIFIED,
  },
  {
    why: "If-None-Match true wins over If-Modified-Since false: proceeds",
    headers: { "if-none-match": '"other"', "if-modified-since": FUTURE },
    expected: PROCEED,
  },
  // Order between the groups.
  {
    why: "If-Match false is 412 before If-None-Match could give 304",
    headers: { "if-match": '"other"', "if-none-match": `"${ETAG}"` },
    expected: failed("If-Match"),
  },
  {
    why: "If-Unmodified-Since false is 412 before If-Modified-Since could give 304",
    headers: { "if-unmodified-since": SECOND_BEFORE, "if-modified-since": FUTURE },
    expected: failed("If-Unmodified-Since"),
  },
  {
    why: "If-Match true then If-None-Match false is 304",
    headers: { "if-match": `"${ETAG}"`, "if-none-match": `"${ETAG}"` },
    expected: NOT_MODIFIED,
  },
];

for (const c of CASES) {
  Deno.test(`evaluatePreconditions() on ${c.method ?? "GET"}: ${c.why}`, () => {
    assertEquals(evaluatePreconditions(c.method ?? "GET", new Headers(c.headers), VALIDATORS), c.expected);
  });
}

/** A response time well after Last-Modified, so a date validator is strong. */
const LATER = VALIDATORS.lastModifiedMs + 60_000;

const IF_RANGE: readonly { value: string | null; nowMs?: number; expected: boolean; why: string }[] = [
  { value: null, expected: true, why: "no If-Range honours the range" },
  { value: `"${ETAG}"`, expected: true, why: "the current ETag" },
  { value: ` "${ETAG}" `, expected: true, why: "the current ETag with spaces" },
  { value: '"stale"', expected: false, why: "a stale ETag" },
  { value: `W/"${ETAG}"`, expected: false, why: "a weak ETag never matches" },
  { value: LAST_MODIFIED, expected: true, why: "exactly Last-Modified" },
  { value: "Wednesday, 04-Mar-26 05:06:07 GMT", expected: true, why: "Last-Modified in RFC 850 form" },
  { value: "Wed Mar  4 05:06:07 2026", expected: true, why: "Last-Modified in asctime form" },
  { value: SECOND_BEFORE, expected: false, why: "a date before Last-Modified" },
  { value: SECOND_AFTER, expected: false, why: "a date after Last-Modified (must be exact)" },
  { value: "not a date", expected: false, why: "an invalid validator" },
  // RFC 9110 §8.8.2.2: a Last-Modified within one second of the response's Date is a weak validator.
  {
    value: LAST_MODIFIED,
    nowMs: VALIDATORS.lastModifiedMs + 1000,
    expected: true,
    why: "Last-Modified exactly one second before now is strong",
  },
  {
    value: LAST_MODIFIED,
    nowMs: VALIDATORS.lastModifiedMs + 999,
    expected: false,
    why: "Last-Modified less than one second before now is weak",
  },
  {
    value: LAST_MODIFIED,
    nowMs: VALIDATORS.lastModifiedMs,
    expected: false,
    why: "Last-Modified equal to now is weak",
  },
  {
    value: LAST_MODIFIED,
    nowMs: VALIDATORS.lastModifiedMs - 5000,
    expected: false,
    why: "Last-Modified after now (clock skew) is weak",
  },
  {
    value: `"${ETAG}"`,
    nowMs: VALIDATORS.lastModifiedMs,
    expected: true,
    why: "an ETag is strong however recent the write",
  },
];

for (const c of IF_RANGE) {
  const at = c.nowMs === undefined ? "" : ` at Last-Modified + ${c.nowMs - VALIDATORS.lastModifiedMs} ms`;
  Deno.test(`ifRangeMatches() of ${JSON.stringify(c.value)}${at} is ${c.expected}: ${c.why}`, () => {
    assertEquals(ifRangeMatches(c.value, VALIDATORS, c.nowMs ?? LATER), c.expected);
  });
}

const DATES: readonly { text: string | null; expected: number | null }[] = [
  { text: null, expected: null },
  { text: "Sun, 06 Nov 1994 08:49:37 GMT", expected: Date.UTC(1994, 10, 6, 8, 49, 37) },
  { text: "Sunday, 06-Nov-94 08:49:37 GMT", expected: Date.UTC(1994, 10, 6, 8, 49, 37) },
  { text: "Sun Nov  6 08:49:37 1994", expected: Date.UTC(1994, 10, 6, 8, 49, 37) },
  { text: "Thu, 01 Jan 1970 00:00:00 GMT", expected: 0 },
  { text: "Sun, 06 Nov 1994 08:49:37 UTC", expected: null },
  { text: "Sun, 06 Nov 1994 08:49:37 +0000", expected: null },
  { text: "Sun, 6 Nov 1994 08:49:37 GMT", expected: null },
  { text: "Sun, 31 Feb 1994 08:49:37 GMT", expected: null },
  { text: "Sun, 06 Nov 1994 24:00:00 GMT", expected: null },
  { text: "1994-11-06T08:49:37Z", expected: null },
  { text: "", expected: null },
];

for (const c of DATES) {
  Deno.test(`parseHttpDate() of ${JSON.stringify(c.text)} is ${c.expected}`, () => {
    assertEquals(parseHttpDate(c.text), c.expected);
  });
}
