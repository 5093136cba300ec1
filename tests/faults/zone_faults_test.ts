/**
 * A whole zone down under the mixed load: the three workers of one zone SIGKILLed (a zone that is gone), or
 * SIGSTOPped (a zone cut off: requests to it hang and must time out). Reads go on from the other two zones;
 * once the heartbeat sees the zone down, writes go on too (k + m shards on the six workers that answer, some
 * holding two) and are acknowledged. When the zone returns, repair re-places those shards, so every object
 * again has k + m shards on k + m workers with at most m per zone — checked on disk. The time to full
 * redundancy and the repair throughput are printed.
 */
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { assert, assertEquals } from "../support/asserts.ts";
import { shardLocations, waitFor } from "../support/shard_files.ts";
import { MixedLoad } from "./mixed_load.ts";
import { FAULT_ENV, RecoveryLog, waitForNoOrphans } from "./recovery.ts";

/** Takes zone z2 down with `signal` under `rounds` of load, brings it back and checks everything. */
async function zoneOutage(signal: "SIGKILL" | "SIGSTOP", rounds: number): Promise<void> {
  await using cluster = await TestCluster.start({ gatewayEnv: FAULT_ENV });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "load" }));
  const load = new MixedLoad(s3);
  await load.run(8);
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  const before = new Set((await shardLocations(dirs)).map((shard) => shard.dataId));
  const log = new RecoveryLog();

  const zone = cluster.workerIds.filter((id) => id.startsWith("z2-"));
  let loadSeconds = 0;
  try {
    for (const id of zone) {
      if (signal === "SIGKILL") await cluster.stopWorker(id, "SIGKILL");
      else cluster.signalWorker(id, "SIGSTOP");
    }
    await waitFor(
      async () => (await scrapeMetrics(cluster.endpoint)).get("objstore_workers_down") === 3,
      15_000,
      "the heartbeat sees the zone down",
    );
    const started = performance.now();
    const during = await load.run(rounds);
    loadSeconds = (performance.now() - started) / 1000;
    assertEquals(during.putsFailed, 0, "every write with the zone down is acknowledged");
    assertEquals(during.readsFailed, 0, "every read with the zone down is served");
    // What the writes stored meanwhile: k + m shards each, none in the lost zone, so some worker holds two.
    const written = (await shardLocations(dirs)).filter((shard) => !before.has(shard.dataId));
    const writtenIds = new Set(written.map((shard) => shard.dataId));
    assertEquals(writtenIds.size, rounds, "one data id per acknowledged write");
    assertEquals(written.length, 9 * writtenIds.size, "k + m shards per write with the zone down");
    assert(
      written.every((shard) => !zone.some((id) => shard.workerDir === cluster.workerDir(id))),
      "no shard was written to the lost zone",
    );
  } finally {
    for (const id of zone) {
      if (signal === "SIGKILL") await cluster.startWorker(id);
      else cluster.signalWorker(id, "SIGCONT");
    }
  }
  const recovery = await log.start(cluster);
  await recovery.recovered(`zone z2 down (3 workers ${signal}) under load, then back`);
  await load.checkAll();

  const objects = await waitForNoOrphans(cluster, s3, "load");
  assertEquals(objects, load.acknowledged.size, "exactly the acknowledged writes are listed");
  log.print(
    `zone outage (${signal}), ${load.acknowledged.size} acknowledged objects; ${rounds} PUTs and GETs ` +
      `with the zone down took ${loadSeconds.toFixed(1)} s`,
  );
  s3.destroy();
}

Deno.test("a whole zone killed under a mixed load: reads and writes go on, and the zone rule comes back", async () => {
  await zoneOutage("SIGKILL", 8);
});

Deno.test("a whole zone hung (SIGSTOP) under a mixed load: requests time out, reads and writes go on", async () => {
  // Fewer rounds: a read whose data shard is in the hung zone waits out the worker timeout first.
  await zoneOutage("SIGSTOP", 4);
});
