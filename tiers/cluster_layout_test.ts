import { assert, assertEquals, assertRejects } from "../tests/support/asserts.ts";
import { openTempCatalog } from "../storage/meta/meta_test_support.ts";
import { Logger, StoreError, Topology, type WorkerInfo, WorkerPool } from "../storage/mod.ts";
import { ClusterLayout, placementRoom } from "./cluster_layout.ts";

function worker(id: string): WorkerInfo {
  return { id, url: `http://127.0.0.1:1/${id}`, region: "r", zone: id.slice(0, 2), weight: 1 };
}

const NINE = ["z1-a", "z1-b", "z1-c", "z2-a", "z2-b", "z2-c", "z3-a", "z3-b", "z3-c"].map(worker);

function newLayout(catalog: Awaited<ReturnType<typeof openTempCatalog>>["catalog"]) {
  const pool = new WorkerPool({ topology: new Topology(NINE), clusterSecret: "s", requestTimeoutMs: 1000 });
  const layout = new ClusterLayout({
    catalog,
    pool,
    configured: NINE,
    totalShards: 9,
    maxShardsPerZone: 3,
    logger: new Logger("test", "error"),
  });
  return { pool, layout };
}

Deno.test("placementRoom: one shard per worker, at most the zone limit per zone", () => {
  assertEquals(placementRoom(NINE, 3), 9);
  assertEquals(placementRoom(NINE.slice(1), 3), 8);
  assertEquals(placementRoom([...NINE, worker("z1-d")], 3), 9);
  assertEquals(placementRoom(NINE, 1), 3);
});

Deno.test("ClusterLayout: added and draining workers reach the pool and every gateway that refreshes", async () => {
  await using temp = await openTempCatalog();
  const { pool, layout } = newLayout(temp.catalog);
  await layout.refresh();
  assertEquals(layout.epoch, 1);
  await layout.addWorker(worker("z1-d"));
  assertEquals(layout.epoch, 2);
  assert(pool.client("z1-d") !== undefined);
  assertEquals(pool.topology.placementWorkers.length, 10);
  await layout.drainWorker("z1-a");
  assertEquals(pool.topology.placementWorkers.map((w) => w.id).includes("z1-a"), false);
  assert(pool.client("z1-a") !== undefined, "a draining worker still serves reads");
  assertEquals(layout.workers().find((w) => w.id === "z1-a")?.state, "draining");

  // A second gateway on the same metadata sees the same layout.
  const other = newLayout(temp.catalog);
  await other.layout.refresh();
  assertEquals(other.pool.topology.workers.map((w) => w.id), pool.topology.workers.map((w) => w.id));
  assertEquals([...other.pool.topology.draining], ["z1-a"]);

  // Drained workers leave only if the layout did not change since the pass began.
  assertEquals(await layout.finishDrain(["z1-a"], 2), false);
  assertEquals(await layout.finishDrain(["z1-a"], 3), true);
  assertEquals(pool.client("z1-a"), undefined);
  assertEquals(pool.topology.workers.length, 9);
  await other.layout.refresh();
  assertEquals(other.pool.client("z1-a"), undefined);
});

Deno.test("ClusterLayout: refused changes say why and change nothing", async () => {
  await using temp = await openTempCatalog();
  const { layout } = newLayout(temp.catalog);
  const refused = async (change: () => Promise<unknown>, text: string) => {
    const error = await assertRejects(change);
    assert(error instanceof StoreError && error.message.includes(text), String(error));
  };
  await refused(() => layout.addWorker(worker("z2-b")), "already part of the cluster");
  await refused(() => layout.drainWorker("nope"), "No worker nope");
  await refused(() => layout.drainWorker("z2-b"), "room for 8 shards");
  assertEquals(layout.epoch, 1);
  assertEquals(await temp.catalog.getLayout(), null);
  await layout.addWorker(worker("z2-d"));
  await layout.drainWorker("z2-b");
  await refused(() => layout.drainWorker("z2-b"), "already draining");
  await refused(() => layout.drainWorker("z2-a"), "room for 8 shards");
});
