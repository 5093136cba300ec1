/**
 * The shard frame format, identical on the wire and on disk after the file header.
 *
 * A shard's `dataLength` bytes are cut into blocks of `blockSizeBytes`; every block is full except the
 * last, which is never empty, so an empty shard has no blocks. Each block is followed by its CRC32 as a
 * big-endian u32; a block plus its checksum is a frame. `ShardFrameReader` reads frames from a byte
 * stream and hands out only verified blocks: a wrong checksum, a stream that ends early and a stream
 * that carries bytes past the last expected frame are all errors, never silent truncations.
 */

import { assert, crc32, ExactReader, StoreError } from "../core/mod.ts";

/** Bytes added to every block on the wire and on disk: its big-endian CRC32. */
export const FRAME_OVERHEAD_BYTES = 4;

/** Number of blocks of a shard of `dataLength` bytes (0 for an empty shard). */
export function blockCount(dataLength: number, blockSizeBytes: number): number {
  assert(Number.isSafeInteger(dataLength) && dataLength >= 0, `dataLength must be >= 0, got ${dataLength}`);
  assert(
    Number.isSafeInteger(blockSizeBytes) && blockSizeBytes > 0,
    `blockSizeBytes must be > 0, got ${blockSizeBytes}`,
  );
  return Math.ceil(dataLength / blockSizeBytes);
}

/** Length of block `index` of a shard: `blockSizeBytes`, except a shorter last block. */
export function blockLength(index: number, dataLength: number, blockSizeBytes: number): number {
  const blocks = blockCount(dataLength, blockSizeBytes);
  assert(
    Number.isSafeInteger(index) && index >= 0 && index < blocks,
    `block ${index} is outside a shard of ${blocks} blocks`,
  );
  return Math.min(blockSizeBytes, dataLength - index * blockSizeBytes);
}

/** Bytes on the wire of `blocks` consecutive frames starting at `firstBlock`. */
export function framesByteLength(
  firstBlock: number,
  blocks: number,
  dataLength: number,
  blockSizeBytes: number,
): number {
  if (blocks === 0) return 0;
  const endBlock = firstBlock + blocks;
  const endByte = Math.min(dataLength, endBlock * blockSizeBytes);
  return endByte - firstBlock * blockSizeBytes + blocks * FRAME_OVERHEAD_BYTES;
}

/**
 * Writes the CRC32 of `frame[0, blockLength)` big-endian into `frame[blockLength, blockLength + 4)`,
 * so an encoder can fill a reused frame buffer in place and send `frame.subarray(0, blockLength + 4)`.
 */
export function sealFrame(frame: Uint8Array, blockLength: number): void {
  assert(
    blockLength > 0 && frame.length >= blockLength + FRAME_OVERHEAD_BYTES,
    `A frame of ${frame.length} bytes cannot hold a ${blockLength}-byte block and its checksum`,
  );
  writeChecksum(frame, blockLength, crc32(frame.subarray(0, blockLength)));
}

/** Writes `checksum` as a big-endian u32 at `offset` of `target`. */
export function writeChecksum(target: Uint8Array, offset: number, checksum: number): void {
  new DataView(target.buffer, target.byteOffset, target.byteLength).setUint32(offset, checksum);
}

/** Reads the big-endian u32 at `offset` of `source`. */
export function readChecksum(source: Uint8Array, offset: number): number {
  return new DataView(source.buffer, source.byteOffset, source.byteLength).getUint32(offset);
}

/** A body read in exact pieces: what `ShardFrameReader` reads (an `ExactReader`, or a socket download). */
export interface ExactByteSource {
  /** Fills `target` unless the body ends first; returns the bytes written. */
  readInto(target: Uint8Array): Promise<number>;
  /** True once every byte of the body was read. */
  atEnd(): Promise<boolean>;
  /** Stops reading and releases what the body holds. */
  cancel(reason?: unknown): Promise<void>;
}

/** What a `ShardFrameReader` expects to find in its stream. */
export interface ShardFrameReaderOptions {
  /** Block size of the shard. */
  blockSizeBytes: number;
  /** Length of the whole shard's data (not only of the frames in this stream). */
  dataLength: number;
  /** Index of the first frame in the stream (0 unless this is a range read). */
  firstBlock?: number;
  /** Number of frames in the stream; defaults to every block from `firstBlock` to the end. */
  blockCount?: number;
  /** Names the shard in error messages, such as `shard 0f3a….4 on worker w2`. */
  label?: string;
}

/** Hands out a shard's verified blocks one at a time: a `ShardFrameReader`, or a local read with a fallback. */
export interface ShardBlockReader {
  /** Index of the block the next `readBlock()` returns. */
  readonly nextBlock: number;
  /** CRC32 of the block the last `readBlock()` returned, as stored after it. */
  readonly lastChecksum: number;
  /** The next verified block (into `target` when given), or null after the last one. */
  readBlock(target?: Uint8Array): Promise<Uint8Array | null>;
  /** Stops reading and releases what the reader holds. */
  cancel(reason?: unknown): Promise<void>;
}

/** Reads verified blocks, one at a time, out of a stream of shard frames. */
export class ShardFrameReader implements ShardBlockReader {
  readonly #input: ExactByteSource;
  readonly #blockSizeBytes: number;
  readonly #dataLength: number;
  readonly #firstBlock: number;
  readonly #endBlock: number;
  readonly #label: string;
  readonly #checksumBytes = new Uint8Array(FRAME_OVERHEAD_BYTES);
  #nextBlock: number;
  #lastChecksum = 0;
  #finished = false;

  constructor(stream: ReadableStream<Uint8Array> | ExactByteSource, options: ShardFrameReaderOptions) {
    const total = blockCount(options.dataLength, options.blockSizeBytes);
    const firstBlock = options.firstBlock ?? 0;
    assert(
      Number.isSafeInteger(firstBlock) && firstBlock >= 0 && firstBlock <= total,
      `firstBlock ${firstBlock} is outside a shard of ${total} blocks`,
    );
    const blocks = options.blockCount ?? total - firstBlock;
    assert(
      Number.isSafeInteger(blocks) && blocks >= 0 && firstBlock + blocks <= total,
      `${blocks} blocks from block ${firstBlock} do not fit in a shard of ${total} blocks`,
    );
    this.#input = stream instanceof ReadableStream ? new ExactReader(stream) : stream;
    this.#blockSizeBytes = options.blockSizeBytes;
    this.#dataLength = options.dataLength;
    this.#firstBlock = firstBlock;
    this.#nextBlock = firstBlock;
    this.#endBlock = firstBlock + blocks;
    this.#label = options.label ?? "shard";
  }

  /** Index of the block the next `readBlock()` returns. */
  get nextBlock(): number {
    return this.#nextBlock;
  }

  /** CRC32 of the block the last `readBlock()` returned, as stored after it. */
  get lastChecksum(): number {
    return this.#lastChecksum;
  }

  /**
   * Returns the next verified block, or `null` once every expected block was read and the stream has
   * ended. With a `target` (at least one block long) the block is read into it and a view of it is
   * returned (when `target` has room, its checksum lands in the 4 bytes after the block); without one, a
   * view of a new buffer is returned.
   */
  async readBlock(target?: Uint8Array): Promise<Uint8Array | null> {
    if (this.#nextBlock === this.#endBlock) {
      await this.#expectEnd();
      return null;
    }
    const index = this.#nextBlock;
    const length = blockLength(index, this.#dataLength, this.#blockSizeBytes);
    assert(
      target === undefined || target.length >= length,
      `A ${target?.length}-byte target cannot hold block ${index} of ${length} bytes`,
    );
    // Block and checksum in one read where the buffer has room for both (one I/O call per frame, not two).
    const frameLength = length + FRAME_OVERHEAD_BYTES;
    const frame = target === undefined
      ? new Uint8Array(frameLength)
      : target.length >= frameLength
      ? target.subarray(0, frameLength)
      : null;
    const block = frame === null ? target!.subarray(0, length) : frame.subarray(0, length);
    let stored: number;
    if (frame === null) {
      await this.#fill(block, index);
      await this.#fill(this.#checksumBytes, index);
      stored = readChecksum(this.#checksumBytes, 0);
    } else {
      await this.#fill(frame, index);
      stored = readChecksum(frame, length);
    }
    const actual = crc32(block);
    if (stored !== actual) {
      await this.cancel();
      throw new StoreError(
        "corrupt_block",
        `Block ${index} of ${this.#label} failed its checksum: stored ${hex32(stored)}, computed ${
          hex32(actual)
        }`,
      );
    }
    this.#lastChecksum = stored;
    this.#nextBlock = index + 1;
    return block;
  }

  /** Stops reading and cancels the underlying stream. */
  async cancel(reason?: unknown): Promise<void> {
    this.#finished = true;
    await this.#input.cancel(reason);
  }

  async #fill(target: Uint8Array, index: number): Promise<void> {
    let filled: number;
    try {
      filled = await this.#input.readInto(target);
    } catch (error) {
      await this.cancel();
      if (error instanceof StoreError) throw error;
      throw new StoreError("unavailable", `Reading block ${index} of ${this.#label} failed: ${error}`, {
        cause: error,
      });
    }
    if (filled < target.length) {
      await this.cancel();
      const blocks = this.#endBlock - this.#firstBlock;
      const expected = framesByteLength(this.#firstBlock, blocks, this.#dataLength, this.#blockSizeBytes);
      throw new StoreError(
        "incomplete_body",
        `The frames of ${this.#label} ended inside block ${index}: expected ${blocks} frames ` +
          `(${expected} bytes) from block ${this.#firstBlock} of a ${this.#dataLength}-byte shard`,
      );
    }
  }

  async #expectEnd(): Promise<void> {
    if (this.#finished) return;
    let atEnd: boolean;
    try {
      atEnd = await this.#input.atEnd();
    } catch (error) {
      await this.cancel();
      throw new StoreError("unavailable", `Reading the end of ${this.#label} failed: ${error}`, {
        cause: error,
      });
    }
    if (!atEnd) {
      await this.cancel();
      throw new StoreError(
        "incomplete_body",
        `The frames of ${this.#label} go on past the last expected block ${this.#endBlock - 1}`,
      );
    }
    this.#finished = true;
  }
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, "0");
}
