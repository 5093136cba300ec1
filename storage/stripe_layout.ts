/**
 * Stripe arithmetic for an erasure-coded object: an object of `sizeBytes` is cut into stripes of
 * `dataShards × blockSizeBytes`; each stripe becomes one block per shard. Every stripe but the last is
 * full; the last stripe's blocks are `ceil(rest / dataShards)` bytes (zero-padded), so every shard's
 * blocks are full except its last, which matches the worker's frame format.
 */
import { assert } from "./core/mod.ts";

/** The geometry of one erasure-coded object. */
export class StripeLayout {
  readonly sizeBytes: number;
  readonly dataShards: number;
  readonly blockSizeBytes: number;
  /** Data bytes of one full stripe. */
  readonly stripeBytes: number;
  /** Number of stripes (0 for an empty object). */
  readonly stripeCount: number;

  constructor(sizeBytes: number, dataShards: number, blockSizeBytes: number) {
    assert(Number.isSafeInteger(sizeBytes) && sizeBytes >= 0, `sizeBytes ${sizeBytes} must be >= 0`);
    assert(dataShards >= 1 && blockSizeBytes >= 1, "dataShards and blockSizeBytes must be >= 1");
    this.sizeBytes = sizeBytes;
    this.dataShards = dataShards;
    this.blockSizeBytes = blockSizeBytes;
    this.stripeBytes = dataShards * blockSizeBytes;
    this.stripeCount = Math.ceil(sizeBytes / this.stripeBytes);
  }

  /** Data bytes in stripe `index`. */
  stripeLength(index: number): number {
    return Math.min(this.stripeBytes, this.sizeBytes - index * this.stripeBytes);
  }

  /** Bytes of each shard's block in stripe `index`. */
  blockLength(index: number): number {
    return Math.ceil(this.stripeLength(index) / this.dataShards);
  }

  /** Total data bytes of each shard file. */
  shardDataLength(): number {
    if (this.stripeCount === 0) return 0;
    return (this.stripeCount - 1) * this.blockSizeBytes + this.blockLength(this.stripeCount - 1);
  }

  /** Index of the stripe holding object byte `offset`. */
  stripeOf(offset: number): number {
    return Math.floor(offset / this.stripeBytes);
  }
}
