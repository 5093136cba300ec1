/**
 * Shard repair through real processes: a shard a write left behind (its worker was down), a shard file lost
 * from a disk (found by a degraded read), and a shard whose worker is gone for good (rebuilt on a spare
 * worker of the pool) are each rebuilt, and then proven by reading the object with three other workers
 * stopped, so that the rebuilt shard is one of the six the read needs.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { type TestCluster, TestCluster as Cluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { assert, assertEquals, randomBytes } from "../support/asserts.ts";
import { quarantinedFiles, shardFiles, waitFor } from "../support/shard_files.ts";

const REPAIR_ENV = { OBJSTORE_REPAIR_INTERVAL_MS: "200", OBJSTORE_GC_GRACE_MS: "600000" };

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

async function getBytes(s3: S3Client, key: string): Promise<Uint8Array> {
  const got = await s3.send(new GetObjectCommand({ Bucket: "heal", Key: key }));
  return await got.Body!.transformToByteArray();
}

/** The worker id whose data dir holds `path`. */
function workerOf(cluster: TestCluster, path: string): string {
  const id = cluster.workerIds.find((candidate) => path.startsWith(cluster.workerDir(candidate) + "/"));
  assert(id !== undefined, `no worker holds ${path}`);
  return id;
}

/** Reads `key` with three workers other than `keep` stopped, then starts them again. */
async function readWithThreeDown(cluster: TestCluster, s3: S3Client, key: string, keep: readonly string[]) {
  const holders = [
    ...new Set(
      (await shardFiles(cluster.workerIds.map((id) => cluster.workerDir(id)))).map((path) =>
        workerOf(cluster, path)
      ),
    ),
  ];
  const stop = holders.filter((id) => !keep.includes(id)).slice(0, 3);
  assertEquals(stop.length, 3);
  for (const id of stop) await cluster.stopWorker(id);
  try {
    return await getBytes(s3, key);
  } finally {
    for (const id of stop) await cluster.startWorker(id);
  }
}

Deno.test("missing and corrupt shards are rebuilt where they belong", async (t) => {
  // 9 workers for 6+3: every worker holds one shard of every object.
  await using cluster = await Cluster.start({ gatewayEnv: REPAIR_ENV });
  const s3 = cluster.client();
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  await s3.send(new CreateBucketCommand({ Bucket: "heal" }));

  await t.step("a shard a write could not store is rebuilt once its worker is back", async () => {
    const body = randomBytes(2_000_000);
    const down = "z1-w1";
    await cluster.stopWorker(down);
    await s3.send(new PutObjectCommand({ Bucket: "heal", Key: "written", Body: body }));
    assertEquals((await shardFiles(dirs)).length, 8, "the write reached its quorum without one shard");
    await cluster.startWorker(down);
    await waitFor(async () => (await shardFiles(dirs)).length === 9, 20_000, "the missing shard is rebuilt");
    const metrics = await scrapeMetrics(cluster.endpoint);
    assert((metrics.get("objstore_repair_shards_rebuilt_total") ?? 0) >= 1, "the rebuild is counted");
    assertEquals(md5(await readWithThreeDown(cluster, s3, "written", [down])), md5(body));
  });

  await t.step("a shard file lost from a disk is found by a read and rebuilt", async () => {
    const body = randomBytes(1_500_000);
    const before = new Set(await shardFiles(dirs));
    await s3.send(new PutObjectCommand({ Bucket: "heal", Key: "lost", Body: body }));
    const mine = (await shardFiles(dirs)).filter((path) => !before.has(path));
    assertEquals(mine.length, 9);
    const victim = mine.find((path) => path.endsWith(".2"))!;
    await Deno.remove(victim);
    assertEquals(md5(await getBytes(s3, "lost")), md5(body), "a degraded read still serves the object");
    await waitFor(
      async () => {
        try {
          await Deno.stat(victim);
          return true;
        } catch {
          return false;
        }
      },
      20_000,
      "the lost shard file is rebuilt",
    );
    assertEquals(md5(await readWithThreeDown(cluster, s3, "lost", [workerOf(cluster, victim)])), md5(body));
  });

  s3.destroy();
});

Deno.test("a shard whose worker is gone is rebuilt on a spare worker, keeping the zone rule", async () => {
  // 12 workers for 6+3: three spares hold no shard of a given object.
  await using cluster = await Cluster.start({ gatewayEnv: REPAIR_ENV, zones: 3, workersPerZone: 4 });
  const s3 = cluster.client();
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  await s3.send(new CreateBucketCommand({ Bucket: "heal" }));
  {
    const body = randomBytes(1_200_000);
    const before = new Set(await shardFiles(dirs));
    await s3.send(new PutObjectCommand({ Bucket: "heal", Key: "moved", Body: body }));
    const mine = (await shardFiles(dirs)).filter((path) => !before.has(path));
    const holders = new Set(mine.map((path) => workerOf(cluster, path)));
    // A data shard's worker, so that the next read misses it (a read fetches parity only when it must).
    const gone = workerOf(cluster, mine.find((path) => path.endsWith(".0"))!);
    await cluster.stopWorker(gone);
    assertEquals(md5(await getBytes(s3, "moved")), md5(body), "a degraded read queues the repair");
    let spare = "";
    await waitFor(
      async () => {
        const now = (await shardFiles(dirs)).filter((path) => !before.has(path));
        const newHolder = now.map((path) => workerOf(cluster, path)).find((id) => !holders.has(id));
        spare = newHolder ?? "";
        return newHolder !== undefined;
      },
      20_000,
      "the shard is rebuilt on a worker that held none of this object",
    );
    const zoneCounts = new Map<string, number>();
    for (const id of [...holders].filter((id) => id !== gone).concat(spare)) {
      const zone = id.slice(0, id.indexOf("-"));
      zoneCounts.set(zone, (zoneCounts.get(zone) ?? 0) + 1);
    }
    assert(
      [...zoneCounts.values()].every((count) => count <= 3),
      `at most 3 shards per zone: ${[...zoneCounts]}`,
    );
    // With its old worker still gone, three more holders down: the read needs the rebuilt shard.
    const others = [...holders].filter((id) => id !== gone).slice(0, 3);
    for (const id of others) await cluster.stopWorker(id);
    try {
      assertEquals(md5(await getBytes(s3, "moved")), md5(body));
    } finally {
      for (const id of others) await cluster.startWorker(id);
      await cluster.startWorker(gone);
    }
  }
  s3.destroy();
});

Deno.test("the auditor refills a wiped disk and scrubbing finds a corrupt shard", async () => {
  await using cluster = await Cluster.start({
    gatewayEnv: {
      ...REPAIR_ENV,
      OBJSTORE_AUDIT_INTERVAL_MS: "200",
      OBJSTORE_SCRUB_BYTES_PER_ROUND: "1000000000",
    },
  });
  const s3 = cluster.client();
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  await s3.send(new CreateBucketCommand({ Bucket: "heal" }));
  const bodies = [randomBytes(700_000), randomBytes(800_000), randomBytes(900_000)];
  for (const [index, body] of bodies.entries()) {
    await s3.send(new PutObjectCommand({ Bucket: "heal", Key: `o${index}`, Body: body }));
  }
  assertEquals((await shardFiles(dirs)).length, 27);

  // A replaced drive: the worker comes back empty, and nothing reads the objects meanwhile.
  const wiped = "z2-w2";
  await cluster.stopWorker(wiped);
  await Deno.remove(cluster.workerDir(wiped), { recursive: true });
  await cluster.startWorker(wiped);
  await waitFor(async () => (await shardFiles(dirs)).length === 27, 20_000, "the wiped worker is refilled");
  const refilled = (await shardFiles([cluster.workerDir(wiped)])).length;
  assertEquals(refilled, 3, "one shard of each object back on the wiped worker");

  // A flipped byte in a block of another worker's shard: scrubbing reads it, the worker quarantines it.
  const victim = (await shardFiles(dirs)).find((path) => !path.startsWith(cluster.workerDir(wiped)))!;
  const bytes = await Deno.readFile(victim);
  bytes[200] ^= 0xff;
  await Deno.writeFile(victim, bytes);
  await waitFor(
    async () => {
      const metrics = await scrapeMetrics(cluster.endpoint);
      return (metrics.get("objstore_scrub_corrupt_shards_total") ?? 0) >= 1 &&
        (await shardFiles(dirs)).length === 27 &&
        !(await Deno.readFile(victim).catch(() => bytes)).every((byte, i) => byte === bytes[i]);
    },
    20_000,
    "the corrupt shard is found and rebuilt",
  );
  // Every queued repair done: a round has started with an empty queue.
  await waitFor(
    async () => (await scrapeMetrics(cluster.endpoint)).get("objstore_repair_queue_depth") === 0,
    20_000,
    "the repair queue drains",
  );
  for (const [index, body] of bodies.entries()) {
    assertEquals(
      md5(await readWithThreeDown(cluster, s3, `o${index}`, [wiped, workerOf(cluster, victim)])),
      md5(body),
    );
  }
  s3.destroy();
});

/** 4 workers per zone (spares for every object) whose shards move after 500 ms down; no gateway scrubbing. */
function startWithSpares(extraEnv: Record<string, string> = {}): Promise<TestCluster> {
  return Cluster.start({
    zones: 3,
    workersPerZone: 4,
    gatewayEnv: {
      ...REPAIR_ENV,
      OBJSTORE_HEALTH_INTERVAL_MS: "100",
      OBJSTORE_WORKER_DOWN_AFTER_MS: "500",
      OBJSTORE_AUDIT_INTERVAL_MS: "200",
      OBJSTORE_SCRUB_BYTES_PER_ROUND: "0",
      ...extraEnv,
    },
  });
}

Deno.test("a worker down longer than the setting has its shards rebuilt elsewhere without any read", async () => {
  await using cluster = await startWithSpares();
  const s3 = cluster.client();
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  await s3.send(new CreateBucketCommand({ Bucket: "heal" }));
  const body = randomBytes(1_000_000);
  await s3.send(new PutObjectCommand({ Bucket: "heal", Key: "idle", Body: body }));
  const holders = new Set((await shardFiles(dirs)).map((path) => workerOf(cluster, path)));
  const gone = [...holders][4];
  await cluster.stopWorker(gone);
  await waitFor(
    async () => {
      const now = new Set((await shardFiles(dirs)).map((path) => workerOf(cluster, path)));
      return [...now].some((id) => !holders.has(id));
    },
    20_000,
    "the down worker's shard is rebuilt on a spare",
  );
  const admin = await cluster.admin("health");
  const text = admin.stdout;
  assertEquals(admin.code, 0, admin.stderr);
  assert(
    text.includes("workers: 11 of 12 up") && text.includes(`${gone} (`) && text.includes("down for"),
    text,
  );
  assert(/repair: \d+ data ids queued, [1-9]\d* shards rebuilt/.test(text), text);
  await cluster.startWorker(gone);
  s3.destroy();
});

Deno.test("with a zone down writes still store k + m shards, and the zone rule comes back with the zone", async () => {
  await using cluster = await Cluster.start({
    gatewayEnv: {
      ...REPAIR_ENV,
      OBJSTORE_HEALTH_INTERVAL_MS: "100",
      OBJSTORE_AUDIT_INTERVAL_MS: "200",
      OBJSTORE_SCRUB_BYTES_PER_ROUND: "0",
    },
  });
  const s3 = cluster.client();
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  await s3.send(new CreateBucketCommand({ Bucket: "heal" }));
  const zone3 = cluster.workerIds.filter((id) => id.startsWith("z3-"));
  for (const id of zone3) await cluster.stopWorker(id);
  await waitFor(
    async () => (await scrapeMetrics(cluster.endpoint)).get("objstore_workers_down") === 3,
    10_000,
    "the heartbeat sees the zone down",
  );
  const body = randomBytes(1_000_000);
  await s3.send(new PutObjectCommand({ Bucket: "heal", Key: "zone-down", Body: body }));
  const files = await shardFiles(dirs);
  assertEquals(files.length, 9, "all k + m shards are written");
  const holders = new Set(files.map((path) => workerOf(cluster, path)));
  assertEquals(holders.size, 6, "on the six workers that answer, some holding two");
  assertEquals(md5(await getBytes(s3, "zone-down")), md5(body));
  for (const id of zone3) await cluster.startWorker(id);
  await waitFor(
    async () => {
      const now = await shardFiles(dirs);
      return now.length === 9 && new Set(now.map((path) => workerOf(cluster, path))).size === 9;
    },
    20_000,
    "re-placement gives every worker one shard again",
  );
  assertEquals(md5(await readWithThreeDown(cluster, s3, "zone-down", [])), md5(body));
  s3.destroy();
});

Deno.test("a worker's own scrubber quarantines a corrupt shard and the gateway rebuilds it from the heartbeat", async () => {
  await using cluster = await Cluster.start({
    gatewayEnv: {
      ...REPAIR_ENV,
      OBJSTORE_HEALTH_INTERVAL_MS: "100",
      // No gateway-side scrubbing and no audit round: only the worker's scrubber can find the damage.
      OBJSTORE_SCRUB_BYTES_PER_ROUND: "0",
      OBJSTORE_AUDIT_INTERVAL_MS: "3600000",
    },
  });
  const s3 = cluster.client();
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  await s3.send(new CreateBucketCommand({ Bucket: "heal" }));
  const body = randomBytes(3_000_000);
  await s3.send(new PutObjectCommand({ Bucket: "heal", Key: "scrubbed", Body: body }));
  const victim = (await shardFiles(dirs))[0];
  const holder = workerOf(cluster, victim);
  await cluster.stopWorker(holder);
  const bytes = await Deno.readFile(victim);
  bytes[Math.floor(bytes.length / 2)] ^= 0x40; // a block in the middle, not the header
  await Deno.writeFile(victim, bytes);
  await cluster.startWorker(holder); // its scrubber starts a pass at once
  await waitFor(
    async () => {
      const metrics = await scrapeMetrics(cluster.endpoint);
      return (await quarantinedFiles([cluster.workerDir(holder)])).length === 1 &&
        (await shardFiles(dirs)).length === 9 &&
        metrics.get("objstore_repair_queue_depth") === 0 &&
        (metrics.get("objstore_repair_shards_rebuilt_total") ?? 0) >= 1;
    },
    30_000,
    "the worker quarantines the shard, reports it, and the gateway rebuilds it",
  );
  const metrics = await scrapeMetrics(cluster.endpoint);
  assertEquals(metrics.get("objstore_quarantined_shards_reported_total"), 1);
  // Rebuilt once: the same shard on the same worker is a successful repair, not one still to do.
  assertEquals(metrics.get("objstore_repair_shards_rebuilt_total"), 1);
  assertEquals(metrics.get("objstore_scrub_corrupt_shards_total") ?? 0, 0, "the gateway did not scrub");
  // The workers' scrubbing shows at the gateway too.
  assertEquals(metrics.get("objstore_worker_scrub_corrupt_shards"), 1);
  assert((metrics.get("objstore_worker_scrub_passes_min") ?? 0) >= 1, "every worker finished a pass");
  const quarantined = await Deno.readFile((await quarantinedFiles([cluster.workerDir(holder)]))[0]);
  assertEquals(md5(quarantined), md5(bytes), "the corrupt file is kept as it was, never deleted");
  assert(md5(await Deno.readFile(victim)) !== md5(bytes), "a rebuilt shard took its place");
  assertEquals(md5(await readWithThreeDown(cluster, s3, "scrubbed", [holder])), md5(body));
  s3.destroy();
});

Deno.test("a worker that returns after its shards were rebuilt elsewhere has its stale copies collected", async () => {
  await using cluster = await startWithSpares({
    OBJSTORE_ORPHAN_GRACE_MS: "1000",
    OBJSTORE_ORPHAN_SWEEP_INTERVAL_MS: "100",
  });
  const s3 = cluster.client();
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  await s3.send(new CreateBucketCommand({ Bucket: "heal" }));
  const bodies = [randomBytes(700_000), randomBytes(900_000), randomBytes(1_100_000)];
  for (const [index, body] of bodies.entries()) {
    await s3.send(new PutObjectCommand({ Bucket: "heal", Key: `o${index}`, Body: body }));
  }
  // A worker holding shards of every object goes away long enough for them to be rebuilt elsewhere.
  const counts = new Map<string, number>();
  for (const path of await shardFiles(dirs)) {
    counts.set(workerOf(cluster, path), (counts.get(workerOf(cluster, path)) ?? 0) + 1);
  }
  const gone = [...counts].find(([, count]) => count === 3)![0];
  const others = dirs.filter((dir) => dir !== cluster.workerDir(gone));
  await cluster.stopWorker(gone);
  await waitFor(
    async () => (await shardFiles(others)).length === 27,
    20_000,
    "its shards are rebuilt elsewhere",
  );
  assertEquals(
    (await shardFiles([cluster.workerDir(gone)])).length,
    3,
    "its stale copies are still on its disk",
  );
  await cluster.startWorker(gone);
  await waitFor(
    async () => (await shardFiles([cluster.workerDir(gone)])).length === 0,
    20_000,
    "the stale copies are collected",
  );
  assertEquals((await shardFiles(dirs)).length, 27, "every shard a manifest names is still there");
  assertEquals((await scrapeMetrics(cluster.endpoint)).get("objstore_orphan_shards_deleted_total"), 3);
  for (const [index, body] of bodies.entries()) {
    assertEquals(md5(await readWithThreeDown(cluster, s3, `o${index}`, [gone])), md5(body));
  }
  s3.destroy();
});
