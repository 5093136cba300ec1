/** Handlers of bucket operations: ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation. */
import type { BucketRecord } from "../../storage/mod.ts";
import { BucketExistsError } from "../../tiers/mod.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { isoTimestamp } from "../object_headers.ts";
import { renderXml, S3_XMLNS } from "../xml.ts";
import { readXmlBody } from "./request_xml.ts";
import { authorizeBucket, requireCaller } from "../access_control.ts";
import { cannedAclFrom } from "../acl_xml.ts";
import { xmlResponse } from "./responses.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** ListBuckets: the caller's buckets with owner ID and display name. */
export async function listBuckets(ctx: Op<"ListBuckets">): Promise<Response> {
  const caller = requireCaller(ctx);
  const buckets = await ctx.services.buckets.list(caller.id);
  return xmlResponse(renderXml("ListAllMyBucketsResult", {
    "@_xmlns": S3_XMLNS,
    Owner: { ID: caller.id, DisplayName: caller.displayName },
    Buckets: {
      Bucket: buckets.map((bucket) => ({ Name: bucket.name, CreationDate: isoTimestamp(bucket.createdMs) })),
    },
  }));
}

/** CreateBucket, with an optional CreateBucketConfiguration naming this gateway's region. */
export async function createBucket(ctx: Op<"CreateBucket">): Promise<Response> {
  const { bucket } = ctx.operation;
  const caller = requireCaller(ctx);
  await checkLocationConstraint(ctx);
  try {
    await ctx.services.buckets.create(bucket, caller.id, cannedAclFrom(ctx.request.headers));
  } catch (error) {
    if (error instanceof BucketExistsError) {
      const ownedByCaller = error.ownerId === caller.id;
      throw new S3Error(
        ownedByCaller ? "BucketAlreadyOwnedByYou" : "BucketAlreadyExists",
        ownedByCaller
          ? "Your previous request to create the named bucket succeeded and you already own it."
          : "The requested bucket name is not available.",
        { BucketName: bucket },
      );
    }
    throw error;
  }
  return new Response(null, { status: 200, headers: { location: `/${bucket}` } });
}

async function checkLocationConstraint(ctx: Op<"CreateBucket">): Promise<void> {
  const config = await readXmlBody(ctx, "CreateBucketConfiguration");
  const constraint = config?.LocationConstraint;
  if (constraint === undefined || constraint === "") return;
  if (typeof constraint !== "string" || constraint !== ctx.services.region) {
    throw new S3Error(
      "IllegalLocationConstraintException",
      `The ${String(constraint)} location constraint is incompatible with the region this endpoint serves ` +
        `(${ctx.services.region}).`,
    );
  }
}

/** DeleteBucket: only an empty bucket (BucketNotEmpty otherwise). */
export async function deleteBucket(ctx: Op<"DeleteBucket">): Promise<Response> {
  await ownedBucket(ctx, ctx.operation.bucket, "s3:DeleteBucket");
  await ctx.services.buckets.delete(ctx.operation.bucket);
  return new Response(null, { status: 204 });
}

/** HeadBucket: 200 with the bucket's region, 404 when missing. */
export async function headBucket(ctx: Op<"HeadBucket">): Promise<Response> {
  const bucket = await ownedBucket(ctx, ctx.operation.bucket, "s3:ListBucket");
  return new Response(null, { status: 200, headers: { "x-amz-bucket-region": bucket.region } });
}

/** GetBucketLocation: empty for us-east-1, as S3 answers. */
export async function getBucketLocation(ctx: Op<"GetBucketLocation">): Promise<Response> {
  const bucket = await ownedBucket(ctx, ctx.operation.bucket, "s3:GetBucketLocation");
  const region = bucket.region === "us-east-1" ? "" : bucket.region;
  return xmlResponse(renderXml("LocationConstraint", { "@_xmlns": S3_XMLNS, "#text": region }));
}

/** The bucket, if it exists and the caller owns it or its policy allows `action` (AccessDenied otherwise). */
export async function ownedBucket(ctx: RequestContext, name: string, action: string): Promise<BucketRecord> {
  return await authorizeBucket(ctx, name, "owner", action);
}
