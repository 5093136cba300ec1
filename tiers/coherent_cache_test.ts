import { assertEquals } from "../tests/support/asserts.ts";
import { ManualClock } from "../storage/mod.ts";
import { CoherentCache, UNKNOWN_VERSIONSTAMP } from "./coherent_cache.ts";

Deno.test("CoherentCache.observe() never replaces a state by an older versionstamp", () => {
  const cache = new CoherentCache<string>(10);
  cache.observe("k", "v2", "00000000000000000002");
  cache.observe("k", "v1", "00000000000000000001");
  assertEquals(cache.get("k"), "v2");
  cache.observe("k", null, "00000000000000000003");
  assertEquals(cache.get("k"), null);
});

Deno.test("CoherentCache.fill() is dropped when the key was written after the read began", () => {
  const cache = new CoherentCache<string>(10);
  const ticket = cache.beginRead();
  cache.observe("k", "new", "00000000000000000005");
  cache.fill("k", "old", "00000000000000000004", ticket);
  assertEquals(cache.get("k"), "new");
});

Deno.test("CoherentCache.fill() cannot resurrect a state whose newer entry was evicted meanwhile", () => {
  const cache = new CoherentCache<string>(1);
  const ticket = cache.beginRead();
  cache.observe("k", "new", "00000000000000000005");
  cache.observe("other", "x", "00000000000000000006"); // evicts "k"
  assertEquals(cache.get("k"), undefined);
  cache.fill("k", null, UNKNOWN_VERSIONSTAMP, ticket);
  assertEquals(cache.get("k"), undefined);
});

Deno.test("CoherentCache.fill() stores what a read found when nothing was written meanwhile", () => {
  const cache = new CoherentCache<string>(10);
  const ticket = cache.beginRead();
  cache.fill("k", "stored", "00000000000000000007", ticket);
  assertEquals(cache.get("k"), "stored");
  const absent = cache.beginRead();
  cache.fill("missing", null, UNKNOWN_VERSIONSTAMP, absent);
  assertEquals(cache.get("missing"), null);
});

Deno.test("CoherentCache keeps at most maxEntries, dropping the least recently used", () => {
  const cache = new CoherentCache<number>(2);
  cache.observe("a", 1, "01");
  cache.observe("b", 2, "02");
  cache.get("a");
  cache.observe("c", 3, "03");
  assertEquals([cache.get("a"), cache.get("b"), cache.get("c")], [1, undefined, 3]);
});

Deno.test("CoherentCache with 0 entries caches nothing", () => {
  const cache = new CoherentCache<number>(0);
  cache.observe("a", 1, "01");
  assertEquals(cache.get("a"), undefined);
});

/** A versionstamp that sorts like Deno KV's: `revision` zero-padded to 20 digits. */
const stamp = (revision: number) => String(revision).padStart(20, "0");

/** A change feed that holds changes back and delivers them late, in any order, with its progress. */
class DelayedFeed<V> {
  readonly #held: { key: string; value: V | null; revision: number }[] = [];
  #delivered = 0;
  readonly #deliveredRevisions = new Set<number>();

  constructor(readonly target: CoherentCache<V>) {}

  /** A change committed in the store at `revision`; the gateway does not see it yet. */
  publish(key: string, value: V | null, revision: number): void {
    this.#held.push({ key, value, revision });
  }

  /** Delivers the held changes of the given revisions, in the order given, then the progress they allow. */
  deliver(...revisions: number[]): void {
    for (const revision of revisions) {
      const index = this.#held.findIndex((change) => change.revision === revision);
      const [change] = this.#held.splice(index, 1);
      this.target.applyChange(change.key, change.value, stamp(change.revision));
      this.#deliveredRevisions.add(revision);
    }
    // Progress is contiguous: revision r is complete only when every revision up to it was delivered.
    while (this.#deliveredRevisions.has(this.#delivered + 1)) this.#delivered++;
    this.target.applyProgress(stamp(this.#delivered));
  }
}

Deno.test("CoherentCache.applyChange() delivered out of order never regresses an entry", () => {
  const cache = new CoherentCache<string>(10, { leased: true, clock: new ManualClock(0) });
  const feed = new DelayedFeed(cache);
  feed.publish("k", "v1", 1);
  feed.publish("k", "v2", 2);
  feed.publish("k", null, 3);
  feed.publish("k", "v4", 4);
  cache.renewLease({ expiresMs: 1_000, versionstamp: stamp(0) });
  feed.deliver(2);
  assertEquals(cache.get("k"), "v2");
  feed.deliver(1);
  assertEquals(cache.get("k"), "v2");
  feed.deliver(4, 3);
  assertEquals(cache.get("k"), "v4");
  assertEquals(cache.appliedVersionstamp, stamp(4));
});

Deno.test("CoherentCache.fill() of an absent key at the read's versionstamp outranks an older late change", () => {
  const cache = new CoherentCache<string>(10, { leased: true, clock: new ManualClock(0) });
  const feed = new DelayedFeed(cache);
  cache.renewLease({ expiresMs: 1_000, versionstamp: stamp(0) });
  feed.publish("k", "v1", 1);
  feed.publish("k", null, 2);
  // A miss reads the store at revision 2: the key is absent, so the read's revision is its versionstamp.
  cache.fill("k", null, stamp(2), cache.beginRead());
  feed.deliver(1, 2);
  assertEquals(cache.get("k"), null);
});

Deno.test("CoherentCache.fill() is dropped when a change to the key was applied after the read began", () => {
  const cache = new CoherentCache<string>(1, { leased: true, clock: new ManualClock(0) });
  const feed = new DelayedFeed(cache);
  cache.renewLease({ expiresMs: 1_000, versionstamp: stamp(0) });
  feed.publish("k", "new", 2);
  feed.publish("other", "x", 3);
  const ticket = cache.beginRead(); // the read will find revision 1's state
  feed.deliver(2, 3); // "other" evicts "k"
  cache.fill("k", "old", stamp(1), ticket);
  assertEquals(cache.get("k"), undefined);
});

Deno.test("CoherentCache with leased: true misses until it holds a lease its feed has reached", () => {
  const clock = new ManualClock(0);
  const cache = new CoherentCache<string>(10, { leased: true, clock });
  const feed = new DelayedFeed(cache);
  cache.observe("k", "v1", stamp(1));
  assertEquals(cache.get("k"), undefined); // no lease
  cache.renewLease({ expiresMs: 1_000, versionstamp: stamp(2) });
  feed.publish("k", "v1", 1);
  feed.publish("k", "v2", 2);
  feed.deliver(2);
  assertEquals(cache.get("k"), undefined); // the feed has not reached the lease's versionstamp
  feed.deliver(1);
  assertEquals(cache.get("k"), "v2");
});

Deno.test("CoherentCache misses once its lease has expired, so the caller reads the store", () => {
  const clock = new ManualClock(0);
  const cache = new CoherentCache<string>(10, { leased: true, clock });
  cache.applyProgress(stamp(5));
  cache.renewLease({ expiresMs: 1_000, versionstamp: stamp(5) });
  cache.observe("k", "v5", stamp(5));
  clock.advance(999);
  assertEquals(cache.get("k"), "v5");
  clock.advance(1);
  assertEquals(cache.get("k"), undefined);
  // The read of the store still fills, but nothing is served until the lease is renewed.
  cache.fill("k", "v6", stamp(6), cache.beginRead());
  assertEquals(cache.get("k"), undefined);
});

Deno.test("CoherentCache serves hits again once the lease is renewed and the feed has caught up", () => {
  const clock = new ManualClock(0);
  const cache = new CoherentCache<string>(10, { leased: true, clock });
  const feed = new DelayedFeed(cache);
  cache.renewLease({ expiresMs: 1_000, versionstamp: stamp(0) });
  cache.observe("k", "v0", stamp(0));
  clock.advance(2_000); // lease lapsed: writers stopped waiting for this gateway
  feed.publish("k", "v1", 1);
  feed.publish("k", "v2", 2);
  cache.renewLease({ expiresMs: 5_000, versionstamp: stamp(2) });
  assertEquals(cache.get("k"), undefined);
  feed.deliver(2);
  assertEquals(cache.get("k"), undefined);
  feed.deliver(1);
  assertEquals(cache.get("k"), "v2");
});

Deno.test("CoherentCache.renewLease() keeps serving under the previous lease until the feed reaches the new one", () => {
  const clock = new ManualClock(0);
  const cache = new CoherentCache<string>(10, { leased: true, clock });
  const feed = new DelayedFeed(cache);
  feed.deliver(); // the feed starts at revision 0
  cache.renewLease({ expiresMs: 1_000, versionstamp: stamp(0) });
  cache.observe("k", "v0", stamp(0));
  feed.publish("k", "v1", 1);
  cache.renewLease({ expiresMs: 2_000, versionstamp: stamp(1) });
  clock.advance(900);
  assertEquals(cache.get("k"), "v0"); // revision 1 is not acknowledged yet: writers wait for this lease
  clock.advance(100);
  assertEquals(cache.get("k"), undefined);
  feed.deliver(1);
  assertEquals(cache.get("k"), "v1");
  clock.advance(1_000);
  assertEquals(cache.get("k"), undefined);
});

Deno.test("CoherentCache.resetFeed() drops every entry and every read in flight", () => {
  const cache = new CoherentCache<string>(10, { leased: true, clock: new ManualClock(0) });
  cache.renewLease({ expiresMs: 1_000, versionstamp: stamp(0) });
  cache.observe("a", "a1", stamp(1));
  const ticket = cache.beginRead();
  cache.resetFeed(stamp(9));
  cache.fill("b", "b1", stamp(1), ticket);
  assertEquals([cache.get("a"), cache.get("b"), cache.appliedVersionstamp], [undefined, undefined, stamp(9)]);
  cache.fill("b", "b8", stamp(8), cache.beginRead());
  assertEquals(cache.get("b"), "b8");
});

Deno.test("CoherentCache without leased: true serves hits without reading the clock and refuses leases", () => {
  const clock = {
    nowMs(): number {
      throw new Error("the clock was read");
    },
  };
  const cache = new CoherentCache<string>(10, { clock });
  cache.observe("k", "v1", stamp(1));
  assertEquals(cache.get("k"), "v1");
  let refused = false;
  try {
    cache.renewLease({ expiresMs: 1, versionstamp: stamp(1) });
  } catch {
    refused = true;
  }
  assertEquals(refused, true);
});

Deno.test("CoherentCache.applyChange() of a late change never adds back a state older than an evicted one", () => {
  const cache = new CoherentCache<string>(1, { leased: true, clock: new ManualClock(0) });
  const feed = new DelayedFeed(cache);
  feed.publish("k", "v1", 1);
  feed.publish("k", "v2", 2);
  feed.publish("other", "x", 3);
  cache.renewLease({ expiresMs: 1_000, versionstamp: stamp(0) });
  feed.deliver(2, 3); // "other" evicts "k" at v2
  feed.deliver(1); // v1 is late: adding it would serve a state older than v2
  assertEquals(cache.get("k"), undefined);
  assertEquals(cache.get("other"), "x");
});
