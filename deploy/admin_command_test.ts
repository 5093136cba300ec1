import { assertEquals } from "../tests/support/asserts.ts";
import { progressBar, renderHealth } from "./admin_command.ts";

Deno.test("progressBar: 20 characters and a percentage, clamped", () => {
  assertEquals(progressBar(0, 10), "[....................] 0%");
  assertEquals(progressBar(5, 10), "[##########..........] 50%");
  assertEquals(progressBar(12, 10), "[####################] 100%");
  assertEquals(progressBar(0, 0), "[####################] 100%");
});

Deno.test("renderHealth: workers down, the repair queue and the audit pass", () => {
  const text = renderHealth({
    workers: [
      { workerId: "z1-w1", zone: "zone-1", up: true, downSinceMs: null },
      { workerId: "z1-w2", zone: "zone-1", up: false, downSinceMs: 1_000 },
    ],
    repair: { queued: 1, rebuiltShards: 3, rebuiltBytes: 3000, failures: 2 },
    audit: {
      passes: 0,
      shardsChecked: 18,
      shardsMissing: 1,
      scrubbedBytes: 0,
      corruptShards: 0,
      position: "80000000aa",
    },
    rebalance: {
      settled: false,
      position: "40000000",
      movedShards: 4,
      movedBytes: 4096,
      pendingShards: 1,
      draining: ["z1-w1"],
    },
  }, 61_000);
  assertEquals(text.split("\n"), [
    "workers: 1 of 2 up",
    "  z1-w2 (zone-1) down for 60 s",
    "repair: 1 data ids queued, 3 shards rebuilt (3000 bytes), 2 failed attempts [###############.....] 75%",
    "audit: pass 1 [##########..........] 50%, 18 shards checked, 1 missing, 0 bytes scrubbed, 0 corrupt",
    "rebalance: running [#####...............] 25%, 4 shards moved (4096 bytes), 1 waiting, draining z1-w1",
  ]);
});
