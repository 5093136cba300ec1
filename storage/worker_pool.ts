/** One `WorkerClient` per worker of the topology, created once and shared by every request. */
import type { Topology } from "./topology.ts";
import { WorkerClient } from "./worker/mod.ts";

/** Options of the pool. */
export interface WorkerPoolOptions {
  readonly topology: Topology;
  readonly clusterSecret: string;
  /** A worker that sends or accepts nothing for this long is treated as failed. */
  readonly requestTimeoutMs: number;
}

/** The clients of every worker, by worker id. */
export class WorkerPool {
  readonly topology: Topology;
  readonly #clients: Map<string, WorkerClient>;

  constructor(options: WorkerPoolOptions) {
    this.topology = options.topology;
    this.#clients = new Map(options.topology.workers.map((worker) => [
      worker.id,
      new WorkerClient({
        workerId: worker.id,
        baseUrl: worker.url,
        clusterSecret: options.clusterSecret,
        requestTimeoutMs: options.requestTimeoutMs,
      }),
    ]));
  }

  /** The client of `workerId`, or undefined when it is not part of the topology. */
  client(workerId: string): WorkerClient | undefined {
    return this.#clients.get(workerId);
  }
}
