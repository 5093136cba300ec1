/**
 * The block checksum candidates on 1 MiB blocks (the default block size), each beside memcpy from the same
 * run: CRC32 from `node:zlib` (what every shard block carries), our table-driven CRC32C (the S3 checksum
 * `x-amz-checksum-crc32c`), and MD5 and SHA-256 from `node:crypto` (the ETag and signed payloads). The
 * choice of CRC32 for blocks rests on these rows; see docs/performance-analysis.md.
 */
import { createHash } from "node:crypto";
import { crc32, crc32c } from "../storage/core/mod.ts";
import { type BenchRow, rowBeside } from "./bench_table.ts";
import { randomBytes } from "./byte_streams.ts";
import { bestSeconds, gigabytesPerSecond } from "./timing.ts";

const BLOCK_BYTES = 1024 * 1024;
/** Blocks hashed per timed call: 64 MiB, the size memcpy is measured on. */
const BLOCKS_PER_CALL = 64;

/** One row per checksum, input bytes per second beside `memcpy`; `reps` timed calls each, the best counts. */
export function runChecksumBench(memcpy: BenchRow, reps: number): BenchRow[] {
  const blocks = Array.from({ length: 4 }, () => randomBytes(BLOCK_BYTES));
  const candidates: [string, (block: Uint8Array) => unknown][] = [
    ["block checksum CRC32 (node:zlib)", (block) => crc32(block)],
    ["checksum CRC32C (ours)", (block) => crc32c(block)],
    ["MD5 (node:crypto)", (block) => createHash("md5").update(block).digest()],
    ["SHA-256 (node:crypto)", (block) => createHash("sha256").update(block).digest()],
  ];
  return candidates.map(([name, checksum]) => {
    const call = () => {
      for (let index = 0; index < BLOCKS_PER_CALL; index++) checksum(blocks[index % blocks.length]);
    };
    call();
    const seconds = bestSeconds(reps, call);
    return rowBeside(name, gigabytesPerSecond(BLOCK_BYTES * BLOCKS_PER_CALL, seconds), memcpy);
  });
}
