/**
 * The one file that builds metadata keys. Key families and their values are listed in
 * docs/implementation-guide.md; changing a key here is a data migration.
 */
import type { MetaKey } from "./meta_store.ts";

/** Builders for every key family. */
export const metaKeys = {
  /** Bucket record. */
  bucket: (bucket: string): MetaKey => ["bucket", bucket],
  /** All bucket records. */
  buckets: (): MetaKey => ["bucket"],
  /** A bucket's policy document (the `0` leaves room for more pieces of one configuration). */
  bucketPolicy: (bucket: string): MetaKey => ["bucket_config", bucket, "policy", 0],
  /** A page of a bucket's lifecycle configuration (pages 0 … n−1, written together). */
  bucketLifecycle: (bucket: string, page: number): MetaKey => ["bucket_config", bucket, "lifecycle", page],
  /** Counter bumped by every object or upload commit, so DeleteBucket can detect a racing write. */
  bucketEpoch: (bucket: string): MetaKey => ["bucket_epoch", bucket],
  /** Current head of an object. */
  object: (bucket: string, key: string): MetaKey => ["object", bucket, key],
  /** All object heads of a bucket. */
  objects: (bucket: string): MetaKey => ["object", bucket],
  /**
   * One version of an object in a bucket with versioning (Enabled or Suspended), current ones included;
   * `order` sorts newest first (see `tiers/versions.ts`).
   */
  version: (bucket: string, key: string, order: string): MetaKey => ["version", bucket, key, order],
  /** All versions of one key, newest first. */
  keyVersions: (bucket: string, key: string): MetaKey => ["version", bucket, key],
  /** All versions in a bucket, by key then newest first. */
  bucketVersions: (bucket: string): MetaKey => ["version", bucket],
  /** The order of the key's `null` version, when it has one. */
  nullVersion: (bucket: string, key: string): MetaKey => ["version_null", bucket, key],
  /** A page of an erasure or composite manifest. */
  manifest: (dataId: string, page: number): MetaKey => ["manifest", dataId, page],
  /** All pages of a manifest. */
  manifestPages: (dataId: string): MetaKey => ["manifest", dataId],
  /** A page of an inline object's bytes. */
  inline: (dataId: string, page: number): MetaKey => ["inline", dataId, page],
  /** All inline pages of a data id. */
  inlinePages: (dataId: string): MetaKey => ["inline", dataId],
  /** A multipart upload in progress. */
  upload: (bucket: string, key: string, uploadId: string): MetaKey => ["upload", bucket, key, uploadId],
  /** All uploads of a bucket. */
  uploads: (bucket: string): MetaKey => ["upload", bucket],
  /** Counter bumped by every UploadPart commit, so CompleteMultipartUpload detects a racing part. */
  uploadEpoch: (uploadId: string): MetaKey => ["upload_epoch", uploadId],
  /** One uploaded part. */
  uploadPart: (uploadId: string, partNumber: number): MetaKey => ["upload_part", uploadId, partNumber],
  /** All parts of an upload. */
  uploadParts: (uploadId: string): MetaKey => ["upload_part", uploadId],
  /** An access key of a user (not the root user, whose key is configuration). */
  accessKey: (accessKeyId: string): MetaKey => ["access_key", accessKeyId],
  /** All access keys. */
  accessKeys: (): MetaKey => ["access_key"],
  /** Shards of one erasure-coded data id that are missing or corrupt and must be rebuilt. */
  repair: (dataId: string): MetaKey => ["repair", dataId],
  /** Every queued repair. */
  repairs: (): MetaKey => ["repair"],
  /** All manifest pages of every data id (the auditor walks them). */
  manifests: (): MetaKey => ["manifest"],
  /** Where the shard auditor stopped (its next pass resumes after that data id). */
  auditCursor: (): MetaKey => ["audit_cursor"],
  /** Run-time changes to the worker list (added, draining, removed workers). */
  layout: (): MetaKey => ["layout"],
  /** Where the lifecycle executor's pass stands (a bucket and a key in it). */
  lifecycleCursor: (): MetaKey => ["lifecycle_cursor"],
  /** A RestoreObject to carry out, or whose temporary copy must go when it expires. */
  restore: (bucket: string, key: string): MetaKey => ["restore", bucket, key],
  /** Every queued restore. */
  restores: (): MetaKey => ["restore"],
  /** A lease on a background job that only one gateway may run at a time. */
  lease: (name: string): MetaKey => ["lease", name],
  /** Where the rebalancer's pass stands. */
  rebalanceCursor: (): MetaKey => ["rebalance_cursor"],
  /** When the data of `dataId` was last read (coalesced by `tiers/access_tracker.ts`). */
  access: (dataId: string): MetaKey => ["access", dataId],
  /** Pending garbage: data to delete once `dueAtMs` has passed. */
  gc: (dueAtMs: number, dataId: string): MetaKey => ["gc", dueAtMs, dataId],
  /** All pending garbage, ordered by due time. */
  gcAll: (): MetaKey => ["gc"],
} as const;
