/**
 * The regional tier: objects erasure-coded (k + m) across the standard worker pool. Places shards,
 * writes them with the stripe writer, builds the manifest, and reads ranges back through the stripe
 * reader (degraded reads reconstruct from parity).
 */
import {
  type ByteRateLimiter,
  type Counter,
  type ErasureManifest,
  type Logger,
  type Metrics,
  placeShards,
  readStripes,
  type RebuildOutcome,
  rebuildShards,
  type RebuildTarget,
  ReedSolomon,
  rendezvousScore,
  StripeLayout,
  type WorkerInfo,
  type WorkerPool,
  type WorkerPoolName,
  writeStripes,
} from "../storage/mod.ts";
import type { WorkerHealth } from "./worker_health.ts";

/** Settings of the tier. */
export interface RegionalTierOptions {
  readonly pool: WorkerPool;
  /** The workers this tier places shards on: the regional pool (default) or the archive pool. */
  readonly workerPool?: WorkerPoolName;
  readonly dataShards: number;
  readonly parityShards: number;
  readonly blockSizeBytes: number;
  readonly stripesInFlight: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** A shard slower than this (to answer, or per block) is read from parity instead (see `readStripes`). */
  readonly slowShardMs?: number;
  /** Which workers answer: a write avoids the ones that do not (see `place`). */
  readonly health?: WorkerHealth;
  /** Told of every read that found shards missing or corrupt (so they can be queued for repair). */
  readonly onDegraded?: (dataId: string, failedShards: readonly number[]) => void;
}

/** A byte range, first and last byte inclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Erasure-coded storage on the worker pool. */
export class RegionalTier {
  readonly #options: RegionalTierOptions;
  readonly #codecs = new Map<string, ReedSolomon>();
  readonly #reads: Counter;
  readonly #readBytes: Counter;
  readonly #degradedReads: Counter;

  /** The workers this tier places shards on. */
  readonly workerPool: WorkerPoolName;

  constructor(options: RegionalTierOptions) {
    this.#options = options;
    this.workerPool = options.workerPool ?? "regional";
    this.#reads = options.metrics.counter(
      "objstore_regional_reads_total",
      "Reads of erasure-coded data from the workers (one per object or part range read).",
    );
    this.#readBytes = options.metrics.counter(
      "objstore_regional_read_bytes_total",
      "Shard block bytes received from workers.",
    );
    this.#degradedReads = options.metrics.counter(
      "objstore_regional_degraded_reads_total",
      "Reads that had to reconstruct data from parity.",
    );
    this.#codec(options.dataShards, options.parityShards);
  }

  /**
   * The workers that will hold the shards of `dataId`, shard i on entry i: by rendezvous rank with at most
   * m per zone. When some of those do not answer heartbeats (a zone is down), the shards still go out in
   * full, k + m of them, to workers that answer, a worker holding two if it must and the zone rule relaxed;
   * the auditor then queues the object for re-placement, which restores the rule once the zone is back.
   */
  place(dataId: string): WorkerInfo[] {
    const { dataShards, parityShards, pool, health } = this.#options;
    const total = dataShards + parityShards;
    const placement = placeShards(dataId, pool.topology, total, Math.max(1, parityShards), this.workerPool);
    if (health === undefined || placement.every((worker) => health.isUp(worker.id))) return placement;
    const up = pool.topology.poolWorkers(this.workerPool).filter((worker) => health.isUp(worker.id))
      .sort((a, b) => rendezvousScore(dataId, b) - rendezvousScore(dataId, a));
    // At most two shards per worker: with fewer workers up, the write reports the missing quorum.
    const perWorker = Math.ceil(total / up.length);
    if (perWorker > 2) return placement;
    const load = new Map<string, number>();
    const chosen = placement.map((worker) => health.isUp(worker.id) ? worker : null);
    for (const worker of chosen) if (worker !== null) load.set(worker.id, 1);
    return chosen.map((worker) => {
      if (worker !== null) return worker;
      const spare = up.find((candidate) => (load.get(candidate.id) ?? 0) < perWorker)!;
      load.set(spare.id, (load.get(spare.id) ?? 0) + 1);
      return spare;
    });
  }

  /** Streams `sizeBytes` bytes of `body` to the workers of `placement`; returns the manifest to commit. */
  async write(
    dataId: string,
    sizeBytes: number,
    body: ReadableStream<Uint8Array>,
    placement: readonly WorkerInfo[],
  ): Promise<ErasureManifest> {
    const { dataShards, parityShards, blockSizeBytes, pool } = this.#options;
    const result = await writeStripes(body, {
      dataId,
      layout: new StripeLayout(sizeBytes, dataShards, blockSizeBytes),
      codec: this.#codec(dataShards, parityShards),
      targets: placement.map((worker) => ({ workerId: worker.id, client: pool.client(worker.id)! })),
      writeQuorum: Math.min(dataShards + 1, dataShards + parityShards),
      stripesInFlight: this.#options.stripesInFlight,
    });
    if (result.failedShards > 0) {
      this.#options.logger.warn("write reached quorum with missing shards", {
        dataId,
        failed: result.failedShards,
      });
    }
    return {
      v: 1,
      kind: "erasure",
      dataId,
      sizeBytes,
      dataShards,
      parityShards,
      blockSizeBytes,
      layoutEpoch: pool.topology.layoutEpoch,
      ...(this.workerPool === "regional" ? {} : { pool: this.workerPool }),
      shards: result.shards,
    };
  }

  /**
   * Rebuilds shards of `manifest` onto `targets`: reads the object from any k healthy shards (without
   * reporting the read as degraded: it is the repair) and streams the targets' shards, encoded afresh.
   * With a `limiter`, the object's bytes are read no faster than it allows (background bandwidth bound).
   */
  async rebuild(
    manifest: ErasureManifest,
    targets: readonly RebuildTarget[],
    limiter?: ByteRateLimiter,
  ): Promise<RebuildOutcome[]> {
    const body = this.read(manifest, undefined, false);
    return await rebuildShards(limiter === undefined ? body : limiter.throttle(body), {
      dataId: manifest.dataId,
      layout: new StripeLayout(manifest.sizeBytes, manifest.dataShards, manifest.blockSizeBytes),
      codec: this.#codec(manifest.dataShards, manifest.parityShards),
      targets,
      stripesInFlight: this.#options.stripesInFlight,
    });
  }

  /** The bytes of `range` (whole object when omitted) of the data described by `manifest`. */
  read(manifest: ErasureManifest, range?: ByteRange, reportDegraded = true): ReadableStream<Uint8Array> {
    this.#reads.inc();
    return readStripes({
      manifest,
      range,
      codec: this.#codec(manifest.dataShards, manifest.parityShards),
      clientFor: (workerId) => this.#options.pool.client(workerId),
      stripesInFlight: this.#options.stripesInFlight,
      slowShardMs: this.#options.slowShardMs,
      logger: this.#options.logger,
      onDegraded: (dataId, failedShards) => {
        if (!reportDegraded) return;
        this.#degradedReads.inc();
        this.#options.logger.warn("degraded read", { dataId, failedShards });
        this.#options.onDegraded?.(dataId, failedShards);
      },
      onBlockBytes: (byteCount) => this.#readBytes.inc(byteCount),
    });
  }

  #codec(dataShards: number, parityShards: number): ReedSolomon {
    const key = `${dataShards}+${parityShards}`;
    let codec = this.#codecs.get(key);
    if (codec === undefined) {
      codec = new ReedSolomon(dataShards, parityShards);
      this.#codecs.set(key, codec);
    }
    return codec;
  }
}
