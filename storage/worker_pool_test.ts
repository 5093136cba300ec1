import { assert, assertEquals } from "../tests/support/asserts.ts";
import { Topology, type WorkerInfo } from "./topology.ts";
import { WorkerPool } from "./worker_pool.ts";
import { startTestWorker, TEST_SECRET } from "./worker/test_support.ts";

function info(id: string, url: string): WorkerInfo {
  return { id, url, region: "r", zone: "z1", weight: 1 };
}

Deno.test("WorkerPool keeps the clients of workers that stay and releases the local reads of workers that leave", async () => {
  await using worker = await startTestWorker();
  const other = info("w-other", "http://127.0.0.1:1");
  const pool = new WorkerPool({
    topology: new Topology([info("w-test", worker.baseUrl), other]),
    clusterSecret: TEST_SECRET,
    requestTimeoutMs: 5_000,
    localShardReads: true,
  });
  const client = pool.client("w-test")!;
  await client.health();
  assert(client.readsLocally, "the test worker shares this process's files");

  pool.setTopology(new Topology([info("w-test", worker.baseUrl)]));
  assertEquals(pool.client("w-test"), client, "a worker that stays keeps its client");
  assert(client.readsLocally);
  assertEquals(pool.client("w-other"), undefined);

  pool.setTopology(new Topology([other]));
  assert(!client.readsLocally, "a worker that left has its token file closed");

  const off = new WorkerPool({
    topology: new Topology([info("w-test", worker.baseUrl)]),
    clusterSecret: TEST_SECRET,
    requestTimeoutMs: 5_000,
  });
  await off.client("w-test")!.health();
  assert(!off.client("w-test")!.readsLocally, "local reads are off unless asked for");
});
