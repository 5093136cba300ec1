import { assert, assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import {
  parsePartNumber,
  parseRangeHeader,
  partNumberNotSatisfiable,
  type SatisfiableRange,
} from "./range_header.ts";
import { S3Error } from "./s3_errors.ts";

interface RangeCase {
  readonly header: string | null;
  readonly sizeBytes: number;
  /** The range to serve, or null to serve the whole object. */
  readonly expected: SatisfiableRange | null;
  readonly why: string;
}

const SERVED: readonly RangeCase[] = [
  { header: null, sizeBytes: 100, expected: null, why: "no header serves the whole object" },
  { header: "bytes=0-9", sizeBytes: 100, expected: { start: 0, end: 9 }, why: "first-last" },
  { header: "bytes=0-0", sizeBytes: 100, expected: { start: 0, end: 0 }, why: "a single first byte" },
  { header: "bytes=99-99", sizeBytes: 100, expected: { start: 99, end: 99 }, why: "a single last byte" },
  { header: "bytes=10-", sizeBytes: 100, expected: { start: 10, end: 99 }, why: "first- to the end" },
  { header: "bytes=0-", sizeBytes: 100, expected: { start: 0, end: 99 }, why: "0- is the whole object" },
  { header: "bytes=99-", sizeBytes: 100, expected: { start: 99, end: 99 }, why: "the last byte onward" },
  { header: "bytes=-10", sizeBytes: 100, expected: { start: 90, end: 99 }, why: "a suffix" },
  {
    header: "bytes=-100",
    sizeBytes: 100,
    expected: { start: 0, end: 99 },
    why: "a suffix of the whole size",
  },
  {
    header: "bytes=-1000",
    sizeBytes: 100,
    expected: { start: 0, end: 99 },
    why: "a suffix longer than the object",
  },
  {
    header: "bytes=50-500",
    sizeBytes: 100,
    expected: { start: 50, end: 99 },
    why: "an end past the size is clamped",
  },
  {
    header: "bytes=0-99999999999999999999",
    sizeBytes: 100,
    expected: { start: 0, end: 99 },
    why: "a huge end is clamped",
  },
  {
    header: "bytes=0-0",
    sizeBytes: 1,
    expected: { start: 0, end: 0 },
    why: "the one byte of a 1-byte object",
  },
  {
    header: "bytes=-1",
    sizeBytes: 1,
    expected: { start: 0, end: 0 },
    why: "a 1-byte suffix of a 1-byte object",
  },
  {
    header: "  bytes=1-2  ",
    sizeBytes: 100,
    expected: { start: 1, end: 2 },
    why: "surrounding spaces are trimmed",
  },
  { header: "bytes=007-010", sizeBytes: 100, expected: { start: 7, end: 10 }, why: "leading zeros" },
  {
    header: "bytes=6291455-6291456",
    sizeBytes: 12_582_912,
    expected: { start: 6_291_455, end: 6_291_456 },
    why: "a range across a stripe boundary",
  },
  {
    header: "bytes=5497558138879-",
    sizeBytes: 5 * 1024 ** 4,
    expected: { start: 5 * 1024 ** 4 - 1, end: 5 * 1024 ** 4 - 1 },
    why: "the last byte of a 5 TiB object",
  },
];

const IGNORED: readonly RangeCase[] = [
  { header: "bytes=5-3", sizeBytes: 100, expected: null, why: "first after last" },
  { header: "bytes=200-100", sizeBytes: 100, expected: null, why: "first after last, both past the end" },
  { header: "bytes=-", sizeBytes: 100, expected: null, why: "neither first nor last" },
  { header: "bytes=", sizeBytes: 100, expected: null, why: "an empty range set" },
  { header: "", sizeBytes: 100, expected: null, why: "an empty header" },
  { header: "bytes=a-b", sizeBytes: 100, expected: null, why: "letters" },
  { header: "bytes=1-2-3", sizeBytes: 100, expected: null, why: "three numbers" },
  { header: "bytes=-1-2", sizeBytes: 100, expected: null, why: "a negative first" },
  { header: "bytes=1.5-2", sizeBytes: 100, expected: null, why: "a fraction" },
  { header: "bytes=0x10-0x20", sizeBytes: 100, expected: null, why: "hex numbers" },
  { header: "bytes=1e2-", sizeBytes: 1000, expected: null, why: "an exponent" },
  { header: "bytes= 1-2", sizeBytes: 100, expected: null, why: "a space inside" },
  { header: "0-9", sizeBytes: 100, expected: null, why: "no unit" },
  { header: "items=0-9", sizeBytes: 100, expected: null, why: "another unit" },
  { header: "bytes 0-9", sizeBytes: 100, expected: null, why: "no equals sign" },
  { header: "bytes=0-1,3-4", sizeBytes: 100, expected: null, why: "two ranges" },
  { header: "bytes=0-1, 3-4", sizeBytes: 100, expected: null, why: "two ranges with a space" },
  { header: "bytes=-5,-6", sizeBytes: 100, expected: null, why: "two suffixes" },
  { header: "bytes=200-300,0-1", sizeBytes: 100, expected: null, why: "two ranges, the first unsatisfiable" },
  { header: "bytes=0-1\u0000", sizeBytes: 100, expected: null, why: "a NUL character" },
];

for (const c of [...SERVED, ...IGNORED]) {
  Deno.test(`parseRangeHeader() of ${JSON.stringify(c.header)} on ${c.sizeBytes} bytes: ${c.why}`, () => {
    assertEquals(parseRangeHeader(c.header, c.sizeBytes), c.expected);
  });
}

const UNSATISFIABLE: readonly { header: string; sizeBytes: number; why: string }[] = [
  { header: "bytes=100-", sizeBytes: 100, why: "first equal to the size" },
  { header: "bytes=100-200", sizeBytes: 100, why: "a range wholly past the end" },
  { header: "bytes=1000-", sizeBytes: 100, why: "first far past the size" },
  { header: "bytes=99999999999999999999-", sizeBytes: 100, why: "a huge first" },
  { header: "bytes=-0", sizeBytes: 100, why: "an empty suffix" },
  { header: "bytes=-0", sizeBytes: 0, why: "an empty suffix of an empty object" },
  { header: "bytes=0-", sizeBytes: 0, why: "0- of an empty object" },
  { header: "bytes=0-0", sizeBytes: 0, why: "the first byte of an empty object" },
  { header: "bytes=0-100", sizeBytes: 0, why: "a range of an empty object" },
  { header: "bytes=-1", sizeBytes: 0, why: "a suffix of an empty object" },
  { header: "bytes=1-", sizeBytes: 1, why: "past the one byte of a 1-byte object" },
];

for (const c of UNSATISFIABLE) {
  Deno.test(`parseRangeHeader() of ${JSON.stringify(c.header)} on ${c.sizeBytes} bytes is InvalidRange: ${c.why}`, () => {
    const error = assertThrows(() => parseRangeHeader(c.header, c.sizeBytes));
    assert(error instanceof S3Error, `expected S3Error, got ${error}`);
    assertEquals(error.code, "InvalidRange");
    assertEquals(error.status, 416);
    assertEquals(error.details, { ActualObjectSize: String(c.sizeBytes) });
  });
}

const PART_NUMBERS: readonly { query: string; expected: number | null }[] = [
  { query: "", expected: null },
  { query: "partNumber=1", expected: 1 },
  { query: "partNumber=2", expected: 2 },
  { query: "partNumber=10000", expected: 10_000 },
  { query: "partNumber=007", expected: 7 },
  { query: "x-id=GetObject&partNumber=3", expected: 3 },
];

for (const c of PART_NUMBERS) {
  Deno.test(`parsePartNumber() of ${JSON.stringify(c.query)} is ${c.expected}`, () => {
    assertEquals(parsePartNumber(new URLSearchParams(c.query), null), c.expected);
  });
}

for (const value of ["0", "10001", "-1", "1.0", "1e3", "abc", "", " 1", "99999999999999999999", "0x1"]) {
  Deno.test(`parsePartNumber() of partNumber=${JSON.stringify(value)} is InvalidArgument`, () => {
    const error = assertThrows(() => parsePartNumber(new URLSearchParams({ partNumber: value }), null));
    assert(error instanceof S3Error, `expected S3Error, got ${error}`);
    assertEquals(error.code, "InvalidArgument");
    assertEquals(error.details, { ArgumentName: "partNumber", ArgumentValue: value });
  });
}

Deno.test("parsePartNumber() with a Range header too is InvalidRequest", () => {
  const error = assertThrows(() => parsePartNumber(new URLSearchParams("partNumber=1"), "bytes=0-9"));
  assert(error instanceof S3Error, `expected S3Error, got ${error}`);
  assertEquals(error.code, "InvalidRequest");
  assertEquals(error.message, "Cannot specify both Range header and partNumber query parameter");
});

Deno.test("parsePartNumber() ignores a Range header when partNumber is absent", () => {
  assertEquals(parsePartNumber(new URLSearchParams(""), "bytes=0-9"), null);
});

Deno.test("partNumberNotSatisfiable() is a 416 naming the requested part and the part count", () => {
  const error = partNumberNotSatisfiable(4, 3);
  assertEquals(error.status, 416);
  assertEquals(error.details, { PartNumberRequested: "4", ActualPartCount: "3" });
});
