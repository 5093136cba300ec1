/**
 * The real AWS SDK v3 client against a real socket: a tiny `Deno.serve` gateway that only runs
 * `authenticateRequest` + `verifiedBody`, proving that the SDK's default uploads (a signed payload
 * with an `x-amz-checksum-crc32` header, and for streams aws-chunked with a CRC32 trailer) verify.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { S3Error } from "../s3_errors.ts";
import type { AuthResult } from "./auth_types.ts";
import { authenticateRequest } from "./authenticate.ts";
import { verifiedBody } from "./verified_body.ts";
import { ACCESS_KEY_ID, authOptions, drain, SECRET_ACCESS_KEY } from "./test_support.ts";

interface Received {
  /** `request.url` as Deno.serve gives it: the raw target, dot segments kept. */
  rawUrl: string;
  auth: AuthResult;
  body: Uint8Array;
}

/** Starts the gateway on 127.0.0.1 with a port chosen by the system; records what it stored. */
function startGateway() {
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    try {
      const auth = await authenticateRequest(
        request,
        new URL(request.url),
        authOptions({ nowMs: Date.now() }),
      );
      const body = await drain(verifiedBody(request, auth).body);
      received.push({ rawUrl: request.url, auth, body });
      return new Response(null, { status: 200, headers: { etag: `"${received.length}"` } });
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      // Read the rest of the upload so the client sees the answer rather than a reset connection.
      await request.body?.pipeTo(new WritableStream()).catch(() => {});
      const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error.code}</Code>` +
        `<Message>${error.message.replace(/[<&>]/g, " ")}</Message></Error>`;
      return new Response(xml, { status: error.status, headers: { "content-type": "application/xml" } });
    }
  });
  return { server, received };
}

function client(port: number, secretAccessKey = SECRET_ACCESS_KEY): S3Client {
  return new S3Client({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey },
    maxAttempts: 1,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

function pieces(totalBytes: number, pieceBytes: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < totalBytes; offset += pieceBytes) {
    out.push(
      Uint8Array.from({ length: Math.min(pieceBytes, totalBytes - offset) }, (_, i) => (offset + i) % 251),
    );
  }
  return out;
}

Deno.test("SDK PutObject of a stream (aws-chunked, CRC32 trailer) verifies end to end", async () => {
  const { server, received } = startGateway();
  await using _server = server;
  const s3 = client(server.addr.port);
  try {
    const parts = pieces(200_000, 70_000);
    const output = await s3.send(
      new PutObjectCommand({
        Bucket: "bucket",
        Key: "streamed.bin",
        Body: Readable.from(parts),
        ContentLength: 200_000,
      }),
    );
    assert.equal(output.ETag, `"1"`);
    assert.equal(received[0].auth.payload.kind, "streaming-unsigned-trailer");
    assert.deepEqual(received[0].body, new Uint8Array(parts.flatMap((p) => [...p])));
  } finally {
    s3.destroy();
  }
});

Deno.test("SDK PutObject with a signed payload and a hostile key verifies end to end", async () => {
  const { server, received } = startGateway();
  await using _server = server;
  const s3 = client(server.addr.port);
  try {
    const key = "dir/../a b+~=ü/😀 %41 !'()*";
    await s3.send(new PutObjectCommand({ Bucket: "bucket", Key: key, Body: "hello world" }));
    assert.equal(received[0].auth.payload.kind, "signed");
    assert.match(received[0].rawUrl, /\/bucket\/dir\/\.\.\/a%20b%2B~%3D/);
    assert.equal(new TextDecoder().decode(received[0].body), "hello world");
  } finally {
    s3.destroy();
  }
});

Deno.test("SDK PutObject signed with a tampered secret fails with SignatureDoesNotMatch", async () => {
  const { server, received } = startGateway();
  await using _server = server;
  const s3 = client(server.addr.port, SECRET_ACCESS_KEY + "x");
  try {
    for (const body of ["small body", Readable.from(pieces(100_000, 30_000))]) {
      const error = await s3.send(
        new PutObjectCommand({
          Bucket: "bucket",
          Key: "k",
          Body: body,
          ContentLength: typeof body === "string" ? undefined : 100_000,
        }),
      ).then(() => null, (e: unknown) => e);
      assert.ok(error instanceof Error);
      assert.equal(error.name, "SignatureDoesNotMatch");
    }
    assert.equal(received.length, 0);
  } finally {
    s3.destroy();
  }
});
