/** Handlers of single-object operations: PutObject, GetObject (streamed, ranged), HeadObject, DeleteObject. */
import { MAX_PUT_OBJECT_BYTES } from "../../storage/mod.ts";
import { verifiedBody } from "../auth/mod.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { objectAttributesFrom, objectResponseHeaders } from "../object_headers.ts";
import { parseRangeHeader } from "../range_header.ts";
import { ownedBucket } from "./bucket_handlers.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** PutObject: streams the verified body into the store; answers with the ETag once durable. */
export async function putObject(ctx: Op<"PutObject">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  rejectCopySource(ctx.request);
  const attributes = objectAttributesFrom(ctx.request.headers);
  const { body, sizeBytes } = bodyWithLength(ctx, MAX_PUT_OBJECT_BYTES);
  await ownedBucket(ctx, bucket);
  const head = await ctx.services.objects.put({ bucket, key, sizeBytes, body, ...attributes });
  return new Response(null, { status: 200, headers: { etag: `"${head.etag}"` } });
}

/** GetObject: the object's bytes (or one range of them), verified as they stream. */
export async function getObject(ctx: Op<"GetObject">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  await ownedBucket(ctx, bucket);
  const head = await ctx.services.objects.head(bucket, key);
  const range = parseRangeHeader(ctx.request.headers.get("range"), head.sizeBytes);
  const headers = objectResponseHeaders(head);
  const stream = await ctx.services.objects.open(head, range ?? undefined);
  const body = await startedStream(stream);
  if (range === null) {
    headers.set("content-length", String(head.sizeBytes));
    return new Response(body, { status: 200, headers });
  }
  headers.set("content-length", String(range.end - range.start + 1));
  headers.set("content-range", `bytes ${range.start}-${range.end}/${head.sizeBytes}`);
  return new Response(body, { status: 206, headers });
}

/** HeadObject: the same headers as GetObject, without a body. */
export async function headObject(ctx: Op<"HeadObject">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  await ownedBucket(ctx, bucket);
  const head = await ctx.services.objects.head(bucket, key);
  const headers = objectResponseHeaders(head);
  headers.set("content-length", String(head.sizeBytes));
  return new Response(null, { status: 200, headers });
}

/** DeleteObject: 204 whether or not the key existed. */
export async function deleteObject(ctx: Op<"DeleteObject">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  await ownedBucket(ctx, bucket);
  await ctx.services.objects.delete(bucket, key);
  return new Response(null, { status: 204 });
}

/**
 * CopyObject and UploadPartCopy arrive as PUTs with `x-amz-copy-source`; until they are implemented
 * they must be refused, never stored as an empty object.
 */
export function rejectCopySource(request: Request): void {
  if (request.headers.has("x-amz-copy-source")) {
    throw new S3Error("NotImplemented", "Copying objects (x-amz-copy-source) is not implemented yet");
  }
}

/** The verified request body and its declared length (`MissingContentLength` without one). */
export function bodyWithLength(
  ctx: RequestContext,
  maxBytes: number,
): { body: ReadableStream<Uint8Array>; sizeBytes: number } {
  const verified = verifiedBody(ctx.request, ctx.auth);
  if (verified.decodedLength === null) {
    throw new S3Error("MissingContentLength", "You must provide the Content-Length HTTP header.");
  }
  if (verified.decodedLength > maxBytes) {
    verified.body.cancel().catch(() => {});
    throw new S3Error(
      "EntityTooLarge",
      `Your proposed upload of ${verified.decodedLength} bytes exceeds the maximum allowed size of ${maxBytes}`,
      { ProposedSize: String(verified.decodedLength), MaxSizeAllowed: String(maxBytes) },
    );
  }
  return { body: verified.body, sizeBytes: verified.decodedLength };
}

/**
 * Reads the first chunk before the response starts, so a read that fails outright (too few shards)
 * becomes an S3 error status rather than a truncated 200.
 */
async function startedStream(stream: ReadableStream<Uint8Array>): Promise<ReadableStream<Uint8Array>> {
  const reader = stream.getReader();
  const first = await reader.read();
  let firstPending = !first.done;
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      if (firstPending) {
        firstPending = false;
        controller.enqueue(first.value!);
        return;
      }
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
