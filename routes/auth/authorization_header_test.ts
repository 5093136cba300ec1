import assert from "node:assert/strict";
import { S3Error } from "../s3_errors.ts";
import { parseAuthorizationHeader } from "./authorization_header.ts";

const SIGNATURE = "a".repeat(64);
const GOOD = `AWS4-HMAC-SHA256 Credential=AK/20261125/us-east-1/s3/aws4_request, ` +
  `SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${SIGNATURE}`;

function codeOf(value: string): string {
  try {
    parseAuthorizationHeader(value, "us-east-1");
    return "ok";
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
}

Deno.test("parseAuthorizationHeader() parses a well-formed header", () => {
  const parsed = parseAuthorizationHeader(GOOD, "us-east-1");
  assert.equal(parsed.credential.accessKeyId, "AK");
  assert.equal(parsed.credential.scope, "20261125/us-east-1/s3/aws4_request");
  assert.deepEqual(parsed.signedHeaders, ["host", "x-amz-content-sha256", "x-amz-date"]);
  assert.equal(parsed.signature, SIGNATURE);
});

Deno.test("parseAuthorizationHeader() accepts components without spaces and in any order", () => {
  const value = `AWS4-HMAC-SHA256 Signature=${SIGNATURE.toUpperCase()},SignedHeaders=host,` +
    `Credential=AK/20261125/us-east-1/s3/aws4_request`;
  assert.equal(parseAuthorizationHeader(value, "us-east-1").signature, SIGNATURE);
});

Deno.test("parseAuthorizationHeader() rejects junk as AuthorizationHeaderMalformed", () => {
  const junk = [
    "",
    "AWS4-HMAC-SHA256",
    "garbage",
    GOOD.replace(", Signature=", ", Sig="),
    GOOD.replace("Signature=" + SIGNATURE, "Signature=abc"),
    GOOD + ", Signature=" + SIGNATURE,
    GOOD.replace("SignedHeaders=host;", "SignedHeaders=Host;"),
    GOOD.replace("SignedHeaders=host;", "SignedHeaders=host;host;"),
    GOOD.replace("SignedHeaders=host;x-amz-content-sha256;x-amz-date", "SignedHeaders="),
    GOOD.replace("Credential=AK/20261125/", "Credential=AK/2026-11-25/"),
    GOOD.replace("/aws4_request", ""),
    GOOD.replace("/aws4_request", "/aws5_request"),
    GOOD.replace("/s3/", "/iam/"),
    GOOD.replace("Credential=AK/", "Credential=/"),
    GOOD + "x".repeat(9000),
  ];
  for (const value of junk) assert.equal(codeOf(value), "AuthorizationHeaderMalformed", value.slice(0, 120));
});

Deno.test("parseAuthorizationHeader() names the expected region when the scope has another", () => {
  assert.throws(
    () => parseAuthorizationHeader(GOOD.replace("us-east-1", "eu-west-3"), "us-east-1"),
    (e: unknown) =>
      e instanceof S3Error && e.code === "AuthorizationHeaderMalformed" &&
      e.message.includes("expecting 'us-east-1'") &&
      e.details.Region === "us-east-1",
  );
});

Deno.test("parseAuthorizationHeader() rejects SigV2 and other schemes as InvalidRequest", () => {
  assert.equal(codeOf("AWS AK:c2lnbmF0dXJl"), "InvalidRequest");
  assert.equal(codeOf("AWS4-ECDSA-P256-SHA256 Credential=AK/20261125/s3/aws4_request"), "InvalidRequest");
  assert.equal(codeOf("Bearer token"), "InvalidRequest");
});
