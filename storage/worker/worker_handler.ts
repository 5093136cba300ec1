/**
 * The worker's request handler: authenticate, parse into an operation, act on the shard store,
 * answer. Every request, the health check included, must carry a valid cluster credential; anything
 * else gets 403 before its path is even looked at. Error bodies are JSON `{ error, message }`;
 * an unexpected error becomes 500 `internal_error` with its details only in the log. Request bodies
 * are always read to the end or cancelled. At most `maxConcurrentRequests` handlers run at once;
 * more get 503 so a flood cannot exhaust memory or file handles.
 */

import { type Clock, isStoreError, type Logger, StoreError } from "../core/mod.ts";
import { type ClusterSecret, verifyClusterRequest } from "./cluster_auth.ts";
import { blockCount, framesByteLength } from "./shard_frames.ts";
import type { LocalReadsAnnouncement } from "./local_reads.ts";
import type { ShardScrubber } from "./shard_scrubber.ts";
import type { ShardStore } from "./shard_store.ts";
import type { ShardName } from "./shard_name.ts";
import { parseWorkerRequest, type WorkerOperation } from "./worker_request.ts";
import {
  BLOCK_COUNT_HEADER,
  BLOCK_SIZE_HEADER,
  DATA_LENGTH_HEADER,
  ERROR_KIND_HEADER,
  FIRST_BLOCK_HEADER,
  type HealthResponseBody,
  type ListedShard,
  type PutShardResponseBody,
  type ShardListResponseBody,
  statusOfErrorKind,
  type WorkerErrorBody,
  type WorkerErrorKind,
} from "./worker_protocol.ts";

/** Everything the handler needs, resolved once per server. */
export interface WorkerHandlerOptions {
  /** The shard store to act on. */
  store: ShardStore;
  /** The store's scrubber, whose counters the health check reports. */
  scrubber: ShardScrubber;
  /** Cluster secret, ideally an imported key (see `importClusterKey`). */
  clusterKey: ClusterSecret;
  /** Id reported by the health check. */
  workerId: string;
  /** Request log. */
  logger: Logger;
  /** Time source for credential checks. */
  clock: Clock;
  /** Allowed distance between a request's date and `clock`. */
  maxClockSkewMs: number;
  /** Bound on handlers running at once. */
  maxConcurrentRequests: number;
  /** Named in the health answer, so a gateway on the same host may read shard files itself. */
  localReads?: LocalReadsAnnouncement;
}

/** Builds the `Deno.serve` handler of one worker. */
export function createWorkerHandler(options: WorkerHandlerOptions): (request: Request) => Promise<Response> {
  const { logger } = options;
  let running = 0;
  return async function handleWorkerRequest(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (running >= options.maxConcurrentRequests) {
      await discardBody(request);
      return errorResponse("unavailable", `Worker is busy: ${running} requests running`);
    }
    running++;
    try {
      const verdict = await verifyClusterRequest(
        options.clusterKey,
        { method: request.method, pathAndQuery: url.pathname + url.search, headers: request.headers },
        options.clock.nowMs(),
        options.maxClockSkewMs,
      );
      if (!verdict.ok) {
        logger.warn("Refused a request without a valid cluster credential", {
          method: request.method,
          path: url.pathname,
          reason: verdict.reason,
        });
        await discardBody(request);
        return errorResponse("unauthorized", "Missing or invalid cluster credential");
      }
      const parsed = parseWorkerRequest(request.method, url);
      if (!parsed.ok) {
        await discardBody(request);
        return errorResponse(parsed.error, parsed.message);
      }
      return await perform(parsed.operation, request, options);
    } catch (error) {
      await discardBody(request);
      if (error instanceof StoreError) {
        logger.info("Request failed", {
          method: request.method,
          path: url.pathname,
          kind: error.kind,
          error,
        });
        return errorResponse(error.kind, error.message);
      }
      logger.error("Request failed unexpectedly", { method: request.method, path: url.pathname, error });
      return errorResponse("internal_error", "Internal error; see the worker log");
    } finally {
      running--;
    }
  };
}

async function perform(
  operation: WorkerOperation,
  request: Request,
  options: WorkerHandlerOptions,
): Promise<Response> {
  const { store } = options;
  switch (operation.kind) {
    case "health": {
      const body: HealthResponseBody = {
        workerId: options.workerId,
        ok: true,
        scrub: options.scrubber.stats(),
        quarantined: store.quarantined.list(),
        quarantinedTotal: store.quarantined.total,
        localReads: options.localReads,
      };
      return Response.json(body);
    }
    case "put_shard": {
      const header = {
        ...operation.shard,
        blockSizeBytes: operation.blockSizeBytes,
        dataLength: operation.dataLength,
      };
      const blocks = blockCount(header.dataLength, header.blockSizeBytes);
      const expectedBytes = framesByteLength(0, blocks, header.dataLength, header.blockSizeBytes);
      const declared = request.headers.get("content-length");
      if (declared !== null && Number(declared) !== expectedBytes) {
        throw new StoreError(
          "incomplete_body",
          `Body is ${declared} bytes, ${blocks} frames of a ${header.dataLength}-byte shard are ${expectedBytes}`,
        );
      }
      const result = await store.writeShard(header, request.body ?? emptyStream());
      const body: PutShardResponseBody = { dataLength: header.dataLength, ...result };
      return Response.json(body, { status: 201 });
    }
    case "get_shard":
    case "head_shard":
      return await readShard(operation, options);
    case "delete_shard":
      await store.deleteShard(operation.shard, operation.unmodifiedSinceMs);
      return new Response(null, { status: 204 });
    case "list_shards":
      return Response.json(await listPage(store, operation.after, operation.limit));
  }
}

/** One page of the store's shards after `after`, with their modification times. */
async function listPage(
  store: ShardStore,
  after: ShardName | null,
  limit: number,
): Promise<ShardListResponseBody> {
  const shards: ListedShard[] = [];
  for await (const name of store.listShards(after)) {
    if (shards.length === limit) {
      const last = shards[shards.length - 1];
      return { shards, next: `${last.dataId}.${last.shardIndex}` };
    }
    const modifiedMs = await store.modifiedMs(name);
    if (modifiedMs !== null) shards.push({ ...name, modifiedMs });
  }
  return { shards, next: null };
}

async function readShard(
  operation: Extract<WorkerOperation, { kind: "get_shard" | "head_shard" }>,
  { store }: WorkerHandlerOptions,
): Promise<Response> {
  let shard;
  try {
    shard = await store.openShard(operation.shard);
  } catch (error) {
    if (isStoreError(error, "corrupt_block")) return errorResponse("corrupt_block", error.message, 500);
    throw error;
  }
  if (shard === null) return errorResponse("shard_not_found", "No such shard on this worker");
  const { blockSizeBytes, dataLength } = shard.header;
  const headers: Record<string, string> = {
    [BLOCK_SIZE_HEADER]: String(blockSizeBytes),
    [DATA_LENGTH_HEADER]: String(dataLength),
  };
  if (operation.kind === "head_shard") {
    shard.close();
    return new Response(null, {
      status: 200,
      headers: { ...headers, [BLOCK_COUNT_HEADER]: String(shard.blocks) },
    });
  }
  const { firstBlock } = operation;
  if (firstBlock > 0 && firstBlock >= shard.blocks) {
    shard.close();
    return errorResponse(
      "invalid_range",
      `First block ${firstBlock} is past the last block ${shard.blocks - 1}`,
    );
  }
  const count = Math.min(operation.blockCount ?? shard.blocks, shard.blocks - firstBlock);
  shard.selectBlocks(firstBlock, count);
  let body: ReadableStream<Uint8Array>;
  try {
    body = await store.streamFrames(shard);
  } catch (error) {
    if (isStoreError(error, "corrupt_block")) return errorResponse("corrupt_block", error.message, 500);
    throw error;
  }
  headers[FIRST_BLOCK_HEADER] = String(firstBlock);
  headers[BLOCK_COUNT_HEADER] = String(count);
  headers["content-length"] = String(framesByteLength(firstBlock, count, dataLength, blockSizeBytes));
  headers["content-type"] = "application/octet-stream";
  return new Response(body, { status: 200, headers });
}

function errorResponse(kind: WorkerErrorKind, message: string, status = statusOfErrorKind(kind)): Response {
  const body: WorkerErrorBody = { error: kind, message };
  return Response.json(body, { status, headers: { [ERROR_KIND_HEADER]: kind } });
}

async function discardBody(request: Request): Promise<void> {
  if (request.body !== null && !request.bodyUsed) await request.body.cancel().catch(() => {});
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.close();
    },
  });
}
