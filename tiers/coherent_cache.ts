/**
 * A bounded cache of metadata records that never serves a state older than the last acknowledged write.
 *
 * Writers report every committed state with `observe` (after the commit, before acknowledging it).
 * Readers that miss take a `ticket` before reading the store and `fill` afterwards; the fill is
 * dropped if the key was written after the ticket was taken, and an entry is only ever replaced by a
 * state with a newer versionstamp. So a slow reader can never put back a state older than the last
 * acknowledged write, even if the newer entry was evicted in between. A change older than the newest
 * versionstamp ever stored (late: commits finishing out of order, a feed out of order) may update an entry
 * but never add one, so it cannot bring back a state whose successor was evicted. With the embedded Deno KV
 * the gateway is the only writer, so its own `observe` calls keep the cache exactly coherent.
 *
 * With several gateways on a networked store (`leased: true`), other gateways' commits arrive through the
 * store's change feed (`HeadChangeTarget`: `applyChange`, `applyProgress`), and hits are served only while
 * the gateway holds a coherence lease whose versionstamp the feed has reached; otherwise `get` misses and
 * the caller reads the store. Protocol: docs/implementation-guide.md, "Coherent caches with several
 * gateways".
 */
import { assert, type Clock, systemClock } from "../storage/mod.ts";
import type { CoherenceLease, HeadChangeTarget } from "./head_change_feed.ts";

export type {
  CoherenceLease,
  CoherenceLeaseGrant,
  HeadChangeFeed,
  HeadChangeTarget,
} from "./head_change_feed.ts";
export { coherenceLeaseExpiryMs } from "./head_change_feed.ts";

/** A cached value (null means "known absent") with the versionstamp of the commit that produced it. */
interface Entry<V> {
  readonly value: V | null;
  readonly versionstamp: string;
}

/** Prune the recent-writes log when it grows past this many keys. */
const RECENT_WRITES_PRUNE_AT = 10_000;

/** Versionstamp used for states read from the store without one (an absent key): older than any commit. */
export const UNKNOWN_VERSIONSTAMP = "";

/** How a cache learns of other writers. */
export interface CoherentCacheOptions {
  /**
   * True with a networked metadata store that other gateways write: hits need a coherence lease and a feed
   * that has caught up with it. False (the default) with the embedded store: this gateway is the only
   * writer, hits are always served and the clock is never read.
   */
  readonly leased?: boolean;
  /** The clock lease expiries are measured on (default: the system clock). */
  readonly clock?: Clock;
}

/** Coherent LRU cache from string keys to records. */
export class CoherentCache<V> implements HeadChangeTarget<V> {
  readonly #maxEntries: number;
  readonly #leased: boolean;
  readonly #clock: Clock;
  /**
   * Hits are served while the clock is before this: Infinity when not leased (so a hit costs one comparison
   * and no clock read), else the latest end of the leases the feed has caught up with (-Infinity if none).
   */
  #servingUntilMs: number;
  /** A lease granted at a versionstamp the feed has not reached yet; it takes effect when it does. */
  #pendingLease: CoherenceLease | null = null;
  #appliedVersionstamp = UNKNOWN_VERSIONSTAMP;
  /** The newest versionstamp ever stored: a change older than it is late and may only update an entry. */
  #newestVersionstamp = UNKNOWN_VERSIONSTAMP;
  /** Fills of reads that began before this write sequence are dropped (set by `resetFeed`). */
  #fillsValidFrom = 0;
  readonly #entries = new Map<string, Entry<V>>();
  #writeSequence = 0;
  /** Key → sequence number of its last write, kept while reads that started earlier are in flight. */
  readonly #recentWrites = new Map<string, number>();
  /** Ticket → number of reads in flight that took it. */
  readonly #readsInFlight = new Map<number, number>();

  constructor(maxEntries: number, options: CoherentCacheOptions = {}) {
    this.#maxEntries = maxEntries;
    this.#leased = options.leased ?? false;
    this.#clock = options.clock ?? systemClock;
    this.#servingUntilMs = this.#leased ? -Infinity : Infinity;
  }

  /** The cached state: a value, null (known absent), or undefined (not cached, or not servable now). */
  get(key: string): V | null | undefined {
    const servingUntilMs = this.#servingUntilMs;
    if (servingUntilMs !== Infinity && !(this.#clock.nowMs() < servingUntilMs)) return undefined;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // Refresh recency only when eviction is near: moving an entry costs a Map delete and insert on
    // every hit, which hot paths (a bucket looked up per request) should not pay for nothing.
    if (this.#entries.size * 2 > this.#maxEntries) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry.value;
  }

  /** Records a committed state of `key` (null: deleted). Call after the commit, before acknowledging. */
  observe(key: string, value: V | null, versionstamp: string): void {
    const sequence = ++this.#writeSequence;
    if (this.#readsInFlight.size > 0) this.#recentWrites.set(key, sequence);
    this.#store(key, value, versionstamp, true);
  }

  /** Applies a change delivered by the metadata store's feed: the same rules as `observe`. */
  applyChange(key: string, value: V | null, versionstamp: string): void {
    this.observe(key, value, versionstamp);
  }

  /** Records the feed's progress: every change up to `versionstamp` has been applied. */
  applyProgress(versionstamp: string): void {
    if (versionstamp > this.#appliedVersionstamp) this.#appliedVersionstamp = versionstamp;
    const pending = this.#pendingLease;
    if (pending !== null && pending.versionstamp <= this.#appliedVersionstamp) {
      this.#pendingLease = null;
      this.#serveUntil(pending.expiresMs);
    }
  }

  /** The feed's progress so far (`UNKNOWN_VERSIONSTAMP` before any). */
  get appliedVersionstamp(): string {
    return this.#appliedVersionstamp;
  }

  /**
   * Takes a granted or renewed coherence lease. Hits go on under the previous lease until it ends; this one
   * takes effect once the feed has reached its versionstamp (only the latest such lease is kept waiting).
   */
  renewLease(lease: CoherenceLease): void {
    assert(this.#leased, "renewLease() on a cache created without `leased: true`");
    if (lease.versionstamp <= this.#appliedVersionstamp) this.#serveUntil(lease.expiresMs);
    else if (this.#pendingLease === null || lease.versionstamp >= this.#pendingLease.versionstamp) {
      this.#pendingLease = lease;
    }
  }

  /** Drops every entry and read in flight, and restarts the feed's progress at `versionstamp`. */
  resetFeed(versionstamp: string): void {
    this.#entries.clear();
    this.#fillsValidFrom = ++this.#writeSequence;
    this.#appliedVersionstamp = versionstamp;
    this.applyProgress(versionstamp);
  }

  /** Forgets `key` (e.g. when its state is unknown after a failure). */
  forget(key: string): void {
    const sequence = ++this.#writeSequence;
    if (this.#readsInFlight.size > 0) this.#recentWrites.set(key, sequence);
    this.#entries.delete(key);
  }

  /** Forgets every key for which `matches` holds. */
  forgetWhere(matches: (key: string) => boolean): void {
    for (const key of [...this.#entries.keys()]) if (matches(key)) this.forget(key);
  }

  /** Starts a read of the store after a miss; pass the ticket to `fill` or `abandon`. */
  beginRead(): number {
    const ticket = this.#writeSequence;
    this.#readsInFlight.set(ticket, (this.#readsInFlight.get(ticket) ?? 0) + 1);
    return ticket;
  }

  /** Offers a state read from the store under `ticket`; dropped if the key was written since. */
  fill(key: string, value: V | null, versionstamp: string, ticket: number): void {
    const writtenAt = this.#recentWrites.get(key);
    this.abandon(ticket);
    if (writtenAt !== undefined && writtenAt > ticket) return;
    if (ticket < this.#fillsValidFrom) return;
    this.#store(key, value, versionstamp, false);
  }

  /** Ends a read that will not fill (it failed). */
  abandon(ticket: number): void {
    const count = this.#readsInFlight.get(ticket) ?? 0;
    if (count <= 1) this.#readsInFlight.delete(ticket);
    else this.#readsInFlight.set(ticket, count - 1);
    if (this.#readsInFlight.size === 0) this.#recentWrites.clear();
    else if (this.#recentWrites.size > RECENT_WRITES_PRUNE_AT) this.#prune();
  }

  /** Number of cached entries. */
  get size(): number {
    return this.#entries.size;
  }

  /** Drops writes older than every read in flight: no read can be affected by them any more. */
  #prune(): void {
    const oldestTicket = Math.min(...this.#readsInFlight.keys());
    for (const [key, sequence] of this.#recentWrites) {
      if (sequence <= oldestTicket) this.#recentWrites.delete(key);
    }
  }

  #serveUntil(expiresMs: number): void {
    if (expiresMs > this.#servingUntilMs) this.#servingUntilMs = expiresMs;
  }

  /** Stores a state; `isChange` for a commit (observed or from the feed), false for a fill. */
  #store(key: string, value: V | null, versionstamp: string, isChange: boolean): void {
    if (this.#maxEntries <= 0) return;
    const current = this.#entries.get(key);
    // Never replace a state by an older one; an unknown versionstamp ("") is older than any commit.
    if (current !== undefined && current.versionstamp > versionstamp) return;
    // A change older than some state stored before may be late (a feed out of order, commits finishing out
    // of order), and a newer state of its key may have been evicted since: it may update an entry, never
    // add one. A fill may: its ticket already guarantees it is not older than any change of its key.
    const newest = this.#newestVersionstamp;
    if (versionstamp > newest) this.#newestVersionstamp = versionstamp;
    else if (current === undefined && isChange && versionstamp < newest) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, versionstamp });
    while (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }
}
