/**
 * Starts a worker: opens (and cleans) its shard store on `dataDir`, imports the cluster key once, serves
 * the worker protocol (`worker_protocol.ts`) with `Deno.serve` and scrubs the store in the background.
 * Resolves once listening. `shutdown()` stops the scrubber and accepting connections, and waits for both
 * the scrubber and the requests in progress.
 */

import { type Clock, type Logger, systemClock } from "../core/mod.ts";
import { DEFAULT_MAX_CLOCK_SKEW_MS, importClusterKey } from "./cluster_auth.ts";
import {
  DEFAULT_SCRUB_BYTES_PER_SECOND,
  DEFAULT_SCRUB_PASS_INTERVAL_MS,
  ShardScrubber,
} from "./shard_scrubber.ts";
import { offerLocalReads } from "./local_reads.ts";
import { ShardStore } from "./shard_store.ts";
import { createWorkerHandler } from "./worker_handler.ts";

/** Default bound on requests handled at once by one worker. */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 256;

/** Options of `startWorkerServer`. */
export interface WorkerServerOptions {
  /** Interface to listen on, such as `127.0.0.1`. */
  hostname: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Directory of this worker's shards (created if missing). */
  dataDir: string;
  /** Shared secret of the cluster credential. */
  clusterSecret: string;
  /** This worker's id, reported by the health check. */
  workerId: string;
  /** Where the worker logs. */
  logger: Logger;
  /** Time source for credential checks; the system clock by default. */
  clock?: Clock;
  /** Allowed distance between a request's date and the clock; 5 minutes by default. */
  maxClockSkewMs?: number;
  /** Bound on requests handled at once; more get 503. */
  maxConcurrentRequests?: number;
  /** Pace of background scrubbing in bytes per second; 0 turns it off. 8 MiB/s by default. */
  scrubBytesPerSecond?: number;
  /** Shortest time between the starts of two scrub passes; a minute by default. */
  scrubPassIntervalMs?: number;
  /**
   * Whether the health answer invites gateways on the same host to read shard files directly
   * (`local_reads.ts`); true by default.
   */
  announceLocalReads?: boolean;
}

/** A running worker. */
export interface WorkerServer {
  /** The port actually listened on. */
  port: number;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
  /** Stops scrubbing and accepting connections; waits for the scrubber and requests in progress. */
  shutdown(): Promise<void>;
}

/** Starts a worker server; see the file comment. */
export async function startWorkerServer(options: WorkerServerOptions): Promise<WorkerServer> {
  const logger = options.logger;
  const clock = options.clock ?? systemClock;
  const store = await ShardStore.open({ dataDir: options.dataDir, logger, clock });
  const scrubber = new ShardScrubber({
    store,
    bytesPerSecond: options.scrubBytesPerSecond ?? DEFAULT_SCRUB_BYTES_PER_SECOND,
    passIntervalMs: options.scrubPassIntervalMs ?? DEFAULT_SCRUB_PASS_INTERVAL_MS,
    logger: logger.child("scrub"),
  });
  // Held (with its lock on the token file) until the server has stopped.
  const localReads = options.announceLocalReads === false
    ? undefined
    : await offerLocalReads(options.dataDir);
  const handler = createWorkerHandler({
    store,
    scrubber,
    clusterKey: await importClusterKey(options.clusterSecret),
    workerId: options.workerId,
    logger,
    clock,
    maxClockSkewMs: options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
    maxConcurrentRequests: options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS,
    localReads: localReads?.announcement,
  });
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    onListen: () => {},
  }, handler);
  const port = server.addr.port;
  logger.info("Worker listening", { workerId: options.workerId, hostname: options.hostname, port });
  const stopScrubbing = new AbortController();
  const scrubbed = scrubber.run(stopScrubbing.signal);
  return {
    port,
    finished: server.finished.then(() => {
      stopScrubbing.abort();
      return scrubbed;
    }).finally(() => localReads?.[Symbol.dispose]()),
    async shutdown() {
      stopScrubbing.abort();
      await Promise.all([server.shutdown(), scrubbed]);
      localReads?.[Symbol.dispose]();
    },
  };
}
