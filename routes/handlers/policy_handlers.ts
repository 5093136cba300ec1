/** Handlers of Put/Get/DeleteBucketPolicy (owner only; the policy itself never governs them). */
import { authorizeBucket } from "../access_control.ts";
import { MAX_POLICY_BYTES, parseBucketPolicy } from "../policy/mod.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { readVerifiedText } from "./request_xml.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

const POLICY_BODY_LIMIT = {
  maxBytes: MAX_POLICY_BYTES,
  tooLarge: () => new S3Error("MalformedPolicy", `Policies must be at most ${MAX_POLICY_BYTES} bytes`),
};

/** PutBucketPolicy: validates the JSON document (MalformedPolicy, nothing stored) and stores it as sent. */
export async function putBucketPolicy(ctx: Op<"PutBucketPolicy">): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:PutBucketPolicy");
  const document = await readVerifiedText(ctx, POLICY_BODY_LIMIT);
  parseBucketPolicy(document, bucket);
  await ctx.services.buckets.putPolicy(bucket, document);
  return new Response(null, { status: 204 });
}

/** GetBucketPolicy: the stored JSON document; NoSuchBucketPolicy when the bucket has none. */
export async function getBucketPolicy(ctx: Op<"GetBucketPolicy">): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:GetBucketPolicy");
  const policy = await ctx.services.buckets.getPolicy(bucket);
  if (policy === null) {
    throw new S3Error("NoSuchBucketPolicy", "The bucket policy does not exist", { BucketName: bucket });
  }
  return new Response(policy.document, { status: 200, headers: { "content-type": "application/json" } });
}

/** DeleteBucketPolicy: 204 whether or not the bucket had a policy. */
export async function deleteBucketPolicy(ctx: Op<"DeleteBucketPolicy">): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:DeleteBucketPolicy");
  await ctx.services.buckets.deletePolicy(bucket);
  return new Response(null, { status: 204 });
}
