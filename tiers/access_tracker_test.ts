import { assert, assertEquals, assertRejects } from "../tests/support/asserts.ts";
import { openTempCatalog } from "../storage/meta/meta_test_support.ts";
import {
  Logger,
  type MetaCheck,
  MetadataCatalog,
  type MetaKey,
  type MetaMutation,
  type MetaStore,
  Metrics,
} from "../storage/mod.ts";
import { accessTiming, AccessTracker } from "./access_tracker.ts";

const WRITTEN = "objstore_access_records_written_total";

/** A store that counts what reaches it and can be told to fail the next commits. */
class CountingStore implements MetaStore {
  readonly commits: number[] = [];
  readonly getManySizes: number[] = [];
  failCommits = 0;
  readonly #inner: MetaStore;

  constructor(inner: MetaStore) {
    this.#inner = inner;
  }
  get(key: MetaKey) {
    return this.#inner.get(key);
  }
  getMany(keys: readonly MetaKey[]) {
    this.getManySizes.push(keys.length);
    return this.#inner.getMany(keys);
  }
  list(...args: Parameters<MetaStore["list"]>) {
    return this.#inner.list(...args);
  }
  commit(checks: readonly MetaCheck[], mutations: readonly MetaMutation[]) {
    if (this.failCommits > 0) {
      this.failCommits--;
      return Promise.reject(new Error("injected commit failure"));
    }
    this.commits.push(mutations.length);
    return this.#inner.commit(checks, mutations);
  }
  close() {}
}

function trackerOn(
  catalog: MetadataCatalog,
  options: { granularityMs?: number; maxPendingEntries?: number; maxKnownEntries?: number } = {},
) {
  const metrics = new Metrics();
  const tracker = new AccessTracker({
    catalog,
    granularityMs: options.granularityMs ?? 60_000,
    maxPendingEntries: options.maxPendingEntries ?? 10_000,
    maxKnownEntries: options.maxKnownEntries ?? 10_000,
    logger: new Logger("test", "error"),
    metrics,
  });
  return { tracker, metrics };
}

Deno.test("noteRead() coalesces 1000 reads of one object into one write per granularity period", async () => {
  await using temp = await openTempCatalog();
  const store = new CountingStore(temp.store);
  const { tracker, metrics } = trackerOn(new MetadataCatalog(store), { granularityMs: 60_000 });
  // 1000 reads, 600 ms apart (10 granularity periods), flushed every 10 reads.
  for (let read = 0; read < 1000; read++) {
    tracker.noteRead("hot", read * 600);
    if (read % 10 === 9) await tracker.flush();
  }
  await tracker.flush();
  assertEquals(metrics.valueOf(WRITTEN), 10);
  assertEquals(store.commits, Array(10).fill(1));
  // The recorded time lags the last read by less than the granularity; later reads are not even kept.
  const stored = (await temp.catalog.getAccessRecords(["hot"]))[0]!.lastAccessMs;
  assert(999 * 600 - stored < 60_000, `stored ${stored}`);
  assertEquals(await tracker.lastAccess("hot"), stored);
});

Deno.test("lastAccess() sees reads not yet flushed, and null for data never read", async () => {
  await using temp = await openTempCatalog();
  const { tracker } = trackerOn(temp.catalog);
  tracker.noteRead("a", 5_000);
  assertEquals(await tracker.lastAccess("a"), 5_000);
  assertEquals(await tracker.lastAccess("never"), null);
  assertEquals((await temp.catalog.getAccessRecords(["a"]))[0], null, "nothing written before a flush");
  await tracker.flush();
  assertEquals((await temp.catalog.getAccessRecords(["a"]))[0], { v: 1, lastAccessMs: 5_000 });
  const restarted = trackerOn(temp.catalog).tracker;
  assertEquals(await restarted.lastAccessMany(["a", "never"]), new Map([["a", 5_000]]));
});

Deno.test("flush() after a restart reads the stored time and writes nothing within the granularity", async () => {
  await using temp = await openTempCatalog();
  const first = trackerOn(temp.catalog, { granularityMs: 60_000 });
  first.tracker.noteRead("a", 1_000);
  await first.tracker.flush();
  const store = new CountingStore(temp.store);
  const second = trackerOn(new MetadataCatalog(store), { granularityMs: 60_000 });
  second.tracker.noteRead("a", 30_000);
  assertEquals(await second.tracker.flush(), 0);
  assertEquals(store.commits, []);
  assertEquals(store.getManySizes, [1]);
  second.tracker.noteRead("a", 45_000);
  assertEquals(second.tracker.pendingEntries, 0, "known and recent: not even a map entry");
  second.tracker.noteRead("a", 61_000);
  assertEquals(await second.tracker.flush(), 1);
});

Deno.test("noteRead() never holds more than twice maxPendingEntries: full, it flushes early, then drops the oldest", async () => {
  await using temp = await openTempCatalog();
  const { tracker, metrics } = trackerOn(temp.catalog, { maxPendingEntries: 100 });
  for (let id = 0; id < 1000; id++) {
    tracker.noteRead(`d${id}`, 1_000 + id);
    assert(tracker.pendingEntries <= 200, `${tracker.pendingEntries} entries after ${id + 1} reads`);
  }
  assertEquals(metrics.valueOf("objstore_access_pending"), 200);
  assertEquals(metrics.valueOf("objstore_access_dropped_total"), 800);
  await tracker.flush();
  assertEquals(metrics.valueOf(WRITTEN), 200, "the early batch (d0–d99) and the newest 100 (d900–d999)");
  assertEquals(tracker.pendingEntries, 0);
  assertEquals(metrics.valueOf("objstore_access_pending"), 0);
  assertEquals(
    await tracker.lastAccessMany(["d0", "d500", "d999"]),
    new Map([["d0", 1_000], ["d999", 1_999]]),
  );
});

Deno.test("flush() writes 2500 reads in commits of at most 1000 and reads them back 10 keys at a time", async () => {
  await using temp = await openTempCatalog();
  const store = new CountingStore(temp.store);
  const { tracker, metrics } = trackerOn(new MetadataCatalog(store), { maxKnownEntries: 0 });
  const ids = Array.from({ length: 2500 }, (_, id) => `data-${id}`);
  for (const id of ids) tracker.noteRead(id, 7_000);
  assertEquals(await tracker.flush(), 2500);
  assertEquals(store.commits, [1000, 1000, 500]);
  assertEquals(metrics.valueOf(WRITTEN), 2500);
  store.getManySizes.length = 0;
  const times = await tracker.lastAccessMany(ids);
  assertEquals(times.size, 2500);
  assert(store.getManySizes.every((size) => size <= 10), String(store.getManySizes));
  assertEquals(store.getManySizes.length, 250);
});

Deno.test("flush() that fails puts its reads back for the next flush", async () => {
  await using temp = await openTempCatalog();
  const store = new CountingStore(temp.store);
  const { tracker } = trackerOn(new MetadataCatalog(store));
  tracker.noteRead("a", 1_000);
  tracker.noteRead("b", 2_000);
  store.failCommits = 1;
  await assertRejects(() => tracker.flush());
  assertEquals(tracker.pendingEntries, 2);
  assertEquals(await tracker.flush(), 2);
  assertEquals(await tracker.lastAccessMany(["a", "b"]), new Map([["a", 1_000], ["b", 2_000]]));
});

Deno.test("accessTiming() is an hour and a minute on a real day, fractions of a short test day", () => {
  assertEquals(accessTiming(86_400_000), { granularityMs: 3_600_000, flushIntervalMs: 60_000 });
  assertEquals(accessTiming(2_000), { granularityMs: 83, flushIntervalMs: 500 });
  assertEquals(accessTiming(1_000).flushIntervalMs, 250);
});
