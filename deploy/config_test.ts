import { assert, assertEquals, assertRejects } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import { type ConfigSource, loadDevConfig, loadGatewayConfig, loadWorkerConfig } from "./config.ts";
import { ConfigError } from "./config_error.ts";

const SECRET = "a-cluster-secret-of-some-length";

function source(args: readonly string[] = [], env: Record<string, string | undefined> = {}): ConfigSource {
  return { args, env };
}

/** Expects `action` to throw a ConfigError naming `setting`; returns it. */
async function expectConfigError(action: () => unknown, setting: string): Promise<ConfigError> {
  const error = await assertRejects(async () => await action(), `expected a ConfigError for ${setting}`);
  assert(error instanceof ConfigError, `expected ConfigError for ${setting}, got ${error}`);
  assertEquals(error.setting, setting, error.message);
  return error;
}

// ---------------------------------------------------------------------------------------------------
// Worker

const WORKER_ENV = { OBJSTORE_WORKER_ID: "z1-w1", OBJSTORE_CLUSTER_SECRET: SECRET };

Deno.test("loadWorkerConfig() fills in defaults for everything but the id and secret", () => {
  assertEquals(loadWorkerConfig(source([], WORKER_ENV)), {
    host: "127.0.0.1",
    port: 0,
    dataDir: ".data",
    workerId: "z1-w1",
    clusterSecret: SECRET,
    scrubBytesPerSecond: 8 * 1024 * 1024,
    exitWithParent: false,
    logLevel: "info",
  });
});

Deno.test("loadWorkerConfig() reads every setting from the environment", () => {
  const config = loadWorkerConfig(source([], {
    ...WORKER_ENV,
    OBJSTORE_HOST: "0.0.0.0",
    OBJSTORE_PORT: "4101",
    OBJSTORE_DATA_DIR: "/srv/worker",
    OBJSTORE_SCRUB_BYTES_PER_SEC: "0",
    OBJSTORE_EXIT_WITH_PARENT: "true",
    OBJSTORE_LOG_LEVEL: "debug",
  }));
  assertEquals(config, {
    host: "0.0.0.0",
    port: 4101,
    dataDir: "/srv/worker",
    workerId: "z1-w1",
    clusterSecret: SECRET,
    scrubBytesPerSecond: 0,
    exitWithParent: true,
    logLevel: "debug",
  });
});

Deno.test("loadWorkerConfig() lets flags win over the environment", () => {
  const config = loadWorkerConfig(source(
    [
      ...["--port", "5000", "--worker-id=from-flag", "--data-dir", "/flag/dir", "--host", "::1"],
      ...["--scrub-bytes-per-sec", "1024"],
    ],
    {
      ...WORKER_ENV,
      OBJSTORE_PORT: "4000",
      OBJSTORE_DATA_DIR: "/env/dir",
      OBJSTORE_HOST: "10.0.0.1",
      OBJSTORE_SCRUB_BYTES_PER_SEC: "0",
    },
  ));
  assertEquals(config.scrubBytesPerSecond, 1024);
  assertEquals(config.port, 5000);
  assertEquals(config.workerId, "from-flag");
  assertEquals(config.dataDir, "/flag/dir");
  assertEquals(config.host, "::1");
});

Deno.test("loadWorkerConfig() keeps an '=' inside a --flag=value value", () => {
  assertEquals(loadWorkerConfig(source(["--data-dir=/a=b"], WORKER_ENV)).dataDir, "/a=b");
});

Deno.test("loadWorkerConfig() requires the worker id, naming its environment variable", async () => {
  await expectConfigError(
    () => loadWorkerConfig(source([], { OBJSTORE_CLUSTER_SECRET: SECRET })),
    "OBJSTORE_WORKER_ID",
  );
});

Deno.test("loadWorkerConfig() requires the cluster secret, naming its environment variable", async () => {
  await expectConfigError(
    () => loadWorkerConfig(source([], { OBJSTORE_WORKER_ID: "w1" })),
    "OBJSTORE_CLUSTER_SECRET",
  );
});

const BAD_WORKER_VALUES: readonly { args: string[]; env: Record<string, string>; setting: string }[] = [
  { args: ["--port", "70000"], env: {}, setting: "--port" },
  { args: ["--port", "-1"], env: {}, setting: "--port" },
  { args: ["--port", "80.5"], env: {}, setting: "--port" },
  { args: ["--port", "http"], env: {}, setting: "--port" },
  { args: [], env: { OBJSTORE_PORT: "65536" }, setting: "OBJSTORE_PORT" },
  { args: [], env: { OBJSTORE_PORT: "abc" }, setting: "OBJSTORE_PORT" },
  { args: ["--worker-id", "Upper_Case"], env: {}, setting: "--worker-id" },
  { args: ["--worker-id", "x".repeat(65)], env: {}, setting: "--worker-id" },
  { args: [], env: { OBJSTORE_WORKER_ID: "a/b" }, setting: "OBJSTORE_WORKER_ID" },
  { args: [], env: { OBJSTORE_CLUSTER_SECRET: "short" }, setting: "OBJSTORE_CLUSTER_SECRET" },
  { args: [], env: { OBJSTORE_LOG_LEVEL: "loud" }, setting: "OBJSTORE_LOG_LEVEL" },
  { args: ["--host", ""], env: {}, setting: "--host" },
  { args: ["--data-dir="], env: {}, setting: "--data-dir" },
  { args: [], env: { OBJSTORE_DATA_DIR: "" }, setting: "OBJSTORE_DATA_DIR" },
  { args: ["--scrub-bytes-per-sec", "-1"], env: {}, setting: "--scrub-bytes-per-sec" },
  { args: [], env: { OBJSTORE_SCRUB_BYTES_PER_SEC: "8MiB" }, setting: "OBJSTORE_SCRUB_BYTES_PER_SEC" },
];

for (const c of BAD_WORKER_VALUES) {
  Deno.test(`loadWorkerConfig() rejects ${JSON.stringify([...c.args, ...Object.entries(c.env).flat()])} naming ${c.setting}`, async () => {
    await expectConfigError(() => loadWorkerConfig(source(c.args, { ...WORKER_ENV, ...c.env })), c.setting);
  });
}

Deno.test("loadWorkerConfig() quotes the bad value in the error message", async () => {
  const error = await expectConfigError(
    () => loadWorkerConfig(source(["--port", "70000"], WORKER_ENV)),
    "--port",
  );
  assert(error.message.includes('"70000"'), error.message);
});

Deno.test("loadWorkerConfig() names a flag the worker does not know", async () => {
  await expectConfigError(() => loadWorkerConfig(source(["--region", "eu-west-1"], WORKER_ENV)), "--region");
});

Deno.test("loadWorkerConfig() names a misspelt flag", async () => {
  await expectConfigError(() => loadWorkerConfig(source(["--prot", "80"], WORKER_ENV)), "--prot");
});

Deno.test("loadWorkerConfig() names a bare word among the arguments", async () => {
  await expectConfigError(() => loadWorkerConfig(source(["serve"], WORKER_ENV)), "serve");
});

Deno.test("loadWorkerConfig() names a flag that lacks its value", async () => {
  await expectConfigError(() => loadWorkerConfig(source(["--port"], WORKER_ENV)), "--port");
});

Deno.test("loadWorkerConfig() does not accept the cluster secret as a flag", async () => {
  await expectConfigError(
    () => loadWorkerConfig(source(["--cluster-secret", SECRET], { OBJSTORE_WORKER_ID: "w1" })),
    "--cluster-secret",
  );
});

/** The gateway settings every dev cluster and gateway gets when nothing overrides them. */
const DEFAULT_GATEWAY_SETTINGS = {
  host: "127.0.0.1",
  port: 9000,
  dataDir: ".data",
  region: "us-east-1",
  baseDomain: "localhost",
  rootAccessKey: "OBJSTOREDEVROOTKEY01",
  rootSecretKey: "objstore-dev-secret-key-change-me",
  dataShards: 6,
  parityShards: 3,
  archiveDataShards: 6,
  archiveParityShards: 2,
  blockSizeBytes: 1024 * 1024,
  inlineThresholdBytes: 64 * 1024,
  stripesInFlight: 4,
  localShardReads: true,
  workerTimeoutMs: 30_000,
  gcGraceMs: 60 * 60 * 1000,
  gcIntervalMs: 30_000,
  repairIntervalMs: 1_000,
  slowShardMs: 2_000,
  healthIntervalMs: 5_000,
  workerDownAfterMs: 300_000,
  auditIntervalMs: 10_000,
  scrubBytesPerRound: 16_777_216,
  rebalanceIntervalMs: 5000,
  orphanSweepIntervalMs: 1000,
  orphanGraceMs: 3_600_000,
  lifecycleDaySeconds: 86_400,
  lifecycleIntervalMs: 60_000,
  repairBytesPerSec: 268_435_456,
  edgeCacheBytes: 256 * 1024 * 1024,
  edgeMaxObjectBytes: 8 * 1024 * 1024,
  edgeAdmission: "tinylfu",
  headCacheEntries: 100_000,
  tlsCertFile: "",
  tlsKeyFile: "",
  exitWithParent: false,
  logLevel: "info",
} as const;

// ---------------------------------------------------------------------------------------------------
// Dev cluster

Deno.test("loadDevConfig() fills in defaults and leaves the cluster secret to be generated", () => {
  assertEquals(loadDevConfig(source()), {
    ...DEFAULT_GATEWAY_SETTINGS,
    zones: 3,
    workersPerZone: 3,
    archiveZones: 4,
    archiveWorkersPerZone: 2,
    tls: false,
    clusterSecret: undefined,
  });
});

Deno.test("loadDevConfig() refuses an archive pool too small for the archive code, and takes 0 as none", () => {
  const error = assertThrows(() => loadDevConfig(source([], { OBJSTORE_DEV_ARCHIVE_ZONES: "3" })));
  assert(error instanceof ConfigError && error.setting.includes("OBJSTORE_DEV_ARCHIVE_ZONES"), String(error));
  assertEquals(
    loadDevConfig(source([], { OBJSTORE_DEV_ARCHIVE_WORKERS_PER_ZONE: "0" })).archiveWorkersPerZone,
    0,
  );
});

Deno.test("loadDevConfig() takes the cluster secret from the environment", () => {
  assertEquals(loadDevConfig(source([], { OBJSTORE_CLUSTER_SECRET: SECRET })).clusterSecret, SECRET);
});

Deno.test("loadDevConfig() names the cluster secret when it is too short", async () => {
  await expectConfigError(
    () => loadDevConfig(source([], { OBJSTORE_CLUSTER_SECRET: "short" })),
    "OBJSTORE_CLUSTER_SECRET",
  );
});

Deno.test("loadDevConfig() lets flags win over the environment", () => {
  const config = loadDevConfig(source(
    ["--port=9100", "--data-dir", "/tmp/dev", "--region", "eu-west-1", "--base-domain", "s3.test"],
    {
      OBJSTORE_PORT: "9200",
      OBJSTORE_DATA_DIR: "/env",
      OBJSTORE_REGION: "us-west-2",
      OBJSTORE_BASE_DOMAIN: "env.test",
    },
  ));
  assertEquals(
    [config.port, config.dataDir, config.region, config.baseDomain],
    [9100, "/tmp/dev", "eu-west-1", "s3.test"],
  );
});

Deno.test("loadDevConfig() reads the layout from the environment", () => {
  const config = loadDevConfig(source([], {
    OBJSTORE_DEV_ZONES: "4",
    OBJSTORE_DEV_WORKERS_PER_ZONE: "2",
    OBJSTORE_DATA_SHARDS: "4",
    OBJSTORE_PARITY_SHARDS: "2",
  }));
  assertEquals([config.zones, config.workersPerZone, config.dataShards, config.parityShards], [4, 2, 4, 2]);
});

Deno.test("loadDevConfig() names --workers-file, which dev writes itself", async () => {
  await expectConfigError(() => loadDevConfig(source(["--workers-file", "/ignored.json"])), "--workers-file");
});

/** Expects a ConfigError about the dev layout whose setting names `envVar` (among others). */
function expectLayoutError(env: Record<string, string>, envVar: string): ConfigError {
  const error = assertThrows(() => loadDevConfig(source([], env)), "the layout was accepted");
  assert(error instanceof ConfigError, `expected ConfigError, got ${error}`);
  assert(error.setting.includes(envVar), `setting ${error.setting} does not name ${envVar}`);
  return error;
}

Deno.test("loadDevConfig() refuses too few zones for 6+3, naming the zone setting", () => {
  const error = expectLayoutError({ OBJSTORE_DEV_ZONES: "2" }, "OBJSTORE_DEV_ZONES");
  assert(error.message.includes("6+3"), error.message);
});

Deno.test("loadDevConfig() refuses too few zones for 4+2, naming the zone setting", () => {
  expectLayoutError(
    { OBJSTORE_DEV_ZONES: "2", OBJSTORE_DATA_SHARDS: "4", OBJSTORE_PARITY_SHARDS: "2" },
    "OBJSTORE_DEV_ZONES",
  );
});

Deno.test("loadDevConfig() refuses too few workers per zone for 6+3, naming the workers-per-zone setting", () => {
  expectLayoutError(
    { OBJSTORE_DEV_ZONES: "3", OBJSTORE_DEV_WORKERS_PER_ZONE: "2" },
    "OBJSTORE_DEV_WORKERS_PER_ZONE",
  );
});

Deno.test("loadDevConfig() accepts 6+0 over 6 zones of one worker", () => {
  const config = loadDevConfig(source([], {
    OBJSTORE_PARITY_SHARDS: "0",
    OBJSTORE_DEV_ZONES: "6",
    OBJSTORE_DEV_WORKERS_PER_ZONE: "1",
  }));
  assertEquals([config.dataShards, config.parityShards, config.zones], [6, 0, 6]);
});

Deno.test("loadDevConfig() accepts 6+3 over 5 zones of 2 workers", () => {
  const config = loadDevConfig(source([], { OBJSTORE_DEV_ZONES: "5", OBJSTORE_DEV_WORKERS_PER_ZONE: "2" }));
  assertEquals([config.zones, config.workersPerZone], [5, 2]);
});

const BAD_DEV_VALUES: readonly [string, string][] = [
  ["OBJSTORE_DATA_SHARDS", "0"],
  ["OBJSTORE_DATA_SHARDS", "65"],
  ["OBJSTORE_PARITY_SHARDS", "33"],
  ["OBJSTORE_PARITY_SHARDS", "-1"],
  ["OBJSTORE_BLOCK_SIZE_BYTES", "4095"],
  ["OBJSTORE_BLOCK_SIZE_BYTES", String(16 * 1024 * 1024 + 1)],
  ["OBJSTORE_INLINE_THRESHOLD_BYTES", String(1024 * 1024 + 1)],
  ["OBJSTORE_STRIPES_IN_FLIGHT", "0"],
  ["OBJSTORE_WORKER_TIMEOUT_MS", "0"],
  ["OBJSTORE_GC_GRACE_MS", "-5"],
  ["OBJSTORE_GC_INTERVAL_MS", "1.5"],
  ["OBJSTORE_REGION", "US-EAST-1"],
  ["OBJSTORE_BASE_DOMAIN", "Example.com"],
  ["OBJSTORE_ROOT_ACCESS_KEY", "ab"],
  ["OBJSTORE_ROOT_ACCESS_KEY", "has space"],
  ["OBJSTORE_ROOT_SECRET_KEY", "short"],
  ["OBJSTORE_DEV_ZONES", "0"],
  ["OBJSTORE_DEV_ZONES", "17"],
  ["OBJSTORE_DEV_WORKERS_PER_ZONE", "0"],
  ["OBJSTORE_LOG_LEVEL", "INFO"],
];

for (const [setting, value] of BAD_DEV_VALUES) {
  Deno.test(`loadDevConfig() rejects ${setting}=${JSON.stringify(value)} naming ${setting}`, async () => {
    await expectConfigError(() => loadDevConfig(source([], { [setting]: value })), setting);
  });
}

Deno.test("loadDevConfig() names a bad --port flag rather than the environment variable", async () => {
  await expectConfigError(
    () => loadDevConfig(source(["--port", "99999"], { OBJSTORE_PORT: "9000" })),
    "--port",
  );
});

Deno.test("loadDevConfig() names an unknown flag", async () => {
  await expectConfigError(() => loadDevConfig(source(["--zones", "3"])), "--zones");
});

// ---------------------------------------------------------------------------------------------------
// Gateway

interface WorkerEntry {
  id?: unknown;
  url?: unknown;
  region?: unknown;
  zone?: unknown;
  weight?: unknown;
}

/** `zones[i]` workers in zone i, as a workers file lists them. */
function workerEntries(zones: readonly number[]): WorkerEntry[] {
  return zones.flatMap((count, zone) =>
    Array.from({ length: count }, (_, index) => ({
      id: `z${zone + 1}-w${index + 1}`,
      url: `http://127.0.0.1:${4100 + zone * 10 + index}`,
      region: "us-east-1",
      zone: `zone-${zone + 1}`,
    }))
  );
}

interface TempDir extends AsyncDisposable {
  readonly path: string;
  /** Writes `name` in the directory and returns its path. */
  write(name: string, text: string): Promise<string>;
}

async function tempDir(): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix: "objstore_config_test_" });
  return {
    path,
    async write(name, text) {
      await Deno.writeTextFile(`${path}/${name}`, text);
      return `${path}/${name}`;
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

function gatewayEnv(workersFile: string, extra: Record<string, string> = {}): Record<string, string> {
  return { OBJSTORE_CLUSTER_SECRET: SECRET, OBJSTORE_WORKERS_FILE: workersFile, ...extra };
}

Deno.test("loadGatewayConfig() reads the workers file, giving each worker weight 1 and the regional pool by default", async () => {
  await using dir = await tempDir();
  const entries = workerEntries([3, 3, 3]);
  entries[4].weight = 2.5;
  const file = await dir.write("workers.json", JSON.stringify(entries));
  const config = await loadGatewayConfig(source([], gatewayEnv(file)));
  assertEquals(
    config.workers,
    entries.map((entry, index) => ({
      ...entry,
      weight: index === 4 ? 2.5 : 1,
      pool: "regional",
    })) as unknown[],
  );
});

Deno.test("loadGatewayConfig() checks an archive pool against the archive code", async () => {
  await using dir = await tempDir();
  const archive = (count: number) =>
    workerEntries([count, count, count, count]).map((entry) => ({
      ...entry,
      id: `a-${entry.id}`,
      pool: "archive",
    }));
  const fits = await dir.write("fits.json", JSON.stringify([...workerEntries([3, 3, 3]), ...archive(2)]));
  const config = await loadGatewayConfig(source([], gatewayEnv(fits)));
  assertEquals(config.workers.filter((worker) => worker.pool === "archive").length, 8);
  const small = await dir.write("small.json", JSON.stringify([...workerEntries([3, 3, 3]), ...archive(1)]));
  const error = await assertRejects(() => loadGatewayConfig(source([], gatewayEnv(small))));
  assert(error instanceof ConfigError && error.message.includes("4 archive workers"), String(error));
});

Deno.test("loadGatewayConfig() fills in defaults and does not carry the workers file path", async () => {
  await using dir = await tempDir();
  const file = await dir.write("workers.json", JSON.stringify(workerEntries([3, 3, 3])));
  const { workers: _workers, ...config } = await loadGatewayConfig(source([], gatewayEnv(file)));
  assertEquals(config, {
    ...DEFAULT_GATEWAY_SETTINGS,
    clusterSecret: SECRET,
    tls: null,
  });
});

Deno.test("loadGatewayConfig() reads a TLS pair; one file alone, a missing file or no PEM is a ConfigError", async () => {
  await using dir = await tempDir();
  const file = await dir.write("workers.json", JSON.stringify(workerEntries([3, 3, 3])));
  const cert = await dir.write("cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  const key = await dir.write("key.pem", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
  const config = await loadGatewayConfig(source(["--tls-cert", cert, "--tls-key", key], gatewayEnv(file)));
  assertEquals(config.tls?.cert.startsWith("-----BEGIN CERTIFICATE-----"), true);
  assertEquals(config.tls?.key.includes("PRIVATE KEY-----"), true);
  const refused: Array<[string[], string]> = [
    [["--tls-cert", cert], "OBJSTORE_TLS_KEY_FILE"],
    [["--tls-key", key], "OBJSTORE_TLS_CERT_FILE"],
    [["--tls-cert", `${cert}.missing`, "--tls-key", key], "OBJSTORE_TLS_CERT_FILE"],
    [["--tls-cert", key, "--tls-key", key], "OBJSTORE_TLS_CERT_FILE"],
    [["--tls-cert", cert, "--tls-key", cert], "OBJSTORE_TLS_KEY_FILE"],
  ];
  for (const [args, setting] of refused) {
    const error = await loadGatewayConfig(source(args, gatewayEnv(file))).then(() => null, (e) => e);
    assertEquals(error instanceof ConfigError ? error.setting : String(error), setting, args.join(" "));
  }
});

Deno.test("loadDevConfig() takes --tls alone as true", () => {
  assertEquals(loadDevConfig(source(["--tls", "--port", "0"])).tls, true);
  assertEquals(loadDevConfig(source(["--port", "0", "--tls"])).tls, true);
  assertEquals(loadDevConfig(source(["--tls", "false"])).tls, false);
});

Deno.test("loadGatewayConfig() lets --workers-file win over the environment", async () => {
  await using dir = await tempDir();
  const fromFlag = await dir.write("flag.json", JSON.stringify(workerEntries([3, 3, 3])));
  const fromEnv = await dir.write("env.json", "not even json");
  const config = await loadGatewayConfig(source(["--workers-file", fromFlag], gatewayEnv(fromEnv)));
  assertEquals(config.workers.length, 9);
});

Deno.test("loadGatewayConfig() lets flags win over the environment for the listening port", async () => {
  await using dir = await tempDir();
  const file = await dir.write("workers.json", JSON.stringify(workerEntries([3, 3, 3])));
  const config = await loadGatewayConfig(
    source(["--port", "0"], gatewayEnv(file, { OBJSTORE_PORT: "9999" })),
  );
  assertEquals(config.port, 0);
});

Deno.test("loadGatewayConfig() accepts 4+2 over 3 zones of 2 workers", async () => {
  await using dir = await tempDir();
  const file = await dir.write("workers.json", JSON.stringify(workerEntries([2, 2, 2])));
  const config = await loadGatewayConfig(
    source([], gatewayEnv(file, { OBJSTORE_DATA_SHARDS: "4", OBJSTORE_PARITY_SHARDS: "2" })),
  );
  assertEquals(config.workers.length, 6);
});

Deno.test("loadGatewayConfig() requires the workers file, naming its environment variable", async () => {
  await expectConfigError(
    () => loadGatewayConfig(source([], { OBJSTORE_CLUSTER_SECRET: SECRET })),
    "OBJSTORE_WORKERS_FILE",
  );
});

Deno.test("loadGatewayConfig() requires the cluster secret, naming its environment variable", async () => {
  await using dir = await tempDir();
  const file = await dir.write("workers.json", JSON.stringify(workerEntries([3, 3, 3])));
  await expectConfigError(
    () => loadGatewayConfig(source([], { OBJSTORE_WORKERS_FILE: file })),
    "OBJSTORE_CLUSTER_SECRET",
  );
});

Deno.test("loadGatewayConfig() names the workers file when it does not exist", async () => {
  await using dir = await tempDir();
  const error = await expectConfigError(
    () => loadGatewayConfig(source([], gatewayEnv(`${dir.path}/missing.json`))),
    "OBJSTORE_WORKERS_FILE",
  );
  assert(error.message.includes("missing.json"), error.message);
});

Deno.test("loadGatewayConfig() names the workers file when it is not JSON", async () => {
  await using dir = await tempDir();
  const file = await dir.write("workers.json", "[{ id: oops }");
  await expectConfigError(() => loadGatewayConfig(source([], gatewayEnv(file))), "OBJSTORE_WORKERS_FILE");
});

const BAD_WORKER_LISTS: readonly [string, () => unknown][] = [
  ["an empty list", () => []],
  ["an object instead of a list", () => ({ workers: workerEntries([3, 3, 3]) })],
  [
    "a worker without an id",
    () => workerEntries([3, 3, 3]).map((w, i) => i === 0 ? { ...w, id: undefined } : w),
  ],
  ["an upper-case worker id", () => workerEntries([3, 3, 3]).map((w, i) => i === 0 ? { ...w, id: "Z1" } : w)],
  [
    "a URL that is not a URL",
    () => workerEntries([3, 3, 3]).map((w, i) => i === 2 ? { ...w, url: "localhost" } : w),
  ],
  ["an empty zone", () => workerEntries([3, 3, 3]).map((w, i) => i === 3 ? { ...w, zone: "" } : w)],
  ["an empty region", () => workerEntries([3, 3, 3]).map((w, i) => i === 3 ? { ...w, region: "" } : w)],
  ["a weight of 0", () => workerEntries([3, 3, 3]).map((w, i) => i === 5 ? { ...w, weight: 0 } : w)],
  ["a negative weight", () => workerEntries([3, 3, 3]).map((w, i) => i === 5 ? { ...w, weight: -1 } : w)],
  [
    "a weight given as text",
    () => workerEntries([3, 3, 3]).map((w, i) => i === 5 ? { ...w, weight: "2" } : w),
  ],
];

for (const [name, entries] of BAD_WORKER_LISTS) {
  Deno.test(`loadGatewayConfig() rejects a workers file with ${name}, naming the workers file`, async () => {
    await using dir = await tempDir();
    const file = await dir.write("workers.json", JSON.stringify(entries()));
    await expectConfigError(() => loadGatewayConfig(source([], gatewayEnv(file))), "OBJSTORE_WORKERS_FILE");
  });
}

Deno.test("loadGatewayConfig() rejects a worker id listed twice", async () => {
  await using dir = await tempDir();
  const entries = workerEntries([3, 3, 3]);
  entries[7].id = entries[1].id;
  const file = await dir.write("workers.json", JSON.stringify(entries));
  const error = await expectConfigError(
    () => loadGatewayConfig(source([], gatewayEnv(file))),
    "OBJSTORE_WORKERS_FILE",
  );
  assert(error.message.includes(`${entries[1].id} appears twice`), error.message);
});

Deno.test("loadGatewayConfig() rejects 9 workers in 2 zones for 6+3", async () => {
  await using dir = await tempDir();
  const file = await dir.write("workers.json", JSON.stringify(workerEntries([5, 4])));
  const error = await expectConfigError(
    () => loadGatewayConfig(source([], gatewayEnv(file))),
    "OBJSTORE_WORKERS_FILE",
  );
  assert(error.message.includes("2 zones"), error.message);
});

Deno.test("loadGatewayConfig() rejects 8 workers in 4 zones for 6+3", async () => {
  await using dir = await tempDir();
  const file = await dir.write("workers.json", JSON.stringify(workerEntries([2, 2, 2, 2])));
  await expectConfigError(() => loadGatewayConfig(source([], gatewayEnv(file))), "OBJSTORE_WORKERS_FILE");
});

Deno.test("loadGatewayConfig() counts zones of the same name in different regions apart", async () => {
  await using dir = await tempDir();
  const entries = workerEntries([3, 3, 3]).map((w, i) => ({
    ...w,
    zone: "zone-1",
    region: `region-${Math.floor(i / 3)}`,
  }));
  const file = await dir.write("workers.json", JSON.stringify(entries));
  const config = await loadGatewayConfig(source([], gatewayEnv(file)));
  assertEquals(config.workers.length, 9);
});

Deno.test("loadGatewayConfig() names an unknown flag", async () => {
  await using dir = await tempDir();
  const file = await dir.write("workers.json", JSON.stringify(workerEntries([3, 3, 3])));
  await expectConfigError(
    () => loadGatewayConfig(source(["--worker-id", "w1"], gatewayEnv(file))),
    "--worker-id",
  );
});

Deno.test("loadGatewayConfig() names a bad environment value", async () => {
  await using dir = await tempDir();
  const file = await dir.write("workers.json", JSON.stringify(workerEntries([3, 3, 3])));
  await expectConfigError(
    () => loadGatewayConfig(source([], gatewayEnv(file, { OBJSTORE_STRIPES_IN_FLIGHT: "many" }))),
    "OBJSTORE_STRIPES_IN_FLIGHT",
  );
});
