/**
 * The pending-GC record of a regional write in progress, kept alive like a lease. It is written
 * before any byte moves, so a crash leaves a record that cleans up after the grace period. While the
 * write runs, the record's due time is pushed forward every third of the grace period, so a long,
 * slow upload is never collected under its own feet. The final commit deletes it with a version
 * check; if the collector claimed it first, the commit fails and the write is abandoned.
 */
import {
  type CatalogTransaction,
  type Clock,
  dataGcRecord,
  type GcRecord,
  type Logger,
  type MetadataCatalog,
  metaKeys,
  StoreError,
  type WorkerInfo,
} from "../storage/mod.ts";

/** Shortest renewal interval, so tiny test grace periods do not hammer the metadata store. */
const MIN_RENEW_INTERVAL_MS = 200;

/** What a pending write needs. */
export interface PendingWriteOptions {
  readonly catalog: MetadataCatalog;
  readonly clock: Clock;
  /** How long after its last renewal the record becomes due. */
  readonly graceMs: number;
  readonly logger: Logger;
}

/** A write's pending-GC record, renewed until it is settled into the final commit or abandoned. */
export class PendingWrite {
  /** Workers shard i goes to (recorded in the GC record). */
  readonly placement: readonly WorkerInfo[];
  readonly #catalog: MetadataCatalog;
  readonly #clock: Clock;
  readonly #graceMs: number;
  readonly #logger: Logger;
  #record: GcRecord;
  #versionstamp: string;
  #lost = false;
  #renewing: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    options: PendingWriteOptions,
    placement: readonly WorkerInfo[],
    record: GcRecord,
    versionstamp: string,
  ) {
    this.placement = placement;
    this.#catalog = options.catalog;
    this.#clock = options.clock;
    this.#graceMs = options.graceMs;
    this.#logger = options.logger;
    this.#record = record;
    this.#versionstamp = versionstamp;
    const intervalMs = Math.max(MIN_RENEW_INTERVAL_MS, Math.floor(options.graceMs / 3));
    this.#timer = setInterval(() => {
      this.#renewing = this.#renewing.then(() => this.#renew());
    }, intervalMs);
  }

  /** Records the pending write of `dataId` to `placement`; nothing has moved yet. */
  static async begin(
    options: PendingWriteOptions,
    dataId: string,
    placement: readonly WorkerInfo[],
  ): Promise<PendingWrite> {
    const record = dataGcRecord(
      dataId,
      "pending_write",
      options.clock.nowMs() + options.graceMs,
      placement.map((worker) => worker.id),
    );
    return await PendingWrite.#start(options, record, placement);
  }

  /**
   * Records that the manifest pages of `dataId` are about to be written ahead of the commit that will
   * reference them (a manifest too large for one commit); if that commit never happens, GC removes the
   * pages only, never the data they point to.
   */
  static async beginManifest(options: PendingWriteOptions, dataId: string): Promise<PendingWrite> {
    const record: GcRecord = {
      v: 1,
      target: "manifest",
      id: dataId,
      dueAtMs: options.clock.nowMs() + options.graceMs,
      reason: "pending_write",
      workerIds: [],
      attempts: 0,
    };
    return await PendingWrite.#start(options, record, []);
  }

  static async #start(
    options: PendingWriteOptions,
    record: GcRecord,
    placement: readonly WorkerInfo[],
  ): Promise<PendingWrite> {
    const key = metaKeys.gc(record.dueAtMs, record.id);
    const versionstamp = await options.catalog.transaction().check(key, null).putGc(record).commit();
    if (versionstamp === null) {
      throw new StoreError("conflict", `Pending write ${record.id} already recorded`);
    }
    return new PendingWrite(options, placement, record, versionstamp);
  }

  /** The data id being written. */
  get dataId(): string {
    return this.#record.id;
  }

  /**
   * Stops renewing and adds to `tx` the deletion of the record, checked against its last version, so
   * the commit fails if the collector claimed it. Call once, right before the final commit.
   */
  async settleInto(tx: CatalogTransaction): Promise<void> {
    await this.#stop();
    if (this.#lost) {
      throw new StoreError("conflict", `Write ${this.dataId} outlived its pending record and was reclaimed`);
    }
    const key = metaKeys.gc(this.#record.dueAtMs, this.#record.id);
    tx.check(key, this.#versionstamp).delete(key);
  }

  /** True while the record is still ours (not claimed by the collector). */
  async stillOurs(): Promise<boolean> {
    const entry = await this.#catalog.store.get(metaKeys.gc(this.#record.dueAtMs, this.#record.id));
    return entry !== null && entry.versionstamp === this.#versionstamp;
  }

  /**
   * After a failure: stops renewing and leaves a record due now, so the collector removes whatever
   * shards reached the workers soon (even if it had already claimed the old record). Best effort.
   */
  async abandon(): Promise<void> {
    await this.#stop();
    try {
      const oldKey = metaKeys.gc(this.#record.dueAtMs, this.#record.id);
      const failed: GcRecord = {
        ...this.#record,
        reason: "failed_write",
        dueAtMs: this.#clock.nowMs(),
        attempts: 0,
      };
      const tx = this.#catalog.transaction().putGc(failed);
      if (failed.dueAtMs !== this.#record.dueAtMs) tx.delete(oldKey);
      await tx.commit();
    } catch (error) {
      this.#logger.warn("could not expedite cleanup of a failed write", { dataId: this.dataId, error });
    }
  }

  async #stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#renewing;
  }

  async #renew(): Promise<void> {
    if (this.#lost || this.#timer === undefined) return;
    const oldKey = metaKeys.gc(this.#record.dueAtMs, this.#record.id);
    const renewed: GcRecord = { ...this.#record, dueAtMs: this.#clock.nowMs() + this.#graceMs };
    try {
      const versionstamp = await this.#catalog.transaction()
        .check(oldKey, this.#versionstamp)
        .delete(oldKey)
        .putGc(renewed)
        .commit();
      if (versionstamp === null) {
        this.#lost = true;
        return;
      }
      this.#record = renewed;
      this.#versionstamp = versionstamp;
    } catch (error) {
      this.#logger.warn("could not renew a pending write", { dataId: this.dataId, error });
    }
  }
}
