/**
 * Repair of erasure-coded data: shards that a write left behind (it reached its quorum without them) or that
 * a read found missing or corrupt are queued (`["repair", dataId]`), and this repairer rebuilds them from any
 * k healthy shards, on the worker that should hold them or, when that one fails, on another worker that
 * keeps the zone rule. The new manifest is committed in one step that checks the manifest did not change
 * meanwhile; a shard that could not be rebuilt stays marked missing and queued.
 */
import {
  type ByteRateLimiter,
  type Counter,
  type ErasureManifest,
  type Gauge,
  type Logger,
  type MetadataCatalog,
  metaKeys,
  type Metrics,
  rendezvousScore,
  type RepairRecord,
  type ShardEntry,
  StripeLayout,
  Topology,
  type Versioned,
  type WorkerPool,
} from "../storage/mod.ts";
import type { RebuildTarget } from "../storage/mod.ts";
import type { RegionalTier } from "./regional_tier.ts";
import type { WorkerHealth } from "./worker_health.ts";
import { deleteUnnamedCopies } from "./shard_copies.ts";

/** Data ids rebuilt at once. */
const REPAIR_CONCURRENCY = 4;
/** A round goes on through the queue for at most this long (so that shutdown waits a bounded time). */
const ROUND_BUDGET_MS = 5_000;

/** What the repairer needs. */
export interface ShardRepairerOptions {
  readonly catalog: MetadataCatalog;
  readonly regional: RegionalTier;
  readonly pool: WorkerPool;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Queue entries read per page of a round. */
  readonly batchSize: number;
  /** Which workers answer; a worker down longer than `downAfterMs` has its shards rebuilt elsewhere at once. */
  readonly health?: WorkerHealth;
  readonly downAfterMs?: number;
  /** Bounds the bytes repair reads per second (shared with rebalancing); unbounded when absent. */
  readonly limiter?: ByteRateLimiter;
}

/** What the repairer has done since the gateway started. */
export interface RepairStats {
  readonly queued: number;
  readonly rebuiltShards: number;
  readonly rebuiltBytes: number;
  readonly failures: number;
}

/** Queues and performs shard repairs. */
export class ShardRepairer {
  readonly #options: ShardRepairerOptions;
  readonly #queueDepth: Gauge;
  readonly #rebuilt: Counter;
  readonly #rebuiltBytes: Counter;
  readonly #failures: Counter;
  /** Data ids whose last repair left shards missing, and when to try them again (in-memory backoff). */
  readonly #retryAt = new Map<string, { atMs: number; failures: number }>();

  constructor(options: ShardRepairerOptions) {
    this.#options = options;
    const { metrics } = options;
    this.#queueDepth = metrics.gauge(
      "objstore_repair_queue_depth",
      "Data ids queued for repair and not repaired by the last round (of those it reached).",
    );
    this.#rebuilt = metrics.counter("objstore_repair_shards_rebuilt_total", "Shards rebuilt by repair.");
    this.#rebuiltBytes = metrics.counter(
      "objstore_repair_bytes_total",
      "Shard data bytes written by repair.",
    );
    this.#failures = metrics.counter(
      "objstore_repair_failures_total",
      "Shard rebuilds that failed (retried later).",
    );
  }

  /** Counts for the admin health view. */
  stats(): RepairStats {
    return {
      queued: this.#queueDepth.value,
      rebuiltShards: this.#rebuilt.value,
      rebuiltBytes: this.#rebuiltBytes.value,
      failures: this.#failures.value,
    };
  }

  /** Queues `shards` of `dataId` for repair (merged with what is queued already). Never throws. */
  async enqueue(dataId: string, shards: readonly number[], reason: RepairRecord["reason"]): Promise<void> {
    const { catalog, logger } = this.#options;
    try {
      for (let attempt = 0; attempt < 4; attempt++) {
        const queued = await catalog.getRepair(dataId);
        const merged = [...new Set([...(queued?.record.shards ?? []), ...shards])].sort((a, b) => a - b);
        const committed = await catalog.transaction()
          .check(metaKeys.repair(dataId), queued?.versionstamp ?? null)
          .putRepair({
            v: 1,
            dataId,
            shards: merged,
            reason,
            queuedMs: Date.now(),
            attempts: queued?.record.attempts ?? 0,
          })
          .commit();
        if (committed !== null) return;
      }
    } catch (error) {
      logger.warn("could not queue a repair", { dataId, error });
    }
  }

  /**
   * One round: walks the queue in pages of `batchSize`, repairing `REPAIR_CONCURRENCY` data ids at a time
   * (those not waiting out a backoff), until the queue ends or the round has run `ROUND_BUDGET_MS`; returns
   * how many it finished. Bandwidth stays bounded by the shared limiter.
   */
  async runOnce(): Promise<number> {
    const { catalog, batchSize } = this.#options;
    const started = performance.now();
    let after: string | undefined;
    let seen = 0;
    let finished = 0;
    for (;;) {
      const page = await catalog.listRepairs(batchSize, after);
      seen += page.length;
      const now = Date.now();
      const due = page.filter((item) => (this.#retryAt.get(item.record.dataId)?.atMs ?? 0) <= now);
      for (let i = 0; i < due.length; i += REPAIR_CONCURRENCY) {
        const done = await Promise.all(
          due.slice(i, i + REPAIR_CONCURRENCY).map((item) => this.#attempt(item)),
        );
        finished += done.filter(Boolean).length;
      }
      if (page.length < batchSize || performance.now() - started > ROUND_BUDGET_MS) break;
      after = page[page.length - 1].record.dataId;
    }
    this.#queueDepth.set(seen - finished);
    if (this.#retryAt.size > 100_000) this.#retryAt.clear();
    return finished;
  }

  /** Repairs one queued data id, keeping its backoff: 1 s, 2 s, 4 s … up to 5 minutes between failures. */
  async #attempt(item: Versioned<RepairRecord>): Promise<boolean> {
    const dataId = item.record.dataId;
    const backoff = this.#retryAt.get(dataId);
    if (await this.#repair(item, backoff?.failures ?? 0)) {
      this.#retryAt.delete(dataId);
      return true;
    }
    const failures = (backoff?.failures ?? 0) + 1;
    this.#retryAt.set(dataId, { atMs: Date.now() + Math.min(300_000, 500 * 2 ** failures), failures });
    return false;
  }

  /**
   * Repairs one data id; true when nothing is left to repair for it. Each suspect shard is first asked for
   * on its worker: one the worker holds as recorded is fine (the read that queued it met an outage), one it
   * lacks is rebuilt. A worker that does not answer is waited for (the shard may be intact) until
   * `failures` rounds have passed; then its shard too is rebuilt elsewhere.
   */
  async #repair(item: Versioned<RepairRecord>, failures: number): Promise<boolean> {
    const { catalog, regional, logger } = this.#options;
    const { dataId } = item.record;
    const entry = await catalog.getErasureManifestEntry(dataId);
    if (entry === null) {
      // The data was deleted (or is inline): nothing to repair.
      await this.#dequeue(item);
      return true;
    }
    const manifest = entry.record;
    const suspects = [
      ...new Set([
        ...item.record.shards,
        ...manifest.shards.flatMap((shard, index) => shard.checksum === null ? [index] : []),
      ]),
    ].filter((index) => index < manifest.shards.length).sort((a, b) => a - b);
    const probes = await Promise.all(suspects.map((index) => this.#probe(manifest, index)));
    const missing = suspects.filter((_, i) =>
      probes[i] === "missing" || (probes[i] === "unreachable" && failures >= 3)
    );
    const waiting = suspects.some((_, i) => probes[i] === "unreachable" && failures < 3);
    const shards: ShardEntry[] = manifest.shards.map((shard) => ({ ...shard }));
    // A shard rebuilt onto the worker that lost it has the very same entry (same worker, same checksum),
    // so what was rebuilt is tracked by index, never inferred from the entries.
    const rebuilt = new Set<number>();
    let targets = this.#originalTargets(manifest, missing);
    for (let round = 0; round < 2 && targets.length > 0; round++) {
      let outcomes;
      try {
        outcomes = await regional.rebuild(manifest, targets, this.#options.limiter);
      } catch (error) {
        logger.warn("repair could not read the object", { dataId, error });
        this.#failures.inc(targets.length);
        break;
      }
      const failed: number[] = [];
      for (const outcome of outcomes) {
        if (outcome.ok) {
          shards[outcome.shardIndex] = { workerId: outcome.workerId, checksum: outcome.checksum };
          rebuilt.add(outcome.shardIndex);
          this.#rebuilt.inc();
          this.#rebuiltBytes.inc(shardDataBytes(manifest));
        } else {
          failed.push(outcome.shardIndex);
          this.#failures.inc();
          logger.warn("shard rebuild failed", {
            dataId,
            shardIndex: outcome.shardIndex,
            workerId: outcome.workerId,
            error: outcome.error,
          });
        }
      }
      // Shards whose own worker failed go to other workers, keeping at most m shards per zone.
      targets = this.#alternativeTargets(manifest, shards, failed);
    }
    for (const index of missing) {
      // Known missing and not rebuilt: readers must not count on it.
      if (!rebuilt.has(index)) shards[index] = { workerId: shards[index].workerId, checksum: null };
    }
    // Shards placed against the rules while workers were down (two on one worker, over m in a zone) move.
    const moved: Array<{ shardIndex: number; from: string }> = [];
    const misplaced = misplacedShards({ ...manifest, shards }, this.#options.pool.topology)
      .filter((index) => shards[index].checksum !== null);
    if (misplaced.length > 0) {
      const moves = this.#alternativeTargets(manifest, shards, misplaced);
      if (moves.length > 0) {
        try {
          for (const outcome of await regional.rebuild(manifest, moves, this.#options.limiter)) {
            if (!outcome.ok) continue;
            moved.push({ shardIndex: outcome.shardIndex, from: shards[outcome.shardIndex].workerId });
            shards[outcome.shardIndex] = { workerId: outcome.workerId, checksum: outcome.checksum };
            this.#rebuilt.inc();
            this.#rebuiltBytes.inc(shardDataBytes(manifest));
          }
        } catch (error) {
          logger.warn("re-placement could not read the object", { dataId, error });
        }
      }
    }
    const unchanged = shards.every((shard, i) =>
      shard.workerId === manifest.shards[i].workerId && shard.checksum === manifest.shards[i].checksum
    );
    const stillMissing = waiting || shards.some((shard) => shard.checksum === null);
    if (!unchanged) {
      // Only the manifest is checked: a repair queued again meanwhile (more reads) must not undo this one.
      const committed = await catalog.transaction()
        .check(metaKeys.manifest(dataId, 0), entry.versionstamp)
        .putErasureManifest({ ...manifest, shards }) // queues the repair again when shards are still missing
        .commit();
      if (committed === null) {
        // The manifest changed meanwhile (the data was deleted): shards written to new workers are not referenced.
        await this.#discardMoved(manifest, shards);
        return false;
      }
    }
    // The old copies of moved shards go once the new manifest no longer names them.
    await deleteUnnamedCopies(
      catalog,
      this.#options.pool,
      dataId,
      moved.map(({ shardIndex, from }) => ({ shardIndex, workerId: from })),
    );
    if (stillMissing) return false;
    await this.#dequeue(item);
    logger.info("repaired", { dataId, shards: missing });
    return true;
  }

  /** Whether the recorded worker of shard `index` holds it as the manifest describes it. */
  async #probe(manifest: ErasureManifest, index: number): Promise<"present" | "missing" | "unreachable"> {
    const shard = manifest.shards[index];
    if (shard.checksum === null) return "missing";
    const client = this.#options.pool.client(shard.workerId);
    if (client === undefined) return "missing";
    const { health, downAfterMs } = this.#options;
    if (health !== undefined && downAfterMs !== undefined && health.downForMs(shard.workerId) > downAfterMs) {
      return "missing"; // down too long to wait for
    }
    try {
      const info = await client.headShard({ dataId: manifest.dataId, shardIndex: index });
      const expected = shardDataBytes(manifest);
      return info !== null && info.dataLength === expected && info.blockSizeBytes === manifest.blockSizeBytes
        ? "present"
        : "missing";
    } catch {
      return "unreachable";
    }
  }

  /** Removes the queue entry unless it changed since it was read (then the next round looks again). */
  async #dequeue(item: Versioned<RepairRecord>): Promise<void> {
    const key = metaKeys.repair(item.record.dataId);
    await this.#options.catalog.transaction().check(key, item.versionstamp).delete(key).commit();
  }

  /** Each missing shard back on the worker the manifest names for it, when that worker is still known. */
  #originalTargets(manifest: ErasureManifest, missing: readonly number[]): RebuildTarget[] {
    const targets: RebuildTarget[] = [];
    for (const shardIndex of missing) {
      const workerId = manifest.shards[shardIndex].workerId;
      const client = this.#options.pool.client(workerId);
      if (client !== undefined) targets.push({ shardIndex, workerId, client });
    }
    // Shards whose worker left the topology go straight to another worker.
    const orphaned = missing.filter((index) =>
      this.#options.pool.client(manifest.shards[index].workerId) === undefined
    );
    return [...targets, ...this.#alternativeTargets(manifest, manifest.shards, orphaned)];
  }

  /**
   * Other workers for `indexes`: by rendezvous rank for the data id, never one that holds another shard
   * of it, and at most m shards per zone.
   */
  #alternativeTargets(
    manifest: ErasureManifest,
    shards: readonly ShardEntry[],
    indexes: readonly number[],
  ): RebuildTarget[] {
    if (indexes.length === 0) return [];
    const { pool } = this.#options;
    const topology = pool.topology;
    const maxPerZone = Math.max(1, manifest.parityShards);
    const holders = new Set<string>();
    const perZone = new Map<string, number>();
    shards.forEach((shard, index) => {
      if (indexes.includes(index)) return;
      holders.add(shard.workerId);
      const worker = topology.worker(shard.workerId);
      if (worker !== undefined) {
        perZone.set(Topology.zoneOf(worker), (perZone.get(Topology.zoneOf(worker)) ?? 0) + 1);
      }
    });
    const health = this.#options.health;
    const ranked = topology.poolWorkers(manifest.pool ?? "regional").filter((worker) =>
      health === undefined || health.isUp(worker.id)
    )
      .sort((
        a,
        b,
      ) => rendezvousScore(manifest.dataId, b) - rendezvousScore(manifest.dataId, a));
    const targets: RebuildTarget[] = [];
    for (const shardIndex of indexes) {
      const previous = shards[shardIndex].workerId;
      const choice = ranked.find((worker) =>
        worker.id !== previous && !holders.has(worker.id) &&
        (perZone.get(Topology.zoneOf(worker)) ?? 0) < maxPerZone
      );
      const client = choice === undefined ? undefined : pool.client(choice.id);
      if (choice === undefined || client === undefined) continue;
      holders.add(choice.id);
      perZone.set(Topology.zoneOf(choice), (perZone.get(Topology.zoneOf(choice)) ?? 0) + 1);
      targets.push({ shardIndex, workerId: choice.id, client });
    }
    return targets;
  }

  /**
   * Deletes rebuilt shards that landed on another worker than the manifest named, unless the manifest now
   * names them (another mover committed the same copy).
   */
  async #discardMoved(manifest: ErasureManifest, shards: readonly ShardEntry[]): Promise<void> {
    const copies = shards.flatMap((shard, shardIndex) =>
      shard.workerId === manifest.shards[shardIndex].workerId || shard.checksum === null
        ? []
        : [{ shardIndex, workerId: shard.workerId }]
    );
    await deleteUnnamedCopies(this.#options.catalog, this.#options.pool, manifest.dataId, copies);
  }
}

/** Bytes of block data one shard of `manifest` holds. */
function shardDataBytes(manifest: ErasureManifest): number {
  return new StripeLayout(manifest.sizeBytes, manifest.dataShards, manifest.blockSizeBytes).shardDataLength();
}

/**
 * Shards of `manifest` placed against the rules: a second (or later) shard on one worker, or a shard beyond
 * m in one zone. Such placements happen only while workers are down (see `RegionalTier.place`).
 */
export function misplacedShards(manifest: ErasureManifest, topology: Topology): number[] {
  const maxPerZone = Math.max(1, manifest.parityShards);
  const seenWorkers = new Set<string>();
  const perZone = new Map<string, number>();
  const misplaced: number[] = [];
  manifest.shards.forEach((shard, index) => {
    const worker = topology.worker(shard.workerId);
    const zone = worker === undefined ? `?${shard.workerId}` : Topology.zoneOf(worker);
    const zoneCount = (perZone.get(zone) ?? 0) + 1;
    if (seenWorkers.has(shard.workerId) || zoneCount > maxPerZone) misplaced.push(index);
    else perZone.set(zone, zoneCount);
    seenWorkers.add(shard.workerId);
  });
  return misplaced;
}
