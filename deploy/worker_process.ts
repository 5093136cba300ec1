/** Runs a storage worker from its configuration; prints `worker ready: ID URL` once it serves. */
import { Logger, runErasureSelfTest, startWorkerServer } from "../storage/mod.ts";
import type { WorkerConfig } from "./config.ts";

/** A running worker process. */
export interface WorkerProcess {
  readonly port: number;
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
}

/** Starts the worker described by `config`. */
export async function startWorker(config: WorkerConfig): Promise<WorkerProcess> {
  const logger = new Logger(`worker.${config.workerId}`, config.logLevel);
  // Every process checks the codec's golden vectors at start, so a broken build never stores data.
  runErasureSelfTest();
  const server = await startWorkerServer({
    hostname: config.host,
    port: config.port,
    dataDir: config.dataDir,
    clusterSecret: config.clusterSecret,
    workerId: config.workerId,
    logger,
    scrubBytesPerSecond: config.scrubBytesPerSecond,
  });
  console.log(`worker ready: ${config.workerId} http://${config.host}:${server.port}`);
  return { port: server.port, shutdown: () => server.shutdown(), finished: server.finished };
}
