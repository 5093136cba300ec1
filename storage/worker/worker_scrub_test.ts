import { assert, assertEquals, assertRejects } from "./test_assert.ts";
import { StoreError } from "../core/mod.ts";
import { SHARD_HEADER_BYTES } from "./shard_header.ts";
import {
  chunkedStream,
  encodeFrames,
  listFiles,
  patternBytes,
  randomDataId,
  startTestWorker,
  type TestWorker,
  waitFor,
} from "./test_support.ts";

const BLOCK_SIZE_BYTES = 16 * 1024;
const FRAME_BYTES = BLOCK_SIZE_BYTES + 4;

async function putShard(worker: TestWorker, dataLength: number): Promise<string> {
  const dataId = randomDataId();
  await worker.client.putShard({
    dataId,
    shardIndex: 2,
    blockSizeBytes: BLOCK_SIZE_BYTES,
    dataLength,
    body: chunkedStream(encodeFrames(patternBytes(dataLength), BLOCK_SIZE_BYTES), 64 * 1024),
  });
  return dataId;
}

function shardFile(worker: TestWorker, dataId: string): string {
  return `${worker.dataDir}/shards/${dataId.slice(0, 2)}/${dataId}.2`;
}

async function flipByte(path: string, offset: number): Promise<void> {
  using file = await Deno.open(path, { read: true, write: true });
  const one = new Uint8Array(1);
  await file.seek(offset, Deno.SeekMode.Start);
  await file.read(one);
  one[0] ^= 0x01;
  await file.seek(offset, Deno.SeekMode.Start);
  await file.write(one);
}

Deno.test("A worker's scrubber quarantines a shard with a flipped byte in block 7 and reports it", async () => {
  await using worker = await startTestWorker({
    scrubBytesPerSecond: 64 * 1024 * 1024,
    scrubPassIntervalMs: 20,
  });
  const good = await putShard(worker, 10 * BLOCK_SIZE_BYTES);
  const bad = await putShard(worker, 10 * BLOCK_SIZE_BYTES + 100);
  const original = await Deno.readFile(shardFile(worker, bad));
  await flipByte(shardFile(worker, bad), SHARD_HEADER_BYTES + 7 * FRAME_BYTES + 99);
  await waitFor(async () => (await worker.client.health()).quarantined?.length === 1);

  const health = await worker.client.health();
  assertEquals(health.quarantined?.map((entry) => [entry.dataId, entry.shardIndex]), [[bad, 2]]);
  assert(Math.abs((health.quarantined?.[0].atMs ?? 0) - Date.now()) < 60_000);
  assertEquals(health.quarantinedTotal, 1);
  assertEquals(health.scrub?.corruptShards, 1);
  assertEquals(health.scrub?.bytesPerSecond, 64 * 1024 * 1024);
  assert((health.scrub?.filesVerified ?? 0) >= 1);

  // Kept, byte for byte (with the flip), in quarantine/; never served again.
  const quarantined = await listFiles(`${worker.dataDir}/quarantine`);
  assertEquals(quarantined.length, 1);
  assert(quarantined[0].startsWith(`${bad}.2.`), quarantined[0]);
  const kept = await Deno.readFile(`${worker.dataDir}/quarantine/${quarantined[0]}`);
  assertEquals(kept.length, original.length);
  assertEquals(kept.filter((byte, index) => byte !== original[index]).length, 1);
  assertEquals(await worker.client.headShard({ dataId: bad, shardIndex: 2 }), null);
  const error = await assertRejects(
    () =>
      worker.client.getShard({
        dataId: bad,
        shardIndex: 2,
        blockSizeBytes: BLOCK_SIZE_BYTES,
        dataLength: 10 * BLOCK_SIZE_BYTES + 100,
      }),
    StoreError,
  );
  assertEquals(error.kind, "shard_not_found");
  assert((await worker.client.headShard({ dataId: good, shardIndex: 2 })) !== null);
});

Deno.test("A shard a GET finds corrupt is listed in the health check too", async () => {
  await using worker = await startTestWorker();
  const dataId = await putShard(worker, 3 * BLOCK_SIZE_BYTES);
  await flipByte(shardFile(worker, dataId), SHARD_HEADER_BYTES + 5);
  assertEquals((await worker.client.health()).quarantined, []);
  const request = {
    dataId,
    shardIndex: 2,
    blockSizeBytes: BLOCK_SIZE_BYTES,
    dataLength: 3 * BLOCK_SIZE_BYTES,
  };
  await assertRejects(() => worker.client.getShard(request), StoreError, "Block 0");
  const health = await worker.client.health();
  assertEquals(health.quarantined?.map((entry) => [entry.dataId, entry.shardIndex]), [[dataId, 2]]);
  assertEquals(health.quarantinedTotal, 1);
  assertEquals(health.scrub?.corruptShards, 0);
});

Deno.test("A worker with a scrub rate of 0 reads nothing in the background", async () => {
  await using worker = await startTestWorker({ scrubBytesPerSecond: 0, scrubPassIntervalMs: 1 });
  const dataId = await putShard(worker, 3 * BLOCK_SIZE_BYTES);
  await flipByte(shardFile(worker, dataId), SHARD_HEADER_BYTES + 2 * FRAME_BYTES);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const health = await worker.client.health();
  assertEquals(health.scrub, {
    bytesPerSecond: 0,
    passesCompleted: 0,
    filesVerified: 0,
    bytesVerified: 0,
    corruptShards: 0,
    readErrors: 0,
  });
  assertEquals(health.quarantined, []);
  assertEquals((await Deno.stat(shardFile(worker, dataId))).isFile, true);
});

Deno.test("Worker shutdown stops a scrubber that waits on its pace, and waits for it", async () => {
  const worker = await startTestWorker({ scrubBytesPerSecond: 1024, scrubPassIntervalMs: 1 });
  try {
    // Two shards of 48 KiB: after the first, the next read is due in about 48 s.
    await putShard(worker, 3 * BLOCK_SIZE_BYTES);
    await putShard(worker, 3 * BLOCK_SIZE_BYTES);
    await waitFor(async () => (await worker.client.health()).scrub?.filesVerified === 1, 20_000);
  } finally {
    // A guard against a hang only: the pace alone would hold the scrubber for about 48 s.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const stopped = await Promise.race([
      worker[Symbol.asyncDispose]().then(() => true),
      new Promise<boolean>((resolve) => guard = setTimeout(() => resolve(false), 30_000)),
    ]);
    clearTimeout(guard);
    assert(stopped, "shutdown did not finish within 30 s");
  }
});
