/**
 * Handlers of single-object operations: PutObject, GetObject (streamed; Range, partNumber, conditional
 * requests, response-* overrides), HeadObject (the same status and headers as GetObject), DeleteObject.
 */
import {
  MAX_PUT_OBJECT_BYTES,
  type ObjectHead,
  type StoredChecksum,
  type StoredChecksumAlgorithm,
} from "../../storage/mod.ts";
import type { ByteRange, DeleteOutcome, WriteCondition } from "../../tiers/mod.ts";
import { verifiedBody } from "../auth/mod.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import {
  notModifiedHeaders,
  objectAttributesFrom,
  objectResponseHeaders,
  type ResponseHeaderMap,
  responseWithHeaders,
} from "../object_headers.ts";
import { evaluatePreconditions, ifRangeMatches } from "../preconditions.ts";
import { parsePartNumber, parseRangeHeader, partNumberNotSatisfiable } from "../range_header.ts";
import { applyResponseOverrides, parseResponseOverrides } from "../response_overrides.ts";
import { parseWriteCondition } from "../write_conditions.ts";
import { checksumHeaders, checksumModeEnabled, storedChecksum } from "../object_checksums.ts";
import { authorizeBucket } from "../access_control.ts";
import { parseCopySource } from "../copy_source.ts";
import { markDeletedKey, readableObjectHead, readableVersion } from "../readable_head.ts";
import { expirationHeader } from "../expiration_header.ts";
import { readableData, restoreHeader } from "../object_state.ts";
import { copyObject } from "./copy_handlers.ts";
import { cannedAclFrom } from "../acl_xml.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/**
 * PutObject: streams the verified body into the store; answers with the ETag once durable. A PUT with
 * `x-amz-copy-source` is CopyObject.
 */
export async function putObject(ctx: Op<"PutObject">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  const copySource = parseCopySource(ctx.request.headers);
  if (copySource !== null) return await copyObject(ctx, copySource);
  const attributes = {
    ...objectAttributesFrom(ctx.request.headers),
    acl: cannedAclFrom(ctx.request.headers),
  };
  const condition = parseWriteCondition(ctx.request.headers, "put");
  const { body, sizeBytes, checksum } = bodyWithLength(ctx, MAX_PUT_OBJECT_BYTES);
  await authorizeBucket(ctx, bucket, "write", "s3:PutObject", key);
  const head = await ctx.services.objects.put({
    bucket,
    key,
    sizeBytes,
    body,
    condition,
    checksum,
    ...attributes,
  });
  const response = new Response(null, { status: 200, headers: { etag: `"${head.etag}"` } });
  await setWriteHeaders(ctx, bucket, response.headers, head);
  if (head.checksum !== undefined) {
    for (const [name, value] of checksumHeaders(head.checksum)) response.headers.set(name, value);
  }
  return response;
}

/** GetObject: the object's bytes (or one range or part of them), verified as they stream. */
export async function getObject(ctx: Op<"GetObject">): Promise<Response> {
  const reply = await objectReply(ctx, "GET");
  if (reply.bytes === "none") return responseWithHeaders(null, reply.status, reply.headers);
  const range = reply.bytes === "whole" ? undefined : reply.bytes;
  const opened = ctx.services.objects.open(reply.data, range);
  const body = opened instanceof Uint8Array ? opened : await opened;
  // Bytes from the edge tier go out as they are; streams from storage start before the status is sent.
  const payload = body instanceof Uint8Array ? body : await startedStream(body);
  ctx.services.access.noteRead(reply.head.dataId, ctx.services.nowMs()); // a map set, flushed later
  return responseWithHeaders(payload, reply.status, reply.headers);
}

/** HeadObject: exactly GetObject's status and headers (range, part, preconditions), without a body. */
export async function headObject(ctx: Op<"HeadObject">): Promise<Response> {
  const reply = await objectReply(ctx, "HEAD");
  return responseWithHeaders(null, reply.status, reply.headers);
}

/**
 * Deletes `bucket/key` (or one version of it, for good) once the caller may: `s3:DeleteObject`, or
 * `s3:DeleteObjectVersion` for a version. Shared by DeleteObject and DeleteObjects.
 */
export async function authorizedDelete(
  ctx: RequestContext,
  bucket: string,
  key: string,
  condition: WriteCondition,
  versionId: string | undefined,
): Promise<DeleteOutcome> {
  const action = versionId === undefined ? "s3:DeleteObject" : "s3:DeleteObjectVersion";
  await authorizeBucket(ctx, bucket, "write", action, key);
  return await ctx.services.objects.delete(bucket, key, condition, versionId);
}

/** DeleteObject: 204 whether or not the key existed (unless `If-Match` asks that it exists). */
export async function deleteObject(ctx: Op<"DeleteObject">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  const condition = parseWriteCondition(ctx.request.headers, "delete");
  const versionId = ctx.params.get("versionId") ?? undefined;
  const outcome = await authorizedDelete(ctx, bucket, key, condition, versionId);
  const response = new Response(null, { status: 204 });
  if (outcome.versionId !== null) response.headers.set("x-amz-version-id", outcome.versionId);
  if (outcome.deleteMarker) response.headers.set("x-amz-delete-marker", "true");
  return response;
}

/**
 * Headers of the answer to a write of `head`: `x-amz-version-id` in a bucket that has (or had) versioning
 * enabled, and `x-amz-expiration` when a lifecycle rule will expire the new version.
 */
export async function setWriteHeaders(
  ctx: RequestContext,
  bucket: string,
  headers: Headers,
  head: ObjectHead,
): Promise<void> {
  const record = await ctx.services.buckets.get(bucket);
  if (record.versioning !== "Unversioned") headers.set("x-amz-version-id", head.versionId);
  const expiration = await expirationHeader(ctx, record, head, true);
  if (expiration !== null) headers.set("x-amz-expiration", expiration);
}

/**
 * The verified request body, its declared length (`MissingContentLength` without one) and the flexible
 * checksum it carried (to ask for once the body has been read to its end).
 */
export function bodyWithLength(
  ctx: RequestContext,
  maxBytes: number,
): {
  body: ReadableStream<Uint8Array>;
  sizeBytes: number;
  checksum: () => StoredChecksum | undefined;
  checksumAlgorithm: StoredChecksumAlgorithm | null;
} {
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
  return {
    body: verified.body,
    sizeBytes: verified.decodedLength,
    checksum: () => storedChecksum(verified.checksum()),
    checksumAlgorithm: verified.checksumAlgorithm,
  };
}

/** What GET and HEAD answer, decided from the head alone: no byte of the object is read here. */
interface ObjectReply {
  readonly head: ObjectHead;
  readonly status: 200 | 206 | 304;
  readonly headers: ResponseHeaderMap;
  /** The bytes GET streams: the whole object, one range, or none (304, or an empty part). */
  readonly bytes: "whole" | ByteRange | "none";
  /** Where those bytes are read from: the head itself, or the restored copy of an archived object. */
  readonly data: ObjectHead;
}

/**
 * Parses the request (response-* overrides, Range, partNumber), checks the caller may read the
 * object, then evaluates the preconditions against the head (RFC 9110 §13.2.2) BEFORE choosing bytes,
 * so a 304 or 412 never opens the data, and finally resolves the range: `partNumber`, or `Range` when
 * `If-Range` holds.
 */
async function objectReply(
  ctx: Op<"GetObject" | "HeadObject">,
  method: "GET" | "HEAD",
): Promise<ObjectReply> {
  const { bucket, key } = ctx.operation;
  const requestHeaders = ctx.request.headers;
  const overrides = parseResponseOverrides(ctx.params, ctx.auth.method);
  const rangeHeader = requestHeaders.get("range");
  const partNumber = parsePartNumber(ctx.params, rangeHeader);
  // The bucket and head are usually cached: take them without a microtask turn when they are.
  const bucketFound = ctx.services.buckets.get(bucket);
  const bucketRecord = bucketFound instanceof Promise ? await bucketFound : bucketFound;
  const versionId = ctx.params.size === 0 ? null : ctx.params.get("versionId");
  let head: ObjectHead;
  if (versionId !== null) {
    head = await readableVersion(ctx, bucketRecord, key, versionId);
  } else if (bucketRecord.versioning === "Unversioned") {
    const headFound = readableObjectHead(ctx, bucketRecord, key);
    head = headFound instanceof Promise ? await headFound : headFound;
  } else {
    try {
      head = await readableObjectHead(ctx, bucketRecord, key);
    } catch (error) {
      return await markDeletedKey(ctx, bucketRecord, key, error);
    }
  }
  const data = method === "GET" ? readableData(ctx, head) : head;
  const headers = objectResponseHeaders(head);
  const restore = restoreHeader(head);
  if (restore !== null) headers.set("x-amz-restore", restore);
  if (bucketRecord.versioning !== "Unversioned") headers.set("x-amz-version-id", head.versionId);
  // Responses of a bucket with CORS rules differ by Origin: a CDN must not serve one origin's to another.
  if (bucketRecord.cors.length > 0) headers.set("vary", "Origin");
  const expirationFound = expirationHeader(ctx, bucketRecord, head, versionId === null);
  const expiration = expirationFound instanceof Promise ? await expirationFound : expirationFound;
  if (expiration !== null) headers.set("x-amz-expiration", expiration);
  applyResponseOverrides(headers, overrides);
  const validators = { etag: head.etag, lastModifiedMs: head.lastModifiedMs };
  const outcome = evaluatePreconditions(method, requestHeaders, validators);
  if (outcome.kind === "failed") {
    throw new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", {
      Condition: outcome.condition,
    });
  }
  if (outcome.kind === "not-modified") {
    return { head, status: 304, headers: notModifiedHeaders(headers), bytes: "none", data };
  }
  let range: ByteRange | null = null;
  if (partNumber !== null) {
    range = await ctx.services.objects.partRange(head, partNumber);
    if (range === null) throw partNumberNotSatisfiable(partNumber, head.partCount ?? 1);
    if (head.partCount !== undefined) headers.set("x-amz-mp-parts-count", String(head.partCount));
  } else if (ifRangeMatches(requestHeaders.get("if-range"), validators, ctx.services.nowMs())) {
    range = parseRangeHeader(rangeHeader, head.sizeBytes);
  }
  if (range === null) {
    headers.set("content-length", String(head.sizeBytes));
    // The stored checksum describes the whole object: shown for whole-object answers only.
    if (head.checksum !== undefined && checksumModeEnabled(requestHeaders)) {
      for (const [name, value] of checksumHeaders(head.checksum)) headers.set(name, value);
    }
    return { head, status: 200, headers, bytes: "whole", data };
  }
  const lengthBytes = range.end - range.start + 1;
  headers.set("content-length", String(lengthBytes));
  // An empty part (an empty object's part 1) has no byte to name in a Content-Range.
  if (lengthBytes === 0) return { head, status: 200, headers, bytes: "none", data };
  headers.set("content-range", `bytes ${range.start}-${range.end}/${head.sizeBytes}`);
  return { head, status: 206, headers, bytes: range, data };
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
