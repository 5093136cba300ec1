/**
 * Where new erasure-coded data goes: the tier of its storage class (regional, or archive for the Glacier
 * classes), and the pending-GC record every write takes out before its first byte moves, so that a write
 * that never commits is collected. Used by PutObject, UploadPart, CopyObject and lifecycle transitions.
 */
import { type Clock, type Logger, type MetadataCatalog, StoreError } from "../storage/mod.ts";
import { PendingWrite } from "./pending_write.ts";
import type { RegionalTier } from "./regional_tier.ts";
import { tierOfStorageClass } from "./storage_classes.ts";

/** What the writes need. */
export interface TierWritesOptions {
  readonly catalog: MetadataCatalog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly regional: RegionalTier;
  /** The archive tier, when the cluster has archive workers. */
  readonly archive?: RegionalTier;
  /** Delay before the data of an abandoned write is deleted. */
  readonly gcGraceMs: number;
}

/** Chooses tiers and opens pending writes. */
export class TierWrites {
  readonly #options: TierWritesOptions;

  constructor(options: TierWritesOptions) {
    this.#options = options;
  }

  /**
   * The erasure-coded tier that stores objects of `storageClass`; throws `invalid_storage_class` for a
   * Glacier class when the cluster has no archive pool.
   */
  tierFor(storageClass: string): RegionalTier {
    if (tierOfStorageClass(storageClass) === "regional") return this.#options.regional;
    const { archive } = this.#options;
    if (archive === undefined) {
      throw new StoreError(
        "invalid_storage_class",
        `The storage class ${storageClass} needs the archive tier, and this cluster has no archive workers`,
      );
    }
    return archive;
  }

  /**
   * Records a pending-GC item for `dataId` with the workers of `tier` it is about to use, BEFORE any byte
   * moves, and keeps it renewed until the write commits or is abandoned.
   */
  async begin(dataId: string, tier: RegionalTier): Promise<PendingWrite> {
    const { catalog, clock, logger, gcGraceMs } = this.#options;
    return await PendingWrite.begin(
      { catalog, clock, graceMs: gcGraceMs, logger },
      dataId,
      tier.place(dataId),
    );
  }
}
