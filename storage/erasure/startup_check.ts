/**
 * Start-up self-test of the erasure codec: the field tables, every golden vector, a reconstruct round
 * trip per vector, and the runtime's shard coder (WebAssembly SIMD where available) against the TypeScript
 * reference over lengths that cross the kernel's 16- and 32-byte steps and its chunks. A server runs it
 * before accepting writes so that a broken build never writes parity other servers cannot decode.
 */

import { assert } from "../core/mod.ts";
import { gfDiv, gfMul } from "./galois_field.ts";
import { GOLDEN_VECTORS, goldenHexToBytes, type GoldenVector } from "./golden_vectors.ts";
import { ReedSolomon, reedSolomonWithCoder } from "./reed_solomon.ts";
import { TYPESCRIPT_SHARD_CODER } from "./shard_coder.ts";
import { bestShardCoder } from "./shard_coders.ts";

/** Geometries and shard lengths of the coder cross-check: one and several output groups, a partial chunk. */
const CROSS_CHECKS: readonly { dataShards: number; parityShards: number; byteLength: number }[] = [
  { dataShards: 6, parityShards: 3, byteLength: 32 * 1024 + 77 },
  { dataShards: 10, parityShards: 4, byteLength: 1000 },
  { dataShards: 3, parityShards: 5, byteLength: 63 },
];

/**
 * Checks golden vectors and a reconstruct round trip; throws an `AssertionError` on any mismatch. `vectors`
 * exists so tests can prove a wrong vector is caught; production calls it without arguments.
 */
export function runErasureSelfTest(vectors: readonly GoldenVector[] = GOLDEN_VECTORS): void {
  checkFieldSamples();
  for (const vector of vectors) {
    const codec = new ReedSolomon(vector.dataShards, vector.parityShards);
    const shards = encodeVector(codec, vector);
    assert(codec.verify(shards), `${label(vector)}: verify() rejected freshly encoded parity`);
    checkRoundTrip(codec, vector, shards);
  }
  for (const check of CROSS_CHECKS) {
    checkAgainstReference(check.dataShards, check.parityShards, check.byteLength);
  }
}

/** Encodes and rebuilds the first m data shards with the runtime's coder and with the TypeScript one. */
function checkAgainstReference(dataShards: number, parityShards: number, byteLength: number): void {
  const kind = bestShardCoder().kind;
  const codec = new ReedSolomon(dataShards, parityShards);
  const reference = reedSolomonWithCoder(dataShards, parityShards, TYPESCRIPT_SHARD_CODER);
  const shards = Array.from({ length: codec.totalShards }, (_, i) => {
    const shard = new Uint8Array(byteLength);
    if (i < dataShards) {
      for (let j = 0; j < byteLength; j++) shard[j] = (i * 37 + j * 11 + 5 + (j >> 8)) & 0xff;
    }
    return shard;
  });
  const expected = shards.map((shard) => shard.slice());
  codec.encode(shards);
  reference.encode(expected);
  const rebuilt: (Uint8Array | null)[] = shards.map((shard, i) => i < parityShards ? null : shard);
  codec.reconstruct(rebuilt);
  expected.forEach((shard, index) => {
    const label = `Erasure self-test ${dataShards}+${parityShards}, ${byteLength} bytes, ${kind} coder`;
    const at = firstDifference(shards[index], shard);
    assert(at < 0, `${label}: encoded shard ${index} differs from the TypeScript coder at byte ${at}`);
    const rebuiltAt = firstDifference(rebuilt[index] as Uint8Array, shard);
    assert(rebuiltAt < 0, `${label}: rebuilt shard ${index} differs at byte ${rebuiltAt}`);
  });
}

function firstDifference(actual: Uint8Array, expected: Uint8Array): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) return i;
  return -1;
}

function checkFieldSamples(): void {
  // x · x^7 = x^8, which 0x11D reduces to x^4 + x^3 + x^2 + 1.
  assert(gfMul(2, 0x80) === 0x1d, `GF(2^8): 2 · 0x80 must be 0x1d, got ${gfMul(2, 0x80)}`);
  assert(gfMul(0x53, gfDiv(1, 0x53)) === 1, "GF(2^8): 0x53 times its inverse must be 1");
}

function encodeVector(codec: ReedSolomon, vector: GoldenVector): Uint8Array[] {
  const data = vector.dataHex.map(goldenHexToBytes);
  const byteLength = data[0].length;
  const shards = [...data, ...vector.parityHex.map(() => new Uint8Array(byteLength))];
  codec.encode(shards);
  vector.parityHex.forEach((expected, p) => {
    const actual = toHex(shards[vector.dataShards + p]);
    assert(actual === expected, `${label(vector)}: parity shard ${p} is ${actual}, expected ${expected}`);
  });
  return shards;
}

/** Drops m shards spread over data and parity, rebuilds them and compares with the originals. */
function checkRoundTrip(codec: ReedSolomon, vector: GoldenVector, original: Uint8Array[]): void {
  const shards: (Uint8Array | null)[] = original.slice();
  const stride = Math.max(1, Math.floor(codec.totalShards / Math.max(1, codec.parityShards)));
  for (let i = 0; i < codec.parityShards; i++) shards[i * stride] = null;
  codec.reconstruct(shards);
  shards.forEach((shard, index) => {
    const actual = shard === null ? "null" : toHex(shard);
    const expected = toHex(original[index]);
    assert(
      actual === expected,
      `${label(vector)}: rebuilt shard ${index} is ${actual}, expected ${expected}`,
    );
  });
}

function label(vector: GoldenVector): string {
  return `Erasure self-test ${vector.dataShards}+${vector.parityShards}`;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
