/**
 * A bounded cache of metadata records that stays exactly coherent with the store for a single writer.
 *
 * Writers report every committed state with `observe` (after the commit, before acknowledging it).
 * Readers that miss take a `ticket` before reading the store and `fill` afterwards; the fill is
 * dropped if the key was written after the ticket was taken, and an entry is only ever replaced by a
 * state with a newer versionstamp. So a slow reader can never put back a state older than the last
 * acknowledged write, even if the newer entry was evicted in between. With the embedded Deno KV the
 * gateway is the only writer; a networked store would call `observe` from its change feed.
 */

/** A cached value (null means "known absent") with the versionstamp of the commit that produced it. */
interface Entry<V> {
  readonly value: V | null;
  readonly versionstamp: string;
}

/** Prune the recent-writes log when it grows past this many keys. */
const RECENT_WRITES_PRUNE_AT = 10_000;

/** Versionstamp used for states read from the store without one (an absent key): older than any commit. */
export const UNKNOWN_VERSIONSTAMP = "";

/** Coherent LRU cache from string keys to records. */
export class CoherentCache<V> {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry<V>>();
  #writeSequence = 0;
  /** Key → sequence number of its last write, kept while reads that started earlier are in flight. */
  readonly #recentWrites = new Map<string, number>();
  /** Ticket → number of reads in flight that took it. */
  readonly #readsInFlight = new Map<number, number>();

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The cached state: a value, null (known absent), or undefined (not cached). */
  get(key: string): V | null | undefined {
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
    this.#store(key, value, versionstamp);
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
    this.#store(key, value, versionstamp);
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

  #store(key: string, value: V | null, versionstamp: string): void {
    if (this.#maxEntries <= 0) return;
    const current = this.#entries.get(key);
    // Never replace a state by an older one; an unknown versionstamp ("") is older than any commit.
    if (current !== undefined && current.versionstamp > versionstamp) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, versionstamp });
    while (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
  }
}
