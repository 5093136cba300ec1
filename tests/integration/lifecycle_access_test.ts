/**
 * Cold detection by access through a real gateway with a 2-second lifecycle day and an archive pool: a
 * `NotAccessedTransition` rule (sent as signed XML: the SDK does not know our extension) moves an object
 * nobody reads to GLACIER_IR, while an object read every half second stays STANDARD, and moves too once the
 * reads stop. HEAD requests are not reads: the idle object is polled with HEAD all along.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { assert, assertEquals, randomBytes } from "../support/asserts.ts";
import { signedFetch } from "../support/signed_fetch.ts";
import { waitFor } from "../support/shard_files.ts";

const BUCKET = "media";
const DAY_MS = 2000;
const RULE = `<LifecycleConfiguration><Rule><ID>cold</ID><Filter><Prefix></Prefix></Filter>` +
  `<Status>Enabled</Status><NotAccessedTransition><Days>2</Days><StorageClass>GLACIER_IR</StorageClass>` +
  `</NotAccessedTransition></Rule></LifecycleConfiguration>`;

async function storageClass(s3: S3Client, key: string): Promise<string> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  return head.StorageClass ?? "STANDARD";
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GETs `key` (reading the whole body) every `everyMs` until stopped; `reads` counts them. */
function readEvery(s3: S3Client, key: string, everyMs: number) {
  const state = { stopped: false, reads: 0 };
  const loop = (async () => {
    while (!state.stopped) {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      await got.Body!.transformToByteArray();
      state.reads++;
      await sleep(everyMs);
    }
  })();
  return {
    get reads() {
      return state.reads;
    },
    async stop() {
      state.stopped = true;
      await loop;
    },
  };
}

Deno.test("NotAccessedTransition moves an unread object to GLACIER_IR and keeps a read one until reads stop", async () => {
  await using cluster = await TestCluster.start({
    archiveZones: 4,
    archiveWorkersPerZone: 2,
    gatewayEnv: {
      OBJSTORE_LIFECYCLE_DAY_SECONDS: String(DAY_MS / 1000),
      OBJSTORE_LIFECYCLE_INTERVAL_MS: "200",
    },
  });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  // Above the inline threshold: objects kept in the metadata are too small to move.
  for (const key of ["hot", "idle"]) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: randomBytes(200_000) }));
  }
  const reader = readEvery(s3, "hot", 500);
  try {
    const md5 = createHash("md5").update(RULE).digest("base64");
    const put = await signedFetch(`${cluster.endpoint}/${BUCKET}?lifecycle`, {
      method: "PUT",
      body: RULE,
      headers: { "content-md5": md5 },
    });
    assertEquals(put.status, 200, await put.text());

    // Due 2 days (4 s) after its creation, rounded up to the next 2-second midnight.
    await waitFor(async () => await storageClass(s3, "idle") === "GLACIER_IR", 15_000, "idle moves");
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "idle" }));
    assertEquals((await got.Body!.transformToByteArray()).length, 200_000, "GLACIER_IR reads back directly");

    // Three more lifecycle days of reads: "hot" stays where it is.
    const until = Date.now() + 3 * DAY_MS;
    while (Date.now() < until) {
      assertEquals(await storageClass(s3, "hot"), "STANDARD", `after ${reader.reads} reads`);
      await sleep(250);
    }
    const metrics = await scrapeMetrics(cluster.endpoint);
    const written = metrics.get("objstore_access_records_written_total") ?? 0;
    assert(written >= 1 && written <= reader.reads + 1, `${written} records for ${reader.reads} reads`);
    console.log(`access records written: ${written} for ${reader.reads} reads of one object`);
  } finally {
    await reader.stop();
  }
  await waitFor(async () => await storageClass(s3, "hot") === "GLACIER_IR", 15_000, "hot moves once unread");
  s3.destroy();
});
