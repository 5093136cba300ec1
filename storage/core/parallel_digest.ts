/**
 * A pass-through stream that MD5-hashes its bytes in a Web Worker (see `Md5Pool`), so the ETag of a
 * large body is computed on another core while the main thread encodes and sends it.
 * Invariants: every byte is copied exactly once, into a staging buffer of `batchBytes` that is
 * transferred to the worker when full (the original chunk is passed on untouched, the encoder still
 * needs it); at most `maxPendingBytes / batchBytes` buffers exist per body and the worker transfers
 * each back once hashed, so a body that outruns the worker waits for a returned buffer (backpressure)
 * instead of queueing without bound. A worker failure errors the stream (or rejects `md5()`).
 */
import type { BodyDigest } from "./digest_stream.ts";
import { assert, AssertionError, StoreError } from "./errors.ts";
import type { Md5Reply, Md5Request } from "./md5_worker.ts";

/** Sizes of a parallel digest's copies. */
export interface ParallelDigestOptions {
  /** Bytes per buffer sent to the worker. */
  readonly batchBytes: number;
  /** Most bytes of this body copied but not yet hashed; reaching it makes the body wait. */
  readonly maxPendingBytes: number;
}

/** What a digest receives from its worker (through the pool). */
export interface Md5Listener {
  /** A reply the worker addressed to this digest. */
  onReply(reply: Md5Reply): void;
  /** The worker died or the pool closed; no further reply will come. */
  onFailure(error: Error): void;
}

/** One digest's line to a worker, opened by the pool. */
export interface Md5Channel {
  /** The digest id the worker knows this body by. */
  readonly id: number;
  /** Posts `request`, moving `transfer` to the worker. */
  send(request: Md5Request, transfer?: Transferable[]): void;
  /** Stops delivering replies to this digest's listener. */
  close(): void;
}

/** Opens a channel to a pool worker; throws when the pool is closed. */
export type Md5ChannelOpener = (listener: Md5Listener) => Md5Channel;

/** Counts bytes and MD5-hashes them in a pool worker; `md5()` waits for the worker's digest. */
export class ParallelDigest implements BodyDigest {
  readonly #open: Md5ChannelOpener;
  readonly #batchBytes: number;
  readonly #maxBuffers: number;
  readonly #free: Uint8Array<ArrayBuffer>[] = [];
  #buffersCreated = 0;
  #channel: Md5Channel | null = null;
  #staging: Uint8Array<ArrayBuffer> | null = null;
  #stagedBytes = 0;
  #byteCount = 0;
  #wrapped = false;
  #failure: Error | null = null;
  #bufferWaiter: PromiseWithResolvers<void> | null = null;
  #result: PromiseWithResolvers<Uint8Array> | null = null;

  constructor(open: Md5ChannelOpener, options: ParallelDigestOptions) {
    assert(
      Number.isInteger(options.batchBytes) && options.batchBytes > 0 &&
        options.maxPendingBytes >= options.batchBytes,
      `Expected 0 < batchBytes <= maxPendingBytes, got ${options.batchBytes} and ${options.maxPendingBytes}`,
    );
    this.#open = open;
    this.#batchBytes = options.batchBytes;
    this.#maxBuffers = Math.floor(options.maxPendingBytes / options.batchBytes);
  }

  /** Bytes seen so far. */
  get byteCount(): number {
    return this.#byteCount;
  }

  /** Wraps `source` (once); read the returned stream to drive the digest. */
  wrap(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    if (this.#wrapped) throw new AssertionError("A ParallelDigest wraps one body, wrap() was called twice");
    this.#wrapped = true;
    const reader = source.getReader();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          this.#discard(error);
          throw error;
        }
        if (next.done) {
          this.#finish();
          controller.close();
          return;
        }
        try {
          await this.#absorb(next.value);
        } catch (error) {
          this.#discard(error);
          await reader.cancel(error).catch(() => {});
          throw error;
        }
        controller.enqueue(next.value);
      },
      cancel: async (reason) => {
        this.#discard(reason);
        await reader.cancel(reason);
      },
    }, { highWaterMark: 1 });
  }

  /** The MD5 digest; call once, after the stream ended. Rejects when the worker failed. */
  md5(): Promise<Uint8Array> {
    if (this.#result !== null) return this.#result.promise;
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return Promise.reject(new AssertionError("md5() was called before the body ended"));
  }

  /** Copies `chunk` into staging buffers, sending each one that fills up. */
  async #absorb(chunk: Uint8Array): Promise<void> {
    this.#byteCount += chunk.length;
    for (let offset = 0; offset < chunk.length;) {
      this.#staging ??= await this.#takeBuffer();
      const take = Math.min(chunk.length - offset, this.#staging.length - this.#stagedBytes);
      this.#staging.set(chunk.subarray(offset, offset + take), this.#stagedBytes);
      this.#stagedBytes += take;
      offset += take;
      if (this.#stagedBytes === this.#staging.length) this.#sendStaged();
    }
  }

  /** A free buffer: a returned one, a new one while under the bound, else the next one returned. */
  async #takeBuffer(): Promise<Uint8Array<ArrayBuffer>> {
    while (true) {
      if (this.#failure !== null) throw this.#failure;
      const free = this.#free.pop();
      if (free !== undefined) return free;
      if (this.#buffersCreated < this.#maxBuffers) {
        this.#buffersCreated++;
        return new Uint8Array(this.#batchBytes);
      }
      this.#bufferWaiter = Promise.withResolvers();
      await this.#bufferWaiter.promise;
    }
  }

  /** Transfers the staged bytes to the worker (opening the channel on first use). */
  #sendStaged(): void {
    const staging = this.#staging;
    if (staging === null || this.#stagedBytes === 0) return;
    const length = this.#stagedBytes;
    this.#staging = null;
    this.#stagedBytes = 0;
    const channel = this.#channelOpen();
    channel.send({ kind: "update", id: channel.id, bytes: staging, length }, [staging.buffer]);
  }

  #channelOpen(): Md5Channel {
    this.#channel ??= this.#open({
      onReply: (reply) => this.#onReply(reply),
      onFailure: (error) => {
        this.#channel = null;
        this.#fail(error);
      },
    });
    return this.#channel;
  }

  #onReply(reply: Md5Reply): void {
    switch (reply.kind) {
      case "ack":
        this.#free.push(reply.bytes);
        this.#bufferWaiter?.resolve();
        this.#bufferWaiter = null;
        return;
      case "digest":
        this.#closeChannel();
        this.#result?.resolve(reply.md5);
        return;
      case "error":
        this.#closeChannel();
        this.#fail(new StoreError("unavailable", `The MD5 worker could not hash a body: ${reply.message}`));
        return;
    }
  }

  /** The body ended: send what is staged and ask for the digest. */
  #finish(): void {
    if (this.#failure !== null) return;
    this.#result = Promise.withResolvers();
    this.#result.promise.catch(() => {}); // md5() may never be called; its caller sees the rejection.
    try {
      this.#sendStaged();
      const channel = this.#channelOpen();
      channel.send({ kind: "finish", id: channel.id });
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The body failed or was cancelled: the worker forgets it, `md5()` rejects. */
  #discard(reason: unknown): void {
    if (this.#failure !== null) return;
    if (this.#channel !== null) this.#channel.send({ kind: "discard", id: this.#channel.id });
    this.#fail(
      new StoreError("incomplete_body", `The body failed or was cancelled after ${this.#byteCount} bytes`, {
        cause: reason,
      }),
    );
  }

  #fail(error: Error): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#closeChannel();
    this.#staging = null;
    this.#free.length = 0;
    this.#bufferWaiter?.reject(error);
    this.#bufferWaiter = null;
    this.#result?.reject(error);
  }

  #closeChannel(): void {
    this.#channel?.close();
    this.#channel = null;
  }
}
