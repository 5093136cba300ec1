/**
 * The erasure-coded write path: cuts a byte stream into stripes, encodes each into k + m blocks,
 * checksums every block and streams shard i to its worker in ONE request for the whole object.
 * Bounded stripes in flight; a shard whose worker fails is dropped; the write succeeds only when every
 * stripe reached at least the write quorum and that many workers acknowledged a durable (fsynced) shard.
 */
import { ExactReader, StoreError } from "./core/mod.ts";
import type { ReedSolomon } from "./erasure/mod.ts";
import { FRAME_OVERHEAD_BYTES, sealFrame, type WorkerClient } from "./worker/mod.ts";
import { FramePool } from "./frame_pool.ts";
import { ShardChannel } from "./shard_channel.ts";
import type { StripeLayout } from "./stripe_layout.ts";
import type { ShardEntry } from "./meta/mod.ts";

/** What a stripe write needs. */
export interface StripeWriteOptions {
  readonly dataId: string;
  readonly layout: StripeLayout;
  readonly codec: ReedSolomon;
  /** Shard i goes to `targets[i]`. */
  readonly targets: readonly { readonly workerId: string; readonly client: WorkerClient }[];
  /** Least number of shards that must be durable (k + 1 by default policy). */
  readonly writeQuorum: number;
  /** Stripes that may wait in memory per shard. */
  readonly stripesInFlight: number;
}

/** Outcome of a successful write: one entry per shard, `checksum` null where the worker failed. */
export interface StripeWriteResult {
  readonly shards: ShardEntry[];
  readonly failedShards: number;
}

/** Streams `body` (exactly `layout.sizeBytes` bytes) to the workers as erasure-coded shards. */
export async function writeStripes(
  body: ReadableStream<Uint8Array>,
  options: StripeWriteOptions,
): Promise<StripeWriteResult> {
  const { layout, codec, targets } = options;
  const totalShards = codec.totalShards;
  if (targets.length !== totalShards) {
    throw new StoreError("invalid_argument", `Got ${targets.length} shard targets, expected ${totalShards}`);
  }
  const abort = new AbortController();
  const channels = targets.map(() => new ShardChannel(options.stripesInFlight));
  // Enough frames for every stripe queued, one more being encoded, and one being written per shard.
  const pool = new FramePool(
    layout.blockSizeBytes + FRAME_OVERHEAD_BYTES,
    (options.stripesInFlight + 2) * totalShards,
  );
  const uploads = targets.map((target, shardIndex) =>
    target.client.putShard({
      dataId: options.dataId,
      shardIndex,
      blockSizeBytes: layout.blockSizeBytes,
      dataLength: layout.shardDataLength(),
      body: channels[shardIndex].stream,
      onChunkSent: (frame) => pool.give(frame),
      signal: abort.signal,
    }).then(
      (ack) => ({ ok: true as const, checksum: ack.checksum }),
      (error: unknown) => {
        channels[shardIndex].fail(error);
        return { ok: false as const, error };
      },
    )
  );
  const reader = new ExactReader(body);
  try {
    for (let stripe = 0; stripe < layout.stripeCount; stripe++) {
      const frames = await readStripeFrames(reader, layout, stripe, totalShards, pool);
      const blockLength = layout.blockLength(stripe);
      codec.encode(frames.map((frame) => frame.subarray(0, blockLength)));
      const live = channels.filter((channel) => !channel.failed);
      if (live.length < options.writeQuorum) throw quorumError(stripe, live.length, options, channels);
      await Promise.all(channels.map((channel, index) => {
        sealFrame(frames[index], blockLength);
        return channel.push(frames[index]);
      }));
    }
    if (!(await reader.atEnd())) {
      throw new StoreError("incomplete_body", `Body is longer than the declared ${layout.sizeBytes} bytes`);
    }
    for (const channel of channels) channel.close();
  } catch (error) {
    for (const channel of channels) channel.fail(error);
    abort.abort(error);
    await reader.cancel(error);
    await Promise.all(uploads);
    throw error;
  }
  const results = await Promise.all(uploads);
  const acknowledged = results.filter((result) => result.ok).length;
  if (acknowledged < options.writeQuorum) {
    throw quorumError(layout.stripeCount, acknowledged, options, channels);
  }
  return {
    shards: results.map((result, index) => ({
      workerId: targets[index].workerId,
      checksum: result.ok ? result.checksum : null,
    })),
    failedShards: totalShards - acknowledged,
  };
}

/**
 * Reads stripe `stripe`'s data into k frames (zero-padded) and provides m parity frames (their contents are
 * for the encoder to overwrite). Frames of the pool's length come from `pool`, others are allocated.
 */
export async function readStripeFrames(
  reader: ExactReader,
  layout: StripeLayout,
  stripe: number,
  totalShards: number,
  pool?: FramePool,
): Promise<Uint8Array[]> {
  const blockLength = layout.blockLength(stripe);
  const frameBytes = blockLength + FRAME_OVERHEAD_BYTES;
  let remaining = layout.stripeLength(stripe);
  const frames: Uint8Array[] = [];
  for (let index = 0; index < totalShards; index++) {
    const frame = pool?.frameBytes === frameBytes ? pool.take() : new Uint8Array(frameBytes);
    const want = index < layout.dataShards ? Math.min(blockLength, remaining) : 0;
    // A reused frame holds an older stripe's bytes: clear what the body will not overwrite (parity frames
    // are the encoder's to overwrite whole).
    if (index < layout.dataShards && want < blockLength) frame.fill(0, want, blockLength);
    if (want > 0) {
      const got = await reader.readInto(frame.subarray(0, want));
      if (got < want) {
        const received = stripe * layout.stripeBytes + index * blockLength + got;
        throw new StoreError(
          "incomplete_body",
          `Body ended after ${received} bytes, expected ${layout.sizeBytes}`,
        );
      }
      remaining -= want;
    }
    frames.push(frame);
  }
  return frames;
}

function quorumError(
  stripe: number,
  live: number,
  options: StripeWriteOptions,
  channels: readonly ShardChannel[],
): StoreError {
  const reasons = channels
    .map((channel, index) => channel.failed ? `shard ${index}: ${describe(channel.failure)}` : null)
    .filter((reason) => reason !== null)
    .join("; ");
  return new StoreError(
    "quorum_not_met",
    `Cannot write stripe ${stripe} of ${options.dataId}: ${live} of ${options.targets.length} workers ` +
      `acknowledged, write quorum is ${options.writeQuorum} (${reasons})`,
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
