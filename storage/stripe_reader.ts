/**
 * The erasure-coded read path: streams a byte range of an object by reading k shards in parallel,
 * one request per shard for all the stripes the range covers. Every block is verified against its
 * checksum (by the worker and again here); when a shard fails or is corrupt, a parity shard is opened
 * from the current stripe on and the missing data blocks are reconstructed. Corrupt bytes are never
 * returned.
 */
import { type Logger, StoreError } from "./core/mod.ts";
import type { ReedSolomon } from "./erasure/mod.ts";
import type { ErasureManifest } from "./meta/mod.ts";
import type { ShardBlockReader, WorkerClient } from "./worker/mod.ts";
import { StripeLayout } from "./stripe_layout.ts";

/** What a stripe read needs. */
export interface StripeReadOptions {
  readonly manifest: ErasureManifest;
  readonly codec: ReedSolomon;
  /** The client of a worker, or undefined when the worker is gone from the topology. */
  readonly clientFor: (workerId: string) => WorkerClient | undefined;
  /** First byte (inclusive) and last byte (inclusive) of the range; the whole object when omitted. */
  readonly range?: { readonly start: number; readonly end: number };
  /** Stripes read ahead of the consumer. */
  readonly stripesInFlight: number;
  readonly logger: Logger;
  /** Called with the size of every block received from a worker (for metrics). */
  readonly onBlockBytes?: (byteCount: number) => void;
  /** Called once when the read had to use parity (for the repair queue). */
  readonly onDegraded?: (dataId: string, failedShards: number[]) => void;
  /**
   * A shard that takes longer than this to answer or to deliver its next block is given up for this read and
   * parity is read instead, so a hung or slow worker costs a read at most about this delay.
   */
  readonly slowShardMs?: number;
}

/** A stream of the object's bytes in `range`, verified and reconstructed as needed. */
export function readStripes(options: StripeReadOptions): ReadableStream<Uint8Array> {
  const { manifest } = options;
  const layout = new StripeLayout(manifest.sizeBytes, manifest.dataShards, manifest.blockSizeBytes);
  const start = options.range?.start ?? 0;
  const end = options.range?.end ?? manifest.sizeBytes - 1;
  if (manifest.sizeBytes === 0 || end < start) return new ReadableStream({ start: (c) => c.close() });
  const firstStripe = layout.stripeOf(start);
  const lastStripe = layout.stripeOf(end);
  const source = new StripeSource(options, layout, lastStripe);
  let stripe = firstStripe;
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      try {
        const blocks = await source.readStripe(stripe);
        const stripeStart = stripe * layout.stripeBytes;
        const stripeLength = layout.stripeLength(stripe);
        const from = Math.max(start - stripeStart, 0);
        const to = Math.min(end - stripeStart + 1, stripeLength);
        const blockLength = layout.blockLength(stripe);
        for (let index = 0; index < blocks.length; index++) {
          const blockStart = index * blockLength;
          const sliceFrom = Math.max(from, blockStart) - blockStart;
          const sliceTo = Math.min(to, blockStart + blockLength) - blockStart;
          if (sliceTo > sliceFrom) controller.enqueue(blocks[index].subarray(sliceFrom, sliceTo));
        }
        stripe++;
        if (stripe > lastStripe) {
          source.close();
          controller.close();
        }
      } catch (error) {
        source.close();
        controller.error(error);
      }
    },
    cancel: () => source.close(),
  }, { highWaterMark: options.stripesInFlight * manifest.dataShards });
}

/** Keeps k shard readers open and turns them into verified data blocks, stripe by stripe. */
class StripeSource {
  readonly #options: StripeReadOptions;
  readonly #layout: StripeLayout;
  readonly #lastStripe: number;
  readonly #readers = new Map<number, ShardBlockReader>();
  readonly #failed = new Set<number>();
  readonly #abort = new AbortController();
  /** Per-shard aborts, so one slow shard's request can be stopped alone. */
  readonly #shardAborts = new Map<number, AbortController>();
  #opened = false;
  #degradedReported = false;

  constructor(options: StripeReadOptions, layout: StripeLayout, lastStripe: number) {
    this.#options = options;
    this.#layout = layout;
    this.#lastStripe = lastStripe;
  }

  /** The k data blocks of `stripe` (each `blockLength` bytes), verified or reconstructed. */
  async readStripe(stripe: number): Promise<Uint8Array[]> {
    if (!this.#opened) {
      this.#opened = true;
      await this.#openUntil(this.#options.codec.dataShards, stripe);
    }
    const { codec } = this.#options;
    const blocks: (Uint8Array | null)[] = new Array(codec.totalShards).fill(null);
    let pending = [...this.#readers.keys()];
    while (true) {
      await Promise.all(pending.map((index) => this.#readBlock(index, stripe, blocks)));
      const present = blocks.filter((block) => block !== null).length;
      if (present >= codec.dataShards) break;
      const opened = await this.#openUntil(codec.dataShards - present, stripe);
      if (opened.length === 0) {
        throw new StoreError(
          "not_enough_shards",
          `Cannot read stripe ${stripe} of ${this.#options.manifest.dataId}: ${present} of ` +
            `${codec.totalShards} shards readable, need ${codec.dataShards} (failed: ${
              [...this.#failed].join(", ")
            })`,
        );
      }
      pending = opened;
    }
    if (blocks.slice(0, codec.dataShards).some((block) => block === null)) {
      this.#reportDegraded();
      codec.reconstructData(blocks);
    }
    return blocks.slice(0, codec.dataShards) as Uint8Array[];
  }

  /** Stops every open shard request. */
  close(): void {
    this.#abort.abort();
    for (const reader of this.#readers.values()) reader.cancel().catch(() => {});
    this.#readers.clear();
  }

  async #readBlock(index: number, stripe: number, blocks: (Uint8Array | null)[]): Promise<void> {
    const reader = this.#readers.get(index);
    if (reader === undefined) return;
    try {
      const block = await this.#inTime(reader.readBlock(), index, `block ${stripe} of shard ${index}`);
      if (block === null || block.length !== this.#layout.blockLength(stripe)) {
        throw new StoreError("incomplete_body", `Shard ${index} ended before stripe ${stripe}`);
      }
      blocks[index] = block;
      this.#options.onBlockBytes?.(block.length);
    } catch (error) {
      this.#markFailed(index, error);
    }
  }

  /** Opens up to `count` more shards from `stripe` on, data shards first, in parallel; returns their indices. */
  async #openUntil(count: number, stripe: number): Promise<number[]> {
    const opened: number[] = [];
    while (opened.length < count) {
      const candidates = this.#candidates(count - opened.length);
      if (candidates.length === 0) break;
      const results = await Promise.all(candidates.map((index) => this.#open(index, stripe)));
      candidates.forEach((index, i) => results[i] && opened.push(index));
    }
    return opened;
  }

  #candidates(count: number): number[] {
    const { manifest } = this.#options;
    const out: number[] = [];
    for (let index = 0; index < manifest.shards.length && out.length < count; index++) {
      if (this.#readers.has(index) || this.#failed.has(index)) continue;
      const entry = manifest.shards[index];
      if (entry.checksum === null || this.#options.clientFor(entry.workerId) === undefined) {
        this.#failed.add(index);
        continue;
      }
      out.push(index);
    }
    return out;
  }

  async #open(index: number, stripe: number): Promise<boolean> {
    const { manifest } = this.#options;
    const client = this.#options.clientFor(manifest.shards[index].workerId)!;
    const own = new AbortController();
    this.#shardAborts.set(index, own);
    try {
      const reader = await this.#inTime(
        client.getShard({
          dataId: manifest.dataId,
          shardIndex: index,
          blockSizeBytes: manifest.blockSizeBytes,
          dataLength: this.#layout.shardDataLength(),
          firstBlock: stripe,
          blockCount: this.#lastStripe - stripe + 1,
          signal: AbortSignal.any([this.#abort.signal, own.signal]),
        }),
        index,
        `opening shard ${index}`,
      );
      this.#readers.set(index, reader);
      return true;
    } catch (error) {
      this.#markFailed(index, error);
      return false;
    }
  }

  /**
   * `work` unless shard `index` is slower than `slowShardMs`: then its request is aborted and this rejects
   * (the late result, if any, is dropped).
   */
  #inTime<T>(work: Promise<T>, index: number, what: string): Promise<T> {
    const limit = this.#options.slowShardMs;
    if (limit === undefined) return work;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#shardAborts.get(index)?.abort();
        reject(new StoreError("unavailable", `${what} took longer than ${limit} ms; reading parity instead`));
      }, limit);
    });
    work.catch(() => {}); // a result after the deadline is dropped
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  #markFailed(index: number, error: unknown): void {
    this.#failed.add(index);
    const reader = this.#readers.get(index);
    this.#readers.delete(index);
    reader?.cancel().catch(() => {});
    this.#options.logger.warn("shard read failed", {
      dataId: this.#options.manifest.dataId,
      shardIndex: index,
      workerId: this.#options.manifest.shards[index]?.workerId,
      error,
    });
  }

  #reportDegraded(): void {
    if (this.#degradedReported) return;
    this.#degradedReported = true;
    this.#options.onDegraded?.(this.#options.manifest.dataId, [...this.#failed]);
  }
}
