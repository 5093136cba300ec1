/**
 * Reed-Solomon 6+3 with 1 MiB shards, in memory: encode (parity from 6 data shards) and reconstruct of 3
 * missing data shards, each as input bytes per second (6 MiB per call) beside memcpy from the same run.
 */
import { ReedSolomon } from "../storage/erasure/mod.ts";
import { type BenchRow, rowBeside } from "./bench_table.ts";
import { randomBytes } from "./byte_streams.ts";
import { bestSeconds, gigabytesPerSecond } from "./timing.ts";

/** Name of the encode row, which the native peer's row compares against. */
export const ENCODE_ROW = "erasure encode 6+3";

const DATA_SHARDS = 6;
const PARITY_SHARDS = 3;
const SHARD_BYTES = 1024 * 1024;
/** Data shards 0..2 are lost: the worst case, every lost shard must be rebuilt through the decode matrix. */
const LOST_SHARDS = [0, 1, 2] as const;
/**
 * Untimed calls before each timed series. Reconstruct allocates its 3 rebuilt shards (3 MiB) per call,
 * and right after start those allocations are fresh pages that fault on first touch: timed at once it
 * measured 0.17× memcpy, against 0.45× after ~64 untimed calls, once freed buffers are being recycled.
 * A long-running gateway is in the second state, so that is the one timed. Encode gets the same
 * warm-up so the two rows are measured alike (it writes into buffers allocated once, so it moves less).
 */
const WARM_UP_CALLS = 64;

/** Encode and reconstruct rows, each beside `memcpy`; `reps` timed calls each, the best counts. */
export function runErasureBench(memcpy: BenchRow, reps: number): BenchRow[] {
  const codec = new ReedSolomon(DATA_SHARDS, PARITY_SHARDS);
  const shards = Array.from(
    { length: DATA_SHARDS + PARITY_SHARDS },
    (_, index) => index < DATA_SHARDS ? randomBytes(SHARD_BYTES) : new Uint8Array(SHARD_BYTES),
  );
  const inputBytes = DATA_SHARDS * SHARD_BYTES;

  const encode = () => codec.encode(shards);
  warmUp(encode);
  const encodeSeconds = bestSeconds(reps, encode);

  let rebuilt: (Uint8Array | null)[] = [];
  const reconstruct = () => {
    rebuilt = shards.map((shard, index) => (LOST_SHARDS as readonly number[]).includes(index) ? null : shard);
    codec.reconstruct(rebuilt);
  };
  warmUp(reconstruct);
  const reconstructSeconds = bestSeconds(reps, reconstruct);
  for (const index of LOST_SHARDS) {
    const shard = rebuilt[index];
    if (shard === null || !bytesEqual(shard, shards[index])) {
      throw new Error(
        `Reconstruct of data shard ${index} (6+3, lost ${LOST_SHARDS.join(",")}) gave wrong bytes`,
      );
    }
  }
  return [
    rowBeside(ENCODE_ROW, gigabytesPerSecond(inputBytes, encodeSeconds), memcpy),
    rowBeside("erasure reconstruct 3 data", gigabytesPerSecond(inputBytes, reconstructSeconds), memcpy),
  ];
}

function warmUp(action: () => void): void {
  for (let call = 0; call < WARM_UP_CALLS; call++) action();
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
