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
import type { QuarantinedShard } from "./quarantine_log.ts";
import type { LocalReadsAnnouncement } from "./local_reads.ts";
import type { ScrubStats } from "./shard_scrubber.ts";
import { formatShardName, isDataId, MAX_SHARD_INDEX, type ShardName } from "./shard_name.ts";

/** Path of the health check. */
export const HEALTH_PATH = "/v1/health";
/** Prefix of every shard path. */
export const SHARDS_PATH_PREFIX = "/v1/shards/";
/** Path of the shard listing (`GET ?after=NAME&limit=N`). */
export const SHARD_LIST_PATH = "/v1/shards";
/** Most shards one listing page holds (its JSON stays well under `MAX_JSON_BODY_BYTES`). */
export const MAX_SHARD_LIST_PAGE = 500;

/** Response header: block size of the shard. */
export const BLOCK_SIZE_HEADER = "x-objstore-block-size";
/** Response header: data length of the whole shard. */
export const DATA_LENGTH_HEADER = "x-objstore-data-length";
/** Response header: index of the first frame in the body. */
export const FIRST_BLOCK_HEADER = "x-objstore-first-block";
/** Response header: number of frames in the body. */
export const BLOCK_COUNT_HEADER = "x-objstore-block-count";

/** Most bytes of a JSON body (an error, a PUT's answer, the health check) a client reads. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

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

/**
 * Body of the health check. Fields after `ok` came with scrubbing and are optional, so gateways and
 * workers of either age understand each other.
 */
export interface HealthResponseBody {
  /** The worker's configured id. */
  workerId: string;
  /** True while the worker serves requests. */
  ok: boolean;
  /** The scrubber's counters since the worker started. */
  scrub?: ScrubStats;
  /**
   * Shards quarantined since the worker started, by the scrubber or by reads: the newest (at most
   * `DEFAULT_QUARANTINE_LOG_ENTRIES`), oldest first. Each needs a repair.
   */
  quarantined?: QuarantinedShard[];
  /** How many shards were quarantined since the worker started, listed or not. */
  quarantinedTotal?: number;
  /** Where a gateway on the same host may read this worker's shard files itself (`local_reads.ts`). */
  localReads?: LocalReadsAnnouncement;
}

/** One shard in a listing page. */
export interface ListedShard {
  dataId: string;
  shardIndex: number;
  /** When the file was last written (a rebuilt shard is newer than the copy it replaced). */
  modifiedMs: number;
}

/** Body of a shard listing page: shards in name order after the requested one. */
export interface ShardListResponseBody {
  shards: ListedShard[];
  /** Where the next page starts (`after`), or null when this page reached the end. */
  next: string | null;
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
    case "precondition_failed":
      return 412;
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

/**
 * The well-formed entries of a health answer's `quarantined` list (none when it is absent, as from
 * workers older than scrubbing); entries with a bad data id, shard index or time are dropped.
 */
export function parseQuarantinedShards(value: unknown): QuarantinedShard[] {
  if (!Array.isArray(value)) return [];
  const out: QuarantinedShard[] = [];
  for (const entry of value) {
    if (typeof entry !== "object" || entry === null) continue;
    const { dataId, shardIndex, atMs } = entry as Record<string, unknown>;
    if (
      typeof dataId === "string" && isDataId(dataId) &&
      typeof shardIndex === "number" && Number.isInteger(shardIndex) &&
      shardIndex >= 0 && shardIndex <= MAX_SHARD_INDEX &&
      typeof atMs === "number" && Number.isFinite(atMs)
    ) {
      out.push({ dataId, shardIndex, atMs });
    }
  }
  return out;
}

// A record, not a list, so that a field added to `ScrubStats` but not here is a type error.
const SCRUB_STATS_FIELDS: Record<keyof ScrubStats, true> = {
  bytesPerSecond: true,
  passesCompleted: true,
  filesVerified: true,
  bytesVerified: true,
  corruptShards: true,
  readErrors: true,
};

/** A health answer's `scrub` counters, or undefined when absent or not whole numbers >= 0. */
export function parseScrubStats(value: unknown): ScrubStats | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const out: Partial<Record<keyof ScrubStats, number>> = {};
  for (const name of Object.keys(SCRUB_STATS_FIELDS) as (keyof ScrubStats)[]) {
    const field = fields[name];
    if (typeof field !== "number" || !Number.isSafeInteger(field) || field < 0) return undefined;
    out[name] = field;
  }
  // Every field of `ScrubStats` was set above.
  return out as ScrubStats;
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
