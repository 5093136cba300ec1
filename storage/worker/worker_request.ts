/**
 * Parses a worker HTTP request (method and URL) into a typed operation, or into the error to answer.
 * Pure: no I/O, so it is table-tested. Path segments are matched raw (never percent-decoded), so
 * `%2e%2e`, `%2f` and friends are simply not hex digits and are refused.
 */

import { MAX_BLOCK_BYTES, MAX_OBJECT_BYTES, StoreError } from "../core/mod.ts";
import { parseShardName, type ShardName } from "./shard_name.ts";
import {
  HEALTH_PATH,
  MAX_SHARD_LIST_PAGE,
  SHARD_LIST_PATH,
  SHARDS_PATH_PREFIX,
  type WorkerErrorKind,
} from "./worker_protocol.ts";

/** What a request asks the worker to do. */
export type WorkerOperation =
  | { kind: "health" }
  | { kind: "put_shard"; shard: ShardName; blockSizeBytes: number; dataLength: number }
  | { kind: "get_shard"; shard: ShardName; firstBlock: number; blockCount: number | null }
  | { kind: "head_shard"; shard: ShardName }
  | { kind: "delete_shard"; shard: ShardName; unmodifiedSinceMs: number | null }
  | { kind: "list_shards"; after: ShardName | null; limit: number };

/** The operation, or the error response a request deserves. */
export type ParsedWorkerRequest =
  | { ok: true; operation: WorkerOperation }
  | { ok: false; error: WorkerErrorKind; message: string };

/** Parses `method url` into an operation. */
export function parseWorkerRequest(method: string, url: URL): ParsedWorkerRequest {
  try {
    return { ok: true, operation: parseOperation(method, url) };
  } catch (error) {
    if (error instanceof RouteError) return { ok: false, error: error.kind, message: error.message };
    if (error instanceof StoreError) return { ok: false, error: error.kind, message: error.message };
    throw error;
  }
}

class RouteError extends Error {
  constructor(readonly kind: WorkerErrorKind, message: string) {
    super(message);
  }
}

function parseOperation(method: string, url: URL): WorkerOperation {
  const path = url.pathname;
  if (path === HEALTH_PATH) {
    requireMethod(method, path, ["GET"]);
    return { kind: "health" };
  }
  if (path === SHARD_LIST_PATH) {
    requireMethod(method, path, ["GET"]);
    const after = url.searchParams.get("after") ?? "";
    const dot = after.indexOf(".");
    return {
      kind: "list_shards",
      after: after === ""
        ? null
        : parseShardName(after.slice(0, dot < 0 ? after.length : dot), after.slice(dot + 1)),
      limit: integerParam(url.searchParams, "limit", 1, MAX_SHARD_LIST_PAGE) ?? MAX_SHARD_LIST_PAGE,
    };
  }
  if (!path.startsWith(SHARDS_PATH_PREFIX)) {
    throw new RouteError("route_not_found", `No route for ${method} ${path.slice(0, 200)}`);
  }
  const segments = path.slice(SHARDS_PATH_PREFIX.length).split("/");
  if (segments.length !== 2) {
    throw new RouteError(
      "route_not_found",
      `Expected /v1/shards/{dataId}/{shardIndex}, got ${path.slice(0, 200)}`,
    );
  }
  requireMethod(method, path, ["PUT", "GET", "HEAD", "DELETE"]);
  const shard = parseShardName(segments[0], segments[1]);
  const query = url.searchParams;
  switch (method) {
    case "PUT":
      return {
        kind: "put_shard",
        shard,
        blockSizeBytes: integerParam(query, "blockSize", 1, MAX_BLOCK_BYTES) ?? missing("blockSize"),
        dataLength: integerParam(query, "dataLength", 0, MAX_OBJECT_BYTES) ?? missing("dataLength"),
      };
    case "GET":
      return {
        kind: "get_shard",
        shard,
        firstBlock: integerParam(query, "firstBlock", 0, Number.MAX_SAFE_INTEGER) ?? 0,
        blockCount: integerParam(query, "blockCount", 1, Number.MAX_SAFE_INTEGER),
      };
    case "HEAD":
      return { kind: "head_shard", shard };
    default:
      return {
        kind: "delete_shard",
        shard,
        unmodifiedSinceMs: integerParam(query, "unmodifiedSinceMs", 0, Number.MAX_SAFE_INTEGER),
      };
  }
}

function requireMethod(method: string, path: string, allowed: readonly string[]): void {
  if (!allowed.includes(method)) {
    throw new RouteError("method_not_allowed", `${path} accepts ${allowed.join(", ")}, got ${method}`);
  }
}

/** The integer query parameter `name` within min..max, or null when absent. */
function integerParam(query: URLSearchParams, name: string, min: number, max: number): number | null {
  const values = query.getAll(name);
  if (values.length === 0) return null;
  if (values.length > 1) {
    throw new RouteError("invalid_argument", `Expected one ${name}, got ${values.length}`);
  }
  const text = values[0];
  const value = /^(0|[1-9][0-9]{0,15})$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new RouteError(
      "invalid_argument",
      `Expected ${name} to be a whole number in ${min}..${max}, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return value;
}

function missing(name: string): never {
  throw new RouteError("invalid_argument", `Missing query parameter ${name}`);
}
