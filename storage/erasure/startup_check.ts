/**
 * Start-up self-test of the erasure codec: the field tables, every golden vector, and a reconstruct round
 * trip per vector. A server runs it before accepting writes so that a broken build never writes parity
 * other servers cannot decode.
 */

import { assert } from "../core/mod.ts";
import { gfDiv, gfMul } from "./galois_field.ts";
import { GOLDEN_VECTORS, goldenHexToBytes, type GoldenVector } from "./golden_vectors.ts";
import { ReedSolomon } from "./reed_solomon.ts";

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
