import { assertEquals, assertRejects, assertThrows } from "./test_assert.ts";
import { concatBytes, crc32, isStoreError, StoreError } from "../core/mod.ts";
import { blockCount, blockLength, framesByteLength, sealFrame, ShardFrameReader } from "./shard_frames.ts";
import { chunkedStream, encodeFrames, patternBytes } from "./test_support.ts";

const BLOCK_SIZE_BYTES = 16;

async function readEverything(reader: ShardFrameReader, target?: Uint8Array): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  while (true) {
    const block = await reader.readBlock(target);
    if (block === null) return concatBytes(blocks);
    blocks.push(block.slice());
  }
}

Deno.test("blockCount() and blockLength() cut a shard into full blocks and one shorter last block", () => {
  const cases: [dataLength: number, blocks: number, lastLength: number | null][] = [
    [0, 0, null],
    [1, 1, 1],
    [15, 1, 15],
    [16, 1, 16],
    [17, 2, 1],
    [64, 4, 16],
    [65, 5, 1],
  ];
  for (const [dataLength, blocks, lastLength] of cases) {
    assertEquals(blockCount(dataLength, BLOCK_SIZE_BYTES), blocks, `blocks of ${dataLength} bytes`);
    if (lastLength !== null) {
      assertEquals(blockLength(blocks - 1, dataLength, BLOCK_SIZE_BYTES), lastLength);
      if (blocks > 1) assertEquals(blockLength(0, dataLength, BLOCK_SIZE_BYTES), BLOCK_SIZE_BYTES);
    }
  }
  assertThrows(() => blockLength(1, 16, BLOCK_SIZE_BYTES));
  assertThrows(() => blockCount(10, 0));
});

Deno.test("framesByteLength() counts block bytes plus 4 checksum bytes per frame", () => {
  assertEquals(framesByteLength(0, 0, 0, 16), 0);
  assertEquals(framesByteLength(0, 2, 17, 16), 17 + 8);
  assertEquals(framesByteLength(1, 1, 17, 16), 1 + 4);
  assertEquals(framesByteLength(1, 2, 64, 16), 32 + 8);
});

Deno.test("sealFrame() writes the big-endian CRC32 of the block after it", () => {
  const frame = new Uint8Array(9);
  frame.set([1, 2, 3, 4, 5]);
  sealFrame(frame, 5);
  const expected = crc32(frame.subarray(0, 5));
  assertEquals(new DataView(frame.buffer).getUint32(5), expected);
  assertEquals(frame[5], expected >>> 24);
  // Golden value: CRC32 (IEEE) of the ASCII bytes "123456789" is cbf43926.
  const check = new Uint8Array(13);
  check.set(new TextEncoder().encode("123456789"));
  sealFrame(check, 9);
  assertEquals([...check.subarray(9)], [0xcb, 0xf4, 0x39, 0x26]);
});

Deno.test("ShardFrameReader.readBlock() returns every block of shards of edge-case lengths", async () => {
  for (
    const length of [
      0,
      1,
      BLOCK_SIZE_BYTES - 1,
      BLOCK_SIZE_BYTES,
      BLOCK_SIZE_BYTES + 1,
      5 * BLOCK_SIZE_BYTES + 3,
    ]
  ) {
    const data = patternBytes(length);
    for (const chunkBytes of [1, 7, 1000]) {
      const reader = new ShardFrameReader(chunkedStream(encodeFrames(data, BLOCK_SIZE_BYTES), chunkBytes), {
        blockSizeBytes: BLOCK_SIZE_BYTES,
        dataLength: length,
      });
      assertEquals(await readEverything(reader), data, `${length} bytes in chunks of ${chunkBytes}`);
    }
  }
});

Deno.test("ShardFrameReader.readBlock() reads into a given target and returns a view sized to the block", async () => {
  const data = patternBytes(40);
  const target = new Uint8Array(BLOCK_SIZE_BYTES);
  const reader = new ShardFrameReader(chunkedStream(encodeFrames(data, BLOCK_SIZE_BYTES)), {
    blockSizeBytes: BLOCK_SIZE_BYTES,
    dataLength: data.length,
  });
  const lengths: number[] = [];
  while (true) {
    const block = await reader.readBlock(target);
    if (block === null) break;
    assertEquals(block.buffer, target.buffer);
    lengths.push(block.length);
  }
  assertEquals(lengths, [16, 16, 8]);
});

Deno.test("ShardFrameReader.readBlock() reads a range of blocks from firstBlock", async () => {
  const data = patternBytes(5 * BLOCK_SIZE_BYTES + 3);
  const frames = encodeFrames(data, BLOCK_SIZE_BYTES);
  const frameBytes = BLOCK_SIZE_BYTES + 4;
  const reader = new ShardFrameReader(chunkedStream(frames.subarray(2 * frameBytes, 4 * frameBytes)), {
    blockSizeBytes: BLOCK_SIZE_BYTES,
    dataLength: data.length,
    firstBlock: 2,
    blockCount: 2,
  });
  assertEquals(await readEverything(reader), data.subarray(32, 64));
});

Deno.test("ShardFrameReader.readBlock() throws corrupt_block naming the block when a byte is flipped", async () => {
  const frames = encodeFrames(patternBytes(50), BLOCK_SIZE_BYTES);
  frames[2 * (BLOCK_SIZE_BYTES + 4) + 3] ^= 0x10;
  const reader = new ShardFrameReader(chunkedStream(frames), {
    blockSizeBytes: BLOCK_SIZE_BYTES,
    dataLength: 50,
    label: "shard x.1",
  });
  assertEquals((await reader.readBlock())?.length, 16);
  assertEquals((await reader.readBlock())?.length, 16);
  const error = await assertRejects(() => reader.readBlock(), StoreError, "Block 2 of shard x.1 failed");
  assertEquals(error.kind, "corrupt_block");
});

Deno.test("ShardFrameReader.readBlock() throws incomplete_body when the stream ends early", async () => {
  for (const cut of [1, 4, 5, 20, 21]) {
    const frames = encodeFrames(patternBytes(40), BLOCK_SIZE_BYTES);
    const reader = new ShardFrameReader(chunkedStream(frames.subarray(0, frames.length - cut)), {
      blockSizeBytes: BLOCK_SIZE_BYTES,
      dataLength: 40,
    });
    const error = await assertRejects(() => readEverything(reader), StoreError);
    assertEquals(error.kind, "incomplete_body", `cut ${cut}`);
  }
});

Deno.test("ShardFrameReader.readBlock() throws incomplete_body on bytes after the last block", async () => {
  for (const length of [0, 17]) {
    const frames = concatBytes([encodeFrames(patternBytes(length), BLOCK_SIZE_BYTES), new Uint8Array(1)]);
    const reader = new ShardFrameReader(chunkedStream(frames), {
      blockSizeBytes: BLOCK_SIZE_BYTES,
      dataLength: length,
    });
    const error = await assertRejects(
      () => readEverything(reader),
      StoreError,
      "past the last expected block",
    );
    assertEquals(error.kind, "incomplete_body");
  }
});

Deno.test("ShardFrameReader.readBlock() throws unavailable when the stream itself fails", async () => {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(3));
      controller.error(new TypeError("connection reset"));
    },
  });
  const reader = new ShardFrameReader(stream, { blockSizeBytes: BLOCK_SIZE_BYTES, dataLength: 20 });
  const error = await assertRejects(() => reader.readBlock(), StoreError, "connection reset");
  assertEquals(isStoreError(error, "unavailable"), true);
});

Deno.test("ShardFrameReader.cancel() cancels the underlying stream", async () => {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    cancel() {
      cancelled = true;
    },
  });
  const reader = new ShardFrameReader(stream, { blockSizeBytes: BLOCK_SIZE_BYTES, dataLength: 20 });
  await reader.cancel();
  assertEquals(cancelled, true);
});
