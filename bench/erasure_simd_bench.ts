/**
 * Reed-Solomon 6+3 with 1 MiB shards on every shard coder path (WebAssembly relaxed SIMD, plain SIMD,
 * TypeScript) and on the path `ReedSolomon` picks by itself: encode and reconstruct of 3 missing data
 * shards, as input bytes per second (6 MiB per call), each beside memcpy of 64 MiB from the same run.
 * Two more rows split reconstruct's cost: the coding alone (into arrays allocated beforehand) and the
 * allocation `reconstruct` must do (3 new 1 MiB arrays, written once). Fresh memory is expensive on these
 * machines (page faults, ~0.4 ms per MiB) until the process's malloc heap has grown and the garbage
 * collector recycles freed arrays, so reconstruct is timed after RECONSTRUCT_WARMUP_CALLS untimed calls:
 * the steady state of a long-running gateway, not the first seconds of a process.
 * `deno run -A bench/erasure_simd_bench.ts [reps]` prints the table on its own.
 */
import { ReedSolomon } from "../storage/erasure/mod.ts";
import { reedSolomonWithCoder } from "../storage/erasure/reed_solomon.ts";
import {
  bestShardCoder,
  createShardCoder,
  supportedShardCoderKinds,
} from "../storage/erasure/shard_coders.ts";
import { type BenchRow, formatTable, rowBeside } from "./bench_table.ts";
import { randomBytes } from "./byte_streams.ts";
import { bestSeconds, gigabytesPerSecond } from "./timing.ts";

const DATA_SHARDS = 6;
const PARITY_SHARDS = 3;
const SHARD_BYTES = 1024 * 1024;
const MEMCPY_BYTES = 64 * 1024 * 1024;
/** Data shards 0..2 are lost: every lost shard is rebuilt through the decode matrix. */
const LOST_SHARDS: readonly number[] = [0, 1, 2];
/** Untimed reconstruct calls first (~200 MiB of churn), so the figure is the steady state; see above. */
const RECONSTRUCT_WARMUP_CALLS = 64;

/** memcpy of 64 MiB, the limit the codec figures are divided by. */
export function measureMemcpy(reps: number): BenchRow {
  const source = randomBytes(MEMCPY_BYTES);
  const target = new Uint8Array(MEMCPY_BYTES);
  const seconds = bestSeconds(reps, () => target.set(source));
  return { name: "memcpy", figure: gigabytesPerSecond(MEMCPY_BYTES, seconds), unit: "GB/s" };
}

/** Encode and reconstruct rows for the automatic path and each supported coder, beside `memcpy`. */
export function runErasureSimdBench(memcpy: BenchRow, reps: number): BenchRow[] {
  const shards = Array.from(
    { length: DATA_SHARDS + PARITY_SHARDS },
    (_, index) => index < DATA_SHARDS ? randomBytes(SHARD_BYTES) : new Uint8Array(SHARD_BYTES),
  );
  new ReedSolomon(DATA_SHARDS, PARITY_SHARDS).encode(shards);
  const rows: BenchRow[] = [];
  const paths: [string, ReedSolomon][] = [["auto", new ReedSolomon(DATA_SHARDS, PARITY_SHARDS)]];
  for (const kind of supportedShardCoderKinds()) {
    const coder = createShardCoder(kind);
    if (coder !== null) paths.push([kind, reedSolomonWithCoder(DATA_SHARDS, PARITY_SHARDS, coder)]);
  }
  for (const [name, codec] of paths) rows.push(...measureCodec(name, codec, shards, memcpy, reps));
  return [...rows, ...measureReconstructParts(shards, memcpy, reps)];
}

/** Reconstruct of 3 data shards split in two: coding into ready arrays, and fresh arrays written once. */
function measureReconstructParts(shards: readonly Uint8Array[], memcpy: BenchRow, reps: number): BenchRow[] {
  const codec = new ReedSolomon(DATA_SHARDS, PARITY_SHARDS);
  const used = Array.from({ length: DATA_SHARDS }, (_, i) => i + LOST_SHARDS.length);
  const decode = codec.encodeMatrix.selectRows(used).invert();
  if (decode === null) throw new Error(`Rows ${used} of the 6+3 encoding matrix must invert`);
  const decodeRows = LOST_SHARDS.map((index) => decode.row(index));
  const inputs = used.map((index) => shards[index]);
  const outputs = LOST_SHARDS.map(() => new Uint8Array(SHARD_BYTES));
  const coder = bestShardCoder();
  const codingSeconds = bestSeconds(
    reps,
    () => coder.codeShards(decodeRows, inputs, outputs, 0, SHARD_BYTES),
  );
  const fresh: Uint8Array[] = [];
  const allocationSeconds = bestSeconds(reps, () => {
    fresh.length = 0;
    for (const _ of LOST_SHARDS) fresh.push(new Uint8Array(SHARD_BYTES).fill(1));
  });
  const inputBytes = DATA_SHARDS * SHARD_BYTES;
  return [
    rowBeside(
      `  reconstruct coding only (${coder.kind})`,
      gigabytesPerSecond(inputBytes, codingSeconds),
      memcpy,
    ),
    rowBeside(
      "  3 new 1 MiB arrays, filled",
      gigabytesPerSecond(LOST_SHARDS.length * SHARD_BYTES, allocationSeconds),
      memcpy,
    ),
  ];
}

function measureCodec(
  name: string,
  codec: ReedSolomon,
  original: readonly Uint8Array[],
  memcpy: BenchRow,
  reps: number,
): BenchRow[] {
  const inputBytes = DATA_SHARDS * SHARD_BYTES;
  const shards = original.map((shard, index) => index < DATA_SHARDS ? shard : new Uint8Array(SHARD_BYTES));
  const encodeSeconds = bestSeconds(reps, () => codec.encode(shards));
  let rebuilt: (Uint8Array | null)[] = [];
  const reconstruct = () => {
    rebuilt = original.map((shard, index) => LOST_SHARDS.includes(index) ? null : shard);
    codec.reconstruct(rebuilt);
  };
  for (let call = 0; call < RECONSTRUCT_WARMUP_CALLS; call++) reconstruct();
  const reconstructSeconds = bestSeconds(reps, reconstruct);
  original.forEach((shard, index) => {
    if (!sameBytes(shards[index], shard) || !sameBytes(rebuilt[index], shard)) {
      throw new Error(`${name}: shard ${index} of 6+3 differs after encode or reconstruct`);
    }
  });
  return [
    rowBeside(`erasure encode 6+3 (${name})`, gigabytesPerSecond(inputBytes, encodeSeconds), memcpy),
    rowBeside(
      `erasure reconstruct 3 data (${name})`,
      gigabytesPerSecond(inputBytes, reconstructSeconds),
      memcpy,
    ),
  ];
}

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  if (a === null || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

if (import.meta.main) {
  const reps = Number(Deno.args[0] ?? 10);
  const memcpy = measureMemcpy(reps);
  console.log(formatTable([memcpy, ...runErasureSimdBench(memcpy, reps), measureMemcpy(reps)]));
}
