/** Bytes and metadata at rest: placement, topology, the stripe write/read paths, workers and metadata. */
export * from "./topology.ts";
export * from "./placement.ts";
export * from "./stripe_layout.ts";
export * from "./stripe_writer.ts";
export * from "./stripe_reader.ts";
export * from "./shard_rebuilder.ts";
export * from "./worker_pool.ts";
export * from "./gc.ts";
export { ReedSolomon, runErasureSelfTest } from "./erasure/mod.ts";
export * from "./meta/mod.ts";
export {
  type ListedShard,
  type ScrubStats,
  startWorkerServer,
  WorkerClient,
  type WorkerServer,
} from "./worker/mod.ts";
export * from "./core/mod.ts";
