/**
 * Every setting of every role, each with its environment variable, flag, unit, default and zod schema.
 * This table (with `admin_settings.ts`) is the single source for parsing (`config.ts`) and for
 * `docs/configuration.md`.
 */
import { z } from "zod";

/** One documented setting. */
export interface SettingSpec<T> {
  /** Environment variable that sets it. */
  readonly env: string;
  /** Command-line flag (without dashes) that sets it; flags win over the environment. */
  readonly flag?: string;
  /** Unit of the value, for the docs. */
  readonly unit: string;
  /** Default as it would be written in the environment; `undefined` means required. */
  readonly defaultValue?: string;
  /** What it does. */
  readonly description: string;
  /** Parses the raw string. */
  readonly schema: z.ZodType<T>;
}

/**
 * A whole number written in decimal digits, between `min` and `max`. Unlike `z.coerce.number()`, an
 * empty value, hex, exponents and fractions are errors, never a silent 0 or a surprise.
 */
function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.string().regex(/^\d+$/, "expected a whole number in decimal digits")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

const port = wholeNumber(0, 65_535);
const positiveInt = wholeNumber(1);
const nonNegativeInt = wholeNumber(0);
const nonEmpty = z.string().min(1);
/** `true` or `false`, exactly, as a boolean. */
const trueOrFalse = z.enum(["true", "false"]).transform((value) => value === "true");

/** Settings shared by the gateway and the dev cluster. */
export const GATEWAY_SETTINGS = {
  host: {
    env: "OBJSTORE_HOST",
    flag: "host",
    unit: "IP address",
    defaultValue: "127.0.0.1",
    description: "Address the gateway listens on.",
    schema: nonEmpty,
  },
  port: {
    env: "OBJSTORE_PORT",
    flag: "port",
    unit: "TCP port",
    defaultValue: "9000",
    description: "Port of the S3 endpoint; 0 picks a free port (the printed endpoint shows it).",
    schema: port,
  },
  dataDir: {
    env: "OBJSTORE_DATA_DIR",
    flag: "data-dir",
    unit: "path",
    defaultValue: ".data",
    description: "Directory of the gateway's Deno KV metadata file (and, for dev, of every worker).",
    schema: nonEmpty,
  },
  region: {
    env: "OBJSTORE_REGION",
    flag: "region",
    unit: "AWS region name",
    defaultValue: "us-east-1",
    description: "Region the gateway signs and answers for (SigV4 scope, GetBucketLocation).",
    schema: z.string().regex(/^[a-z0-9-]{1,32}$/, "expected a region name such as us-east-1"),
  },
  baseDomain: {
    env: "OBJSTORE_BASE_DOMAIN",
    flag: "base-domain",
    unit: "DNS name",
    defaultValue: "localhost",
    description: "Requests to `BUCKET.<base domain>` are virtual-host style; others are path style.",
    schema: z.string().regex(/^[a-z0-9.-]+$/, "expected a lower-case DNS name"),
  },
  rootAccessKey: {
    env: "OBJSTORE_ROOT_ACCESS_KEY",
    unit: "string",
    defaultValue: "OBJSTOREDEVROOTKEY01",
    description: "Access key ID of the root user. The default is for local development only.",
    schema: z.string().regex(/^[A-Za-z0-9_-]{3,128}$/, "expected 3-128 letters, digits, '_' or '-'"),
  },
  rootSecretKey: {
    env: "OBJSTORE_ROOT_SECRET_KEY",
    unit: "string",
    defaultValue: "objstore-dev-secret-key-change-me",
    description: "Secret key of the root user. The default is for local development only.",
    schema: z.string().min(8, "expected at least 8 characters").max(128),
  },
  clusterSecret: {
    env: "OBJSTORE_CLUSTER_SECRET",
    unit: "string",
    description: "Shared secret that gateways use to sign requests to workers (dev generates one).",
    schema: z.string().min(16, "expected at least 16 characters"),
  },
  workersFile: {
    env: "OBJSTORE_WORKERS_FILE",
    flag: "workers-file",
    unit: "path",
    description: "JSON file listing the workers: [{id, url, region, zone, weight}].",
    schema: nonEmpty,
  },
  dataShards: {
    env: "OBJSTORE_DATA_SHARDS",
    unit: "shards",
    defaultValue: "6",
    description: "Reed-Solomon data shards per stripe (k).",
    schema: wholeNumber(1, 64),
  },
  parityShards: {
    env: "OBJSTORE_PARITY_SHARDS",
    unit: "shards",
    defaultValue: "3",
    description: "Reed-Solomon parity shards per stripe (m); any m shards may be lost.",
    schema: wholeNumber(0, 32),
  },
  archiveDataShards: {
    env: "OBJSTORE_ARCHIVE_DATA_SHARDS",
    unit: "shards",
    defaultValue: "6",
    description:
      "Data shards per stripe of the archive tier (workers with pool `archive`): a wider code than the regional tier's stores fewer bytes per byte.",
    schema: wholeNumber(1, 64),
  },
  archiveParityShards: {
    env: "OBJSTORE_ARCHIVE_PARITY_SHARDS",
    unit: "shards",
    defaultValue: "2",
    description: "Parity shards per stripe of the archive tier; at most this many per zone.",
    schema: wholeNumber(0, 32),
  },
  blockSizeBytes: {
    env: "OBJSTORE_BLOCK_SIZE_BYTES",
    unit: "bytes",
    defaultValue: String(1024 * 1024),
    description: "Bytes of one shard block; a stripe holds k blocks of data.",
    schema: wholeNumber(4096, 16 * 1024 * 1024),
  },
  inlineThresholdBytes: {
    env: "OBJSTORE_INLINE_THRESHOLD_BYTES",
    unit: "bytes",
    defaultValue: String(64 * 1024),
    description:
      "Objects up to this size are stored in metadata pages instead of on workers (at most 512 KiB, " +
      "so one object's pages fit in one metadata commit).",
    schema: wholeNumber(0, 512 * 1024),
  },
  stripesInFlight: {
    env: "OBJSTORE_STRIPES_IN_FLIGHT",
    unit: "stripes",
    defaultValue: "4",
    description: "Stripes buffered per upload or download; bounds gateway memory per request.",
    schema: wholeNumber(1, 64),
  },
  localShardReads: {
    env: "OBJSTORE_LOCAL_SHARD_READS",
    unit: "true | false",
    defaultValue: "true",
    description:
      "Read the shard files of workers on this host straight from their disks (each worker proves its directory " +
      "is shared with a token file); reads of other workers, and all writes, go over HTTP.",
    schema: trueOrFalse,
  },
  workerTimeoutMs: {
    env: "OBJSTORE_WORKER_TIMEOUT_MS",
    unit: "milliseconds",
    defaultValue: "30000",
    description: "A worker that sends or accepts nothing for this long is treated as failed.",
    schema: positiveInt,
  },
  gcGraceMs: {
    env: "OBJSTORE_GC_GRACE_MS",
    unit: "milliseconds",
    defaultValue: String(60 * 60 * 1000),
    description: "Delay before the shards of deleted, overwritten or abandoned data are removed.",
    schema: nonNegativeInt,
  },
  gcIntervalMs: {
    env: "OBJSTORE_GC_INTERVAL_MS",
    unit: "milliseconds",
    defaultValue: "30000",
    description: "How often the garbage collector looks for due work.",
    schema: positiveInt,
  },
  repairIntervalMs: {
    env: "OBJSTORE_REPAIR_INTERVAL_MS",
    unit: "milliseconds",
    defaultValue: "1000",
    description:
      "How often the gateway works through the queue of missing or corrupt shards (a round rebuilds 4 data ids at a time, for up to 5 s).",
    schema: wholeNumber(50, 86_400_000),
  },
  slowShardMs: {
    env: "OBJSTORE_SLOW_SHARD_MS",
    unit: "milliseconds",
    defaultValue: "2000",
    description:
      "A shard that takes longer than this to answer or to deliver a block is given up for that read and parity is read instead: the most a hung or slow worker adds to a read.",
    schema: wholeNumber(10, 600_000),
  },
  healthIntervalMs: {
    env: "OBJSTORE_HEALTH_INTERVAL_MS",
    unit: "milliseconds",
    defaultValue: "5000",
    description: "How often the gateway asks every worker whether it answers (heartbeat).",
    schema: wholeNumber(50, 3_600_000),
  },
  workerDownAfterMs: {
    env: "OBJSTORE_WORKER_DOWN_AFTER_MS",
    unit: "milliseconds",
    defaultValue: "300000",
    description:
      "A worker that has not answered heartbeats for this long has its shards rebuilt on other workers (keeping the zone rule).",
    schema: wholeNumber(0, 604_800_000),
  },
  auditIntervalMs: {
    env: "OBJSTORE_AUDIT_INTERVAL_MS",
    unit: "milliseconds",
    defaultValue: "10000",
    description:
      "How often the shard auditor checks the next 256 manifests' shards on their workers (refilling wiped disks, finding lost shards).",
    schema: wholeNumber(50, 86_400_000),
  },
  scrubBytesPerRound: {
    env: "OBJSTORE_SCRUB_BYTES_PER_ROUND",
    unit: "bytes",
    defaultValue: "16777216",
    description:
      "Shard bytes each audit round reads whole so workers verify every block (scrubbing); 0 checks presence only.",
    schema: wholeNumber(0, 1_099_511_627_776),
  },
  rebalanceIntervalMs: {
    env: "OBJSTORE_REBALANCE_INTERVAL_MS",
    unit: "milliseconds",
    defaultValue: "5000",
    description:
      "How often the rebalancer moves the shards of the next 256 manifests to their placement after workers were added or started draining.",
    schema: wholeNumber(50, 86_400_000),
  },
  orphanSweepIntervalMs: {
    env: "OBJSTORE_ORPHAN_SWEEP_INTERVAL_MS",
    unit: "milliseconds",
    defaultValue: "1000",
    description:
      "How often the orphan sweeper checks the next 500 shards of one worker against the manifests, deleting copies older than OBJSTORE_ORPHAN_GRACE_MS that no manifest names.",
    schema: wholeNumber(50, 86_400_000),
  },
  orphanGraceMs: {
    env: "OBJSTORE_ORPHAN_GRACE_MS",
    unit: "milliseconds",
    defaultValue: String(60 * 60 * 1000),
    description:
      "A shard copy written less than this long ago is never collected by the orphan sweeper (a write may not have committed its manifest yet); keep it far above the longest upload.",
    schema: nonNegativeInt,
  },
  repairBytesPerSec: {
    env: "OBJSTORE_REPAIR_BYTES_PER_SEC",
    unit: "bytes per second",
    defaultValue: String(256 * 1024 * 1024),
    description:
      "Bandwidth bound of background work: object bytes that repair and rebalancing together read per second to rebuild shards; 0 is unbounded.",
    schema: wholeNumber(0, 1_099_511_627_776),
  },
  lifecycleDaySeconds: {
    env: "OBJSTORE_LIFECYCLE_DAY_SECONDS",
    flag: "lifecycle-day-seconds",
    unit: "seconds",
    defaultValue: "86400",
    description:
      "The length of a lifecycle day: rules count days of this length and fall due at its multiples, as AWS does at midnight UTC (short days make lifecycle testable).",
    schema: wholeNumber(1, 31_536_000),
  },
  lifecycleIntervalMs: {
    env: "OBJSTORE_LIFECYCLE_INTERVAL_MS",
    unit: "milliseconds",
    defaultValue: "60000",
    description:
      "How often the lifecycle executor judges the next 1000 versions (a persisted cursor walks every bucket with rules); at most a quarter of a lifecycle day.",
    schema: wholeNumber(50, 86_400_000),
  },
  edgeCacheBytes: {
    env: "OBJSTORE_EDGE_CACHE_BYTES",
    unit: "bytes",
    defaultValue: String(256 * 1024 * 1024),
    description: "Memory for the edge tier (whole small objects by data id); 0 disables it.",
    schema: wholeNumber(0, 64 * 1024 ** 3),
  },
  edgeMaxObjectBytes: {
    env: "OBJSTORE_EDGE_MAX_OBJECT_BYTES",
    unit: "bytes",
    defaultValue: String(8 * 1024 * 1024),
    description: "Largest object the edge tier holds; larger objects always stream from storage.",
    schema: wholeNumber(0, 1024 ** 3),
  },
  edgeAdmission: {
    env: "OBJSTORE_EDGE_ADMISSION",
    unit: "tinylfu | lru",
    defaultValue: "tinylfu",
    description: "How a full edge cache admits new objects: TinyLFU (frequency-aware) or plain LRU.",
    schema: z.enum(["tinylfu", "lru"]),
  },
  headCacheEntries: {
    env: "OBJSTORE_HEAD_CACHE_ENTRIES",
    unit: "entries",
    defaultValue: "100000",
    description: "Object heads kept in gateway memory, exactly coherent with its own commits; 0 disables.",
    schema: wholeNumber(0, 10_000_000),
  },
  tlsCertFile: {
    env: "OBJSTORE_TLS_CERT_FILE",
    flag: "tls-cert",
    unit: "path",
    defaultValue: "",
    description:
      "PEM certificate (chain) file: when set with the key, the gateway serves HTTPS only. Empty: plain HTTP.",
    schema: z.string(),
  },
  tlsKeyFile: {
    env: "OBJSTORE_TLS_KEY_FILE",
    flag: "tls-key",
    unit: "path",
    defaultValue: "",
    description: "PEM private key file of the certificate; set both or neither.",
    schema: z.string(),
  },
  exitWithParent: {
    env: "OBJSTORE_EXIT_WITH_PARENT",
    unit: "true | false",
    defaultValue: "false",
    description:
      "Stop when standard input closes: set by the dev cluster and the tests, which keep a pipe open, so a " +
      "process never outlives a parent that was killed.",
    schema: trueOrFalse,
  },
  logLevel: {
    env: "OBJSTORE_LOG_LEVEL",
    unit: "debug | info | warn | error",
    defaultValue: "info",
    description: "Least severe log line written to stderr.",
    schema: z.enum(["debug", "info", "warn", "error"]),
  },
} as const satisfies Record<string, SettingSpec<unknown>>;

/** Settings of a storage worker. */
export const WORKER_SETTINGS = {
  host: GATEWAY_SETTINGS.host,
  port: {
    ...GATEWAY_SETTINGS.port,
    defaultValue: "0",
    description: "Port of the worker; 0 picks a free port.",
  },
  dataDir: { ...GATEWAY_SETTINGS.dataDir, description: "Directory where this worker keeps its shard files." },
  workerId: {
    env: "OBJSTORE_WORKER_ID",
    flag: "worker-id",
    unit: "string",
    description: "Stable identity of this worker; manifests refer to it.",
    schema: z.string().regex(/^[a-z0-9-]{1,64}$/, "expected 1-64 lower-case letters, digits or '-'"),
  },
  clusterSecret: GATEWAY_SETTINGS.clusterSecret,
  scrubBytesPerSecond: {
    env: "OBJSTORE_SCRUB_BYTES_PER_SEC",
    flag: "scrub-bytes-per-sec",
    unit: "bytes per second",
    defaultValue: String(8 * 1024 * 1024),
    description:
      "Pace at which the worker re-reads every shard file and checks every block (scrubbing); a corrupt shard " +
      "is quarantined and reported to gateways for repair. 0 turns scrubbing off.",
    schema: wholeNumber(0, 1_099_511_627_776),
  },
  exitWithParent: GATEWAY_SETTINGS.exitWithParent,
  logLevel: GATEWAY_SETTINGS.logLevel,
} as const satisfies Record<string, SettingSpec<unknown>>;

/** Settings of the dev cluster (the gateway settings it passes on, plus the layout). */
export const DEV_SETTINGS = {
  ...GATEWAY_SETTINGS,
  clusterSecret: {
    ...GATEWAY_SETTINGS.clusterSecret,
    description: "As for the gateway; dev generates and keeps one in the data dir when unset.",
  },
  workersFile: { ...GATEWAY_SETTINGS.workersFile, description: "Not used by dev: it writes its own." },
  zones: {
    env: "OBJSTORE_DEV_ZONES",
    unit: "zones",
    defaultValue: "3",
    description: "Zones of the dev cluster.",
    schema: wholeNumber(1, 16),
  },
  workersPerZone: {
    env: "OBJSTORE_DEV_WORKERS_PER_ZONE",
    unit: "workers",
    defaultValue: "3",
    description: "Workers per zone of the dev cluster.",
    schema: wholeNumber(1, 16),
  },
  archiveZones: {
    env: "OBJSTORE_DEV_ARCHIVE_ZONES",
    unit: "zones",
    defaultValue: "4",
    description: "Zones of the dev cluster's archive pool (workers `a<zone>-w<n>`, pool `archive`).",
    schema: wholeNumber(1, 16),
  },
  archiveWorkersPerZone: {
    env: "OBJSTORE_DEV_ARCHIVE_WORKERS_PER_ZONE",
    unit: "workers",
    defaultValue: "2",
    description: "Archive workers per archive zone of the dev cluster; 0 runs no archive tier.",
    schema: wholeNumber(0, 16),
  },
  tls: {
    env: "OBJSTORE_DEV_TLS",
    flag: "tls",
    unit: "true | false",
    defaultValue: "false",
    description:
      "Serve HTTPS: with no certificate given, dev generates a self-signed one for localhost and 127.0.0.1 " +
      "(kept in `<data dir>/tls/`, renewed when it nears expiry) and prints where it is.",
    schema: trueOrFalse,
  },
} as const satisfies Record<string, SettingSpec<unknown>>;
