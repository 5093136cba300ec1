/**
 * Storage workers: small HTTP services that keep shards of erasure-coded objects on one local disk,
 * and the client the gateway talks to them with. Workers know nothing of S3 or metadata.
 */

export {
  blockCount,
  blockLength,
  FRAME_OVERHEAD_BYTES,
  framesByteLength,
  sealFrame,
  type ShardBlockReader,
  ShardFrameReader,
  type ShardFrameReaderOptions,
} from "./shard_frames.ts";
export { isDataId, MAX_SHARD_INDEX, parseShardName, type ShardName } from "./shard_name.ts";
export {
  CLUSTER_AUTH_HEADER,
  CLUSTER_DATE_HEADER,
  type ClusterRequest,
  type ClusterSecret,
  type ClusterVerdict,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  importClusterKey,
  signClusterRequest,
  verifyClusterRequest,
} from "./cluster_auth.ts";
export {
  DEFAULT_SCRUB_BYTES_PER_SECOND,
  DEFAULT_SCRUB_PASS_INTERVAL_MS,
  type ScrubStats,
  ShardScrubber,
  type ShardScrubberOptions,
} from "./shard_scrubber.ts";
export { DEFAULT_QUARANTINE_LOG_ENTRIES, type QuarantinedShard, QuarantineLog } from "./quarantine_log.ts";
export {
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  startWorkerServer,
  type WorkerServer,
  type WorkerServerOptions,
} from "./worker_server.ts";
export {
  DEFAULT_REQUEST_TIMEOUT_MS,
  type GetShardRequest,
  type PutShardRequest,
  type ShardInfo,
  type ShardRequest,
  WorkerClient,
  type WorkerClientOptions,
} from "./worker_client.ts";
export { LOCAL_READS_TOKEN_FILE, type LocalReadsAnnouncement } from "./local_reads.ts";
export type {
  HealthResponseBody,
  ListedShard,
  PutShardResponseBody,
  ShardListResponseBody,
} from "./worker_protocol.ts";
