/**
 * RestoreObject for GLACIER and DEEP_ARCHIVE objects, as S3 does it: a request marks the current version
 * `ongoing` and queues it (202); in the background the restorer copies the bytes into the regional tier as a
 * temporary copy (under a pending write, like any upload), records it with its expiry — `days` lifecycle days,
 * rounded up to the next midnight — and from then on GET reads the copy (`x-amz-restore` says until when). A
 * request for a restored object extends the expiry (200); one while the copy is being made is refused
 * (RestoreAlreadyInProgress). Once expired, or once the version is gone (deleted, overwritten, moved), the copy
 * is handed to GC. Every commit checks the version still holds the data it was restoring.
 */
import {
  type Clock,
  type Counter,
  dataGcRecord,
  type MetadataCatalog,
  metaKeys,
  type Metrics,
  type ObjectHead,
  type RestoreRecord,
  StoreError,
  type Versioned,
} from "../storage/mod.ts";
import { newRandomId } from "./ids.ts";
import { dueAfterDaysMs } from "./lifecycle/mod.ts";
import type { ObjectVersions } from "./object_versions.ts";
import { needsRestore } from "./storage_classes.ts";
import type { TierWrites } from "./tier_writes.ts";

/** What restores need. */
export interface ObjectRestoresOptions {
  readonly catalog: MetadataCatalog;
  readonly clock: Clock;
  readonly writes: TierWrites;
  readonly versions: ObjectVersions;
  /** The length of a lifecycle day (restores last whole days). */
  readonly dayMs: number;
  /** Delay before an expired copy is deleted (lets in-flight reads finish). */
  readonly gcGraceMs: number;
  /** The bytes of a version (verified as they are read). */
  readonly read: (head: ObjectHead) => Promise<ReadableStream<Uint8Array>>;
  /** Told the key's new current head after a commit here. */
  readonly observe: (bucket: string, key: string, head: ObjectHead, versionstamp: string) => void;
  readonly metrics: Metrics;
}

/** Restores archived objects for a while. */
export class ObjectRestores {
  readonly #options: ObjectRestoresOptions;
  readonly #restored: Counter;
  readonly #restoredBytes: Counter;
  readonly #expired: Counter;

  constructor(options: ObjectRestoresOptions) {
    this.#options = options;
    this.#restored = options.metrics.counter(
      "objstore_restores_completed_total",
      "Restores whose temporary copy was made (RestoreObject).",
    );
    this.#restoredBytes = options.metrics.counter(
      "objstore_restored_bytes_total",
      "Bytes of the temporary copies restores made.",
    );
    this.#expired = options.metrics.counter(
      "objstore_restores_expired_total",
      "Temporary restore copies retired (expired, or their version changed).",
    );
  }

  /**
   * Requests a restore of the current version of `bucket/key` for `days`: "accepted" when a copy will be
   * made, "extended" when the object was restored already (its expiry moves). Throws `invalid_object_state`
   * for a class that needs no restore, `restore_in_progress` while a copy is being made.
   */
  async request(bucket: string, key: string, days: number): Promise<"accepted" | "extended"> {
    const { catalog, clock, dayMs } = this.#options;
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await catalog.getObject(bucket, key);
      if (current === null) {
        throw new StoreError("object_not_found", `Object ${key} does not exist in ${bucket}`);
      }
      const head = current.record;
      if (!needsRestore(head.storageClass)) {
        throw new StoreError(
          "invalid_object_state",
          `Restore is not allowed for the object's current storage class (${head.storageClass})`,
        );
      }
      if (head.restore?.ongoing === true) {
        throw new StoreError("restore_in_progress", `Object restore is already in progress for ${key}`);
      }
      const now = clock.nowMs();
      const restored = head.restore?.dataId !== undefined && (head.restore.expiresMs ?? 0) > now;
      const restore: NonNullable<ObjectHead["restore"]> = restored
        ? { ...head.restore!, days, expiresMs: dueAfterDaysMs(now, days, dayMs) }
        : { ongoing: true, days, requestedMs: now };
      const next: ObjectHead = { ...head, restore };
      const tx = catalog.transaction().check(metaKeys.object(bucket, key), current.versionstamp).putObject(
        bucket,
        next,
      );
      await this.#options.versions.recordUpdatedCurrent(tx, bucket, key, next);
      const queued = await catalog.getRestore(bucket, key);
      tx.check(metaKeys.restore(bucket, key), queued?.versionstamp ?? null).putRestore({
        v: 1,
        bucket,
        key,
        objectDataId: head.dataId,
        copyDataId: restored ? head.restore!.dataId! : null,
        expiresMs: restore.expiresMs ?? null,
      });
      const committed = await tx.commit();
      if (committed !== null) {
        this.#options.observe(bucket, key, next, committed);
        return restored ? "extended" : "accepted";
      }
    }
    throw new StoreError("conflict", `The restore of ${key} lost 8 races with other writers`);
  }

  /** One round: makes the copies of queued restores and retires expired ones; returns how many it did. */
  async runOnce(limit = 100): Promise<number> {
    let done = 0;
    for (const item of await this.#options.catalog.listRestores(limit)) {
      if (await this.#process(item)) done++;
    }
    return done;
  }

  /** The head to read the bytes of `head` from: its restored copy while that lasts, else null. */
  restoredView(head: ObjectHead, nowMs: number): ObjectHead | null {
    const restore = head.restore;
    if (restore === undefined || restore.dataId === undefined || (restore.expiresMs ?? 0) <= nowMs) {
      return null;
    }
    const { partCount: _parts, ...rest } = head;
    return { ...rest, dataId: restore.dataId, location: "regional" };
  }

  async #process(item: Versioned<RestoreRecord>): Promise<boolean> {
    const { catalog, clock } = this.#options;
    const { bucket, key, objectDataId, copyDataId, expiresMs } = item.record;
    const current = await catalog.getObject(bucket, key);
    const stillThere = current !== null && current.record.dataId === objectDataId;
    if (!stillThere || (copyDataId !== null && expiresMs !== null && expiresMs <= clock.nowMs())) {
      return await this.#retire(item, stillThere ? current : null);
    }
    if (copyDataId !== null) return false; // restored, not yet expired
    return await this.#makeCopy(item, current!);
  }

  /** Copies the version's bytes into the regional tier and records the copy with its expiry. */
  async #makeCopy(item: Versioned<RestoreRecord>, current: Versioned<ObjectHead>): Promise<boolean> {
    const { catalog, clock, writes, dayMs } = this.#options;
    const head = current.record;
    const tier = writes.tierFor("STANDARD");
    const dataId = newRandomId();
    const pending = await writes.begin(dataId, tier);
    try {
      const manifest = await tier.write(
        dataId,
        head.sizeBytes,
        await this.#options.read(head),
        pending.placement,
      );
      const now = clock.nowMs();
      const days = head.restore?.days ?? 1;
      const restore = {
        ongoing: false,
        days,
        requestedMs: head.restore?.requestedMs ?? now,
        expiresMs: dueAfterDaysMs(now, days, dayMs),
        dataId,
      };
      const next: ObjectHead = { ...head, restore };
      const tx = catalog.transaction()
        .check(metaKeys.object(item.record.bucket, head.key), current.versionstamp)
        .check(metaKeys.restore(item.record.bucket, head.key), item.versionstamp)
        .putObject(item.record.bucket, next)
        .putErasureManifest(manifest)
        .putRestore({ ...item.record, copyDataId: dataId, expiresMs: restore.expiresMs });
      await this.#options.versions.recordUpdatedCurrent(tx, item.record.bucket, head.key, next);
      await pending.settleInto(tx);
      const committed = await tx.commit();
      if (committed === null) {
        await pending.abandon();
        return false;
      }
      this.#options.observe(item.record.bucket, head.key, next, committed);
      this.#restored.inc();
      this.#restoredBytes.inc(head.sizeBytes);
      return true;
    } catch (error) {
      await pending.abandon();
      throw error;
    }
  }

  /** Hands the copy (if any) to GC, clears the restore from the version (if it is still there), dequeues. */
  async #retire(item: Versioned<RestoreRecord>, current: Versioned<ObjectHead> | null): Promise<boolean> {
    const { catalog, clock, gcGraceMs } = this.#options;
    const { bucket, key, copyDataId } = item.record;
    const tx = catalog.transaction()
      .check(metaKeys.restore(bucket, key), item.versionstamp)
      .delete(metaKeys.restore(bucket, key));
    if (copyDataId !== null) tx.putGc(dataGcRecord(copyDataId, "overwritten", clock.nowMs() + gcGraceMs));
    let next: ObjectHead | null = null;
    if (current !== null) {
      const { restore: _restore, ...rest } = current.record;
      next = rest;
      tx.check(metaKeys.object(bucket, key), current.versionstamp).putObject(bucket, next);
      await this.#options.versions.recordUpdatedCurrent(tx, bucket, key, next);
    }
    const committed = await tx.commit();
    if (committed === null) return false;
    if (next !== null) this.#options.observe(bucket, key, next, committed);
    this.#expired.inc();
    return true;
  }
}
