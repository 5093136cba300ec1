/**
 * Lifecycle rules carried out by a real gateway with a 2-second lifecycle day: current versions expire
 * (deleted in an unversioned bucket; a delete marker in a versioned one), noncurrent versions and the
 * expired delete marker go after them, incomplete multipart uploads are aborted, and objects outside a
 * rule's filter stay.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { assert, assertEquals, randomBytes } from "../support/asserts.ts";
import { waitFor } from "../support/shard_files.ts";

const ENV = { OBJSTORE_LIFECYCLE_DAY_SECONDS: "2", OBJSTORE_LIFECYCLE_INTERVAL_MS: "200" };

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
  await s3.send(new PutObjectCommand({ Bucket: "logs", Key: "tmp/new", Body: "fresh" }));
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
