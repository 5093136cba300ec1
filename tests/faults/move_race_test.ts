/**
 * A regression test for a race between movers. After a zone outage, the shards that writes placed against
 * the rules were moved by both the repairer (queued by the auditor) and the rebalancer, usually onto the same
 * worker, since both rank by rendezvous score. Whichever committed second failed its manifest check and
 * deleted "its" new copies by (worker, data id, shard index) — the copies the winner had just committed, the
 * old ones already gone — so the manifest named shards no disk held (up to m of one object). It failed in
 * about half the runs. Now the rebalancer leaves misplaced objects to the repairer, and every mover deletes a
 * copy only when the manifest as it stands does not name it (`tiers/shard_copies.ts`).
 */
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { shardLocations, waitFor } from "../support/shard_files.ts";
import { MixedLoad } from "./mixed_load.ts";
import { FAULT_ENV, waitForFullRedundancy } from "./recovery.ts";

/** Shard indexes 0 … k + m − 1 of every data id on disk. */
async function indexesOnDisk(dirs: readonly string[]): Promise<Map<string, Set<number>>> {
  const byData = new Map<string, Set<number>>();
  for (const { dataId, shardIndex } of await shardLocations(dirs)) {
    byData.set(dataId, (byData.get(dataId) ?? new Set()).add(shardIndex));
  }
  return byData;
}

Deno.test({
  name: "shards moved back after a zone outage are never missing from every disk (repair and rebalance race)",
  fn: async () => {
    await using cluster = await TestCluster.start({
      gatewayEnv: { ...FAULT_ENV, OBJSTORE_REBALANCE_INTERVAL_MS: "200" },
    });
    const s3 = cluster.client();
    await s3.send(new CreateBucketCommand({ Bucket: "load" }));
    const load = new MixedLoad(s3);
    await load.run(2);
    const zone = cluster.workerIds.filter((id) => id.startsWith("z2-"));
    for (const id of zone) await cluster.stopWorker(id, "SIGKILL");
    await waitFor(
      async () => (await scrapeMetrics(cluster.endpoint)).get("objstore_workers_down") === 3,
      15_000,
      "the heartbeat sees the zone down",
    );
    await load.run(30);
    for (const id of zone) await cluster.startWorker(id);

    // A listing is not atomic across workers (a move can slip between two dirs), so a shard counts as lost
    // only when two listings 150 ms apart both find it on no disk.
    const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
    const lost = new Map<string, number[]>();
    let watching = true;
    const watch = (async () => {
      let previous = new Map<string, Set<number>>();
      while (watching) {
        const now = await indexesOnDisk(dirs);
        for (const [dataId, indexes] of now) {
          const before = previous.get(dataId);
          if (before === undefined || lost.has(dataId)) continue;
          const gone = [...Array(9).keys()].filter((index) => !indexes.has(index) && !before.has(index));
          if (gone.length > 0) lost.set(dataId, gone);
        }
        previous = now;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    try {
      await waitForFullRedundancy(cluster, 45_000, "the zone came back");
    } finally {
      watching = false;
      await watch;
    }
    await load.checkAll();
    if (lost.size > 0) {
      throw new Error(
        `${lost.size} objects had committed shards on no disk while being healed: ` +
          [...lost].slice(0, 5).map(([dataId, gone]) => `${dataId} shards ${gone}`).join("; "),
      );
    }
    s3.destroy();
  },
});
