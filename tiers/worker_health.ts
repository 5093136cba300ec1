/**
 * Worker health as the gateway sees it: a heartbeat asks every worker of the pool whether it answers (and is
 * the worker it should be), and remembers since when each one has not. The auditor and the repairer use it:
 * the shards of a worker down longer than a setting are rebuilt elsewhere without waiting for it.
 */
import type { Clock, Gauge, Logger, Metrics, WorkerPool } from "../storage/mod.ts";

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
  readonly #status = new Map<string, { downSinceMs: number | null; lastSeenMs: number | null }>();

  constructor(options: { pool: WorkerPool; clock: Clock; logger: Logger; metrics: Metrics }) {
    this.#pool = options.pool;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#downGauge = options.metrics.gauge(
      "objstore_workers_down",
      "Workers that did not answer the last heartbeat.",
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
          await client.health();
          up = true;
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
    const down = [...this.#status.values()].filter((status) => status.downSinceMs !== null).length;
    this.#downGauge.set(down);
    return down;
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
