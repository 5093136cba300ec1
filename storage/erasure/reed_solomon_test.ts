import { assert } from "../core/mod.ts";
import { GfMatrix } from "./matrix.ts";
import { ReedSolomon } from "./reed_solomon.ts";
import { assertBytesEqual, assertThrowsStoreError, encodedStripe, SeededRandom } from "./test_helpers.ts";

Deno.test("new ReedSolomon() records k, m and k + m", () => {
  const codec = new ReedSolomon(6, 3);
  assert(codec.dataShards === 6 && codec.parityShards === 3 && codec.totalShards === 9, "Wrong geometry");
});

Deno.test("new ReedSolomon() accepts the extremes 1+0, 1+255 and 256+0", () => {
  for (const [k, m] of [[1, 0], [1, 255], [256, 0], [128, 128]]) {
    assert(new ReedSolomon(k, m).totalShards === k + m, `${k}+${m} failed`);
  }
});

Deno.test("new ReedSolomon() rejects counts outside k >= 1, m >= 0, k + m <= 256 with the numbers", () => {
  assertThrowsStoreError(() => new ReedSolomon(0, 3), "invalid_argument", ["dataShards", "got 0"]);
  assertThrowsStoreError(() => new ReedSolomon(2.5, 3), "invalid_argument", ["dataShards", "got 2.5"]);
  assertThrowsStoreError(() => new ReedSolomon(6, -1), "invalid_argument", ["parityShards", "got -1"]);
  assertThrowsStoreError(() => new ReedSolomon(200, 57), "invalid_argument", ["<= 256", "200 + 57 = 257"]);
});

Deno.test("ReedSolomon.encodeMatrix is systematic: the top k rows are the identity", () => {
  for (const [k, m] of [[6, 3], [1, 1], [10, 4], [17, 3]]) {
    const matrix = new ReedSolomon(k, m).encodeMatrix;
    const top = matrix.selectRows(Array.from({ length: k }, (_, i) => i));
    assert(top.equals(GfMatrix.identity(k)), `${k}+${m}: the top of the encoding matrix is not the identity`);
  }
});

Deno.test("ReedSolomon.encode() fills parity when data is random and leaves data untouched", () => {
  const codec = new ReedSolomon(6, 3);
  const random = new SeededRandom(1);
  const data = Array.from({ length: 6 }, () => random.bytes(1000));
  const shards = [...data.map((shard) => shard.slice()), ...[0, 1, 2].map(() => new Uint8Array(1000))];
  codec.encode(shards);
  data.forEach((shard, i) => assertBytesEqual(shards[i], shard, `data shard ${i}`));
  assert(shards.slice(6).some((parity) => parity.some((byte) => byte !== 0)), "Parity stayed all zero");
  assert(codec.verify(shards), "verify() rejected freshly encoded parity");
});

Deno.test("ReedSolomon.encode() overwrites stale parity bytes rather than accumulating into them", () => {
  const codec = new ReedSolomon(4, 2);
  const random = new SeededRandom(2);
  const clean = encodedStripe(codec, 65, random);
  const dirty = [...clean.slice(0, 4), random.bytes(65), random.bytes(65)];
  codec.encode(dirty);
  assertBytesEqual(dirty[4], clean[4], "parity 0");
  assertBytesEqual(dirty[5], clean[5], "parity 1");
});

Deno.test("ReedSolomon.encode() of all-zero data gives all-zero parity", () => {
  const codec = new ReedSolomon(10, 4);
  const shards = Array.from({ length: 14 }, () => new Uint8Array(17).fill(0xff));
  shards.slice(0, 10).forEach((shard) => shard.fill(0));
  codec.encode(shards);
  assert(
    shards.slice(10).every((parity) => parity.every((byte) => byte === 0)),
    "Parity of zeros is not zero",
  );
});

Deno.test("ReedSolomon.encode() accepts empty shards and m = 0", () => {
  new ReedSolomon(6, 3).encode(Array.from({ length: 9 }, () => new Uint8Array(0)));
  const shards = [Uint8Array.of(1, 2), Uint8Array.of(3, 4)];
  new ReedSolomon(2, 0).encode(shards);
  assert(shards[0].join() === "1,2" && shards[1].join() === "3,4", "m = 0 must not change data");
});

Deno.test("ReedSolomon.encode() works on subarray views at odd offsets", () => {
  const codec = new ReedSolomon(3, 2);
  const random = new SeededRandom(3);
  const expected = encodedStripe(codec, 63, random);
  const backing = new Uint8Array(5 * 64 + 1);
  const views = [0, 1, 2, 3, 4].map((i) => backing.subarray(1 + i * 64, 1 + i * 64 + 63));
  expected.slice(0, 3).forEach((shard, i) => views[i].set(shard));
  codec.encode(views);
  assertBytesEqual(views[3], expected[3], "parity 0");
  assertBytesEqual(views[4], expected[4], "parity 1");
});

Deno.test("ReedSolomon.encode() rejects a wrong shard count with the expected geometry", () => {
  const shards = Array.from({ length: 8 }, () => new Uint8Array(4));
  assertThrowsStoreError(() => new ReedSolomon(6, 3).encode(shards), "invalid_argument", [
    "Expected 9 shards (6 data + 3 parity), got 8",
  ]);
});

Deno.test("ReedSolomon.encode() rejects shards of differing lengths, naming shard and bytes", () => {
  const shards = Array.from({ length: 9 }, (_, i) => new Uint8Array(i === 4 ? 1000 : 1024));
  assertThrowsStoreError(() => new ReedSolomon(6, 3).encode(shards), "invalid_argument", [
    "Shard 4 has 1000 bytes, expected 1024",
  ]);
});

Deno.test("ReedSolomon.encode() rejects a null or non-byte shard", () => {
  const shards: unknown[] = Array.from({ length: 6 }, () => new Uint8Array(4));
  shards[5] = null;
  const codec = new ReedSolomon(4, 2);
  assertThrowsStoreError(() => codec.encode(shards as Uint8Array[]), "invalid_argument", ["Shard 5 is null"]);
  shards[5] = [1, 2, 3, 4];
  assertThrowsStoreError(() => codec.encode(shards as Uint8Array[]), "invalid_argument", [
    "Shard 5 is an Array",
  ]);
});

Deno.test("ReedSolomon.verify() is false when one byte of a data or parity shard flips", () => {
  const codec = new ReedSolomon(6, 3);
  const shards = encodedStripe(codec, 100_000, new SeededRandom(4));
  for (const [shard, byte] of [[0, 0], [5, 99_999], [6, 40_000], [8, 65_536]]) {
    shards[shard][byte] ^= 0x01;
    assert(!codec.verify(shards), `verify() missed a flip in shard ${shard} byte ${byte}`);
    shards[shard][byte] ^= 0x01;
  }
  assert(codec.verify(shards), "verify() rejected the restored stripe");
});

Deno.test("ReedSolomon.verify() is true for empty shards and for m = 0", () => {
  assert(new ReedSolomon(6, 3).verify(Array.from({ length: 9 }, () => new Uint8Array(0))), "Empty stripe");
  assert(
    new ReedSolomon(3, 0).verify([Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]),
    "m = 0 stripe",
  );
});

Deno.test("ReedSolomon.verify() rejects mismatched lengths as invalid_argument", () => {
  const shards = Array.from({ length: 6 }, (_, i) => new Uint8Array(i === 5 ? 7 : 8));
  assertThrowsStoreError(() => new ReedSolomon(4, 2).verify(shards), "invalid_argument", [
    "Shard 5 has 7 bytes",
  ]);
});
