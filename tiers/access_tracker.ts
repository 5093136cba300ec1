/**
 * Last reads of object data, for the lifecycle rule `NotAccessedTransition` (cold detection by access, as
 * S3 Intelligent-Tiering does by itself). A GET costs one map lookup and at most one map set here; the reads
 * are coalesced in memory by data id and written to the metadata (`["access", dataId]`) by `flush`, on an
 * interval, in commits of at most 1000 records.
 *
 * Invariants:
 * - A data id's record is written only when the read is at least `granularityMs` later than the recorded
 *   one, so a hot object costs at most one metadata write per granularity period, however often it is read.
 *   The recorded time therefore lags the latest read by less than the granularity plus a flush interval.
 * - Memory is bounded: at most `maxPendingEntries` data ids wait for a flush (plus the batches being written,
 *   at most two: the interval's and one early flush), and at most `maxKnownEntries` recorded times are
 *   remembered. When the pending map is full, a new data id starts an early flush; if a flush is already
 *   writing, the oldest pending read is dropped instead (`objstore_access_dropped_total`), which can only make
 *   that object look colder than it is.
 * - Data ids are unique per write, so an overwrite starts with no recorded read; the collector deletes a data
 *   id's record with its data. A record that outlives its data (a read flushed after the collector ran) is
 *   never consulted again, since no version names that data id: stale records are harmless.
 */
import {
  assert,
  type Counter,
  type Gauge,
  KV_MAX_MUTATIONS,
  type Logger,
  type MetadataCatalog,
  type Metrics,
} from "../storage/mod.ts";

/** A recorded read is rewritten at most this often per object (on AWS-length lifecycle days). */
export const ACCESS_GRANULARITY_MS = 60 * 60 * 1000;
/** Pending reads are written at least this often (on AWS-length lifecycle days). */
export const ACCESS_FLUSH_INTERVAL_MS = 60 * 1000;
/** Shortest flush interval, whatever the lifecycle day. */
const MIN_FLUSH_INTERVAL_MS = 50;

/**
 * Granularity and flush interval for a lifecycle day of `dayMs`: an hour and a minute on a real day, at most
 * a 24th and a quarter of a day on the short days of tests, so a read always counts within the same day.
 */
export function accessTiming(dayMs: number): { granularityMs: number; flushIntervalMs: number } {
  assert(Number.isSafeInteger(dayMs) && dayMs > 0, `Expected a lifecycle day in whole ms > 0, got ${dayMs}`);
  return {
    granularityMs: Math.min(ACCESS_GRANULARITY_MS, Math.floor(dayMs / 24)),
    flushIntervalMs: Math.max(
      MIN_FLUSH_INTERVAL_MS,
      Math.min(ACCESS_FLUSH_INTERVAL_MS, Math.floor(dayMs / 4)),
    ),
  };
}

/** What the tracker needs. */
export interface AccessTrackerOptions {
  readonly catalog: MetadataCatalog;
  /** A read less than this after the recorded one is not written. */
  readonly granularityMs: number;
  /** Most data ids waiting in memory for a flush. */
  readonly maxPendingEntries: number;
  /** Most recorded times remembered, so reads of a hot object are skipped without a metadata read. */
  readonly maxKnownEntries: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Records reads of object data in memory and writes them, coalesced, to the metadata. */
export class AccessTracker {
  readonly #options: AccessTrackerOptions;
  /** Data id → the latest read not yet written. Insertion order: the oldest first. */
  #pending = new Map<string, number>();
  /** Batches taken by `flush` and not yet written. */
  readonly #writing = new Set<ReadonlyMap<string, number>>();
  /** Data id → the time recorded in the metadata (as far as this process knows); least recent first. */
  readonly #known = new Map<string, number>();
  /** The last flush (never rejects), so batches are written one after another, never an older over a newer. */
  #tail: Promise<unknown> = Promise.resolve();
  readonly #written: Counter;
  readonly #dropped: Counter;
  readonly #pendingGauge: Gauge;

  constructor(options: AccessTrackerOptions) {
    assert(options.granularityMs >= 0, `Expected a granularity >= 0 ms, got ${options.granularityMs}`);
    assert(
      options.maxPendingEntries >= 1,
      `Expected room for pending reads, got ${options.maxPendingEntries}`,
    );
    assert(options.maxKnownEntries >= 0, `Expected a known-entry bound >= 0, got ${options.maxKnownEntries}`);
    this.#options = options;
    this.#written = options.metrics.counter(
      "objstore_access_records_written_total",
      "Last-access records written to the metadata (at most one per object per granularity period).",
    );
    this.#dropped = options.metrics.counter(
      "objstore_access_dropped_total",
      "Reads forgotten because the pending map was full while a flush was writing.",
    );
    this.#pendingGauge = options.metrics.gauge(
      "objstore_access_pending",
      "Data ids whose latest read is in memory, not yet written to the metadata.",
    );
  }

  /** Notes a read of the data `dataId` at `nowMs`: O(1), no I/O. */
  noteRead(dataId: string, nowMs: number): void {
    const known = this.#known.get(dataId);
    if (known !== undefined && nowMs < known + this.#options.granularityMs) return;
    const pending = this.#pending.get(dataId);
    if (pending !== undefined) {
      if (nowMs > pending) this.#pending.set(dataId, nowMs);
      return;
    }
    if (this.#pending.size >= this.#options.maxPendingEntries) this.#makeRoom();
    this.#pending.set(dataId, nowMs);
    this.#updateGauge();
  }

  /** Data ids in memory whose reads are not written yet (pending and being written). */
  get pendingEntries(): number {
    let count = this.#pending.size;
    for (const batch of this.#writing) count += batch.size;
    return count;
  }

  /**
   * Writes the pending reads (after any flush in progress), in commits of at most 1000 records, skipping
   * those within the granularity of the recorded time; returns how many records it wrote. A failed commit
   * puts its reads back (as far as there is room) and rejects.
   */
  flush(): Promise<number> {
    const batch = this.#pending;
    if (batch.size === 0) return this.#tail.then(() => 0);
    this.#pending = new Map();
    this.#writing.add(batch);
    const run = this.#tail.then(() => this.#writeBatch(batch)).finally(() => {
      this.#writing.delete(batch);
      this.#updateGauge();
    });
    this.#tail = run.catch(() => {}); // the caller sees the failure; the next flush still runs
    return run;
  }

  /** When the data `dataId` was last read, as far as the metadata and this process know; null if never. */
  async lastAccess(dataId: string): Promise<number | null> {
    return (await this.lastAccessMany([dataId])).get(dataId) ?? null;
  }

  /**
   * The last reads of `dataIds` (absent from the map: never read), reading the metadata in batches of 10
   * keys for the ids this process has no recorded time of, and counting reads not yet written.
   */
  async lastAccessMany(dataIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const unknown = dataIds.filter((dataId) => !this.#known.has(dataId));
    const stored = await this.#options.catalog.getAccessRecords(unknown);
    unknown.forEach((dataId, index) => {
      const record = stored[index];
      if (record !== null) out.set(dataId, record.lastAccessMs);
    });
    for (const dataId of dataIds) {
      const times = [out.get(dataId), this.#known.get(dataId), this.#pending.get(dataId)];
      for (const batch of this.#writing) times.push(batch.get(dataId));
      const latest = Math.max(...times.filter((time): time is number => time !== undefined));
      if (Number.isFinite(latest)) out.set(dataId, latest);
    }
    return out;
  }

  /** The pending map is full: flush early, or drop the oldest pending read if a flush is writing. */
  #makeRoom(): void {
    if (this.#writing.size === 0) {
      this.flush().catch((error) => this.#options.logger.warn("early access flush failed", { error }));
      return;
    }
    const oldest = this.#pending.keys().next();
    if (oldest.done !== true) this.#pending.delete(oldest.value);
    this.#dropped.inc();
  }

  async #writeBatch(batch: ReadonlyMap<string, number>): Promise<number> {
    const entries = [...batch];
    let written = 0;
    for (let start = 0; start < entries.length; start += KV_MAX_MUTATIONS) {
      const chunk = entries.slice(start, start + KV_MAX_MUTATIONS);
      try {
        written += await this.#writeChunk(chunk);
      } catch (error) {
        for (const [dataId, readMs] of entries.slice(start)) this.#requeue(dataId, readMs);
        throw error;
      }
    }
    return written;
  }

  /** Writes one commit's worth of reads (at most 1000); returns how many records it wrote. */
  async #writeChunk(chunk: readonly (readonly [string, number])[]): Promise<number> {
    const { catalog, granularityMs } = this.#options;
    const unknown = chunk.filter(([dataId]) => !this.#known.has(dataId)).map(([dataId]) => dataId);
    const stored = await catalog.getAccessRecords(unknown);
    unknown.forEach((dataId, index) => {
      const record = stored[index];
      if (record !== null) this.#remember(dataId, record.lastAccessMs);
    });
    const due = chunk.filter(([dataId, readMs]) => {
      const known = this.#known.get(dataId);
      return known === undefined || readMs >= known + granularityMs;
    });
    if (due.length === 0) return 0;
    const tx = catalog.transaction();
    for (const [dataId, readMs] of due) tx.putAccess(dataId, { v: 1, lastAccessMs: readMs });
    assert(tx.mutationCount <= KV_MAX_MUTATIONS, `Expected <= 1000 mutations, got ${tx.mutationCount}`);
    await tx.commit(); // no checks: it cannot fail on one, only throw
    for (const [dataId, readMs] of due) this.#remember(dataId, readMs);
    this.#written.inc(due.length);
    return due.length;
  }

  /** Puts back a read whose write failed, if there is room (the newer time wins). */
  #requeue(dataId: string, readMs: number): void {
    const pending = this.#pending.get(dataId);
    if (pending !== undefined) this.#pending.set(dataId, Math.max(pending, readMs));
    else if (this.#pending.size < this.#options.maxPendingEntries) this.#pending.set(dataId, readMs);
    else this.#dropped.inc();
  }

  /** Remembers the recorded time of `dataId`, forgetting the least recently remembered beyond the bound. */
  #remember(dataId: string, lastAccessMs: number): void {
    this.#known.delete(dataId);
    if (this.#options.maxKnownEntries === 0) return;
    this.#known.set(dataId, lastAccessMs);
    if (this.#known.size > this.#options.maxKnownEntries) {
      this.#known.delete(this.#known.keys().next().value!);
    }
  }

  #updateGauge(): void {
    this.#pendingGauge.set(this.pendingEntries);
  }
}
