import { assert, assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import { S3Error, type S3ErrorCode } from "./s3_errors.ts";
import { parseOperation, parseTarget, type S3Operation, type S3Target } from "./s3_operation.ts";

const BASE_DOMAIN = "localhost";

function expectS3Error(action: () => unknown, code: S3ErrorCode, label: string): S3Error {
  const error = assertThrows(() => action(), `${label}: expected ${code}, but it succeeded`);
  assert(error instanceof S3Error, `${label}: expected S3Error ${code}, got ${error}`);
  assertEquals(error.code, code, `${label}: ${error.message}`);
  return error;
}

interface TargetCase {
  readonly name: string;
  readonly host: string;
  readonly path: string;
  readonly baseDomain?: string;
  readonly expected: S3Target;
}

const TARGET_CASES: readonly TargetCase[] = [
  { name: "service root", host: "localhost:9000", path: "/", expected: { bucket: null, key: null } },
  { name: "empty path", host: "localhost:9000", path: "", expected: { bucket: null, key: null } },
  {
    name: "path-style bucket",
    host: "localhost:9000",
    path: "/photos",
    expected: { bucket: "photos", key: null },
  },
  {
    name: "path-style bucket with a trailing slash",
    host: "localhost:9000",
    path: "/photos/",
    expected: { bucket: "photos", key: null },
  },
  {
    name: "path-style key",
    host: "localhost:9000",
    path: "/photos/cat.jpg",
    expected: { bucket: "photos", key: "cat.jpg" },
  },
  {
    name: "path-style key with slashes, empty segments and a trailing slash",
    host: "127.0.0.1:9000",
    path: "/photos/a//b/c/",
    expected: { bucket: "photos", key: "a//b/c/" },
  },
  {
    name: "path style on an IPv6 host",
    host: "[::1]:9000",
    path: "/b/k",
    expected: { bucket: "b", key: "k" },
  },
  {
    name: "path style when the host is the base domain itself",
    host: "localhost:9000",
    path: "/b/k",
    expected: { bucket: "b", key: "k" },
  },
  {
    name: "path style when the host only ends with the base domain's text",
    host: "evillocalhost:9000",
    path: "/b/k",
    expected: { bucket: "b", key: "k" },
  },
  {
    name: "path style when the base domain is empty",
    host: "b.localhost",
    path: "/b/k",
    baseDomain: "",
    expected: { bucket: "b", key: "k" },
  },
  {
    name: "virtual-host bucket",
    host: "photos.localhost",
    path: "/",
    expected: { bucket: "photos", key: null },
  },
  {
    name: "virtual-host key with a port",
    host: "photos.localhost:9000",
    path: "/a/b.jpg",
    expected: { bucket: "photos", key: "a/b.jpg" },
  },
  {
    name: "virtual-host bucket with dots under a multi-label base domain",
    host: "my.photos.s3.example.com:443",
    path: "/k",
    baseDomain: "s3.example.com",
    expected: { bucket: "my.photos", key: "k" },
  },
  {
    name: "virtual-host name in upper case",
    host: "Photos.LocalHost:9000",
    path: "/K",
    expected: { bucket: "photos", key: "K" },
  },
  {
    name: "virtual-host key with a leading slash kept",
    host: "b.localhost",
    path: "//k",
    expected: { bucket: "b", key: "/k" },
  },
  {
    name: "percent-encoded space and slash",
    host: "localhost",
    path: "/b/a%20b%2Fc",
    expected: { bucket: "b", key: "a b/c" },
  },
  {
    name: "'+' kept as a plus sign",
    host: "localhost",
    path: "/b/a+b",
    expected: { bucket: "b", key: "a+b" },
  },
  {
    name: "%2B decoded to a plus sign",
    host: "localhost",
    path: "/b/a%2Bb",
    expected: { bucket: "b", key: "a+b" },
  },
  {
    name: "lower-case percent escapes",
    host: "localhost",
    path: "/b/%c3%a9",
    expected: { bucket: "b", key: "é" },
  },
  {
    name: "a 4-byte UTF-8 character escaped",
    host: "localhost",
    path: "/b/%F0%9F%98%80.txt",
    expected: { bucket: "b", key: "😀.txt" },
  },
  {
    name: "escaped control characters",
    host: "localhost",
    path: "/b/%00%01%0A%7F",
    expected: { bucket: "b", key: "\u0000\u0001\n\u007F" },
  },
  {
    name: "an escaped percent sign left undecoded once",
    host: "localhost",
    path: "/b/100%2541",
    expected: { bucket: "b", key: "100%41" },
  },
  {
    name: "a percent-encoded key in virtual-host style",
    host: "b.localhost",
    path: "/%E2%82%AC/%3F",
    expected: { bucket: "b", key: "€/?" },
  },
  {
    name: "a percent-encoded path-style bucket",
    host: "localhost",
    path: "/b%75cket/k",
    expected: { bucket: "bucket", key: "k" },
  },
];

for (const c of TARGET_CASES) {
  Deno.test(`parseTarget() reads ${c.name}`, () => {
    assertEquals(parseTarget(c.host, c.path, c.baseDomain ?? BASE_DOMAIN), c.expected);
  });
}

const BAD_ESCAPES: readonly [string, string][] = [
  ["a Latin-1 byte that is not UTF-8", "/b/caf%E9"],
  ["an encoded UTF-16 surrogate", "/b/%ED%A0%80"],
  ["an overlong encoding of '/'", "/b/%C0%AF"],
  ["a truncated 4-byte sequence", "/b/%F0%9F%98"],
  ["a lone continuation byte", "/b/%80"],
  ["a byte that never occurs in UTF-8", "/b/%FF"],
  ["a bare percent sign", "/b/100%"],
  ["a percent sign with one hex digit", "/b/%4"],
  ["a percent sign with non-hex digits", "/b/%zz"],
];

for (const [name, path] of BAD_ESCAPES) {
  Deno.test(`parseTarget() rejects ${name} with InvalidArgument`, () => {
    expectS3Error(() => parseTarget("localhost", path, BASE_DOMAIN), "InvalidArgument", path);
  });
}

Deno.test("parseTarget() rejects invalid UTF-8 in a virtual-host key with InvalidArgument", () => {
  expectS3Error(() => parseTarget("b.localhost", "/%E9", BASE_DOMAIN), "InvalidArgument", "/%E9");
});

interface OperationCase {
  readonly method: string;
  readonly bucket: string | null;
  readonly key?: string;
  readonly query?: string;
  readonly expected: S3Operation;
}

const OPERATION_CASES: readonly OperationCase[] = [
  { method: "GET", bucket: null, expected: { name: "ListBuckets" } },
  { method: "PUT", bucket: "b-1", expected: { name: "CreateBucket", bucket: "b-1" } },
  { method: "DELETE", bucket: "b-1", expected: { name: "DeleteBucket", bucket: "b-1" } },
  { method: "HEAD", bucket: "b-1", expected: { name: "HeadBucket", bucket: "b-1" } },
  { method: "GET", bucket: "b-1", query: "location", expected: { name: "GetBucketLocation", bucket: "b-1" } },
  {
    method: "GET",
    bucket: "b-1",
    query: "uploads",
    expected: { name: "ListMultipartUploads", bucket: "b-1" },
  },
  { method: "GET", bucket: "b-1", query: "acl", expected: { name: "GetBucketAcl", bucket: "b-1" } },
  { method: "POST", bucket: "b-1", query: "delete", expected: { name: "DeleteObjects", bucket: "b-1" } },
  { method: "PUT", bucket: "b-1", query: "acl", expected: { name: "PutBucketAcl", bucket: "b-1" } },
  { method: "GET", bucket: "b-1", query: "policy", expected: { name: "GetBucketPolicy", bucket: "b-1" } },
  { method: "PUT", bucket: "b-1", query: "policy", expected: { name: "PutBucketPolicy", bucket: "b-1" } },
  {
    method: "DELETE",
    bucket: "b-1",
    query: "policy",
    expected: { name: "DeleteBucketPolicy", bucket: "b-1" },
  },
  {
    method: "GET",
    bucket: "b-1",
    query: "lifecycle",
    expected: { name: "GetBucketLifecycleConfiguration", bucket: "b-1" },
  },
  {
    method: "PUT",
    bucket: "b-1",
    query: "lifecycle",
    expected: { name: "PutBucketLifecycleConfiguration", bucket: "b-1" },
  },
  {
    method: "DELETE",
    bucket: "b-1",
    query: "lifecycle",
    expected: { name: "DeleteBucketLifecycle", bucket: "b-1" },
  },
  {
    method: "GET",
    bucket: "b-1",
    key: "k",
    query: "acl",
    expected: { name: "GetObjectAcl", bucket: "b-1", key: "k" },
  },
  ...(["GET", "PUT", "DELETE"] as const).flatMap((method) => {
    const verb = method === "GET" ? "Get" : method === "PUT" ? "Put" : "Delete";
    return [
      {
        method,
        bucket: "b-1",
        key: "k",
        query: "tagging",
        expected: { name: `${verb}ObjectTagging`, bucket: "b-1", key: "k" } as S3Operation,
      },
      {
        method,
        bucket: "b-1",
        query: "tagging",
        expected: { name: `${verb}BucketTagging`, bucket: "b-1" } as S3Operation,
      },
    ];
  }),
  {
    method: "PUT",
    bucket: "b-1",
    key: "k",
    query: "acl",
    expected: { name: "PutObjectAcl", bucket: "b-1", key: "k" },
  },
  ...([
    ["GET", "acl", "GetObjectAcl"],
    ["PUT", "acl", "PutObjectAcl"],
    ["GET", "attributes", "GetObjectAttributes"],
    ["GET", "tagging", "GetObjectTagging"],
    ["PUT", "tagging", "PutObjectTagging"],
    ["DELETE", "tagging", "DeleteObjectTagging"],
  ] as const).flatMap(([method, subresource, name]) => [
    {
      method,
      bucket: "b-1",
      key: "k",
      query: `${subresource}&versionId=0123abc`,
      expected: { name, bucket: "b-1", key: "k", versionId: "0123abc" } as S3Operation,
    },
    {
      method,
      bucket: "b-1",
      key: "k",
      query: `versionId=null&${subresource}`,
      expected: { name, bucket: "b-1", key: "k", versionId: "null" } as S3Operation,
    },
  ]),
  { method: "GET", bucket: "b-1", expected: { name: "ListObjects", bucket: "b-1" } },
  {
    method: "GET",
    bucket: "b-1",
    query: "list-type=1&prefix=a",
    expected: { name: "ListObjects", bucket: "b-1" },
  },
  { method: "GET", bucket: "b-1", query: "list-type=2", expected: { name: "ListObjectsV2", bucket: "b-1" } },
  { method: "PUT", bucket: "b-1", key: "k", expected: { name: "PutObject", bucket: "b-1", key: "k" } },
  { method: "GET", bucket: "b-1", key: "k", expected: { name: "GetObject", bucket: "b-1", key: "k" } },
  {
    method: "GET",
    bucket: "b-1",
    key: "k",
    query: "x-id=GetObject&response-content-type=text%2Fplain",
    expected: { name: "GetObject", bucket: "b-1", key: "k" },
  },
  { method: "HEAD", bucket: "b-1", key: "k", expected: { name: "HeadObject", bucket: "b-1", key: "k" } },
  { method: "DELETE", bucket: "b-1", key: "k", expected: { name: "DeleteObject", bucket: "b-1", key: "k" } },
  {
    method: "POST",
    bucket: "b-1",
    key: "k",
    query: "uploads",
    expected: { name: "CreateMultipartUpload", bucket: "b-1", key: "k" },
  },
  {
    method: "PUT",
    bucket: "b-1",
    key: "k",
    query: "partNumber=1&uploadId=u-1",
    expected: { name: "UploadPart", bucket: "b-1", key: "k", uploadId: "u-1", partNumber: 1 },
  },
  {
    method: "PUT",
    bucket: "b-1",
    key: "k",
    query: "partNumber=10000&uploadId=u-1",
    expected: { name: "UploadPart", bucket: "b-1", key: "k", uploadId: "u-1", partNumber: 10_000 },
  },
  {
    method: "POST",
    bucket: "b-1",
    key: "k",
    query: "uploadId=u-1",
    expected: { name: "CompleteMultipartUpload", bucket: "b-1", key: "k", uploadId: "u-1" },
  },
  {
    method: "DELETE",
    bucket: "b-1",
    key: "k",
    query: "uploadId=u-1",
    expected: { name: "AbortMultipartUpload", bucket: "b-1", key: "k", uploadId: "u-1" },
  },
  {
    method: "GET",
    bucket: "b-1",
    key: "k",
    query: "uploadId=u-1&max-parts=10",
    expected: { name: "ListParts", bucket: "b-1", key: "k", uploadId: "u-1" },
  },
  {
    method: "PUT",
    bucket: "b-1",
    key: "😀".repeat(256),
    expected: { name: "PutObject", bucket: "b-1", key: "😀".repeat(256) },
  },
  {
    method: "PUT",
    bucket: "b-1",
    key: "k".repeat(1024),
    expected: { name: "PutObject", bucket: "b-1", key: "k".repeat(1024) },
  },
  {
    method: "POST",
    bucket: "b-1",
    key: "k",
    query: "restore",
    expected: { name: "RestoreObject", bucket: "b-1", key: "k" },
  },
];

for (const c of OPERATION_CASES) {
  const label = `${c.method} ${c.bucket ?? ""}/${(c.key ?? "").slice(0, 10)}${c.query ? `?${c.query}` : ""}`;
  Deno.test(`parseOperation() reads ${label} as ${c.expected.name}`, () => {
    const target = { bucket: c.bucket, key: c.key ?? null };
    assertEquals(parseOperation(c.method, target, new URLSearchParams(c.query ?? "")), c.expected);
  });
}

interface ErrorCase {
  readonly name: string;
  readonly method: string;
  readonly bucket: string | null;
  readonly key?: string;
  readonly query?: string;
  readonly code: S3ErrorCode;
}

const ERROR_CASES: readonly ErrorCase[] = [
  { name: "PUT on the service", method: "PUT", bucket: null, code: "MethodNotAllowed" },
  { name: "POST on the service", method: "POST", bucket: null, code: "MethodNotAllowed" },
  { name: "PATCH on a bucket", method: "PATCH", bucket: "b-1", code: "MethodNotAllowed" },
  {
    name: "POST on an object without ?uploads",
    method: "POST",
    bucket: "b-1",
    key: "k",
    code: "MethodNotAllowed",
  },
  { name: "PATCH on an object", method: "PATCH", bucket: "b-1", key: "k", code: "MethodNotAllowed" },
  {
    name: "HEAD on a multipart upload",
    method: "HEAD",
    bucket: "b-1",
    key: "k",
    query: "uploadId=u",
    code: "MethodNotAllowed",
  },
  { name: "DELETE ?acl on a bucket", method: "DELETE", bucket: "b-1", query: "acl", code: "NotImplemented" },
  {
    name: "DELETE ?versioning on a bucket (never a DeleteBucket)",
    method: "DELETE",
    bucket: "b-1",
    query: "versioning",
    code: "NotImplemented",
  },
  {
    name: "PUT ?versions on a bucket (never a CreateBucket)",
    method: "PUT",
    bucket: "b-1",
    query: "versions",
    code: "NotImplemented",
  },
  {
    name: "DELETE ?delete on a bucket (never a DeleteBucket)",
    method: "DELETE",
    bucket: "b-1",
    query: "delete",
    code: "NotImplemented",
  },
  {
    name: "PUT ?uploads on a bucket (never a CreateBucket)",
    method: "PUT",
    bucket: "b-1",
    query: "uploads",
    code: "NotImplemented",
  },
  {
    name: "POST ?lifecycle on a bucket",
    method: "POST",
    bucket: "b-1",
    query: "lifecycle",
    code: "NotImplemented",
  },
  {
    name: "HEAD ?lifecycle on a bucket (never a HeadBucket)",
    method: "HEAD",
    bucket: "b-1",
    query: "lifecycle",
    code: "NotImplemented",
  },
  {
    name: "DELETE ?lifecycle on an object (never a DeleteObject)",
    method: "DELETE",
    bucket: "b-1",
    key: "k",
    query: "lifecycle",
    code: "NotImplemented",
  },
  {
    name: "HEAD ?policy on a bucket (never a HeadBucket)",
    method: "HEAD",
    bucket: "b-1",
    query: "policy",
    code: "NotImplemented",
  },
  {
    name: "POST ?policy on a bucket",
    method: "POST",
    bucket: "b-1",
    query: "policy",
    code: "NotImplemented",
  },
  {
    name: "DELETE ?policy on an object (never a DeleteObject)",
    method: "DELETE",
    bucket: "b-1",
    key: "k",
    query: "policy",
    code: "NotImplemented",
  },
  {
    name: "GET ?policyStatus on a bucket",
    method: "GET",
    bucket: "b-1",
    query: "policyStatus",
    code: "NotImplemented",
  },
  {
    name: "POST ?tagging on an object (never a CreateMultipartUpload)",
    method: "POST",
    bucket: "b-1",
    key: "k",
    query: "tagging",
    code: "NotImplemented",
  },
  {
    name: "DELETE ?acl on an object (never a DeleteObject)",
    method: "DELETE",
    bucket: "b-1",
    key: "k",
    query: "acl",
    code: "NotImplemented",
  },
  {
    name: "PUT ?attributes on an object (never a PutObject)",
    method: "PUT",
    bucket: "b-1",
    key: "k",
    query: "attributes",
    code: "NotImplemented",
  },
  {
    name: "GET ?restore on an object (only POST is RestoreObject)",
    method: "GET",
    bucket: "b-1",
    key: "k",
    query: "restore",
    code: "NotImplemented",
  },
  {
    name: "POST ?select on an object",
    method: "POST",
    bucket: "b-1",
    key: "k",
    query: "select&select-type=2",
    code: "NotImplemented",
  },
  {
    name: "GET ?uploads on an object",
    method: "GET",
    bucket: "b-1",
    key: "k",
    query: "uploads",
    code: "NotImplemented",
  },
  { name: "a bucket name with upper case", method: "GET", bucket: "Photos", code: "InvalidBucketName" },
  { name: "a bucket name with an underscore", method: "PUT", bucket: "my_bucket", code: "InvalidBucketName" },
  { name: "a two-character bucket name", method: "HEAD", bucket: "ab", code: "InvalidBucketName" },
  { name: "an IP-address bucket name", method: "PUT", bucket: "192.168.1.1", code: "InvalidBucketName" },
  {
    name: "an invalid bucket name on an object",
    method: "GET",
    bucket: "a..b",
    key: "k",
    code: "InvalidBucketName",
  },
  {
    name: "a key of 1025 bytes",
    method: "PUT",
    bucket: "b-1",
    key: "k".repeat(1025),
    code: "KeyTooLongError",
  },
  {
    name: "a key of 257 4-byte characters",
    method: "GET",
    bucket: "b-1",
    key: "😀".repeat(257),
    code: "KeyTooLongError",
  },
  {
    name: "a key of 1025 bytes on a multipart upload",
    method: "PUT",
    bucket: "b-1",
    key: "é".repeat(512) + "k",
    query: "uploadId=u&partNumber=1",
    code: "KeyTooLongError",
  },
  { name: "an empty key", method: "GET", bucket: "b-1", key: "", code: "InvalidArgument" },
];

for (const c of ERROR_CASES) {
  Deno.test(`parseOperation() rejects ${c.name} with ${c.code}`, () => {
    const target = { bucket: c.bucket, key: c.key ?? null };
    expectS3Error(
      () => parseOperation(c.method, target, new URLSearchParams(c.query ?? "")),
      c.code,
      c.name,
    );
  });
}

const BAD_PART_NUMBERS: readonly (string | null)[] = [
  null,
  "",
  "0",
  "-1",
  "10001",
  "1.5",
  "abc",
  "NaN",
  "Infinity",
];

for (const partNumber of BAD_PART_NUMBERS) {
  Deno.test(`parseOperation() rejects partNumber ${JSON.stringify(partNumber)} with InvalidArgument`, () => {
    const params = new URLSearchParams({ uploadId: "u-1" });
    if (partNumber !== null) params.set("partNumber", partNumber);
    const error = expectS3Error(
      () => parseOperation("PUT", { bucket: "b-1", key: "k" }, params),
      "InvalidArgument",
      `partNumber ${partNumber}`,
    );
    assertEquals(error.details, { ArgumentName: "partNumber", ArgumentValue: partNumber ?? "" });
  });
}

Deno.test("parseOperation() checks the bucket name before rejecting an unsupported sub-resource", () => {
  expectS3Error(
    () => parseOperation("GET", { bucket: "Bad_Name", key: null }, new URLSearchParams("acl")),
    "InvalidBucketName",
    "GET /Bad_Name?acl",
  );
});

Deno.test("parseOperation() names the bucket in InvalidBucketName", () => {
  const error = expectS3Error(
    () => parseOperation("PUT", { bucket: "Bad_Name", key: null }, new URLSearchParams()),
    "InvalidBucketName",
    "PUT /Bad_Name",
  );
  assertEquals(error.details, { BucketName: "Bad_Name" });
  assertEquals(error.status, 400);
});

Deno.test("parseOperation() reads a virtual-host target parsed by parseTarget()", () => {
  const target = parseTarget("photos.localhost:9000", "/2024/%F0%9F%98%80.jpg", BASE_DOMAIN);
  assertEquals(parseOperation("GET", target, new URLSearchParams()), {
    name: "GetObject",
    bucket: "photos",
    key: "2024/😀.jpg",
  });
});
