import { assert, assertEquals, assertRejects } from "./test_assert.ts";
import { concatBytes, StoreError } from "../core/mod.ts";
import {
  LOCAL_READS_TOKEN_FILE,
  offerLocalReads,
  openTokenFile,
  parseLocalReadsAnnouncement,
  workerHoldsLock,
} from "./local_reads.ts";
import type { ShardBlockReader } from "./shard_frames.ts";
import { SHARD_HEADER_BYTES } from "./shard_header.ts";
import { shardFilePath } from "./shard_store.ts";
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
} from "./test_support.ts";

const BLOCK_SIZE_BYTES = 64;
const DATA_LENGTH = 64 * 10 + 17; // 11 blocks, the last one short

async function readAll(reader: ShardBlockReader): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  for (let block = await reader.readBlock(); block !== null; block = await reader.readBlock()) {
    blocks.push(block.slice());
  }
  return concatBytes(blocks);
}

/** A client of `worker` that reads its files directly once `health()` has proved they are shared. */
function localClient(worker: TestWorker, localReads = true): WorkerClient {
  return new WorkerClient({
    workerId: "w-test",
    baseUrl: worker.baseUrl,
    clusterSecret: TEST_SECRET,
    requestTimeoutMs: 5_000,
    localReads,
  });
}

async function putShard(worker: TestWorker, data: Uint8Array): Promise<string> {
  const dataId = randomDataId();
  await worker.client.putShard({
    dataId,
    shardIndex: 2,
    blockSizeBytes: BLOCK_SIZE_BYTES,
    dataLength: data.length,
    body: chunkedStream(encodeFrames(data, BLOCK_SIZE_BYTES), 4096),
  });
  return dataId;
}

function shardRead(dataId: string, extra: { firstBlock?: number; blockCount?: number } = {}) {
  return { dataId, shardIndex: 2, blockSizeBytes: BLOCK_SIZE_BYTES, dataLength: DATA_LENGTH, ...extra };
}

/** Flips one byte of block `block` in the worker's file of shard `dataId`.2. */
async function corruptBlock(dataDir: string, dataId: string, block: number): Promise<void> {
  const path = shardFilePath(dataDir, { dataId, shardIndex: 2 });
  const bytes = await Deno.readFile(path);
  bytes[SHARD_HEADER_BYTES + block * (BLOCK_SIZE_BYTES + 4) + 3] ^= 0xff;
  await Deno.writeFile(path, bytes);
}

Deno.test("offerLocalReads() writes a fresh locked token; openTokenFile() finds only that token, and the lock ends with the offer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "objstore_local_reads_" });
  try {
    await Deno.mkdir(`${dir}/tmp`);
    const first = await offerLocalReads(dir);
    assertEquals(first.announcement.dataDir, await Deno.realPath(dir));
    assertEquals(await Deno.readTextFile(`${dir}/${LOCAL_READS_TOKEN_FILE}`), first.announcement.token);
    const seen = await openTokenFile(first.announcement);
    assert(seen !== null);
    assert(await workerHoldsLock(seen), "the offer holds the lock");
    first[Symbol.dispose]();
    first[Symbol.dispose](); // a second dispose is harmless
    assert(!await workerHoldsLock(seen), "a closed offer (a stopped worker) holds no lock");
    assert(!await workerHoldsLock(seen), "and the probe did not keep the lock either");
    seen.close();

    using second = await offerLocalReads(dir);
    assert(second.announcement.token !== first.announcement.token, "every start writes a new token");
    assertEquals(await openTokenFile(first.announcement), null, "the old token no longer matches");
    assertEquals(await openTokenFile({ ...second.announcement, dataDir: `${dir}/elsewhere` }), null);
    assertEquals(await listFiles(`${dir}/tmp`), [], "the temp file was renamed into place");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseLocalReadsAnnouncement() accepts only an absolute directory and a 32-hex-digit token", () => {
  const token = "0123456789abcdef0123456789abcdef";
  assertEquals(parseLocalReadsAnnouncement({ dataDir: "/srv/w1", token }), { dataDir: "/srv/w1", token });
  for (
    const bad of [
      undefined,
      null,
      "x",
      { dataDir: "srv/w1", token },
      { dataDir: "/srv/w1\0", token },
      { dataDir: "/srv/w1", token: token.toUpperCase() },
      { dataDir: "/srv/w1", token: token.slice(1) },
      { dataDir: 7, token },
    ]
  ) {
    assertEquals(parseLocalReadsAnnouncement(bad), undefined, JSON.stringify(bad));
  }
});

Deno.test("WorkerClient reads a shard on this host from the file, whole and by ranges, while the worker runs", async () => {
  await using worker = await startTestWorker();
  const data = patternBytes(DATA_LENGTH, 3);
  const dataId = await putShard(worker, data);
  const announcement = (await worker.client.health()).localReads;
  assertEquals(announcement?.dataDir, await Deno.realPath(worker.dataDir));
  // A stand-in at another address answers health like the worker and refuses everything else: what it
  // serves can only have come from the file.
  await using standIn = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      new URL(request.url).pathname === "/v1/health"
        ? Response.json({ workerId: "w-test", ok: true, localReads: announcement })
        : new Response("not here", { status: 503 }),
  );
  const client = new WorkerClient({
    workerId: "w-test",
    baseUrl: `http://127.0.0.1:${standIn.addr.port}`,
    clusterSecret: TEST_SECRET,
    localReads: true,
  });
  assert(!client.readsLocally, "nothing is local before a health answer");
  await client.health();
  assert(client.readsLocally);
  assertEquals(await readAll(await client.getShard(shardRead(dataId))), data);
  for (const [firstBlock, blockCount] of [[0, 1], [3, 4], [10, 1], [9, 5]]) {
    const reader = await client.getShard(shardRead(dataId, { firstBlock, blockCount }));
    const end = Math.min(DATA_LENGTH, (firstBlock + blockCount) * BLOCK_SIZE_BYTES);
    assertEquals(
      await readAll(reader),
      data.slice(firstBlock * BLOCK_SIZE_BYTES, end),
      `${firstBlock}+${blockCount}`,
    );
  }
  // A file that is not there is asked of the (stand-in) worker.
  const missing = await assertRejects(() => client.getShard(shardRead(randomDataId())), StoreError);
  assertEquals(missing.kind, "unavailable");
  client.close();
  assert(!client.readsLocally);
});

Deno.test("WorkerClient stops reading a worker's files once the worker stops, and after a failed health check", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "objstore_local_reads_data_" });
  try {
    const data = patternBytes(DATA_LENGTH, 4);
    let dataId = "";
    let client: WorkerClient | undefined;
    {
      await using worker = await startTestWorker({ dataDir });
      dataId = await putShard(worker, data);
      client = localClient(worker);
      await client.health();
      assert(client.readsLocally);
      assertEquals(await readAll(await client.getShard(shardRead(dataId))), data);
    }
    // The worker is gone, its files are not: a read goes to the worker (and fails) as without local reads.
    const error = await assertRejects(() => client!.getShard(shardRead(dataId)), StoreError);
    assertEquals(error.kind, "unavailable");
    assert(!client.readsLocally, "the missing lock turned local reads off");
    await using again = await startTestWorker({ dataDir });
    const restarted = new WorkerClient({
      workerId: "w-test",
      baseUrl: again.baseUrl,
      clusterSecret: TEST_SECRET,
      localReads: true,
    });
    await restarted.health();
    assert(restarted.readsLocally, "a restarted worker offers local reads again");
    await again[Symbol.asyncDispose]();
    await assertRejects(() => restarted.health(), StoreError);
    assert(!restarted.readsLocally, "a failed health check turns them off");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("WorkerClient hands a corrupt local block to the worker, which quarantines the file and answers corrupt_block", async () => {
  await using worker = await startTestWorker();
  const data = patternBytes(DATA_LENGTH, 5);
  const dataId = await putShard(worker, data);
  const client = localClient(worker);
  await client.health();
  assert(client.readsLocally);
  await corruptBlock(worker.dataDir, dataId, 6);
  const reader = await client.getShard(shardRead(dataId));
  const good: Uint8Array[] = [];
  const error = await assertRejects(async () => {
    for (let block = await reader.readBlock(); block !== null; block = await reader.readBlock()) {
      good.push(block.slice());
    }
  }, StoreError);
  assertEquals(error.kind, "corrupt_block");
  assertEquals(concatBytes(good), data.slice(0, 6 * BLOCK_SIZE_BYTES), "every block before the bad one");
  const health = await client.health();
  assertEquals(
    health.quarantined?.map((entry) => entry.dataId),
    [dataId],
    "the worker saw it and quarantined it",
  );
  assertEquals((await listFiles(`${worker.dataDir}/quarantine`)).length, 1);
  const gone = await assertRejects(() => client.getShard(shardRead(dataId)), StoreError);
  assertEquals(gone.kind, "shard_not_found");
});

Deno.test("WorkerClient reads over the network when local reads are off, the token differs or the header disagrees", async () => {
  await using worker = await startTestWorker();
  const data = patternBytes(DATA_LENGTH, 7);
  const dataId = await putShard(worker, data);
  const off = localClient(worker, false);
  assert((await off.health()).localReads !== undefined, "the worker announces either way");
  assert(!off.readsLocally);
  assertEquals(await readAll(await off.getShard(shardRead(dataId))), data);

  const client = localClient(worker);
  await Deno.writeTextFile(`${worker.dataDir}/${LOCAL_READS_TOKEN_FILE}`, "0".repeat(32));
  await client.health();
  assert(!client.readsLocally, "a token other than the announced one means another filesystem");

  const fresh = localClient(worker);
  const announced = (await worker.client.health()).localReads!;
  await Deno.writeTextFile(`${worker.dataDir}/${LOCAL_READS_TOKEN_FILE}`, announced.token);
  await fresh.health();
  assert(fresh.readsLocally);
  // A block size other than the file's: the worker gives the authoritative refusal.
  const mismatch = await assertRejects(
    () => fresh.getShard({ ...shardRead(dataId), blockSizeBytes: 32 }),
    StoreError,
  );
  assertEquals(mismatch.kind, "corrupt_block");
  assertEquals(
    await listFiles(`${worker.dataDir}/quarantine`),
    [],
    "a mismatching request quarantines nothing",
  );
});
