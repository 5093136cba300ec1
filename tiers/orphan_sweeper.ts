/**
 * Collects shard copies that no manifest names: a worker that comes back after its shards were rebuilt
 * elsewhere, a move whose old copy could not be deleted, a shard the collector could not reach. Each round
 * reads one page of one worker's shard listing (round robin over the workers that answer) and, for every
 * shard older than the grace period (so writes whose manifest is not committed yet are never touched),
 * deletes it when the data's manifest does not name this worker for that shard. The delete is conditional
 * on the copy not having been written since it was listed, so a shard rebuilt there meanwhile survives.
 */
import {
  type Clock,
  type Counter,
  isStoreError,
  type ListedShard,
  type Logger,
  type MetadataCatalog,
  type Metrics,
  type WorkerClient,
  type WorkerPool,
} from "../storage/mod.ts";
import type { WorkerHealth } from "./worker_health.ts";

/** What the sweeper needs. */
export interface OrphanSweeperOptions {
  readonly catalog: MetadataCatalog;
  readonly pool: WorkerPool;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** A shard written less than this long ago is never collected (its write may not be committed yet). */
  readonly graceMs: number;
  /** Shards listed per round. */
  readonly pageSize: number;
  readonly health?: WorkerHealth;
}

/** Deletes shard copies that no manifest names. */
export class OrphanSweeper {
  readonly #options: OrphanSweeperOptions;
  readonly #checked: Counter;
  readonly #deleted: Counter;
  readonly #passes: Counter;
  /** Where each worker's listing resumes ("" at the start of its pass); in memory, a restart starts over. */
  readonly #cursors = new Map<string, string>();
  #nextWorker = 0;

  constructor(options: OrphanSweeperOptions) {
    this.#options = options;
    const { metrics } = options;
    this.#checked = metrics.counter(
      "objstore_orphan_shards_checked_total",
      "Shard copies on workers checked against their manifests.",
    );
    this.#deleted = metrics.counter(
      "objstore_orphan_shards_deleted_total",
      "Shard copies no manifest named, deleted from their workers.",
    );
    this.#passes = metrics.counter(
      "objstore_orphan_sweep_passes_total",
      "Completed passes over one worker's shards.",
    );
  }

  /** One round: the next page of the next worker that answers; returns how many copies it deleted. */
  async runOnce(): Promise<number> {
    const { pool, health, pageSize } = this.#options;
    const workers = pool.topology.workers.filter((worker) => health === undefined || health.isUp(worker.id));
    if (workers.length === 0) return 0;
    const worker = workers[this.#nextWorker++ % workers.length];
    const client = pool.client(worker.id);
    if (client === undefined) return 0;
    const after = this.#cursors.get(worker.id) ?? "";
    const page = await client.listShards(after, pageSize);
    let deleted = 0;
    for (const shard of page.shards) {
      if (await this.#sweep(client, shard)) deleted++;
    }
    if (page.next === null) {
      this.#cursors.delete(worker.id);
      this.#passes.inc();
    } else {
      this.#cursors.set(worker.id, page.next);
    }
    return deleted;
  }

  /** Deletes `shard` from the worker of `client` when it is old enough and no manifest names it there. */
  async #sweep(client: WorkerClient, shard: ListedShard): Promise<boolean> {
    const { catalog, clock, graceMs, logger } = this.#options;
    if (clock.nowMs() - shard.modifiedMs < graceMs) return false;
    this.#checked.inc();
    let manifest;
    try {
      manifest = (await catalog.getErasureManifestEntry(shard.dataId))?.record ?? null;
    } catch (error) {
      logger.warn("orphan sweep could not read a manifest; the copy is kept", {
        dataId: shard.dataId,
        error,
      });
      return false;
    }
    if (manifest?.shards[shard.shardIndex]?.workerId === client.workerId) return false;
    try {
      await client.deleteShard({ ...shard, unmodifiedSinceMs: shard.modifiedMs });
    } catch (error) {
      if (!isStoreError(error, "precondition_failed")) throw error;
      return false; // written again since it was listed: no longer the copy that was judged
    }
    this.#deleted.inc();
    logger.info("deleted an orphaned shard copy", {
      dataId: shard.dataId,
      shardIndex: shard.shardIndex,
      workerId: client.workerId,
      named: manifest === null ? null : manifest.shards[shard.shardIndex]?.workerId ?? null,
    });
    return true;
  }
}
