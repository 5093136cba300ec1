/**
 * The version records of versioned buckets: what a new version does to the earlier ones, deleting one
 * version for good, reading and listing versions, and recording the `null` versions of objects written
 * before versioning was enabled. Every change is added to (or is) one atomic catalog commit that checks
 * the records it relies on, so racing writers retry instead of tearing the history.
 */
import {
  type CatalogTransaction,
  type Clock,
  dataGcRecord,
  type MetadataCatalog,
  type MetaKey,
  metaKeys,
  type ObjectHead,
  StoreError,
} from "../storage/mod.ts";
import type { BucketService } from "./bucket_service.ts";
import { listObjectPage } from "./object_lister.ts";
import { isVersionId, newVersionId, nullVersionOrder } from "./versions.ts";
import { listVersionPage, type VersionListPage, type VersionListRequest } from "./version_lister.ts";
import { updateVersion } from "./version_update.ts";

/** Most times a metadata commit is retried when a racing writer changed what it checked. */
export const MAX_COMMIT_ATTEMPTS = 8;

/** Options of the version records. */
export interface ObjectVersionsOptions {
  readonly catalog: MetadataCatalog;
  readonly buckets: BucketService;
  readonly clock: Clock;
  /** Delay before orphaned data is deleted (lets in-flight reads of an old version finish). */
  readonly gcGraceMs: number;
  /** Told the key's new current head (null: none) after a commit made by these records. */
  readonly observe: (bucket: string, key: string, head: ObjectHead | null, versionstamp: string) => void;
}

/** The version records of objects in versioned buckets. */
export class ObjectVersions {
  readonly #options: ObjectVersionsOptions;

  constructor(options: ObjectVersionsOptions) {
    this.#options = options;
  }

  /**
   * Adds to `tx` what a new current version means in a versioned bucket, and returns the head with its
   * version id. Enabled: a new id, and the old current version stays as a noncurrent one (its data is kept).
   * Suspended: the `null` version, replacing (and handing to GC) any earlier `null` version. Either way the
   * tx checks the null-version pointer, so a racing write retries.
   */
  async recordNewVersion(
    tx: CatalogTransaction,
    bucket: string,
    versioning: "Enabled" | "Suspended",
    proposed: ObjectHead,
    current: ObjectHead | null,
  ): Promise<ObjectHead> {
    const { catalog, clock } = this.#options;
    const nullPointer = await catalog.getNullVersionOrder(bucket, proposed.key);
    tx.check(metaKeys.nullVersion(bucket, proposed.key), nullPointer?.versionstamp ?? null);
    const now = clock.nowMs();
    if (versioning === "Enabled") {
      // An object written before versioning was enabled becomes the key's null version here.
      if (current !== null && current.versionId === "null" && nullPointer === null) {
        tx.putVersion(bucket, nullVersionOrder(current.lastModifiedMs), current);
      }
      const head = { ...proposed, versionId: newVersionId(now) };
      tx.putVersion(bucket, head.versionId, head);
      return head;
    }
    const order = nullVersionOrder(now);
    await this.#retireNullVersion(tx, bucket, proposed.key, nullPointer?.record ?? null, current, order);
    const head = { ...proposed, versionId: "null" };
    tx.putVersion(bucket, order, head);
    return head;
  }

  /** Removes the key's `null` version (its record, or the unrecorded current one) and hands its data to GC. */
  async #retireNullVersion(
    tx: CatalogTransaction,
    bucket: string,
    key: string,
    nullOrder: string | null,
    current: ObjectHead | null,
    replacementOrder: string,
  ): Promise<void> {
    const { catalog, clock } = this.#options;
    let retired: ObjectHead | null = null;
    if (nullOrder !== null) {
      const record = await catalog.getVersion(bucket, key, nullOrder);
      tx.check(metaKeys.version(bucket, key, nullOrder), record?.versionstamp ?? null);
      // The replacement overwrites the record itself when it lands on the same order (same millisecond).
      if (nullOrder !== replacementOrder) tx.delete(metaKeys.version(bucket, key, nullOrder));
      retired = record?.record ?? null;
    } else if (current !== null && current.versionId === "null") {
      retired = current;
    }
    if (retired !== null && retired.deleteMarker !== true) {
      tx.putGc(dataGcRecord(retired.dataId, "overwritten", clock.nowMs() + this.#options.gcGraceMs));
    }
  }

  /**
   * Adds to `tx` the change of the current version's record when the current head of `bucket/key` becomes
   * `head` in place (ACL, tags); nothing when the key has no version record (an unversioned bucket).
   */
  async recordUpdatedCurrent(
    tx: CatalogTransaction,
    bucket: string,
    key: string,
    head: ObjectHead,
  ): Promise<void> {
    const order = await this.#orderOf(bucket, key, head.versionId);
    const recorded = order === null ? null : await this.#options.catalog.getVersion(bucket, key, order);
    if (recorded !== null && order !== null) {
      tx.check(metaKeys.version(bucket, key, order), recorded.versionstamp).putVersion(bucket, order, head);
    }
  }

  /**
   * Commits `change` of version `versionId` of `bucket/key` in place (its ACL or tags), the key's head too
   * when that version is current, and returns the new record; see `updateVersion`.
   */
  async updateVersion(
    bucket: string,
    key: string,
    versionId: string,
    what: string,
    change: (head: ObjectHead) => ObjectHead,
  ): Promise<ObjectHead> {
    const options = { ...this.#options, maxAttempts: MAX_COMMIT_ATTEMPTS };
    return await updateVersion(options, bucket, key, versionId, what, change);
  }

  /** The record of version `versionId` of `bucket/key` with what a commit replacing it checks; null if none. */
  async recordedVersion(
    bucket: string,
    key: string,
    versionId: string,
  ): Promise<{ key: MetaKey; order: string; head: ObjectHead; versionstamp: string } | null> {
    const order = await this.#orderOf(bucket, key, versionId);
    const recorded = order === null ? null : await this.#options.catalog.getVersion(bucket, key, order);
    if (order === null || recorded === null) return null;
    return {
      key: metaKeys.version(bucket, key, order),
      order,
      head: recorded.record,
      versionstamp: recorded.versionstamp,
    };
  }

  /** The record order of `versionId` of `bucket/key` (`null`: the null-version pointer, if any). */
  async #orderOf(bucket: string, key: string, versionId: string): Promise<string | null> {
    if (versionId !== "null") return versionId;
    return (await this.#options.catalog.getNullVersionOrder(bucket, key))?.record ?? null;
  }

  /**
   * Deletes one version for good: its record goes, its data to GC (a delete marker has none), and when it
   * was the latest, the next newest version becomes current (none, if that is a delete marker). A version
   * that does not exist is no error, as in S3.
   */
  async deleteVersion(bucket: string, key: string, versionId: string): Promise<DeleteOutcome> {
    const { catalog, clock } = this.#options;
    if (versionId !== "null" && !isVersionId(versionId)) {
      throw new StoreError("invalid_argument", `Invalid version id specified: ${versionId}`);
    }
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const bucketRecord = await catalog.getBucket(bucket);
      if (bucketRecord === null) throw new StoreError("bucket_not_found", `Bucket ${bucket} does not exist`);
      const current = await catalog.getObject(bucket, key);
      const nullPointer = await catalog.getNullVersionOrder(bucket, key);
      const tx = catalog.transaction()
        .check(metaKeys.bucket(bucket), bucketRecord.versionstamp)
        .check(metaKeys.object(bucket, key), current?.versionstamp ?? null)
        .check(metaKeys.nullVersion(bucket, key), nullPointer?.versionstamp ?? null)
        .bumpBucketEpoch(bucket);
      const order = versionId === "null" ? nullPointer?.record ?? null : versionId;
      const recorded = order === null ? null : await catalog.getVersion(bucket, key, order);
      // An object written before versioning was enabled is the null version without a record of its own.
      const unrecorded = recorded === null && versionId === "null" && current?.record.versionId === "null";
      const target = recorded?.record ?? (unrecorded ? current!.record : null);
      if (target === null) return { versionId, deleteMarker: false };
      if (recorded !== null && order !== null) {
        tx.check(metaKeys.version(bucket, key, order), recorded.versionstamp).delete(
          metaKeys.version(bucket, key, order),
        );
        if (versionId === "null") tx.delete(metaKeys.nullVersion(bucket, key));
      }
      if (target.deleteMarker !== true) {
        tx.putGc(dataGcRecord(target.dataId, "deleted", clock.nowMs() + this.#options.gcGraceMs));
      }
      // The newest remaining version decides what is current.
      let next: ObjectHead | null = null;
      let wasLatest = unrecorded;
      if (!unrecorded) {
        let first = true;
        for await (const version of catalog.listVersions(bucket, undefined, undefined, 2, key)) {
          if (first) wasLatest = version.order === order;
          else if (wasLatest) {
            next = version.head;
            // The version promoted to current must still exist when this commits (a racing delete of it
            // would otherwise leave a current head whose data is being collected).
            tx.check(metaKeys.version(bucket, key, version.order), version.versionstamp);
          }
          first = false;
        }
      }
      let newCurrent: ObjectHead | null = current?.record ?? null;
      if (wasLatest) {
        newCurrent = next !== null && next.deleteMarker !== true ? next : null;
        if (newCurrent === null) tx.delete(metaKeys.object(bucket, key));
        else tx.putObject(bucket, newCurrent);
      }
      const committed = await tx.commit();
      if (committed !== null) {
        this.#options.observe(bucket, key, newCurrent, committed);
        return { versionId, deleteMarker: target.deleteMarker === true };
      }
    }
    throw new StoreError("conflict", `Delete of ${key} lost ${MAX_COMMIT_ATTEMPTS} races with other writers`);
  }

  /**
   * The version `versionId` of `bucket/key` (`null`: the null version), delete markers included; throws
   * `version_not_found` when there is none and `invalid_argument` for an id this store never issues.
   */
  async version(bucket: string, key: string, versionId: string): Promise<ObjectHead> {
    const { catalog } = this.#options;
    await this.#options.buckets.get(bucket);
    if (versionId !== "null" && !isVersionId(versionId)) {
      throw new StoreError("invalid_argument", `Invalid version id specified: ${versionId}`);
    }
    const order = await this.#orderOf(bucket, key, versionId);
    const recorded = order === null ? null : await catalog.getVersion(bucket, key, order);
    if (recorded !== null) return recorded.record;
    if (versionId === "null") {
      const current = await catalog.getObject(bucket, key);
      if (current !== null && current.record.versionId === "null") return current.record;
    }
    throw new StoreError("version_not_found", `Version ${versionId} of ${key} does not exist`);
  }

  /** The newest version record of `bucket/key` (a delete marker, possibly), or null without one. */
  async latestVersion(bucket: string, key: string): Promise<ObjectHead | null> {
    for await (const version of this.#options.catalog.listVersions(bucket, undefined, undefined, 1, key)) {
      return version.head;
    }
    return null;
  }

  /**
   * One page of ListObjectVersions. An unversioned bucket lists each object once, as its `null` version;
   * a versioned one lists its version records.
   */
  async listVersions(bucket: string, request: VersionListRequest): Promise<VersionListPage> {
    const { catalog } = this.#options;
    const record = await this.#options.buckets.get(bucket);
    if (record.versioning === "Unversioned") {
      const listing = await listObjectPage(catalog, bucket, { ...request, startAfter: request.keyMarker });
      const lastIsObject = listing.objects.at(-1)?.key === listing.lastReturned;
      return {
        versions: listing.objects.map((head) => ({ head, isLatest: true })),
        commonPrefixes: listing.commonPrefixes,
        isTruncated: listing.isTruncated,
        nextKeyMarker: listing.lastReturned ?? "",
        nextVersionIdMarker: lastIsObject ? "null" : "",
      };
    }
    return await listVersionPage(
      catalog,
      bucket,
      request,
      async (key, versionId) =>
        versionId === "null" || isVersionId(versionId) ? await this.#orderOf(bucket, key, versionId) : null,
    );
  }

  /**
   * Records every object of `bucket` that has no version record as its key's `null` version: run when
   * versioning is enabled for the first time, so that every version of a versioned bucket has a record.
   * Writes that race it record their key's current version themselves (see `recordNewVersion`).
   */
  async recordNullVersions(bucket: string): Promise<number> {
    const { catalog } = this.#options;
    let recorded = 0;
    let fromKey: string | undefined = undefined;
    while (true) {
      const heads: ObjectHead[] = [];
      for await (const head of catalog.listObjects(bucket, { fromKey }, 200)) heads.push(head);
      for (const listed of heads) {
        if (listed.versionId !== "null") continue;
        for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
          const current = await catalog.getObject(bucket, listed.key);
          if (current === null || current.record.versionId !== "null") break;
          if (await catalog.getNullVersionOrder(bucket, listed.key) !== null) break;
          const committed = await catalog.transaction()
            .check(metaKeys.object(bucket, listed.key), current.versionstamp)
            .check(metaKeys.nullVersion(bucket, listed.key), null)
            .putVersion(bucket, nullVersionOrder(current.record.lastModifiedMs), current.record)
            .commit();
          if (committed !== null) {
            recorded++;
            break;
          }
        }
      }
      if (heads.length < 200) return recorded;
      fromKey = heads[heads.length - 1].key + "\u0000";
    }
  }
}

/** What a delete did: the version it made or removed (null in an unversioned bucket), and whether that is a delete marker. */
export interface DeleteOutcome {
  readonly versionId: string | null;
  readonly deleteMarker: boolean;
}

/** A delete marker for `key` made at `nowMs` (version id assigned when it is recorded). */
export function deleteMarker(key: string, nowMs: number): ObjectHead {
  return {
    v: 1,
    key,
    versionId: "null",
    dataId: "",
    location: "inline",
    sizeBytes: 0,
    etag: "",
    lastModifiedMs: nowMs,
    contentType: "",
    userMetadata: {},
    headers: {},
    storageClass: "STANDARD",
    acl: "private",
    tags: [],
    deleteMarker: true,
  };
}
