/**
 * One `WorkerClient` per worker of the topology, created once and shared by every request. The topology
 * can be replaced (workers added, drained, removed): clients of workers that stay are kept.
 */
import type { Topology } from "./topology.ts";
import { WorkerClient } from "./worker/mod.ts";

/** Options of the pool. */
export interface WorkerPoolOptions {
  readonly topology: Topology;
  readonly clusterSecret: string;
  /** A worker that sends or accepts nothing for this long is treated as failed. */
  readonly requestTimeoutMs: number;
  /** Read the files of workers on this host directly (`WorkerClientOptions.localReads`); false by default. */
  readonly localShardReads?: boolean;
}

/** The clients of every worker, by worker id. */
export class WorkerPool {
  #topology: Topology;
  #clients = new Map<string, WorkerClient>();
  readonly #options: WorkerPoolOptions;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#topology = options.topology;
    this.#clients = this.#clientsFor(options.topology);
  }

  /** The current topology. */
  get topology(): Topology {
    return this.#topology;
  }

  /** Switches to `topology`: new workers get clients, workers that left lose theirs. */
  setTopology(topology: Topology): void {
    const previous = this.#clients;
    this.#clients = this.#clientsFor(topology);
    this.#topology = topology;
    for (const [id, client] of previous) if (this.#clients.get(id) !== client) client.close();
  }

  /** The client of `workerId`, or undefined when it is not part of the topology. */
  client(workerId: string): WorkerClient | undefined {
    return this.#clients.get(workerId);
  }

  #clientsFor(topology: Topology): Map<string, WorkerClient> {
    return new Map(topology.workers.map((worker) => {
      const existing = this.#clients.get(worker.id);
      if (existing !== undefined && existing.baseUrl === worker.url) return [worker.id, existing];
      return [
        worker.id,
        new WorkerClient({
          workerId: worker.id,
          baseUrl: worker.url,
          clusterSecret: this.#options.clusterSecret,
          requestTimeoutMs: this.#options.requestTimeoutMs,
          localReads: this.#options.localShardReads,
        }),
      ];
    }));
  }
}
