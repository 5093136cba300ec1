/**
 * Systematic Reed-Solomon erasure codec over GF(2^8) (polynomial 0x11D, generator 2). A stripe is k data
 * shards holding the plain bytes plus m parity shards; any k of the k + m shards rebuild the rest.
 *
 * Invariant: the encoding matrix is the (k+m)×k Vandermonde matrix (entry r^c) times the inverse of its top
 * k×k square, so its top k rows are the identity and every k×k row selection is invertible. Changing this
 * construction changes every parity byte ever written; the golden vectors in the self-test guard it.
 */

import { assert, StoreError } from "../core/mod.ts";
import { GfMatrix } from "./matrix.ts";
import { CODING_CHUNK_BYTES, type ShardCoder } from "./shard_coder.ts";
import { bestShardCoder } from "./shard_coders.ts";
import { checkCompleteShards, checkPartialShards, checkShardCounts } from "./shard_checks.ts";

/** Sets a codec's coder; assigned once, in the class's static block, for `reedSolomonWithCoder`. */
let setShardCoder: (codec: ReedSolomon, coder: ShardCoder) => void;

/** How many decode matrices (one per set of surviving shards) a codec keeps; bounds memory to ~16 MiB at k=256. */
export const DECODE_CACHE_ENTRIES = 256;

/**
 * A Reed-Solomon codec for one (dataShards, parityShards) geometry. Reusable; holds its matrices and uses
 * the fastest shard coder of the runtime (WebAssembly relaxed SIMD, SIMD, or TypeScript: same bytes).
 */
export class ReedSolomon {
  /** Number of data shards (k). */
  readonly dataShards: number;
  /** Number of parity shards (m). */
  readonly parityShards: number;
  /** k + m. */
  readonly totalShards: number;

  readonly #encodeMatrix: GfMatrix;
  readonly #parityRows: Uint8Array[];
  /** Decode matrices keyed by the surviving shard indexes used; Map order doubles as recency for eviction. */
  readonly #decodeCache = new Map<string, GfMatrix>();
  /** Runs the multiply-and-add loop over shard bytes; replaced only by `reedSolomonWithCoder` (tests). */
  #coder: ShardCoder = bestShardCoder();

  static {
    setShardCoder = (codec, coder) => codec.#coder = coder;
  }

  constructor(dataShards: number, parityShards: number) {
    checkShardCounts(dataShards, parityShards);
    this.dataShards = dataShards;
    this.parityShards = parityShards;
    this.totalShards = dataShards + parityShards;
    this.#encodeMatrix = buildEncodeMatrix(dataShards, this.totalShards);
    this.#parityRows = [];
    for (let row = dataShards; row < this.totalShards; row++) {
      this.#parityRows.push(this.#encodeMatrix.row(row));
    }
  }

  /** The (k+m)×k encoding matrix (a copy): row r gives shard r as a combination of the data shards. */
  get encodeMatrix(): GfMatrix {
    const matrix = this.#encodeMatrix;
    return new GfMatrix(matrix.rows, matrix.columns, matrix.data.slice());
  }

  /** Fills shards[k..k+m) (parity) from shards[0..k) in place. All shards have one length. */
  encode(shards: Uint8Array[]): void {
    const byteLength = checkCompleteShards(this, shards);
    const data = shards.slice(0, this.dataShards);
    const parity = shards.slice(this.dataShards);
    this.#coder.codeShards(this.#parityRows, data, parity, 0, byteLength);
  }

  /**
   * Fills every `null` entry (data or parity) from any k present shards, allocating new Uint8Arrays for
   * them. Throws `StoreError("not_enough_shards")` when fewer than k are present.
   */
  reconstruct(shards: (Uint8Array | null)[]): void {
    this.#reconstruct(shards, false);
  }

  /** Like `reconstruct` but only rebuilds missing data shards (cheaper on reads); parity stays `null`. */
  reconstructData(shards: (Uint8Array | null)[]): void {
    this.#reconstruct(shards, true);
  }

  /** True when the parity shards match the data shards. */
  verify(shards: Uint8Array[]): boolean {
    const byteLength = checkCompleteShards(this, shards);
    const scratchBytes = Math.min(byteLength, CODING_CHUNK_BYTES);
    const scratch = this.#parityRows.map(() => new Uint8Array(scratchBytes));
    for (let start = 0; start < byteLength; start += CODING_CHUNK_BYTES) {
      const end = Math.min(byteLength, start + CODING_CHUNK_BYTES);
      const data = shards.slice(0, this.dataShards).map((shard) => shard.subarray(start, end));
      const expected = scratch.map((buffer) => buffer.subarray(0, end - start));
      this.#coder.codeShards(this.#parityRows, data, expected, 0, end - start);
      for (let p = 0; p < this.parityShards; p++) {
        if (!bytesEqual(expected[p], shards[this.dataShards + p].subarray(start, end))) return false;
      }
    }
    return true;
  }

  #reconstruct(shards: (Uint8Array | null)[], dataOnly: boolean): void {
    const byteLength = checkPartialShards(this, shards);
    const present: number[] = [];
    shards.forEach((shard, index) => shard !== null && present.push(index));
    if (present.length === this.totalShards) return;
    if (present.length < this.dataShards) {
      throw new StoreError(
        "not_enough_shards",
        `Cannot reconstruct: ${present.length} of ${this.totalShards} shards present, need ${this.dataShards} ` +
          `(${this.dataShards} data + ${this.parityShards} parity)`,
      );
    }
    const missingData = missingIndexes(shards, 0, this.dataShards);
    if (missingData.length > 0) {
      const used = present.slice(0, this.dataShards);
      const decodeMatrix = this.#decodeMatrix(used);
      const rebuilt = missingData.map(() => new Uint8Array(byteLength));
      const rows = missingData.map((index) => decodeMatrix.row(index));
      this.#coder.codeShards(rows, used.map((index) => shards[index] as Uint8Array), rebuilt, 0, byteLength);
      missingData.forEach((index, i) => shards[index] = rebuilt[i]);
    }
    if (dataOnly) return;
    const missingParity = missingIndexes(shards, this.dataShards, this.totalShards);
    if (missingParity.length === 0) return;
    const rebuilt = missingParity.map(() => new Uint8Array(byteLength));
    const rows = missingParity.map((index) => this.#encodeMatrix.row(index));
    this.#coder.codeShards(rows, shards.slice(0, this.dataShards) as Uint8Array[], rebuilt, 0, byteLength);
    missingParity.forEach((index, i) => shards[index] = rebuilt[i]);
  }

  /** Inverse of the encoding rows `used`: maps those k shards back to the k data shards. Cached, LRU-bounded. */
  #decodeMatrix(used: readonly number[]): GfMatrix {
    const key = used.join(",");
    const cached = this.#decodeCache.get(key);
    if (cached !== undefined) {
      this.#decodeCache.delete(key);
      this.#decodeCache.set(key, cached);
      return cached;
    }
    const inverse = this.#encodeMatrix.selectRows(used).invert();
    assert(inverse !== null, `Encoding rows ${key} are singular; the encoding matrix is broken`);
    if (this.#decodeCache.size >= DECODE_CACHE_ENTRIES) {
      const oldest = this.#decodeCache.keys().next().value as string;
      this.#decodeCache.delete(oldest);
    }
    this.#decodeCache.set(key, inverse);
    return inverse;
  }
}

/**
 * A codec that codes with `coder` instead of the runtime's fastest: tests use it to prove every coder
 * writes the same bytes. Not exported from mod.ts.
 */
export function reedSolomonWithCoder(
  dataShards: number,
  parityShards: number,
  coder: ShardCoder,
): ReedSolomon {
  const codec = new ReedSolomon(dataShards, parityShards);
  setShardCoder(codec, coder);
  return codec;
}

function buildEncodeMatrix(dataShards: number, totalShards: number): GfMatrix {
  const vandermonde = GfMatrix.vandermonde(totalShards, dataShards);
  const topInverse = vandermonde.selectRows(Array.from({ length: dataShards }, (_, i) => i)).invert();
  assert(topInverse !== null, `The top ${dataShards}×${dataShards} Vandermonde square must be invertible`);
  const matrix = vandermonde.multiply(topInverse);
  assert(
    matrix.selectRows(Array.from({ length: dataShards }, (_, i) => i)).equals(GfMatrix.identity(dataShards)),
    "The systematic encoding matrix must start with the identity",
  );
  return matrix;
}

function missingIndexes(shards: readonly (Uint8Array | null)[], from: number, to: number): number[] {
  const missing: number[] = [];
  for (let index = from; index < to; index++) if (shards[index] === null) missing.push(index);
  return missing;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
