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
