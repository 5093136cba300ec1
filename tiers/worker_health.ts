/**
 * Worker health as the gateway sees it: a heartbeat asks every worker of the pool whether it answers (and is
 * the worker it should be), and remembers since when each one has not. The auditor and the repairer use it:
 * the shards of a worker down longer than a setting are rebuilt elsewhere without waiting for it.
 *
 * The heartbeat also hears of shards a worker has quarantined (its scrubber or a read found them corrupt)
 * and passes each one on once to `onQuarantined`, so it can be queued for repair. What was passed on is
 * remembered per worker only as long as the worker still lists it, so that memory is bounded by the
 * worker's own bounded list.
 */
import type { Clock, Counter, Gauge, Logger, Metrics, ScrubStats, WorkerPool } from "../storage/mod.ts";

/** Most quarantine entries of one health answer looked at (the newest); workers list at most 500. */
export const MAX_QUARANTINED_PER_HEARTBEAT = 1000;

/** A shard a worker reported as quarantined: it needs a repair. */
export interface QuarantinedShardReport {
  readonly dataId: string;
  readonly shardIndex: number;
}

/** Options of `WorkerHealth`. */
export interface WorkerHealthOptions {
  readonly pool: WorkerPool;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * Called after a heartbeat with the shards `workerId` quarantined that were not passed on before; each
   * shard comes once per quarantine. What it throws is logged.
   */
  readonly onQuarantined?: (workerId: string, shards: readonly QuarantinedShardReport[]) => void;
}

/** What is known of one worker. */
export interface WorkerStatus {
  readonly workerId: string;
  readonly zone: string;
  readonly up: boolean;
  /** When it stopped answering (while it is down). */
  readonly downSinceMs: number | null;
  /** The last time it answered, or null if it never has since the gateway started. */
  readonly lastSeenMs: number | null;
}

/** Tracks which workers answer. */
export class WorkerHealth {
  readonly #pool: WorkerPool;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #downGauge: Gauge;
  readonly #readLocallyGauge: Gauge;
  readonly #quarantinedCounter: Counter;
  readonly #onQuarantined: WorkerHealthOptions["onQuarantined"];
  readonly #status = new Map<string, { downSinceMs: number | null; lastSeenMs: number | null }>();
  /** Per worker, the scrubber's counters of its last answer. */
  readonly #scrubs = new Map<string, ScrubStats>();
  readonly #scrubBytes: Gauge;
  readonly #scrubPasses: Gauge;
  readonly #scrubCorrupt: Gauge;
  /** Per worker, the quarantine entries (`dataId.shardIndex@atMs`) of its last answer, all passed on. */
  readonly #quarantineSeen = new Map<string, Set<string>>();

  constructor(options: WorkerHealthOptions) {
    this.#pool = options.pool;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#onQuarantined = options.onQuarantined;
    this.#downGauge = options.metrics.gauge(
      "objstore_workers_down",
      "Workers that did not answer the last heartbeat.",
    );
    this.#scrubBytes = options.metrics.gauge(
      "objstore_worker_scrub_bytes_verified",
      "Shard bytes the workers' own scrubbers verified since each worker started (sum of the last heartbeats).",
    );
    this.#scrubPasses = options.metrics.gauge(
      "objstore_worker_scrub_passes_min",
      "Scrub passes completed by the worker that completed fewest (every shard verified at least this often).",
    );
    this.#scrubCorrupt = options.metrics.gauge(
      "objstore_worker_scrub_corrupt_shards",
      "Shards the workers' scrubbers found corrupt and quarantined since each worker started (sum).",
    );
    this.#readLocallyGauge = options.metrics.gauge(
      "objstore_workers_read_locally",
      "Workers whose shard files this gateway reads straight from disk (same host; see OBJSTORE_LOCAL_SHARD_READS).",
    );
    this.#quarantinedCounter = options.metrics.counter(
      "objstore_quarantined_shards_reported_total",
      "Shards that workers reported quarantined (corrupt), seen by this gateway's heartbeat.",
    );
  }

  /** One heartbeat: asks every worker at once; returns how many are down. */
  async checkAll(): Promise<number> {
    const now = this.#clock.nowMs();
    await Promise.all(this.#pool.topology.workers.map(async (worker) => {
      const client = this.#pool.client(worker.id);
      let up = false;
      try {
        if (client !== undefined) {
          const answer = await client.health();
          up = true;
          this.#noteQuarantined(worker.id, answer.quarantined ?? []);
          if (answer.scrub !== undefined) this.#scrubs.set(worker.id, answer.scrub);
        }
      } catch {
        up = false;
      }
      const previous = this.#status.get(worker.id);
      if (up) {
        if (previous?.downSinceMs != null) this.#logger.info("worker is back", { workerId: worker.id });
        this.#status.set(worker.id, { downSinceMs: null, lastSeenMs: now });
      } else {
        if (previous?.downSinceMs == null) {
          this.#logger.warn("worker does not answer", { workerId: worker.id });
        }
        this.#status.set(worker.id, {
          downSinceMs: previous?.downSinceMs ?? now,
          lastSeenMs: previous?.lastSeenMs ?? null,
        });
      }
    }));
    for (const workerId of new Set([...this.#quarantineSeen.keys(), ...this.#scrubs.keys()])) {
      if (!this.#pool.topology.workers.some((worker) => worker.id === workerId)) {
        this.#quarantineSeen.delete(workerId);
        this.#scrubs.delete(workerId);
      }
    }
    const scrubs = [...this.#scrubs.values()];
    this.#scrubBytes.set(scrubs.reduce((sum, scrub) => sum + scrub.bytesVerified, 0));
    this.#scrubCorrupt.set(scrubs.reduce((sum, scrub) => sum + scrub.corruptShards, 0));
    this.#scrubPasses.set(
      scrubs.length === 0 ? 0 : Math.min(...scrubs.map((scrub) => scrub.passesCompleted)),
    );
    const down = [...this.#status.values()].filter((status) => status.downSinceMs !== null).length;
    this.#downGauge.set(down);
    this.#readLocallyGauge.set(
      this.#pool.topology.workers.filter((worker) => this.#pool.client(worker.id)?.readsLocally).length,
    );
    return down;
  }

  /** Passes on the entries of `listed` not passed on before, and remembers `listed` as passed on. */
  #noteQuarantined(
    workerId: string,
    listed: readonly { dataId: string; shardIndex: number; atMs: number }[],
  ): void {
    const seen = this.#quarantineSeen.get(workerId);
    const current = new Set<string>();
    const fresh = new Map<string, QuarantinedShardReport>();
    for (const { dataId, shardIndex, atMs } of listed.slice(-MAX_QUARANTINED_PER_HEARTBEAT)) {
      const shard = `${dataId}.${shardIndex}`;
      const entry = `${shard}@${atMs}`;
      current.add(entry);
      if (!seen?.has(entry)) fresh.set(shard, { dataId, shardIndex });
    }
    this.#quarantineSeen.set(workerId, current);
    if (fresh.size === 0) return;
    const shards = [...fresh.values()];
    this.#quarantinedCounter.inc(shards.length);
    this.#logger.warn("worker quarantined corrupt shards", {
      workerId,
      shards: shards.slice(0, 10).map((shard) => `${shard.dataId}.${shard.shardIndex}`),
      count: shards.length,
    });
    try {
      this.#onQuarantined?.(workerId, shards);
    } catch (error) {
      this.#logger.error("onQuarantined failed", { workerId, error });
    }
  }

  /** False only for a worker that did not answer the last heartbeat (one never checked counts as up). */
  isUp(workerId: string): boolean {
    return (this.#status.get(workerId)?.downSinceMs ?? null) === null;
  }

  /** How long `workerId` has been down, in milliseconds (0 when it is up or was never checked). */
  downForMs(workerId: string): number {
    const since = this.#status.get(workerId)?.downSinceMs ?? null;
    return since === null ? 0 : this.#clock.nowMs() - since;
  }

  /** Every worker's status, in topology order. */
  snapshot(): WorkerStatus[] {
    return this.#pool.topology.workers.map((worker) => {
      const status = this.#status.get(worker.id);
      return {
        workerId: worker.id,
        zone: worker.zone,
        up: status?.downSinceMs == null,
        downSinceMs: status?.downSinceMs ?? null,
        lastSeenMs: status?.lastSeenMs ?? null,
      };
    });
  }
}
