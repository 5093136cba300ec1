/**
 * Lifecycle rules carried out by a real gateway with a 2-second lifecycle day: current versions expire
 * (deleted in an unversioned bucket; a delete marker in a versioned one), noncurrent versions and the
 * expired delete marker go after them, incomplete multipart uploads are aborted, and objects outside a
 * rule's filter stay.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";
import { shardFiles, tempFiles, waitFor } from "../support/shard_files.ts";

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

const ENV = { OBJSTORE_LIFECYCLE_DAY_SECONDS: "2", OBJSTORE_LIFECYCLE_INTERVAL_MS: "200" };

/** Total bytes of every shard file of the cluster. */
async function shardBytes(cluster: TestCluster): Promise<number> {
  let total = 0;
  for (const path of await shardFiles(cluster.workerIds.map((id) => cluster.workerDir(id)))) {
    total += (await Deno.stat(path)).size;
  }
  return total;
}

async function keys(s3: S3Client, bucket: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((object) => object.Key!);
}

Deno.test("lifecycle expires objects and aborts uploads in an unversioned bucket, sparing the rest", async () => {
  await using cluster = await TestCluster.start({ gatewayEnv: ENV });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "logs" }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: "logs",
      LifecycleConfiguration: {
        Rules: [
          { ID: "tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 1 } },
          {
            ID: "uploads",
            Status: "Enabled",
            Filter: { Prefix: "" },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
          {
            ID: "disabled",
            Status: "Disabled",
            Filter: { Prefix: "keep/" },
            Expiration: { Days: 1 },
          },
        ],
      },
    }),
  );
  for (const key of ["tmp/a", "tmp/b", "keep/c"]) {
    await s3.send(new PutObjectCommand({ Bucket: "logs", Key: key, Body: randomBytes(200_000) }));
  }
  await s3.send(new CreateMultipartUploadCommand({ Bucket: "logs", Key: "tmp/big" }));
  await waitFor(
    async () => {
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: "logs" }));
      return (await keys(s3, "logs")).join() === "keep/c" && (uploads.Uploads ?? []).length === 0;
    },
    20_000,
    "tmp/ objects expire and the upload is aborted",
  );
  const metrics = await scrapeMetrics(cluster.endpoint);
  assertEquals(metrics.get("objstore_lifecycle_expired_objects_total"), 2);
  assertEquals(metrics.get("objstore_lifecycle_expired_bytes_total"), 400_000);
  assertEquals(metrics.get("objstore_lifecycle_uploads_aborted_total"), 1);
  // A new object under the prefix lives its day and a bit before it goes too.
  const put = await s3.send(new PutObjectCommand({ Bucket: "logs", Key: "tmp/new", Body: "fresh" }));
  assert(
    /^expiry-date="[^"]+", rule-id="tmp"$/.test(put.Expiration ?? ""),
    `PutObject answers ${put.Expiration}`,
  );
  // HEAD says when and by which rule it will expire: the next 2-second "midnight" at least a day away.
  const head = await s3.send(new HeadObjectCommand({ Bucket: "logs", Key: "tmp/new" }));
  const match = /^expiry-date="([^"]+)", rule-id="tmp"$/.exec(head.Expiration ?? "");
  assert(match !== null, String(head.Expiration));
  const expiry = Date.parse(match[1]);
  const created = head.LastModified!.getTime();
  assert(
    expiry >= created + 2000 && expiry <= created + 5000 && expiry % 2000 === 0,
    `${created} → ${expiry}`,
  );
  assertEquals(
    (await s3.send(new HeadObjectCommand({ Bucket: "logs", Key: "keep/c" }))).Expiration,
    undefined,
  );
  await waitFor(async () => !(await keys(s3, "logs")).includes("tmp/new"), 20_000, "tmp/new expires");
  assertEquals(await keys(s3, "logs"), ["keep/c"]);
  s3.destroy();
});

Deno.test("lifecycle in a versioned bucket: a delete marker, then the noncurrent version, then the marker", async () => {
  await using cluster = await TestCluster.start({ gatewayEnv: ENV });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "ver" }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: "ver", VersioningConfiguration: { Status: "Enabled" } }),
  );
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: "ver",
      LifecycleConfiguration: {
        Rules: [{
          ID: "all",
          Status: "Enabled",
          Filter: { Prefix: "" },
          Expiration: { Days: 1 },
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        }],
      },
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: "ver", Key: "k", Body: randomBytes(100_000) }));
  const seen = new Set<string>();
  await waitFor(
    async () => {
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: "ver" }));
      const shape = `${(versions.Versions ?? []).length} versions, ${
        (versions.DeleteMarkers ?? []).length
      } markers`;
      seen.add(shape);
      return shape === "0 versions, 0 markers";
    },
    30_000,
    "every version and the marker are gone",
  );
  // On the way: the version alone, then with a marker over it, then (noncurrent version gone) the marker alone.
  assertEquals(seen.has("1 versions, 1 markers"), true, [...seen].join("; "));
  const metrics = await scrapeMetrics(cluster.endpoint);
  assertEquals(
    metrics.get("objstore_lifecycle_expired_objects_total"),
    2,
    "the current, then the noncurrent",
  );
  assertEquals(metrics.get("objstore_lifecycle_delete_markers_removed_total"), 1);
  s3.destroy();
});

Deno.test("lifecycle moves objects to the archive tier, then deeper, then expires them", async () => {
  await using cluster = await TestCluster.start({
    archiveZones: 4,
    archiveWorkersPerZone: 2,
    gatewayEnv: { ...ENV, OBJSTORE_GC_GRACE_MS: "500", OBJSTORE_GC_INTERVAL_MS: "200" },
  });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "cold" }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: "cold",
      LifecycleConfiguration: {
        Rules: [{
          ID: "age",
          Status: "Enabled",
          Filter: { Prefix: "" },
          Transitions: [{ Days: 1, StorageClass: "GLACIER_IR" }, { Days: 3, StorageClass: "DEEP_ARCHIVE" }],
          Expiration: { Days: 6 },
        }],
      },
    }),
  );
  const body = randomBytes(900_000);
  await s3.send(new PutObjectCommand({ Bucket: "cold", Key: "big", Body: body }));
  await s3.send(new PutObjectCommand({ Bucket: "cold", Key: "tiny", Body: "too small to move" }));
  const log = new TextEncoder().encode(
    Array.from({ length: 12_000 }, (_, i) => `2026-11-25T20:${i % 60}:00Z GET /media/${i} 200 ${i * 7}\n`)
      .join(""),
  );
  await s3.send(new PutObjectCommand({ Bucket: "cold", Key: "log", Body: log }));
  const classOf = async (key: string) =>
    (await s3.send(new HeadObjectCommand({ Bucket: "cold", Key: key }))).StorageClass ?? "STANDARD";
  // "a" for archive workers, "z" for regional ones: which pools hold shard files.
  const shardPools = async () => {
    const pools = new Set<string>();
    for (const path of await shardFiles(cluster.workerIds.map((id) => cluster.workerDir(id)))) {
      pools.add(path.slice(cluster.dir.length + "/workers/".length)[0]);
    }
    return [...pools].sort().join();
  };
  await waitFor(async () => await classOf("big") === "GLACIER_IR", 20_000, "big moves to GLACIER_IR");
  const got = await s3.send(new GetObjectCommand({ Bucket: "cold", Key: "big" }));
  assertEquals(new Uint8Array(await got.Body!.transformToByteArray()), body, "GLACIER_IR reads back");
  await waitFor(async () => await shardPools() === "a", 20_000, "its regional shards are collected");
  // Text compresses: the archive keeps it deflated (GET and ranges give back the original bytes).
  await waitFor(async () => await classOf("log") === "GLACIER_IR", 20_000, "log moves to GLACIER_IR");
  const archivedBytes = await shardBytes(cluster);
  assert(archivedBytes < (body.length + log.length) * 1.5, `${archivedBytes} bytes of shards`);
  assert(
    archivedBytes < body.length * 1.4 + log.length * 0.5,
    `the log is stored compressed (${archivedBytes})`,
  );
  const whole = await s3.send(new GetObjectCommand({ Bucket: "cold", Key: "log" }));
  assertEquals(new Uint8Array(await whole.Body!.transformToByteArray()), log);
  const part = await s3.send(
    new GetObjectCommand({ Bucket: "cold", Key: "log", Range: "bytes=300000-300099" }),
  );
  assertEquals(new Uint8Array(await part.Body!.transformToByteArray()), log.slice(300_000, 300_100));
  await waitFor(async () => await classOf("big") === "DEEP_ARCHIVE", 20_000, "big goes deeper");
  await assertRejectsS3(
    () => s3.send(new GetObjectCommand({ Bucket: "cold", Key: "big" })),
    "InvalidObjectState",
    403,
  );
  assertEquals(await classOf("tiny"), "STANDARD", "objects kept inline are too small to move");
  await waitFor(async () => !(await keys(s3, "cold")).includes("big"), 30_000, "big expires at last");
  const metrics = await scrapeMetrics(cluster.endpoint);
  assertEquals(metrics.get("objstore_lifecycle_transitioned_objects_total"), 4, "big twice, log twice");
  // Bytes count what moved between tiers; the move to DEEP_ARCHIVE only relabels archived data.
  assertEquals(metrics.get("objstore_lifecycle_transitioned_bytes_total"), 1_800_000 / 2 + log.length);
  s3.destroy();
});

Deno.test("lifecycle moves noncurrent versions to the archive and leaves the current one", async () => {
  await using cluster = await TestCluster.start({
    archiveZones: 4,
    archiveWorkersPerZone: 2,
    gatewayEnv: ENV,
  });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "hist" }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: "hist", VersioningConfiguration: { Status: "Enabled" } }),
  );
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: "hist",
      LifecycleConfiguration: {
        Rules: [{
          ID: "old-versions",
          Status: "Enabled",
          Filter: { Prefix: "" },
          NoncurrentVersionTransitions: [{ NoncurrentDays: 1, StorageClass: "GLACIER_IR" }],
        }],
      },
    }),
  );
  const first = randomBytes(300_000);
  const second = randomBytes(300_000);
  const v1 = (await s3.send(new PutObjectCommand({ Bucket: "hist", Key: "doc", Body: first }))).VersionId!;
  await s3.send(new PutObjectCommand({ Bucket: "hist", Key: "doc", Body: second }));
  const classes = async () => {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: "hist" }));
    return (listed.Versions ?? []).map((version) =>
      `${version.IsLatest ? "current" : "old"}:${version.StorageClass}`
    )
      .join();
  };
  await waitFor(
    async () => await classes() === "current:STANDARD,old:GLACIER_IR",
    20_000,
    "the old version moves",
  );
  const old = await s3.send(new GetObjectCommand({ Bucket: "hist", Key: "doc", VersionId: v1 }));
  assertEquals(new Uint8Array(await old.Body!.transformToByteArray()), first);
  const current = await s3.send(new GetObjectCommand({ Bucket: "hist", Key: "doc" }));
  assertEquals(new Uint8Array(await current.Body!.transformToByteArray()), second);
  s3.destroy();
});

Deno.test("a gateway killed in the middle of a transition leaves the object readable and nothing behind", async () => {
  const env = {
    ...ENV,
    OBJSTORE_LIFECYCLE_DAY_SECONDS: "1",
    OBJSTORE_LIFECYCLE_INTERVAL_MS: "100",
    OBJSTORE_GC_GRACE_MS: "1000",
    OBJSTORE_GC_INTERVAL_MS: "200",
  };
  await using cluster = await TestCluster.start({
    archiveZones: 4,
    archiveWorkersPerZone: 2,
    gatewayEnv: env,
  });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "crash" }));
  const body = randomBytes(96 * 1024 * 1024);
  await s3.send(new PutObjectCommand({ Bucket: "crash", Key: "big", Body: body }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: "crash",
      LifecycleConfiguration: {
        Rules: [{
          ID: "cold",
          Status: "Enabled",
          Filter: { Prefix: "" },
          Transitions: [{ Days: 1, StorageClass: "GLACIER_IR" }],
        }],
      },
    }),
  );
  s3.destroy();
  // Kill the gateway once the archive workers are receiving the copy (shard files in their tmp/).
  const archiveDirs = cluster.workerIds.filter((id) => id.startsWith("a")).map((id) => cluster.workerDir(id));
  await waitFor(
    async () => (await tempFiles(archiveDirs)).length > 0,
    20_000,
    "the copy to the archive starts",
  );
  await cluster.stopGateway("SIGKILL");
  await cluster.startGateway();
  const after = cluster.client();
  const got = await after.send(new GetObjectCommand({ Bucket: "crash", Key: "big" }));
  assertEquals(md5(await got.Body!.transformToByteArray()), md5(body), "readable right after the restart");
  // The restarted executor carries the transition out; the abandoned copy and the old shards are collected.
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  await waitFor(
    async () => {
      const head = await after.send(new HeadObjectCommand({ Bucket: "crash", Key: "big" }));
      const files = await shardFiles(dirs);
      return head.StorageClass === "GLACIER_IR" && files.length === 8 &&
        files.every((path) => path.includes("/workers/a")) && (await tempFiles(dirs)).length === 0;
    },
    60_000,
    "one copy, in the archive, and nothing else left",
  );
  const moved = await after.send(new GetObjectCommand({ Bucket: "crash", Key: "big" }));
  assertEquals(md5(await moved.Body!.transformToByteArray()), md5(body));
  after.destroy();
});
