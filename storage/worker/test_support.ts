/**
 * Helpers for the worker tests only (never imported by production code): real worker servers on
 * 127.0.0.1 with a free port and a fresh temp directory that `await using` stops and deletes, frame
 * encoding, and signed raw requests for hostile-input tests.
 */

import { Logger } from "../core/mod.ts";
import { signClusterRequest } from "./cluster_auth.ts";
import {
  blockCount,
  blockLength,
  FRAME_OVERHEAD_BYTES,
  framesByteLength,
  sealFrame,
} from "./shard_frames.ts";
import { LOCAL_READS_TOKEN_FILE } from "./local_reads.ts";
import { WorkerClient } from "./worker_client.ts";
import { startWorkerServer, type WorkerServerOptions } from "./worker_server.ts";

/** Cluster secret of test workers. */
export const TEST_SECRET = "test-cluster-secret";

/** A running test worker; disposing it stops the server and deletes its directory. */
export interface TestWorker extends AsyncDisposable {
  /** Temp directory holding `dataDir` (and nothing else), to check nothing escapes. */
  rootDir: string;
  /** The worker's data directory. */
  dataDir: string;
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** A client for this worker. */
  client: WorkerClient;
}

/**
 * Starts a worker on a free port in a fresh temp directory. Scrubbing is off unless `scrubBytesPerSecond`
 * is given, so a test that damages a shard knows who finds it.
 */
export async function startTestWorker(options: Partial<WorkerServerOptions> = {}): Promise<TestWorker> {
  const rootDir = await Deno.makeTempDir({ prefix: "objstore_worker_test_" });
  const dataDir = options.dataDir ?? `${rootDir}/data`;
  const server = await startWorkerServer({
    hostname: "127.0.0.1",
    port: 0,
    clusterSecret: TEST_SECRET,
    workerId: "w-test",
    logger: new Logger("worker-test", "error"),
    scrubBytesPerSecond: 0,
    ...options,
    dataDir,
  });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  return {
    rootDir,
    dataDir,
    baseUrl,
    client: new WorkerClient({
      workerId: "w-test",
      baseUrl,
      clusterSecret: TEST_SECRET,
      requestTimeoutMs: 10_000,
    }),
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await Deno.remove(rootDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Bytes `0, 1, 2, …` modulo 251 (a prime, so blocks differ from one another). */
export function patternBytes(length: number, seed = 0): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i + seed) % 251;
  return bytes;
}

/** A fresh random data id. */
export function randomDataId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** All frames of `data` cut into blocks of `blockSizeBytes`. */
export function encodeFrames(data: Uint8Array, blockSizeBytes: number): Uint8Array<ArrayBuffer> {
  const blocks = blockCount(data.length, blockSizeBytes);
  const out = new Uint8Array(framesByteLength(0, blocks, data.length, blockSizeBytes));
  let offset = 0;
  for (let index = 0; index < blocks; index++) {
    const length = blockLength(index, data.length, blockSizeBytes);
    out.set(data.subarray(index * blockSizeBytes, index * blockSizeBytes + length), offset);
    sealFrame(out.subarray(offset, offset + length + FRAME_OVERHEAD_BYTES), length);
    offset += length + FRAME_OVERHEAD_BYTES;
  }
  return out;
}

/** A stream of `bytes` in chunks of `chunkBytes` (to exercise frames split across chunks). */
export function chunkedStream(bytes: Uint8Array, chunkBytes = 7): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + chunkBytes));
      offset += chunkBytes;
    },
  });
}

/** Sends a request signed with `secret` (by default the test secret) exactly as given. */
export async function signedFetch(
  baseUrl: string,
  method: string,
  path: string,
  init: { body?: BodyInit; secret?: string; nowMs?: number; headers?: Record<string, string> } = {},
): Promise<Response> {
  const url = new URL(path, baseUrl);
  const auth = await signClusterRequest(
    init.secret ?? TEST_SECRET,
    method,
    url.pathname + url.search,
    init.nowMs ?? Date.now(),
  );
  return await fetch(url, { method, body: init.body, headers: { ...auth, ...init.headers } });
}

/** Every file path under `dir`, relative to it, sorted; a worker's local-reads token files are left out. */
export async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const relative = `${prefix}${entry.name}`;
    if (entry.name === LOCAL_READS_TOKEN_FILE) continue;
    if (entry.isDirectory) out.push(...await listFiles(`${dir}/${entry.name}`, `${relative}/`));
    else out.push(relative);
  }
  return out.sort();
}

/** Polls `condition` until it holds (for clean-up the server finishes after its client gave up). */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadlineMs) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
