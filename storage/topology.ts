/**
 * The cluster as the gateway sees it: workers grouped region → zone → worker, each with an address
 * and a placement weight. Manifests record worker ids, so addresses may change across restarts.
 */
import { StoreError } from "./core/mod.ts";

/** One storage worker. */
export interface WorkerInfo {
  /** Stable identity recorded in manifests. */
  readonly id: string;
  /** Base URL of its internal HTTP API. */
  readonly url: string;
  readonly region: string;
  readonly zone: string;
  /** Relative share of shards it should receive (proportional to capacity). */
  readonly weight: number;
  /** The tier whose shards it holds: the regional tier (default) or the archive tier. */
  readonly pool?: WorkerPoolName;
}

/** The pools of workers: each tier places its shards on its own workers. */
export const WORKER_POOLS = ["regional", "archive"] as const;
/** A pool of workers. */
export type WorkerPoolName = typeof WORKER_POOLS[number];

/** The pool of `worker` ("regional" unless it says otherwise). */
export function poolOf(worker: WorkerInfo): WorkerPoolName {
  return worker.pool ?? "regional";
}

/**
 * An immutable set of workers with lookup by id. Draining workers still serve what they hold but receive
 * no new shards: placement only considers `placementWorkers`.
 */
export class Topology {
  readonly workers: readonly WorkerInfo[];
  /** Version of this layout; recorded in manifests so a later rebalance knows what it moves from. */
  readonly layoutEpoch: number;
  /** Ids of workers being drained (their shards move elsewhere before they leave). */
  readonly draining: ReadonlySet<string>;
  /** The workers new shards may go to: every worker that is not draining. */
  readonly placementWorkers: readonly WorkerInfo[];
  readonly #byId: Map<string, WorkerInfo>;

  constructor(workers: readonly WorkerInfo[], layoutEpoch = 1, draining: Iterable<string> = []) {
    this.workers = workers;
    this.layoutEpoch = layoutEpoch;
    this.draining = new Set(draining);
    this.placementWorkers = workers.filter((worker) => !this.draining.has(worker.id));
    this.#byId = new Map(workers.map((worker) => [worker.id, worker]));
    if (this.#byId.size !== workers.length) {
      throw new StoreError("invalid_argument", "Topology lists the same worker id twice");
    }
  }

  /** The workers of `pool` that new shards may go to. */
  poolWorkers(pool: WorkerPoolName): readonly WorkerInfo[] {
    return this.placementWorkers.filter((worker) => poolOf(worker) === pool);
  }

  /** The worker with `id`, or `undefined` when it is no longer part of the cluster. */
  worker(id: string): WorkerInfo | undefined {
    return this.#byId.get(id);
  }

  /** The zone key (`region/zone`) that the zone rule counts by. */
  static zoneOf(worker: WorkerInfo): string {
    return `${worker.region}/${worker.zone}`;
  }
}
