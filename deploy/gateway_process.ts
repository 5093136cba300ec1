/**
 * Builds and runs a gateway from its configuration: opens the Deno KV metadata file (this process
 * becomes its only owner), wires tiers and routes, serves S3 on `Deno.serve`, and runs the background
 * work on intervals: garbage collection, heartbeats, repair, the shard audit, rebalancing, the orphan
 * sweep, lifecycle rules and the flush of recorded reads. Prints `endpoint: URL` once it accepts requests.
 */
import { createHash } from "node:crypto";
import { createGatewayApp, type GatewayConnection, type S3Owner } from "../routes/mod.ts";
import {
  ByteRateLimiter,
  GarbageCollector,
  KvMetaStore,
  Logger,
  Md5Pool,
  MetadataCatalog,
  Metrics,
  runErasureSelfTest,
  systemClock,
  timingSafeEqual,
  Topology,
  utf8,
  WorkerPool,
} from "../storage/mod.ts";
import {
  accessTiming,
  AccessTracker,
  BucketService,
  ClusterLayout,
  DataReader,
  EdgeCache,
  MetadataLease,
  MultipartService,
  ObjectRestores,
  ObjectService,
  ObjectTransitions,
  OrphanSweeper,
  RegionalTier,
  ROOT_USER_NAME,
  ShardAuditor,
  ShardRebalancer,
  ShardRepairer,
  UserService,
  WorkerHealth,
} from "../tiers/mod.ts";
import { LifecycleScanner } from "../tiers/lifecycle/mod.ts";
import { BackgroundLoop } from "./background_loop.ts";
import type { GatewayConfig } from "./config.ts";

/** A running gateway. */
export interface GatewayProcess {
  readonly port: number;
  /** Stops serving, stops background jobs and closes the metadata store. */
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
}

/** The wired gateway, not yet serving: its HTTP app and what must be started and closed with it. */
export interface GatewayParts {
  /** The S3 app; `app.fetch` is the request handler (pass the connection for `aws:SourceIp`). */
  readonly app: { fetch: (request: Request, connection?: GatewayConnection) => Response | Promise<Response> };
  readonly gc: GarbageCollector;
  /** Rebuilds queued missing or corrupt shards (run on an interval by `startGateway`). */
  readonly repairer: ShardRepairer;
  /** Checks and scrubs shards on their workers, queueing repairs (run on an interval by `startGateway`). */
  readonly auditor: ShardAuditor;
  /** Moves shards to their placement after workers were added or started draining (run on an interval). */
  readonly rebalancer: ShardRebalancer;
  /** RestoreObject: makes and retires temporary copies of archived objects (run on an interval). */
  readonly restores: ObjectRestores;
  /** The metadata lease of background job `name` for this gateway (rounds every `intervalMs`). */
  lease(name: string, intervalMs: number): MetadataLease;
  /** Applies buckets' lifecycle rules under a metadata lease (run on an interval by `startGateway`). */
  readonly lifecycle: LifecycleScanner;
  /** Deletes shard copies no manifest names (run on an interval by `startGateway`). */
  readonly orphans: OrphanSweeper;
  /** Heartbeats of the workers (run on an interval by `startGateway`). */
  readonly health: WorkerHealth;
  /** Reads of objects, coalesced in memory (flushed on an interval and at shutdown by `startGateway`). */
  readonly access: AccessTracker;
  readonly logger: Logger;
  /** Closes the metadata store and stops the MD5 workers. */
  close(): void;
}

/** How often queued restores are carried out and expired ones retired. */
const RESTORE_INTERVAL_MS = 1000;
/** Bound of the data ids whose reads wait for a flush, and of the recorded times the tracker remembers. */
const ACCESS_TRACKER_ENTRIES = 100_000;

/** Starts the gateway described by `config`. */
export async function startGateway(config: GatewayConfig): Promise<GatewayProcess> {
  const parts = await buildGateway(config);
  const { app, gc, repairer, auditor, rebalancer, orphans, lifecycle, health, logger, close } = parts;
  // Jobs that walk shared state run on one gateway at a time when several share the metadata.
  const leased = (name: string, intervalMs: number, task: () => Promise<unknown>) => {
    const lease = parts.lease(name, intervalMs);
    return new BackgroundLoop(
      intervalMs,
      async () => await lease.acquire() && await task(),
      logger.child(name),
    );
  };
  // The first heartbeat runs at start: it tells which workers answer and which can be read locally.
  const heartbeat = new BackgroundLoop(
    config.healthIntervalMs,
    () => health.checkAll(),
    logger.child("health"),
  );
  const loops = [
    new BackgroundLoop(config.gcIntervalMs, () => gc.runOnce(), logger.child("gc")),
    heartbeat,
    leased("repair", config.repairIntervalMs, () => repairer.runOnce()),
    leased("audit", config.auditIntervalMs, () => auditor.runOnce()),
    leased("rebalance", config.rebalanceIntervalMs, () => rebalancer.runOnce()),
    leased("orphans", config.orphanSweepIntervalMs, () => orphans.runOnce()),
    leased("restore", RESTORE_INTERVAL_MS, () => parts.restores.runOnce()),
    new BackgroundLoop(
      Math.min(config.lifecycleIntervalMs, Math.max(50, (config.lifecycleDaySeconds * 1000) / 4)),
      () => lifecycle.runOnce(),
      logger.child("lifecycle"),
    ),
    new BackgroundLoop(
      accessTiming(config.lifecycleDaySeconds * 1000).flushIntervalMs,
      () => parts.access.flush(),
      logger.child("access"),
    ),
  ];
  const listen = { hostname: config.host, port: config.port, onListen: () => {} };
  const handler = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
    app.fetch(request, { remoteAddr: info.remoteAddr });
  // With a certificate the gateway speaks HTTPS only (HTTP/2 by ALPN, HTTP/1.1 otherwise).
  const server = config.tls === null
    ? Deno.serve(listen, handler)
    : Deno.serve({ ...listen, cert: config.tls.cert, key: config.tls.key }, handler);
  const port = server.addr.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  console.log(`endpoint: ${config.tls === null ? "http" : "https"}://${host}:${port}`);
  for (const loop of loops) loop.start(loop === heartbeat);
  let stopped = false;
  return {
    port,
    finished: server.finished,
    async shutdown() {
      if (stopped) return;
      stopped = true;
      for (const loop of loops) await loop.stop();
      await server.shutdown();
      // Reads served until the end are kept: the last GETs of an object still count.
      await parts.access.flush().catch((error) => logger.warn("final access flush failed", { error }));
      close();
    },
  };
}

/**
 * Wires a gateway from `config`: checks the codec, opens the metadata store (this process becomes its
 * only owner) and builds tiers, services and the HTTP app. The composition root, kept apart from
 * serving so that it can be driven in-process (benchmarks of the request path).
 */
export async function buildGateway(config: GatewayConfig): Promise<GatewayParts> {
  const logger = new Logger("gateway", config.logLevel);
  const selfTestStart = performance.now();
  runErasureSelfTest();
  logger.info("erasure self-test passed", { ms: Number((performance.now() - selfTestStart).toFixed(2)) });
  await Deno.mkdir(config.dataDir, { recursive: true });
  const store = await KvMetaStore.open(`${config.dataDir}/metadata.kv`);
  const catalog = new MetadataCatalog(store);
  const metrics = new Metrics();
  const clock = systemClock;
  // ETags of large bodies are hashed on another core; workers start with the first large upload.
  const md5Pool = new Md5Pool();
  const pool = new WorkerPool({
    topology: new Topology(config.workers),
    clusterSecret: config.clusterSecret,
    requestTimeoutMs: config.workerTimeoutMs,
    localShardReads: config.localShardReads,
  });
  // One identity per gateway process for the leases of its background jobs, each lasting three rounds (30 s at
  // least), so another gateway takes a job over soon after this one stops.
  const leaseHolder = crypto.randomUUID();
  const lease = (name: string, intervalMs: number) =>
    new MetadataLease({
      catalog,
      clock,
      name,
      holder: leaseHolder,
      durationMs: Math.max(30_000, 3 * intervalMs),
    });
  // Workers added or drained at run time (by the admin command) apply before the first request.
  const layout = new ClusterLayout({
    catalog,
    pool,
    configured: config.workers,
    totalShards: config.dataShards + config.parityShards,
    maxShardsPerZone: Math.max(1, config.parityShards),
    archiveShards: {
      totalShards: config.archiveDataShards + config.archiveParityShards,
      maxShardsPerZone: Math.max(1, config.archiveParityShards),
    },
    logger: logger.child("layout"),
  });
  await layout.refresh();
  // Repair and rebalancing share one bandwidth bound.
  const backgroundBandwidth = new ByteRateLimiter(config.repairBytesPerSec);
  // Degraded reads queue repairs; the repairer needs the tier, so it is bound once both exist.
  const late: { repairer?: ShardRepairer } = {};
  const health = new WorkerHealth({
    pool,
    clock,
    logger: logger.child("health"),
    metrics,
    // Shards a worker's scrubber (or a read) quarantined are rebuilt without waiting for the auditor.
    onQuarantined: (_workerId, shards) => {
      for (const shard of shards) void late.repairer?.enqueue(shard.dataId, [shard.shardIndex], "audit");
    },
  });
  const regional = new RegionalTier({
    health,
    slowShardMs: config.slowShardMs,
    pool,
    dataShards: config.dataShards,
    parityShards: config.parityShards,
    blockSizeBytes: config.blockSizeBytes,
    stripesInFlight: config.stripesInFlight,
    logger: logger.child("regional"),
    metrics,
    onDegraded: (dataId, failedShards) => void late.repairer?.enqueue(dataId, failedShards, "read"),
  });
  // The archive tier: the Glacier classes on the workers of pool "archive", with its own (wider) code.
  const archive = config.workers.some((worker) => worker.pool === "archive")
    ? new RegionalTier({
      health,
      slowShardMs: config.slowShardMs,
      pool,
      workerPool: "archive",
      dataShards: config.archiveDataShards,
      parityShards: config.archiveParityShards,
      blockSizeBytes: config.blockSizeBytes,
      stripesInFlight: config.stripesInFlight,
      logger: logger.child("archive"),
      metrics,
      onDegraded: (dataId, failedShards) => void late.repairer?.enqueue(dataId, failedShards, "read"),
    })
    : undefined;
  const repairer = new ShardRepairer({
    health,
    downAfterMs: config.workerDownAfterMs,
    catalog,
    regional,
    pool,
    logger: logger.child("repair"),
    metrics,
    batchSize: 16,
    limiter: backgroundBandwidth,
  });
  late.repairer = repairer;
  const auditor = new ShardAuditor({
    health,
    downAfterMs: config.workerDownAfterMs,
    catalog,
    pool,
    repairer,
    logger: logger.child("audit"),
    metrics,
    manifestsPerRound: 256,
    scrubBytesPerRound: config.scrubBytesPerRound,
  });
  const rebalancer = new ShardRebalancer({
    health,
    catalog,
    regional,
    pool,
    layout,
    logger: logger.child("rebalance"),
    metrics,
    manifestsPerRound: 256,
    limiter: backgroundBandwidth,
  });
  const orphans = new OrphanSweeper({
    health,
    catalog,
    pool,
    clock,
    logger: logger.child("orphans"),
    metrics,
    graceMs: config.orphanGraceMs,
    pageSize: 500,
  });
  const buckets = new BucketService({ catalog, clock, region: config.region });
  const objects = new ObjectService({
    catalog,
    buckets,
    regional,
    archive,
    reader: new DataReader(catalog, regional),
    clock,
    logger: logger.child("objects"),
    inlineThresholdBytes: config.inlineThresholdBytes,
    gcGraceMs: config.gcGraceMs,
    headCacheEntries: config.headCacheEntries,
    md5Pool,
    edge: new EdgeCache({
      maxBytes: config.edgeCacheBytes,
      maxObjectBytes: config.edgeMaxObjectBytes,
      admission: config.edgeAdmission,
      metrics,
    }),
  });
  const multipart = new MultipartService({
    catalog,
    buckets,
    objects,
    regional,
    clock,
    gcGraceMs: config.gcGraceMs,
    logger: logger.child("multipart"),
    md5Pool,
  });
  const access = new AccessTracker({
    catalog,
    granularityMs: accessTiming(config.lifecycleDaySeconds * 1000).granularityMs,
    maxPendingEntries: ACCESS_TRACKER_ENTRIES,
    maxKnownEntries: ACCESS_TRACKER_ENTRIES,
    logger: logger.child("access"),
    metrics,
  });
  const lifecycle = new LifecycleScanner({
    catalog,
    buckets,
    objects,
    multipart,
    lease: lease("lifecycle", config.lifecycleIntervalMs),
    transitions: new ObjectTransitions({
      catalog,
      clock,
      writes: objects.writes,
      versions: objects.versions,
      gcGraceMs: config.gcGraceMs,
      read: (head, range) => objects.readStream(head, range),
      observe: (bucket, key, head, versionstamp) =>
        objects.noteCommittedHead(bucket, key, head, versionstamp),
    }),
    access,
    clock,
    dayMs: config.lifecycleDaySeconds * 1000,
    versionsPerRound: 1000,
    logger: logger.child("lifecycle"),
    metrics,
  });
  const restores = new ObjectRestores({
    catalog,
    clock,
    writes: objects.writes,
    versions: objects.versions,
    dayMs: config.lifecycleDaySeconds * 1000,
    gcGraceMs: config.gcGraceMs,
    read: (head) => objects.readStream(head),
    observe: (bucket, key, head, versionstamp) => objects.noteCommittedHead(bucket, key, head, versionstamp),
    metrics,
  });
  const rootOwner: S3Owner = { id: canonicalUserId(config.rootAccessKey), displayName: ROOT_USER_NAME };
  const rootKey = utf8(config.rootAccessKey);
  const isRoot = (accessKeyId: string) => timingSafeEqual(utf8(accessKeyId), rootKey);
  const users = new UserService({ catalog, clock, rootAccessKeyId: config.rootAccessKey });
  const app = createGatewayApp({
    buckets,
    objects,
    multipart,
    restores,
    access,
    region: config.region,
    baseDomain: config.baseDomain,
    secureTransport: config.tls !== null,
    nowMs: () => clock.nowMs(),
    lifecycleDayMs: config.lifecycleDaySeconds * 1000,
    metricsText: () => metrics.render(),
    clusterHealth: () => ({
      workers: health.snapshot(),
      repair: repairer.stats(),
      audit: auditor.stats(),
      rebalance: rebalancer.stats(),
    }),
    workers: {
      list: () => layout.workers(),
      add: (worker) => layout.addWorker(worker),
      drain: (workerId) => layout.drainWorker(workerId),
    },
    users: {
      isRoot,
      createKey: (userName) => users.createKey(userName),
      revokeKey: async (accessKeyId) => {
        if (await users.lookup(accessKeyId) === null) return false;
        await users.revokeKey(accessKeyId);
        return true;
      },
      listKeys: async () =>
        (await users.listKeys()).map(({ accessKeyId, userName, userId, createdMs }) => ({
          accessKeyId,
          userName,
          userId,
          createdMs,
        })),
    },
    lookupUser: async (accessKeyId) => {
      if (isRoot(accessKeyId)) return { secretKey: config.rootSecretKey, owner: rootOwner };
      const key = await users.lookup(accessKeyId);
      return key === null
        ? null
        : { secretKey: key.secretKey, owner: { id: key.userId, displayName: key.userName } };
    },
  }, logger.child("http"));

  const gc = new GarbageCollector({
    catalog,
    pool,
    clock,
    logger: logger.child("gc"),
    retryDelayMs: config.gcIntervalMs,
  });
  return {
    app,
    gc,
    repairer,
    auditor,
    rebalancer,
    orphans,
    lifecycle,
    restores,
    lease,
    health,
    access,
    logger,
    close: () => {
      md5Pool.close();
      store.close();
    },
  };
}

/** S3 canonical user ids are 64 hex digits; ours derive from the access key so they stay stable. */
function canonicalUserId(accessKeyId: string): string {
  return createHash("sha256").update(`objstore-user:${accessKeyId}`).digest("hex");
}
