/**
 * Argument checks for the codec's public methods. Every failure is a caller mistake, reported as a
 * `StoreError("invalid_argument")` whose message says what was expected and what came instead.
 */

import { StoreError } from "../core/mod.ts";

/** The shard geometry a check runs against. */
export interface ShardLayout {
  /** Number of data shards (k). */
  readonly dataShards: number;
  /** Number of parity shards (m). */
  readonly parityShards: number;
  /** k + m. */
  readonly totalShards: number;
}

/** Checks the constructor's counts: k >= 1, m >= 0, both integers, k + m <= 256. */
export function checkShardCounts(dataShards: number, parityShards: number): void {
  if (!Number.isInteger(dataShards) || dataShards < 1) {
    throw invalid(`dataShards must be an integer >= 1, got ${dataShards}`);
  }
  if (!Number.isInteger(parityShards) || parityShards < 0) {
    throw invalid(`parityShards must be an integer >= 0, got ${parityShards}`);
  }
  if (dataShards + parityShards > 256) {
    throw invalid(
      `dataShards + parityShards must be <= 256 in GF(2^8), got ${dataShards} + ${parityShards} = ${
        dataShards + parityShards
      }`,
    );
  }
}

/** Checks that every shard is present and all have one length; returns that length. */
export function checkCompleteShards(layout: ShardLayout, shards: readonly unknown[]): number {
  checkShardArray(layout, shards);
  shards.forEach((shard, index) => {
    if (!(shard instanceof Uint8Array)) {
      throw invalid(`Shard ${index} is ${describe(shard)}, expected a Uint8Array`);
    }
  });
  return checkSameLength(shards as readonly Uint8Array[]);
}

/**
 * Checks a possibly incomplete shard list (`null` marks a missing shard); returns the common length of the
 * present shards, or 0 when none is present.
 */
export function checkPartialShards(layout: ShardLayout, shards: readonly unknown[]): number {
  checkShardArray(layout, shards);
  shards.forEach((shard, index) => {
    if (shard !== null && !(shard instanceof Uint8Array)) {
      throw invalid(`Shard ${index} is ${describe(shard)}, expected a Uint8Array or null`);
    }
  });
  return checkSameLength(shards as readonly (Uint8Array | null)[]);
}

function checkShardArray(layout: ShardLayout, shards: readonly unknown[]): void {
  if (!Array.isArray(shards)) throw invalid(`Expected an array of shards, got ${describe(shards)}`);
  if (shards.length !== layout.totalShards) {
    throw invalid(
      `Expected ${layout.totalShards} shards (${layout.dataShards} data + ${layout.parityShards} parity), got ${shards.length}`,
    );
  }
}

function checkSameLength(shards: readonly (Uint8Array | null)[]): number {
  let expected = -1;
  let firstIndex = -1;
  for (let index = 0; index < shards.length; index++) {
    const shard = shards[index];
    if (shard === null) continue;
    if (expected < 0) {
      expected = shard.length;
      firstIndex = index;
    } else if (shard.length !== expected) {
      throw invalid(
        `Shard ${index} has ${shard.length} bytes, expected ${expected} (the length of shard ${firstIndex})`,
      );
    }
  }
  return Math.max(expected, 0);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  const name: string = value.constructor?.name ?? "Object";
  return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`;
}

function invalid(message: string): StoreError {
  return new StoreError("invalid_argument", message);
}
