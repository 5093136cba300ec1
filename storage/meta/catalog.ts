/**
 * Typed access to the metadata: every read parses its record with the zod schemas of `records.ts`,
 * every write goes through a `CatalogTransaction` that validates the record and commits atomically.
 */
import type { z } from "zod";
import { StoreError } from "../core/mod.ts";
import { metaKeys } from "./keys.ts";
import { CatalogTransaction, MAX_LIFECYCLE_PAGES } from "./catalog_transaction.ts";
import type { MetaEntry, MetaStore } from "./meta_store.ts";
import {
  type AccessKeyRecord,
  accessKeyRecordSchema,
  type AccessRecord,
  accessRecordSchema,
  type BucketPolicyRecord,
  bucketPolicyRecordSchema,
  type BucketRecord,
  bucketRecordSchema,
  type CompositeManifestPage,
  compositeManifestPageSchema,
  type ErasureManifest,
  erasureManifestSchema,
  type GcRecord,
  gcRecordSchema,
  inlinePageSchema,
  type LayoutRecord,
  layoutRecordSchema,
  type LeaseRecord,
  leaseRecordSchema,
  type LifecycleCursor,
  lifecycleCursorSchema,
  lifecyclePageSchema,
  type LifecycleRuleRecord,
  type ObjectHead,
  objectHeadSchema,
  type RebalanceCursor,
  rebalanceCursorSchema,
  type RepairRecord,
  repairRecordSchema,
  type RestoreRecord,
  restoreRecordSchema,
  type UploadPartRecord,
  uploadPartRecordSchema,
  type UploadRecord,
  uploadRecordSchema,
} from "./records.ts";

/** A record with the versionstamp it was read at (for commit checks). */
export interface Versioned<T> {
  readonly record: T;
  readonly versionstamp: string;
}

/** Most entries one internal listing page may hold. */
const LIST_PAGE_LIMIT = 1000;
/** Most keys of one `getMany` (the store's limit). */
const GET_MANY_LIMIT = 10;

/** Typed, validated reads and atomic writes of buckets, objects, manifests, uploads and GC records. */
export class MetadataCatalog {
  readonly store: MetaStore;

  constructor(store: MetaStore) {
    this.store = store;
  }

  /** The access key `accessKeyId`, or null. */
  async getAccessKey(accessKeyId: string): Promise<Versioned<AccessKeyRecord> | null> {
    return parseEntry(await this.store.get(metaKeys.accessKey(accessKeyId)), accessKeyRecordSchema);
  }

  /** Access keys in id order after `afterId` (all when omitted), at most `limit`. */
  async listAccessKeys(limit = LIST_PAGE_LIMIT, afterId?: string): Promise<AccessKeyRecord[]> {
    const out: AccessKeyRecord[] = [];
    const selector = {
      prefix: metaKeys.accessKeys(),
      start: afterId === undefined ? undefined : metaKeys.accessKey(afterId + "\u0000"),
    };
    for await (const entry of this.store.list(selector, { limit })) {
      out.push(parseValue(entry, accessKeyRecordSchema));
    }
    return out;
  }

  /** The bucket named `name`, or null. */
  async getBucket(name: string): Promise<Versioned<BucketRecord> | null> {
    return parseEntry(await this.store.get(metaKeys.bucket(name)), bucketRecordSchema);
  }

  /** The bucket's policy, or null when it has none. */
  async getBucketPolicy(bucket: string): Promise<Versioned<BucketPolicyRecord> | null> {
    return parseEntry(await this.store.get(metaKeys.bucketPolicy(bucket)), bucketPolicyRecordSchema);
  }

  /**
   * The bucket's lifecycle rules in order, or null when it has none. Every page is read in one `getMany`
   * (one consistent snapshot) and must come from the commit that wrote page 0, so a configuration is
   * never seen half-replaced; a missing or foreign page is `corrupt_record`.
   */
  async getBucketLifecycle(bucket: string): Promise<Versioned<readonly LifecycleRuleRecord[]> | null> {
    const keys = Array.from(
      { length: MAX_LIFECYCLE_PAGES },
      (_, page) => metaKeys.bucketLifecycle(bucket, page),
    );
    const entries = await this.store.getMany(keys);
    const first = entries[0];
    if (first === null) return null;
    const { pageCount, rules } = parseValue(first, lifecyclePageSchema);
    const all = [...rules];
    for (let page = 1; page < pageCount; page++) {
      const entry = entries[page] ?? null;
      if (entry === null || entry.versionstamp !== first.versionstamp) {
        throw new StoreError(
          "corrupt_record",
          `Lifecycle page ${page} of ${pageCount} of bucket ${bucket} is missing or from another commit`,
        );
      }
      all.push(...parseValue(entry, lifecyclePageSchema).rules);
    }
    return { record: all, versionstamp: first.versionstamp };
  }

  /** Versionstamp of the bucket's change counter (null when never bumped). */
  async getBucketEpoch(name: string): Promise<string | null> {
    return (await this.store.get(metaKeys.bucketEpoch(name)))?.versionstamp ?? null;
  }

  /** Buckets in name order after `afterName` (all when omitted), at most `limit`. */
  async listBuckets(limit = LIST_PAGE_LIMIT, afterName?: string): Promise<BucketRecord[]> {
    const out: BucketRecord[] = [];
    const selector = {
      prefix: metaKeys.buckets(),
      start: afterName === undefined ? undefined : metaKeys.bucket(afterName + "\u0000"),
    };
    for await (const entry of this.store.list(selector, { limit })) {
      out.push(parseValue(entry, bucketRecordSchema));
    }
    return out;
  }

  /** Versionstamp of an upload's part counter (null when no part was ever committed). */
  async getUploadEpoch(uploadId: string): Promise<string | null> {
    return (await this.store.get(metaKeys.uploadEpoch(uploadId)))?.versionstamp ?? null;
  }

  /** The current head of `bucket/key`, or null. */
  async getObject(bucket: string, key: string): Promise<Versioned<ObjectHead> | null> {
    return parseEntry(await this.store.get(metaKeys.object(bucket, key)), objectHeadSchema);
  }

  /**
   * Object heads of `bucket` with keys in [`fromKey`, `toKey`) (either bound optional), in key order.
   */
  async *listObjects(
    bucket: string,
    range: { fromKey?: string; toKey?: string },
    limit: number,
  ): AsyncIterable<ObjectHead> {
    const selector = {
      prefix: metaKeys.objects(bucket),
      start: range.fromKey === undefined ? undefined : metaKeys.object(bucket, range.fromKey),
      end: range.toKey === undefined ? undefined : metaKeys.object(bucket, range.toKey),
    };
    for await (const entry of this.store.list(selector, { limit })) {
      yield parseValue(entry, objectHeadSchema);
    }
  }

  /** True when the bucket holds at least one object. */
  async hasObjects(bucket: string): Promise<boolean> {
    for await (const _ of this.store.list({ prefix: metaKeys.objects(bucket) }, { limit: 1 })) return true;
    return false;
  }

  /** True when the bucket has at least one multipart upload in progress. */
  async hasUploads(bucket: string): Promise<boolean> {
    for await (const _ of this.store.list({ prefix: metaKeys.uploads(bucket) }, { limit: 1 })) return true;
    return false;
  }

  /**
   * Uploads in progress in `bucket`, in (key, upload id) order: from `from.key` (inclusive; with
   * `from.afterUploadId`, only that key's uploads after that id), up to keys before `toKey`.
   */
  async *listUploads(
    bucket: string,
    from: { key: string; afterUploadId?: string } | undefined,
    toKey: string | undefined,
    limit: number,
  ): AsyncIterable<UploadRecord> {
    const start = from === undefined
      ? undefined
      : from.afterUploadId === undefined
      ? [...metaKeys.uploads(bucket), from.key]
      : metaKeys.upload(bucket, from.key, from.afterUploadId + "\u0000");
    const selector = {
      prefix: metaKeys.uploads(bucket),
      start,
      end: toKey === undefined ? undefined : [...metaKeys.uploads(bucket), toKey],
    };
    for await (const entry of this.store.list(selector, { limit })) {
      yield parseValue(entry, uploadRecordSchema);
    }
  }

  /** The version of `bucket/key` at `order`, or null. */
  async getVersion(bucket: string, key: string, order: string): Promise<Versioned<ObjectHead> | null> {
    return parseEntry(await this.store.get(metaKeys.version(bucket, key, order)), objectHeadSchema);
  }

  /** The order of the `null` version of `bucket/key`, or null when it has none. */
  async getNullVersionOrder(bucket: string, key: string): Promise<Versioned<string> | null> {
    const entry = await this.store.get(metaKeys.nullVersion(bucket, key));
    if (entry === null) return null;
    if (typeof entry.value !== "string") {
      throw new StoreError("corrupt_record", `Bad null-version pointer of ${key}`);
    }
    return { record: entry.value, versionstamp: entry.versionstamp };
  }

  /**
   * Versions of `bucket` in (key, newest first) order, with their orders: from `from` (a key, or a key and
   * the order to start after), up to keys before `toKey`; only of one key with `onlyKey`.
   */
  async *listVersions(
    bucket: string,
    from: { key: string; afterOrder?: string } | undefined,
    toKey: string | undefined,
    limit: number,
    onlyKey?: string,
  ): AsyncIterable<{ order: string; head: ObjectHead; versionstamp: string }> {
    const prefix = onlyKey === undefined
      ? metaKeys.bucketVersions(bucket)
      : metaKeys.keyVersions(bucket, onlyKey);
    const start = from === undefined
      ? undefined
      : from.afterOrder === undefined
      ? [...metaKeys.bucketVersions(bucket), from.key]
      : metaKeys.version(bucket, from.key, from.afterOrder + "\u0000");
    const selector = {
      prefix,
      start,
      end: toKey === undefined ? undefined : [...metaKeys.bucketVersions(bucket), toKey],
    };
    for await (const entry of this.store.list(selector, { limit })) {
      yield {
        order: String(entry.key[3]),
        head: parseValue(entry, objectHeadSchema),
        versionstamp: entry.versionstamp,
      };
    }
  }

  /** True when the bucket holds at least one version record. */
  async hasVersions(bucket: string): Promise<boolean> {
    for await (const _ of this.store.list({ prefix: metaKeys.bucketVersions(bucket) }, { limit: 1 })) {
      return true;
    }
    return false;
  }

  /** The erasure manifest of `dataId` with its versionstamp (for a commit that replaces it), or null. */
  async getErasureManifestEntry(dataId: string): Promise<Versioned<ErasureManifest> | null> {
    return parseEntry(await this.store.get(metaKeys.manifest(dataId, 0)), erasureManifestSchema);
  }

  /**
   * Erasure manifests in data id order after `afterDataId` (from the start when null): looks at up to
   * `scanLimit` manifest pages (composite manifests and later pages are skipped). `lastDataId` is the data
   * id of the last page looked at, where the next scan resumes; null once nothing is left.
   */
  async scanErasureManifests(
    afterDataId: string | null,
    scanLimit: number,
  ): Promise<{ manifests: ErasureManifest[]; lastDataId: string | null }> {
    const manifests: ErasureManifest[] = [];
    let lastDataId: string | null = null;
    const selector = {
      prefix: metaKeys.manifests(),
      start: afterDataId === null ? undefined : metaKeys.manifest(afterDataId + "\u0000", 0),
    };
    for await (const entry of this.store.list(selector, { limit: scanLimit })) {
      lastDataId = String(entry.key[1]);
      if (entry.key[2] !== 0) continue;
      const parsed = erasureManifestSchema.safeParse(entry.value);
      if (parsed.success) manifests.push(parsed.data);
    }
    return { manifests, lastDataId };
  }

  /** The run-time changes to the worker list, or null when none were ever made. */
  async getLayout(): Promise<Versioned<LayoutRecord> | null> {
    const entry = await this.store.get(metaKeys.layout());
    return entry === null
      ? null
      : { record: parseValue(entry, layoutRecordSchema), versionstamp: entry.versionstamp };
  }

  /** The lifecycle executor's position, or null before its first round. */
  async getLifecycleCursor(): Promise<Versioned<LifecycleCursor> | null> {
    return parseEntry(await this.store.get(metaKeys.lifecycleCursor()), lifecycleCursorSchema);
  }

  /**
   * The last recorded reads of `dataIds`, in order (null where none is recorded), read with `getMany` in
   * batches of at most 10 keys.
   */
  async getAccessRecords(dataIds: readonly string[]): Promise<(AccessRecord | null)[]> {
    const out: (AccessRecord | null)[] = [];
    for (let i = 0; i < dataIds.length; i += GET_MANY_LIMIT) {
      const keys = dataIds.slice(i, i + GET_MANY_LIMIT).map((dataId) => metaKeys.access(dataId));
      for (const entry of await this.store.getMany(keys)) {
        out.push(entry === null ? null : parseValue(entry, accessRecordSchema));
      }
    }
    return out;
  }

  /** The queued restore of `bucket/key`, or null. */
  async getRestore(bucket: string, key: string): Promise<Versioned<RestoreRecord> | null> {
    return parseEntry(await this.store.get(metaKeys.restore(bucket, key)), restoreRecordSchema);
  }

  /** Queued restores, at most `limit`, with their versionstamps. */
  async listRestores(limit: number): Promise<Versioned<RestoreRecord>[]> {
    const out: Versioned<RestoreRecord>[] = [];
    for await (const entry of this.store.list({ prefix: metaKeys.restores() }, { limit })) {
      out.push({ record: parseValue(entry, restoreRecordSchema), versionstamp: entry.versionstamp });
    }
    return out;
  }

  /** The lease named `name`, or null when nobody ever took it. */
  async getLease(name: string): Promise<Versioned<LeaseRecord> | null> {
    return parseEntry(await this.store.get(metaKeys.lease(name)), leaseRecordSchema);
  }

  /** The rebalancer's position, or null before its first round. */
  async getRebalanceCursor(): Promise<Versioned<RebalanceCursor> | null> {
    const entry = await this.store.get(metaKeys.rebalanceCursor());
    return entry === null
      ? null
      : { record: parseValue(entry, rebalanceCursorSchema), versionstamp: entry.versionstamp };
  }

  /** Where the shard auditor stopped, or null before its first round. */
  async getAuditCursor(): Promise<Versioned<string> | null> {
    const entry = await this.store.get(metaKeys.auditCursor());
    return entry === null || typeof entry.value !== "string"
      ? null
      : { record: entry.value, versionstamp: entry.versionstamp };
  }

  /** Queued repairs in data id order (after `afterDataId`), at most `limit`, with their versionstamps. */
  async listRepairs(limit: number, afterDataId?: string): Promise<Versioned<RepairRecord>[]> {
    const out: Versioned<RepairRecord>[] = [];
    const selector = {
      prefix: metaKeys.repairs(),
      start: afterDataId === undefined ? undefined : metaKeys.repair(afterDataId + "\u0000"),
    };
    for await (const entry of this.store.list(selector, { limit })) {
      out.push({ record: parseValue(entry, repairRecordSchema), versionstamp: entry.versionstamp });
    }
    return out;
  }

  /** The queued repair of `dataId`, or null. */
  async getRepair(dataId: string): Promise<Versioned<RepairRecord> | null> {
    return parseEntry(await this.store.get(metaKeys.repair(dataId)), repairRecordSchema);
  }

  /** The erasure manifest of `dataId`, or null. */
  async getErasureManifest(dataId: string): Promise<ErasureManifest | null> {
    const entry = await this.store.get(metaKeys.manifest(dataId, 0));
    if (entry === null) return null;
    return parseValue(entry, erasureManifestSchema);
  }

  /** Every page of the composite manifest of `dataId` (in order), or null. */
  async getCompositeManifest(dataId: string): Promise<CompositeManifestPage[] | null> {
    const pages: CompositeManifestPage[] = [];
    for await (const entry of this.store.list({ prefix: metaKeys.manifestPages(dataId) }, { limit: 1000 })) {
      pages.push(parseValue(entry, compositeManifestPageSchema));
    }
    return pages.length === 0 ? null : pages;
  }

  /** Raw manifest pages of `dataId` (either kind), for the garbage collector. */
  async listManifestPages(dataId: string): Promise<MetaEntry[]> {
    const out: MetaEntry[] = [];
    for await (const entry of this.store.list({ prefix: metaKeys.manifestPages(dataId) }, { limit: 1000 })) {
      out.push(entry);
    }
    return out;
  }

  /** The inline pages of `dataId`, in order. */
  async readInlinePages(dataId: string, pageCount: number): Promise<Uint8Array[]> {
    const pages: Uint8Array[] = [];
    if (pageCount === 0) return pages;
    for await (
      const entry of this.store.list({ prefix: metaKeys.inlinePages(dataId) }, { limit: pageCount })
    ) {
      pages.push(parseValue(entry, inlinePageSchema).bytes);
    }
    if (pages.length !== pageCount) {
      throw new StoreError(
        "not_enough_shards",
        `Inline data ${dataId} has ${pages.length} of ${pageCount} pages`,
      );
    }
    return pages;
  }

  /** Number of inline pages stored for `dataId` (bounded). */
  async countInlinePages(dataId: string): Promise<number> {
    let count = 0;
    for await (const _ of this.store.list({ prefix: metaKeys.inlinePages(dataId) }, { limit: 1000 })) count++;
    return count;
  }

  /** A multipart upload, or null. */
  async getUpload(bucket: string, key: string, uploadId: string): Promise<Versioned<UploadRecord> | null> {
    return parseEntry(await this.store.get(metaKeys.upload(bucket, key, uploadId)), uploadRecordSchema);
  }

  /** A part of an upload, or null. */
  async getUploadPart(uploadId: string, partNumber: number): Promise<Versioned<UploadPartRecord> | null> {
    return parseEntry(
      await this.store.get(metaKeys.uploadPart(uploadId, partNumber)),
      uploadPartRecordSchema,
    );
  }

  /** Parts of an upload with part number > `afterPart`, in order, at most `limit`. */
  async listUploadParts(uploadId: string, afterPart: number, limit: number): Promise<UploadPartRecord[]> {
    const out: UploadPartRecord[] = [];
    const selector = {
      prefix: metaKeys.uploadParts(uploadId),
      start: metaKeys.uploadPart(uploadId, afterPart + 1),
    };
    for await (const entry of this.store.list(selector, { limit })) {
      out.push(parseValue(entry, uploadPartRecordSchema));
    }
    return out;
  }

  /** GC records due at or before `nowMs`, oldest first, at most `limit`. */
  async listDueGc(nowMs: number, limit: number): Promise<Versioned<GcRecord>[]> {
    const out: Versioned<GcRecord>[] = [];
    const selector = { prefix: metaKeys.gcAll(), end: metaKeys.gc(nowMs + 1, "") };
    for await (const entry of this.store.list(selector, { limit })) {
      out.push({ record: parseValue(entry, gcRecordSchema), versionstamp: entry.versionstamp });
    }
    return out;
  }

  /** Every pending GC record (bounded), for tests and diagnostics. */
  async listAllGc(limit: number): Promise<GcRecord[]> {
    const out: GcRecord[] = [];
    for await (const entry of this.store.list({ prefix: metaKeys.gcAll() }, { limit })) {
      out.push(parseValue(entry, gcRecordSchema));
    }
    return out;
  }

  /** Starts an atomic transaction. */
  transaction(): CatalogTransaction {
    return new CatalogTransaction(this.store);
  }
}

function parseEntry<T>(entry: MetaEntry | null, schema: z.ZodType<T>): Versioned<T> | null {
  if (entry === null) return null;
  return { record: parseValue(entry, schema), versionstamp: entry.versionstamp };
}

function parseValue<T>(entry: MetaEntry, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(entry.value);
  if (!parsed.success) {
    throw new StoreError(
      "corrupt_record",
      `Stored record at ${String(entry.key.join("/"))} does not match its schema: ${
        parsed.error.issues[0]?.message
      }`,
    );
  }
  return parsed.data;
}
