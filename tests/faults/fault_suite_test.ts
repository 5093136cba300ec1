/**
 * The fault suite: a mixed load of PUTs and GETs through the AWS SDK against a real cluster while faults are
 * injected one after another — a worker killed (SIGKILL) and restarted, a worker hung (SIGSTOP) so that
 * requests to it must time out, a worker's disk wiped, bytes flipped in shard files. After each: every
 * acknowledged write reads back byte-identical, no corrupt byte is served, and repair brings every object
 * back to k + m shards; the time that took is printed.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { assert, assertEquals, randomBytes } from "../support/asserts.ts";
import { shardFiles, waitFor } from "../support/shard_files.ts";

const ENV = {
  OBJSTORE_REPAIR_INTERVAL_MS: "200",
  OBJSTORE_AUDIT_INTERVAL_MS: "300",
  OBJSTORE_HEALTH_INTERVAL_MS: "200",
  OBJSTORE_SCRUB_BYTES_PER_ROUND: "200000000",
  // Short outages are waited out rather than moved (moves leave stale copies on a worker that returns).
  OBJSTORE_WORKER_DOWN_AFTER_MS: "60000",
  OBJSTORE_WORKER_TIMEOUT_MS: "1500",
  OBJSTORE_EDGE_CACHE_BYTES: "0",
  OBJSTORE_GC_GRACE_MS: "1000",
  OBJSTORE_GC_INTERVAL_MS: "300",
};

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** Acknowledged writes by key, and a bounded load of PUTs and GETs that checks every byte it reads. */
class MixedLoad {
  readonly acknowledged = new Map<string, string>();
  #next = 0;
  constructor(readonly s3: S3Client) {}

  /** `rounds` of one PUT (acknowledged only when it succeeds) and one GET of an earlier object. */
  async run(rounds: number): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      const key = `k${this.#next++}`;
      const body = randomBytes(100_000 + ((this.#next * 7919) % 900_000));
      try {
        await this.s3.send(new PutObjectCommand({ Bucket: "load", Key: key, Body: body }));
        this.acknowledged.set(key, md5(body));
      } catch {
        // Not acknowledged: it may or may not exist, and nothing promises it.
      }
      const keys = [...this.acknowledged.keys()];
      if (keys.length > 0) await this.check(keys[(round * 31) % keys.length], true);
    }
  }

  /** Reads `key` and fails the test on a byte that differs (an error is allowed under faults). */
  async check(key: string, errorsAllowed: boolean): Promise<void> {
    try {
      const got = await this.s3.send(new GetObjectCommand({ Bucket: "load", Key: key }));
      assertEquals(
        md5(await got.Body!.transformToByteArray()),
        this.acknowledged.get(key),
        `bytes of ${key}`,
      );
    } catch (error) {
      if (!errorsAllowed || (error instanceof Error && error.message.startsWith("Values are not"))) {
        throw error;
      }
    }
  }
}

/** True when every data id on disk has all 9 shard indexes and no repair is queued. */
async function fullyRedundant(cluster: TestCluster): Promise<boolean> {
  const files = await shardFiles(cluster.workerIds.map((id) => cluster.workerDir(id)));
  const byData = new Map<string, Set<string>>();
  for (const path of files) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    const [dataId, index] = name.split(".");
    byData.set(dataId, (byData.get(dataId) ?? new Set()).add(index));
  }
  const metrics = await scrapeMetrics(cluster.endpoint);
  return [...byData.values()].every((indexes) => indexes.size === 9) &&
    metrics.get("objstore_repair_queue_depth") === 0 && metrics.get("objstore_workers_down") === 0;
}

Deno.test("fault suite: kill, hang, wipe and corrupt workers under a mixed load", async (t) => {
  await using cluster = await TestCluster.start({ gatewayEnv: ENV });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "load" }));
  const load = new MixedLoad(s3);
  await load.run(8);
  const timings: string[] = [];

  const recover = async (fault: string) => {
    const started = performance.now();
    await waitFor(() => fullyRedundant(cluster), 30_000, `full redundancy after ${fault}`);
    const seconds = (performance.now() - started) / 1000;
    const metrics = await scrapeMetrics(cluster.endpoint);
    timings.push(
      `${fault}: full redundancy after ${seconds.toFixed(1)} s; repaired so far ` +
        `${((metrics.get("objstore_repair_bytes_total") ?? 0) / 1e6).toFixed(1)} MB in ` +
        `${metrics.get("objstore_repair_shards_rebuilt_total") ?? 0} shards`,
    );
    for (const key of load.acknowledged.keys()) await load.check(key, false);
  };

  await t.step("a worker killed under load, then back", async () => {
    await cluster.stopWorker("z1-w2", "SIGKILL");
    await load.run(6);
    await cluster.startWorker("z1-w2");
    await recover("SIGKILL of z1-w2");
  });

  await t.step("a hung worker: requests time out instead of hanging", async () => {
    cluster.signalWorker("z2-w1", "SIGSTOP");
    const started = performance.now();
    try {
      await load.run(4);
    } finally {
      cluster.signalWorker("z2-w1", "SIGCONT");
    }
    // Four PUTs and GETs with a 1.5 s worker timeout: bounded, not hung.
    assert(performance.now() - started < 30_000, "requests to a hung worker time out");
    await recover("SIGSTOP of z2-w1");
  });

  await t.step("a wiped disk is refilled", async () => {
    await cluster.stopWorker("z3-w3");
    await Deno.remove(cluster.workerDir("z3-w3"), { recursive: true });
    await cluster.startWorker("z3-w3");
    await load.run(3);
    await recover("wiped z3-w3");
  });

  await t.step("flipped bytes are never served and are repaired", async () => {
    const files = await shardFiles(cluster.workerIds.map((id) => cluster.workerDir(id)));
    for (const path of files.filter((_, i) => i % 7 === 0).slice(0, 4)) {
      const bytes = await Deno.readFile(path);
      bytes[100 + (bytes.length % 50)] ^= 0x55;
      await Deno.writeFile(path, bytes);
    }
    for (const key of load.acknowledged.keys()) await load.check(key, false);
    await recover("flipped bytes in 4 shard files");
  });

  await t.step("no orphaned shard remains once GC has run", async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "load" }));
    const objects = listed.KeyCount ?? 0;
    assert(objects >= load.acknowledged.size, "every acknowledged write is listed");
    await waitFor(
      async () => {
        const files = await shardFiles(cluster.workerIds.map((id) => cluster.workerDir(id)));
        const dataIds = new Set(files.map((path) => path.slice(path.lastIndexOf("/") + 1).split(".")[0]));
        return dataIds.size === objects && files.length === 9 * objects;
      },
      20_000,
      "exactly the listed objects' shards are left, 9 each",
    );
  });

  console.log(`fault suite, ${load.acknowledged.size} acknowledged objects:\n  ${timings.join("\n  ")}`);
  s3.destroy();
});

Deno.test("a hung worker costs a read about the slow-shard delay, not the request timeout", async () => {
  await using cluster = await TestCluster.start({
    gatewayEnv: {
      OBJSTORE_WORKER_TIMEOUT_MS: "30000",
      OBJSTORE_SLOW_SHARD_MS: "300",
      OBJSTORE_EDGE_CACHE_BYTES: "0",
    },
  });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "load" }));
  const body = randomBytes(3_000_000);
  await s3.send(new PutObjectCommand({ Bucket: "load", Key: "slow", Body: body }));
  // The worker holding data shard 0: every whole-object read needs it unless parity stands in.
  const files = await shardFiles(cluster.workerIds.map((id) => cluster.workerDir(id)));
  const first = files.find((path) => path.endsWith(".0"))!;
  const hung = cluster.workerIds.find((id) => first.startsWith(cluster.workerDir(id) + "/"))!;
  cluster.signalWorker(hung, "SIGSTOP");
  try {
    const started = performance.now();
    const got = await s3.send(new GetObjectCommand({ Bucket: "load", Key: "slow" }));
    assertEquals(md5(await got.Body!.transformToByteArray()), md5(body));
    const seconds = (performance.now() - started) / 1000;
    // 0.3 s to give up on the hung shard, plus the read itself; far below the 30 s worker timeout.
    assert(seconds < 10, `a read with a hung worker took ${seconds.toFixed(1)} s`);
  } finally {
    cluster.signalWorker(hung, "SIGCONT");
  }
  s3.destroy();
});
