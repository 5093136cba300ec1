/**
 * Buckets: create, delete (only when empty, decided atomically against racing writes), look up, list;
 * bucket policies (stored as the owner's JSON text, validated by the routes) and lifecycle
 * configurations (validated again here, stored in pages). Bucket records and policies are cached
 * coherently with this process's own commits; lifecycle configurations are read from the store.
 */
import {
  type BucketPolicyRecord,
  type BucketRecord,
  type CannedAcl,
  type CatalogTransaction,
  type Clock,
  type CorsRule,
  type MetadataCatalog,
  metaKeys,
  StoreError,
  type TagSet,
} from "../storage/mod.ts";
import { CoherentCache, UNKNOWN_VERSIONSTAMP } from "./coherent_cache.ts";
import { type LifecycleDocument, validateLifecycleConfiguration } from "./lifecycle/mod.ts";

/** Buckets read per metadata listing page. */
const BUCKET_PAGE = 1000;
/** Most buckets ListBuckets examines (a bound, far above S3's default quota of 10,000 per account). */
export const MAX_BUCKETS_LISTED = 100_000;

/** Options of the bucket service. */
export interface BucketServiceOptions {
  readonly catalog: MetadataCatalog;
  readonly clock: Clock;
  /** The region buckets are created in (LocationConstraint must match it). */
  readonly region: string;
  /** Bucket records kept in memory (0 disables the cache). */
  readonly cacheEntries?: number;
}

/** Bucket records cached by default. */
const DEFAULT_BUCKET_CACHE_ENTRIES = 10_000;

/** Bucket operations. */
export class BucketService {
  readonly #options: BucketServiceOptions;
  /** Bucket records by name, coherent with this process's own commits (see `CoherentCache`). */
  readonly #cache: CoherentCache<BucketRecord>;
  /** Policies by bucket name (null: known to have none), coherent in the same way. */
  readonly #policyCache: CoherentCache<BucketPolicyRecord>;
  /** Lifecycle configurations by bucket name (null: known to have none), coherent in the same way. */
  readonly #lifecycleCache: CoherentCache<LifecycleDocument>;

  constructor(options: BucketServiceOptions) {
    this.#options = options;
    this.#cache = new CoherentCache(options.cacheEntries ?? DEFAULT_BUCKET_CACHE_ENTRIES);
    this.#policyCache = new CoherentCache(options.cacheEntries ?? DEFAULT_BUCKET_CACHE_ENTRIES);
    this.#lifecycleCache = new CoherentCache(options.cacheEntries ?? DEFAULT_BUCKET_CACHE_ENTRIES);
  }

  /**
   * Creates `name` for `ownerId`. Throws `bucket_exists` with `ownedByCaller` in the message when it
   * exists (the routes tell BucketAlreadyOwnedByYou from BucketAlreadyExists by owner).
   */
  async create(name: string, ownerId: string, acl: CannedAcl = "private"): Promise<BucketRecord> {
    const { catalog, clock, region } = this.#options;
    const record: BucketRecord = {
      v: 1,
      name,
      ownerId,
      region,
      createdMs: clock.nowMs(),
      acl,
      tags: [],
      cors: [],
      versioning: "Unversioned",
    };
    const committed = await catalog.transaction()
      .check(metaKeys.bucket(name), null)
      .putBucket(record)
      .commit();
    if (committed !== null) {
      this.#cache.observe(name, record, committed);
      return record;
    }
    const existing = await catalog.getBucket(name);
    throw new BucketExistsError(name, existing?.record.ownerId ?? "");
  }

  /** The bucket named `name`; throws `bucket_not_found`. */
  get(name: string): BucketRecord | Promise<BucketRecord> {
    // A cached answer is returned (or thrown) synchronously: this runs on every request.
    const cached = this.#cache.get(name);
    if (cached === undefined) return this.#loadBucket(name);
    if (cached === null) throw bucketNotFound(name);
    return cached;
  }

  async #loadBucket(name: string): Promise<BucketRecord> {
    const ticket = this.#cache.beginRead();
    let bucket: BucketRecord | null;
    try {
      const entry = await this.#options.catalog.getBucket(name);
      bucket = entry?.record ?? null;
      this.#cache.fill(name, bucket, entry?.versionstamp ?? UNKNOWN_VERSIONSTAMP, ticket);
    } catch (error) {
      this.#cache.abandon(ticket);
      throw error;
    }
    if (bucket === null) throw bucketNotFound(name);
    return bucket;
  }

  /** Sets the bucket's canned ACL. */
  async setAcl(name: string, acl: CannedAcl): Promise<void> {
    await this.#updateBucket(name, "ACL", (record) => ({ ...record, acl }));
  }

  /** Replaces the tags of bucket `name` (PutBucketTagging; DeleteBucketTagging with none). */
  async setTags(name: string, tags: TagSet): Promise<void> {
    await this.#updateBucket(name, "tags", (record) => ({ ...record, tags }));
  }

  /**
   * Sets the versioning status of bucket `name` (PutBucketVersioning). Returns the status it had: the
   * caller records the existing objects as null versions when versioning is enabled for the first time.
   */
  async setVersioning(name: string, status: "Enabled" | "Suspended"): Promise<BucketRecord["versioning"]> {
    let previous: BucketRecord["versioning"] = "Unversioned";
    await this.#updateBucket(name, "versioning", (record) => {
      previous = record.versioning;
      return { ...record, versioning: status };
    });
    return previous;
  }

  /** Replaces the CORS rules of bucket `name` (PutBucketCors; DeleteBucketCors with none). */
  async setCors(name: string, rules: CorsRule[]): Promise<void> {
    await this.#updateBucket(name, "CORS configuration", (record) => ({ ...record, cors: rules }));
  }

  async #updateBucket(
    name: string,
    what: string,
    change: (record: BucketRecord) => BucketRecord,
  ): Promise<void> {
    const { catalog } = this.#options;
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await catalog.getBucket(name);
      if (current === null) throw new StoreError("bucket_not_found", `Bucket ${name} does not exist`);
      const record = change(current.record);
      const committed = await catalog.transaction()
        .check(metaKeys.bucket(name), current.versionstamp)
        .putBucket(record)
        .commit();
      if (committed !== null) {
        this.#cache.observe(name, record, committed);
        return;
      }
    }
    throw new StoreError("conflict", `The ${what} of ${name} lost 8 races with other writers`);
  }

  /**
   * The policy of bucket `name`, or null when it has none. Does not check that the bucket exists
   * (callers look the bucket up first); a deleted bucket's policy is deleted with it.
   */
  getPolicy(name: string): BucketPolicyRecord | null | Promise<BucketPolicyRecord | null> {
    const cached = this.#policyCache.get(name);
    return cached !== undefined ? cached : this.#loadPolicy(name);
  }

  async #loadPolicy(name: string): Promise<BucketPolicyRecord | null> {
    const ticket = this.#policyCache.beginRead();
    try {
      const entry = await this.#options.catalog.getBucketPolicy(name);
      const policy = entry?.record ?? null;
      this.#policyCache.fill(name, policy, entry?.versionstamp ?? UNKNOWN_VERSIONSTAMP, ticket);
      return policy;
    } catch (error) {
      this.#policyCache.abandon(ticket);
      throw error;
    }
  }

  /** Stores `document` as the policy of `name`, replacing any; throws `bucket_not_found`. */
  async putPolicy(name: string, document: string): Promise<void> {
    await this.#commitPolicy(name, { v: 1, document });
  }

  /** Deletes the policy of `name` (no error when it has none); throws `bucket_not_found`. */
  async deletePolicy(name: string): Promise<void> {
    await this.#commitPolicy(name, null);
  }

  /** Writes (or with null deletes) the policy in a commit that checks the bucket is unchanged. */
  async #commitPolicy(name: string, policy: BucketPolicyRecord | null): Promise<void> {
    const { catalog } = this.#options;
    for (let attempt = 0; attempt < 8; attempt++) {
      const bucket = await catalog.getBucket(name);
      if (bucket === null) throw new StoreError("bucket_not_found", `Bucket ${name} does not exist`);
      const transaction = catalog.transaction().check(metaKeys.bucket(name), bucket.versionstamp);
      if (policy === null) transaction.deleteBucketPolicy(name);
      else transaction.putBucketPolicy(name, policy);
      const committed = await transaction.commit();
      if (committed !== null) {
        this.#policyCache.observe(name, policy, committed);
        return;
      }
    }
    throw new StoreError("conflict", `The policy of ${name} lost 8 races with other writers`);
  }

  /**
   * The lifecycle configuration of bucket `name`, or null when it has none. Does not check that the
   * bucket exists (callers look the bucket up first); a deleted bucket's configuration goes with it.
   */
  getLifecycle(name: string): LifecycleDocument | null | Promise<LifecycleDocument | null> {
    const cached = this.#lifecycleCache.get(name);
    return cached !== undefined ? cached : this.#loadLifecycle(name);
  }

  async #loadLifecycle(name: string): Promise<LifecycleDocument | null> {
    const ticket = this.#lifecycleCache.beginRead();
    try {
      const entry = await this.#options.catalog.getBucketLifecycle(name);
      const configuration = entry === null ? null : { rules: entry.record };
      this.#lifecycleCache.fill(name, configuration, entry?.versionstamp ?? UNKNOWN_VERSIONSTAMP, ticket);
      return configuration;
    } catch (error) {
      this.#lifecycleCache.abandon(ticket);
      throw error;
    }
  }

  /**
   * Replaces the lifecycle configuration of `name` in one commit. Throws `LifecycleConfigurationError`
   * for a configuration that breaks the lifecycle rules, `invalid_argument` for one too large to store,
   * `bucket_not_found`; on any error the previous configuration stays.
   */
  async putLifecycle(name: string, configuration: LifecycleDocument): Promise<void> {
    validateLifecycleConfiguration(configuration);
    const committed = await this.#commitBucketConfig(name, "lifecycle configuration", (transaction) => {
      transaction.putBucketLifecycle(name, configuration.rules);
    });
    this.#lifecycleCache.observe(name, configuration, committed);
  }

  /** Deletes the lifecycle configuration of `name` (no error when it has none); throws `bucket_not_found`. */
  async deleteLifecycle(name: string): Promise<void> {
    const committed = await this.#commitBucketConfig(name, "lifecycle configuration", (transaction) => {
      transaction.deleteBucketLifecycle(name);
    });
    this.#lifecycleCache.observe(name, null, committed);
  }

  /**
   * Commits the writes of `change` with a check that bucket `name` exists and is unchanged; returns the
   * commit's versionstamp.
   */
  async #commitBucketConfig(
    name: string,
    what: string,
    change: (transaction: CatalogTransaction) => void,
  ): Promise<string> {
    const { catalog } = this.#options;
    for (let attempt = 0; attempt < 8; attempt++) {
      const bucket = await catalog.getBucket(name);
      if (bucket === null) throw new StoreError("bucket_not_found", `Bucket ${name} does not exist`);
      const transaction = catalog.transaction().check(metaKeys.bucket(name), bucket.versionstamp);
      change(transaction);
      const committed = await transaction.commit();
      if (committed !== null) return committed;
    }
    throw new StoreError("conflict", `The ${what} of ${name} lost 8 races with other writers`);
  }

  /** Every bucket owned by `ownerId`, by name (at most `MAX_BUCKETS_LISTED` are examined). */
  async list(ownerId: string): Promise<BucketRecord[]> {
    const owned: BucketRecord[] = [];
    let after: string | undefined;
    for (let examined = 0; examined < MAX_BUCKETS_LISTED;) {
      const page = await this.#options.catalog.listBuckets(BUCKET_PAGE, after);
      owned.push(...page.filter((bucket) => bucket.ownerId === ownerId));
      examined += page.length;
      if (page.length < BUCKET_PAGE) break;
      after = page[page.length - 1].name;
    }
    return owned;
  }

  /** Deletes an empty bucket; throws `bucket_not_empty` if it holds objects, versions or uploads. */
  async delete(name: string): Promise<void> {
    const { catalog } = this.#options;
    const bucket = await catalog.getBucket(name);
    if (bucket === null) throw new StoreError("bucket_not_found", `Bucket ${name} does not exist`);
    // Read the change counter first: any object or upload commit after this read bumps it and makes
    // the delete below fail its check, so a bucket is never deleted under a racing write.
    const epoch = await catalog.getBucketEpoch(name);
    if (await catalog.hasObjects(name) || await catalog.hasUploads(name) || await catalog.hasVersions(name)) {
      throw new StoreError("bucket_not_empty", `Bucket ${name} is not empty`);
    }
    const committed = await catalog.transaction()
      .check(metaKeys.bucket(name), bucket.versionstamp)
      .check(metaKeys.bucketEpoch(name), epoch)
      .delete(metaKeys.bucket(name))
      .delete(metaKeys.bucketEpoch(name))
      .deleteBucketPolicy(name)
      .deleteBucketLifecycle(name)
      .commit();
    if (committed === null) {
      throw new StoreError("bucket_not_empty", `Bucket ${name} changed while being deleted`);
    }
    this.#cache.observe(name, null, committed);
    this.#policyCache.observe(name, null, committed);
    this.#lifecycleCache.observe(name, null, committed);
  }
}

function bucketNotFound(name: string): StoreError {
  return new StoreError("bucket_not_found", `Bucket ${name} does not exist`);
}

/** Raised when a bucket name is taken; carries the owner so routes can pick the S3 code. */
export class BucketExistsError extends StoreError {
  /** Owner of the existing bucket. */
  readonly ownerId: string;
  constructor(bucket: string, ownerId: string) {
    super("bucket_exists", `Bucket ${bucket} already exists`);
    this.ownerId = ownerId;
  }
}
