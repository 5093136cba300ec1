import { assertEquals } from "../tests/support/asserts.ts";
import { checkCopySourceConditions, parseCopySource, parseCopySourceRange } from "./copy_source.ts";
import { thrownS3Code } from "./s3_error_test_support.ts";

Deno.test("parseCopySource: bucket/key with or without a leading slash, decoded, null version only", () => {
  const cases: Array<[string, { bucket: string; key: string; versionId: string | null } | string]> = [
    ["src/a/b.txt", { bucket: "src", key: "a/b.txt", versionId: null }],
    ["/src/a/b.txt", { bucket: "src", key: "a/b.txt", versionId: null }],
    ["src/with%20space%3F.txt", { bucket: "src", key: "with space?.txt", versionId: null }],
    ["src/caf%C3%A9", { bucket: "src", key: "café", versionId: null }],
    ["src/k?versionId=null", { bucket: "src", key: "k", versionId: "null" }],
    ["src/k?versionId=3HL4kqtJ", { bucket: "src", key: "k", versionId: "3HL4kqtJ" }],
    ["src/k?versionId=", "InvalidArgument"],
    ["src/k?partNumber=1", "InvalidArgument"],
    ["srconly", "InvalidArgument"],
    ["src/", "InvalidArgument"],
    ["/", "InvalidArgument"],
    ["Bad_Bucket/k", "InvalidBucketName"],
    ["src/%ZZ", "InvalidArgument"],
  ];
  for (const [header, expected] of cases) {
    const parse = () => parseCopySource(new Headers({ "x-amz-copy-source": header }));
    if (typeof expected === "string") assertEquals(thrownS3Code(parse), expected, header);
    else assertEquals(parse(), expected, header);
  }
  assertEquals(parseCopySource(new Headers()), null);
});

Deno.test("checkCopySourceConditions: S3's documented combinations", () => {
  const validators = { etag: "abc", lastModifiedMs: Date.UTC(2026, 0, 1) };
  const before = new Date(Date.UTC(2025, 0, 1)).toUTCString();
  const after = new Date(Date.UTC(2027, 0, 1)).toUTCString();
  const cases: Array<[Record<string, string>, boolean]> = [
    [{}, true],
    [{ "x-amz-copy-source-if-match": '"abc"' }, true],
    [{ "x-amz-copy-source-if-match": '"abd"' }, false],
    [{ "x-amz-copy-source-if-none-match": '"abc"' }, false],
    [{ "x-amz-copy-source-if-none-match": '"abd"' }, true],
    [{ "x-amz-copy-source-if-modified-since": before }, true],
    [{ "x-amz-copy-source-if-modified-since": after }, false],
    [{ "x-amz-copy-source-if-unmodified-since": after }, true],
    [{ "x-amz-copy-source-if-unmodified-since": before }, false],
    // if-match true and if-unmodified-since false: the copy proceeds.
    [{ "x-amz-copy-source-if-match": '"abc"', "x-amz-copy-source-if-unmodified-since": before }, true],
    // if-none-match false and if-modified-since true: 412.
    [{ "x-amz-copy-source-if-none-match": '"abc"', "x-amz-copy-source-if-modified-since": before }, false],
  ];
  for (const [headers, proceeds] of cases) {
    const check = () => checkCopySourceConditions(new Headers(headers), validators);
    if (proceeds) check();
    else assertEquals(thrownS3Code(check), "PreconditionFailed", JSON.stringify(headers));
  }
});

Deno.test("parseCopySourceRange: bytes=first-last within the source only", () => {
  const range = (value: string) =>
    parseCopySourceRange(new Headers({ "x-amz-copy-source-range": value }), 100);
  assertEquals(range("bytes=0-99"), { start: 0, end: 99 });
  assertEquals(range("bytes=10-10"), { start: 10, end: 10 });
  assertEquals(parseCopySourceRange(new Headers(), 100), null);
  for (const bad of ["bytes=5-4", "bytes=-5", "bytes=5-", "5-10", "bytes=0-1,2-3"]) {
    assertEquals(thrownS3Code(() => range(bad)), "InvalidArgument", bad);
  }
  assertEquals(thrownS3Code(() => range("bytes=0-100")), "InvalidRange");
});
