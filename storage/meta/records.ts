/**
 * Zod schemas of every stored record. Each record carries a schema version `v`; reads parse with these
 * schemas, so a record from a future or corrupt writer is an error, never silently misread.
 */
import { z } from "zod";

/** S3 canned ACLs (the grant sets S3 defines by name). */
export const cannedAclSchema = z.enum(["private", "public-read", "public-read-write", "authenticated-read"]);
/** An S3 canned ACL. */
export type CannedAcl = z.infer<typeof cannedAclSchema>;

/** The flexible checksum algorithms S3 defines. */
export const checksumAlgorithmSchema = z.enum(["crc32", "crc32c", "crc64nvme", "sha1", "sha256"]);
/** A flexible checksum algorithm. */
export type StoredChecksumAlgorithm = z.infer<typeof checksumAlgorithmSchema>;

/**
 * An object's flexible checksum: of all its bytes (`FULL_OBJECT`), or for a multipart object possibly of
 * its parts' checksums (`COMPOSITE`, the value then ending in `-N`). `value` is base64, as S3 shows it.
 */
export const storedChecksumSchema = z.object({
  algorithm: checksumAlgorithmSchema,
  type: z.enum(["FULL_OBJECT", "COMPOSITE"]),
  value: z.string(),
});
/** A stored object checksum. */
export type StoredChecksum = z.infer<typeof storedChecksumSchema>;

/** A tag set (object tags, bucket tags) in the order the client gave it. */
export const tagSetSchema = z.array(z.object({ key: z.string(), value: z.string() }));
/** A tag set. */
export type TagSet = z.infer<typeof tagSetSchema>;

/**
 * An access key of a user, created by the root user. The secret is kept as issued: SigV4 needs it to
 * recompute signatures, so the metadata file must be readable by the gateway alone.
 */
export const accessKeyRecordSchema = z.object({
  v: z.literal(1),
  accessKeyId: z.string(),
  secretKey: z.string(),
  userName: z.string(),
  /** The user's canonical id (64 hex digits), the owner id of what the user creates. */
  userId: z.string(),
  createdMs: z.number(),
});
/** An access key as stored. */
export type AccessKeyRecord = z.infer<typeof accessKeyRecordSchema>;

/**
 * A queued repair: shards of an erasure-coded data id found missing (a write that reached its quorum
 * without them) or unreadable (a degraded read), to be rebuilt from the others.
 */
export const repairRecordSchema = z.object({
  v: z.literal(1),
  dataId: z.string(),
  /** Shard indexes known to be missing or bad when the repair was queued. */
  shards: z.array(z.number().int().min(0)),
  reason: z.enum(["write", "read", "audit"]),
  queuedMs: z.number(),
  attempts: z.number().int().min(0),
});
/** A queued repair. */
export type RepairRecord = z.infer<typeof repairRecordSchema>;

/** A worker added at run time (by the admin command), as the gateway's topology lists it. */
export const layoutWorkerSchema = z.object({
  id: z.string().min(1),
  url: z.string().min(1),
  region: z.string().min(1),
  zone: z.string().min(1),
  weight: z.number().positive(),
  pool: z.enum(["regional", "archive"]).optional(),
});

/**
 * Changes to the configured worker list made at run time, shared by every gateway of the metadata store:
 * workers added, workers draining (no new shards; the rebalancer moves theirs away) and workers removed
 * once drained. `epoch` grows with every change, so a rebalance pass knows which layout it works towards.
 */
export const layoutRecordSchema = z.object({
  v: z.literal(1),
  epoch: z.number().int().min(1),
  added: z.array(layoutWorkerSchema),
  draining: z.array(z.string()),
  removed: z.array(z.string()),
});
/** The run-time changes to the worker list. */
export type LayoutRecord = z.infer<typeof layoutRecordSchema>;

/** A restore to carry out or to expire: the object and the copy it made (null until made). */
export const restoreRecordSchema = z.object({
  v: z.literal(1),
  bucket: z.string(),
  key: z.string(),
  /** The data id of the version being restored (the restore follows that version only). */
  objectDataId: z.string(),
  copyDataId: z.string().nullable(),
  expiresMs: z.number().nullable(),
});
/** A restore in the queue. */
export type RestoreRecord = z.infer<typeof restoreRecordSchema>;

/** Where the lifecycle executor resumes: in bucket `bucket` (or the first bucket after it) after `afterKey`. */
export const lifecycleCursorSchema = z.object({
  v: z.literal(1),
  /** The bucket in progress; a name that is no bucket means "the first bucket after it"; "" the first. */
  bucket: z.string(),
  /** The last key whose versions were judged, or null at the start of the bucket. */
  afterKey: z.string().nullable(),
});
/** The lifecycle executor's position. */
export type LifecycleCursor = z.infer<typeof lifecycleCursorSchema>;

/**
 * When a version's data was last read, for `NotAccessedTransition`: coalesced in memory and written at most
 * once per granularity period, so it may lag the latest read by that period plus a flush interval.
 */
export const accessRecordSchema = z.object({
  v: z.literal(1),
  lastAccessMs: z.number(),
});
/** The last recorded read of one data id. */
export type AccessRecord = z.infer<typeof accessRecordSchema>;

/** A lease on a background job: who holds it and until when (renewed by the holder before it ends). */
export const leaseRecordSchema = z.object({
  v: z.literal(1),
  holder: z.string(),
  expiresMs: z.number(),
});
/** A lease on a background job. */
export type LeaseRecord = z.infer<typeof leaseRecordSchema>;

/** How far the rebalancer's current pass has come, for the layout it works towards. */
export const rebalanceCursorSchema = z.object({
  v: z.literal(1),
  /** The layout epoch when the pass started (drained workers leave only if it still holds at the end). */
  epoch: z.number().int().min(0),
  /** Fingerprint of the placement workers (ids, zones, weights): a changed workers file starts a pass too. */
  layout: z.string(),
  /** The pass resumes after this data id ("" at the start of a pass). */
  after: z.string(),
  /** Shards seen in this pass that are not yet where the layout wants them (moves that failed or waited). */
  pending: z.number().int().min(0),
  /** True once a whole pass found every shard in place: nothing to do until the epoch changes. */
  settled: z.boolean(),
});
/** The rebalancer's persisted position. */
export type RebalanceCursor = z.infer<typeof rebalanceCursorSchema>;

/** One rule of a bucket's CORS configuration (validated by the routes before storing). */
export const corsRuleSchema = z.object({
  id: z.string().optional(),
  allowedOrigins: z.array(z.string()),
  allowedMethods: z.array(z.string()),
  allowedHeaders: z.array(z.string()),
  exposeHeaders: z.array(z.string()),
  maxAgeSeconds: z.number().int().min(0).optional(),
});
/** A CORS rule. */
export type CorsRule = z.infer<typeof corsRuleSchema>;

/**
 * A bucket. Records written before ACLs, tags or CORS existed read as `private`, untagged and without
 * CORS rules.
 */
export const bucketRecordSchema = z.object({
  v: z.literal(1),
  name: z.string(),
  ownerId: z.string(),
  region: z.string(),
  createdMs: z.number(),
  acl: cannedAclSchema.default("private"),
  tags: tagSetSchema.default([]),
  cors: z.array(corsRuleSchema).default([]),
  /** S3 bucket versioning: never enabled, or Enabled, or Suspended after having been enabled. */
  versioning: z.enum(["Unversioned", "Enabled", "Suspended"]).default("Unversioned"),
});
/** A bucket as stored. */
export type BucketRecord = z.infer<typeof bucketRecordSchema>;

/** A bucket policy: the JSON document as the owner sent it (validated by the routes before storing). */
export const bucketPolicyRecordSchema = z.object({
  v: z.literal(1),
  document: z.string(),
});
/** A bucket policy as stored. */
export type BucketPolicyRecord = z.infer<typeof bucketPolicyRecordSchema>;

/** Storage classes a lifecycle rule may move objects to, in S3's order (warmer first). */
export const TRANSITION_STORAGE_CLASSES = [
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
] as const;

/** One of `TRANSITION_STORAGE_CLASSES`, as stored in lifecycle rules. */
export const lifecycleStorageClassSchema = z.enum(TRANSITION_STORAGE_CLASSES);

const lifecycleDaysSchema = z.number().int().min(0);

/**
 * One lifecycle rule as stored: the shape of `LifecycleRule` in `tiers/lifecycle/lifecycle_rules.ts`
 * (validated there before storing; dates are ISO 8601 strings), plus `legacyPrefix` for rules sent with
 * the top-level `<Prefix>`. Plain JSON values only, so any metadata backend can hold it.
 */
export const lifecycleRuleRecordSchema = z.object({
  id: z.string(),
  status: z.enum(["Enabled", "Disabled"]),
  filter: z.object({
    prefix: z.string().optional(),
    tags: z.array(z.object({ key: z.string(), value: z.string() })).readonly().optional(),
    objectSizeGreaterThan: z.number().int().min(0).optional(),
    objectSizeLessThan: z.number().int().min(0).optional(),
  }),
  legacyPrefix: z.boolean().optional(),
  expiration: z.object({
    days: lifecycleDaysSchema.optional(),
    date: z.string().optional(),
    expiredObjectDeleteMarker: z.boolean().optional(),
  }).optional(),
  transitions: z.array(z.object({
    days: lifecycleDaysSchema.optional(),
    date: z.string().optional(),
    storageClass: lifecycleStorageClassSchema,
  })).readonly(),
  noncurrentVersionExpiration: z.object({
    noncurrentDays: lifecycleDaysSchema,
    newerNoncurrentVersions: z.number().int().min(1).optional(),
  }).optional(),
  noncurrentVersionTransitions: z.array(z.object({
    noncurrentDays: lifecycleDaysSchema,
    newerNoncurrentVersions: z.number().int().min(1).optional(),
    storageClass: lifecycleStorageClassSchema,
  })).readonly(),
  abortIncompleteMultipartUpload: z.object({ daysAfterInitiation: lifecycleDaysSchema }).optional(),
  notAccessedTransition: z.object({ days: lifecycleDaysSchema, storageClass: lifecycleStorageClassSchema })
    .optional(),
});
/** A lifecycle rule as stored. */
export type LifecycleRuleRecord = z.infer<typeof lifecycleRuleRecordSchema>;

/**
 * One page of a bucket's lifecycle configuration: rules in order, split so each page stays below the KV
 * value limit. Every page of one configuration is written in one commit and names the page count.
 */
export const lifecyclePageSchema = z.object({
  v: z.literal(1),
  pageCount: z.number().int().min(1),
  rules: z.array(lifecycleRuleRecordSchema).readonly(),
});
/** A page of a stored lifecycle configuration. */
export type LifecyclePage = z.infer<typeof lifecyclePageSchema>;

/** Standard HTTP headers stored with an object and returned on GET/HEAD. */
export const storedHeadersSchema = z.object({
  cacheControl: z.string().optional(),
  contentDisposition: z.string().optional(),
  contentEncoding: z.string().optional(),
  contentLanguage: z.string().optional(),
  expires: z.string().optional(),
});
/** Stored standard headers. */
export type StoredHeaders = z.infer<typeof storedHeadersSchema>;

/** Where an object's bytes live. */
export const dataLocationSchema = z.enum(["inline", "regional", "composite"]);
/** Where an object's bytes live. */
export type DataLocation = z.infer<typeof dataLocationSchema>;

/** The current version of an object. */
export const objectHeadSchema = z.object({
  v: z.literal(1),
  key: z.string(),
  versionId: z.string(),
  dataId: z.string(),
  location: dataLocationSchema,
  sizeBytes: z.number().int().min(0),
  /** Hex MD5 (or `md5-of-md5s-N` for multipart), without quotes. */
  etag: z.string(),
  lastModifiedMs: z.number(),
  contentType: z.string(),
  userMetadata: z.record(z.string(), z.string()),
  headers: storedHeadersSchema,
  storageClass: z.string(),
  /** Part count of a multipart object. */
  partCount: z.number().int().optional(),
  /** Canned ACL of the object (records written before ACLs existed read as `private`). */
  acl: cannedAclSchema.default("private"),
  /** Object tags (records written before tagging existed read as untagged). */
  tags: tagSetSchema.default([]),
  /** The flexible checksum the object was written with, if any. */
  checksum: storedChecksumSchema.optional(),
  /** A delete marker (a version record only; it has no data and is never a current head). */
  deleteMarker: z.literal(true).optional(),
  /**
   * RestoreObject of a GLACIER or DEEP_ARCHIVE version: `ongoing` until its temporary copy (`dataId`, in the
   * regional tier) is made, then readable until `expiresMs`.
   */
  restore: z.object({
    ongoing: z.boolean(),
    days: z.number().int().min(1),
    requestedMs: z.number(),
    expiresMs: z.number().optional(),
    dataId: z.string().optional(),
  }).optional(),
});
/** An object head as stored. */
export type ObjectHead = z.infer<typeof objectHeadSchema>;

/** One shard of an erasure manifest: its worker, and null when the write to it failed. */
export const shardEntrySchema = z.object({
  workerId: z.string(),
  /** CRC32 over the shard's block checksums as the worker acknowledged it; null = missing. */
  checksum: z.number().int().nullable(),
});
/** One shard entry. */
export type ShardEntry = z.infer<typeof shardEntrySchema>;

/** How the data of one data id is spread over workers. */
export const erasureManifestSchema = z.object({
  v: z.literal(1),
  kind: z.literal("erasure"),
  dataId: z.string(),
  sizeBytes: z.number().int().min(0),
  dataShards: z.number().int().min(1),
  parityShards: z.number().int().min(0),
  blockSizeBytes: z.number().int().min(1),
  layoutEpoch: z.number().int(),
  /** The pool of workers the shards belong to (absent: the regional pool). */
  pool: z.enum(["regional", "archive"]).optional(),
  /**
   * How the coded bytes are compressed (absent: not at all). Then `sizeBytes` is the compressed length and
   * `logicalSizeBytes` the object's; readers decompress from the start.
   */
  compression: z.literal("deflate-raw").optional(),
  logicalSizeBytes: z.number().int().min(0).optional(),
  /** Shard i's entry at index i. */
  shards: z.array(shardEntrySchema),
});
/** An erasure manifest. */
export type ErasureManifest = z.infer<typeof erasureManifestSchema>;

/** One part of a composite (multipart) object. */
export const compositePartSchema = z.object({
  partNumber: z.number().int(),
  dataId: z.string(),
  sizeBytes: z.number().int().min(0),
  etag: z.string(),
  /** The part's checksum (base64) in the upload's checksum algorithm, if it had one. */
  checksum: z.string().optional(),
});
/** One part of a composite object. */
export type CompositePart = z.infer<typeof compositePartSchema>;

/** One page of a composite manifest: the parts of a multipart object, in order. */
export const compositeManifestPageSchema = z.object({
  v: z.literal(1),
  kind: z.literal("composite"),
  dataId: z.string(),
  pageCount: z.number().int().min(1),
  parts: z.array(compositePartSchema),
});
/** A composite manifest page. */
export type CompositeManifestPage = z.infer<typeof compositeManifestPageSchema>;

/** A page of inline bytes. */
export const inlinePageSchema = z.object({
  v: z.literal(1),
  bytes: z.instanceof(Uint8Array),
});
/** A page of inline bytes. */
export type InlinePage = z.infer<typeof inlinePageSchema>;

/** A multipart upload in progress. */
export const uploadRecordSchema = z.object({
  v: z.literal(1),
  uploadId: z.string(),
  bucket: z.string(),
  key: z.string(),
  initiatedMs: z.number(),
  contentType: z.string(),
  userMetadata: z.record(z.string(), z.string()),
  headers: storedHeadersSchema,
  storageClass: z.string(),
  acl: cannedAclSchema.default("private"),
  tags: tagSetSchema.default([]),
  /** The checksum every part carries and how the object's is made of them (CreateMultipartUpload). */
  checksumAlgorithm: checksumAlgorithmSchema.optional(),
  checksumType: z.enum(["FULL_OBJECT", "COMPOSITE"]).optional(),
});
/** A multipart upload. */
export type UploadRecord = z.infer<typeof uploadRecordSchema>;

/** An uploaded part. */
export const uploadPartRecordSchema = z.object({
  v: z.literal(1),
  uploadId: z.string(),
  partNumber: z.number().int(),
  dataId: z.string(),
  sizeBytes: z.number().int().min(0),
  etag: z.string(),
  lastModifiedMs: z.number(),
  /** The part's checksum (base64) in the upload's checksum algorithm, if it has one. */
  checksum: z.string().optional(),
});
/** An uploaded part. */
export type UploadPartRecord = z.infer<typeof uploadPartRecordSchema>;

/**
 * Work for the garbage collector, due at `dueAtMs`. Written BEFORE bytes move, so a crash at any point
 * leaves a record that cleans up after it. `target: "data"` deletes the bytes of data id `id` (inline
 * pages, manifest and shards; the shards of a write that never got a manifest are found through
 * `workerIds`); `target: "manifest"` deletes only the manifest pages of `id` (written ahead of a commit
 * that never happened), never the data they point to; `target: "upload"` removes the part records of upload `id`, deleting the data of every
 * part except those of `keepDataId`'s composite manifest.
 */
export const gcRecordSchema = z.object({
  v: z.literal(1),
  target: z.enum(["data", "manifest", "upload"]),
  id: z.string(),
  dueAtMs: z.number(),
  reason: z.enum([
    "pending_write",
    "overwritten",
    "deleted",
    "aborted",
    "replaced_part",
    "completed_upload",
    "failed_write",
  ]),
  /** Shard i may be on `workerIds[i]` (for writes that never got a manifest). */
  workerIds: z.array(z.string()),
  /** For `completed_upload`: the composite data id whose parts must be kept. */
  keepDataId: z.string().optional(),
  attempts: z.number().int().min(0),
});
/** A GC record. */
export type GcRecord = z.infer<typeof gcRecordSchema>;
