import { assert, assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import { isStoreError } from "./core/mod.ts";
import { hashToUnitInterval, placeShards, rendezvousScore } from "./placement.ts";
import { Topology, type WorkerInfo } from "./topology.ts";

const DATA_SHARDS = 6;
const PARITY_SHARDS = 3;
const SHARDS = DATA_SHARDS + PARITY_SHARDS;
/** Data ids per statistical test; fixed strings, so every run sees the same placements. */
const ID_COUNT = 5000;

function worker(id: string, zone: string, weight = 1, region = "r1"): WorkerInfo {
  return { id, url: `http://127.0.0.1:1/${id}`, region, zone, weight };
}

/** `zones.length` zones named z0, z1, …, zone i holding `zones[i]` workers named z<i>-w<j>. */
function grid(zones: readonly number[]): WorkerInfo[] {
  return zones.flatMap((count, zone) =>
    Array.from({ length: count }, (_, index) => worker(`z${zone}-w${index}`, `z${zone}`))
  );
}

function dataIds(count: number, salt = "id"): string[] {
  return Array.from({ length: count }, (_, index) => `${salt}-${index}`);
}

function countPerZone(workers: readonly WorkerInfo[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of workers) counts.set(Topology.zoneOf(w), (counts.get(Topology.zoneOf(w)) ?? 0) + 1);
  return counts;
}

Deno.test("placeShards() picks 9 distinct workers, 3 per zone, for 6+3 over 3 zones of 3", () => {
  const topology = new Topology(grid([3, 3, 3]));
  for (const dataId of dataIds(ID_COUNT)) {
    const placed = placeShards(dataId, topology, SHARDS, PARITY_SHARDS);
    assertEquals(placed.length, SHARDS, dataId);
    assertEquals(new Set(placed.map((w) => w.id)).size, SHARDS, dataId);
    assertEquals([...countPerZone(placed).values()], [3, 3, 3], dataId);
  }
});

Deno.test("placeShards() never puts more than maxShardsPerZone shards in one zone of a larger cluster", () => {
  const topology = new Topology(grid([6, 5, 2, 1, 4]));
  const used = new Set<string>();
  for (const dataId of dataIds(ID_COUNT)) {
    const placed = placeShards(dataId, topology, SHARDS, PARITY_SHARDS);
    placed.forEach((w) => used.add(w.id));
    assertEquals(new Set(placed.map((w) => w.id)).size, SHARDS, dataId);
    for (const [zone, count] of countPerZone(placed)) {
      assert(count <= PARITY_SHARDS, `${dataId}: zone ${zone} holds ${count} shards`);
    }
  }
  assertEquals(used.size, topology.workers.length, "every worker receives some shards");
});

Deno.test("placeShards() counts zones of the same name in different regions apart", () => {
  const topology = new Topology([
    ...["a", "b", "c"].map((id) => worker(`east-${id}`, "zone-1", 1, "east")),
    ...["a", "b", "c"].map((id) => worker(`west-${id}`, "zone-1", 1, "west")),
  ]);
  const placed = placeShards("some-data", topology, 6, 3);
  assertEquals(placed.map((w) => w.id).sort(), topology.workers.map((w) => w.id).sort());
});

Deno.test("placeShards() returns the same workers in the same order for the same data id", () => {
  const topology = new Topology(grid([4, 4, 4]));
  for (const dataId of dataIds(200)) {
    assertEquals(
      placeShards(dataId, topology, SHARDS, PARITY_SHARDS).map((w) => w.id),
      placeShards(dataId, topology, SHARDS, PARITY_SHARDS).map((w) => w.id),
    );
  }
});

Deno.test("placeShards() does not depend on the order workers are listed in the topology", () => {
  const workers = grid([4, 4, 4]);
  const forward = new Topology(workers);
  const reversed = new Topology([...workers].reverse());
  const interleaved = new Topology([
    ...workers.filter((_, i) => i % 2 === 1),
    ...workers.filter((_, i) => i % 2 === 0),
  ]);
  for (const dataId of dataIds(200)) {
    const expected = placeShards(dataId, forward, SHARDS, PARITY_SHARDS).map((w) => w.id);
    assertEquals(placeShards(dataId, reversed, SHARDS, PARITY_SHARDS).map((w) => w.id), expected, dataId);
    assertEquals(placeShards(dataId, interleaved, SHARDS, PARITY_SHARDS).map((w) => w.id), expected, dataId);
  }
});

Deno.test("placeShards() gives shard 0 to the best-scoring worker and keeps score order", () => {
  const topology = new Topology(grid([5, 5, 5]));
  for (const dataId of dataIds(200)) {
    const placed = placeShards(dataId, topology, SHARDS, PARITY_SHARDS);
    const best = [...topology.workers].sort((a, b) =>
      rendezvousScore(dataId, b) - rendezvousScore(dataId, a)
    )[0];
    assertEquals(placed[0].id, best.id, dataId);
    const scores = placed.map((w) => rendezvousScore(dataId, w));
    assertEquals(scores, [...scores].sort((a, b) => b - a), dataId);
  }
});

Deno.test("placeShards() spreads data ids evenly over workers of equal weight", () => {
  const topology = new Topology(grid([4, 4, 4]));
  const counts = new Map<string, number>();
  for (const dataId of dataIds(ID_COUNT)) {
    for (const w of placeShards(dataId, topology, SHARDS, PARITY_SHARDS)) {
      counts.set(w.id, (counts.get(w.id) ?? 0) + 1);
    }
  }
  // Each worker should hold 9/12 of the data ids; ±10% is more than 10 standard deviations here.
  const expected = ID_COUNT * SHARDS / topology.workers.length;
  for (const [id, count] of counts) {
    assert(
      Math.abs(count - expected) < expected * 0.1,
      `${id} holds ${count} shards, expected about ${expected}`,
    );
  }
});

Deno.test("placeShards() gives a worker of weight 2 about twice the shards of a worker of weight 1", () => {
  // One shard per data id among 20 single-worker zones: with weighted rendezvous hashing the heavy
  // worker wins with probability exactly 2/21 and each light one with 1/21.
  const workers = Array.from({ length: 20 }, (_, i) => worker(`w${i}`, `zone-${i}`, i === 0 ? 2 : 1));
  const topology = new Topology(workers);
  const idCount = 4 * ID_COUNT;
  const wins = new Map<string, number>();
  for (const dataId of dataIds(idCount)) {
    const [winner] = placeShards(dataId, topology, 1, 1);
    wins.set(winner.id, (wins.get(winner.id) ?? 0) + 1);
  }
  const heavy = wins.get("w0") ?? 0;
  const expectedHeavy = idCount * 2 / 21;
  const sigma = Math.sqrt(idCount * (2 / 21) * (19 / 21));
  assert(
    Math.abs(heavy - expectedHeavy) < 5 * sigma,
    `weight 2 won ${heavy} times, expected ${expectedHeavy} ± ${5 * sigma}`,
  );
  const lightMean = (idCount - heavy) / 19;
  const ratio = heavy / lightMean;
  assert(ratio > 1.75 && ratio < 2.25, `weight 2 won ${ratio.toFixed(3)}× as often as weight 1`);
});

Deno.test("placeShards() moves only about the new worker's fair share of shards when a 10th worker joins", () => {
  const before = new Topology(grid([3, 3, 3]));
  const newcomer = worker("z3-w0", "z3");
  const after = new Topology([...before.workers, newcomer]);
  let movedShards = 0;
  for (const dataId of dataIds(ID_COUNT)) {
    const old = new Set(placeShards(dataId, before, SHARDS, PARITY_SHARDS).map((w) => w.id));
    const moved = placeShards(dataId, after, SHARDS, PARITY_SHARDS).filter((w) => !old.has(w.id));
    assert(moved.every((w) => w.id === newcomer.id), `${dataId}: shards moved to ${moved.map((w) => w.id)}`);
    movedShards += moved.length;
  }
  // Ten equal workers share 9 shards per data id, so the newcomer's fair share is 9/10 of a shard per
  // data id: 1/10 of all shards. Allow half to twice that (the measured figure is ~0.1).
  const fairShare = 1 / 10;
  const fraction = movedShards / (ID_COUNT * SHARDS);
  assert(
    fraction > fairShare / 2 && fraction < 2 * fairShare,
    `${fraction} of shards moved, fair share ${fairShare}`,
  );
});

Deno.test("placeShards() moves shards only to the newcomer, never between old workers, in a larger cluster", () => {
  const before = new Topology(grid([4, 4, 4, 4]));
  const newcomer = worker("z4-w0", "z4");
  const after = new Topology([...before.workers, newcomer]);
  let movedShards = 0;
  for (const dataId of dataIds(ID_COUNT)) {
    const old = placeShards(dataId, before, SHARDS, PARITY_SHARDS).map((w) => w.id);
    const now = placeShards(dataId, after, SHARDS, PARITY_SHARDS).map((w) => w.id);
    const gained = now.filter((id) => !old.includes(id));
    const lost = old.filter((id) => !now.includes(id));
    assert(gained.every((id) => id === newcomer.id), `${dataId}: gained ${gained}`);
    assertEquals(lost.length, gained.length, dataId);
    movedShards += gained.length;
  }
  const fairShare = 1 / after.workers.length;
  const fraction = movedShards / (ID_COUNT * SHARDS);
  assert(
    fraction > fairShare / 2 && fraction < 2 * fairShare,
    `${fraction} of shards moved, fair share ${fairShare}`,
  );
});

Deno.test("placeShards() throws StoreError unavailable when the zone rule leaves too few workers", () => {
  const topology = new Topology(grid([5, 4]));
  const error = assertThrows(() => placeShards("data", topology, SHARDS, PARITY_SHARDS));
  assert(isStoreError(error, "unavailable"), `expected unavailable, got ${error}`);
  assert(error.message.includes("only 6 workers fit"), error.message);
});

Deno.test("placeShards() throws StoreError unavailable when there are fewer workers than shards", () => {
  const topology = new Topology(grid([2, 2, 2, 2]));
  const error = assertThrows(() => placeShards("data", topology, SHARDS, PARITY_SHARDS));
  assert(isStoreError(error, "unavailable"), `expected unavailable, got ${error}`);
});

Deno.test("placeShards() throws StoreError unavailable for an empty topology", () => {
  const error = assertThrows(() => placeShards("data", new Topology([]), 1, 1));
  assert(isStoreError(error, "unavailable"), `expected unavailable, got ${error}`);
});

Deno.test("hashToUnitInterval() stays strictly between 0 and 1 for hostile inputs", () => {
  const inputs = [
    "",
    "\u0000",
    "\u0000".repeat(1000),
    "\uFFFF".repeat(1000),
    "\uD800",
    "😀",
    "a".repeat(100_000),
    ...Array.from({ length: 256 }, (_, code) => String.fromCharCode(code)),
  ];
  for (const input of inputs) {
    const unit = hashToUnitInterval(input);
    assert(unit > 0 && unit < 1, `${JSON.stringify(input.slice(0, 20))} hashed to ${unit}`);
  }
});

Deno.test("hashToUnitInterval() stays strictly between 0 and 1 and spreads evenly over 100,000 inputs", () => {
  const buckets = new Array(10).fill(0);
  const count = 100_000;
  for (let i = 0; i < count; i++) {
    const unit = hashToUnitInterval(`data-${i}\u0000worker-${i % 7}`);
    assert(unit > 0 && unit < 1, `input ${i} hashed to ${unit}`);
    buckets[Math.floor(unit * 10)]++;
  }
  // Each tenth expects 10,000 hits (σ ≈ 95); ±5% is more than 5σ.
  for (const [index, hits] of buckets.entries()) {
    assert(Math.abs(hits - count / 10) < count / 10 * 0.05, `tenth ${index} got ${hits} of ${count}`);
  }
});
