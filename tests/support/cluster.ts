/**
 * A real cluster for integration tests: 9 worker processes in 3 zones and one gateway process, each
 * `main.ts` started with `deno run`, on 127.0.0.1 ports chosen at run time, in a temp dir. Workers
 * can be stopped and restarted on their old port; the gateway can be SIGKILLed and restarted on the
 * same metadata file. `await using` stops everything.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { serverV8FlagsArgument } from "../../deploy/mod.ts";

/** Root credentials every test cluster uses. */
export const TEST_CREDENTIALS = {
  accessKeyId: "TESTROOTACCESSKEY01",
  secretAccessKey: "test-root-secret-key-0123456789",
} as const;

const ROOT = new URL("../../", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const CONFIG = `${ROOT}deno.json`;
const CLUSTER_SECRET = "test-cluster-secret-0123456789abcdef";

/** Options of a test cluster. */
export interface ClusterOptions {
  /** Zones × workers per zone (default 3 × 3). */
  readonly zones?: number;
  readonly workersPerZone?: number;
  /** Archive pool: `archiveZones` × `archiveWorkersPerZone` workers `a<zone>-w<n>` (none by default). */
  readonly archiveZones?: number;
  readonly archiveWorkersPerZone?: number;
  /** Extra gateway environment (e.g. OBJSTORE_GC_GRACE_MS; with OBJSTORE_TLS_CERT_FILE the endpoint is https). */
  readonly gatewayEnv?: Record<string, string>;
}

interface RunningProcess {
  child: Deno.ChildProcess;
  port: number;
  output: Promise<string>;
  /** Set when a test stops the process on purpose. */
  stopping: boolean;
}

/** A running test cluster. */
export class TestCluster implements AsyncDisposable {
  readonly dir: string;
  readonly workerIds: string[];
  readonly #options: ClusterOptions;
  readonly #workers = new Map<string, RunningProcess>();
  readonly #workerPorts = new Map<string, number>();
  #gateway: RunningProcess | null = null;

  private constructor(dir: string, workerIds: string[], options: ClusterOptions) {
    this.dir = dir;
    this.workerIds = workerIds;
    this.#options = options;
  }

  /** Starts workers and gateway; resolves once all are ready. */
  static async start(options: ClusterOptions = {}): Promise<TestCluster> {
    const dir = await Deno.makeTempDir({ prefix: "objstore-test-" });
    const zones = options.zones ?? 3;
    const perZone = options.workersPerZone ?? 3;
    const ids: string[] = [];
    for (let zone = 1; zone <= zones; zone++) for (let w = 1; w <= perZone; w++) ids.push(`z${zone}-w${w}`);
    const archiveIds: string[] = [];
    for (let zone = 1; zone <= (options.archiveZones ?? 0); zone++) {
      for (let w = 1; w <= (options.archiveWorkersPerZone ?? 0); w++) archiveIds.push(`a${zone}-w${w}`);
    }
    const cluster = new TestCluster(dir, [...ids, ...archiveIds], options);
    try {
      await Promise.all([...ids, ...archiveIds].map((id) => cluster.startWorker(id)));
      await Deno.writeTextFile(
        `${dir}/workers.json`,
        JSON.stringify([...ids, ...archiveIds].map((id) => ({
          id,
          url: `http://127.0.0.1:${cluster.#workerPorts.get(id)}`,
          region: "us-east-1",
          zone: id.slice(0, id.indexOf("-")),
          weight: 1,
          pool: archiveIds.includes(id) ? "archive" : "regional",
        }))),
      );
      await cluster.startGateway();
    } catch (error) {
      await cluster[Symbol.asyncDispose]();
      throw error;
    }
    return cluster;
  }

  /** The S3 endpoint URL. */
  get endpoint(): string {
    if (this.#gateway === null) throw new Error("The gateway is not running");
    const scheme = this.#options.gatewayEnv?.OBJSTORE_TLS_CERT_FILE === undefined ? "http" : "https";
    return `${scheme}://127.0.0.1:${this.#gateway.port}`;
  }

  /** A fresh AWS SDK v3 client for this cluster (path style, SDK defaults otherwise). */
  client(): S3Client {
    return new S3Client({
      endpoint: this.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
  }

  /** Process id of the running gateway. */
  get gatewayPid(): number {
    if (this.#gateway === null) throw new Error("The gateway is not running");
    return this.#gateway.child.pid;
  }

  /** Data directory of worker `id`. */
  workerDir(id: string): string {
    return `${this.dir}/workers/${id}`;
  }

  /** Base URL of worker `id` (started at least once). */
  workerUrl(id: string): string {
    const port = this.#workerPorts.get(id);
    if (port === undefined) throw new Error(`Worker ${id} was never started`);
    return `http://127.0.0.1:${port}`;
  }

  /** Runs `main.ts admin ...args` against this cluster as the root user. */
  async admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "--config", CONFIG, MAIN, "admin", ...args, "--endpoint", this.endpoint],
      env: {
        OBJSTORE_ROOT_ACCESS_KEY: TEST_CREDENTIALS.accessKeyId,
        OBJSTORE_ROOT_SECRET_KEY: TEST_CREDENTIALS.secretAccessKey,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  }

  /** Data directory of the gateway (holds the metadata KV file). */
  get gatewayDir(): string {
    return `${this.dir}/gateway`;
  }

  /** Starts (or restarts, on its previous port) worker `id`. */
  async startWorker(id: string): Promise<void> {
    const port = this.#workerPorts.get(id) ?? 0;
    const running = await spawnRole(
      ["worker", "--worker-id", id, "--port", String(port), "--data-dir", this.workerDir(id)],
      {},
      "worker ready:",
    );
    this.#workers.set(id, running);
    this.#workerPorts.set(id, running.port);
  }

  /** Stops worker `id` with `signal` (SIGKILL by default) and waits for it to exit. */
  async stopWorker(id: string, signal: Deno.Signal = "SIGKILL"): Promise<void> {
    const running = this.#workers.get(id);
    if (running === undefined) return;
    this.#workers.delete(id);
    await stopProcess(running, signal);
  }

  /** Sends `signal` to worker `id` without waiting (SIGSTOP hangs it, SIGCONT resumes it). */
  signalWorker(id: string, signal: Deno.Signal): void {
    const running = this.#workers.get(id);
    if (running === undefined) throw new Error(`Worker ${id} is not running`);
    running.child.kill(signal);
  }

  /** Starts the gateway (on its previous port when restarting). */
  async startGateway(extraEnv: Record<string, string> = {}): Promise<void> {
    const port = this.#gateway?.port ?? 0;
    this.#gatewayStopped = false;
    this.#gateway = await spawnRole(
      [
        "gateway",
        "--port",
        String(port),
        "--data-dir",
        this.gatewayDir,
        "--workers-file",
        `${this.dir}/workers.json`,
      ],
      { ...this.#options.gatewayEnv, ...extraEnv },
      "endpoint:",
    );
  }

  /** Stops the gateway with `signal` and waits; it can be started again with `startGateway`. */
  async stopGateway(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    if (this.#gateway === null) return;
    const gateway = this.#gateway;
    await stopProcess(gateway, signal);
    this.#gatewayStopped = true;
  }

  #gatewayStopped = false;

  /** Everything the gateway process wrote to stderr so far (after it stopped). */
  async gatewayLog(): Promise<string> {
    return this.#gateway === null ? "" : await this.#gateway.output;
  }

  /** Stops every process and removes the temp dir. */
  async [Symbol.asyncDispose](): Promise<void> {
    const all: Promise<void>[] = [];
    if (this.#gateway !== null && !this.#gatewayStopped) all.push(stopProcess(this.#gateway, "SIGTERM"));
    for (const running of this.#workers.values()) all.push(stopProcess(running, "SIGTERM"));
    this.#workers.clear();
    await Promise.all(all);
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

async function spawnRole(
  args: string[],
  extraEnv: Record<string, string>,
  readyPrefix: string,
): Promise<RunningProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", serverV8FlagsArgument(), "--config", CONFIG, MAIN, ...args],
    env: {
      OBJSTORE_CLUSTER_SECRET: CLUSTER_SECRET,
      OBJSTORE_ROOT_ACCESS_KEY: TEST_CREDENTIALS.accessKeyId,
      OBJSTORE_ROOT_SECRET_KEY: TEST_CREDENTIALS.secretAccessKey,
      OBJSTORE_LOG_LEVEL: "warn",
      // Our end of the stdin pipe closes when this process dies, and the child then stops by itself.
      OBJSTORE_EXIT_WITH_PARENT: "true",
      ...extraEnv,
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<{ done: true; value: undefined }>((resolve) => {
    timer = setTimeout(() => resolve({ done: true, value: undefined }), 60_000);
  });
  try {
    while (!buffer.split("\n").some((line) => line.startsWith(readyPrefix))) {
      const { value, done } = await Promise.race([reader.read(), timedOut]);
      if (done) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.status;
        await child.stdin.close().catch(() => {});
        throw new Error(`${args[0]} did not become ready:\n${await output}`);
      }
      buffer += value;
    }
  } finally {
    clearTimeout(timer);
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  const line = buffer.split("\n").find((l) => l.startsWith(readyPrefix))!;
  const port = Number(new URL(line.slice(readyPrefix.length).trim().split(" ").at(-1)!).port);
  const running: RunningProcess = { child, port, output, stopping: false };
  // A process that dies on its own is a finding: say so with its output, so the failing test explains.
  child.status.then(async (status) => {
    if (running.stopping) return;
    console.error(
      `${args[0]} ${args.join(" ")} exited unexpectedly (code ${status.code}, signal ${status.signal}):`,
    );
    console.error(await output);
  });
  return running;
}

async function stopProcess(running: RunningProcess, signal: Deno.Signal): Promise<void> {
  running.stopping = true;
  try {
    running.child.kill(signal);
  } catch { /* already exited */ }
  const timer = setTimeout(() => {
    try {
      running.child.kill("SIGKILL");
    } catch { /* already exited */ }
  }, 10_000);
  await running.child.status;
  clearTimeout(timer);
  await running.child.stdin.close().catch(() => {});
  await running.output;
}
