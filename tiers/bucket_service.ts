/**
 * Buckets: create, delete (only when empty, decided atomically against racing writes), look up, list.
 */
import { type BucketRecord, type Clock, type MetadataCatalog, metaKeys, StoreError } from "../storage/mod.ts";

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
}

/** Bucket operations. */
export class BucketService {
  readonly #options: BucketServiceOptions;

  constructor(options: BucketServiceOptions) {
    this.#options = options;
  }

  /**
   * Creates `name` for `ownerId`. Throws `bucket_exists` with `ownedByCaller` in the message when it
   * exists (the routes tell BucketAlreadyOwnedByYou from BucketAlreadyExists by owner).
   */
  async create(name: string, ownerId: string): Promise<BucketRecord> {
    const { catalog, clock, region } = this.#options;
    const record: BucketRecord = { v: 1, name, ownerId, region, createdMs: clock.nowMs() };
    const committed = await catalog.transaction()
      .check(metaKeys.bucket(name), null)
      .putBucket(record)
      .commit();
    if (committed !== null) return record;
    const existing = await catalog.getBucket(name);
    throw new BucketExistsError(name, existing?.record.ownerId ?? "");
  }

  /** The bucket named `name`; throws `bucket_not_found`. */
  async get(name: string): Promise<BucketRecord> {
    const bucket = await this.#options.catalog.getBucket(name);
    if (bucket === null) throw new StoreError("bucket_not_found", `Bucket ${name} does not exist`);
    return bucket.record;
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

  /** Deletes an empty bucket; throws `bucket_not_empty` if it holds objects or uploads. */
  async delete(name: string): Promise<void> {
    const { catalog } = this.#options;
    const bucket = await catalog.getBucket(name);
    if (bucket === null) throw new StoreError("bucket_not_found", `Bucket ${name} does not exist`);
    // Read the change counter first: any object or upload commit after this read bumps it and makes
    // the delete below fail its check, so a bucket is never deleted under a racing write.
    const epoch = await catalog.getBucketEpoch(name);
    if (await catalog.hasObjects(name) || await catalog.hasUploads(name)) {
      throw new StoreError("bucket_not_empty", `Bucket ${name} is not empty`);
    }
    const committed = await catalog.transaction()
      .check(metaKeys.bucket(name), bucket.versionstamp)
      .check(metaKeys.bucketEpoch(name), epoch)
      .delete(metaKeys.bucket(name))
      .delete(metaKeys.bucketEpoch(name))
      .commit();
    if (committed === null) {
      throw new StoreError("bucket_not_empty", `Bucket ${name} changed while being deleted`);
    }
  }
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
