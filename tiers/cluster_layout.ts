/**
 * The cluster's worker list as it changes at run time. The configured workers (the workers file) are the
 * base; the metadata store records workers added by the admin command, workers draining (they keep serving
 * what they hold, receive no new shards, and the rebalancer moves their shards away) and workers removed
 * once drained. Every gateway sharing the metadata store applies the same changes to its worker pool.
 */
import {
  type LayoutRecord,
  type Logger,
  type MetadataCatalog,
  metaKeys,
  poolOf,
  StoreError,
  Topology,
  type WorkerInfo,
  type WorkerPool,
} from "../storage/mod.ts";

/** What the layout needs. */
export interface ClusterLayoutOptions {
  readonly catalog: MetadataCatalog;
  readonly pool: WorkerPool;
  /** The workers of the configuration (workers file), before run-time changes. */
  readonly configured: readonly WorkerInfo[];
  /** Shards per object (k + m) and the most one zone may hold: a drain must leave room for both. */
  readonly totalShards: number;
  readonly maxShardsPerZone: number;
  /** The same for the archive pool, when the cluster has one. */
  readonly archiveShards?: { readonly totalShards: number; readonly maxShardsPerZone: number };
  readonly logger: Logger;
}

/** One worker as the admin view lists it. */
export interface LayoutWorkerView extends WorkerInfo {
  readonly state: "active" | "draining";
}

const EMPTY_LAYOUT: LayoutRecord = { v: 1, epoch: 1, added: [], draining: [], removed: [] };
const MAX_COMMIT_ATTEMPTS = 5;

/** Loads, changes and applies the run-time worker list. */
export class ClusterLayout {
  readonly #options: ClusterLayoutOptions;
  #record: LayoutRecord = EMPTY_LAYOUT;

  constructor(options: ClusterLayoutOptions) {
    this.#options = options;
  }

  /** The layout epoch the pool runs with (1 until the first run-time change). */
  get epoch(): number {
    return this.#record.epoch;
  }

  /** Reads the recorded changes and applies them to the pool when they differ from what it runs with. */
  async refresh(): Promise<void> {
    const stored = await this.#options.catalog.getLayout();
    this.#apply(stored?.record ?? EMPTY_LAYOUT);
  }

  /** Every worker of the current layout with its state. */
  workers(): LayoutWorkerView[] {
    const topology = this.#options.pool.topology;
    return topology.workers.map((worker) => ({
      ...worker,
      state: topology.draining.has(worker.id) ? "draining" : "active",
    }));
  }

  /** Adds `worker` to the cluster; it receives its fair share of shards as the rebalancer moves them. */
  async addWorker(worker: WorkerInfo): Promise<LayoutRecord> {
    return await this.#change((record, topology) => {
      if (topology.worker(worker.id) !== undefined) {
        throw new StoreError("invalid_argument", `Worker ${worker.id} is already part of the cluster`);
      }
      return {
        ...record,
        added: [...record.added.filter((added) => added.id !== worker.id), { ...worker }],
        removed: record.removed.filter((id) => id !== worker.id),
      };
    });
  }

  /**
   * Starts draining worker `id`: it gets no new shards and the rebalancer moves its shards to the others.
   * Refused when the remaining workers could not hold k + m shards of an object under the zone rule.
   */
  async drainWorker(id: string): Promise<LayoutRecord> {
    return await this.#change((record, topology) => {
      const leaving = topology.worker(id);
      if (leaving === undefined) throw new StoreError("invalid_argument", `No worker ${id}`);
      if (topology.draining.has(id)) {
        throw new StoreError("invalid_argument", `Worker ${id} is already draining`);
      }
      // The room that counts is in the worker's own pool, for that pool's code.
      const pool = poolOf(leaving);
      const { totalShards, maxShardsPerZone } =
        pool === "archive" && this.#options.archiveShards !== undefined
          ? this.#options.archiveShards
          : this.#options;
      const remaining = topology.poolWorkers(pool).filter((worker) => worker.id !== id);
      const room = placementRoom(remaining, maxShardsPerZone);
      if (room < totalShards) {
        throw new StoreError(
          "invalid_argument",
          `Removing ${id} would leave room for ${room} shards of an object (at most ${maxShardsPerZone} per ` +
            `zone on distinct workers), fewer than the ${totalShards} each object needs: add a worker first`,
        );
      }
      return { ...record, draining: [...record.draining, id] };
    });
  }

  /**
   * Removes drained workers from the cluster, provided the layout is still at `epoch` (the rebalancer's
   * pass that found them empty worked towards it). Returns whether the change was recorded.
   */
  async finishDrain(ids: readonly string[], epoch: number): Promise<boolean> {
    if (ids.length === 0) return false;
    try {
      await this.#change((record) => {
        if (record.epoch !== epoch) throw new StoreError("conflict", "The layout changed during the pass");
        return {
          ...record,
          added: record.added.filter((worker) => !ids.includes(worker.id)),
          draining: record.draining.filter((id) => !ids.includes(id)),
          removed: [...new Set([...record.removed, ...ids])],
        };
      });
    } catch (error) {
      if (error instanceof StoreError && error.kind === "conflict") return false;
      throw error;
    }
    this.#options.logger.info("drained workers left the cluster", { workerIds: ids });
    return true;
  }

  /** Applies `change` to the stored record in one checked commit (retried when another gateway raced). */
  async #change(change: (record: LayoutRecord, topology: Topology) => Omit<LayoutRecord, "epoch">) {
    const { catalog } = this.#options;
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const stored = await catalog.getLayout();
      const record = stored?.record ?? EMPTY_LAYOUT;
      const next: LayoutRecord = { ...change(record, this.#topologyOf(record)), epoch: record.epoch + 1 };
      const committed = await catalog.transaction()
        .check(metaKeys.layout(), stored?.versionstamp ?? null)
        .putLayout(next)
        .commit();
      if (committed !== null) {
        this.#apply(next);
        return next;
      }
    }
    throw new StoreError("conflict", "The worker layout kept changing; try again");
  }

  #apply(record: LayoutRecord): void {
    // The pool starts with the configured workers, which is what epoch 1 (no change recorded) means.
    if (record.epoch === this.#record.epoch) return;
    this.#record = record;
    this.#options.pool.setTopology(this.#topologyOf(record));
  }

  #topologyOf(record: LayoutRecord): Topology {
    const removed = new Set(record.removed);
    const addedIds = new Set(record.added.map((worker) => worker.id));
    const workers = [
      ...this.#options.configured.filter((worker) => !addedIds.has(worker.id)),
      ...record.added,
    ].filter((worker) => !removed.has(worker.id));
    return new Topology(workers, record.epoch, record.draining.filter((id) => !removed.has(id)));
  }
}

/** How many shards of one object `workers` can hold: one per worker, at most `maxPerZone` per zone. */
export function placementRoom(workers: readonly WorkerInfo[], maxPerZone: number): number {
  const perZone = new Map<string, number>();
  for (const worker of workers) {
    const zone = Topology.zoneOf(worker);
    perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
  }
  let room = 0;
  for (const count of perZone.values()) room += Math.min(count, maxPerZone);
  return room;
}
