/**
 * The shard auditor: walks every erasure manifest, a bounded slice per round, with its position kept in the
 * metadata store so a restart resumes where it stopped. For each shard it asks the worker whether it holds
 * the shard as the manifest describes it (a lost file, a wiped or replaced disk, a worker that left); and, within
 * a byte budget per round, reads shards whole so that the worker verifies every block (scrubbing: a corrupt
 * block makes the worker quarantine the file). Whatever is missing or corrupt is queued for repair.
 */
import {
  type Counter,
  type ErasureManifest,
  type Gauge,
  isStoreError,
  type Logger,
  type MetadataCatalog,
  metaKeys,
  type Metrics,
  StripeLayout,
  type WorkerPool,
} from "../storage/mod.ts";
import { misplacedShards, type ShardRepairer } from "./shard_repairer.ts";
import type { WorkerHealth } from "./worker_health.ts";
import { passProgress } from "./ids.ts";

/** What the auditor needs. */
export interface ShardAuditorOptions {
  readonly catalog: MetadataCatalog;
  readonly pool: WorkerPool;
  readonly repairer: ShardRepairer;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Manifest pages looked at per round. */
  readonly manifestsPerRound: number;
  /** Shard bytes read whole (verified block by block) per round; 0 checks presence only. */
  readonly scrubBytesPerRound: number;
  /** Which workers answer; the shards of one down longer than `downAfterMs` are queued for repair. */
  readonly health?: WorkerHealth;
  readonly downAfterMs?: number;
}

/** What the auditor has done since the gateway started. */
export interface AuditStats {
  readonly passes: number;
  readonly shardsChecked: number;
  readonly shardsMissing: number;
  readonly scrubbedBytes: number;
  readonly corruptShards: number;
  /** The data id the current pass has reached ("" at the start of a pass). */
  readonly position: string;
}

/** Audits and scrubs shards, queueing repairs. */
export class ShardAuditor {
  readonly #options: ShardAuditorOptions;
  readonly #checked: Counter;
  readonly #missing: Counter;
  readonly #scrubbedBytes: Counter;
  readonly #corrupt: Counter;
  readonly #passes: Counter;
  readonly #progress: Gauge;

  constructor(options: ShardAuditorOptions) {
    this.#options = options;
    const { metrics } = options;
    this.#checked = metrics.counter(
      "objstore_audit_shards_checked_total",
      "Shards whose presence the auditor checked.",
    );
    this.#missing = metrics.counter(
      "objstore_audit_shards_missing_total",
      "Shards the auditor found missing (queued for repair).",
    );
    this.#scrubbedBytes = metrics.counter(
      "objstore_scrub_bytes_total",
      "Shard data bytes read whole and verified by scrubbing.",
    );
    this.#corrupt = metrics.counter(
      "objstore_scrub_corrupt_shards_total",
      "Shards scrubbing found corrupt (quarantined by the worker, queued for repair).",
    );
    this.#progress = metrics.gauge(
      "objstore_audit_pass_progress_ratio",
      "How far the auditor's (and scrub's) current pass over the manifests has come, 0 to 1.",
    );
    this.#passes = metrics.counter(
      "objstore_audit_passes_total",
      "Completed passes over every erasure manifest.",
    );
  }

  #position = "";

  /** Counts for the admin health view. */
  stats(): AuditStats {
    return {
      passes: this.#passes.value,
      shardsChecked: this.#checked.value,
      shardsMissing: this.#missing.value,
      scrubbedBytes: this.#scrubbedBytes.value,
      corruptShards: this.#corrupt.value,
      position: this.#position,
    };
  }

  /** One round: the next slice of manifests after the stored cursor; returns the shards queued for repair. */
  async runOnce(): Promise<number> {
    const { catalog, manifestsPerRound } = this.#options;
    const cursor = await catalog.getAuditCursor();
    const after = cursor === null || cursor.record === "" ? null : cursor.record;
    const { manifests, lastDataId } = await catalog.scanErasureManifests(after, manifestsPerRound);
    let budget = this.#options.scrubBytesPerRound;
    let queued = 0;
    for (const manifest of manifests) {
      const result = await this.#audit(manifest, budget);
      budget -= result.scrubbedBytes;
      queued += result.queued;
    }
    // A slice of only composite manifests is not the end of the pass: the cursor moves past what was looked at.
    const endOfPass = lastDataId === null;
    if (endOfPass && after !== null) this.#passes.inc();
    const next = lastDataId ?? "";
    this.#position = next;
    this.#progress.set(passProgress(next));
    // The cursor only moves forward from what this round read; a racing round (another gateway) just retries.
    await catalog.transaction().check(metaKeys.auditCursor(), cursor?.versionstamp ?? null).putAuditCursor(
      next,
    ).commit();
    return queued;
  }

  /** Checks (and within `budget` bytes, scrubs) every recorded shard of one manifest. */
  async #audit(
    manifest: ErasureManifest,
    budget: number,
  ): Promise<{ scrubbedBytes: number; queued: number }> {
    const { pool, repairer, logger } = this.#options;
    const layout = new StripeLayout(manifest.sizeBytes, manifest.dataShards, manifest.blockSizeBytes);
    const dataLength = layout.shardDataLength();
    const bad: number[] = [];
    let scrubbedBytes = 0;
    // Placed against the rules while workers were down: queued so the repairer moves them back.
    const misplaced = misplacedShards(manifest, pool.topology).length > 0;
    await Promise.all(manifest.shards.map(async (shard, shardIndex) => {
      if (shard.checksum === null) return; // already known missing: queued when the manifest was written
      const client = pool.client(shard.workerId);
      const { health, downAfterMs } = this.#options;
      const downTooLong = health !== undefined && downAfterMs !== undefined &&
        health.downForMs(shard.workerId) > downAfterMs;
      if (client === undefined || downTooLong) {
        bad.push(shardIndex);
        return;
      }
      this.#checked.inc();
      try {
        const info = await client.headShard({ dataId: manifest.dataId, shardIndex });
        if (
          info === null || info.dataLength !== dataLength || info.blockSizeBytes !== manifest.blockSizeBytes
        ) {
          this.#missing.inc();
          bad.push(shardIndex);
          return;
        }
        if (scrubbedBytes + dataLength > budget) return;
        scrubbedBytes += dataLength;
        const reader = await client.getShard({
          dataId: manifest.dataId,
          shardIndex,
          blockSizeBytes: manifest.blockSizeBytes,
          dataLength,
        });
        const block = new Uint8Array(manifest.blockSizeBytes);
        while (await reader.readBlock(block) !== null) { /* every block is verified as it is read */ }
        this.#scrubbedBytes.inc(dataLength);
      } catch (error) {
        // An unreachable worker is not evidence of a lost shard: health is another matter. A corrupt block is.
        // A shard gone between the HEAD and the read was most likely moved: the repairer's probe will tell.
        if (isStoreError(error, "shard_not_found")) bad.push(shardIndex);
        if (isStoreError(error, "corrupt_block")) {
          this.#corrupt.inc();
          bad.push(shardIndex);
          logger.warn("scrub found a bad shard", {
            dataId: manifest.dataId,
            shardIndex,
            workerId: shard.workerId,
            error,
          });
        }
      }
    }));
    if (bad.length > 0 || misplaced) await repairer.enqueue(manifest.dataId, bad, "audit");
    return { scrubbedBytes, queued: bad.length };
  }
}
