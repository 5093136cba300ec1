/** Handlers of Get/Put Bucket and Object ACL, with canned ACLs (`x-amz-acl`). */
import { cannedAclFrom, renderAccessControlPolicy } from "../acl_xml.ts";
import { authorizeBucket } from "../access_control.ts";
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

/** GetObjectAcl (bucket owner only). */
export async function getObjectAcl(ctx: Op<"GetObjectAcl">): Promise<Response> {
  const bucket = await authorizeBucket(
    ctx,
    ctx.operation.bucket,
    "owner",
    "s3:GetObjectAcl",
    ctx.operation.key,
  );
  const head = await ctx.services.objects.head(ctx.operation.bucket, ctx.operation.key);
  return xmlResponse(renderAccessControlPolicy(bucket.ownerId, displayNameOf(ctx, bucket.ownerId), head.acl));
}

/** PutObjectAcl with `x-amz-acl` (bucket owner only). */
export async function putObjectAcl(ctx: Op<"PutObjectAcl">): Promise<Response> {
  await authorizeBucket(ctx, ctx.operation.bucket, "owner", "s3:PutObjectAcl", ctx.operation.key);
  const acl = await cannedAclOfAclRequest(ctx);
  await ctx.services.objects.setAcl(ctx.operation.bucket, ctx.operation.key, acl);
  return new Response(null, { status: 200 });
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
