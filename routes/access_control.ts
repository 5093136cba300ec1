/**
 * Who may do what, from canned ACLs (bucket policies come later): the bucket owner may do everything;
 * a bucket ACL of `public-read` lets anyone list it, `public-read-write` also lets anyone write and
 * delete objects, `authenticated-read` lets any signed-in user list it; an object ACL of `public-read`
 * (or `authenticated-read` for signed-in users) lets them read that object. Anonymous requests get
 * exactly what these grants allow and nothing else.
 */
import type { BucketRecord, CannedAcl, ObjectHead } from "../storage/mod.ts";
import type { RequestContext, S3Owner } from "./request_context.ts";
import { S3Error } from "./s3_errors.ts";

/** What a bucket-level request needs. */
export type BucketPermission = "owner" | "list" | "write" | "exists";

/** The bucket, if the caller holds `permission` on it; AccessDenied otherwise. */
export async function authorizeBucket(
  ctx: RequestContext,
  name: string,
  permission: BucketPermission,
): Promise<BucketRecord> {
  const bucket = await ctx.services.buckets.get(name);
  if (!bucketAllows(bucket, ctx.owner, permission)) throw accessDenied();
  return bucket;
}

/** Throws AccessDenied unless the caller may read `head` in `bucket`. */
export function authorizeObjectRead(ctx: RequestContext, bucket: BucketRecord, head: ObjectHead): void {
  if (isOwner(bucket, ctx.owner)) return;
  if (aclGrantsRead(head.acl, ctx.owner)) return;
  throw accessDenied();
}

/** The authenticated caller; AccessDenied for anonymous requests. */
export function requireCaller(ctx: RequestContext): S3Owner {
  if (ctx.owner === null) throw accessDenied();
  return ctx.owner;
}

/** True when `permission` on `bucket` is granted to `caller` (null: anonymous). */
export function bucketAllows(
  bucket: BucketRecord,
  caller: S3Owner | null,
  permission: BucketPermission,
): boolean {
  if (permission === "exists" || isOwner(bucket, caller)) return true;
  switch (permission) {
    case "owner":
      return false;
    case "list":
      return aclGrantsRead(bucket.acl, caller);
    case "write":
      return bucket.acl === "public-read-write";
  }
}

function aclGrantsRead(acl: CannedAcl, caller: S3Owner | null): boolean {
  return acl === "public-read" || acl === "public-read-write" ||
    (acl === "authenticated-read" && caller !== null);
}

function isOwner(bucket: BucketRecord, caller: S3Owner | null): boolean {
  return caller !== null && caller.id === bucket.ownerId;
}

function accessDenied(): S3Error {
  return new S3Error("AccessDenied", "Access Denied");
}
