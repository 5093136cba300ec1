/**
 * The read check every path that reads an object's bytes goes through (GetObject, HeadObject, the source
 * of CopyObject and UploadPartCopy): the bucket policy first, then the head, then owner and ACL.
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
 * Version `versionId` of `key` if the caller may read it. A delete marker answers 405 MethodNotAllowed with
 * `x-amz-delete-marker: true`, as S3 does for a GET or HEAD naming one.
 */
export async function readableVersion(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
  versionId: string,
): Promise<ObjectHead> {
  const decision = await objectReadPolicy(ctx, bucket, key);
  let head: ObjectHead;
  try {
    head = await ctx.services.objects.versions.version(bucket.name, key, versionId);
  } catch (error) {
    return await hideMissingKey(ctx, bucket, error);
  }
  if (head.deleteMarker === true) {
    checkObjectRead(ctx, bucket, head, decision);
    const error = new S3Error(
      "MethodNotAllowed",
      "The specified method is not allowed against this resource.",
      {
        Method: ctx.request.method,
        ResourceType: "DeleteMarker",
      },
    );
    error.headers["x-amz-delete-marker"] = "true";
    error.headers["x-amz-version-id"] = head.versionId;
    error.headers["last-modified"] = new Date(head.lastModifiedMs).toUTCString();
    throw error;
  }
  checkObjectRead(ctx, bucket, head, decision);
  return head;
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

/** Rethrows `error`, as AccessDenied when it is a missing key the caller may not learn of. */
async function hideMissingKey(ctx: RequestContext, bucket: BucketRecord, error: unknown): Promise<never> {
  const hidden = isStoreError(error) && error.kind === "object_not_found" &&
    !await bucketPermits(ctx, bucket, "list", "s3:ListBucket");
  throw hidden ? new S3Error("AccessDenied", "Access Denied") : error;
}
