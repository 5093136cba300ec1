/**
 * Lifecycle transitions: a version moves to another storage class. Within one tier (STANDARD to STANDARD_IA,
 * or GLACIER_IR to GLACIER) only its record changes. Across tiers its bytes are copied to the new tier —
 * read and verified block by block, checked against the ETag's MD5 when the ETag is one, erasure-coded
 * under a pending write like any upload — and then one commit switches the version to the new data, checking
 * that the version still holds the data that was copied; the old data goes to GC after the grace period. A
 * crash before that commit leaves the version readable where it was (the pending write is collected); after
 * it, readable in the new tier (the old data is collected). Into the archive tier, data that compresses well
 * is stored compressed (measured in a first pass, since the erasure coder needs the length up front). Objects kept inline in the metadata are too small
 * to move, as S3 does not transition objects under 128 KiB.
 */
import {
  type Clock,
  dataGcRecord,
  DigestStream,
  type ErasureManifest,
  type MetadataCatalog,
  metaKeys,
  type ObjectHead,
  StoreError,
  toHex,
} from "../storage/mod.ts";
import {
  compressed,
  COMPRESSION_FORMAT,
  COMPRESSION_SAMPLE_BYTES,
  COMPRESSION_WORTH_RATIO,
  compressionRatio,
  streamLength,
} from "./compression.ts";
import { newRandomId } from "./ids.ts";
import type { ByteRange } from "./regional_tier.ts";
import type { ObjectVersions } from "./object_versions.ts";
import type { PendingWrite } from "./pending_write.ts";
import { tierOfStorageClass } from "./storage_classes.ts";
import type { TierWrites } from "./tier_writes.ts";

/** What transitions need. */
export interface ObjectTransitionsOptions {
  readonly catalog: MetadataCatalog;
  readonly clock: Clock;
  readonly writes: TierWrites;
  readonly versions: ObjectVersions;
  /** Delay before the data the version leaves behind is deleted (lets in-flight reads finish). */
  readonly gcGraceMs: number;
  /** The bytes of a version, or of a range of it (verified as they are read). */
  readonly read: (head: ObjectHead, range?: ByteRange) => Promise<ReadableStream<Uint8Array>>;
  /** Told the key's new current head after a transition of the current version. */
  readonly observe: (bucket: string, key: string, head: ObjectHead, versionstamp: string) => void;
}

/** What a transition did. */
export type TransitionOutcome =
  /** The bytes moved to another tier. */
  | "moved"
  /** Same tier: only the storage class changed. */
  | "relabelled"
  /** Kept inline in the metadata: too small to move. */
  | "too-small"
  /** The version changed or went away meanwhile: nothing done. */
  | "changed";

const PLAIN_MD5 = /^[0-9a-f]{32}$/;

/** Moves versions between storage classes. */
export class ObjectTransitions {
  readonly #options: ObjectTransitionsOptions;

  constructor(options: ObjectTransitionsOptions) {
    this.#options = options;
  }

  /** Moves `version` of `bucket` (the current version when `isCurrent`) to `storageClass`. */
  async transition(
    bucket: string,
    version: ObjectHead,
    isCurrent: boolean,
    storageClass: string,
  ): Promise<TransitionOutcome> {
    if (version.location === "inline") return "too-small";
    if (tierOfStorageClass(version.storageClass) === tierOfStorageClass(storageClass)) {
      return await this.#commit(bucket, version, isCurrent, { ...version, storageClass }, null)
        ? "relabelled"
        : "changed";
    }
    const { writes } = this.#options;
    const tier = writes.tierFor(storageClass);
    // Into the archive, data that shrinks enough is stored compressed; its length is measured first.
    const storedLength = tier.workerPool === "archive" ? await this.#compressedLength(version) : null;
    const dataId = newRandomId();
    const pending = await writes.begin(dataId, tier);
    try {
      const digest = new DigestStream();
      const bytes = digest.wrap(await this.#options.read(version));
      const written = await tier.write(
        dataId,
        storedLength ?? version.sizeBytes,
        storedLength === null ? bytes : compressed(bytes),
        pending.placement,
      );
      const manifest: ErasureManifest = storedLength === null
        ? written
        : { ...written, compression: COMPRESSION_FORMAT, logicalSizeBytes: version.sizeBytes };
      const md5 = toHex(await digest.md5());
      if (PLAIN_MD5.test(version.etag) && md5 !== version.etag) {
        throw new StoreError(
          "corrupt_block",
          `The copy of ${version.key} has MD5 ${md5}, its ETag says ${version.etag}: transition abandoned`,
        );
      }
      const moved: ObjectHead = {
        ...version,
        dataId,
        location: "regional",
        storageClass,
        partCount: undefined,
      };
      if (version.partCount === undefined) delete moved.partCount;
      if (await this.#commit(bucket, version, isCurrent, moved, { manifest, pending })) return "moved";
      await pending.abandon();
      return "changed";
    } catch (error) {
      await pending.abandon();
      throw error;
    }
  }

  /**
   * The compressed length of `version`'s bytes when compressing pays (a sample shrinks to at most
   * `COMPRESSION_WORTH_RATIO`, and the whole does too), else null.
   */
  async #compressedLength(version: ObjectHead): Promise<number | null> {
    const sampleEnd = Math.min(version.sizeBytes, COMPRESSION_SAMPLE_BYTES) - 1;
    const sample = await this.#options.read(version, { start: 0, end: sampleEnd });
    const ratio = await compressionRatio(sample);
    if (ratio > COMPRESSION_WORTH_RATIO) return null;
    // A sample of the whole object already measured it; a larger object is measured in a pass of its own.
    const length = sampleEnd === version.sizeBytes - 1
      ? Math.round(ratio * version.sizeBytes)
      : await streamLength(compressed(await this.#options.read(version)));
    return length <= version.sizeBytes * COMPRESSION_WORTH_RATIO ? length : null;
  }

  /**
   * Replaces `version` by `next` in one commit that checks the version is unchanged; with `data`, writes the
   * new manifest, settles the pending write and hands the old data to GC. False when the version changed.
   */
  async #commit(
    bucket: string,
    version: ObjectHead,
    isCurrent: boolean,
    next: ObjectHead,
    data: { manifest: ErasureManifest; pending: PendingWrite } | null,
  ): Promise<boolean> {
    const { catalog, clock, versions, gcGraceMs } = this.#options;
    const tx = catalog.transaction();
    let current = null;
    if (isCurrent) {
      current = await catalog.getObject(bucket, version.key);
      if (current === null || current.record.dataId !== version.dataId) return false;
      tx.check(metaKeys.object(bucket, version.key), current.versionstamp).putObject(bucket, next);
    }
    // In a versioned bucket the version's own record changes too (checked against what is read now).
    const recorded = await versions.recordedVersion(bucket, version.key, version.versionId);
    if (recorded !== null) {
      if (recorded.head.dataId !== version.dataId) return false;
      tx.check(recorded.key, recorded.versionstamp).putVersion(bucket, recorded.order, next);
    } else if (!isCurrent) {
      return false; // a noncurrent version without its record: gone
    }
    if (data !== null) {
      tx.putErasureManifest(data.manifest);
      await data.pending.settleInto(tx);
      tx.putGc(dataGcRecord(version.dataId, "overwritten", clock.nowMs() + gcGraceMs));
    }
    const committed = await tx.commit();
    if (committed === null) return false;
    if (isCurrent) this.#options.observe(bucket, version.key, next, committed);
    return true;
  }
}
