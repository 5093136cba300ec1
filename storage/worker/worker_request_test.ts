import { assertEquals } from "./test_assert.ts";
import { parseWorkerRequest, type WorkerOperation } from "./worker_request.ts";

const DATA_ID = "0123456789abcdef0123456789abcdef";
const SHARD = { dataId: DATA_ID, shardIndex: 4 };
const BASE = "http://127.0.0.1:1";

function parse(method: string, path: string) {
  return parseWorkerRequest(method, new URL(path, BASE));
}

Deno.test("parseWorkerRequest() turns each route into its operation", () => {
  const cases: [method: string, path: string, operation: WorkerOperation][] = [
    ["GET", "/v1/health", { kind: "health" }],
    ["PUT", `/v1/shards/${DATA_ID}/4?blockSize=16&dataLength=0`, {
      kind: "put_shard",
      shard: SHARD,
      blockSizeBytes: 16,
      dataLength: 0,
    }],
    ["GET", `/v1/shards/${DATA_ID}/4`, { kind: "get_shard", shard: SHARD, firstBlock: 0, blockCount: null }],
    ["GET", `/v1/shards/${DATA_ID}/4?firstBlock=3&blockCount=2`, {
      kind: "get_shard",
      shard: SHARD,
      firstBlock: 3,
      blockCount: 2,
    }],
    ["HEAD", `/v1/shards/${DATA_ID}/4`, { kind: "head_shard", shard: SHARD }],
    ["DELETE", `/v1/shards/${DATA_ID}/4`, { kind: "delete_shard", shard: SHARD, unmodifiedSinceMs: null }],
    ["DELETE", `/v1/shards/${DATA_ID}/4?unmodifiedSinceMs=1700000000000`, {
      kind: "delete_shard",
      shard: SHARD,
      unmodifiedSinceMs: 1_700_000_000_000,
    }],
    ["GET", "/v1/shards", { kind: "list_shards", after: null, limit: 500 }],
    ["GET", `/v1/shards?after=${DATA_ID}.4&limit=20`, { kind: "list_shards", after: SHARD, limit: 20 }],
  ];
  for (const [method, path, operation] of cases) {
    assertEquals(parse(method, path), { ok: true, operation }, `${method} ${path}`);
  }
});

Deno.test("parseWorkerRequest() answers bad routes, names and parameters with the right error", () => {
  const shard = `/v1/shards/${DATA_ID}/4`;
  const cases: [method: string, path: string, error: string][] = [
    ["GET", "/", "route_not_found"],
    ["PUT", "/v1/shards", "method_not_allowed"],
    ["GET", "/v1/shards?limit=501", "invalid_argument"],
    ["GET", "/v1/shards?limit=0", "invalid_argument"],
    ["GET", `/v1/shards?after=${DATA_ID}`, "invalid_argument"],
    ["GET", "/v1/shards?after=../x.1", "invalid_argument"],
    ["GET", `/v1/shards/${DATA_ID}`, "route_not_found"],
    ["GET", `${shard}/extra`, "route_not_found"],
    ["GET", "/v1/shards/../../etc/passwd", "route_not_found"],
    ["POST", shard, "method_not_allowed"],
    ["PUT", "/v1/health", "method_not_allowed"],
    ["GET", `/v1/shards/${DATA_ID.toUpperCase()}/4`, "invalid_argument"],
    ["GET", `/v1/shards/%2e%2e%2f%2e%2e${DATA_ID.slice(14)}/4`, "invalid_argument"],
    ["GET", `/v1/shards/${DATA_ID}/256`, "invalid_argument"],
    ["GET", `/v1/shards/${DATA_ID}/%34`, "invalid_argument"],
    ["PUT", `${shard}?dataLength=10`, "invalid_argument"],
    ["PUT", `${shard}?blockSize=16`, "invalid_argument"],
    ["PUT", `${shard}?blockSize=0&dataLength=10`, "invalid_argument"],
    ["PUT", `${shard}?blockSize=16777217&dataLength=10`, "invalid_argument"],
    ["PUT", `${shard}?blockSize=16&dataLength=-1`, "invalid_argument"],
    ["PUT", `${shard}?blockSize=16&dataLength=1e3`, "invalid_argument"],
    ["PUT", `${shard}?blockSize=16&blockSize=16&dataLength=1`, "invalid_argument"],
    ["GET", `${shard}?blockCount=0`, "invalid_argument"],
    ["GET", `${shard}?firstBlock=x`, "invalid_argument"],
  ];
  for (const [method, path, error] of cases) {
    const parsed = parse(method, path);
    assertEquals(parsed.ok ? "ok" : parsed.error, error, `${method} ${path}`);
  }
});

Deno.test("parseWorkerRequest() accepts the largest block size, 16 MiB", () => {
  const parsed = parse("PUT", `/v1/shards/${DATA_ID}/0?blockSize=16777216&dataLength=1`);
  assertEquals(parsed.ok, true);
});
