import { assert, assertEquals } from "./test_assert.ts";
import { DEFAULT_QUARANTINE_LOG_ENTRIES, QuarantineLog } from "./quarantine_log.ts";
import { type HealthResponseBody, MAX_JSON_BODY_BYTES } from "./worker_protocol.ts";

const DATA_ID = "0123456789abcdef0123456789abcdef";

Deno.test("QuarantineLog.list() keeps the newest entries, oldest first, and total counts them all", () => {
  const log = new QuarantineLog(3);
  for (let index = 0; index < 5; index++) log.record({ dataId: DATA_ID, shardIndex: index }, 100 + index);
  assertEquals(log.list().map((entry) => [entry.shardIndex, entry.atMs]), [[2, 102], [3, 103], [4, 104]]);
  assertEquals(log.total, 5);
});

Deno.test("A health answer with a full quarantine log fits the JSON body limit of clients", () => {
  const log = new QuarantineLog();
  for (let index = 0; index < DEFAULT_QUARANTINE_LOG_ENTRIES + 10; index++) {
    log.record({ dataId: "f".repeat(32), shardIndex: 255 }, 9_999_999_999_999);
  }
  const body: HealthResponseBody = {
    workerId: "x".repeat(64),
    ok: true,
    scrub: {
      bytesPerSecond: Number.MAX_SAFE_INTEGER,
      passesCompleted: Number.MAX_SAFE_INTEGER,
      filesVerified: Number.MAX_SAFE_INTEGER,
      bytesVerified: Number.MAX_SAFE_INTEGER,
      corruptShards: Number.MAX_SAFE_INTEGER,
      readErrors: Number.MAX_SAFE_INTEGER,
    },
    quarantined: log.list(),
    quarantinedTotal: log.total,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(body)).length;
  assert(bytes < MAX_JSON_BODY_BYTES, `${bytes} bytes`);
});
