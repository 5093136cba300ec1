import { assert, assertEquals } from "../tests/support/asserts.ts";
import { Logger, ManualClock } from "./core/mod.ts";
import { dataGcRecord, GarbageCollector } from "./gc.ts";
import {
  type CompositeManifestPage,
  type ErasureManifest,
  type GcRecord,
  type MetadataCatalog,
  metaKeys,
} from "./meta/mod.ts";
import { openTempCatalog, type TempCatalog } from "./meta/meta_test_support.ts";
import { Topology } from "./topology.ts";
import { startWorkerServer, type WorkerServer } from "./worker/mod.ts";
import { chunkedStream, encodeFrames, listFiles, patternBytes, randomDataId } from "./worker/test_support.ts";
import { WorkerPool } from "./worker_pool.ts";

const CLUSTER_SECRET = "gc-test-cluster-secret";
const WORKER_COUNT = 9;
const BLOCK_SIZE_BYTES = 16;
const SHARD_DATA_BYTES = 40;
const RETRY_DELAY_MS = 1000;
const START_MS = 1_700_000_000_000;

interface TestWorker {
  readonly id: string;
  readonly dataDir: string;
  port: number;
  server: WorkerServer | null;
}

/** 9 real workers (3 zones × 3) in temp dirs, a catalog on a real KV file, and a collector. */
interface GcCluster extends AsyncDisposable {
  readonly catalog: MetadataCatalog;
  readonly pool: WorkerPool;
  readonly clock: ManualClock;
  readonly workers: readonly TestWorker[];
  readonly gc: GarbageCollector;
  /** Stops worker `index`; its address then refuses connections. */
  stopWorker(index: number): Promise<void>;
  /** Starts worker `index` again on its old port and data directory. */
  restartWorker(index: number): Promise<void>;
}

const workerLogger = new Logger("gc-test-worker", "error");

async function startGcCluster(): Promise<GcCluster> {
  const rootDir = await Deno.makeTempDir({ prefix: "objstore_gc_test_" });
  let temp: TempCatalog | null = null;
  const workers: TestWorker[] = [];
  const dispose = async () => {
    await Promise.all(workers.map((w) => w.server?.shutdown()));
    await temp?.[Symbol.asyncDispose]();
    await Deno.remove(rootDir, { recursive: true }).catch(() => {});
  };
  try {
    for (let i = 0; i < WORKER_COUNT; i++) {
      const id = `z${Math.floor(i / 3) + 1}-w${(i % 3) + 1}`;
      workers.push({ id, dataDir: `${rootDir}/${id}`, port: 0, server: null });
    }
    const start = async (w: TestWorker) => {
      w.server = await startWorkerServer({
        hostname: "127.0.0.1",
        port: w.port,
        dataDir: w.dataDir,
        clusterSecret: CLUSTER_SECRET,
        workerId: w.id,
        logger: workerLogger,
      });
      w.port = w.server.port;
    };
    await Promise.all(workers.map(start));
    temp = await openTempCatalog();
    const topology = new Topology(workers.map((w, i) => ({
      id: w.id,
      url: `http://127.0.0.1:${w.port}`,
      region: "r1",
      zone: `zone-${Math.floor(i / 3) + 1}`,
      weight: 1,
    })));
    const pool = new WorkerPool({ topology, clusterSecret: CLUSTER_SECRET, requestTimeoutMs: 5000 });
    const clock = new ManualClock(START_MS);
    const catalog = temp.catalog;
    const gc = new GarbageCollector({
      catalog,
      pool,
      clock,
      logger: new Logger("gc-test", "error"),
      retryDelayMs: RETRY_DELAY_MS,
    });
    return {
      catalog,
      pool,
      clock,
      workers,
      gc,
      async stopWorker(index) {
        await workers[index].server?.shutdown();
        workers[index].server = null;
      },
      async restartWorker(index) {
        await start(workers[index]);
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Writes shard i of `dataId` to worker i for each index in `indexes`. */
async function putShards(
  cluster: GcCluster,
  dataId: string,
  indexes = [...Array(WORKER_COUNT).keys()],
): Promise<void> {
  await Promise.all(indexes.map(async (index) => {
    const frames = encodeFrames(patternBytes(SHARD_DATA_BYTES, index), BLOCK_SIZE_BYTES);
    await cluster.pool.client(cluster.workers[index].id)!.putShard({
      dataId,
      shardIndex: index,
      blockSizeBytes: BLOCK_SIZE_BYTES,
      dataLength: SHARD_DATA_BYTES,
      body: chunkedStream(frames, 4096),
    });
  }));
}

/** Which of the running workers still hold shard i of `dataId` (worker i for shard i). */
async function workersHoldingShards(cluster: GcCluster, dataId: string): Promise<string[]> {
  const holding: string[] = [];
  for (const [index, w] of cluster.workers.entries()) {
    if (w.server === null) continue;
    const info = await cluster.pool.client(w.id)!.headShard({ dataId, shardIndex: index });
    if (info !== null) holding.push(w.id);
  }
  return holding;
}

/** Every shard file left on the disks of all workers (running or not). */
async function shardFilesOnDisk(cluster: GcCluster): Promise<string[]> {
  const files: string[] = [];
  for (const w of cluster.workers) {
    files.push(...(await listFiles(`${w.dataDir}/shards`)).map((f) => `${w.id}/${f}`));
  }
  return files;
}

async function putGc(catalog: MetadataCatalog, record: GcRecord): Promise<void> {
  assert(await catalog.transaction().putGc(record).commit() !== null, "could not write the GC record");
}

const allWorkerIds = (cluster: GcCluster) => cluster.workers.map((w) => w.id);

Deno.test("GarbageCollector runOnce() deletes the shards named by a due record's workerIds", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await putShards(cluster, dataId);
  assertEquals(await workersHoldingShards(cluster, dataId), allWorkerIds(cluster));
  await putGc(cluster.catalog, dataGcRecord(dataId, "failed_write", START_MS, allWorkerIds(cluster)));
  assertEquals(await cluster.gc.runOnce(), 1);
  assertEquals(await workersHoldingShards(cluster, dataId), []);
  assertEquals(await shardFilesOnDisk(cluster), []);
});

Deno.test("GarbageCollector runOnce() deletes a completed record", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await putShards(cluster, dataId);
  await putGc(cluster.catalog, dataGcRecord(dataId, "failed_write", START_MS - 5, allWorkerIds(cluster)));
  await cluster.gc.runOnce();
  assertEquals(await cluster.catalog.listAllGc(100), []);
});

Deno.test("GarbageCollector runOnce() deletes only the shards of the record's data id", async () => {
  await using cluster = await startGcCluster();
  const doomed = randomDataId();
  const kept = randomDataId();
  await putShards(cluster, doomed);
  await putShards(cluster, kept);
  await putGc(cluster.catalog, dataGcRecord(doomed, "overwritten", START_MS, allWorkerIds(cluster)));
  await cluster.gc.runOnce();
  assertEquals(await workersHoldingShards(cluster, doomed), []);
  assertEquals(await workersHoldingShards(cluster, kept), allWorkerIds(cluster));
});

Deno.test("GarbageCollector runOnce() deletes the shards and manifest of an erasure-coded data id", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await putShards(cluster, dataId);
  const manifest: ErasureManifest = {
    v: 1,
    kind: "erasure",
    dataId,
    sizeBytes: 6 * SHARD_DATA_BYTES,
    dataShards: 6,
    parityShards: 3,
    blockSizeBytes: BLOCK_SIZE_BYTES,
    layoutEpoch: 1,
    shards: cluster.workers.map((w) => ({ workerId: w.id, checksum: 1 })),
  };
  await cluster.catalog.transaction().putErasureManifest(manifest).commit();
  await putGc(cluster.catalog, dataGcRecord(dataId, "deleted", START_MS));
  assertEquals(await cluster.gc.runOnce(), 1);
  assertEquals(await workersHoldingShards(cluster, dataId), []);
  assertEquals(await cluster.catalog.getErasureManifest(dataId), null);
  assertEquals(await cluster.catalog.listAllGc(100), []);
});

Deno.test("GarbageCollector runOnce() deletes the inline pages of a data id", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await cluster.catalog.transaction().putInline(dataId, patternBytes(100_000)).commit();
  assertEquals(await cluster.catalog.countInlinePages(dataId), 2);
  await putGc(cluster.catalog, dataGcRecord(dataId, "deleted", START_MS));
  assertEquals(await cluster.gc.runOnce(), 1);
  assertEquals(await cluster.catalog.countInlinePages(dataId), 0);
  assertEquals(await cluster.catalog.listAllGc(100), []);
});

Deno.test("GarbageCollector runOnce() deletes the recorded last read of a data id with its data", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await cluster.catalog.transaction().putInline(dataId, patternBytes(10))
    .putAccess(dataId, { v: 1, lastAccessMs: START_MS }).commit();
  await putGc(cluster.catalog, dataGcRecord(dataId, "deleted", START_MS));
  assertEquals(await cluster.gc.runOnce(), 1);
  assertEquals(await cluster.catalog.getAccessRecords([dataId]), [null]);
});

Deno.test("GarbageCollector runOnce() hands the parts of a composite data id to new due records", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  const partIds = [randomDataId(), randomDataId()];
  const page: CompositeManifestPage = {
    v: 1,
    kind: "composite",
    dataId,
    pageCount: 1,
    parts: partIds.map((partId, index) => ({
      partNumber: index + 1,
      dataId: partId,
      sizeBytes: 5,
      etag: "e",
    })),
  };
  await cluster.catalog.transaction().putCompositeManifest([page]).commit();
  await putGc(cluster.catalog, dataGcRecord(dataId, "deleted", START_MS));
  await cluster.gc.runOnce();
  assertEquals(await cluster.catalog.getCompositeManifest(dataId), null);
  const pending = await cluster.catalog.listAllGc(100);
  assertEquals(pending.map((r) => r.id).sort(), [...partIds].sort());
  assert(pending.every((r) => r.target === "data" && r.dueAtMs <= START_MS), JSON.stringify(pending));
});

Deno.test("GarbageCollector runOnce() deletes only the pages of a manifest record, never its parts' data", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  const pages: CompositeManifestPage[] = [0, 1].map((index) => ({
    v: 1,
    kind: "composite",
    dataId,
    pageCount: 2,
    parts: [{ partNumber: index + 1, dataId: randomDataId(), sizeBytes: 5, etag: "e" }],
  }));
  await cluster.catalog.transaction().putCompositeManifest(pages).commit();
  await putGc(cluster.catalog, {
    v: 1,
    target: "manifest",
    id: dataId,
    dueAtMs: START_MS,
    reason: "pending_write",
    workerIds: [],
    attempts: 0,
  });
  await cluster.gc.runOnce();
  assertEquals(await cluster.catalog.getCompositeManifest(dataId), null);
  assertEquals(await cluster.catalog.listAllGc(100), []);
});

Deno.test("GarbageCollector runOnce() completes a record whose shards were never written", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await putGc(cluster.catalog, dataGcRecord(dataId, "pending_write", START_MS, allWorkerIds(cluster)));
  assertEquals(await cluster.gc.runOnce(), 1);
  assertEquals(await cluster.catalog.listAllGc(100), []);
});

Deno.test("GarbageCollector runOnce() completes a record that names a worker no longer in the cluster", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await putShards(cluster, dataId, [0, 1]);
  await putGc(
    cluster.catalog,
    dataGcRecord(dataId, "failed_write", START_MS, [cluster.workers[0].id, "retired-worker"]),
  );
  assertEquals(await cluster.gc.runOnce(), 1);
  assertEquals(await cluster.catalog.listAllGc(100), []);
  assertEquals(await workersHoldingShards(cluster, dataId), [cluster.workers[1].id]);
});

Deno.test("GarbageCollector runOnce() leaves a record due in the future alone", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await putShards(cluster, dataId);
  const record = dataGcRecord(dataId, "overwritten", START_MS + 60_000, allWorkerIds(cluster));
  await putGc(cluster.catalog, record);
  assertEquals(await cluster.gc.runOnce(), 0);
  assertEquals(await cluster.catalog.listAllGc(100), [record]);
  assertEquals(await workersHoldingShards(cluster, dataId), allWorkerIds(cluster));
});

Deno.test("GarbageCollector runOnce() handles a record once the clock reaches its due time", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await putShards(cluster, dataId);
  await putGc(cluster.catalog, dataGcRecord(dataId, "overwritten", START_MS + 60_000, allWorkerIds(cluster)));
  cluster.clock.advance(60_000);
  assertEquals(await cluster.gc.runOnce(), 1);
  assertEquals(await workersHoldingShards(cluster, dataId), []);
});

Deno.test("GarbageCollector runOnce() keeps a record whose worker is down, claimed and due later", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await putShards(cluster, dataId);
  await cluster.stopWorker(4);
  await putGc(cluster.catalog, dataGcRecord(dataId, "failed_write", START_MS, allWorkerIds(cluster)));
  assertEquals(await cluster.gc.runOnce(), 0);
  const [claimed, ...rest] = await cluster.catalog.listAllGc(100);
  assertEquals(rest, []);
  assertEquals(claimed, {
    ...dataGcRecord(dataId, "failed_write", START_MS + RETRY_DELAY_MS, allWorkerIds(cluster)),
    attempts: 1,
  });
  assertEquals(await cluster.catalog.store.get(metaKeys.gc(START_MS, dataId)), null);
  const left = await shardFilesOnDisk(cluster);
  assertEquals(left.length, 1, `left on disk: ${left}`);
  assert(left[0].startsWith(`${cluster.workers[4].id}/`), `left on disk: ${left}`);
});

Deno.test("GarbageCollector runOnce() does not retry a claimed record before its new due time", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await cluster.stopWorker(0);
  await putGc(cluster.catalog, dataGcRecord(dataId, "failed_write", START_MS, allWorkerIds(cluster)));
  await cluster.gc.runOnce();
  cluster.clock.advance(RETRY_DELAY_MS - 1);
  assertEquals(await cluster.gc.runOnce(), 0);
  assertEquals((await cluster.catalog.listAllGc(100)).map((r) => r.attempts), [1]);
});

Deno.test("GarbageCollector runOnce() doubles the retry delay after each failed attempt", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await cluster.stopWorker(8);
  await putGc(cluster.catalog, dataGcRecord(dataId, "failed_write", START_MS, allWorkerIds(cluster)));
  const dueTimes: number[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    await cluster.gc.runOnce();
    const [record] = await cluster.catalog.listAllGc(100);
    assertEquals(record.attempts, attempt);
    dueTimes.push(record.dueAtMs - cluster.clock.nowMs());
    cluster.clock.advance(record.dueAtMs - cluster.clock.nowMs());
  }
  assertEquals(dueTimes, [RETRY_DELAY_MS, 2 * RETRY_DELAY_MS, 4 * RETRY_DELAY_MS]);
});

Deno.test("GarbageCollector runOnce() completes a claimed record once its worker is back", async () => {
  await using cluster = await startGcCluster();
  const dataId = randomDataId();
  await putShards(cluster, dataId);
  await cluster.stopWorker(2);
  await putGc(cluster.catalog, dataGcRecord(dataId, "failed_write", START_MS, allWorkerIds(cluster)));
  assertEquals(await cluster.gc.runOnce(), 0);
  await cluster.restartWorker(2);
  cluster.clock.advance(RETRY_DELAY_MS);
  assertEquals(await cluster.gc.runOnce(), 1);
  assertEquals(await cluster.catalog.listAllGc(100), []);
  assertEquals(await shardFilesOnDisk(cluster), []);
});

Deno.test("GarbageCollector runOnce() removes the parts of an upload and hands the unkept ones to GC", async () => {
  await using cluster = await startGcCluster();
  const uploadId = "upload-1";
  const partIds = [randomDataId(), randomDataId(), randomDataId()];
  const compositeId = randomDataId();
  const tx = cluster.catalog.transaction();
  partIds.forEach((partId, index) =>
    tx.putUploadPart({
      v: 1,
      uploadId,
      partNumber: index + 1,
      dataId: partId,
      sizeBytes: 5,
      etag: "e",
      lastModifiedMs: START_MS,
    })
  );
  tx.putCompositeManifest([{
    v: 1,
    kind: "composite",
    dataId: compositeId,
    pageCount: 1,
    parts: [{ partNumber: 2, dataId: partIds[1], sizeBytes: 5, etag: "e" }],
  }]);
  tx.putGc({
    v: 1,
    target: "upload",
    id: uploadId,
    dueAtMs: START_MS,
    reason: "completed_upload",
    workerIds: [],
    keepDataId: compositeId,
    attempts: 0,
  });
  await tx.commit();
  assertEquals(await cluster.gc.runOnce(), 1);
  assertEquals(await cluster.catalog.listUploadParts(uploadId, 0, 100), []);
  const pending = await cluster.catalog.listAllGc(100);
  assertEquals(pending.map((r) => r.id).sort(), [partIds[0], partIds[2]].sort());
  assert(pending.every((r) => r.reason === "aborted" && r.target === "data"), JSON.stringify(pending));
});
