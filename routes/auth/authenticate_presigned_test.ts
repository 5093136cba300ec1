import assert from "node:assert/strict";
import { authenticateRequest } from "./authenticate.ts";
import { verifiedBody } from "./verified_body.ts";
import {
  ACCESS_KEY_ID,
  assertS3Error,
  authOptions,
  drain,
  encodeKey,
  NOW_MS,
  presignedUrl,
  sha256Hex,
} from "./test_support.ts";

/** What the AWS SDK presigner adds before presigning; smithy hoists it into the query. */
const SDK_PRESIGN_HEADERS = { "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD" };

function authenticate(request: Request, options = authOptions()) {
  return authenticateRequest(request, new URL(request.url), options);
}

Deno.test("authenticateRequest() accepts a presigned GET", async () => {
  const url = await presignedUrl({
    method: "GET",
    path: `/bucket/${encodeKey("dir/ü 😀+~=.txt")}`,
    query: { "response-content-type": "text/plain", "versionId": "" },
    headers: SDK_PRESIGN_HEADERS,
    expiresIn: 3600,
  });
  const result = await authenticate(new Request(url));
  assert.deepEqual(result, {
    accessKeyId: ACCESS_KEY_ID,
    method: "presigned",
    payload: { kind: "unsigned" },
  });
});

Deno.test("authenticateRequest() accepts a presigned PUT whose body then streams through", async () => {
  const url = await presignedUrl({
    method: "PUT",
    path: "/bucket/upload",
    headers: SDK_PRESIGN_HEADERS,
    expiresIn: 60,
  });
  const body = new TextEncoder().encode("presigned upload");
  const request = new Request(url, {
    method: "PUT",
    body,
    headers: { "content-length": String(body.length) },
  });
  const result = await authenticate(request);
  assert.equal(result.method, "presigned");
  assert.deepEqual(await drain(verifiedBody(request, result).body), body);
});

Deno.test("authenticateRequest() signs UNSIGNED-PAYLOAD for a presigned URL without X-Amz-Content-Sha256", async () => {
  // smithy signs a stream body as UNSIGNED-PAYLOAD and adds no query parameter for it.
  const url = await presignedUrl({
    method: "PUT",
    path: "/bucket/k",
    body: new ReadableStream(),
    expiresIn: 60,
  });
  assert.doesNotMatch(url, /content-sha256/i);
  const result = await authenticate(new Request(url, { method: "PUT", body: "browser upload" }));
  assert.deepEqual(result.payload, { kind: "unsigned" });
});

Deno.test("authenticateRequest() checks a presigned PUT body against its X-Amz-Content-Sha256", async () => {
  const body = new TextEncoder().encode("exact bytes");
  const url = await presignedUrl({
    method: "PUT",
    path: "/bucket/k",
    headers: { "X-Amz-Content-Sha256": sha256Hex(body) },
    expiresIn: 60,
  });
  const good = new Request(url, { method: "PUT", body });
  assert.deepEqual(await drain(verifiedBody(good, await authenticate(good)).body), body);
  const bad = new Request(url, { method: "PUT", body: "other bytes" });
  await assertS3Error(drain(verifiedBody(bad, await authenticate(bad)).body), "XAmzContentSHA256Mismatch");
});

Deno.test("authenticateRequest() denies an expired presigned URL", async () => {
  const url = await presignedUrl({
    method: "GET",
    path: "/bucket/k",
    headers: SDK_PRESIGN_HEADERS,
    expiresIn: 60,
    signingMs: NOW_MS - 61_000,
  });
  const error = await assertS3Error(authenticate(new Request(url)), "AccessDenied");
  assert.equal(error.message, "Request has expired");
});

Deno.test("authenticateRequest() rejects X-Amz-Expires of 604801", async () => {
  const url = await presignedUrl({
    method: "GET",
    path: "/b/k",
    headers: SDK_PRESIGN_HEADERS,
    expiresIn: 604800,
  });
  assert.equal((await authenticate(new Request(url))).method, "presigned");
  const tooLong = url.replace("X-Amz-Expires=604800", "X-Amz-Expires=604801");
  await assertS3Error(authenticate(new Request(tooLong)), "AuthorizationQueryParametersError");
});

Deno.test("authenticateRequest() fails with SignatureDoesNotMatch for a tampered presigned query", async () => {
  const url = await presignedUrl({
    method: "GET",
    path: "/bucket/k",
    query: { "response-content-disposition": "inline" },
    headers: SDK_PRESIGN_HEADERS,
    expiresIn: 3600,
  });
  const tampered = [
    url.replace("inline", "attachment"),
    url.replace("X-Amz-Expires=3600", "X-Amz-Expires=7200"),
    url.replace("/bucket/k", "/bucket/j"),
    url + "&extra=",
  ];
  for (const one of tampered) await assertS3Error(authenticate(new Request(one)), "SignatureDoesNotMatch");
  await assertS3Error(authenticate(new Request(url, { method: "DELETE" })), "SignatureDoesNotMatch");
});

Deno.test("authenticateRequest() rejects a presigned URL with a wrong secret or unknown key", async () => {
  const wrong = await presignedUrl({
    method: "GET",
    path: "/b/k",
    headers: SDK_PRESIGN_HEADERS,
    expiresIn: 60,
    secret: "x",
  });
  await assertS3Error(authenticate(new Request(wrong)), "SignatureDoesNotMatch");
  const unknown = authOptions({ lookupSecretKey: () => Promise.resolve(null) });
  await assertS3Error(authenticate(new Request(wrong), unknown), "InvalidAccessKeyId");
});

Deno.test("authenticateRequest() rejects presigned URLs with missing parameters or another region", async () => {
  const url = await presignedUrl({
    method: "GET",
    path: "/b/k",
    headers: SDK_PRESIGN_HEADERS,
    expiresIn: 60,
  });
  const withoutDate = url.replace(/X-Amz-Date=[^&]+&?/, "");
  await assertS3Error(authenticate(new Request(withoutDate)), "AuthorizationQueryParametersError");
  const otherRegion = await presignedUrl({
    method: "GET",
    path: "/b/k",
    headers: SDK_PRESIGN_HEADERS,
    expiresIn: 60,
    region: "ap-south-1",
  });
  const error = await assertS3Error(
    authenticate(new Request(otherRegion)),
    "AuthorizationQueryParametersError",
  );
  assert.match(error.message, /expecting 'us-east-1'/);
});
