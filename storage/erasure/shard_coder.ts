/**
 * The codec's hot loop: outputs[o] = Σ rows[o][i] · inputs[i] over GF(2^8), byte by byte, for one byte range.
 * Plain TypeScript path: the fallback, and the reference the WebAssembly kernel (wasm_shard_coder.ts)
 * must match byte for byte. It allocates nothing. Each product uses the 256-byte table for its coefficient
 * (`out[j] ^= table[in[j]]`), so the loop is one load, one lookup and one store per byte.
 */

import { GF_MUL_ROWS } from "./galois_field.ts";

/**
 * Bytes coded per pass over all rows. Small enough that one output and its inputs stay in L2 between the k
 * passes that accumulate into it, large enough that the per-chunk overhead is noise.
 */
export const CODING_CHUNK_BYTES = 32 * 1024;

/** Which implementation runs the hot loop. Every kind writes identical bytes; tests prove it. */
export type ShardCoderKind = "relaxed-simd" | "simd" | "typescript";

/** One implementation of the hot loop, with the contract of `codeShards` below. */
export interface ShardCoder {
  /** Which implementation this is. */
  readonly kind: ShardCoderKind;
  /** Writes `outputs[o][start..end)` = Σ_i `rows[o][i]` · `inputs[i][start..end)`; see `codeShards`. */
  codeShards(
    rows: readonly Uint8Array[],
    inputs: readonly Uint8Array[],
    outputs: readonly Uint8Array[],
    start: number,
    end: number,
  ): void;
}

/** The plain TypeScript coder: the fallback where WebAssembly SIMD is missing, and the reference. */
export const TYPESCRIPT_SHARD_CODER: ShardCoder = { kind: "typescript", codeShards };

/**
 * Writes `outputs[o][start..end)` = Σ_i `rows[o][i]` · `inputs[i][start..end)`. `rows[o]` holds one
 * coefficient per input; every array must cover the range. Outputs must not alias inputs.
 */
export function codeShards(
  rows: readonly Uint8Array[],
  inputs: readonly Uint8Array[],
  outputs: readonly Uint8Array[],
  start: number,
  end: number,
): void {
  for (let chunkStart = start; chunkStart < end; chunkStart += CODING_CHUNK_BYTES) {
    const chunkEnd = Math.min(end, chunkStart + CODING_CHUNK_BYTES);
    for (let o = 0; o < outputs.length; o++) {
      const row = rows[o];
      const output = outputs[o];
      multiplyInto(row[0], inputs[0], output, chunkStart, chunkEnd);
      for (let i = 1; i < inputs.length; i++) {
        multiplyAddInto(row[i], inputs[i], output, chunkStart, chunkEnd);
      }
    }
  }
}

/** output = coefficient · input; the first input of a row, so the output needs no zeroing first. */
function multiplyInto(
  coefficient: number,
  input: Uint8Array,
  output: Uint8Array,
  start: number,
  end: number,
): void {
  if (coefficient === 0) {
    output.fill(0, start, end);
  } else if (coefficient === 1) {
    for (let j = start; j < end; j++) output[j] = input[j];
  } else {
    const table = GF_MUL_ROWS[coefficient];
    for (let j = start; j < end; j++) output[j] = table[input[j]];
  }
}

/** output ^= coefficient · input. */
function multiplyAddInto(
  coefficient: number,
  input: Uint8Array,
  output: Uint8Array,
  start: number,
  end: number,
): void {
  if (coefficient === 0) return;
  if (coefficient === 1) {
    for (let j = start; j < end; j++) output[j] ^= input[j];
    return;
  }
  const table = GF_MUL_ROWS[coefficient];
  for (let j = start; j < end; j++) output[j] ^= table[input[j]];
}
