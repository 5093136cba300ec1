/**
 * The read check every path that reads an object's bytes goes through (GetObject, HeadObject,
 * GetObjectAttributes, the source of CopyObject and UploadPartCopy): the bucket policy first, then the
 * head, then owner and ACL. A request naming a version is asked of the policy as `s3:GetObjectVersion`.
 */
import { type BucketRecord, isStoreError, type ObjectHead } from "../storage/mod.ts";
import { bucketPermits, checkObjectRead, objectReadPolicy } from "./access_control.ts";
import type { PolicyDecision } from "./policy/mod.ts";
import type { RequestContext } from "./request_context.ts";
import { S3Error } from "./s3_errors.ts";

/**
 * The head of `key` if the caller may read it (see `access_control.ts`); synchronous when the policy and
 * the head are cached. As S3 does, a missing key is `AccessDenied` rather than `NoSuchKey` for a caller
 * who may not list the bucket, so it cannot probe keys.
 */
export function readableObjectHead(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
): ObjectHead | Promise<ObjectHead> {
  const decision = objectReadPolicy(ctx, bucket, key);
  return decision instanceof Promise
    ? decision.then((decided) => headIfReadable(ctx, bucket, key, decided))
    : headIfReadable(ctx, bucket, key, decision);
}

/**
 * Version `versionId` of `key` if the caller may read it: the policy is asked about `action` (AWS's
 * `s3:GetObjectVersion` by default; `s3:GetObjectVersionAttributes` for GetObjectAttributes), then owner and
 * the version's own ACL decide. A delete marker answers 405 MethodNotAllowed with `x-amz-delete-marker: true`,
 * as S3 does for a GET or HEAD naming one.
 */
export async function readableVersion(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
  versionId: string,
  action = "s3:GetObjectVersion",
): Promise<ObjectHead> {
  const decision = await objectReadPolicy(ctx, bucket, key, action);
  let head: ObjectHead;
  try {
    head = await ctx.services.objects.versions.version(bucket.name, key, versionId);
  } catch (error) {
    return await hideMissingKey(ctx, bucket, error);
  }
  checkObjectRead(ctx, bucket, head, decision);
  if (head.deleteMarker === true) throw deleteMarkerError(ctx, head);
  return head;
}

/**
 * Version `versionId` of `key` for a caller already authorized (the tagging and ACL operations, which are
 * the bucket owner's or a policy's to grant): `NoSuchVersion` when there is none, 405 MethodNotAllowed for a
 * delete marker, which has no tags or ACL.
 */
export async function existingVersion(
  ctx: RequestContext,
  bucket: string,
  key: string,
  versionId: string,
): Promise<ObjectHead> {
  const head = await ctx.services.objects.versions.version(bucket, key, versionId);
  if (head.deleteMarker === true) throw deleteMarkerError(ctx, head);
  return head;
}

/**
 * The 405 MethodNotAllowed S3 answers a request naming delete marker `head` by version id, with
 * `x-amz-delete-marker: true`, the marker's version id and its Last-Modified.
 */
export function deleteMarkerError(ctx: RequestContext, head: ObjectHead): S3Error {
  const error = new S3Error(
    "MethodNotAllowed",
    "The specified method is not allowed against this resource.",
    { Method: ctx.request.method, ResourceType: "DeleteMarker" },
  );
  error.headers["x-amz-delete-marker"] = "true";
  error.headers["x-amz-version-id"] = head.versionId;
  error.headers["last-modified"] = new Date(head.lastModifiedMs).toUTCString();
  return error;
}

/**
 * Marks a NoSuchKey of a versioned bucket whose latest version is a delete marker, as S3 does
 * (`x-amz-delete-marker: true` and its version id), then rethrows it.
 */
export async function markDeletedKey(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
  error: unknown,
): Promise<never> {
  const missing = (error instanceof S3Error && error.code === "NoSuchKey") ||
    (isStoreError(error) && error.kind === "object_not_found");
  if (!missing || bucket.versioning === "Unversioned") throw error;
  const latest = await ctx.services.objects.versions.latestVersion(bucket.name, key);
  if (latest?.deleteMarker !== true) throw error;
  const marked = error instanceof S3Error
    ? error
    : new S3Error("NoSuchKey", "The specified key does not exist.", { Key: key });
  marked.headers["x-amz-delete-marker"] = "true";
  marked.headers["x-amz-version-id"] = latest.versionId;
  throw marked;
}

const BUCKET_CHECKED = { bucketChecked: true } as const;

function headIfReadable(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
  decision: PolicyDecision,
): ObjectHead | Promise<ObjectHead> {
  let found: ObjectHead | Promise<ObjectHead>;
  try {
    found = ctx.services.objects.head(bucket.name, key, BUCKET_CHECKED);
  } catch (error) {
    return hideMissingKey(ctx, bucket, error);
  }
  const checked = (head: ObjectHead) => {
    checkObjectRead(ctx, bucket, head, decision);
    return head;
  };
  return found instanceof Promise
    ? found.then(checked, (error) => hideMissingKey(ctx, bucket, error))
    : checked(found);
}

/** Rethrows `error`, as AccessDenied when it is a missing key or version the caller may not learn of. */
async function hideMissingKey(ctx: RequestContext, bucket: BucketRecord, error: unknown): Promise<never> {
  const missing = isStoreError(error, "object_not_found") || isStoreError(error, "version_not_found");
  const hidden = missing && !await bucketPermits(ctx, bucket, "list", "s3:ListBucket");
  throw hidden ? new S3Error("AccessDenied", "Access Denied") : error;
}
