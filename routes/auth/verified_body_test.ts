import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { crc64nvme, toBase64 } from "../../storage/core/mod.ts";
import { crc32c } from "../../storage/core/crc32c.ts";
import type { AuthResult, PayloadMode } from "./auth_types.ts";
import { verifiedBody } from "./verified_body.ts";
import { assertS3Error, drain, sha256Hex } from "./test_support.ts";

const BODY = new TextEncoder().encode("The quick brown fox jumps over the lazy dog");
const MD5 = createHash("md5").update(BODY).digest("base64");
const CHECKSUMS: Record<string, string> = {
  "x-amz-checksum-crc32": "QU+jOQ==", // 0x414fa339, the well-known CRC32 of this sentence
  "x-amz-checksum-crc32c": toBase64(Uint8Array.of(...bigEndian(crc32c(BODY)))),
  "x-amz-checksum-crc64nvme": toBase64(crc64nvme(BODY)),
  "x-amz-checksum-sha1": createHash("sha1").update(BODY).digest("base64"),
  "x-amz-checksum-sha256": createHash("sha256").update(BODY).digest("base64"),
};

function bigEndian(value: number): number[] {
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function auth(payload: PayloadMode = { kind: "unsigned" }): AuthResult {
  return { accessKeyId: "AK", method: "header", payload };
}

function put(headers: Record<string, string>, body: BodyInit | null = BODY.slice()): Request {
  return new Request("http://h/b/k", { method: "PUT", headers, body });
}

Deno.test("verifiedBody() passes an unsigned body through and reports Content-Length", async () => {
  const verified = verifiedBody(put({ "content-length": String(BODY.length) }), auth());
  assert.equal(verified.decodedLength, BODY.length);
  assert.deepEqual(await drain(verified.body), BODY);
});

Deno.test("verifiedBody() errors with XAmzContentSHA256Mismatch when a signed body differs", async () => {
  const good = verifiedBody(put({}), auth({ kind: "signed", sha256Hex: sha256Hex(BODY) }));
  assert.deepEqual(await drain(good.body), BODY);
  const bad = verifiedBody(put({}), auth({ kind: "signed", sha256Hex: sha256Hex("other") }));
  await assertS3Error(drain(bad.body), "XAmzContentSHA256Mismatch");
});

Deno.test("verifiedBody() verifies an empty body against the empty SHA-256", async () => {
  const verified = verifiedBody(
    put({ "content-length": "0" }, null),
    auth({ kind: "signed", sha256Hex: sha256Hex("") }),
  );
  assert.equal((await drain(verified.body)).length, 0);
});

Deno.test("verifiedBody() checks Content-MD5: match passes, mismatch is BadDigest", async () => {
  assert.deepEqual(await drain(verifiedBody(put({ "content-md5": MD5 }), auth()).body), BODY);
  const other = createHash("md5").update("x").digest("base64");
  await assertS3Error(drain(verifiedBody(put({ "content-md5": other }), auth()).body), "BadDigest");
});

Deno.test("verifiedBody() rejects a Content-MD5 that is not base64 of 16 bytes with InvalidDigest", () => {
  for (const value of ["not base64!", "AAAA", MD5 + "AA", MD5.replace("==", "")]) {
    assert.throws(() => verifiedBody(put({ "content-md5": value }), auth()), (e: unknown) => {
      return e instanceof Error && "code" in e && e.code === "InvalidDigest";
    }, value);
  }
});

Deno.test("verifiedBody() checks each x-amz-checksum header: match passes, mismatch is BadDigest", async () => {
  for (const [name, value] of Object.entries(CHECKSUMS)) {
    assert.deepEqual(await drain(verifiedBody(put({ [name]: value }), auth()).body), BODY, name);
    const wrong = verifiedBody(put({ [name]: value }, BODY.slice(1)), auth());
    const error = await assertS3Error(drain(wrong.body), "BadDigest");
    assert.match(error.message, /did not match the calculated checksum/);
  }
});

Deno.test("verifiedBody() rejects malformed, repeated and unsupported checksum headers", () => {
  const code = (headers: Record<string, string>) => {
    try {
      verifiedBody(put(headers), auth());
      return "ok";
    } catch (error) {
      return error instanceof Error && "code" in error ? error.code : String(error);
    }
  };
  assert.equal(code({ "x-amz-checksum-crc32": "QU+jOQ" }), "InvalidRequest");
  assert.equal(code({ "x-amz-checksum-sha256": CHECKSUMS["x-amz-checksum-crc32"] }), "InvalidRequest");
  assert.equal(
    code({
      "x-amz-checksum-crc32": CHECKSUMS["x-amz-checksum-crc32"],
      "x-amz-checksum-sha1": CHECKSUMS["x-amz-checksum-sha1"],
    }),
    "InvalidRequest",
  );
  assert.equal(code({ "x-amz-checksum-crc64nvme": "AAAAAAAAAAA=" }), "ok");
  assert.equal(code({ "x-amz-checksum-md5": "AAAAAAAAAAAAAAAAAAAAAA==" }), "NotImplemented");
  assert.equal(code({ "x-amz-trailer": "x-amz-checksum-crc32" }), "InvalidRequest");
  assert.equal(code({ "x-amz-checksum-type": "FULL_OBJECT", "x-amz-checksum-mode": "ENABLED" }), "ok");
  assert.equal(code({ "content-length": "12abc" }), "InvalidRequest");
});

Deno.test("verifiedBody() errors with IncompleteBody when the body is shorter than Content-Length", async () => {
  const verified = verifiedBody(put({ "content-length": String(BODY.length + 1) }), auth());
  await assertS3Error(drain(verified.body), "IncompleteBody");
});

Deno.test("verifiedBody() errors with IncompleteBody when the body is longer than Content-Length", async () => {
  const verified = verifiedBody(put({ "content-length": String(BODY.length - 1) }), auth());
  await assertS3Error(drain(verified.body), "IncompleteBody");
});

Deno.test("verifiedBody() turns a failing request body into IncompleteBody", async () => {
  let sent = false;
  const failing = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(new Error("connection reset"));
      sent = true;
      controller.enqueue(BODY.slice(0, 10));
    },
  });
  await assertS3Error(drain(verifiedBody(put({}, failing), auth()).body), "IncompleteBody");
});

Deno.test("verifiedBody() reads nothing before the consumer asks (pull, no read-ahead)", async () => {
  let pulls = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      controller.enqueue(BODY.slice());
    },
  }, { highWaterMark: 0 });
  const verified = verifiedBody(put({}, source), auth());
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(pulls, 0);
  const reader = verified.body.getReader();
  await reader.read();
  assert.equal(pulls, 1);
  await reader.cancel();
});
