/**
 * The WebAssembly SIMD path of the codec's hot loop (the `codeShards` contract of shard_coder.ts), running
 * the kernel assembled from wasm/gf_kernel.wat. The kernel sees only its own linear memory, so the shards
 * pass through it in chunks: copy one chunk of every input in, code every output, copy the output chunks
 * out. A chunk is at most 32 KiB per shard, so one pass's working set stays in L2 and the copies cost
 * little next to the coding.
 *
 * Memory layout, from byte 0: the nibble tables of all 256 coefficients (8 KiB, written once), the tables
 * of the current call in the kernel's order, the input chunks, the output chunks. Invariant: apart from the
 * nibble tables nothing in memory outlives a call, since every call writes the bytes it codes before
 * coding them; so one instance can serve every codec of a thread.
 */

import { assert } from "../core/mod.ts";
import { GF_MUL_TABLE } from "./galois_field.ts";
import type { ShardCoder } from "./shard_coder.ts";

/** Bytes of one coefficient's tables: c · n for n in 0..15, then c · (n << 4). */
const TABLE_PAIR_BYTES = 32;
/** The nibble tables of every coefficient, at address 0 of the kernel's memory. */
const NIBBLE_TABLES_BYTES = 256 * TABLE_PAIR_BYTES;
/** Outputs the kernel codes together (their accumulators stay in registers); see gf_kernel.wat. */
const GROUP_OUTPUTS = 3;
/** Bytes the kernel codes per step: it rounds a length up to whole steps. */
const STEP_BYTES = 32;
/** Chunk bounds per shard: large enough that the per-chunk calls are noise, small enough for L2. */
const MAX_CHUNK_BYTES = 32 * 1024;
const MIN_CHUNK_BYTES = 4 * 1024;
/** Input plus output chunks of one pass aim at this many bytes (the L2 of one core is 512 KiB-1 MiB). */
const CHUNKS_BUDGET_BYTES = 512 * 1024;
/**
 * Upper bound of the kernel's memory: nibble tables, 128 × 128 coefficient tables (k + m <= 256) and
 * 256 chunks of MIN_CHUNK_BYTES fit in it.
 */
const MAX_MEMORY_BYTES = 2 * 1024 * 1024;
const WASM_PAGE_BYTES = 64 * 1024;

/** The kernel's export `code`: see gf_kernel.wat for the meaning and layout of every argument. */
type KernelCode = (
  tables: number,
  inputs: number,
  rows: number,
  input: number,
  output: number,
  stride: number,
  length: number,
) => void;

/** A `ShardCoder` running one compiled kernel module (plain or relaxed SIMD) in its own instance. */
export class WasmShardCoder implements ShardCoder {
  /** Which kernel build this coder runs. */
  readonly kind: "simd" | "relaxed-simd";
  readonly #memory: WebAssembly.Memory;
  readonly #code: KernelCode;
  /** A view of the whole memory; replaced after every grow, which detaches the old buffer. */
  #bytes: Uint8Array;

  constructor(kind: "simd" | "relaxed-simd", module: WebAssembly.Module) {
    const { memory, code } = new WebAssembly.Instance(module, {}).exports;
    assert(
      memory instanceof WebAssembly.Memory && typeof code === "function",
      `The ${kind} kernel must export "memory" and "code", got ${typeof memory} and ${typeof code}`,
    );
    this.kind = kind;
    this.#memory = memory;
    this.#code = code as KernelCode;
    this.#bytes = new Uint8Array(memory.buffer);
    this.#reserve(NIBBLE_TABLES_BYTES).set(buildNibbleTables());
  }

  /** Writes `outputs[o][start..end)` = Σ_i `rows[o][i]` · `inputs[i][start..end)`, like `codeShards`. */
  codeShards(
    rows: readonly Uint8Array[],
    inputs: readonly Uint8Array[],
    outputs: readonly Uint8Array[],
    start: number,
    end: number,
  ): void {
    if (outputs.length === 0 || end <= start) return;
    checkArguments(rows, inputs, outputs, end);
    const chunkBytes = chunkBytesFor(inputs.length + outputs.length);
    const tablesAt = NIBBLE_TABLES_BYTES;
    const inputsAt = tablesAt + alignTo64(rows.length * inputs.length * TABLE_PAIR_BYTES);
    const outputsAt = inputsAt + inputs.length * chunkBytes;
    const memory = this.#reserve(outputsAt + outputs.length * chunkBytes);
    writeCallTables(memory, rows, inputs.length, tablesAt);
    for (let chunkStart = start; chunkStart < end; chunkStart += chunkBytes) {
      const chunkEnd = Math.min(end, chunkStart + chunkBytes);
      for (let i = 0; i < inputs.length; i++) {
        memory.set(inputs[i].subarray(chunkStart, chunkEnd), inputsAt + i * chunkBytes);
      }
      this.#code(
        tablesAt,
        inputs.length,
        outputs.length,
        inputsAt,
        outputsAt,
        chunkBytes,
        chunkEnd - chunkStart,
      );
      for (let o = 0; o < outputs.length; o++) {
        const from = outputsAt + o * chunkBytes;
        outputs[o].set(memory.subarray(from, from + chunkEnd - chunkStart), chunkStart);
      }
    }
  }

  /** Grows the memory (never shrinks) to at least `byteLength` bytes; returns a view of all of it. */
  #reserve(byteLength: number): Uint8Array {
    assert(
      byteLength <= MAX_MEMORY_BYTES,
      `The erasure kernel needs ${byteLength} bytes of memory, its bound is ${MAX_MEMORY_BYTES}`,
    );
    const missingBytes = byteLength - this.#memory.buffer.byteLength;
    if (missingBytes > 0) {
      this.#memory.grow(Math.ceil(missingBytes / WASM_PAGE_BYTES));
      this.#bytes = new Uint8Array(this.#memory.buffer);
    }
    return this.#bytes;
  }
}

/** For every coefficient c: c · n for n in 0..15, then c · (n << 4) for n in 0..15. */
function buildNibbleTables(): Uint8Array {
  const tables = new Uint8Array(NIBBLE_TABLES_BYTES);
  for (let c = 0; c < 256; c++) {
    for (let n = 0; n < 16; n++) {
      tables[c * TABLE_PAIR_BYTES + n] = GF_MUL_TABLE[c * 256 + n];
      tables[c * TABLE_PAIR_BYTES + 16 + n] = GF_MUL_TABLE[c * 256 + (n << 4)];
    }
  }
  return tables;
}

/**
 * Copies the table pair of every coefficient into the order the kernel walks them: outputs in groups of
 * three (the last group may hold one or two), and inside a group input by input, output by output.
 */
function writeCallTables(
  memory: Uint8Array,
  rows: readonly Uint8Array[],
  inputCount: number,
  at: number,
): void {
  let to = at;
  for (let first = 0; first < rows.length; first += GROUP_OUTPUTS) {
    const groupSize = Math.min(GROUP_OUTPUTS, rows.length - first);
    for (let i = 0; i < inputCount; i++) {
      for (let r = 0; r < groupSize; r++) {
        const from = rows[first + r][i] * TABLE_PAIR_BYTES;
        memory.copyWithin(to, from, from + TABLE_PAIR_BYTES);
        to += TABLE_PAIR_BYTES;
      }
    }
  }
}

/** Bytes per shard of one chunk: the budget shared by all shards, in whole kernel steps, within bounds. */
function chunkBytesFor(shardCount: number): number {
  const share = Math.floor(CHUNKS_BUDGET_BYTES / shardCount / STEP_BYTES) * STEP_BYTES;
  return Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, share));
}

function alignTo64(byteLength: number): number {
  return Math.ceil(byteLength / 64) * 64;
}

/** The `codeShards` contract; a shorter array would otherwise be copied short and coded from stale bytes. */
function checkArguments(
  rows: readonly Uint8Array[],
  inputs: readonly Uint8Array[],
  outputs: readonly Uint8Array[],
  end: number,
): void {
  assert(inputs.length > 0, `Coding ${outputs.length} outputs needs at least one input, got none`);
  assert(
    rows.length === outputs.length,
    `Expected one row per output (${outputs.length}), got ${rows.length}`,
  );
  rows.forEach((row, o) =>
    assert(row.length >= inputs.length, `Row ${o} has ${row.length} coefficients, expected ${inputs.length}`)
  );
  [...inputs, ...outputs].forEach((shard, index) =>
    assert(shard.length >= end, `Shard array ${index} has ${shard.length} bytes, the range ends at ${end}`)
  );
}
