/**
 * The garbage collector: deletes data that no object references any more (overwritten, deleted,
 * aborted) and data of writes that never committed. It acts only on GC records, which commits write
 * atomically with the change that orphans the data, and which writes record BEFORE their bytes move.
 * A record is first claimed (moved to a later due time in a commit that checks its version), so a
 * write that is still running cannot commit data the collector has started to delete.
 */
import { type Clock, isStoreError, type Logger } from "./core/mod.ts";
import { type GcRecord, type MetadataCatalog, metaKeys, type Versioned } from "./meta/mod.ts";
import type { WorkerPool } from "./worker_pool.ts";

/** Options of the collector. */
export interface GarbageCollectorOptions {
  readonly catalog: MetadataCatalog;
  readonly pool: WorkerPool;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Records handled per pass. */
  readonly batchSize?: number;
  /** Delay before a failed record is tried again (doubles per attempt, capped at 32×). */
  readonly retryDelayMs: number;
}

/** Mutations per follow-up commit (below the 1000-mutation limit, with room for the record itself). */
const COMMIT_BATCH = 500;

/** Deletes unreferenced data, one due GC record at a time. */
export class GarbageCollector {
  readonly #options: GarbageCollectorOptions;

  constructor(options: GarbageCollectorOptions) {
    this.#options = options;
  }

  /** Handles every record due now (bounded by the batch size); returns how many were completed. */
  async runOnce(): Promise<number> {
    const { catalog, clock } = this.#options;
    const due = await catalog.listDueGc(clock.nowMs(), this.#options.batchSize ?? 100);
    let completed = 0;
    for (const entry of due) {
      try {
        if (await this.#handle(entry)) completed++;
      } catch (error) {
        this.#options.logger.warn("gc record failed; will retry", { id: entry.record.id, error });
      }
    }
    return completed;
  }

  /** Claims and processes one record; false when another actor changed it first or work remains. */
  async #handle(entry: Versioned<GcRecord>): Promise<boolean> {
    const claimed = await this.#claim(entry);
    if (claimed === null) return false;
    const done = claimed.target === "data"
      ? await this.#deleteData(claimed)
      : claimed.target === "manifest"
      ? await this.#deleteManifestPages(claimed.id)
      : await this.#cleanUpload(claimed);
    if (!done) return false;
    const versionstamp = await this.#options.catalog.transaction()
      .delete(metaKeys.gc(claimed.dueAtMs, claimed.id))
      .commit();
    return versionstamp !== null;
  }

  /** Moves the record to a later due time; a racing commit that checks the old version then fails. */
  async #claim(entry: Versioned<GcRecord>): Promise<GcRecord | null> {
    const { record } = entry;
    const delayMs = this.#options.retryDelayMs * 2 ** Math.min(record.attempts, 5);
    const claimed: GcRecord = {
      ...record,
      dueAtMs: this.#options.clock.nowMs() + delayMs,
      attempts: record.attempts + 1,
    };
    const versionstamp = await this.#options.catalog.transaction()
      .check(metaKeys.gc(record.dueAtMs, record.id), entry.versionstamp)
      .delete(metaKeys.gc(record.dueAtMs, record.id))
      .putGc(claimed)
      .commit();
    return versionstamp === null ? null : claimed;
  }

  /** Deletes shards, inline pages and manifest of one data id; false if a worker could not be reached. */
  async #deleteData(record: GcRecord): Promise<boolean> {
    const { catalog } = this.#options;
    const shardTargets = new Map<string, string>(); // "index:worker" → worker
    record.workerIds.forEach((workerId, index) => shardTargets.set(`${index}:${workerId}`, workerId));
    const pages = await catalog.listManifestPages(record.id);
    const partIds: string[] = [];
    const erasure = pages.length === 1 ? await catalog.getErasureManifest(record.id).catch(() => null) : null;
    if (erasure !== null) {
      erasure.shards.forEach((shard, index) =>
        shardTargets.set(`${index}:${shard.workerId}`, shard.workerId)
      );
    } else if (pages.length > 0) {
      for (const page of (await catalog.getCompositeManifest(record.id)) ?? []) {
        for (const part of page.parts) partIds.push(part.dataId);
      }
    }
    let allDeleted = true;
    await Promise.all([...shardTargets].map(async ([name, workerId]) => {
      const shardIndex = Number(name.slice(0, name.indexOf(":")));
      const client = this.#options.pool.client(workerId);
      if (client === undefined) return; // the worker left the cluster with its disk
      try {
        await client.deleteShard({ dataId: record.id, shardIndex });
      } catch (error) {
        if (isStoreError(error, "shard_not_found")) return;
        allDeleted = false;
        this.#options.logger.warn("gc could not delete a shard", {
          dataId: record.id,
          shardIndex,
          workerId,
          error,
        });
      }
    }));
    if (!allDeleted) return false;
    await this.#enqueueData(partIds, "deleted");
    const inlineCount = await catalog.countInlinePages(record.id);
    const tx = catalog.transaction();
    for (let page = 0; page < inlineCount; page++) tx.delete(metaKeys.inline(record.id, page));
    for (let page = 0; page < pages.length; page++) tx.delete(metaKeys.manifest(record.id, page));
    tx.deleteAccess(record.id); // its last read, if it was ever read (data ids are never reused)
    return (await tx.commit()) !== null;
  }

  /** Deletes only the manifest pages of `dataId` (pages written ahead of a commit that never came). */
  async #deleteManifestPages(dataId: string): Promise<boolean> {
    const pages = await this.#options.catalog.listManifestPages(dataId);
    for (let i = 0; i < pages.length; i += COMMIT_BATCH) {
      const tx = this.#options.catalog.transaction();
      for (const page of pages.slice(i, i + COMMIT_BATCH)) tx.delete(page.key);
      if ((await tx.commit()) === null) return false;
    }
    return true;
  }

  /** Removes the part records of an upload, handing the data of parts not kept to GC. */
  async #cleanUpload(record: GcRecord): Promise<boolean> {
    const { catalog } = this.#options;
    const kept = new Set<string>();
    if (record.keepDataId !== undefined) {
      for (const page of (await catalog.getCompositeManifest(record.keepDataId)) ?? []) {
        for (const part of page.parts) kept.add(part.dataId);
      }
    }
    while (true) {
      const parts = await catalog.listUploadParts(record.id, 0, COMMIT_BATCH / 2);
      if (parts.length === 0) return true;
      const tx = catalog.transaction();
      const nowMs = this.#options.clock.nowMs();
      for (const part of parts) {
        tx.delete(metaKeys.uploadPart(part.uploadId, part.partNumber));
        if (!kept.has(part.dataId)) tx.putGc(dataGcRecord(part.dataId, "aborted", nowMs));
      }
      if ((await tx.commit()) === null) return false;
    }
  }

  async #enqueueData(dataIds: readonly string[], reason: GcRecord["reason"]): Promise<void> {
    for (let i = 0; i < dataIds.length; i += COMMIT_BATCH) {
      const tx = this.#options.catalog.transaction();
      const nowMs = this.#options.clock.nowMs();
      for (const dataId of dataIds.slice(i, i + COMMIT_BATCH)) tx.putGc(dataGcRecord(dataId, reason, nowMs));
      await tx.commit();
    }
  }
}

/** A GC record that deletes the data of `dataId` at `dueAtMs`. */
export function dataGcRecord(
  dataId: string,
  reason: GcRecord["reason"],
  dueAtMs: number,
  workerIds: readonly string[] = [],
): GcRecord {
  return { v: 1, target: "data", id: dataId, dueAtMs, reason, workerIds: [...workerIds], attempts: 0 };
}
