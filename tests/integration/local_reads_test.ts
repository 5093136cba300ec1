/**
 * Local shard reads through real processes: a gateway reads the files of the workers on its host itself,
 * a corrupt block it finds is handed to the worker (which quarantines the file) and rebuilt, and with
 * `OBJSTORE_LOCAL_SHARD_READS=false` every read goes over HTTP.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { assert, assertEquals, randomBytes } from "../support/asserts.ts";
import { quarantinedFiles, shardFiles, waitFor } from "../support/shard_files.ts";

const SHARD_HEADER_BYTES = 64;

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

async function getBytes(s3: S3Client, key: string): Promise<Uint8Array> {
  const got = await s3.send(new GetObjectCommand({ Bucket: "local", Key: key }));
  return await got.Body!.transformToByteArray();
}

async function readLocally(cluster: TestCluster): Promise<number> {
  return (await scrapeMetrics(cluster.endpoint)).get("objstore_workers_read_locally") ?? -1;
}

Deno.test("the gateway reads its own host's workers from disk; a corrupt block goes to the worker and is rebuilt", async () => {
  // No edge tier: every GET reads the shards.
  const gatewayEnv = { OBJSTORE_REPAIR_INTERVAL_MS: "200", OBJSTORE_EDGE_CACHE_BYTES: "0" };
  await using cluster = await TestCluster.start({ gatewayEnv });
  const s3 = cluster.client();
  try {
    const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
    await waitFor(async () => await readLocally(cluster) === 9, 10_000, "every worker is read locally");
    await s3.send(new CreateBucketCommand({ Bucket: "local" }));
    const body = randomBytes(3_000_000);
    const before = new Set(await shardFiles(dirs));
    await s3.send(new PutObjectCommand({ Bucket: "local", Key: "object", Body: body }));
    assertEquals(md5(await getBytes(s3, "object")), md5(body));

    // Damage a data shard's first block on disk: only a read can find it (the scrubber is slow by default).
    const victim = (await shardFiles(dirs)).find((path) => !before.has(path) && path.endsWith(".1"))!;
    const bytes = await Deno.readFile(victim);
    bytes[SHARD_HEADER_BYTES + 100] ^= 0x5a;
    await Deno.writeFile(victim, bytes);
    assertEquals(md5(await getBytes(s3, "object")), md5(body), "the read serves good bytes from parity");
    assertEquals(
      (await quarantinedFiles(dirs)).length,
      1,
      "the worker checked the block and quarantined the file",
    );
    await waitFor(
      async () => {
        try {
          return md5(await Deno.readFile(victim)) !== md5(bytes);
        } catch {
          return false;
        }
      },
      20_000,
      "the shard is rebuilt in place",
    );
    assertEquals(md5(await getBytes(s3, "object")), md5(body));
    assertEquals(await readLocally(cluster), 9);
  } finally {
    s3.destroy();
  }
});

Deno.test("with OBJSTORE_LOCAL_SHARD_READS=false no worker is read locally and reads work over HTTP", async () => {
  await using cluster = await TestCluster.start({ gatewayEnv: { OBJSTORE_LOCAL_SHARD_READS: "false" } });
  const s3 = cluster.client();
  try {
    await s3.send(new CreateBucketCommand({ Bucket: "local" }));
    const body = randomBytes(2_500_000);
    await s3.send(new PutObjectCommand({ Bucket: "local", Key: "object", Body: body }));
    assertEquals(md5(await getBytes(s3, "object")), md5(body));
    const metrics = await scrapeMetrics(cluster.endpoint);
    assertEquals(metrics.get("objstore_workers_read_locally"), 0);
    assert((metrics.get("objstore_workers_down") ?? -1) === 0, "the heartbeat saw every worker");
  } finally {
    s3.destroy();
  }
});
