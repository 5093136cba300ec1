import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { crc32, toBase64 } from "../../storage/core/mod.ts";
import { crc32c } from "../../storage/core/crc32c.ts";
import type { AuthResult } from "./auth_types.ts";
import { authenticateRequest } from "./authenticate.ts";
import { verifiedBody } from "./verified_body.ts";
import {
  assertS3Error,
  authOptions,
  drain,
  encodeSignedChunks,
  encodeUnsignedChunks,
  REGION,
  SECRET_ACCESS_KEY,
  signedRequest,
  streamOf,
  testSigningKey,
} from "./test_support.ts";

const CHUNKS = [
  new Uint8Array(65_536).fill(7),
  new Uint8Array(65_536).fill(8),
  new TextEncoder().encode("tail"),
];
const DATA = new Uint8Array(CHUNKS.reduce((n, c) => n + c.length, 0));
CHUNKS.reduce((offset, chunk) => (DATA.set(chunk, offset), offset + chunk.length), 0);

function crcBase64(value: number): string {
  return toBase64(Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff));
}

const TRAILERS: Record<string, string> = {
  "x-amz-checksum-crc32": crcBase64(crc32(DATA)),
  "x-amz-checksum-crc32c": crcBase64(crc32c(DATA)),
  "x-amz-checksum-sha256": createHash("sha256").update(DATA).digest("base64"),
};

interface SignedBodyOptions {
  trailer?: [string, string];
  tamperChunk?: number;
  tamperTrailer?: boolean;
  pieceBytes?: number;
}

/** A header-signed streaming PUT (smithy signs the headers; the test encoder signs the chunks). */
async function streamingSignedPut(chunks: Uint8Array[], options: SignedBodyOptions = {}) {
  const decodedLength = chunks.reduce((n, c) => n + c.length, 0);
  const signed = await signedRequest({
    method: "PUT",
    path: "/bucket/streamed",
    headers: {
      "x-amz-content-sha256": `STREAMING-AWS4-HMAC-SHA256-PAYLOAD${options.trailer ? "-TRAILER" : ""}`,
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": String(decodedLength),
      ...(options.trailer ? { "x-amz-trailer": options.trailer[0] } : {}),
    },
  });
  const amzDate = signed.headers.get("x-amz-date")!;
  const seed = /Signature=([0-9a-f]{64})/.exec(signed.headers.get("authorization")!)![1];
  const body = encodeSignedChunks(chunks, {
    signingKey: testSigningKey(SECRET_ACCESS_KEY, amzDate.slice(0, 8)),
    amzDate,
    scope: `${amzDate.slice(0, 8)}/${REGION}/s3/aws4_request`,
    previousSignature: seed,
  }, options);
  const headers = new Headers(signed.headers);
  headers.set("content-length", String(body.length));
  const request = new Request(signed.url, {
    method: "PUT",
    headers,
    body: streamOf(body, options.pieceBytes),
  });
  return { request, auth: await authenticateRequest(request, new URL(request.url), authOptions()) };
}

const UNSIGNED_TRAILER: AuthResult = {
  accessKeyId: null,
  method: "anonymous",
  payload: { kind: "streaming-unsigned-trailer" },
};

function unsignedTrailerPut(
  body: Uint8Array,
  headers: Record<string, string> = {},
  pieceBytes?: number,
): Request {
  return new Request("http://h/b/k", {
    method: "PUT",
    headers: {
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": String(DATA.length),
      ...headers,
    },
    body: streamOf(body, pieceBytes),
  });
}

Deno.test("verifiedBody() decodes a streaming-signed body, read in 1000-byte pieces", async () => {
  const { request, auth } = await streamingSignedPut(CHUNKS, { pieceBytes: 1000 });
  assert.equal(auth.payload.kind, "streaming-signed");
  const verified = verifiedBody(request, auth);
  assert.equal(verified.decodedLength, DATA.length);
  assert.deepEqual(await drain(verified.body), DATA);
});

Deno.test("verifiedBody() rejects a tampered chunk signature with SignatureDoesNotMatch", async () => {
  for (const tamperChunk of [0, 2, 3]) {
    const { request, auth } = await streamingSignedPut(CHUNKS, { tamperChunk });
    await assertS3Error(drain(verifiedBody(request, auth).body), "SignatureDoesNotMatch");
  }
});

Deno.test("verifiedBody() rejects chunk data altered in transit with SignatureDoesNotMatch", async () => {
  const { request, auth } = await streamingSignedPut(CHUNKS);
  const bytes = await drain(request.body!);
  bytes[200] ^= 1;
  const altered = new Request(request.url, { method: "PUT", headers: request.headers, body: bytes });
  await assertS3Error(drain(verifiedBody(altered, auth).body), "SignatureDoesNotMatch");
});

Deno.test("verifiedBody() verifies a signed trailer and its checksum", async () => {
  const trailer: [string, string] = ["x-amz-checksum-crc32c", TRAILERS["x-amz-checksum-crc32c"]];
  const good = await streamingSignedPut(CHUNKS, { trailer, pieceBytes: 4096 });
  assert.deepEqual(await drain(verifiedBody(good.request, good.auth).body), DATA);
  const badSignature = await streamingSignedPut(CHUNKS, { trailer, tamperTrailer: true });
  await assertS3Error(
    drain(verifiedBody(badSignature.request, badSignature.auth).body),
    "SignatureDoesNotMatch",
  );
  const badChecksum = await streamingSignedPut(CHUNKS, { trailer: ["x-amz-checksum-crc32c", "AAAAAA=="] });
  await assertS3Error(drain(verifiedBody(badChecksum.request, badChecksum.auth).body), "BadDigest");
});

Deno.test("verifiedBody() decodes unsigned trailer bodies with crc32, crc32c and sha256", async () => {
  for (const [name, value] of Object.entries(TRAILERS)) {
    const request = unsignedTrailerPut(
      encodeUnsignedChunks(CHUNKS, [name, value]),
      { "x-amz-trailer": name },
      777,
    );
    assert.deepEqual(await drain(verifiedBody(request, UNSIGNED_TRAILER).body), DATA, name);
  }
});

Deno.test("verifiedBody() rejects unsigned trailer bodies whose checksum is wrong with BadDigest", async () => {
  for (const name of Object.keys(TRAILERS)) {
    const wrongValue = TRAILERS[name].replace(/^./, (c) => c === "A" ? "B" : "A");
    const request = unsignedTrailerPut(encodeUnsignedChunks(CHUNKS, [name, wrongValue]), {
      "x-amz-trailer": name,
    });
    await assertS3Error(drain(verifiedBody(request, UNSIGNED_TRAILER).body), "BadDigest");
  }
});

Deno.test("verifiedBody() tolerates chunk extensions in unsigned frames", async () => {
  const text = `4;ext=1\r\ndata\r\n0;x\r\nx-amz-checksum-crc32:${
    crcBase64(crc32(new TextEncoder().encode("data")))
  }\r\n\r\n`;
  const request = new Request("http://h/b/k", {
    method: "PUT",
    headers: { "x-amz-trailer": "x-amz-checksum-crc32" },
    body: text,
  });
  assert.equal(new TextDecoder().decode(await drain(verifiedBody(request, UNSIGNED_TRAILER).body)), "data");
});

Deno.test("verifiedBody() rejects malformed aws-chunked framing without crashing", async () => {
  const good = encodeUnsignedChunks(CHUNKS, ["x-amz-checksum-crc32", TRAILERS["x-amz-checksum-crc32"]]);
  const text = (s: string) => new TextEncoder().encode(s);
  const cases: [string, Uint8Array, string][] = [
    ["garbage header", text("zz\r\n"), "IncompleteBody"],
    ["ends inside a chunk", good.subarray(0, 1000), "IncompleteBody"],
    ["ends before the final chunk", good.subarray(0, 65_536 + 9), "IncompleteBody"],
    ["chunk longer than declared", text("2\r\nabc\r\n0\r\n\r\n"), "IncompleteBody"],
    ["header line too long", text("1" + ";".repeat(5000) + "\r\n"), "InvalidRequest"],
    ["bytes after the end", new Uint8Array([...good, 0x41]), "IncompleteBody"],
    ["declared trailer missing", encodeUnsignedChunks(CHUNKS), "IncompleteBody"],
    [
      "undeclared trailer",
      encodeUnsignedChunks(CHUNKS, ["x-amz-checksum-sha1", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="]),
      "InvalidRequest",
    ],
    ["too many chunk bytes", encodeUnsignedChunks([...CHUNKS, text("x")]), "IncompleteBody"],
  ];
  for (const [what, body, code] of cases) {
    const request = unsignedTrailerPut(body, { "x-amz-trailer": "x-amz-checksum-crc32" }, 333);
    const error = await assertS3Error(drain(verifiedBody(request, UNSIGNED_TRAILER).body), code).catch(
      (e) => {
        throw new Error(`${what}: ${e}`);
      },
    );
    assert.ok(error.message.length > 0, what);
  }
});

Deno.test("verifiedBody() checks chunk sizes against x-amz-decoded-content-length", async () => {
  const body = encodeUnsignedChunks(CHUNKS, ["x-amz-checksum-crc32", TRAILERS["x-amz-checksum-crc32"]]);
  const headers = {
    "x-amz-trailer": "x-amz-checksum-crc32",
    "x-amz-decoded-content-length": String(DATA.length + 1),
  };
  await assertS3Error(
    drain(verifiedBody(unsignedTrailerPut(body, headers), UNSIGNED_TRAILER).body),
    "IncompleteBody",
  );
});

Deno.test("verifiedBody() checks the raw aws-chunked body against Content-Length", async () => {
  const body = encodeUnsignedChunks(CHUNKS, ["x-amz-checksum-crc32", TRAILERS["x-amz-checksum-crc32"]]);
  for (const contentLength of [body.length - 1, body.length + 1]) {
    const headers = { "x-amz-trailer": "x-amz-checksum-crc32", "content-length": String(contentLength) };
    await assertS3Error(
      drain(verifiedBody(unsignedTrailerPut(body, headers), UNSIGNED_TRAILER).body),
      "IncompleteBody",
    );
  }
});
