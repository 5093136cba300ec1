import assert from "node:assert/strict";
import { authenticateRequest } from "./authenticate.ts";
import { SigningKeyCache } from "./signing_key.ts";
import { verifiedBody } from "./verified_body.ts";
import {
  ACCESS_KEY_ID,
  assertS3Error,
  authOptions,
  drain,
  encodeKey,
  NOW_MS,
  sha256Hex,
  signedRequest,
} from "./test_support.ts";

const UNSIGNED = { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };

function authenticate(request: Request, options = authOptions()) {
  return authenticateRequest(request, new URL(request.url), options);
}

Deno.test("authenticateRequest() accepts a GET signed with UNSIGNED-PAYLOAD", async () => {
  const request = await signedRequest({ method: "GET", path: "/bucket/key", headers: UNSIGNED });
  const result = await authenticate(request);
  assert.deepEqual(result, { accessKeyId: ACCESS_KEY_ID, method: "header", payload: { kind: "unsigned" } });
});

Deno.test("authenticateRequest() accepts a PUT with a signed payload and verifiedBody() passes it", async () => {
  const body = new TextEncoder().encode("hello, signed world");
  const request = await signedRequest({
    method: "PUT",
    path: "/bucket/key",
    headers: { "x-amz-content-sha256": sha256Hex(body), "content-length": String(body.length) },
    body,
  });
  const result = await authenticate(request);
  assert.deepEqual(result.payload, { kind: "signed", sha256Hex: sha256Hex(body) });
  const verified = verifiedBody(request, result);
  assert.equal(verified.decodedLength, body.length);
  assert.deepEqual(await drain(verified.body), body);
});

Deno.test("authenticateRequest() accepts keys with spaces, unicode, + ~ = and 4-byte UTF-8", async () => {
  const keys = ["a b", "ü/ñ/日本", "a+b~c=d", "emoji 😀/𝄞", "!'()*&$@:,;?#[]", "%41%zz", "ctrl\u0001\u007f"];
  // Dot segments ("a/../b") cannot be tested here: `new Request()` resolves them. sdk_end_to_end_test.ts
  // sends one through a real socket, where `request.url` keeps it.
  for (const key of keys) {
    const request = await signedRequest({
      method: "GET",
      path: `/bucket/${encodeKey(key)}`,
      headers: UNSIGNED,
    });
    assert.equal((await authenticate(request)).accessKeyId, ACCESS_KEY_ID, key);
  }
});

Deno.test("authenticateRequest() accepts queries with empty values, repeated names and spaces", async () => {
  const request = await signedRequest({
    method: "GET",
    path: "/bucket",
    query: { acl: "", "list-type": "2", prefix: "a b+c/ü", tag: ["z", "a", ""], "": "x" },
    headers: UNSIGNED,
  });
  assert.equal((await authenticate(request)).method, "header");
});

Deno.test("authenticateRequest() fails with SignatureDoesNotMatch for a wrong secret", async () => {
  const request = await signedRequest({
    method: "GET",
    path: "/bucket/key",
    headers: UNSIGNED,
    secret: "wrong",
  });
  const error = await assertS3Error(authenticate(request), "SignatureDoesNotMatch");
  assert.ok(error.details.CanonicalRequest.startsWith("GET\n/bucket/key\n"));
});

Deno.test("authenticateRequest() fails with SignatureDoesNotMatch when the request was altered", async () => {
  const request = await signedRequest({
    method: "GET",
    path: "/bucket/key",
    query: { a: "1" },
    headers: UNSIGNED,
  });
  const alterations = [
    new Request(request.url.replace("/key", "/kez"), request),
    new Request(request.url.replace("a=1", "a=2"), request),
    new Request(request.url + "&extra=1", request),
    new Request(request.url, { method: "DELETE", headers: request.headers }),
  ];
  for (const altered of alterations) await assertS3Error(authenticate(altered), "SignatureDoesNotMatch");
});

Deno.test("authenticateRequest() fails with InvalidAccessKeyId for an unknown key", async () => {
  const request = await signedRequest({ method: "GET", path: "/bucket/key", headers: UNSIGNED });
  const options = authOptions({ lookupSecretKey: () => Promise.resolve(null) });
  await assertS3Error(authenticate(request, options), "InvalidAccessKeyId");
});

Deno.test("authenticateRequest() allows 14 minutes of skew and rejects 16", async () => {
  for (const offsetMs of [-14 * 60_000, 14 * 60_000]) {
    const request = await signedRequest({
      method: "GET",
      path: "/b/k",
      headers: UNSIGNED,
      signingMs: NOW_MS + offsetMs,
    });
    assert.equal((await authenticate(request)).method, "header");
  }
  for (const offsetMs of [-16 * 60_000, 16 * 60_000]) {
    const request = await signedRequest({
      method: "GET",
      path: "/b/k",
      headers: UNSIGNED,
      signingMs: NOW_MS + offsetMs,
    });
    await assertS3Error(authenticate(request), "RequestTimeTooSkewed");
  }
});

Deno.test("authenticateRequest() requires x-amz-content-sha256 and a valid value for it", async () => {
  const request = await signedRequest({ method: "GET", path: "/b/k", headers: UNSIGNED });
  const missing = new Request(request);
  missing.headers.delete("x-amz-content-sha256");
  await assertS3Error(authenticate(missing), "InvalidRequest");
  const invalid = await signedRequest({
    method: "GET",
    path: "/b/k",
    headers: { "x-amz-content-sha256": "abc" },
  });
  await assertS3Error(authenticate(invalid), "InvalidArgument");
});

Deno.test("authenticateRequest() denies a request whose x-amz-content-sha256 is not signed", async () => {
  const request = await signedRequest({ method: "GET", path: "/b/k", headers: UNSIGNED });
  const authorization = request.headers.get("authorization")!.replace(";x-amz-content-sha256", "");
  const unsigned = new Request(request, {
    headers: { ...Object.fromEntries(request.headers), authorization },
  });
  await assertS3Error(authenticate(unsigned), "AccessDenied");
});

Deno.test("authenticateRequest() names the expected region for a scope with another", async () => {
  const request = await signedRequest({
    method: "GET",
    path: "/b/k",
    headers: UNSIGNED,
    region: "eu-west-1",
  });
  const error = await assertS3Error(authenticate(request), "AuthorizationHeaderMalformed");
  assert.match(error.message, /'eu-west-1' is wrong; expecting 'us-east-1'/);
});

Deno.test("authenticateRequest() rejects malformed Authorization and date headers", async () => {
  const request = await signedRequest({ method: "GET", path: "/b/k", headers: UNSIGNED });
  const withHeader = (name: string, value: string) => {
    const copy = new Request(request);
    copy.headers.set(name, value);
    return copy;
  };
  await assertS3Error(
    authenticate(withHeader("authorization", "AWS4-HMAC-SHA256 junk")),
    "AuthorizationHeaderMalformed",
  );
  await assertS3Error(authenticate(withHeader("authorization", "AWS AKIDEXAMPLE:c2ln")), "InvalidRequest");
  await assertS3Error(authenticate(withHeader("x-amz-date", "2026-11-25T08:30:00Z")), "AccessDenied");
});

Deno.test("authenticateRequest() rejects an Authorization header together with a presigned query", async () => {
  const request = await signedRequest({ method: "GET", path: "/b/k", headers: UNSIGNED });
  const both = new Request(request.url + "?X-Amz-Signature=" + "a".repeat(64), request);
  await assertS3Error(authenticate(both), "InvalidArgument");
});

Deno.test("authenticateRequest() treats a request without credentials as anonymous", async () => {
  const result = await authenticate(new Request("http://127.0.0.1:9000/bucket/key"));
  assert.deepEqual(result, { accessKeyId: null, method: "anonymous", payload: { kind: "unsigned" } });
  await assertS3Error(
    authenticate(new Request("http://h/b/k?AWSAccessKeyId=AK&Signature=x&Expires=1")),
    "InvalidRequest",
  );
});

Deno.test("authenticateRequest() gets signing keys from the cache in its options", async () => {
  const signingKeys = new SigningKeyCache(8);
  for (let i = 0; i < 3; i++) {
    const request = await signedRequest({ method: "GET", path: `/b/k${i}`, headers: UNSIGNED });
    await authenticate(request, authOptions({ signingKeys }));
  }
  assert.equal(signingKeys.size, 1);
});
