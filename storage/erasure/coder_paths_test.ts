/**
 * The public codec gives identical bytes on every shard coder path (WebAssembly relaxed SIMD, SIMD,
 * TypeScript): golden vectors, random stripes of every k <= 16 and m <= 8, and every pattern of up to m
 * missing shards.
 */
import { assert } from "../core/mod.ts";
import { GOLDEN_VECTORS, goldenHexToBytes } from "./golden_vectors.ts";
import { type ReedSolomon, reedSolomonWithCoder } from "./reed_solomon.ts";
import { type ShardCoder, TYPESCRIPT_SHARD_CODER } from "./shard_coder.ts";
import { createShardCoder, supportedShardCoderKinds } from "./shard_coders.ts";
import { assertBytesEqual, encodedStripe, SeededRandom, subsetsUpTo, withMissing } from "./test_helpers.ts";

/** One coder of every kind this runtime runs (created once: each holds a WebAssembly memory). */
const CODERS: readonly ShardCoder[] = supportedShardCoderKinds().map((kind) => {
  const coder = createShardCoder(kind);
  assert(coder !== null, `${kind} is listed as supported but cannot be created`);
  return coder;
});

/** Shard lengths that are not (and some that are) multiples of the kernel's 16- and 32-byte steps. */
const LENGTHS = [0, 1, 15, 16, 17, 31, 33, 63, 64, 65, 1000, 65537];

function codecs(dataShards: number, parityShards: number): ReedSolomon[] {
  return CODERS.map((coder) => reedSolomonWithCoder(dataShards, parityShards, coder));
}

function label(codec: ReedSolomon, coder: ShardCoder, byteLength: number): string {
  return `${coder.kind} ${codec.dataShards}+${codec.parityShards}, ${byteLength} bytes`;
}

Deno.test("every coder path reproduces the parity of every golden vector", () => {
  for (const vector of GOLDEN_VECTORS) {
    const data = vector.dataHex.map(goldenHexToBytes);
    codecs(vector.dataShards, vector.parityShards).forEach((codec, c) => {
      const shards = [...data, ...vector.parityHex.map(() => new Uint8Array(data[0].length))];
      codec.encode(shards);
      vector.parityHex.forEach((hex, p) => {
        const what = `${label(codec, CODERS[c], data[0].length)}: parity ${p}`;
        assertBytesEqual(shards[vector.dataShards + p], goldenHexToBytes(hex), what);
      });
    });
  }
});

Deno.test("every coder path encodes and rebuilds random stripes of every k <= 16, m <= 8 alike", () => {
  const random = new SeededRandom(201);
  for (let k = 1; k <= 16; k++) {
    for (let m = 1; m <= 8; m++) {
      const reference = reedSolomonWithCoder(k, m, TYPESCRIPT_SHARD_CODER);
      const byteLength = LENGTHS[(k * 8 + m) % LENGTHS.length];
      const original = encodedStripe(reference, byteLength, random);
      const missing = new Set<number>();
      while (missing.size < 1 + random.below(m)) missing.add(random.below(k + m));
      codecs(k, m).forEach((codec, c) => {
        const what = label(codec, CODERS[c], byteLength);
        const shards = original.map((shard, i) => i < k ? shard : new Uint8Array(byteLength));
        codec.encode(shards);
        original.forEach((shard, i) => assertBytesEqual(shards[i], shard, `${what}: encoded shard ${i}`));
        assert(codec.verify(original), `${what}: verify() rejected the reference stripe`);
        const partial = withMissing(original, [...missing]);
        codec.reconstruct(partial);
        original.forEach((shard, i) => assertBytesEqual(partial[i], shard, `${what}: rebuilt shard ${i}`));
      });
    }
  }
});

Deno.test("every coder path encodes 6+3, 10+4 and 16+8 alike at every test length and at 1 MiB + 3", () => {
  const random = new SeededRandom(202);
  for (const [k, m] of [[6, 3], [10, 4], [16, 8]]) {
    const reference = reedSolomonWithCoder(k, m, TYPESCRIPT_SHARD_CODER);
    for (const byteLength of [...LENGTHS, 1024 * 1024 + 3]) {
      const original = encodedStripe(reference, byteLength, random);
      codecs(k, m).forEach((codec, c) => {
        const shards = original.map((shard, i) => i < k ? shard : new Uint8Array(byteLength).fill(0x5a));
        codec.encode(shards);
        original.slice(k).forEach((parity, p) =>
          assertBytesEqual(shards[k + p], parity, `${label(codec, CODERS[c], byteLength)}: parity ${p}`)
        );
      });
    }
  }
});

/** Rebuilds every pattern of up to m missing shards with every coder and checks every byte. */
function checkEveryPattern(k: number, m: number, byteLengths: readonly number[]): void {
  const random = new SeededRandom(k * 100 + m);
  for (const byteLength of byteLengths) {
    const original = encodedStripe(reedSolomonWithCoder(k, m, TYPESCRIPT_SHARD_CODER), byteLength, random);
    codecs(k, m).forEach((codec, c) => {
      for (const missing of subsetsUpTo(k + m, m)) {
        const shards = withMissing(original, missing);
        codec.reconstruct(shards);
        const what = `${label(codec, CODERS[c], byteLength)}, missing [${missing}]`;
        original.forEach((shard, i) => assertBytesEqual(shards[i], shard, `${what}: shard ${i}`));
      }
    });
  }
}

Deno.test("every coder path rebuilds every pattern of up to 3 missing shards of 6+3 at odd lengths", () => {
  checkEveryPattern(6, 3, [1, 17, 63, 65, 1000, 32 * 1024 + 5]);
});

Deno.test("every coder path rebuilds every pattern of up to m missing shards of other geometries", () => {
  for (const [k, m] of [[1, 4], [2, 2], [3, 5], [4, 2], [10, 4], [12, 4], [16, 3], [5, 7]]) {
    checkEveryPattern(k, m, [33, 100]);
  }
});
