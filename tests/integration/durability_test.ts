/**
 * Nothing lost, nothing corrupt: degraded reads with 3 of 9 workers stopped, a flipped byte inside a
 * shard file, writes with 2 workers down, a gateway SIGKILLed mid-upload and restarted (no visible
 * object, no orphaned shard after GC), and GC of deleted and overwritten data.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";
import { quarantinedFiles, shardFiles, tempFiles, waitFor } from "../support/shard_files.ts";
import { streamingPut } from "../support/streaming_put.ts";

// Repair is kept out of the way here (an hour): these tests count the shards that GC leaves.
const GC_ENV = {
  OBJSTORE_GC_GRACE_MS: "1500",
  OBJSTORE_GC_INTERVAL_MS: "300",
  OBJSTORE_REPAIR_INTERVAL_MS: "3600000",
};
const SIZES = [1, 70_000, 1_000_003, 6 * 1024 * 1024 + 1, 13 * 1024 * 1024 + 7];

Deno.test("degraded reads: any 3 of 9 workers stopped, every object reads back byte-identical", async () => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  const objects = await putObjects(s3, "degraded");
  for (const down of [["z1-w1", "z1-w2", "z1-w3"], ["z1-w1", "z2-w2", "z3-w3"]]) {
    for (const id of down) await cluster.stopWorker(id);
    await assertAllReadBack(s3, "degraded", objects);
    for (const id of down) await cluster.startWorker(id);
  }
  s3.destroy();
});

Deno.test("writes succeed with 2 workers down and fail cleanly with 3 down (quorum k + 1)", async () => {
  await using cluster = await TestCluster.start({ gatewayEnv: GC_ENV });
  const s3 = cluster.client();
  await s3.send(new (await import("@aws-sdk/client-s3")).CreateBucketCommand({ Bucket: "quorum" }));
  await cluster.stopWorker("z2-w1");
  await cluster.stopWorker("z3-w2");
  const body = randomBytes(2_000_000);
  await s3.send(new PutObjectCommand({ Bucket: "quorum", Key: "seven", Body: body }));
  assertEquals(md5(await getBytes(s3, "quorum", "seven")), md5(body));
  await cluster.stopWorker("z1-w3");
  await assertRejectsS3(
    () => s3.send(new PutObjectCommand({ Bucket: "quorum", Key: "six", Body: randomBytes(2_000_000) })),
    "ServiceUnavailable",
    503,
  );
  await assertRejectsS3(
    () => s3.send(new HeadObjectCommand({ Bucket: "quorum", Key: "six" })),
    "NotFound",
    404,
  );
  for (const id of ["z2-w1", "z3-w2", "z1-w3"]) await cluster.startWorker(id);
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  // Only the 7 shards of "seven" survive once GC has removed what the failed write left behind.
  await waitFor(async () => (await shardFiles(dirs)).length === 7, 15_000, "GC of the failed write's shards");
  assertEquals(md5(await getBytes(s3, "quorum", "seven")), md5(body));
  s3.destroy();
});

Deno.test("a flipped byte in a shard file is never served: the read reconstructs and quarantines", async () => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  const objects = await putObjects(s3, "flip");
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  const files = await shardFiles(dirs);
  const dataShards = files.filter((path) => /\.0$/.test(path));
  for (const path of dataShards) {
    const bytes = await Deno.readFile(path);
    if (bytes.length <= 64 + 4) continue;
    const offset = 64 + Math.floor((bytes.length - 64) / 2);
    bytes[offset] ^= 0x01;
    await Deno.writeFile(path, bytes);
  }
  await assertAllReadBack(s3, "flip", objects);
  assert((await quarantinedFiles(dirs)).length > 0, "corrupt shards should be quarantined");
  s3.destroy();
});

Deno.test("a gateway killed mid-upload leaves no object and, after GC, no shard", async () => {
  await using cluster = await TestCluster.start({ gatewayEnv: GC_ENV });
  const s3 = cluster.client();
  await s3.send(new (await import("@aws-sdk/client-s3")).CreateBucketCommand({ Bucket: "crash" }));
  s3.destroy();
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  const totalBytes = 256 * 1024 * 1024;
  let sent = 0;
  let killed = false;
  const chunk = randomBytes(1024 * 1024);
  async function* body(): AsyncIterable<Uint8Array> {
    while (sent < totalBytes) {
      if (sent >= 40 * 1024 * 1024 && !killed) {
        killed = true;
        await cluster.stopGateway("SIGKILL");
      }
      sent += chunk.length;
      yield chunk;
    }
  }
  const outcome = await streamingPut(`${cluster.endpoint}/crash/big`, totalBytes, body())
    .then((response) => response.status, (error) => String(error));
  assert(killed, `the gateway should have been killed during the upload (outcome: ${outcome}, sent ${sent})`);
  assert(!(typeof outcome === "number" && outcome === 200), `the upload must not succeed, got ${outcome}`);
  await cluster.startGateway();
  const after = cluster.client();
  await assertRejectsS3(
    () => after.send(new HeadObjectCommand({ Bucket: "crash", Key: "big" })),
    "NotFound",
    404,
  );
  await waitFor(
    async () => (await shardFiles(dirs)).length === 0 && (await tempFiles(dirs)).length === 0,
    20_000,
    "no shard or temp file left",
  );
  after.destroy();
});

Deno.test("GC removes the shards of deleted and overwritten objects after the grace period", async () => {
  await using cluster = await TestCluster.start({ gatewayEnv: GC_ENV });
  const s3 = cluster.client();
  await s3.send(new (await import("@aws-sdk/client-s3")).CreateBucketCommand({ Bucket: "gc-test" }));
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  await s3.send(new PutObjectCommand({ Bucket: "gc-test", Key: "a", Body: randomBytes(500_000) }));
  await s3.send(new PutObjectCommand({ Bucket: "gc-test", Key: "b", Body: randomBytes(500_000) }));
  assertEquals((await shardFiles(dirs)).length, 18);
  await s3.send(new DeleteObjectCommand({ Bucket: "gc-test", Key: "a" }));
  const replacement = randomBytes(600_000);
  await s3.send(new PutObjectCommand({ Bucket: "gc-test", Key: "b", Body: replacement }));
  await waitFor(
    async () => (await shardFiles(dirs)).length === 9,
    15_000,
    "shards of a and the old b removed",
  );
  assertEquals(md5(await getBytes(s3, "gc-test", "b")), md5(replacement));
  s3.destroy();
});

async function putObjects(s3: S3Client, bucket: string): Promise<Map<string, string>> {
  await s3.send(new (await import("@aws-sdk/client-s3")).CreateBucketCommand({ Bucket: bucket }));
  const objects = new Map<string, string>();
  for (const size of SIZES) {
    const body = randomBytes(size);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `obj-${size}`, Body: body }));
    objects.set(`obj-${size}`, md5(body));
  }
  return objects;
}

async function assertAllReadBack(s3: S3Client, bucket: string, objects: Map<string, string>): Promise<void> {
  for (const [key, digest] of objects) assertEquals(md5(await getBytes(s3, bucket, key)), digest, key);
}

async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  return await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!
    .transformToByteArray();
}

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}
