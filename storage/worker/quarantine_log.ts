/**
 * The shards this worker has quarantined since it started, whoever found them (the scrubber or an ordinary
 * read). The health check reports them so gateways can queue repairs. The list keeps only the newest
 * `capacity` entries, so a disk that goes bad all at once cannot grow it without bound; `total` still counts
 * every one.
 */

import { assert } from "../core/mod.ts";
import type { ShardName } from "./shard_name.ts";

/**
 * How many quarantined shards a worker lists by default: at most about 84 bytes each in JSON, 500 keep the
 * health answer well under the 64 KiB that gateways read of a JSON body (`MAX_JSON_BODY_BYTES`).
 */
export const DEFAULT_QUARANTINE_LOG_ENTRIES = 500;

/** A shard whose file was moved to `quarantine/`, and when. */
export interface QuarantinedShard extends ShardName {
  /** When the file was moved, in milliseconds since the Unix epoch. */
  readonly atMs: number;
}

/** A bounded, oldest-first list of the shards quarantined since start. */
export class QuarantineLog {
  readonly #capacity: number;
  readonly #entries: QuarantinedShard[] = [];
  #total = 0;

  constructor(capacity = DEFAULT_QUARANTINE_LOG_ENTRIES) {
    assert(Number.isSafeInteger(capacity) && capacity >= 1, `capacity must be >= 1, got ${capacity}`);
    this.#capacity = capacity;
  }

  /** Notes that shard `name` was quarantined at `atMs`, forgetting the oldest entry when full. */
  record(name: ShardName, atMs: number): void {
    this.#entries.push({ dataId: name.dataId, shardIndex: name.shardIndex, atMs });
    // Quarantines are rare, so shifting a short array is cheaper to read than a ring buffer.
    if (this.#entries.length > this.#capacity) this.#entries.shift();
    this.#total++;
  }

  /** Every quarantine since start, including those no longer listed. */
  get total(): number {
    return this.#total;
  }

  /** The newest entries, oldest first, as a new array. */
  list(): QuarantinedShard[] {
    return [...this.#entries];
  }
}
