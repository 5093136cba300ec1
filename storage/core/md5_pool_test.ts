import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DigestStream } from "./digest_stream.ts";
import { Md5Pool } from "./md5_pool.ts";
import { ParallelDigest } from "./parallel_digest.ts";
import { isStoreError } from "./errors.ts";

const MIB = 1024 * 1024;

function md5Hex(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `bytes` as a stream of chunks of `chunkBytes` (views, no copies). */
function streamOf(bytes: Uint8Array, chunkBytes: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + chunkBytes));
      offset += chunkBytes;
    },
  });
}

/** Pseudo-random bytes (crypto.getRandomValues fills at most 64 KiB per call). */
function patternBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = 0x9e3779b9;
  for (let index = 0; index < length; index++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

/** Reads `stream` to its end; returns the bytes, in order. */
async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    length += chunk.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Hashes `bytes` through a worker digest of `pool`, checks pass-through and byte count; returns hex MD5. */
async function workerMd5(pool: Md5Pool, bytes: Uint8Array, chunkBytes: number): Promise<string> {
  const digest = pool.digest(bytes.length);
  assert.ok(digest instanceof ParallelDigest);
  const passed = await collect(digest.wrap(streamOf(bytes, chunkBytes)));
  assert.equal(passed.length, bytes.length);
  assert.ok(passed.every((byte, index) => byte === bytes[index]), "pass-through bytes changed");
  assert.equal(digest.byteCount, bytes.length);
  return hex(await digest.md5());
}

Deno.test("Md5Pool.digest() of an empty body equals node:crypto's MD5", async () => {
  using pool = new Md5Pool({ minWorkerBytes: 0 });
  assert.equal(await workerMd5(pool, new Uint8Array(0), 1), "d41d8cd98f00b204e9800998ecf8427e");
});

Deno.test("Md5Pool.digest() of tiny bodies equals node:crypto's MD5", async () => {
  using pool = new Md5Pool({ minWorkerBytes: 0 });
  for (const text of ["a", "abc", "message digest"]) {
    const bytes = new TextEncoder().encode(text);
    assert.equal(await workerMd5(pool, bytes, 1), md5Hex(bytes));
  }
});

Deno.test("Md5Pool.digest() of multi-chunk bodies equals node:crypto's MD5 at every chunk/batch alignment", async () => {
  using pool = new Md5Pool({ minWorkerBytes: 0, batchBytes: 4096, maxPendingBytes: 3 * 4096 });
  const bytes = patternBytes(64 * 1024 + 17);
  for (const chunkBytes of [1000, 4095, 4096, 4097, 12288, 20000, bytes.length]) {
    assert.equal(await workerMd5(pool, bytes, chunkBytes), md5Hex(bytes), `chunks of ${chunkBytes}`);
  }
});

Deno.test("Md5Pool.digest() of a 100 MiB body equals node:crypto's MD5", async () => {
  using pool = new Md5Pool();
  const bytes = patternBytes(100 * MIB);
  assert.equal(await workerMd5(pool, bytes, 64 * 1024 + 3), md5Hex(bytes));
});

Deno.test("Md5Pool.digest() serves concurrent bodies on one worker without mixing them", async () => {
  using pool = new Md5Pool({ minWorkerBytes: 0, batchBytes: 1024, maxPendingBytes: 2048 });
  const bodies = [patternBytes(50_000), patternBytes(70_001).reverse(), new Uint8Array(30_000).fill(7)];
  const digests = await Promise.all(bodies.map((bytes, index) => workerMd5(pool, bytes, 999 + index)));
  assert.deepEqual(digests, bodies.map(md5Hex));
  assert.equal(pool.runningWorkers, 1);
});

Deno.test("Md5Pool.digest() hashes bodies below minWorkerBytes on this thread, starting no worker", async () => {
  using pool = new Md5Pool();
  const digest = pool.digest(MIB - 1);
  assert.ok(digest instanceof DigestStream);
  const bytes = patternBytes(1000);
  await collect(digest.wrap(streamOf(bytes, 100)));
  assert.equal(hex(await digest.md5()), md5Hex(bytes));
  assert.equal(pool.runningWorkers, 0);
});

Deno.test("Md5Pool.digest() errors the stream with the body's error and rejects md5()", async () => {
  using pool = new Md5Pool({ minWorkerBytes: 0, batchBytes: 1024 });
  const failure = new Error("client went away");
  let sent = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ === 5) return controller.error(failure);
      controller.enqueue(patternBytes(700));
    },
  });
  const digest = pool.digest(10 * MIB);
  await assert.rejects(collect(digest.wrap(source)), (error) => error === failure);
  await assert.rejects(digest.md5(), (error) => isStoreError(error, "incomplete_body"));
  // The worker forgot that body and still serves the next one.
  const bytes = patternBytes(5000);
  assert.equal(await workerMd5(pool, bytes, 333), md5Hex(bytes));
});

Deno.test("Md5Pool.digest() cancels the source when its stream is cancelled", async () => {
  using pool = new Md5Pool({ minWorkerBytes: 0, batchBytes: 1024 });
  let cancelReason: unknown = null;
  const source = new ReadableStream<Uint8Array>({
    pull: (controller) => controller.enqueue(patternBytes(600)),
    cancel: (reason) => {
      cancelReason = reason;
    },
  });
  const digest = pool.digest(10 * MIB);
  const reader = digest.wrap(source).getReader();
  for (let read = 0; read < 4; read++) await reader.read();
  await reader.cancel("stop");
  assert.equal(cancelReason, "stop");
  await assert.rejects(digest.md5(), (error) => isStoreError(error, "incomplete_body"));
});

Deno.test("Md5Pool.close() terminates the workers and fails running digests", async () => {
  const pool = new Md5Pool({ minWorkerBytes: 0, batchBytes: 1024 });
  let cancelled = false;
  const source = new ReadableStream<Uint8Array>({
    pull: (controller) => controller.enqueue(patternBytes(1500)),
    cancel: () => {
      cancelled = true;
    },
  });
  const reader = pool.digest(10 * MIB).wrap(source).getReader();
  await reader.read();
  assert.equal(pool.runningWorkers, 1);
  pool.close();
  assert.equal(pool.runningWorkers, 0);
  await assert.rejects(
    (async () => {
      while (!(await reader.read()).done) { /* until the stream errors */ }
    })(),
    (error) => isStoreError(error, "unavailable"),
  );
  assert.ok(cancelled, "the source was not cancelled");
  await assert.rejects(collect(pool.digest(10 * MIB).wrap(streamOf(new Uint8Array(5000), 5000))));
});

Deno.test("Md5Pool.digest() errors the stream when its worker crashes, and retires that worker", async () => {
  const crashing = URL.createObjectURL(
    new Blob(["self.onmessage = () => { throw new Error('MD5 worker exploded'); };"], {
      type: "application/javascript",
    }),
  );
  try {
    using pool = new Md5Pool({
      minWorkerBytes: 0,
      batchBytes: 1024,
      maxPendingBytes: 2048,
      workerUrl: crashing,
    });
    const digest = pool.digest(10 * MIB);
    await assert.rejects(
      collect(digest.wrap(streamOf(patternBytes(100_000), 4000))),
      (error) => isStoreError(error, "unavailable") && error.message.includes("exploded"),
    );
    await assert.rejects(digest.md5(), (error) => isStoreError(error, "unavailable"));
    assert.equal(pool.runningWorkers, 0);
  } finally {
    URL.revokeObjectURL(crashing);
  }
});
