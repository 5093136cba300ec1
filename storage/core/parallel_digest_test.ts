import assert from "node:assert/strict";
import { isStoreError } from "./errors.ts";
import type { Md5Request } from "./md5_worker.ts";
import { type Md5Channel, type Md5Listener, ParallelDigest } from "./parallel_digest.ts";

/** A stand-in for a pool worker: records requests; the test replies by hand. */
class FakeWorker {
  readonly requests: Md5Request[] = [];
  listener: Md5Listener | null = null;
  closed = false;

  open = (listener: Md5Listener): Md5Channel => {
    this.listener = listener;
    return {
      id: 7,
      send: (request) => this.requests.push(request),
      close: () => {
        this.closed = true;
      },
    };
  };

  /** Acknowledges the oldest unacknowledged update (returning its buffer). */
  ackNext(): void {
    const index = this.requests.findIndex((request) => request.kind === "update");
    const [request] = this.requests.splice(index, 1);
    assert.ok(request.kind === "update");
    this.listener!.onReply({ kind: "ack", id: 7, bytes: request.bytes });
  }

  get updates(): number {
    return this.requests.filter((request) => request.kind === "update").length;
  }
}

/** An endless source of `chunkBytes` chunks that counts how many were pulled. */
function endless(chunkBytes: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(chunkBytes).fill(pulled));
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled };
}

/** Lets queued promise jobs and timers run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

Deno.test("ParallelDigest waits for acknowledgements once maxPendingBytes are in flight", async () => {
  const worker = new FakeWorker();
  const digest = new ParallelDigest(worker.open, { batchBytes: 100, maxPendingBytes: 300 });
  const source = endless(100);
  const reader = digest.wrap(source.stream).getReader();
  for (let read = 0; read < 3; read++) await reader.read();
  assert.equal(worker.updates, 3);
  let fourth = false;
  const pending = reader.read().then(() => {
    fourth = true;
  });
  await settle();
  assert.equal(fourth, false, "a fourth batch passed with three unacknowledged");
  assert.equal(worker.updates, 3);
  worker.ackNext();
  await pending;
  assert.equal(worker.updates, 3, "the acknowledged buffer was reused for the next batch");
  await reader.cancel();
});

Deno.test("ParallelDigest sends the rest and asks for the digest when the body ends", async () => {
  const worker = new FakeWorker();
  const digest = new ParallelDigest(worker.open, { batchBytes: 100, maxPendingBytes: 1000 });
  await new Response(digest.wrap(new Blob([new Uint8Array(250)]).stream())).arrayBuffer();
  assert.deepEqual(
    worker.requests.map((request) => request.kind === "update" ? request.length : request.kind),
    [100, 100, 50, "finish"],
  );
  const md5 = new Uint8Array(16).fill(9);
  worker.listener!.onReply({ kind: "digest", id: 7, md5 });
  assert.deepEqual(await digest.md5(), md5);
  assert.ok(worker.closed);
});

Deno.test("ParallelDigest errors the stream when the worker reports an error", async () => {
  const worker = new FakeWorker();
  const digest = new ParallelDigest(worker.open, { batchBytes: 100, maxPendingBytes: 100 });
  const reader = digest.wrap(endless(100).stream).getReader();
  await reader.read();
  const next = reader.read();
  worker.listener!.onReply({ kind: "error", id: 7, message: "out of memory" });
  await assert.rejects(
    next,
    (error) => isStoreError(error, "unavailable") && /out of memory/.test(error.message),
  );
  await assert.rejects(digest.md5(), (error) => isStoreError(error, "unavailable"));
});

Deno.test("ParallelDigest rejects md5() when the worker dies after the body ended", async () => {
  const worker = new FakeWorker();
  const digest = new ParallelDigest(worker.open, { batchBytes: 100, maxPendingBytes: 1000 });
  await new Response(digest.wrap(new Blob([new Uint8Array(150)]).stream())).arrayBuffer();
  worker.listener!.onFailure(new Error("worker died"));
  await assert.rejects(digest.md5(), /worker died/);
});

Deno.test("ParallelDigest tells the worker to discard a cancelled body", async () => {
  const worker = new FakeWorker();
  const digest = new ParallelDigest(worker.open, { batchBytes: 100, maxPendingBytes: 1000 });
  const reader = digest.wrap(endless(150).stream).getReader();
  await reader.read();
  await reader.cancel("client gone");
  assert.equal(worker.requests.at(-1)?.kind, "discard");
  assert.ok(worker.closed);
  await assert.rejects(digest.md5(), (error) => isStoreError(error, "incomplete_body"));
});

Deno.test("ParallelDigest.md5() before the body ended is a bug", async () => {
  const worker = new FakeWorker();
  const digest = new ParallelDigest(worker.open, { batchBytes: 100, maxPendingBytes: 100 });
  digest.wrap(endless(10).stream);
  await assert.rejects(digest.md5(), { name: "AssertionError" });
});
