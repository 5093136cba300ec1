/**
 * `deno task dev`: one gateway and `zones × workersPerZone` workers on 127.0.0.1, each a real process
 * of this program, sharing a data dir that survives restarts. Prints the endpoint and keys once every
 * process is ready; SIGINT or SIGTERM stops everything it started.
 */
import { toHex } from "../storage/mod.ts";
import { ChildProcess } from "./child_process.ts";
import { selfSignedPair, type TlsPairFiles } from "./self_signed.ts";
import { stopRequested } from "./stop_signals.ts";
import type { DevConfig, WorkerEndpoint } from "./config.ts";

/** How long a process may take to become ready. */
const READY_TIMEOUT_MS = 60_000;
/** How long after a child's exit a signal to us still counts as the cause of that exit. */
const SIGNAL_RACE_MS = 500;

/** How long a process may take to stop before it is killed. */
const STOP_GRACE_MS = 10_000;

/** Where the program's entry point and config are, so children run the same code. */
export interface ProgramFiles {
  readonly mainModule: string;
  readonly configFile: string;
}

/** Runs the dev cluster until a signal arrives or a process dies; returns the exit status. */
export async function runDevCluster(config: DevConfig, files: ProgramFiles): Promise<number> {
  await Deno.mkdir(config.dataDir, { recursive: true });
  const clusterSecret = config.clusterSecret ?? await persistentSecret(`${config.dataDir}/cluster-secret`);
  const env = { OBJSTORE_CLUSTER_SECRET: clusterSecret, OBJSTORE_LOG_LEVEL: config.logLevel };
  const children: ChildProcess[] = [];
  const stopAll = () => Promise.all(children.map((child) => child.stop(STOP_GRACE_MS)));
  const signal = stopRequested();
  try {
    const workers = await startWorkers(config, files, env, children);
    const workersFile = `${config.dataDir}/workers.json`;
    await Deno.writeTextFile(workersFile, JSON.stringify(workers, null, 2));
    const tls = await devTlsFiles(config);
    const gateway = ChildProcess.spawn("gateway", files.mainModule, files.configFile, [
      "gateway",
      ...["--host", config.host, "--port", String(config.port), "--data-dir", `${config.dataDir}/gateway`],
      ...["--workers-file", workersFile, "--region", config.region, "--base-domain", config.baseDomain],
      ...["--lifecycle-day-seconds", String(config.lifecycleDaySeconds)],
      ...(tls === null ? [] : ["--tls-cert", tls.certFile, "--tls-key", tls.keyFile]),
    ], env);
    children.push(gateway);
    const endpoint = await gateway.waitForLine("endpoint:", READY_TIMEOUT_MS);
    console.log(`endpoint: ${endpoint}`);
    console.log(`access key: ${config.rootAccessKey}`);
    console.log(`secret key: ${config.rootSecretKey}`);
    if (tls !== null) console.log(`tls certificate: ${tls.certFile}`);
    const exited = Promise.race(children.map(async (child) => ({ child, status: await child.status })));
    let outcome = await Promise.race([signal.then(() => null), exited]);
    if (outcome !== null) {
      // Ctrl-C in a terminal (or a signal to the whole process group) reaches the children too, and one of
      // them may exit a moment before our own handler runs: that is a requested stop, not a crash.
      const signalledToo = await Promise.race([
        signal.then(() => true),
        delay(SIGNAL_RACE_MS).then(() => false),
      ]);
      if (signalledToo) outcome = null;
    }
    if (outcome !== null) {
      console.error(
        `objstore dev: ${outcome.child.name} exited with status ${outcome.status.code}; stopping`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    console.error(`objstore dev: ${(error as Error).message}`);
    return 1;
  } finally {
    await stopAll();
  }
}

async function startWorkers(
  config: DevConfig,
  files: ProgramFiles,
  env: Record<string, string>,
  children: ChildProcess[],
): Promise<WorkerEndpoint[]> {
  const layout: Array<{ id: string; zone: string; pool: "regional" | "archive" }> = [];
  for (let zone = 1; zone <= config.zones; zone++) {
    for (let index = 1; index <= config.workersPerZone; index++) {
      layout.push({ id: `z${zone}-w${index}`, zone: `zone-${zone}`, pool: "regional" });
    }
  }
  for (let zone = 1; zone <= config.archiveZones; zone++) {
    for (let index = 1; index <= config.archiveWorkersPerZone; index++) {
      layout.push({ id: `a${zone}-w${index}`, zone: `archive-zone-${zone}`, pool: "archive" });
    }
  }
  return await Promise.all(layout.map(({ id, zone, pool }) => {
    const child = ChildProcess.spawn(`worker ${id}`, files.mainModule, files.configFile, [
      "worker",
      ...[
        "--worker-id",
        id,
        "--host",
        config.host,
        "--port",
        "0",
        "--data-dir",
        `${config.dataDir}/workers/${id}`,
      ],
    ], env);
    children.push(child);
    return child.waitForLine("worker ready:", READY_TIMEOUT_MS).then((line) => ({
      id,
      url: line.split(" ")[1],
      region: config.region,
      zone,
      weight: 1,
      pool,
    }));
  }));
}

/**
 * The TLS pair the gateway serves with: the configured files, else (with `--tls`) a self-signed pair kept
 * in the data dir; null for plain HTTP.
 */
async function devTlsFiles(config: DevConfig): Promise<TlsPairFiles | null> {
  if (config.tlsCertFile !== "" || config.tlsKeyFile !== "") {
    return { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile };
  }
  return config.tls ? await selfSignedPair(`${config.dataDir}/tls`, config.host) : null;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The secret stored at `path`, created (random, owner-only) on first use. */
async function persistentSecret(path: string): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const secret = toHex(crypto.getRandomValues(new Uint8Array(32)));
  await Deno.writeTextFile(path, secret + "\n", { mode: 0o600 });
  return secret;
}
