import assert from "node:assert/strict";
import { S3Error } from "../s3_errors.ts";
import { checkPresignedTime, parsePresignedQuery } from "./presigned_query.ts";

const SIGNATURE = "b".repeat(64);

function pairs(overrides: Record<string, string | null> = {}): [string, string][] {
  const base: Record<string, string | null> = {
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": "AK/20261125/us-east-1/s3/aws4_request",
    "X-Amz-Date": "20261125T083000Z",
    "X-Amz-Expires": "3600",
    "X-Amz-SignedHeaders": "host",
    "X-Amz-Signature": SIGNATURE,
    ...overrides,
  };
  return Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== null);
}

function codeOf(overrides: Record<string, string | null>): string {
  try {
    parsePresignedQuery(pairs(overrides), "us-east-1");
    return "ok";
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
}

Deno.test("parsePresignedQuery() parses the SigV4 query parameters", () => {
  const query = parsePresignedQuery(pairs({ "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD" }), "us-east-1");
  assert.equal(query.credential.accessKeyId, "AK");
  assert.equal(query.expiresSeconds, 3600);
  assert.equal(query.dateMs, Date.UTC(2026, 10, 25, 8, 30));
  assert.deepEqual(query.signedHeaders, ["host"]);
  assert.equal(query.contentSha256, "UNSIGNED-PAYLOAD");
});

Deno.test("parsePresignedQuery() accepts X-Amz-Expires up to 604800 and rejects 604801", () => {
  assert.equal(codeOf({ "X-Amz-Expires": "604800" }), "ok");
  assert.equal(codeOf({ "X-Amz-Expires": "604801" }), "AuthorizationQueryParametersError");
});

Deno.test("parsePresignedQuery() rejects missing, repeated and malformed parameters", () => {
  const bad: Record<string, string | null>[] = [
    { "X-Amz-Date": null },
    { "X-Amz-Expires": null },
    { "X-Amz-Algorithm": "AWS4-HMAC-SHA1" },
    { "X-Amz-Date": "2026-11-25T08:30:00Z" },
    { "X-Amz-Date": "20260231T083000Z" },
    { "X-Amz-Expires": "-1" },
    { "X-Amz-Expires": "1e3" },
    { "X-Amz-SignedHeaders": "Host" },
    { "X-Amz-Signature": "xyz" },
    { "X-Amz-Credential": "AK/20261124/us-east-1/s3/aws4_request" },
    { "X-Amz-Credential": "AK/20261125/eu-west-1/s3/aws4_request" },
  ];
  for (const overrides of bad) {
    assert.equal(codeOf(overrides), "AuthorizationQueryParametersError", JSON.stringify(overrides));
  }
  assert.throws(
    () => parsePresignedQuery([...pairs(), ["X-Amz-Date", "20261125T083000Z"]], "us-east-1"),
    (e: unknown) => e instanceof S3Error && e.code === "AuthorizationQueryParametersError",
  );
});

Deno.test("checkPresignedTime() allows the whole window and denies after it or before it", () => {
  const query = parsePresignedQuery(pairs({ "X-Amz-Expires": "60" }), "us-east-1");
  const start = Date.UTC(2026, 10, 25, 8, 30);
  const skew = 15 * 60_000;
  checkPresignedTime(query, start + 60_000, skew);
  checkPresignedTime(query, start - skew, skew);
  const denied = (nowMs: number, message: string) =>
    assert.throws(
      () => checkPresignedTime(query, nowMs, skew),
      (e: unknown) => e instanceof S3Error && e.code === "AccessDenied" && e.message === message,
    );
  denied(start + 60_001, "Request has expired");
  denied(start - skew - 1, "Request is not valid yet");
});
