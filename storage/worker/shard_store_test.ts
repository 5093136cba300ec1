import { assert, assertEquals, assertRejects } from "./test_assert.ts";
import { Logger, StoreError } from "../core/mod.ts";
import { SHARD_HEADER_BYTES } from "./shard_header.ts";
import { ShardStore } from "./shard_store.ts";
import { EARLY_FLUSH_BYTES } from "./shard_writer.ts";
import {
  chunkedStream,
  encodeFrames,
  listFiles,
  patternBytes,
  randomDataId,
  startTestWorker,
  type TestWorker,
} from "./test_support.ts";

const BLOCK_SIZE_BYTES = 64 * 1024;
const FRAME_BYTES = BLOCK_SIZE_BYTES + 4;

async function putPattern(worker: TestWorker, dataId: string, dataLength: number): Promise<Uint8Array> {
  const data = patternBytes(dataLength);
  await worker.client.putShard({
    dataId,
    shardIndex: 0,
    blockSizeBytes: BLOCK_SIZE_BYTES,
    dataLength,
    body: chunkedStream(encodeFrames(data, BLOCK_SIZE_BYTES), 100_000),
  });
  return data;
}

async function flipByte(worker: TestWorker, dataId: string, offset: number): Promise<void> {
  const path = `${worker.dataDir}/shards/${dataId.slice(0, 2)}/${dataId}.0`;
  using file = await Deno.open(path, { read: true, write: true });
  const one = new Uint8Array(1);
  await file.seek(offset, Deno.SeekMode.Start);
  await file.read(one);
  one[0] ^= 0x40;
  await file.seek(offset, Deno.SeekMode.Start);
  await file.write(one);
}

async function assertQuarantined(worker: TestWorker, dataId: string): Promise<void> {
  const quarantined = await listFiles(`${worker.dataDir}/quarantine`);
  assertEquals(quarantined.length, 1);
  assert(quarantined[0].startsWith(`${dataId}.0.`), quarantined[0]);
  assertEquals(await worker.client.headShard({ dataId, shardIndex: 0 }), null);
}

Deno.test("GET of a shard whose first block has a flipped byte fails with corrupt_block and quarantines it", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  await putPattern(worker, dataId, 100_000);
  await flipByte(worker, dataId, SHARD_HEADER_BYTES + 10);
  const request = { dataId, shardIndex: 0, blockSizeBytes: BLOCK_SIZE_BYTES, dataLength: 100_000 };
  const error = await assertRejects(() => worker.client.getShard(request), StoreError, "Block 0");
  assertEquals(error.kind, "corrupt_block");
  await assertQuarantined(worker, dataId);
});

Deno.test("GET of a shard with a flipped byte past the first chunk breaks the body before the bad block", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  const dataLength = 48 * BLOCK_SIZE_BYTES;
  const data = await putPattern(worker, dataId, dataLength);
  const badBlock = 40;
  await flipByte(worker, dataId, SHARD_HEADER_BYTES + badBlock * FRAME_BYTES + 123);
  const reader = await worker.client.getShard({
    dataId,
    shardIndex: 0,
    blockSizeBytes: BLOCK_SIZE_BYTES,
    dataLength,
  });
  let goodBlocks = 0;
  const error = await assertRejects(async () => {
    while (true) {
      const block = await reader.readBlock();
      if (block === null) break;
      const start = goodBlocks * BLOCK_SIZE_BYTES;
      assertEquals(block, data.subarray(start, start + BLOCK_SIZE_BYTES));
      goodBlocks++;
    }
  }, StoreError);
  assert(goodBlocks < badBlock, `read ${goodBlocks} blocks, block ${badBlock} is corrupt`);
  assert(error.kind === "unavailable" || error.kind === "incomplete_body", error.kind);
  await assertQuarantined(worker, dataId);
});

Deno.test("GET and HEAD of a shard with a damaged header answer corrupt_block and quarantine it", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  await putPattern(worker, dataId, 10);
  await flipByte(worker, dataId, 30);
  const request = { dataId, shardIndex: 0, blockSizeBytes: BLOCK_SIZE_BYTES, dataLength: 10 };
  const error = await assertRejects(() => worker.client.getShard(request), StoreError, "header");
  assertEquals(error.kind, "corrupt_block");
  await assertQuarantined(worker, dataId);
  const other = randomDataId();
  await putPattern(worker, other, 10);
  await flipByte(worker, other, 20);
  const headError = await assertRejects(
    () => worker.client.headShard({ dataId: other, shardIndex: 0 }),
    StoreError,
  );
  assertEquals(headError.kind, "corrupt_block");
  assertEquals((await listFiles(`${worker.dataDir}/quarantine`)).length, 2);
});

Deno.test("ShardStore.open() deletes leftovers of interrupted writes in tmp/", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dataDir}/tmp/partial-dir`, { recursive: true });
    await Deno.writeFile(`${dataDir}/tmp/${randomDataId()}.0.leftover`, new Uint8Array(100));
    await ShardStore.open({ dataDir, logger: new Logger("test", "error") });
    assertEquals(await listFiles(`${dataDir}/tmp`), []);
    assertEquals([...Deno.readDirSync(`${dataDir}/tmp`)], []);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("ShardStore.quarantine() spares a shard rewritten after the corrupt one was opened", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const store = await ShardStore.open({ dataDir, logger: new Logger("test", "error") });
    const header = { dataId: randomDataId(), shardIndex: 5, blockSizeBytes: 16, dataLength: 20 };
    const frames = encodeFrames(patternBytes(20), 16);
    await store.writeShard(header, chunkedStream(frames));
    const old = await store.openShard(header);
    assert(old !== null);
    const identity = old.identity;
    old.close();
    await store.writeShard(header, chunkedStream(frames));
    await store.quarantine(header, identity, "test");
    assertEquals(await listFiles(`${dataDir}/quarantine`), []);
    using current = await store.openShard(header);
    assert(current !== null);
    await store.quarantine(header, current.identity, "test");
    assertEquals((await listFiles(`${dataDir}/quarantine`)).length, 1);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("A shard larger than EARLY_FLUSH_BYTES is flushed while it arrives and reads back whole", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  const dataLength = 2 * EARLY_FLUSH_BYTES + 12_345;
  const data = await putPattern(worker, dataId, dataLength);
  const reader = await worker.client.getShard({
    dataId,
    shardIndex: 0,
    blockSizeBytes: BLOCK_SIZE_BYTES,
    dataLength,
  });
  let offset = 0;
  for (let block = await reader.readBlock(); block !== null; block = await reader.readBlock()) {
    assertEquals(block, data.subarray(offset, offset + block.length));
    offset += block.length;
  }
  assertEquals(offset, dataLength);
  assertEquals(await listFiles(`${worker.dataDir}/tmp`), []);
});
