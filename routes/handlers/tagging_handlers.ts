/**
 * Object and bucket tagging: Get/Put/DeleteObjectTagging and Get/Put/DeleteBucketTagging. Tags belong to
 * the bucket owner (or whoever a bucket policy grants the tagging actions); ACLs never grant them, as in S3.
 */
import { authorizeBucket } from "../access_control.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { MAX_BUCKET_TAGS, MAX_OBJECT_TAGS, renderTagging, tagsFromDocument } from "../tagging.ts";
import { readXmlBody } from "./request_xml.ts";
import { xmlResponse } from "./responses.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** GetObjectTagging: the object's tag set (empty when untagged). */
export async function getObjectTagging(ctx: Op<"GetObjectTagging">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:GetObjectTagging", key);
  const head = await ctx.services.objects.head(bucket, key);
  return xmlResponse(renderTagging(head.tags));
}

/** PutObjectTagging: replaces the object's whole tag set. */
export async function putObjectTagging(ctx: Op<"PutObjectTagging">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:PutObjectTagging", key);
  const tags = tagsFromDocument(await taggingDocument(ctx), MAX_OBJECT_TAGS);
  await ctx.services.objects.setTags(bucket, key, tags);
  return new Response(null, { status: 200 });
}

/** DeleteObjectTagging: removes every tag of the object (204). */
export async function deleteObjectTagging(ctx: Op<"DeleteObjectTagging">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:DeleteObjectTagging", key);
  await ctx.services.objects.setTags(bucket, key, []);
  return new Response(null, { status: 204 });
}

/** GetBucketTagging: the bucket's tag set; `NoSuchTagSet` when it has none. */
export async function getBucketTagging(ctx: Op<"GetBucketTagging">): Promise<Response> {
  const bucket = await authorizeBucket(ctx, ctx.operation.bucket, "owner", "s3:GetBucketTagging");
  if (bucket.tags.length === 0) {
    throw new S3Error("NoSuchTagSet", "The TagSet does not exist", { BucketName: bucket.name });
  }
  return xmlResponse(renderTagging(bucket.tags));
}

/** PutBucketTagging: replaces the bucket's whole tag set (204, as S3 answers). */
export async function putBucketTagging(ctx: Op<"PutBucketTagging">): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:PutBucketTagging");
  const tags = tagsFromDocument(await taggingDocument(ctx), MAX_BUCKET_TAGS);
  await ctx.services.buckets.setTags(bucket, tags);
  return new Response(null, { status: 204 });
}

/** DeleteBucketTagging: removes every tag of the bucket (204; S3 governs it by s3:PutBucketTagging). */
export async function deleteBucketTagging(ctx: Op<"DeleteBucketTagging">): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:PutBucketTagging");
  await ctx.services.buckets.setTags(bucket, []);
  return new Response(null, { status: 204 });
}

async function taggingDocument(ctx: RequestContext): Promise<Record<string, unknown>> {
  const root = await readXmlBody(ctx, "Tagging");
  if (root === null) throw new S3Error("MalformedXML", "The request needs a <Tagging> document");
  return root;
}
