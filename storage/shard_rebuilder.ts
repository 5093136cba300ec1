/**
 * Rebuilding shards: the object's bytes (read from any k healthy shards, verified) are cut and encoded
 * again exactly as the write path does, and only the shards being rebuilt are streamed to their workers,
 * each as one request for the whole shard. Each rebuilt shard succeeds or fails on its own.
 */
import { ExactReader, StoreError } from "./core/mod.ts";
import type { ReedSolomon } from "./erasure/mod.ts";
import { sealFrame, type WorkerClient } from "./worker/mod.ts";
import { ShardChannel } from "./shard_channel.ts";
import type { StripeLayout } from "./stripe_layout.ts";
import { readStripeFrames } from "./stripe_writer.ts";

/** One shard to rebuild and where it goes. */
export interface RebuildTarget {
  readonly shardIndex: number;
  readonly workerId: string;
  readonly client: WorkerClient;
}

/** What a rebuild needs. */
export interface RebuildOptions {
  readonly dataId: string;
  readonly layout: StripeLayout;
  readonly codec: ReedSolomon;
  readonly targets: readonly RebuildTarget[];
  readonly stripesInFlight: number;
}

/** The outcome per rebuilt shard: the worker's acknowledged checksum, or the error. */
export type RebuildOutcome =
  | { readonly shardIndex: number; readonly workerId: string; readonly ok: true; readonly checksum: number }
  | { readonly shardIndex: number; readonly workerId: string; readonly ok: false; readonly error: unknown };

/** Streams the shards of `targets`, encoded from `body` (all `layout.sizeBytes` bytes of the object). */
export async function rebuildShards(
  body: ReadableStream<Uint8Array>,
  options: RebuildOptions,
): Promise<RebuildOutcome[]> {
  const { layout, codec, targets } = options;
  const abort = new AbortController();
  const channels = targets.map(() => new ShardChannel(options.stripesInFlight));
  const uploads = targets.map((target, i) =>
    target.client.putShard({
      dataId: options.dataId,
      shardIndex: target.shardIndex,
      blockSizeBytes: layout.blockSizeBytes,
      dataLength: layout.shardDataLength(),
      body: channels[i].stream,
      signal: abort.signal,
    }).then(
      (ack): RebuildOutcome => ({
        shardIndex: target.shardIndex,
        workerId: target.workerId,
        ok: true,
        checksum: ack.checksum,
      }),
      (error: unknown): RebuildOutcome => {
        channels[i].fail(error);
        return { shardIndex: target.shardIndex, workerId: target.workerId, ok: false, error };
      },
    )
  );
  const reader = new ExactReader(body);
  try {
    for (let stripe = 0; stripe < layout.stripeCount; stripe++) {
      const frames = await readStripeFrames(reader, layout, stripe, codec.totalShards);
      const blockLength = layout.blockLength(stripe);
      codec.encode(frames.map((frame) => frame.subarray(0, blockLength)));
      // Nothing left to write to: stop reading; every outcome is a failure the caller handles.
      if (channels.every((channel) => channel.failed)) {
        abort.abort(new StoreError("unavailable", "Every rebuilt shard failed"));
        await reader.cancel().catch(() => {});
        return await Promise.all(uploads);
      }
      await Promise.all(targets.map((target, i) => {
        const frame = frames[target.shardIndex];
        sealFrame(frame, blockLength);
        return channels[i].push(frame);
      }));
    }
    for (const channel of channels) channel.close();
  } catch (error) {
    for (const channel of channels) channel.fail(error);
    abort.abort(error);
    await reader.cancel(error).catch(() => {});
    await Promise.all(uploads);
    throw error;
  }
  return await Promise.all(uploads);
}
