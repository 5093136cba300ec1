/**
 * Rebalancing through real processes and the real admin command: a worker added to a running cluster
 * receives only its fair share of shards (one shard of each object whose placement it now wins, nothing
 * else moves), and a drained worker gives all of its shards away and leaves the cluster — while a load of
 * writes and reads goes on, every acknowledged object reads back byte-identical, and each object always
 * ends on k + m distinct workers with at most m per zone and no stale copies left behind.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { assert, assertEquals, randomBytes } from "../support/asserts.ts";
import { shardLocations, waitFor } from "../support/shard_files.ts";

const ENV = {
  OBJSTORE_REBALANCE_INTERVAL_MS: "150",
  OBJSTORE_HEALTH_INTERVAL_MS: "200",
  OBJSTORE_EDGE_CACHE_BYTES: "0",
};

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** Writes and reads back objects until stopped, recording every acknowledged write. */
class Load {
  readonly acknowledged = new Map<string, string>();
  #stop = false;
  #next = 0;
  constructor(readonly s3: S3Client) {}

  async run(): Promise<void> {
    while (!this.#stop && this.#next < 400) {
      const key = `during-${this.#next++}`;
      const body = randomBytes(150_000 + (this.#next % 5) * 50_000);
      await this.s3.send(new PutObjectCommand({ Bucket: "rebalance", Key: key, Body: body }));
      this.acknowledged.set(key, md5(body));
      await this.check(key);
    }
  }

  stop(): void {
    this.#stop = true;
  }

  async check(key: string): Promise<void> {
    const got = await this.s3.send(new GetObjectCommand({ Bucket: "rebalance", Key: key }));
    assertEquals(md5(await got.Body!.transformToByteArray()), this.acknowledged.get(key), key);
  }
}

/** Worker id of each shard file, grouped by data id. */
async function placements(cluster: TestCluster, ids: readonly string[]) {
  const byDir = new Map(ids.map((id) => [cluster.workerDir(id), id]));
  const out = new Map<string, Array<{ workerId: string; shardIndex: number }>>();
  for (const location of await shardLocations([...byDir.keys()])) {
    const list = out.get(location.dataId) ?? [];
    list.push({ workerId: byDir.get(location.workerDir)!, shardIndex: location.shardIndex });
    out.set(location.dataId, list);
  }
  return out;
}

/** Every object: 9 shards (0..8 once each) on 9 distinct workers, at most 3 per zone. */
function assertPlacementRules(byData: Awaited<ReturnType<typeof placements>>, objects: number) {
  assertEquals(byData.size, objects, "one data id per object, no stray shards");
  for (const [dataId, shards] of byData) {
    assertEquals(shards.map((s) => s.shardIndex).sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8], dataId);
    assertEquals(new Set(shards.map((s) => s.workerId)).size, 9, `${dataId}: distinct workers`);
    const perZone = new Map<string, number>();
    for (const { workerId } of shards) {
      const zone = workerId.slice(0, workerId.indexOf("-"));
      perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
    }
    assert([...perZone.values()].every((count) => count <= 3), `${dataId}: ${JSON.stringify([...perZone])}`);
  }
}

async function settledAfterMoves(cluster: TestCluster, movedBefore: number): Promise<boolean> {
  const metrics = await scrapeMetrics(cluster.endpoint);
  return metrics.get("objstore_rebalance_settled") === 1 &&
    metrics.get("objstore_rebalance_pass_progress_ratio") === 1 &&
    (metrics.get("objstore_rebalance_shards_moved_total") ?? 0) > movedBefore;
}

Deno.test("an added worker gets its fair share and a drained worker leaves, under load", async (t) => {
  await using cluster = await TestCluster.start({ gatewayEnv: ENV });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "rebalance" }));
  const load = new Load(s3);
  const before = 40;
  for (let i = 0; i < before; i++) {
    const body = randomBytes(120_000 + i * 1_000);
    await s3.send(new PutObjectCommand({ Bucket: "rebalance", Key: `before-${i}`, Body: body }));
    load.acknowledged.set(`before-${i}`, md5(body));
  }
  await waitFor(
    async () => (await scrapeMetrics(cluster.endpoint)).get("objstore_rebalance_settled") === 1,
    20_000,
    "the first pass finds the configured layout in place",
  );
  assertEquals((await scrapeMetrics(cluster.endpoint)).get("objstore_rebalance_shards_moved_total") ?? 0, 0);
  const everyWorker = [...cluster.workerIds, "z1-w4"];

  await t.step(
    "add-worker: z1-w4 receives one shard of each object it now wins, nothing else moves",
    async () => {
      await cluster.startWorker("z1-w4");
      const snapshot = await placements(cluster, cluster.workerIds);
      assertEquals(snapshot.size, before);
      const added = await cluster.admin(
        "add-worker",
        ...["--worker-id", "z1-w4", "--worker-url", cluster.workerUrl("z1-w4"), "--worker-zone", "z1"],
      );
      assertEquals(added.code, 0, added.stderr);
      assert(added.stdout.includes('"z1-w4"'), added.stdout);
      const running = load.run();
      await waitFor(() => settledAfterMoves(cluster, 0), 60_000, "rebalance settles after the add");
      load.stop();
      await running;
      const byData = await placements(cluster, everyWorker);
      const objects = load.acknowledged.size;
      assertPlacementRules(byData, objects);
      // Each object from before the add lost at most one worker, and only to z1-w4.
      let beforeOnNew = 0;
      for (const [dataId, shards] of snapshot) {
        const was = new Set(shards.map((s) => s.workerId));
        const now = new Set(byData.get(dataId)!.map((s) => s.workerId));
        const joined = [...now].filter((id) => !was.has(id));
        assert(joined.length === 0 || (joined.length === 1 && joined[0] === "z1-w4"), `${dataId}: ${joined}`);
        if (joined.length === 1) beforeOnNew++;
      }
      const moved = (await scrapeMetrics(cluster.endpoint)).get("objstore_rebalance_shards_moved_total") ?? 0;
      assertEquals(
        moved,
        beforeOnNew,
        "one move per object that z1-w4 joined, none for objects written after",
      );
      // Zone 1 now has four workers for three shards: the new one should win about three quarters of objects.
      const onNew =
        [...byData.values()].filter((shards) => shards.some((s) => s.workerId === "z1-w4")).length;
      assert(onNew >= objects * 0.5 && onNew <= objects * 0.95, `${onNew} of ${objects} objects on z1-w4`);
      assert(
        beforeOnNew >= before * 0.4 && beforeOnNew <= before * 0.975,
        `${beforeOnNew} of ${before} moved`,
      );
      console.log(
        `add-worker: ${moved} shards moved to z1-w4; it holds shards of ${onNew} of ${objects} objects`,
      );
      for (const key of load.acknowledged.keys()) await load.check(key);
    },
  );

  await t.step("remove-worker refuses a drain that would leave a zone too small", async () => {
    const refused = await cluster.admin("remove-worker", "--worker-id", "z2-w1");
    assertEquals(refused.code, 1);
    assert(refused.stderr.includes("InvalidArgument") && refused.stderr.includes("z2-w1"), refused.stderr);
  });

  await t.step("remove-worker: z1-w1 drains, leaves, and every object stays whole", async () => {
    const movedBefore = (await scrapeMetrics(cluster.endpoint)).get("objstore_rebalance_shards_moved_total")!;
    const drained = await cluster.admin("remove-worker", "--worker-id", "z1-w1");
    assertEquals(drained.code, 0, drained.stderr);
    assert(/"id": "z1-w1",[^}]*"state": "draining"/s.test(drained.stdout), drained.stdout);
    await waitFor(() => settledAfterMoves(cluster, movedBefore), 60_000, "rebalance settles after the drain");
    const listed = await cluster.admin("workers");
    assertEquals(listed.code, 0, listed.stderr);
    assert(!listed.stdout.includes('"z1-w1"') && listed.stdout.includes('"z1-w4"'), listed.stdout);
    const byData = await placements(cluster, everyWorker);
    assertPlacementRules(byData, load.acknowledged.size);
    assert(
      [...byData.values()].every((shards) => shards.every((s) => s.workerId !== "z1-w1")),
      "no shard is left on the drained worker",
    );
    // The drained worker can go: every object still reads with it stopped.
    await cluster.stopWorker("z1-w1");
    for (const key of load.acknowledged.keys()) await load.check(key);
    const health = await cluster.admin("health");
    assert(health.stdout.includes("rebalance: settled"), health.stdout);
  });
  s3.destroy();
});
