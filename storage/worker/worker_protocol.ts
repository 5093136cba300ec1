/**
 * The worker's internal HTTP protocol, shared by `worker_server.ts` and `worker_client.ts`: paths,
 * header names, the JSON error body and the one table from error kinds to HTTP statuses.
 *
 *   PUT    /v1/shards/{dataId}/{shardIndex}?blockSize=N&dataLength=L   body: frames -> 201 JSON
 *   GET    /v1/shards/{dataId}/{shardIndex}?firstBlock=a&blockCount=b   -> 200 frames
 *   HEAD   /v1/shards/{dataId}/{shardIndex}                             -> 200 headers only
 *   DELETE /v1/shards/{dataId}/{shardIndex}                             -> 204 (also when absent)
 *   GET    /v1/health                                                   -> 200 JSON
 */

import type { StoreErrorKind } from "../core/mod.ts";
import { formatShardName, type ShardName } from "./shard_name.ts";

/** Path of the health check. */
export const HEALTH_PATH = "/v1/health";
/** Prefix of every shard path. */
export const SHARDS_PATH_PREFIX = "/v1/shards/";

/** Response header: block size of the shard. */
export const BLOCK_SIZE_HEADER = "x-objstore-block-size";
/** Response header: data length of the whole shard. */
export const DATA_LENGTH_HEADER = "x-objstore-data-length";
/** Response header: index of the first frame in the body. */
export const FIRST_BLOCK_HEADER = "x-objstore-first-block";
/** Response header: number of frames in the body. */
export const BLOCK_COUNT_HEADER = "x-objstore-block-count";

/** Response header naming the error kind, so errors are classified even without a body (HEAD). */
export const ERROR_KIND_HEADER = "x-objstore-error";

/** Error kinds on the wire: the store's kinds plus a few that only the HTTP layer meets. */
export type WorkerErrorKind =
  | StoreErrorKind
  | "invalid_range"
  | "route_not_found"
  | "method_not_allowed"
  | "internal_error";

/** Body of every error response. */
export interface WorkerErrorBody {
  /** Machine-readable kind. */
  error: WorkerErrorKind;
  /** What was expected and what came instead. */
  message: string;
}

/** Body of a successful PUT. */
export interface PutShardResponseBody {
  /** Length of the stored shard's data. */
  dataLength: number;
  /** Number of blocks stored. */
  blocks: number;
  /** CRC32 over the concatenated 4-byte block checksums. */
  checksum: number;
}

/** Body of the health check. */
export interface HealthResponseBody {
  /** The worker's configured id. */
  workerId: string;
  /** True while the worker serves requests. */
  ok: boolean;
}

/** HTTP status of each error kind. */
export function statusOfErrorKind(kind: WorkerErrorKind): number {
  switch (kind) {
    case "invalid_argument":
    case "corrupt_block":
    case "incomplete_body":
    case "bad_digest":
      return 400;
    case "unauthorized":
      return 403;
    case "shard_not_found":
    case "route_not_found":
      return 404;
    case "method_not_allowed":
      return 405;
    case "invalid_range":
      return 416;
    case "unavailable":
      return 503;
    case "disk_full":
      return 507;
    default:
      return 500;
  }
}

/** Path and query of a shard request (`query` values are already numbers, so need no escaping). */
export function shardRequestPath(name: ShardName, query: Record<string, number | undefined> = {}): string {
  const params = Object.entries(query).filter((entry): entry is [string, number] => entry[1] !== undefined);
  const search = params.map(([key, value]) => `${key}=${value}`).join("&");
  const path = `${SHARDS_PATH_PREFIX}${formatShardName(name).replace(".", "/")}`;
  return search === "" ? path : `${path}?${search}`;
}

/** Parses an error body received from a worker (its kind unchecked); null when `text` is not one. */
export function parseErrorBody(text: string): { error: string; message: string } | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const { error, message } = value as Record<string, unknown>;
    if (typeof error !== "string") return null;
    return { error, message: typeof message === "string" ? message : "" };
  } catch {
    return null;
  }
}
