import { assert } from "../core/mod.ts";
import { ReedSolomon } from "./reed_solomon.ts";
import {
  assertBytesEqual,
  assertThrowsStoreError,
  encodedStripe,
  SeededRandom,
  subsetsUpTo,
  withMissing,
} from "./test_helpers.ts";

const SHARD_LENGTHS = [0, 1, 15, 17, 63, 65, 1000];

/** Removes `missing`, rebuilds, and checks every shard against the original stripe. */
function checkRebuild(codec: ReedSolomon, original: Uint8Array[], missing: readonly number[]): void {
  const shards = withMissing(original, missing);
  codec.reconstruct(shards);
  const label = `${codec.dataShards}+${codec.parityShards}, ${
    original[0].length
  } bytes, missing [${missing}]`;
  original.forEach((shard, index) => assertBytesEqual(shards[index], shard, `${label}: shard ${index}`));
}

function checkEveryPattern(dataShards: number, parityShards: number, byteLength: number): void {
  const codec = new ReedSolomon(dataShards, parityShards);
  const original = encodedStripe(codec, byteLength, new SeededRandom(dataShards * 100 + parityShards));
  for (const missing of subsetsUpTo(codec.totalShards, parityShards)) checkRebuild(codec, original, missing);
}

Deno.test("ReedSolomon.reconstruct() rebuilds every pattern of up to 3 missing shards of 6+3 (130 patterns)", () => {
  assert(subsetsUpTo(9, 3).length === 130, "C(9, <=3) must be 130");
  for (const byteLength of SHARD_LENGTHS) checkEveryPattern(6, 3, byteLength);
});

Deno.test("ReedSolomon.reconstruct() rebuilds every pattern of up to m missing shards of other geometries", () => {
  for (const [k, m] of [[1, 1], [1, 4], [2, 2], [3, 5], [4, 2], [10, 4], [12, 4], [16, 3]]) {
    checkEveryPattern(k, m, 65);
  }
});

Deno.test("ReedSolomon.reconstruct() round-trips random data for every k in 1..16 and m in 0..8", () => {
  const random = new SeededRandom(42);
  for (let k = 1; k <= 16; k++) {
    for (let m = 0; m <= 8; m++) {
      const codec = new ReedSolomon(k, m);
      for (const byteLength of SHARD_LENGTHS) {
        const original = encodedStripe(codec, byteLength, random);
        assert(codec.verify(original), `${k}+${m}: verify() rejected a fresh stripe of ${byteLength} bytes`);
        const missing = new Set<number>();
        const count = random.below(m + 1);
        while (missing.size < count) missing.add(random.below(k + m));
        checkRebuild(codec, original, [...missing]);
      }
    }
  }
});

Deno.test("ReedSolomon.reconstruct() stays correct after the decode cache evicts (1471 patterns of 10+4)", () => {
  const codec = new ReedSolomon(10, 4);
  const original = encodedStripe(codec, 17, new SeededRandom(7));
  const patterns = subsetsUpTo(14, 4);
  for (const missing of patterns) checkRebuild(codec, original, missing);
  for (const missing of patterns.slice(0, 300).reverse()) checkRebuild(codec, original, missing);
});

Deno.test("ReedSolomon.reconstruct() keeps present shards as the same objects and does nothing when none miss", () => {
  const codec = new ReedSolomon(4, 2);
  const original = encodedStripe(codec, 15, new SeededRandom(8));
  const complete: (Uint8Array | null)[] = original.slice();
  codec.reconstruct(complete);
  assert(complete.every((shard, i) => shard === original[i]), "A complete stripe must be left as it is");
  const partial = withMissing(original, [1, 5]);
  codec.reconstruct(partial);
  for (const index of [0, 2, 3, 4]) assert(partial[index] === original[index], `Shard ${index} was replaced`);
  assert(partial[1] !== original[1] && partial[5] !== original[5], "Rebuilt shards must be new arrays");
});

Deno.test("ReedSolomon.reconstructData() rebuilds missing data shards and leaves missing parity null", () => {
  const codec = new ReedSolomon(6, 3);
  const original = encodedStripe(codec, 1000, new SeededRandom(9));
  for (const missing of [[0, 1, 2], [0, 6, 8], [3, 7], [6, 7, 8]]) {
    const shards = withMissing(original, missing);
    codec.reconstructData(shards);
    for (let index = 0; index < 6; index++) assertBytesEqual(shards[index], original[index], `data ${index}`);
    for (const index of missing.filter((i) => i >= 6)) {
      assert(shards[index] === null, `Parity ${index} rebuilt`);
    }
  }
});

Deno.test("ReedSolomon.reconstruct() throws not_enough_shards with the numbers when more than m are missing", () => {
  const codec = new ReedSolomon(6, 3);
  const original = encodedStripe(codec, 63, new SeededRandom(10));
  assertThrowsStoreError(() => codec.reconstruct(withMissing(original, [0, 2, 6, 8])), "not_enough_shards", [
    "5 of 9 shards present, need 6",
  ]);
  assertThrowsStoreError(
    () => codec.reconstructData(withMissing(original, [1, 2, 3, 4])),
    "not_enough_shards",
    ["5 of 9"],
  );
  assertThrowsStoreError(() => codec.reconstruct(Array(9).fill(null)), "not_enough_shards", ["0 of 9"]);
});

Deno.test("ReedSolomon.reconstruct() with m = 0 throws not_enough_shards when any shard is missing", () => {
  const codec = new ReedSolomon(3, 0);
  const original = encodedStripe(codec, 4, new SeededRandom(12));
  assertThrowsStoreError(() => codec.reconstruct(withMissing(original, [2])), "not_enough_shards", [
    "2 of 3",
  ]);
});

Deno.test("ReedSolomon.reconstruct() rejects present shards of differing lengths as invalid_argument", () => {
  const codec = new ReedSolomon(6, 3);
  const shards: (Uint8Array | null)[] = Array.from(
    { length: 9 },
    (_, i) => new Uint8Array(i === 4 ? 1000 : 1024),
  );
  shards[0] = null;
  assertThrowsStoreError(() => codec.reconstruct(shards), "invalid_argument", [
    "Shard 4 has 1000 bytes, expected 1024",
  ]);
});

Deno.test("ReedSolomon.reconstruct() rejects a wrong shard count and a non-byte entry", () => {
  const codec = new ReedSolomon(6, 3);
  assertThrowsStoreError(() => codec.reconstruct(Array(10).fill(null)), "invalid_argument", [
    "Expected 9 shards (6 data + 3 parity), got 10",
  ]);
  const shards: unknown[] = Array.from({ length: 9 }, () => new Uint8Array(2));
  shards[3] = undefined;
  assertThrowsStoreError(
    () => codec.reconstruct(shards as (Uint8Array | null)[]),
    "invalid_argument",
    ["Shard 3 is undefined, expected a Uint8Array or null"],
  );
});
