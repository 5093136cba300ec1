/**
 * The edge tier: whole small objects held in gateway memory, keyed by their immutable data id (so a
 * cached entry can never be a stale version), bounded by total bytes and by object size. Concurrent
 * misses for one data id are merged into one load. Admission is TinyLFU by default: a new object
 * enters a full cache only if it has been asked for more often recently than the entry it would evict,
 * so a burst of one-hit wonders cannot flush the hot set (plain LRU is available for comparison).
 */
import type { Counter, Gauge, Metrics } from "../storage/mod.ts";
import { FrequencySketch } from "./frequency_sketch.ts";

/** How a full cache decides whether a newly loaded object may evict older ones. */
export type AdmissionPolicy = "lru" | "tinylfu";

/** Settings of the edge cache. */
export interface EdgeCacheOptions {
  /** Total bytes of cached objects; 0 disables the cache. */
  readonly maxBytes: number;
  /** Largest object that is cached. */
  readonly maxObjectBytes: number;
  readonly admission: AdmissionPolicy;
  readonly metrics: Metrics;
}

/** Typical cached object size used to size the frequency sketch. */
const TYPICAL_OBJECT_BYTES = 16 * 1024;

/** Bounded in-memory cache of object bytes by data id. */
export class EdgeCache {
  readonly #options: EdgeCacheOptions;
  /** Insertion order is recency order: the first entry is the least recently used. */
  readonly #entries = new Map<string, Uint8Array<ArrayBuffer>>();
  readonly #inflight = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  readonly #sketch: FrequencySketch;
  #bytes = 0;
  #loadingBytes = 0;
  readonly #maxLoadingBytes: number;
  readonly #bypasses: Counter;
  readonly #hits: Counter;
  readonly #misses: Counter;
  readonly #merged: Counter;
  readonly #evictions: Counter;
  readonly #rejected: Counter;
  readonly #servedBytes: Counter;
  readonly #cachedBytes: Gauge;
  readonly #cachedObjects: Gauge;

  constructor(options: EdgeCacheOptions) {
    this.#options = options;
    this.#sketch = new FrequencySketch(Math.max(1024, options.maxBytes / TYPICAL_OBJECT_BYTES));
    this.#maxLoadingBytes = Math.max(options.maxObjectBytes, Math.floor(options.maxBytes / 4));
    const m = options.metrics;
    this.#bypasses = m.counter(
      "objstore_edge_cache_bypasses_total",
      "Cold reads streamed from storage because concurrent loads already held their memory budget.",
    );
    this.#hits = m.counter("objstore_edge_cache_hits_total", "Reads served from the edge cache.");
    this.#misses = m.counter(
      "objstore_edge_cache_misses_total",
      "Reads of cacheable objects not in the edge cache.",
    );
    this.#merged = m.counter(
      "objstore_edge_cache_merged_misses_total",
      "Misses that joined a load already in flight instead of reading the object again.",
    );
    this.#evictions = m.counter("objstore_edge_cache_evictions_total", "Objects evicted to make room.");
    this.#rejected = m.counter(
      "objstore_edge_cache_admission_rejections_total",
      "Loaded objects not admitted because the entries they would evict were more popular.",
    );
    this.#servedBytes = m.counter(
      "objstore_edge_cache_served_bytes_total",
      "Bytes served from the edge cache.",
    );
    this.#cachedBytes = m.gauge("objstore_edge_cache_bytes", "Bytes of objects held in the edge cache.");
    this.#cachedObjects = m.gauge("objstore_edge_cache_objects", "Objects held in the edge cache.");
  }

  /** True when an object of `sizeBytes` belongs in the cache. */
  cacheable(sizeBytes: number): boolean {
    return this.#options.maxBytes > 0 && sizeBytes <= this.#options.maxObjectBytes &&
      sizeBytes <= this.#options.maxBytes;
  }

  /**
   * The bytes of `dataId`: from memory, from a load already in flight, or from `load` (whose result
   * is then offered to the cache). Concurrent callers for one data id share one load. Returns null
   * (the caller streams from storage instead) when loads already buffer `maxLoadingBytes`, so a storm
   * of distinct cold objects cannot buffer unbounded memory.
   */
  getOrLoad(
    dataId: string,
    sizeBytes: number,
    load: () => Promise<Uint8Array<ArrayBuffer>>,
  ): Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer> | null> {
    // A hit answers synchronously: no promise on the hottest path of the gateway.
    return this.#lookup(dataId) ?? this.#load(dataId, sizeBytes, load);
  }

  #lookup(dataId: string): Uint8Array<ArrayBuffer> | undefined {
    this.#sketch.increment(dataId);
    const cached = this.#entries.get(dataId);
    if (cached === undefined) return undefined;
    this.#entries.delete(dataId);
    this.#entries.set(dataId, cached);
    this.#hits.inc();
    return cached;
  }

  async #load(
    dataId: string,
    sizeBytes: number,
    load: () => Promise<Uint8Array<ArrayBuffer>>,
  ): Promise<Uint8Array<ArrayBuffer> | null> {
    const inflight = this.#inflight.get(dataId);
    if (inflight !== undefined) {
      this.#merged.inc();
      return await inflight;
    }
    this.#misses.inc();
    if (this.#loadingBytes + sizeBytes > this.#maxLoadingBytes) {
      this.#bypasses.inc();
      return null;
    }
    this.#loadingBytes += sizeBytes;
    const loading = load().then((bytes) => {
      this.#admit(dataId, bytes);
      return bytes;
    }).finally(() => {
      this.#inflight.delete(dataId);
      this.#loadingBytes -= sizeBytes;
    });
    this.#inflight.set(dataId, loading);
    return await loading;
  }

  /** Counts `byteCount` bytes as served from memory. */
  recordServed(byteCount: number): void {
    this.#servedBytes.inc(byteCount);
  }

  /** True when `dataId` is cached (for tests and diagnostics; does not count as an access). */
  has(dataId: string): boolean {
    return this.#entries.has(dataId);
  }

  /**
   * Offers a loaded object to the cache. When it does not fit, the least recently used entries that would
   * make room are chosen first; under TinyLFU the newcomer is admitted only if it is more frequent than
   * every one of them, and then all are evicted, otherwise none is (a rejected newcomer costs the cache
   * nothing).
   */
  #admit(dataId: string, bytes: Uint8Array<ArrayBuffer>): void {
    if (!this.cacheable(bytes.length) || this.#entries.has(dataId)) return;
    const victims: string[] = [];
    let freed = 0;
    const excess = this.#bytes + bytes.length - this.#options.maxBytes;
    if (excess > 0) {
      // cacheable() bounds the object by maxBytes, so the entries always hold enough bytes to free.
      const tinylfu = this.#options.admission === "tinylfu";
      const frequency = tinylfu ? this.#sketch.frequency(dataId) : 0;
      for (const [victim, victimBytes] of this.#entries) {
        if (tinylfu && frequency <= this.#sketch.frequency(victim)) {
          this.#rejected.inc();
          return;
        }
        victims.push(victim);
        freed += victimBytes.length;
        if (freed >= excess) break;
      }
    }
    for (const victim of victims) this.#evict(victim);
    this.#entries.set(dataId, bytes);
    this.#bytes += bytes.length;
    this.#updateGauges();
  }

  #evict(dataId: string): void {
    const bytes = this.#entries.get(dataId);
    if (bytes === undefined) return;
    this.#entries.delete(dataId);
    this.#bytes -= bytes.length;
    this.#evictions.inc();
    this.#updateGauges();
  }

  #updateGauges(): void {
    this.#cachedBytes.set(this.#bytes);
    this.#cachedObjects.set(this.#entries.size);
  }
}
