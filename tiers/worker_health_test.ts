import { assertEquals } from "../tests/support/asserts.ts";
import { Logger, Metrics, systemClock, Topology, WorkerPool } from "../storage/mod.ts";
import { type QuarantinedShardReport, WorkerHealth } from "./worker_health.ts";

const DATA_A = "a".repeat(32);
const DATA_B = "b".repeat(32);

/** A stand-in worker whose health answer the test sets; `await using` stops it. */
function fakeWorker(workerId: string) {
  const state: { quarantined: unknown[] | undefined; up: boolean } = { quarantined: [], up: true };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      state.up
        ? Response.json({ workerId, ok: true, quarantined: state.quarantined })
        : Response.json({ error: "unavailable", message: "down" }, { status: 503 }),
  );
  return {
    state,
    info: { id: workerId, url: `http://127.0.0.1:${server.addr.port}`, region: "r", zone: "z", weight: 1 },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

function healthOf(
  workers: { info: { id: string; url: string; region: string; zone: string; weight: number } }[],
) {
  const calls: [string, QuarantinedShardReport[]][] = [];
  const pool = new WorkerPool({
    topology: new Topology(workers.map((worker) => worker.info)),
    clusterSecret: "worker-health-test-secret",
    requestTimeoutMs: 5000,
  });
  const health = new WorkerHealth({
    pool,
    clock: systemClock,
    logger: new Logger("health-test", "error"),
    metrics: new Metrics(),
    onQuarantined: (workerId, shards) => calls.push([workerId, [...shards]]),
  });
  return { health, calls, pool };
}

Deno.test("WorkerHealth.checkAll() passes each newly quarantined shard to onQuarantined once", async () => {
  await using first = fakeWorker("w1");
  await using second = fakeWorker("w2");
  const { health, calls } = healthOf([first, second]);
  await health.checkAll();
  assertEquals(calls, []);

  first.state.quarantined = [{ dataId: DATA_A, shardIndex: 1, atMs: 10 }];
  await health.checkAll();
  await health.checkAll();
  assertEquals(calls, [["w1", [{ dataId: DATA_A, shardIndex: 1 }]]]);

  first.state.quarantined = [...first.state.quarantined, { dataId: DATA_B, shardIndex: 4, atMs: 20 }];
  second.state.quarantined = [{ dataId: DATA_A, shardIndex: 1, atMs: 15 }];
  await health.checkAll();
  await health.checkAll();
  assertEquals(calls.slice(1).sort((a, b) => a[0].localeCompare(b[0])), [
    ["w1", [{ dataId: DATA_B, shardIndex: 4 }]],
    ["w2", [{ dataId: DATA_A, shardIndex: 1 }]],
  ]);
});

Deno.test("WorkerHealth.checkAll() reports a shard quarantined again, and not a worker that stops answering", async () => {
  await using worker = fakeWorker("w1");
  const { health, calls } = healthOf([worker]);
  worker.state.quarantined = [{ dataId: DATA_A, shardIndex: 2, atMs: 10 }];
  await health.checkAll();
  worker.state.up = false;
  assertEquals(await health.checkAll(), 1);
  worker.state.up = true;
  await health.checkAll();
  // Repaired, then found corrupt again: a new quarantine of the same shard.
  worker.state.quarantined = [...worker.state.quarantined ?? [], { dataId: DATA_A, shardIndex: 2, atMs: 99 }];
  await health.checkAll();
  assertEquals(calls, [
    ["w1", [{ dataId: DATA_A, shardIndex: 2 }]],
    ["w1", [{ dataId: DATA_A, shardIndex: 2 }]],
  ]);
});

Deno.test("WorkerHealth.checkAll() ignores malformed entries and a missing list (older workers)", async () => {
  await using worker = fakeWorker("w1");
  const { health, calls } = healthOf([worker]);
  worker.state.quarantined = undefined;
  await health.checkAll();
  worker.state.quarantined = [{ dataId: "not-hex", shardIndex: 1, atMs: 1 }, { dataId: DATA_B, atMs: 2 }];
  await health.checkAll();
  assertEquals(calls, []);
  assertEquals(health.isUp("w1"), true);
});

Deno.test("WorkerHealth keeps running when onQuarantined throws", async () => {
  await using worker = fakeWorker("w1");
  const pool = new WorkerPool({
    topology: new Topology([worker.info]),
    clusterSecret: "worker-health-test-secret",
    requestTimeoutMs: 5000,
  });
  const health = new WorkerHealth({
    pool,
    clock: systemClock,
    logger: new Logger("health-test", "error"),
    metrics: new Metrics(),
    onQuarantined: () => {
      throw new Error("repair queue unavailable");
    },
  });
  worker.state.quarantined = [{ dataId: DATA_A, shardIndex: 0, atMs: 1 }];
  assertEquals(await health.checkAll(), 0);
  assertEquals(health.isUp("w1"), true);
});
