import { assertEquals } from "../tests/support/asserts.ts";
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
