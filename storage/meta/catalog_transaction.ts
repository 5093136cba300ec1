/**
 * One atomic change of the metadata: the versionstamps it relies on and the writes it makes, each record
 * validated against its zod schema as it is added, all committed at once or not at all.
 */
import { assert, INLINE_PAGE_BYTES, KV_MAX_VALUE_BYTES, StoreError } from "../core/mod.ts";
import { metaKeys } from "./keys.ts";
import type { MetaCheck, MetaKey, MetaMutation, MetaStore } from "./meta_store.ts";
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
  type LayoutRecord,
  layoutRecordSchema,
  type LeaseRecord,
  leaseRecordSchema,
  type LifecycleCursor,
  lifecycleCursorSchema,
  lifecyclePageSchema,
  type LifecycleRuleRecord,
  lifecycleRuleRecordSchema,
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

/** Most pages one lifecycle configuration is split into (read back with one `getMany` of at most 10). */
export const MAX_LIFECYCLE_PAGES = 10;
/**
 * Budget of one lifecycle page by `kvSizeBound`: below the KV value limit with room to spare, and ten of
 * them stay below the 800 KiB a Deno KV commit may write.
 */
export const LIFECYCLE_PAGE_BYTES = 60 * 1024;
assert(MAX_LIFECYCLE_PAGES <= 10, "a lifecycle configuration is read with one getMany");
assert(LIFECYCLE_PAGE_BYTES < KV_MAX_VALUE_BYTES, "a lifecycle page must fit in one KV value");

/** Collects checks and validated writes, then commits them atomically. */
export class CatalogTransaction {
  readonly #store: MetaStore;
  readonly #checks: MetaCheck[] = [];
  readonly #mutations: MetaMutation[] = [];

  constructor(store: MetaStore) {
    this.#store = store;
  }

  /** Requires `key` to be at `versionstamp` (null: absent) at commit time. */
  check(key: MetaKey, versionstamp: string | null): this {
    this.#checks.push({ key, versionstamp });
    return this;
  }

  /** Writes an access key record. */
  putAccessKey(record: AccessKeyRecord): this {
    return this.#set(metaKeys.accessKey(record.accessKeyId), accessKeyRecordSchema.parse(record));
  }

  /** Writes a bucket record. */
  putBucket(record: BucketRecord): this {
    return this.#set(metaKeys.bucket(record.name), bucketRecordSchema.parse(record));
  }

  /** Writes the policy of `bucket`. */
  putBucketPolicy(bucket: string, record: BucketPolicyRecord): this {
    return this.#set(metaKeys.bucketPolicy(bucket), bucketPolicyRecordSchema.parse(record));
  }

  /** Deletes the policy of `bucket` (a no-op when it has none). */
  deleteBucketPolicy(bucket: string): this {
    return this.delete(metaKeys.bucketPolicy(bucket));
  }

  /**
   * Writes the lifecycle configuration of `bucket` (rules in order) as pages 0 … n−1 and deletes the pages
   * of a longer previous one. Throws `invalid_argument` when it needs more than `MAX_LIFECYCLE_PAGES`.
   */
  putBucketLifecycle(bucket: string, rules: readonly LifecycleRuleRecord[]): this {
    const pages = lifecyclePages(rules.map((rule) => lifecycleRuleRecordSchema.parse(rule)));
    pages.forEach((pageRules, page) =>
      this.#set(
        metaKeys.bucketLifecycle(bucket, page),
        lifecyclePageSchema.parse({ v: 1, pageCount: pages.length, rules: pageRules }),
      )
    );
    for (let page = pages.length; page < MAX_LIFECYCLE_PAGES; page++) {
      this.delete(metaKeys.bucketLifecycle(bucket, page));
    }
    return this;
  }

  /** Deletes the lifecycle configuration of `bucket`, every page (a no-op when it has none). */
  deleteBucketLifecycle(bucket: string): this {
    for (let page = 0; page < MAX_LIFECYCLE_PAGES; page++) {
      this.delete(metaKeys.bucketLifecycle(bucket, page));
    }
    return this;
  }

  /** Bumps the bucket's change counter (DeleteBucket checks it). */
  bumpBucketEpoch(bucket: string): this {
    this.#mutations.push({ type: "increment", key: metaKeys.bucketEpoch(bucket), by: 1n });
    return this;
  }

  /** Bumps an upload's part counter (CompleteMultipartUpload checks it). */
  bumpUploadEpoch(uploadId: string): this {
    this.#mutations.push({ type: "increment", key: metaKeys.uploadEpoch(uploadId), by: 1n });
    return this;
  }

  /** Writes an object head. */
  putObject(bucket: string, head: ObjectHead): this {
    return this.#set(metaKeys.object(bucket, head.key), objectHeadSchema.parse(head));
  }

  /** Writes the version record of `head` at `order` (and, for a `null` version, the pointer to it). */
  putVersion(bucket: string, order: string, head: ObjectHead): this {
    if (head.versionId === "null") this.#set(metaKeys.nullVersion(bucket, head.key), order);
    return this.#set(metaKeys.version(bucket, head.key, order), objectHeadSchema.parse(head));
  }

  /** Writes an erasure manifest. */
  putErasureManifest(manifest: ErasureManifest): this {
    // A manifest with missing shards always comes with a queued repair, written in the same commit.
    const missing = manifest.shards.flatMap((shard, index) => shard.checksum === null ? [index] : []);
    if (missing.length > 0) {
      this.putRepair({
        v: 1,
        dataId: manifest.dataId,
        shards: missing,
        reason: "write",
        queuedMs: Date.now(),
        attempts: 0,
      });
    }
    return this.#set(metaKeys.manifest(manifest.dataId, 0), erasureManifestSchema.parse(manifest));
  }

  /** Records where the shard auditor stopped (an empty string: at the start of a new pass). */
  putAuditCursor(afterDataId: string): this {
    return this.#set(metaKeys.auditCursor(), afterDataId);
  }

  /** Records the run-time changes to the worker list. */
  putLayout(record: LayoutRecord): this {
    return this.#set(metaKeys.layout(), layoutRecordSchema.parse(record));
  }

  /** Records where the lifecycle executor's pass stands. */
  putLifecycleCursor(record: LifecycleCursor): this {
    return this.#set(metaKeys.lifecycleCursor(), lifecycleCursorSchema.parse(record));
  }

  /** Queues (or updates) the restore of `record.bucket/record.key`. */
  putRestore(record: RestoreRecord): this {
    return this.#set(metaKeys.restore(record.bucket, record.key), restoreRecordSchema.parse(record));
  }

  /** Records when the data of `dataId` was last read. */
  putAccess(dataId: string, record: AccessRecord): this {
    return this.#set(metaKeys.access(dataId), accessRecordSchema.parse(record));
  }

  /** Deletes the recorded last read of `dataId` (a no-op when none is recorded). */
  deleteAccess(dataId: string): this {
    return this.delete(metaKeys.access(dataId));
  }

  /** Records who holds the lease `name` and until when. */
  putLease(name: string, record: LeaseRecord): this {
    return this.#set(metaKeys.lease(name), leaseRecordSchema.parse(record));
  }

  /** Records where the rebalancer's pass stands. */
  putRebalanceCursor(record: RebalanceCursor): this {
    return this.#set(metaKeys.rebalanceCursor(), rebalanceCursorSchema.parse(record));
  }

  /** Queues (or re-queues) a repair of `record.dataId`. */
  putRepair(record: RepairRecord): this {
    return this.#set(metaKeys.repair(record.dataId), repairRecordSchema.parse(record));
  }

  /** Writes pages of a composite manifest, the first being page number `firstPage`. */
  putCompositeManifest(pages: readonly CompositeManifestPage[], firstPage = 0): this {
    pages.forEach((page, index) =>
      this.#set(metaKeys.manifest(page.dataId, firstPage + index), compositeManifestPageSchema.parse(page))
    );
    return this;
  }

  /** Writes `bytes` as inline pages of `dataId` (each at most `INLINE_PAGE_BYTES`). */
  putInline(dataId: string, bytes: Uint8Array): this {
    for (let page = 0, offset = 0; offset < bytes.length; page++, offset += INLINE_PAGE_BYTES) {
      this.#set(metaKeys.inline(dataId, page), {
        v: 1,
        bytes: bytes.slice(offset, offset + INLINE_PAGE_BYTES),
      });
    }
    return this;
  }

  /** Writes an upload record. */
  putUpload(record: UploadRecord): this {
    return this.#set(
      metaKeys.upload(record.bucket, record.key, record.uploadId),
      uploadRecordSchema.parse(record),
    );
  }

  /** Writes a part record. */
  putUploadPart(record: UploadPartRecord): this {
    return this.#set(
      metaKeys.uploadPart(record.uploadId, record.partNumber),
      uploadPartRecordSchema.parse(record),
    );
  }

  /** Writes a GC record. */
  putGc(record: GcRecord): this {
    return this.#set(metaKeys.gc(record.dueAtMs, record.id), gcRecordSchema.parse(record));
  }

  /** Deletes `key`. */
  delete(key: MetaKey): this {
    this.#mutations.push({ type: "delete", key });
    return this;
  }

  /** Number of mutations so far (a commit holds at most 1000). */
  get mutationCount(): number {
    return this.#mutations.length;
  }

  /** Commits; returns the new versionstamp, or null when a check failed (nothing was written). */
  async commit(): Promise<string | null> {
    const result = await this.#store.commit(this.#checks, this.#mutations);
    return result.ok ? result.versionstamp : null;
  }

  #set(key: MetaKey, value: unknown): this {
    this.#mutations.push({ type: "set", key, value });
    return this;
  }
}

/** `rules` cut, in order, into pages of at most `LIFECYCLE_PAGE_BYTES`; `invalid_argument` if too many. */
function lifecyclePages(rules: readonly LifecycleRuleRecord[]): LifecycleRuleRecord[][] {
  // The page envelope ({ v, pageCount, rules: [] }) stays well under this.
  const envelopeBytes = 64;
  const pages: LifecycleRuleRecord[][] = [[]];
  let pageBytes = envelopeBytes;
  let totalBytes = 0;
  for (const rule of rules) {
    const ruleBytes = kvSizeBound(rule);
    totalBytes += ruleBytes;
    if (pageBytes + ruleBytes > LIFECYCLE_PAGE_BYTES && pages[pages.length - 1].length > 0) {
      pages.push([]);
      pageBytes = envelopeBytes;
    }
    pages[pages.length - 1].push(rule);
    pageBytes += ruleBytes;
    if (pageBytes > LIFECYCLE_PAGE_BYTES || pages.length > MAX_LIFECYCLE_PAGES) {
      throw new StoreError(
        "invalid_argument",
        `The lifecycle configuration is too large to store: its ${rules.length} rules take at least ` +
          `${totalBytes} bytes, and at most ${MAX_LIFECYCLE_PAGES} pages of ${LIFECYCLE_PAGE_BYTES} bytes ` +
          `are kept; use fewer rules or shorter IDs, prefixes and tags`,
      );
    }
  }
  return pages;
}

/**
 * An upper bound of the bytes `value` takes in Deno KV, which stores it V8-serialized: a string as a tag,
 * a length of at most 3 bytes (strings here are far below 2 MiB) and one byte per character, or an
 * alignment byte and two bytes per character when any is beyond Latin-1; an integer below 2^30 in
 * magnitude as at most 6 bytes, any other number as 9; an object as its keys and values plus two tags and
 * a count; an array as its items plus at most 9 bytes of tags and counts.
 */
function kvSizeBound(value: unknown): number {
  if (typeof value === "string") {
    // deno-lint-ignore no-control-regex -- Latin-1 is exactly U+0000–U+00FF.
    return /^[\u0000-\u00ff]*$/.test(value) ? 4 + value.length : 5 + 2 * value.length;
  }
  if (typeof value === "number") return Number.isInteger(value) && Math.abs(value) < 2 ** 30 ? 6 : 9;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + kvSizeBound(item), 9);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).reduce(
      (sum, [name, item]) => sum + kvSizeBound(name) + kvSizeBound(item),
      5,
    );
  }
  return 1;
}
