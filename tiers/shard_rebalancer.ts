/**
 * Rebalancing: moves shards to where placement (weighted rendezvous hashing over the workers that are
 * not draining) wants them, after workers were added or started draining. Each pass walks every erasure
 * manifest, a bounded slice per round, with its position in the metadata store. For each object only the
 * shards on workers that left its placement set move, each to a worker that joined it — so an added worker
 * receives just its fair share. A move rebuilds the shard onto the new worker (bandwidth bounded), commits
 * the manifest in one step that checks it did not change meanwhile, and only then deletes the old copy.
 * A pass that finds everything in place settles the layout; drained workers then leave the cluster.
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
  placeShards,
  poolOf,
  type RebalanceCursor,
  type RebuildTarget,
  type ShardEntry,
  StripeLayout,
  toHex,
  type Topology,
  type WorkerPool,
} from "../storage/mod.ts";
import type { ClusterLayout } from "./cluster_layout.ts";
import type { RegionalTier } from "./regional_tier.ts";
import { misplacedShards } from "./shard_repairer.ts";
import { passProgress } from "./ids.ts";
import { deleteUnnamedCopies } from "./shard_copies.ts";
import type { WorkerHealth } from "./worker_health.ts";

/** What the rebalancer needs. */
export interface ShardRebalancerOptions {
  readonly catalog: MetadataCatalog;
  readonly regional: RegionalTier;
  readonly pool: WorkerPool;
  readonly layout: ClusterLayout;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Manifest pages looked at per round. */
  readonly manifestsPerRound: number;
  /** Which workers answer: no shard is moved onto a worker that is down. */
  readonly health?: WorkerHealth;
  /** Bounds the bytes moves read per second (shared with repair); unbounded when absent. */
  readonly limiter?: ByteRateLimiter;
}

/** Where rebalancing stands, for the admin health view. */
export interface RebalanceStats {
  /** True when the last full pass found every shard where the current layout wants it. */
  readonly settled: boolean;
  /** The data id the current pass has reached ("" at the start of a pass). */
  readonly position: string;
  readonly movedShards: number;
  readonly movedBytes: number;
  /** Shards seen in the current pass that are not yet in place. */
  readonly pendingShards: number;
  /** Workers being drained. */
  readonly draining: readonly string[];
}

/** What one object's rebalance did. */
interface ObjectOutcome {
  readonly moved: number;
  readonly pending: number;
}

/** Moves shards to their placement after layout changes. */
export class ShardRebalancer {
  readonly #options: ShardRebalancerOptions;
  readonly #moved: Counter;
  readonly #movedBytes: Counter;
  readonly #failures: Counter;
  readonly #pending: Gauge;
  readonly #settled: Gauge;
  readonly #progress: Gauge;
  #position = "";

  constructor(options: ShardRebalancerOptions) {
    this.#options = options;
    const { metrics } = options;
    this.#moved = metrics.counter("objstore_rebalance_shards_moved_total", "Shards moved by rebalancing.");
    this.#movedBytes = metrics.counter(
      "objstore_rebalance_bytes_total",
      "Shard data bytes written by rebalancing.",
    );
    this.#failures = metrics.counter(
      "objstore_rebalance_failures_total",
      "Shard moves that failed (retried in the next pass).",
    );
    this.#pending = metrics.gauge(
      "objstore_rebalance_pending_shards",
      "Shards the current rebalance pass found away from their placement and could not move yet.",
    );
    this.#progress = metrics.gauge(
      "objstore_rebalance_pass_progress_ratio",
      "How far the current rebalance pass over the manifests has come, 0 to 1 (1 when settled).",
    );
    this.#settled = metrics.gauge(
      "objstore_rebalance_settled",
      "1 when every shard is where the current layout wants it, 0 while rebalancing.",
    );
  }

  /** Counts for the admin health view. */
  stats(): RebalanceStats {
    const topology = this.#options.pool.topology;
    return {
      settled: this.#settled.value === 1,
      position: this.#position,
      movedShards: this.#moved.value,
      movedBytes: this.#movedBytes.value,
      pendingShards: this.#pending.value,
      draining: [...topology.draining],
    };
  }

  /** One round: the next slice of manifests of the current pass; returns how many shards it moved. */
  async runOnce(): Promise<number> {
    const { catalog, layout, manifestsPerRound } = this.#options;
    await layout.refresh();
    const topology = this.#options.pool.topology;
    const fingerprint = await layoutFingerprint(topology);
    const stored = await catalog.getRebalanceCursor();
    let cursor: RebalanceCursor = stored?.record ?? newPass(topology.layoutEpoch, fingerprint);
    if (cursor.layout !== fingerprint) cursor = newPass(topology.layoutEpoch, fingerprint);
    if (cursor.settled) {
      this.#settled.set(1);
      this.#pending.set(0);
      this.#position = "";
      this.#progress.set(1);
      return 0;
    }
    this.#settled.set(0);
    const { manifests, lastDataId } = await catalog.scanErasureManifests(
      cursor.after === "" ? null : cursor.after,
      manifestsPerRound,
    );
    let moved = 0;
    let pending = cursor.pending;
    for (const manifest of manifests) {
      const outcome = await this.#rebalance(manifest, topology);
      moved += outcome.moved;
      pending += outcome.pending;
    }
    let next: RebalanceCursor;
    if (lastDataId !== null) {
      next = { ...cursor, after: lastDataId, pending };
    } else if (pending === 0) {
      next = { ...cursor, after: "", pending: 0, settled: true };
    } else {
      next = newPass(cursor.epoch, fingerprint); // shards that could not move yet: go round again
    }
    const committed = await catalog.transaction()
      .check(metaKeys.rebalanceCursor(), stored?.versionstamp ?? null)
      .putRebalanceCursor(next)
      .commit();
    if (committed === null) return moved; // another gateway's round got there first
    this.#position = next.after;
    this.#progress.set(next.settled ? 1 : passProgress(next.after));
    this.#pending.set(next.settled ? 0 : pending);
    if (next.settled) {
      this.#settled.set(1);
      this.#options.logger.info("rebalance settled", { epoch: cursor.epoch });
      await layout.finishDrain([...topology.draining], cursor.epoch);
    }
    return moved;
  }

  /** Moves the shards of one object that are away from its placement set. */
  async #rebalance(manifest: ErasureManifest, topology: Topology): Promise<ObjectOutcome> {
    const { pool, health, logger } = this.#options;
    const total = manifest.shards.length;
    const maxPerZone = Math.max(1, manifest.parityShards);
    let desired;
    try {
      desired = placeShards(manifest.dataId, topology, total, maxPerZone, manifest.pool ?? "regional");
    } catch (error) {
      // The workers cannot hold this object's shards (drains that would do this are refused, but a workers
      // file can change): nothing moves, and the pass never settles, so no drained worker leaves.
      logger.warn("rebalance cannot place an object", { dataId: manifest.dataId, error });
      return { moved: 0, pending: 1 };
    }
    const desiredIds = new Set(desired.map((worker) => worker.id));
    const kept = new Set<string>();
    const movers: number[] = [];
    manifest.shards.forEach((shard, index) => {
      if (desiredIds.has(shard.workerId) && !kept.has(shard.workerId)) kept.add(shard.workerId);
      else movers.push(index);
    });
    if (movers.length === 0) return { moved: 0, pending: 0 };
    // Missing shards, and shards placed against the rules while workers were down, are the repairer's: move
    // nothing until it has made the object whole and rule-abiding again.
    if (
      manifest.shards.some((shard) => shard.checksum === null) ||
      misplacedShards(manifest, topology).length > 0
    ) {
      return { moved: 0, pending: movers.length };
    }
    const free = desired.filter((worker) =>
      !kept.has(worker.id) && (health === undefined || health.isUp(worker.id))
    );
    const targets: RebuildTarget[] = [];
    movers.forEach((shardIndex, i) => {
      const worker = free[i];
      const client = worker === undefined ? undefined : pool.client(worker.id);
      if (worker !== undefined && client !== undefined) {
        targets.push({ shardIndex, workerId: worker.id, client });
      }
    });
    if (targets.length === 0) return { moved: 0, pending: movers.length };
    let outcomes;
    try {
      outcomes = await this.#options.regional.rebuild(manifest, targets, this.#options.limiter);
    } catch (error) {
      logger.warn("rebalance could not read the object", { dataId: manifest.dataId, error });
      this.#failures.inc(targets.length);
      return { moved: 0, pending: movers.length };
    }
    const shards: ShardEntry[] = manifest.shards.map((shard) => ({ ...shard }));
    const moves: Array<{ shardIndex: number; from: string }> = [];
    for (const outcome of outcomes) {
      if (!outcome.ok) {
        this.#failures.inc();
        logger.warn("shard move failed", {
          dataId: manifest.dataId,
          shardIndex: outcome.shardIndex,
          error: outcome.error,
        });
        continue;
      }
      moves.push({ shardIndex: outcome.shardIndex, from: shards[outcome.shardIndex].workerId });
      shards[outcome.shardIndex] = { workerId: outcome.workerId, checksum: outcome.checksum };
    }
    // Part of a set of moves must not leave the object against the zone rule (one zone over m shards).
    const keepsRules = misplacedShards({ ...manifest, shards }, topology).length === 0;
    if (moves.length > 0 && (!keepsRules || !await this.#commit(manifest, shards))) {
      // The object changed meanwhile (deleted, repaired): the new copies go unless the manifest now names
      // them (the repairer may have committed the very same copy).
      const copies = moves.map(({ shardIndex }) => ({ shardIndex, workerId: shards[shardIndex].workerId }));
      await deleteUnnamedCopies(this.#options.catalog, pool, manifest.dataId, copies);
      return { moved: 0, pending: movers.length };
    }
    // The old copies go only now that the committed manifest names the new ones.
    const old = moves.map(({ shardIndex, from }) => ({ shardIndex, workerId: from }));
    await deleteUnnamedCopies(this.#options.catalog, pool, manifest.dataId, old);
    const shardBytes = new StripeLayout(manifest.sizeBytes, manifest.dataShards, manifest.blockSizeBytes)
      .shardDataLength();
    this.#moved.inc(moves.length);
    this.#movedBytes.inc(moves.length * shardBytes);
    return { moved: moves.length, pending: movers.length - moves.length };
  }

  /** Commits `shards` as the manifest's, checking the manifest is still the one that was read. */
  async #commit(manifest: ErasureManifest, shards: readonly ShardEntry[]): Promise<boolean> {
    const { catalog } = this.#options;
    const entry = await catalog.getErasureManifestEntry(manifest.dataId);
    if (entry === null || !sameShards(entry.record.shards, manifest.shards)) return false;
    const committed = await catalog.transaction()
      .check(metaKeys.manifest(manifest.dataId, 0), entry.versionstamp)
      .putErasureManifest({ ...entry.record, shards: [...shards] })
      .commit();
    return committed !== null;
  }
}

function newPass(epoch: number, layout: string): RebalanceCursor {
  return { v: 1, epoch, layout, after: "", pending: 0, settled: false };
}

/** A fingerprint (SHA-256, hex) of what placement depends on: the placement workers' ids, zones and weights. */
export async function layoutFingerprint(topology: Topology): Promise<string> {
  const text = topology.placementWorkers
    .map((worker) => JSON.stringify([worker.id, worker.region, worker.zone, worker.weight, poolOf(worker)]))
    .sort()
    .join("\n");
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))));
}

function sameShards(a: readonly ShardEntry[], b: readonly ShardEntry[]): boolean {
  return a.length === b.length &&
    a.every((shard, i) => shard.workerId === b[i].workerId && shard.checksum === b[i].checksum);
}
