/**
 * Handlers of Get/Put Bucket and Object ACL. Canned ACLs only: Put*Acl takes `x-amz-acl`, or an
 * AccessControlPolicy body or `x-amz-grant-*` headers whose grants equal one canned ACL (see `acl_xml.ts`).
 */
import type { CannedAcl } from "../../storage/mod.ts";
import {
  cannedAclOfPutAcl,
  malformedAclError,
  MAX_ACL_BODY_BYTES,
  renderAccessControlPolicy,
} from "../acl_xml.ts";
import { authorizeBucket, objectAction } from "../access_control.ts";
import { deleteMarkerError, existingVersion } from "../readable_head.ts";
import type { RequestContext } from "../request_context.ts";
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

/** PutBucketAcl (owner only). */
export async function putBucketAcl(ctx: Op<"PutBucketAcl">): Promise<Response> {
  const bucket = await authorizeBucket(ctx, ctx.operation.bucket, "owner", "s3:PutBucketAcl");
  const acl = await cannedAclOfAclRequest(ctx, bucket.ownerId);
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

/** PutObjectAcl (bucket owner only), of version `versionId` when named (`s3:PutObjectVersionAcl`). */
export async function putObjectAcl(ctx: Op<"PutObjectAcl">): Promise<Response> {
  const { bucket, key, versionId } = ctx.operation;
  const action = objectAction("s3:PutObjectAcl", versionId);
  const record = await authorizeBucket(ctx, bucket, "owner", action, key);
  const acl = await cannedAclOfAclRequest(ctx, record.ownerId);
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

/** The canned ACL a Put*Acl request sets on a resource owned by `ownerId` (its body read and verified). */
async function cannedAclOfAclRequest(ctx: RequestContext, ownerId: string): Promise<CannedAcl> {
  const body = await readVerifiedText(ctx, {
    maxBytes: MAX_ACL_BODY_BYTES,
    tooLarge: () => malformedAclError(`the body exceeds ${MAX_ACL_BODY_BYTES} bytes`),
  });
  return cannedAclOfPutAcl(ctx.request.headers, body, ownerId);
}
