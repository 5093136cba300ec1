/**
 * Storage classes through real processes: STANDARD and the infrequent-access classes stay on the regional
 * workers (6 + 3); the Glacier classes go to the archive pool with its own, wider code (6 + 2 on 4 zones of
 * 2 workers). GLACIER_IR reads back directly; GLACIER and DEEP_ARCHIVE answer GET (and copies from them)
 * with InvalidObjectState while HEAD and listings report the class. Without an archive pool the Glacier
 * classes are InvalidStorageClass and nothing is stored.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  RestoreObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";
import { shardLocations, waitFor } from "../support/shard_files.ts";

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** Worker ids holding shards, by data id. */
async function holders(cluster: TestCluster): Promise<Map<string, string[]>> {
  const byDir = new Map(cluster.workerIds.map((id) => [cluster.workerDir(id), id]));
  const out = new Map<string, string[]>();
  for (const { workerDir, dataId } of await shardLocations([...byDir.keys()])) {
    out.set(dataId, [...(out.get(dataId) ?? []), byDir.get(workerDir)!]);
  }
  return out;
}

Deno.test("Glacier classes live on the archive pool with its own code; GLACIER and DEEP_ARCHIVE need a restore", async () => {
  await using cluster = await TestCluster.start({
    archiveZones: 4,
    archiveWorkersPerZone: 2,
    gatewayEnv: { OBJSTORE_AUDIT_INTERVAL_MS: "200", OBJSTORE_REPAIR_INTERVAL_MS: "200" },
  });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "tiers" }));
  const body = randomBytes(700_000);
  const classes = ["STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;
  for (const storageClass of classes) {
    await s3.send(
      new PutObjectCommand({ Bucket: "tiers", Key: storageClass, Body: body, StorageClass: storageClass }),
    );
  }
  const byData = await holders(cluster);
  const placements = [...byData.values()].map((workers) => workers.sort().join(","));
  const regional = placements.filter((workers) => workers.startsWith("z"));
  const archive = placements.filter((workers) => workers.startsWith("a"));
  assertEquals(regional.length, 1, "STANDARD_IA stays regional");
  assertEquals(regional[0].split(",").length, 9);
  assertEquals(archive.length, 3, "three objects in the archive pool");
  for (const workers of archive) {
    const list = workers.split(",");
    assertEquals(list.length, 8, "6 + 2 shards");
    assert(list.every((id) => id.startsWith("a")), workers);
    const perZone = new Map<string, number>();
    for (const id of list) perZone.set(id.slice(0, 2), (perZone.get(id.slice(0, 2)) ?? 0) + 1);
    assert([...perZone.values()].every((count) => count <= 2), workers);
  }
  for (const storageClass of classes) {
    const head = await s3.send(new HeadObjectCommand({ Bucket: "tiers", Key: storageClass }));
    assertEquals(head.StorageClass, storageClass);
  }
  const got = await s3.send(new GetObjectCommand({ Bucket: "tiers", Key: "GLACIER_IR" }));
  assertEquals(md5(await got.Body!.transformToByteArray()), md5(body));
  const ia = await s3.send(new GetObjectCommand({ Bucket: "tiers", Key: "STANDARD_IA" }));
  assertEquals(md5(await ia.Body!.transformToByteArray()), md5(body));
  for (const key of ["GLACIER", "DEEP_ARCHIVE"]) {
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "tiers", Key: key })),
      "InvalidObjectState",
      403,
    );
    await assertRejectsS3(
      () =>
        s3.send(new CopyObjectCommand({ Bucket: "tiers", Key: `${key}-copy`, CopySource: `tiers/${key}` })),
      "InvalidObjectState",
      403,
    );
  }
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "tiers" }));
  assertEquals(
    (listed.Contents ?? []).map((object) => `${object.Key}:${object.StorageClass}`),
    classes.map((storageClass) => `${storageClass}:${storageClass}`).sort(),
  );
  // A copy into GLACIER_IR moves the data to the archive pool; multipart parts go there too.
  await s3.send(
    new CopyObjectCommand({
      Bucket: "tiers",
      Key: "copied",
      CopySource: "tiers/STANDARD_IA",
      StorageClass: "GLACIER_IR",
    }),
  );
  const upload = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: "tiers", Key: "multi", StorageClass: "GLACIER_IR" }),
  );
  const part = randomBytes(5 * 1024 * 1024);
  const uploaded = await s3.send(
    new UploadPartCommand({
      Bucket: "tiers",
      Key: "multi",
      UploadId: upload.UploadId,
      PartNumber: 1,
      Body: part,
    }),
  );
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: "tiers",
      Key: "multi",
      UploadId: upload.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: uploaded.ETag }] },
    }),
  );
  const after = [...(await holders(cluster)).values()].map((workers) => workers.sort().join(","));
  assertEquals(after.filter((workers) => workers.startsWith("a")).length, 5, "the copy and the part joined");
  const multi = await s3.send(new GetObjectCommand({ Bucket: "tiers", Key: "multi" }));
  assertEquals(md5(await multi.Body!.transformToByteArray()), md5(part));
  assertEquals(multi.StorageClass, "GLACIER_IR");
  // An archive worker's disk is replaced: the auditor and the repairer refill it within the archive pool.
  const wiped = "a1-w1";
  const before = (await shardLocations([cluster.workerDir(wiped)])).length;
  await cluster.stopWorker(wiped);
  await Deno.remove(cluster.workerDir(wiped), { recursive: true });
  await cluster.startWorker(wiped);
  await waitFor(
    async () => (await shardLocations([cluster.workerDir(wiped)])).length === before,
    20_000,
    "the wiped archive worker is refilled",
  );
  const refilled = [...(await holders(cluster)).values()].filter((workers) => workers[0].startsWith("a"));
  assert(refilled.every((workers) => workers.length === 8 && workers.every((id) => id.startsWith("a"))));
  s3.destroy();
});

Deno.test("without an archive pool the Glacier classes are InvalidStorageClass and nothing is stored", async () => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "plain" }));
  await assertRejectsS3(
    () =>
      s3.send(
        new PutObjectCommand({
          Bucket: "plain",
          Key: "g",
          Body: randomBytes(200_000),
          StorageClass: "GLACIER",
        }),
      ),
    "InvalidStorageClass",
    400,
  );
  await assertRejectsS3(
    () =>
      s3.send(new CreateMultipartUploadCommand({ Bucket: "plain", Key: "m", StorageClass: "DEEP_ARCHIVE" })),
    "InvalidStorageClass",
    400,
  );
  await assertRejectsS3(
    () =>
      s3.send(
        new PutObjectCommand({
          Bucket: "plain",
          Key: "bogus",
          Body: "x",
          StorageClass: "EXPRESS_ONEZONE" as "STANDARD",
        }),
      ),
    "InvalidStorageClass",
    400,
  );
  assertEquals((await s3.send(new ListObjectsV2Command({ Bucket: "plain" }))).KeyCount, 0);
  assertEquals((await holders(cluster)).size, 0);
  s3.destroy();
});

Deno.test("RestoreObject makes a temporary copy GET reads until it expires", async () => {
  await using cluster = await TestCluster.start({
    archiveZones: 4,
    archiveWorkersPerZone: 2,
    gatewayEnv: {
      OBJSTORE_LIFECYCLE_DAY_SECONDS: "2",
      OBJSTORE_GC_GRACE_MS: "500",
      OBJSTORE_GC_INTERVAL_MS: "200",
      OBJSTORE_EDGE_CACHE_BYTES: "0",
    },
  });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "vault" }));
  const body = randomBytes(600_000);
  await s3.send(
    new PutObjectCommand({ Bucket: "vault", Key: "deep", Body: body, StorageClass: "DEEP_ARCHIVE" }),
  );
  await s3.send(
    new PutObjectCommand({ Bucket: "vault", Key: "warm", Body: body, StorageClass: "STANDARD_IA" }),
  );
  await assertRejectsS3(
    () => s3.send(new RestoreObjectCommand({ Bucket: "vault", Key: "warm", RestoreRequest: { Days: 1 } })),
    "InvalidObjectState",
    403,
  );
  const started = await s3.send(
    new RestoreObjectCommand({ Bucket: "vault", Key: "deep", RestoreRequest: { Days: 1 } }),
  );
  assertEquals(started.$metadata.httpStatusCode, 202);
  await waitFor(
    async () =>
      ((await s3.send(new HeadObjectCommand({ Bucket: "vault", Key: "deep" }))).Restore ?? "").startsWith(
        'ongoing-request="false"',
      ),
    20_000,
    "the restore completes",
  );
  const head = await s3.send(new HeadObjectCommand({ Bucket: "vault", Key: "deep" }));
  assertEquals(head.StorageClass, "DEEP_ARCHIVE", "a restore leaves the storage class as it is");
  assert(/expiry-date="[^"]+ GMT"$/.test(head.Restore!), head.Restore);
  const got = await s3.send(new GetObjectCommand({ Bucket: "vault", Key: "deep" }));
  assertEquals(md5(await got.Body!.transformToByteArray()), md5(body));
  // The copy is on regional workers; asking again extends it (200).
  const pools = [...(await holders(cluster)).values()].map((workers) => workers[0][0]).sort().join("");
  assertEquals(pools, "azz", "the archived object, its restored copy (regional) and the IA object");
  await s3.send(new DeleteObjectCommand({ Bucket: "vault", Key: "warm" })); // fewer shards to count later
  const again = await s3.send(
    new RestoreObjectCommand({ Bucket: "vault", Key: "deep", RestoreRequest: { Days: 1 } }),
  );
  assertEquals(again.$metadata.httpStatusCode, 200);
  // A restored object can be copied out (into STANDARD), and copied onto itself within its class.
  await s3.send(new CopyObjectCommand({ Bucket: "vault", Key: "thawed", CopySource: "vault/deep" }));
  const thawed = await s3.send(new GetObjectCommand({ Bucket: "vault", Key: "thawed" }));
  assertEquals(md5(await thawed.Body!.transformToByteArray()), md5(body));
  await s3.send(
    new CopyObjectCommand({
      Bucket: "vault",
      Key: "deep",
      CopySource: "vault/deep",
      StorageClass: "DEEP_ARCHIVE",
      MetadataDirective: "REPLACE",
      Metadata: { note: "still archived" },
    }),
  );
  const relabelled = await s3.send(new HeadObjectCommand({ Bucket: "vault", Key: "deep" }));
  assertEquals(relabelled.Metadata?.note, "still archived");
  assertEquals(relabelled.StorageClass, "DEEP_ARCHIVE");
  // A lifecycle day is 2 s: the copy expires, GET is refused again, and the copy's shards are collected.
  await waitFor(
    async () => {
      try {
        const still = await s3.send(new GetObjectCommand({ Bucket: "vault", Key: "deep" }));
        await still.Body!.transformToByteArray(); // read it whole: an abandoned body resets the connection
        return false;
      } catch (error) {
        return (error as { name?: string }).name === "InvalidObjectState";
      }
    },
    20_000,
    "the restored copy expires",
  );
  await waitFor(
    async () =>
      (await s3.send(new HeadObjectCommand({ Bucket: "vault", Key: "deep" }))).Restore === undefined,
    20_000,
    "the expired restore is retired",
  );
  // Left: the archived object and the copy "thawed"; the restored copy and "warm" are collected.
  await waitFor(
    async () => (await holders(cluster)).size === 2,
    20_000,
    "the restored copy's shards are collected",
  );
  const metrics = await scrapeMetrics(cluster.endpoint);
  assertEquals(metrics.get("objstore_restores_completed_total"), 1);
  assertEquals(metrics.get("objstore_restored_bytes_total"), 600_000);
  assertEquals(metrics.get("objstore_restores_expired_total"), 1);
  s3.destroy();
});
