/**
 * The fault suite: a mixed load of PUTs and GETs through the AWS SDK against a real cluster while faults are
 * injected one after another — a worker killed (SIGKILL) and restarted, a worker hung (SIGSTOP) so that
 * requests to it must time out, a worker's disk wiped, bytes flipped in shard files, the gateway killed
 * mid-upload. After each: every acknowledged write reads back byte-identical, no corrupt byte is served, and
 * repair brings every object back to k + m shards on k + m workers; the time that took and the repair
 * throughput are printed. At the end no orphaned shard remains once GC has run. Zone outages, a full disk
 * and faults combined are in the files beside this one.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";
import { shardFiles, shardLocations } from "../support/shard_files.ts";
import { streamingPut } from "../support/streaming_put.ts";
import { md5, MixedLoad } from "./mixed_load.ts";
import { FAULT_ENV, RecoveryLog, waitForNoOrphans } from "./recovery.ts";

Deno.test("fault suite: kill, hang, wipe and corrupt workers and kill the gateway under a mixed load", async (t) => {
  await using cluster = await TestCluster.start({ gatewayEnv: FAULT_ENV });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "load" }));
  const load = new MixedLoad(s3);
  await load.run(8);
  const log = new RecoveryLog();

  await t.step("a worker killed under load, then back", async () => {
    await cluster.stopWorker("z1-w2", "SIGKILL");
    await load.run(6);
    await cluster.startWorker("z1-w2");
    await (await log.start(cluster)).recovered("SIGKILL of z1-w2");
    await load.checkAll();
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
    await (await log.start(cluster)).recovered("SIGSTOP of z2-w1");
    await load.checkAll();
  });

  await t.step("a wiped disk is refilled", async () => {
    await cluster.stopWorker("z3-w3");
    await Deno.remove(cluster.workerDir("z3-w3"), { recursive: true });
    await cluster.startWorker("z3-w3");
    const recovery = await log.start(cluster);
    await load.run(3);
    await recovery.recovered("wiped z3-w3");
    await load.checkAll();
  });

  await t.step("flipped bytes are never served and are repaired", async () => {
    const recovery = await log.start(cluster);
    const files = await shardFiles(cluster.workerIds.map((id) => cluster.workerDir(id)));
    for (const path of files.filter((_, i) => i % 7 === 0).slice(0, 4)) {
      const bytes = await Deno.readFile(path);
      bytes[100 + (bytes.length % 50)] ^= 0x55;
      await Deno.writeFile(path, bytes);
    }
    await load.checkAll();
    await recovery.recovered("flipped bytes in 4 shard files");
    await load.checkAll();
  });

  await t.step("a gateway killed mid-upload: no partial object after the restart", async () => {
    // One large streaming upload, and beside it small SDK PUTs five at a time; the gateway dies under both.
    const totalBytes = 64 * 1024 * 1024;
    const burstClient = cluster.client();
    const burst = new Map<string, { digest: string; acknowledged: boolean }>();
    const chunk = randomBytes(1024 * 1024);
    let sent = 0;
    let killed = false;
    async function* body(): AsyncIterable<Uint8Array> {
      while (sent < totalBytes) {
        if (sent >= 8 * 1024 * 1024 && !killed) {
          // Mid-upload, and with small PUTs done and under way beside it (waited for, within bounds).
          const deadline = Date.now() + 10_000;
          while ([...burst.values()].filter((put) => put.acknowledged).length < 5 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          killed = true;
          await cluster.stopGateway("SIGKILL");
        }
        sent += chunk.length;
        yield chunk;
      }
    }
    const burstWriter = async (writer: number) => {
      for (let i = 0; !killed && i < 50; i++) {
        const key = `burst-${writer}-${i}`;
        const bytes = randomBytes(100_000 + 20_000 * writer + 7_000 * i);
        burst.set(key, { digest: md5(bytes), acknowledged: false });
        try {
          await burstClient.send(new PutObjectCommand({ Bucket: "load", Key: key, Body: bytes }));
          burst.set(key, { digest: md5(bytes), acknowledged: true });
        } catch {
          return; // the gateway is gone
        }
      }
    };
    const writers = [0, 1, 2, 3, 4].map(burstWriter);
    const outcome = await streamingPut(`${cluster.endpoint}/load/crashed-upload`, totalBytes, body())
      .then((response) => response.status, (error) => String(error));
    await Promise.all(writers);
    burstClient.destroy();
    assert(
      killed,
      `the gateway should have been killed during the upload (outcome: ${outcome}, sent ${sent})`,
    );
    assert(outcome !== 200, "the upload must not succeed");
    await cluster.startGateway();
    const dataIdsLeft = new Set(
      (await shardLocations(cluster.workerIds.map((id) => cluster.workerDir(id)))).map((shard) =>
        shard.dataId
      ),
    ).size;
    // The old client's pooled connections died with the gateway.
    load.s3.destroy();
    load.s3 = cluster.client();
    await assertRejectsS3(
      () => load.s3.send(new HeadObjectCommand({ Bucket: "load", Key: "crashed-upload" })),
      "NotFound",
      404,
    );
    // An acknowledged PUT is there; one cut off by the crash is either absent or whole, never partial.
    let cutOff = 0;
    for (const [key, { digest, acknowledged }] of burst) {
      if (acknowledged) {
        load.acknowledged.set(key, digest);
        continue;
      }
      cutOff++;
      try {
        const got = await load.s3.send(new GetObjectCommand({ Bucket: "load", Key: key }));
        assertEquals(
          md5(await got.Body!.transformToByteArray()),
          digest,
          `bytes of ${key}, cut off by the crash`,
        );
      } catch (error) {
        if (!(error instanceof Error && error.name === "NoSuchKey")) throw error;
      }
    }
    console.log(
      `gateway killed after ${sent / 1024 / 1024} MiB of the large upload, with ${
        burst.size - cutOff
      } small ` +
        `PUTs acknowledged and ${cutOff} cut off; after the restart ${dataIdsLeft} data ids on disk for ` +
        `${(await load.s3.send(new ListObjectsV2Command({ Bucket: "load" }))).KeyCount} listed objects`,
    );
    const recovery = await log.start(cluster);
    const after = await load.run(3);
    assertEquals(after.putsFailed, 0, "the restarted gateway takes writes");
    await recovery.recovered("gateway SIGKILLed mid-upload");
    await load.checkAll();
  });

  await t.step("no orphaned shard remains once GC has run", async () => {
    const objects = await waitForNoOrphans(cluster, load.s3, "load");
    assert(objects >= load.acknowledged.size, "every acknowledged write is listed");
  });

  log.print(`fault suite, ${load.acknowledged.size} acknowledged objects`);
  load.s3.destroy();
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
