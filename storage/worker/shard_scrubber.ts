/**
 * Worker-side scrubbing: walks every shard file of the store in name order, reads it whole through
 * `ShardStore.verifyShard` (the checks of a GET, so a file that fails is quarantined, never deleted and
 * never served again), then starts over. Reads are paced to `bytesPerSecond` and go through one reused
 * buffer (one chunk, at least one frame), so scrubbing takes a bounded share of the disk and of memory.
 * A shard deleted or rewritten while it is read is skipped, not an error. An abort stops the walk at the
 * next read or wait.
 */

import { abortableSleep, assert, type Logger, type Sleep } from "../core/mod.ts";
import { BytePacer } from "./byte_pacer.ts";
import { READ_CHUNK_BYTES } from "./shard_file.ts";
import { formatShardName, type ShardName } from "./shard_name.ts";
import type { ShardCheck, ShardStore } from "./shard_store.ts";

/** Default pace of scrubbing: 8 MiB per second. */
export const DEFAULT_SCRUB_BYTES_PER_SECOND = 8 * 1024 * 1024;

/** Default shortest time from the start of one pass to the start of the next. */
export const DEFAULT_SCRUB_PASS_INTERVAL_MS = 60_000;

/** Counters of one worker's scrubber since it started; sent in the health check. */
export interface ScrubStats {
  /** The configured pace; 0 when scrubbing is off. */
  readonly bytesPerSecond: number;
  /** Whole passes over every shard finished. */
  readonly passesCompleted: number;
  /** Shard files read whole and found intact. */
  readonly filesVerified: number;
  /** Bytes of those files (headers included). */
  readonly bytesVerified: number;
  /** Shards the scrubber found corrupt and quarantined. */
  readonly corruptShards: number;
  /** Shards it could not read for another reason (an I/O error), left in place. */
  readonly readErrors: number;
}

/** Options of a `ShardScrubber`. */
export interface ShardScrubberOptions {
  /** The store to scrub. */
  store: ShardStore;
  /** Pace of the reads; 0 turns scrubbing off. */
  bytesPerSecond: number;
  /** Where passes, corrupt shards and read errors are reported. */
  logger: Logger;
  /** Shortest time from one pass's start to the next's (so a small store is not read in a loop). */
  passIntervalMs?: number;
  /** Size of the reused read buffer; grows to one frame when a shard's blocks are larger. */
  readBufferBytes?: number;
  /** Monotonic time in milliseconds, for pacing; `performance.now()` by default. */
  nowMs?: () => number;
  /** How to wait; a timer that an abort ends at once by default. */
  sleep?: Sleep;
}

/** Reads every shard of a store again and again at a bounded rate, quarantining corrupt ones. */
export class ShardScrubber {
  readonly #options: ShardScrubberOptions;
  readonly #nowMs: () => number;
  readonly #sleep: Sleep;
  readonly #pacer: BytePacer | null;
  #buffer: Uint8Array;
  #stats: { -readonly [K in keyof ScrubStats]: ScrubStats[K] };

  constructor(options: ShardScrubberOptions) {
    this.#options = options;
    this.#nowMs = options.nowMs ?? (() => performance.now());
    this.#sleep = options.sleep ?? abortableSleep;
    this.#pacer = options.bytesPerSecond > 0
      ? new BytePacer(options.bytesPerSecond, { nowMs: this.#nowMs, sleep: this.#sleep })
      : null;
    this.#buffer = new Uint8Array(0);
    this.#stats = {
      bytesPerSecond: Math.max(0, options.bytesPerSecond),
      passesCompleted: 0,
      filesVerified: 0,
      bytesVerified: 0,
      corruptShards: 0,
      readErrors: 0,
    };
  }

  /** A copy of the counters. */
  stats(): ScrubStats {
    return { ...this.#stats };
  }

  /**
   * Scrubs pass after pass until `signal` aborts, then resolves; resolves at once when scrubbing is off.
   * Never rejects: what goes wrong is logged and counted.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#pacer === null) return;
    const intervalMs = this.#options.passIntervalMs ?? DEFAULT_SCRUB_PASS_INTERVAL_MS;
    while (!signal.aborted) {
      const startMs = this.#nowMs();
      try {
        await this.runPass(signal);
        const waitMs = startMs + intervalMs - this.#nowMs();
        if (waitMs > 0) await this.#sleep(waitMs, signal);
      } catch (error) {
        if (signal.aborted) break;
        // Listing `shards/` failed (the disk went away?): try again after a pause, not in a tight loop.
        this.#options.logger.error("Scrub pass failed", { error });
        await this.#sleep(intervalMs, signal).catch(() => {});
      }
    }
    // Let go of the buffer: a stopped scrubber should not hold a block's worth of memory.
    this.#buffer = new Uint8Array(0);
  }

  /**
   * One whole pass over every shard, in name order; rejects with the abort reason when `signal` aborts
   * (or when the shard directory cannot be listed). Scrubbing must be on.
   */
  async runPass(signal: AbortSignal): Promise<void> {
    const pacer = this.#pacer;
    assert(pacer !== null, "Scrubbing is off (0 bytes per second): there is no pass to run");
    const { store, logger } = this.#options;
    const startMs = this.#nowMs();
    const before = this.stats();
    const io = {
      buffer: (minBytes: number) => this.#bufferOf(minBytes),
      beforeRead: (bytes: number) => pacer.pace(bytes, signal),
    };
    for await (const name of store.listShards()) {
      signal.throwIfAborted();
      let check: ShardCheck;
      try {
        check = await store.verifyShard(name, io);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        this.#stats.readErrors++;
        logger.warn("Scrubbing could not read a shard", { shard: formatShardName(name), error });
        continue;
      }
      this.#count(name, check);
    }
    this.#stats.passesCompleted++;
    const corruptShards = this.#stats.corruptShards - before.corruptShards;
    const readErrors = this.#stats.readErrors - before.readErrors;
    // A clean pass is routine (a small store passes every minute); one that found something is news.
    const log = corruptShards + readErrors > 0 ? logger.info.bind(logger) : logger.debug.bind(logger);
    log("Scrub pass finished", {
      pass: this.#stats.passesCompleted,
      files: this.#stats.filesVerified - before.filesVerified,
      bytes: this.#stats.bytesVerified - before.bytesVerified,
      corruptShards,
      readErrors,
      ms: Math.round(this.#nowMs() - startMs),
    });
  }

  #count(name: ShardName, check: ShardCheck): void {
    switch (check.kind) {
      case "absent":
        return;
      case "verified":
        this.#stats.filesVerified++;
        this.#stats.bytesVerified += check.bytes;
        return;
      case "corrupt":
        if (check.quarantined) {
          this.#stats.corruptShards++;
        } else {
          this.#options.logger.info(
            "A corrupt shard was replaced or deleted while scrubbed; kept the new one",
            {
              shard: formatShardName(name),
              reason: check.reason,
            },
          );
        }
        return;
    }
  }

  /** The reused buffer, grown (once per larger block size met) to hold at least `minBytes`. */
  #bufferOf(minBytes: number): Uint8Array {
    if (this.#buffer.length < minBytes) {
      this.#buffer = new Uint8Array(Math.max(minBytes, this.#options.readBufferBytes ?? READ_CHUNK_BYTES));
    }
    return this.#buffer;
  }
}
