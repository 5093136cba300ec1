/**
 * Object and bucket tagging: Get/Put/DeleteObjectTagging and Get/Put/DeleteBucketTagging. Tags belong to
 * the bucket owner (or whoever a bucket policy grants the tagging actions); ACLs never grant them, as in S3.
 * An object request naming `versionId` acts on that version's record (the version actions of a policy:
 * `s3:GetObjectVersionTagging`, ...); a delete marker has no tags (405 MethodNotAllowed).
 */
import type { TagSet } from "../../storage/mod.ts";
import { authorizeBucket, objectAction } from "../access_control.ts";
import { deleteMarkerError, existingVersion } from "../readable_head.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { MAX_BUCKET_TAGS, MAX_OBJECT_TAGS, renderTagging, tagsFromDocument } from "../tagging.ts";
import { readXmlBody } from "./request_xml.ts";
import { xmlResponse } from "./responses.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** GetObjectTagging: the tag set of the object (of version `versionId` when named; empty when untagged). */
export async function getObjectTagging(ctx: Op<"GetObjectTagging">): Promise<Response> {
  const { bucket, key, versionId } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", objectAction("s3:GetObjectTagging", versionId), key);
  const head = versionId === undefined
    ? await ctx.services.objects.head(bucket, key)
    : await existingVersion(ctx, bucket, key, versionId);
  return withVersionId(xmlResponse(renderTagging(head.tags)), versionId);
}

/** PutObjectTagging: replaces the whole tag set of the object (of version `versionId` when named). */
export async function putObjectTagging(ctx: Op<"PutObjectTagging">): Promise<Response> {
  const { bucket, key, versionId } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", objectAction("s3:PutObjectTagging", versionId), key);
  const tags = tagsFromDocument(await taggingDocument(ctx), MAX_OBJECT_TAGS);
  await setObjectTags(ctx, tags);
  return withVersionId(new Response(null, { status: 200 }), versionId);
}

/** DeleteObjectTagging: removes every tag of the object (of version `versionId` when named; 204). */
export async function deleteObjectTagging(ctx: Op<"DeleteObjectTagging">): Promise<Response> {
  const { bucket, key, versionId } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", objectAction("s3:DeleteObjectTagging", versionId), key);
  await setObjectTags(ctx, []);
  return withVersionId(new Response(null, { status: 204 }), versionId);
}

/** Sets the tags of the current head, or of the named version (never of a delete marker). */
async function setObjectTags(
  ctx: Op<"PutObjectTagging" | "DeleteObjectTagging">,
  tags: TagSet,
): Promise<void> {
  const { bucket, key, versionId } = ctx.operation;
  if (versionId === undefined) return await ctx.services.objects.setTags(bucket, key, tags);
  await ctx.services.objects.versions.updateVersion(bucket, key, versionId, "tags", (head) => {
    if (head.deleteMarker === true) throw deleteMarkerError(ctx, head);
    return { ...head, tags };
  });
}

/** `response` with `x-amz-version-id` when the request named a version, as S3 answers. */
function withVersionId(response: Response, versionId: string | undefined): Response {
  if (versionId !== undefined) response.headers.set("x-amz-version-id", versionId);
  return response;
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
