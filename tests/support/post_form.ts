/**
 * The signing fields of a browser form upload (POST Object), computed by the test's own HMAC code (not
 * the gateway's): a base64 policy over `conditions` (plus the credential, algorithm and date fields) and
 * its SigV4 signature.
 */
import { createHmac } from "node:crypto";
import { TEST_CREDENTIALS } from "./cluster.ts";

function hmac(key: Uint8Array | string, text: string): Uint8Array {
  return createHmac("sha256", key).update(text).digest();
}

/** Form fields that sign `conditions` with `credentials` (the root test key by default). */
export function signedFormFields(
  conditions: unknown[],
  expiresInMs = 600_000,
  credentials: { accessKeyId: string; secretAccessKey: string } = TEST_CREDENTIALS,
): Record<string, string> {
  const now = new Date();
  const date = now.toISOString().slice(0, 10).replaceAll("-", "");
  const amzDate = `${date}T${now.toISOString().slice(11, 19).replaceAll(":", "")}Z`;
  const credential = `${credentials.accessKeyId}/${date}/us-east-1/s3/aws4_request`;
  const policy = btoa(JSON.stringify({
    expiration: new Date(now.getTime() + expiresInMs).toISOString(),
    conditions: [
      ...conditions,
      { "x-amz-algorithm": "AWS4-HMAC-SHA256" },
      { "x-amz-credential": credential },
      { "x-amz-date": amzDate },
    ],
  }));
  let key: Uint8Array = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of ["us-east-1", "s3", "aws4_request"]) key = hmac(key, part);
  return {
    policy,
    "x-amz-algorithm": "AWS4-HMAC-SHA256",
    "x-amz-credential": credential,
    "x-amz-date": amzDate,
    "x-amz-signature": Array.from(hmac(key, policy), (byte) => byte.toString(16).padStart(2, "0")).join(""),
  };
}
