/**
 * Names of shards. A shard is named by its object's data id (32 lower-case hex digits) and its index
 * in the stripe (0..255). Both are checked against strict patterns before any path is built from
 * them, so a name can never contain a separator, a dot segment or another spelling of the same
 * shard: a shard name can never escape the worker's data directory.
 */

import { StoreError } from "../core/mod.ts";

/** Highest shard index (shards of one data id: at most 256, as GF(2^8) codes allow). */
export const MAX_SHARD_INDEX = 255;

const DATA_ID_PATTERN = /^[0-9a-f]{32}$/;
const SHARD_INDEX_PATTERN = /^(0|[1-9][0-9]{0,2})$/;

/** One shard of one data id. */
export interface ShardName {
  /** 32 lower-case hex digits. */
  readonly dataId: string;
  /** Position of the shard in each stripe, 0..255. */
  readonly shardIndex: number;
}

/** True when `dataId` is 32 lower-case hex digits. */
export function isDataId(dataId: string): boolean {
  return DATA_ID_PATTERN.test(dataId);
}

/** Parses a data id and a decimal shard index; throws `invalid_argument` for anything else. */
export function parseShardName(dataId: string, shardIndexText: string): ShardName {
  if (!isDataId(dataId)) {
    throw new StoreError(
      "invalid_argument",
      `Expected a data id of 32 lower-case hex digits, got ${JSON.stringify(dataId.slice(0, 80))}`,
    );
  }
  const shardIndex = SHARD_INDEX_PATTERN.test(shardIndexText) ? Number(shardIndexText) : Number.NaN;
  if (!(shardIndex <= MAX_SHARD_INDEX)) {
    throw new StoreError(
      "invalid_argument",
      `Expected a shard index 0..${MAX_SHARD_INDEX} without leading zeros, got ${
        JSON.stringify(shardIndexText.slice(0, 80))
      }`,
    );
  }
  return { dataId, shardIndex };
}

/** Checks a name given as a number (by a client's caller) and returns it; throws `invalid_argument`. */
export function shardName(dataId: string, shardIndex: number): ShardName {
  return parseShardName(dataId, String(shardIndex));
}

/** `dataId.shardIndex`, the shard's file name and its label in logs and messages. */
export function formatShardName(name: ShardName): string {
  return `${name.dataId}.${name.shardIndex}`;
}
