/**
 * Reading one shard file. Opening checks the header (checksum, magic, version, that it names the
 * expected shard) and that the file size matches the header exactly; reading returns whole frames,
 * each block checked against its stored CRC32 before it is handed out, so a corrupt block is an
 * error and never served. Reads use an explicit seek plus read per chunk and hold at most one chunk
 * of about `READ_CHUNK_BYTES` (at least one frame) in memory.
 *
 * Each chunk `readChunk()` returns is a new buffer on purpose: `Deno.serve` keeps a reference to a
 * response chunk after the stream hands it over and writes it to the socket later, so refilling one buffer
 * corrupts the body (measured: a reused 64 KiB buffer garbled 99% of a 13 MB response). Garbage
 * collection bounds the memory instead, since the response stream pulls one chunk at a time.
 * `readChunkInto()` fills the caller's buffer instead, for readers that are done with a chunk before they
 * read the next (the scrubber), never for response bodies.
 */

import { assert, crc32, StoreError } from "../core/mod.ts";
import { readFull } from "./file_io.ts";
import { decodeShardHeader, SHARD_HEADER_BYTES, type ShardHeader } from "./shard_header.ts";
import { formatShardName, type ShardName } from "./shard_name.ts";
import {
  blockCount,
  type ExactByteSource,
  FRAME_OVERHEAD_BYTES,
  framesByteLength,
  readChecksum,
} from "./shard_frames.ts";

/** Frames are read from disk in chunks of about this size. */
export const READ_CHUNK_BYTES = 1024 * 1024;

/** An open, header-checked shard file. Close it (or use `using`) when done. */
export class ShardFile implements Disposable {
  /** The header, which names this file's shard. */
  readonly header: ShardHeader;
  /** Number of blocks in the shard. */
  readonly blocks: number;
  /** Identity of the file (device and inode), to tell it apart from a newer file at the same path. */
  readonly identity: string;
  readonly #file: Deno.FsFile;
  readonly #label: string;
  #nextBlock = 0;
  #endBlock = 0;
  #closed = false;

  private constructor(file: Deno.FsFile, header: ShardHeader, identity: string) {
    this.#file = file;
    this.header = header;
    this.blocks = blockCount(header.dataLength, header.blockSizeBytes);
    this.identity = identity;
    this.#label = `shard ${formatShardName(header)}`;
  }

  /**
   * Opens and checks the file at `path`, expected to hold shard `name`. Returns null when there is no
   * such file; throws `corrupt_block` (with the file left in place and closed) when it is damaged.
   */
  static async open(path: string, name: ShardName): Promise<ShardFile | null> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    try {
      const info = await file.stat();
      const bytes = new Uint8Array(SHARD_HEADER_BYTES);
      const filled = await readFull(file, bytes);
      const label = `shard ${formatShardName(name)}`;
      const decoded = decodeShardHeader(bytes.subarray(0, filled));
      if (!decoded.ok) {
        throw new StoreError("corrupt_block", `The header of ${label} is bad: ${decoded.reason}`);
      }
      const header = decoded.header;
      if (header.dataId !== name.dataId || header.shardIndex !== name.shardIndex) {
        throw new StoreError("corrupt_block", `The file of ${label} holds shard ${formatShardName(header)}`);
      }
      const blocks = blockCount(header.dataLength, header.blockSizeBytes);
      const expectedBytes = SHARD_HEADER_BYTES +
        framesByteLength(0, blocks, header.dataLength, header.blockSizeBytes);
      if (info.size !== expectedBytes) {
        throw new StoreError(
          "corrupt_block",
          `The file of ${label} has ${info.size} bytes, its header implies ${expectedBytes}`,
        );
      }
      return new ShardFile(file, header, `${info.dev}:${info.ino}`);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Index of the block the next `readChunk()` starts with. */
  get nextBlock(): number {
    return this.#nextBlock;
  }

  /** Sets the blocks the following `readChunk()` calls return: `blocks` frames from `firstBlock`. */
  selectBlocks(firstBlock: number, blocks: number): void {
    assert(
      firstBlock >= 0 && blocks >= 0 && firstBlock + blocks <= this.blocks,
      `blocks ${firstBlock}..${firstBlock + blocks} are outside ${this.#label} of ${this.blocks} blocks`,
    );
    this.#nextBlock = firstBlock;
    this.#endBlock = firstBlock + blocks;
  }

  /**
   * Returns the next whole frames of the selected range in a new buffer (the caller may keep it), or
   * null after the last one. Throws `corrupt_block` naming the first block that fails its checksum.
   */
  async readChunk(): Promise<Uint8Array | null> {
    assert(!this.#closed, `${this.#label} is closed`);
    const frameBytes = this.header.blockSizeBytes + FRAME_OVERHEAD_BYTES;
    const count = this.#framesFitting(Math.max(READ_CHUNK_BYTES, frameBytes));
    if (count === 0) return null;
    const { blockSizeBytes, dataLength } = this.header;
    return await this.#readFrames(
      count,
      new Uint8Array(framesByteLength(this.#nextBlock, count, dataLength, blockSizeBytes)),
    );
  }

  /**
   * Like `readChunk()`, but reads as many whole frames as fit into `target` (at least one must) and
   * returns a view of it, which the next call overwrites. Null after the last frame.
   */
  async readChunkInto(target: Uint8Array): Promise<Uint8Array | null> {
    assert(!this.#closed, `${this.#label} is closed`);
    const count = this.#framesFitting(target.length);
    if (count === 0) return null;
    const { blockSizeBytes, dataLength } = this.header;
    return await this.#readFrames(
      count,
      target.subarray(0, framesByteLength(this.#nextBlock, count, dataLength, blockSizeBytes)),
    );
  }

  /** Bytes the next `readChunkInto()` reads into a buffer of `capacityBytes`; 0 after the last frame. */
  nextChunkBytes(capacityBytes: number): number {
    const { blockSizeBytes, dataLength } = this.header;
    return framesByteLength(this.#nextBlock, this.#framesFitting(capacityBytes), dataLength, blockSizeBytes);
  }

  /** Frames of the selected range, from the next one, that fit in `capacityBytes` (asserted >= 1 if any). */
  #framesFitting(capacityBytes: number): number {
    const remaining = this.#endBlock - this.#nextBlock;
    if (remaining <= 0) return 0;
    const { blockSizeBytes, dataLength } = this.header;
    let count = Math.min(remaining, Math.floor(capacityBytes / (blockSizeBytes + FRAME_OVERHEAD_BYTES)));
    // Only the last block may be short, so one more frame can fit only if it is that one.
    if (
      count < remaining &&
      framesByteLength(this.#nextBlock, count + 1, dataLength, blockSizeBytes) <= capacityBytes
    ) {
      count++;
    }
    assert(
      count >= 1,
      `A ${capacityBytes}-byte buffer cannot hold block ${this.#nextBlock} of ${this.#label}`,
    );
    return count;
  }

  /** Reads `count` frames from the next block into `chunk` (exactly their size) and checks each block. */
  async #readFrames(count: number, chunk: Uint8Array): Promise<Uint8Array> {
    const { blockSizeBytes, dataLength } = this.header;
    const frameBytes = blockSizeBytes + FRAME_OVERHEAD_BYTES;
    const first = this.#nextBlock;
    await this.#file.seek(SHARD_HEADER_BYTES + first * frameBytes, Deno.SeekMode.Start);
    const filled = await readFull(this.#file, chunk);
    if (filled !== chunk.length) {
      throw new StoreError(
        "corrupt_block",
        `${this.#label} ended at block ${first}: read ${filled} of ${chunk.length} bytes`,
      );
    }
    let offset = 0;
    for (let index = first; index < first + count; index++) {
      const length = Math.min(blockSizeBytes, dataLength - index * blockSizeBytes);
      const stored = readChecksum(chunk, offset + length);
      const actual = crc32(chunk.subarray(offset, offset + length));
      if (stored !== actual) {
        throw new StoreError(
          "corrupt_block",
          `Block ${index} of ${this.#label} failed its checksum: stored ${stored.toString(16)}, ` +
            `computed ${actual.toString(16)}`,
        );
      }
      offset += length + FRAME_OVERHEAD_BYTES;
    }
    this.#nextBlock = first + count;
    return chunk;
  }

  /**
   * The raw frames of `count` blocks from `firstBlock`, as a byte source for a `ShardFrameReader` (which
   * checks every block); it reads the file from its own position and closes the file when cancelled. Use
   * either this or the chunk reads on one `ShardFile`, not both.
   */
  frameSource(firstBlock: number, count: number): ExactByteSource {
    assert(
      firstBlock >= 0 && count >= 0 && firstBlock + count <= this.blocks,
      `blocks ${firstBlock}..${firstBlock + count} are outside ${this.#label} of ${this.blocks} blocks`,
    );
    const { blockSizeBytes, dataLength } = this.header;
    const start = SHARD_HEADER_BYTES + firstBlock * (blockSizeBytes + FRAME_OVERHEAD_BYTES);
    let remaining = framesByteLength(firstBlock, count, dataLength, blockSizeBytes);
    let positioned = false;
    return {
      readInto: async (target) => {
        assert(!this.#closed, `${this.#label} is closed`);
        const wanted = Math.min(target.length, remaining);
        if (wanted === 0) return 0;
        if (!positioned) {
          await this.#file.seek(start, Deno.SeekMode.Start);
          positioned = true;
        }
        const filled = await readFull(this.#file, target.subarray(0, wanted));
        remaining -= filled;
        return filled;
      },
      atEnd: () => Promise.resolve(remaining === 0),
      cancel: () => {
        this.close();
        return Promise.resolve();
      },
    };
  }

  /** Closes the file; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }

  /** Closes the file (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}
