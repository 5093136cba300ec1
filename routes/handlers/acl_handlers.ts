/** Handlers of Get/Put Bucket and Object ACL, with canned ACLs (`x-amz-acl`). */
import { cannedAclFrom, renderAccessControlPolicy } from "../acl_xml.ts";
import { authorizeBucket, objectAction } from "../access_control.ts";
import { deleteMarkerError, existingVersion } from "../readable_head.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { readVerifiedText } from "./request_xml.ts";
import { xmlResponse } from "./responses.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** The display name of the owner id (only the caller's own is known). */
function displayNameOf(ctx: RequestContext, ownerId: string): string {
  return ctx.owner !== null && ctx.owner.id === ownerId ? ctx.owner.displayName : "";
}

/** GetBucketAcl (owner only). */
export async function getBucketAcl(ctx: Op<"GetBucketAcl">): Promise<Response> {
  const bucket = await authorizeBucket(ctx, ctx.operation.bucket, "owner", "s3:GetBucketAcl");
  return xmlResponse(
    renderAccessControlPolicy(bucket.ownerId, displayNameOf(ctx, bucket.ownerId), bucket.acl),
  );
}

/** PutBucketAcl with `x-amz-acl` (owner only). */
export async function putBucketAcl(ctx: Op<"PutBucketAcl">): Promise<Response> {
  await authorizeBucket(ctx, ctx.operation.bucket, "owner", "s3:PutBucketAcl");
  const acl = await cannedAclOfAclRequest(ctx);
  await ctx.services.buckets.setAcl(ctx.operation.bucket, acl);
  return new Response(null, { status: 200 });
}

/**
 * GetObjectAcl (bucket owner only): the ACL of the current version, or of version `versionId` when named
 * (`s3:GetObjectVersionAcl`; a delete marker, which has no ACL, is 405 MethodNotAllowed).
 */
export async function getObjectAcl(ctx: Op<"GetObjectAcl">): Promise<Response> {
  const { key, versionId } = ctx.operation;
  const action = objectAction("s3:GetObjectAcl", versionId);
  const bucket = await authorizeBucket(ctx, ctx.operation.bucket, "owner", action, key);
  const head = versionId === undefined
    ? await ctx.services.objects.head(bucket.name, key)
    : await existingVersion(ctx, bucket.name, key, versionId);
  const response = xmlResponse(
    renderAccessControlPolicy(bucket.ownerId, displayNameOf(ctx, bucket.ownerId), head.acl),
  );
  if (versionId !== undefined) response.headers.set("x-amz-version-id", head.versionId);
  return response;
}

/** PutObjectAcl with `x-amz-acl` (bucket owner only), of version `versionId` when named (`s3:PutObjectVersionAcl`). */
export async function putObjectAcl(ctx: Op<"PutObjectAcl">): Promise<Response> {
  const { bucket, key, versionId } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", objectAction("s3:PutObjectAcl", versionId), key);
  const acl = await cannedAclOfAclRequest(ctx);
  const response = new Response(null, { status: 200 });
  if (versionId === undefined) {
    await ctx.services.objects.setAcl(bucket, key, acl);
    return response;
  }
  await ctx.services.objects.versions.updateVersion(bucket, key, versionId, "ACL", (head) => {
    if (head.deleteMarker === true) throw deleteMarkerError(ctx, head);
    return { ...head, acl };
  });
  response.headers.set("x-amz-version-id", versionId);
  return response;
}

/** The canned ACL of a Put*Acl request; an AccessControlPolicy body is not supported yet. */
async function cannedAclOfAclRequest(ctx: RequestContext): Promise<ReturnType<typeof cannedAclFrom>> {
  const body = await readVerifiedText(ctx);
  if (body.trim() !== "") {
    throw new S3Error("NotImplemented", "AccessControlPolicy documents are not supported yet; use x-amz-acl");
  }
  if (!ctx.request.headers.has("x-amz-acl")) {
    throw new S3Error("MissingSecurityHeader", "Your request was missing a required header: x-amz-acl");
  }
  return cannedAclFrom(ctx.request.headers);
}
