import { assert, assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import { S3Error, type S3ErrorCode } from "./s3_errors.ts";
import { bucketNameProblem, checkBucketName, checkObjectKey, decodePathPiece } from "./s3_names.ts";

function expectS3Error(action: () => unknown, code: S3ErrorCode, label: string): S3Error {
  const error = assertThrows(() => action(), `${label}: expected ${code}, but it succeeded`);
  assert(error instanceof S3Error, `${label}: expected S3Error ${code}, got ${error}`);
  assertEquals(error.code, code, `${label}: ${error.message}`);
  return error;
}

const VALID_BUCKET_NAMES: readonly string[] = [
  "abc",
  "a".repeat(63),
  "my-bucket",
  "my.bucket.name",
  "0bucket9",
  "123",
  "a-b.c-d",
  "1.2.3",
  "1.2.3.4.5",
  "a.1.2.3",
  "xn-single-dash",
  "sthree",
  "bucket-s3alias-not-at-end",
  "s3alias",
];

for (const name of VALID_BUCKET_NAMES) {
  Deno.test(`bucketNameProblem() accepts ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)}`, () => {
    assertEquals(bucketNameProblem(name), null);
  });
}

interface InvalidNameCase {
  readonly name: string;
  readonly rule: string;
  /** A word the reason must contain, so each case hits the rule it is named for. */
  readonly reasonIncludes: string;
}

const INVALID_BUCKET_NAMES: readonly InvalidNameCase[] = [
  { name: "", rule: "empty", reasonIncludes: "3 to 63" },
  { name: "ab", rule: "too short", reasonIncludes: "3 to 63" },
  { name: "a".repeat(64), rule: "too long", reasonIncludes: "3 to 63" },
  { name: "Bucket", rule: "upper case", reasonIncludes: "lower-case" },
  { name: "my_bucket", rule: "underscore", reasonIncludes: "lower-case" },
  { name: "my bucket", rule: "space", reasonIncludes: "lower-case" },
  { name: "bücket", rule: "non-ASCII letter", reasonIncludes: "lower-case" },
  { name: "buc\u0000ket", rule: "control character", reasonIncludes: "lower-case" },
  { name: "-bucket", rule: "leading hyphen", reasonIncludes: "begin and end" },
  { name: ".bucket", rule: "leading period", reasonIncludes: "begin and end" },
  { name: "bucket-", rule: "trailing hyphen", reasonIncludes: "begin and end" },
  { name: "bucket.", rule: "trailing period", reasonIncludes: "begin and end" },
  { name: "my..bucket", rule: "two adjacent periods", reasonIncludes: "adjacent periods" },
  { name: "my.-bucket", rule: "period then hyphen", reasonIncludes: "'.-'" },
  { name: "my-.bucket", rule: "hyphen then period", reasonIncludes: "'.-'" },
  { name: "192.168.5.4", rule: "IP address", reasonIncludes: "IP address" },
  { name: "999.999.999.999", rule: "IP-address shape", reasonIncludes: "IP address" },
  { name: "xn--bucket", rule: "reserved prefix xn--", reasonIncludes: "xn--" },
  { name: "sthree-bucket", rule: "reserved prefix sthree-", reasonIncludes: "sthree-" },
  { name: "amzn-s3-demo-bucket", rule: "reserved prefix amzn-s3-demo-", reasonIncludes: "amzn-s3-demo-" },
  { name: "bucket-s3alias", rule: "reserved suffix -s3alias", reasonIncludes: "-s3alias" },
  { name: "bucket--ol-s3", rule: "reserved suffix --ol-s3", reasonIncludes: "--ol-s3" },
  { name: "bucket.mrap", rule: "reserved suffix .mrap", reasonIncludes: ".mrap" },
  { name: "bucket--x-s3", rule: "reserved suffix --x-s3", reasonIncludes: "--x-s3" },
  { name: "bucket--table-s3", rule: "reserved suffix --table-s3", reasonIncludes: "--table-s3" },
];

for (const c of INVALID_BUCKET_NAMES) {
  Deno.test(`bucketNameProblem() rejects a bucket name with ${c.rule}`, () => {
    const problem = bucketNameProblem(c.name);
    assert(problem !== null, `${JSON.stringify(c.name)} was accepted`);
    assert(problem.includes(c.reasonIncludes), `${JSON.stringify(c.name)}: ${problem}`);
  });
}

Deno.test("bucketNameProblem() reports the length of a name of the wrong length", () => {
  assertEquals(bucketNameProblem("a".repeat(64)), "must be 3 to 63 characters long, got 64");
});

Deno.test("checkBucketName() throws InvalidBucketName naming the bucket", () => {
  const error = expectS3Error(() => checkBucketName("Bad_Name"), "InvalidBucketName", "Bad_Name");
  assertEquals(error.details, { BucketName: "Bad_Name" });
  assert(error.message.includes("Bad_Name"), error.message);
});

Deno.test("checkBucketName() accepts a valid name", () => {
  checkBucketName("valid-name");
});

const VALID_KEYS: readonly [string, string][] = [
  ["one character", "k"],
  ["1024 ASCII bytes", "k".repeat(1024)],
  ["512 2-byte characters (1024 bytes)", "é".repeat(512)],
  ["256 4-byte characters (1024 bytes)", "😀".repeat(256)],
  ["control characters", "\u0000\u0001\n\r\t\u007F"],
  ["only slashes", "///"],
  ["dot segments", "../../etc/passwd"],
];

for (const [name, key] of VALID_KEYS) {
  Deno.test(`checkObjectKey() accepts a key of ${name}`, () => {
    checkObjectKey(key);
  });
}

const TOO_LONG_KEYS: readonly [string, string][] = [
  ["1025 ASCII bytes", "k".repeat(1025)],
  ["512 2-byte characters and one more byte", "é".repeat(512) + "k"],
  ["257 4-byte characters", "😀".repeat(257)],
  ["342 3-byte characters (1026 bytes, 342 UTF-16 units)", "€".repeat(342)],
];

for (const [name, key] of TOO_LONG_KEYS) {
  Deno.test(`checkObjectKey() rejects a key of ${name} with KeyTooLongError`, () => {
    expectS3Error(() => checkObjectKey(key), "KeyTooLongError", name);
  });
}

Deno.test("checkObjectKey() rejects an empty key with InvalidArgument", () => {
  expectS3Error(() => checkObjectKey(""), "InvalidArgument", "empty key");
});

interface DecodeCase {
  readonly name: string;
  readonly raw: string;
  readonly expected: string;
}

const DECODE_CASES: readonly DecodeCase[] = [
  { name: "plain ASCII", raw: "photos/cat.jpg", expected: "photos/cat.jpg" },
  { name: "an empty piece", raw: "", expected: "" },
  { name: "'+' as a plus sign", raw: "a+b", expected: "a+b" },
  { name: "an escaped space and plus", raw: "a%20b%2Bc", expected: "a b+c" },
  { name: "an escaped slash", raw: "a%2Fb", expected: "a/b" },
  { name: "upper- and lower-case hex", raw: "%C3%A9%c3%a9", expected: "éé" },
  { name: "an escaped NUL", raw: "%00", expected: "\u0000" },
  { name: "an escaped percent sign", raw: "%25", expected: "%" },
  { name: "an escaped astral character", raw: "%F0%9F%98%80", expected: "😀" },
  { name: "a raw astral character", raw: "😀", expected: "😀" },
  { name: "a raw astral character next to an escape", raw: "😀%41😀", expected: "😀A😀" },
  { name: "a raw BMP character next to an escape", raw: "é%20€", expected: "é €" },
  { name: "raw and escaped astral characters mixed", raw: "%F0%9F%98%80😀%F0%9D%84%9E", expected: "😀😀𝄞" },
  { name: "the highest code point escaped", raw: "%F4%8F%BF%BF", expected: "\u{10FFFF}" },
  { name: "a byte order mark, kept", raw: "%EF%BB%BFkey", expected: "\uFEFFkey" },
  { name: "an escaped U+FFFD", raw: "%EF%BF%BD", expected: "\uFFFD" },
];

for (const c of DECODE_CASES) {
  Deno.test(`decodePathPiece() decodes ${c.name}`, () => {
    assertEquals(decodePathPiece(c.raw), c.expected);
  });
}

const BAD_PIECES: readonly [string, string][] = [
  ["a bare percent sign", "%"],
  ["a percent sign at the end", "abc%"],
  ["one hex digit", "%4"],
  ["non-hex digits", "%G1"],
  ["a sign inside the escape", "%+1"],
  ["a Latin-1 byte", "%E9"],
  ["a lone continuation byte", "%80"],
  ["an overlong NUL", "%C0%80"],
  ["an encoded surrogate", "%ED%B0%80"],
  ["a code point above U+10FFFF", "%F4%90%80%80"],
  ["a truncated sequence before a raw character", "%E2%82😀"],
  ["0xFE", "%FE"],
];

for (const [name, raw] of BAD_PIECES) {
  Deno.test(`decodePathPiece() rejects ${name} with InvalidArgument`, () => {
    expectS3Error(() => decodePathPiece(raw), "InvalidArgument", raw);
  });
}
