/**
 * Handlers of Put/GetBucketLifecycleConfiguration and DeleteBucketLifecycle: the bucket owner's (or
 * whoever the bucket policy grants `s3:PutLifecycleConfiguration` / `s3:GetLifecycleConfiguration`, the
 * actions AWS checks for all three).
 */
import { authorizeBucket } from "../access_control.ts";
import { lifecycleFromDocument, renderLifecycleConfiguration } from "../lifecycle_xml.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { readXmlBody } from "./request_xml.ts";
import { xmlResponse } from "./responses.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/**
 * PutBucketLifecycleConfiguration: validates the `<LifecycleConfiguration>` (verified like every XML body:
 * `Content-MD5` and `x-amz-checksum-*` when sent) and replaces the bucket's configuration in one commit;
 * any error leaves the previous one in place. `x-amz-transition-default-minimum-object-size` is ignored.
 */
export async function putBucketLifecycleConfiguration(
  ctx: Op<"PutBucketLifecycleConfiguration">,
): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:PutLifecycleConfiguration");
  const root = await readXmlBody(ctx, "LifecycleConfiguration");
  if (root === null) {
    throw new S3Error("MalformedXML", "The request needs a <LifecycleConfiguration> document");
  }
  await ctx.services.buckets.putLifecycle(bucket, lifecycleFromDocument(root));
  return new Response(null, { status: 200 });
}

/** GetBucketLifecycleConfiguration: the stored rules; `NoSuchLifecycleConfiguration` when there are none. */
export async function getBucketLifecycleConfiguration(
  ctx: Op<"GetBucketLifecycleConfiguration">,
): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:GetLifecycleConfiguration");
  const configuration = await ctx.services.buckets.getLifecycle(bucket);
  if (configuration === null) {
    throw new S3Error("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", {
      BucketName: bucket,
    });
  }
  return xmlResponse(renderLifecycleConfiguration(configuration));
}

/** DeleteBucketLifecycle: 204 whether or not the bucket had a configuration. */
export async function deleteBucketLifecycle(ctx: Op<"DeleteBucketLifecycle">): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:PutLifecycleConfiguration");
  await ctx.services.buckets.deleteLifecycle(bucket);
  return new Response(null, { status: 204 });
}
