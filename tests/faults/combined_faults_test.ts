/**
 * m = 3 faults at once under the mixed load: one worker SIGKILLed, another hung (SIGSTOP), and a byte
 * flipped in every shard file of a third. Every object then has exactly k healthy shards within reach, and
 * every acknowledged write must still read back byte-identical (never a corrupt byte). Once the workers
 * are back, repair replaces the corrupt shards, re-places what was written meanwhile and brings every object
 * back to k + m shards; the time that took and the repair throughput are printed.
 */
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { assertEquals } from "../support/asserts.ts";
import { shardLocations, waitFor } from "../support/shard_files.ts";
import { MixedLoad } from "./mixed_load.ts";
import { FAULT_ENV, RecoveryLog, waitForNoOrphans } from "./recovery.ts";

/** Flips one byte inside the first block of every shard file under `workerDir`; returns the corrupt files. */
async function flipBytes(workerDir: string): Promise<Map<string, Uint8Array>> {
  const corrupted = new Map<string, Uint8Array>();
  for (const { path } of await shardLocations([workerDir])) {
    const bytes = await Deno.readFile(path);
    // Past the 64-byte shard header, inside the first block's data.
    bytes[100 + (bytes.length % 50)] ^= 0x55;
    await Deno.writeFile(path, bytes);
    corrupted.set(path, bytes);
  }
  return corrupted;
}

/** True when the file at `path` is no longer the corrupt copy (rebuilt, or quarantined and not yet back). */
async function replaced(path: string, corrupt: Uint8Array): Promise<boolean> {
  try {
    const now = await Deno.readFile(path);
    return now.length !== corrupt.length || now.some((byte, i) => byte !== corrupt[i]);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false; // quarantined: wait for the rebuilt file
    throw error;
  }
}

Deno.test("m faults at once (killed, hung, corrupt): every write still reads back, then full redundancy", async () => {
  await using cluster = await TestCluster.start({ gatewayEnv: FAULT_ENV });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "load" }));
  const load = new MixedLoad(s3);
  await load.run(6);
  const log = new RecoveryLog();
  const [killed, hung, corrupt] = ["z1-w1", "z2-w2", "z3-w3"];

  await cluster.stopWorker(killed, "SIGKILL");
  cluster.signalWorker(hung, "SIGSTOP");
  let corrupted = new Map<string, Uint8Array>();
  let during;
  let readSeconds = 0;
  let loadSeconds = 0;
  try {
    corrupted = await flipBytes(cluster.workerDir(corrupt));
    // Three shards of every object out of reach or corrupt: each read needs all six others. (A read whose
    // data shard is on the hung worker waits for the worker timeout, so the reads here are few.)
    let started = performance.now();
    await load.checkAll();
    readSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    during = await load.run(3);
    loadSeconds = (performance.now() - started) / 1000;
  } finally {
    cluster.signalWorker(hung, "SIGCONT");
    await cluster.startWorker(killed);
  }
  console.log(
    `with 3 faults: ${corrupted.size} shard files corrupted; every object read back in ${
      readSeconds.toFixed(1)
    } s; ` +
      `then ${during.putsAcknowledged} of 3 writes acknowledged, ${during.readsServed} reads served and ` +
      `${during.readsFailed} failed in ${loadSeconds.toFixed(1)} s`,
  );

  const recovery = await log.start(cluster);
  await waitFor(
    async () =>
      (await Promise.all([...corrupted].map(([path, bytes]) => replaced(path, bytes)))).every(Boolean),
    45_000,
    `every corrupt shard file on ${corrupt} is rebuilt`,
  );
  await recovery.recovered(
    `${killed} SIGKILLed + ${hung} SIGSTOPped + bytes flipped on ${corrupt}, then back`,
  );
  await load.checkAll();

  const objects = await waitForNoOrphans(cluster, s3, "load");
  assertEquals(objects >= load.acknowledged.size, true, "every acknowledged write is listed");
  log.print(`combined faults, ${load.acknowledged.size} acknowledged objects`);
  s3.destroy();
});
