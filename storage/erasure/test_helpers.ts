/** Helpers shared by the erasure tests only (not exported from mod.ts): seeded data, comparisons, patterns. */

import { assert, StoreError, type StoreErrorKind } from "../core/mod.ts";
import type { ReedSolomon } from "./reed_solomon.ts";

/** A small seeded PRNG (xorshift32) so a failing case replays with the same bytes. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }

  /** Next 32-bit unsigned value. */
  nextUint32(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return this.nextUint32() % bound;
  }

  /** `byteLength` pseudo-random bytes. */
  bytes(byteLength: number): Uint8Array {
    const out = new Uint8Array(byteLength);
    for (let i = 0; i < byteLength; i++) out[i] = this.nextUint32() & 0xff;
    return out;
  }
}

/** k random data shards plus m encoded parity shards, all `byteLength` long. */
export function encodedStripe(codec: ReedSolomon, byteLength: number, random: SeededRandom): Uint8Array[] {
  const shards: Uint8Array[] = [];
  for (let i = 0; i < codec.dataShards; i++) shards.push(random.bytes(byteLength));
  for (let i = 0; i < codec.parityShards; i++) shards.push(new Uint8Array(byteLength));
  codec.encode(shards);
  return shards;
}

/** Copy of `shards` with the listed indexes set to null. */
export function withMissing(
  shards: readonly Uint8Array[],
  missing: readonly number[],
): (Uint8Array | null)[] {
  const copy: (Uint8Array | null)[] = shards.slice();
  for (const index of missing) copy[index] = null;
  return copy;
}

/** Every subset of {0..size-1} with at most `maxCount` members, smallest first. */
export function subsetsUpTo(size: number, maxCount: number): number[][] {
  const subsets: number[][] = [[]];
  for (let count = 1; count <= maxCount; count++) {
    const extend = (start: number, chosen: number[]): void => {
      if (chosen.length === count) {
        subsets.push(chosen);
        return;
      }
      for (let index = start; index < size; index++) extend(index + 1, [...chosen, index]);
    };
    extend(0, []);
  }
  return subsets;
}

/** Asserts two byte arrays are identical, naming the first differing byte. */
export function assertBytesEqual(actual: Uint8Array | null, expected: Uint8Array, what: string): void {
  assert(actual !== null, `${what}: got null, expected ${expected.length} bytes`);
  assert(
    actual.length === expected.length,
    `${what}: got ${actual.length} bytes, expected ${expected.length}`,
  );
  for (let i = 0; i < expected.length; i++) {
    assert(actual[i] === expected[i], `${what}: byte ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Asserts `run` throws a `StoreError` of `kind` whose message contains every string in `fragments`. */
export function assertThrowsStoreError(run: () => unknown, kind: StoreErrorKind, fragments: string[]): void {
  let thrown: unknown = undefined;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  assert(thrown instanceof StoreError, `Expected a StoreError "${kind}", got ${String(thrown)}`);
  assert(thrown.kind === kind, `Expected StoreError kind "${kind}", got "${thrown.kind}": ${thrown.message}`);
  for (const fragment of fragments) {
    assert(thrown.message.includes(fragment), `Message "${thrown.message}" lacks "${fragment}"`);
  }
}
