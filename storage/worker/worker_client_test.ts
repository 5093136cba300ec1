import { assert, assertEquals, assertRejects } from "./test_assert.ts";
import { concatBytes, crc32, StoreError } from "../core/mod.ts";
import type { ShardBlockReader } from "./shard_frames.ts";
import { WorkerClient } from "./worker_client.ts";
import {
  chunkedStream,
  encodeFrames,
  listFiles,
  patternBytes,
  randomDataId,
  startTestWorker,
  TEST_SECRET,
  type TestWorker,
  waitFor,
} from "./test_support.ts";

const BLOCK_SIZE_BYTES = 16;

async function readData(reader: ShardBlockReader): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  for (let block = await reader.readBlock(); block !== null; block = await reader.readBlock()) {
    blocks.push(block);
  }
  return concatBytes(blocks);
}

/** CRC32 over the concatenated big-endian block checksums, as the worker reports it. */
function shardChecksum(frames: Uint8Array, dataLength: number, blockSizeBytes: number): number {
  let checksum = 0;
  let offset = 0;
  for (let remaining = dataLength; remaining > 0; remaining -= blockSizeBytes) {
    offset += Math.min(blockSizeBytes, remaining);
    checksum = crc32(frames.subarray(offset, offset + 4), checksum);
    offset += 4;
  }
  return checksum;
}

async function put(
  client: WorkerClient,
  dataId: string,
  data: Uint8Array,
  blockSizeBytes = BLOCK_SIZE_BYTES,
) {
  const frames = encodeFrames(data, blockSizeBytes);
  const result = await client.putShard({
    dataId,
    shardIndex: 1,
    blockSizeBytes,
    dataLength: data.length,
    body: chunkedStream(frames, 4096),
  });
  assertEquals(result.checksum, shardChecksum(frames, data.length, blockSizeBytes));
  return result;
}

/** The worker's client (small shards through `fetch`) and one that moves every shard over sockets of its own. */
function bothTransports(worker: TestWorker): [string, WorkerClient][] {
  const socket = new WorkerClient({
    workerId: "w-test",
    baseUrl: worker.baseUrl,
    clusterSecret: TEST_SECRET,
    socketUploadMinBytes: 0,
    socketDownloadMinBytes: 0,
  });
  return [["fetch", worker.client], ["socket", socket]];
}

Deno.test("WorkerClient round-trips shards of 0, 1, blockSize-1, blockSize, blockSize+1 and many blocks", async () => {
  await using worker = await startTestWorker();
  for (const [path, client] of bothTransports(worker)) {
    for (const length of [0, 1, 15, 16, 17, 16 * 9 + 5]) {
      const dataId = randomDataId();
      const data = patternBytes(length, length);
      const { blocks } = await put(client, dataId, data);
      assertEquals(blocks, Math.ceil(length / BLOCK_SIZE_BYTES));
      const reader = await client.getShard({
        dataId,
        shardIndex: 1,
        blockSizeBytes: BLOCK_SIZE_BYTES,
        dataLength: length,
      });
      assertEquals(await readData(reader), data, `${length} bytes through ${path}`);
    }
  }
});

Deno.test("WorkerClient round-trips a shard larger than one disk read chunk", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  const blockSizeBytes = 64 * 1024;
  const data = patternBytes(3 * 1024 * 1024 + 12_345);
  await put(worker.client, dataId, data, blockSizeBytes);
  const reader = await worker.client.getShard({
    dataId,
    shardIndex: 1,
    blockSizeBytes,
    dataLength: data.length,
  });
  assertEquals(await readData(reader), data);
});

Deno.test("WorkerClient.getShard() reads a range of blocks and clamps the count at the end", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  const data = patternBytes(16 * 5 + 3);
  await put(worker.client, dataId, data);
  for (const [path, client] of bothTransports(worker)) {
    const read = async (firstBlock: number, blockCount?: number) =>
      await readData(
        await client.getShard({
          dataId,
          shardIndex: 1,
          blockSizeBytes: BLOCK_SIZE_BYTES,
          dataLength: data.length,
          firstBlock,
          blockCount,
        }),
      );
    assertEquals(await read(1, 2), data.subarray(16, 48), path);
    assertEquals(await read(4, 10), data.subarray(64), path);
    assertEquals(await read(5), data.subarray(80), path);
    const error = await assertRejects(() => read(6), StoreError, "416");
    assertEquals(error.kind, "invalid_argument");
  }
});

Deno.test("WorkerClient.getShard() throws shard_not_found and headShard() returns null for a missing shard", async () => {
  await using worker = await startTestWorker();
  for (const [path, client] of bothTransports(worker)) {
    const request = { dataId: randomDataId(), shardIndex: 0, blockSizeBytes: 16, dataLength: 10 };
    const error = await assertRejects(() => client.getShard(request), StoreError);
    assertEquals(error.kind, "shard_not_found", path);
    assertEquals(await client.headShard(request), null);
  }
});

Deno.test("WorkerClient.headShard() reports the stored block size, data length and block count", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  await put(worker.client, dataId, patternBytes(40));
  assertEquals(await worker.client.headShard({ dataId, shardIndex: 1 }), {
    blockSizeBytes: 16,
    dataLength: 40,
    blocks: 3,
  });
});

Deno.test("WorkerClient.deleteShard() removes a shard and succeeds again when it is gone", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  await put(worker.client, dataId, patternBytes(40));
  await worker.client.deleteShard({ dataId, shardIndex: 1 });
  await worker.client.deleteShard({ dataId, shardIndex: 1 });
  assertEquals(await worker.client.headShard({ dataId, shardIndex: 1 }), null);
  assertEquals((await listFiles(worker.dataDir)).filter((path) => path.startsWith("shards/")), []);
});

Deno.test("WorkerClient.putShard() over an existing shard replaces it", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  await put(worker.client, dataId, patternBytes(100, 1));
  const replacement = patternBytes(20, 2);
  await put(worker.client, dataId, replacement, 8);
  const reader = await worker.client.getShard({ dataId, shardIndex: 1, blockSizeBytes: 8, dataLength: 20 });
  assertEquals(await readData(reader), replacement);
});

Deno.test("WorkerClient.getShard() throws corrupt_block when the stored shard differs from the manifest", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  await put(worker.client, dataId, patternBytes(40));
  for (const [path, client] of bothTransports(worker)) {
    for (const [blockSizeBytes, dataLength] of [[8, 40], [16, 41]]) {
      const request = { dataId, shardIndex: 1, blockSizeBytes, dataLength };
      const error = await assertRejects(() => client.getShard(request), StoreError);
      assertEquals(error.kind, "corrupt_block", path);
    }
  }
});

Deno.test("WorkerClient.putShard() rethrows a failure of its body source and leaves no file", async () => {
  await using worker = await startTestWorker();
  for (const [path, client] of bothTransports(worker)) {
    const sourceError = new StoreError("incomplete_body", `the S3 client went away (${path})`);
    const frames = encodeFrames(patternBytes(64), 16);
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(sourceError);
        else controller.enqueue(frames.subarray(0, 30));
        sent = true;
      },
    });
    const request = { dataId: randomDataId(), shardIndex: 2, blockSizeBytes: 16, dataLength: 64, body };
    const error = await assertRejects(() => client.putShard(request), StoreError);
    assertEquals(error, sourceError);
    await waitFor(async () => (await listFiles(worker.dataDir)).length === 0);
  }
});

Deno.test("WorkerClient.putShard() maps a refused block to corrupt_block and stops reading its source", async () => {
  await using worker = await startTestWorker();
  // A 1 GiB shard of zero bytes, produced lazily: block 0 already fails its checksum (the CRC32 of
  // 16 zero bytes is not 0), so the worker answers long before the source could end.
  const dataLength = 1024 ** 3;
  const frameBytes = dataLength / 16 * 20;
  let sentBytes = 0;
  const { promise: cancelled, resolve: onCancel } = Promise.withResolvers<unknown>();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(64 * 1024));
      sentBytes += 64 * 1024;
    },
    cancel: onCancel,
  }, { highWaterMark: 0 });
  const request = { dataId: randomDataId(), shardIndex: 0, blockSizeBytes: 16, dataLength, body };
  const error = await assertRejects(() => worker.client.putShard(request), StoreError, "Block 0");
  assertEquals(error.kind, "corrupt_block");
  assertEquals(await cancelled, error);
  assert(sentBytes < frameBytes, `sent ${sentBytes} of ${frameBytes} bytes`);
  await waitFor(async () => (await listFiles(worker.dataDir)).length === 0);
});

Deno.test("WorkerClient.health() returns the worker id and refuses a worker with another id", async () => {
  await using worker = await startTestWorker();
  const health = await worker.client.health();
  assertEquals([health.workerId, health.ok, health.quarantined], ["w-test", true, []]);
  const other = new WorkerClient({
    workerId: "w-other",
    baseUrl: worker.baseUrl,
    clusterSecret: TEST_SECRET,
  });
  const error = await assertRejects(() => other.health(), StoreError, "expected w-other");
  assertEquals(error.kind, "unavailable");
});

Deno.test("WorkerClient.health() accepts an older worker's answer and drops malformed scrub fields", async () => {
  let answer: unknown = { workerId: "w-old", ok: true };
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json(answer),
  );
  const client = new WorkerClient({
    workerId: "w-old",
    baseUrl: `http://127.0.0.1:${server.addr.port}`,
    clusterSecret: TEST_SECRET,
  });
  assertEquals(await client.health(), {
    workerId: "w-old",
    ok: true,
    scrub: undefined,
    quarantined: [],
    quarantinedTotal: undefined,
    localReads: undefined,
  });
  const dataId = "0123456789abcdef0123456789abcdef";
  answer = {
    workerId: "w-old",
    ok: true,
    scrub: { bytesPerSecond: 1, passesCompleted: -1 },
    quarantined: [
      { dataId, shardIndex: 3, atMs: 5 },
      { dataId: "../etc", shardIndex: 3, atMs: 5 },
      { dataId, shardIndex: 256, atMs: 5 },
      { dataId, shardIndex: "3", atMs: 5 },
      { dataId, shardIndex: 1 },
      null,
    ],
    quarantinedTotal: "many",
  };
  const health = await client.health();
  assertEquals(health.quarantined, [{ dataId, shardIndex: 3, atMs: 5 }]);
  assertEquals([health.scrub, health.quarantinedTotal], [undefined, undefined]);
});

Deno.test("WorkerClient maps a wrong cluster secret to unauthorized", async () => {
  await using worker = await startTestWorker();
  const client = new WorkerClient({ workerId: "w-test", baseUrl: worker.baseUrl, clusterSecret: "wrong" });
  const error = await assertRejects(() => client.health(), StoreError, "403");
  assertEquals(error.kind, "unauthorized");
  const overSockets = new WorkerClient({
    workerId: "w-test",
    baseUrl: worker.baseUrl,
    clusterSecret: "wrong",
    socketUploadMinBytes: 0,
    socketDownloadMinBytes: 0,
  });
  const dataId = randomDataId();
  await put(worker.client, dataId, patternBytes(40));
  const read = { dataId, shardIndex: 1, blockSizeBytes: 16, dataLength: 40 };
  assertEquals(
    (await assertRejects(() => overSockets.getShard(read), StoreError, "403")).kind,
    "unauthorized",
  );
  const frames = encodeFrames(patternBytes(40), 16);
  const write = { ...read, body: chunkedStream(frames, 4096) };
  assertEquals(
    (await assertRejects(() => overSockets.putShard(write), StoreError, "403")).kind,
    "unauthorized",
  );
});

Deno.test("WorkerClient maps a refused connection to unavailable", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const client = new WorkerClient({ workerId: "w", baseUrl: `http://127.0.0.1:${port}`, clusterSecret: "x" });
  const error = await assertRejects(() => client.health(), StoreError);
  assertEquals(error.kind, "unavailable");
});

Deno.test("WorkerClient gives up with unavailable when a worker does not answer within requestTimeoutMs", async () => {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    await released;
    return new Response("late");
  });
  try {
    const client = new WorkerClient({
      workerId: "w",
      baseUrl: `http://127.0.0.1:${server.addr.port}`,
      clusterSecret: "x",
      requestTimeoutMs: 100,
    });
    const error = await assertRejects(() => client.health(), StoreError, "waited more than 100 ms");
    assertEquals(error.kind, "unavailable");
  } finally {
    release();
    await server.shutdown();
  }
});

Deno.test("WorkerClient lists shards in name order, page by page, with their modification times", async () => {
  await using worker = await startTestWorker();
  const client = worker.client;
  const dataIds = Array.from({ length: 7 }, () => randomDataId());
  const before = Date.now() - 1000;
  for (const dataId of dataIds) await put(client, dataId, patternBytes(40, 3));
  const listed: string[] = [];
  let after = "";
  let pages = 0;
  for (;;) {
    const page = await client.listShards(after, 3);
    pages++;
    for (const shard of page.shards) {
      listed.push(`${shard.dataId}.${shard.shardIndex}`);
      assert(shard.modifiedMs >= before && shard.modifiedMs <= Date.now() + 1000, String(shard.modifiedMs));
    }
    if (page.next === null) break;
    after = page.next;
  }
  assertEquals(listed, dataIds.map((id) => `${id}.1`).sort());
  assertEquals(pages, 3);
  assertEquals((await client.listShards(listed[listed.length - 1], 3)).shards, []);
});

Deno.test("WorkerClient.deleteShard with unmodifiedSinceMs keeps a copy written later", async () => {
  await using worker = await startTestWorker();
  const client = worker.client;
  const dataId = randomDataId();
  await put(client, dataId, patternBytes(40, 1));
  const [listed] = (await client.listShards("", 10)).shards;
  const error = await assertRejects(
    () => client.deleteShard({ dataId, shardIndex: 1, unmodifiedSinceMs: listed.modifiedMs - 1 }),
    StoreError,
  );
  assertEquals(error.kind, "precondition_failed");
  assertEquals((await client.listShards("", 10)).shards.length, 1, "the newer copy is kept");
  await client.deleteShard({ dataId, shardIndex: 1, unmodifiedSinceMs: listed.modifiedMs });
  assertEquals((await client.listShards("", 10)).shards, []);
  // Absent already: nothing to keep, nothing to fail.
  await client.deleteShard({ dataId, shardIndex: 1, unmodifiedSinceMs: listed.modifiedMs });
});
