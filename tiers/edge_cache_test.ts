import { Metrics } from "../storage/mod.ts";
import { assert, assertEquals } from "../tests/support/asserts.ts";
import { zipfScanTrace } from "../tests/support/zipf_scan_trace.ts";
import { type AdmissionPolicy, EdgeCache } from "./edge_cache.ts";

function cache(admission: AdmissionPolicy, maxBytes = 10 * 1024, maxObjectBytes = 1024) {
  const metrics = new Metrics();
  return { edge: new EdgeCache({ maxBytes, maxObjectBytes, admission, metrics }), metrics };
}

const bytes = (size: number, fill = 1) => new Uint8Array(size).fill(fill);

/** Asks for `dataId` once (counted by the frequency sketch) with a load that fails, so nothing is admitted. */
async function ask(edge: EdgeCache, dataId: string): Promise<void> {
  try {
    await edge.getOrLoad(dataId, 1, () => Promise.reject(new Error("not loaded")));
  } catch { /* expected */ }
}

Deno.test("EdgeCache.getOrLoad() merges concurrent misses for one data id into one load", async () => {
  const { edge, metrics } = cache("tinylfu");
  let loads = 0;
  const load = async () => {
    loads++;
    await new Promise((resolve) => setTimeout(resolve, 10));
    return bytes(100);
  };
  const results = await Promise.all(Array.from({ length: 100 }, () => edge.getOrLoad("a", 100, load)));
  assertEquals(loads, 1);
  assert(results.every((result) => result !== null && result.length === 100));
  assertEquals(metrics.valueOf("objstore_edge_cache_merged_misses_total"), 99);
  assertEquals(metrics.valueOf("objstore_edge_cache_misses_total"), 1);
});

Deno.test("EdgeCache.getOrLoad() serves a cached object without loading it again", async () => {
  const { edge, metrics } = cache("lru");
  await edge.getOrLoad("a", 10, () => Promise.resolve(bytes(10)));
  const again = await edge.getOrLoad("a", 10, () => Promise.reject(new Error("must not load")));
  assertEquals(again?.length, 10);
  assertEquals(metrics.valueOf("objstore_edge_cache_hits_total"), 1);
});

Deno.test("EdgeCache does not keep objects larger than maxObjectBytes", async () => {
  const { edge } = cache("lru");
  assertEquals(edge.cacheable(1025), false);
  await edge.getOrLoad("big", 1025, () => Promise.resolve(bytes(1025)));
  assertEquals(edge.has("big"), false);
});

Deno.test("EdgeCache with LRU evicts the least recently used object when full", async () => {
  const { edge, metrics } = cache("lru", 3000, 1000);
  for (const id of ["a", "b", "c"]) await edge.getOrLoad(id, 1000, () => Promise.resolve(bytes(1000)));
  await edge.getOrLoad("a", 1000, () => Promise.resolve(bytes(1000)));
  await edge.getOrLoad("d", 1000, () => Promise.resolve(bytes(1000)));
  assertEquals([edge.has("a"), edge.has("b"), edge.has("c"), edge.has("d")], [true, false, true, true]);
  assertEquals(metrics.valueOf("objstore_edge_cache_evictions_total"), 1);
  assertEquals(metrics.valueOf("objstore_edge_cache_bytes"), 3000);
});

Deno.test("EdgeCache with TinyLFU keeps a hot set through a scan of one-hit wonders; LRU does not", async () => {
  for (const admission of ["tinylfu", "lru"] as const) {
    const { edge } = cache(admission, 10 * 100, 100);
    const hot = Array.from({ length: 10 }, (_, i) => `hot-${i}`);
    for (let round = 0; round < 5; round++) {
      for (const id of hot) await edge.getOrLoad(id, 100, () => Promise.resolve(bytes(100)));
    }
    for (let i = 0; i < 500; i++) await edge.getOrLoad(`scan-${i}`, 100, () => Promise.resolve(bytes(100)));
    const kept = hot.filter((id) => edge.has(id)).length;
    if (admission === "tinylfu") assertEquals(kept, 10);
    else assertEquals(kept, 0);
  }
});

Deno.test("EdgeCache streams instead of buffering when concurrent loads exceed their memory budget", async () => {
  const { edge, metrics } = cache("lru", 4000, 1000);
  let release = () => {};
  const gate = new Promise<void>((resolve) => release = resolve);
  const slow = (size: number) => async () => {
    await gate;
    return bytes(size);
  };
  const first = edge.getOrLoad("x", 1000, slow(1000));
  const second = await edge.getOrLoad("y", 1000, slow(1000));
  assertEquals(second, null);
  assertEquals(metrics.valueOf("objstore_edge_cache_bypasses_total"), 1);
  release();
  assertEquals((await first)?.length, 1000);
});

Deno.test("EdgeCache hit ratio: TinyLFU beats LRU on a skewed workload mixed with scans", async () => {
  const ratios: Record<string, number> = {};
  for (const admission of ["tinylfu", "lru"] as const) {
    const { edge, metrics } = cache(admission, 200 * 100, 100);
    // 70% of requests follow a Zipf-like law over 2000 objects; 30% are a scan of unique objects.
    const trace = zipfScanTrace();
    for (const id of trace) await edge.getOrLoad(id, 100, () => Promise.resolve(bytes(100)));
    const hits = metrics.valueOf("objstore_edge_cache_hits_total")!;
    ratios[admission] = hits / trace.length;
  }
  console.log(`hit ratio: tinylfu ${ratios.tinylfu.toFixed(3)}, lru ${ratios.lru.toFixed(3)}`);
  assert(ratios.tinylfu > ratios.lru, `TinyLFU ${ratios.tinylfu} should beat LRU ${ratios.lru}`);
});

Deno.test("EdgeCache with TinyLFU: a newcomer rejected by a later victim evicts none of the earlier ones", async () => {
  const { edge, metrics } = cache("tinylfu", 3000, 2000);
  const load = (size: number) => () => Promise.resolve(bytes(size));
  // "cold" is least recently used but asked for once; "hot" (next in recency order) many times.
  await edge.getOrLoad("cold", 1000, load(1000));
  for (let i = 0; i < 10; i++) await edge.getOrLoad("hot", 1000, load(1000));
  await edge.getOrLoad("warm", 1000, load(1000));
  // "new" (asked for twice) beats "cold" but not "hot"; it needs both of their bytes.
  await ask(edge, "new");
  await edge.getOrLoad("new", 2000, load(2000));
  assertEquals([edge.has("cold"), edge.has("hot"), edge.has("warm"), edge.has("new")], [
    true,
    true,
    true,
    false,
  ]);
  assertEquals(metrics.valueOf("objstore_edge_cache_evictions_total") ?? 0, 0);
  assertEquals(metrics.valueOf("objstore_edge_cache_admission_rejections_total"), 1);
  assertEquals(metrics.valueOf("objstore_edge_cache_bytes"), 3000);
});

Deno.test("EdgeCache with TinyLFU: a newcomer more frequent than every victim evicts them all", async () => {
  const { edge, metrics } = cache("tinylfu", 3000, 2000);
  const load = (size: number) => () => Promise.resolve(bytes(size));
  for (const id of ["a", "b", "c"]) await edge.getOrLoad(id, 1000, load(1000));
  for (let i = 0; i < 5; i++) {
    await ask(edge, "new");
  }
  await edge.getOrLoad("new", 2000, load(2000));
  assertEquals([edge.has("a"), edge.has("b"), edge.has("c"), edge.has("new")], [false, false, true, true]);
  assertEquals(metrics.valueOf("objstore_edge_cache_evictions_total"), 2);
  assertEquals(metrics.valueOf("objstore_edge_cache_bytes"), 3000);
});
