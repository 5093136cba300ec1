/**
 * CopyObject and UploadPartCopy: PUTs that carry `x-amz-copy-source`. The caller must be allowed to write
 * the destination and to read the source (as a GET would be); the source's conditions are checked against
 * its head before any byte moves, and the bytes then stream through the same verified, erasure-coded
 * write path as an upload.
 */
import {
  isStoreError,
  MAX_PART_BYTES,
  MAX_PUT_OBJECT_BYTES,
  type ObjectHead,
  toBase64,
} from "../../storage/mod.ts";
import { type ObjectAttributes, tierOfStorageClass } from "../../tiers/mod.ts";
import { authorizeBucket } from "../access_control.ts";
import { cannedAclFrom } from "../acl_xml.ts";
import { checkCopySourceConditions, type CopySource, parseCopySourceRange } from "../copy_source.ts";
import { isoTimestamp, objectAttributesFrom } from "../object_headers.ts";
import { readableObjectHead, readableVersion } from "../readable_head.ts";
import { readableData } from "../object_state.ts";
import { checksumElement, checksummedStream } from "../object_checksums.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { parseWriteCondition } from "../write_conditions.ts";
import { renderXml, S3_XMLNS } from "../xml.ts";
import { xmlResponse } from "./responses.ts";
import { setWriteHeaders } from "./object_handlers.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/**
 * CopyObject: `x-amz-metadata-directive` COPY (default: content type, user metadata and stored headers come
 * from the source) or REPLACE (they come from this request), and likewise `x-amz-tagging-directive` for the
 * tags (`x-amz-tagging`). The storage class and the canned ACL always come from this request, as in S3.
 * Copying an object onto itself (its current version) needs REPLACE (or a storage class); an older version
 * copied onto its own key is a restore, which needs neither.
 */
export async function copyObject(ctx: Op<"PutObject">, source: CopySource): Promise<Response> {
  const { bucket, key } = ctx.operation;
  const headers = ctx.request.headers;
  const metadataDirective = directive(headers, "x-amz-metadata-directive");
  const taggingDirective = directive(headers, "x-amz-tagging-directive");
  const requested = objectAttributesFrom(headers);
  const acl = cannedAclFrom(headers);
  const condition = parseWriteCondition(headers, "put");
  await authorizeBucket(ctx, bucket, "write", "s3:PutObject", key);
  const sourceHead = await readableSource(ctx, source);
  if (sourceHead.sizeBytes > MAX_PUT_OBJECT_BYTES) {
    throw new S3Error(
      "InvalidRequest",
      `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PUT_OBJECT_BYTES}`,
    );
  }
  const ontoItself = await copiesOntoItself(ctx, source, bucket, key);
  if (ontoItself && metadataDirective === "COPY" && !headers.has("x-amz-storage-class")) {
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the " +
        "object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const attributes: ObjectAttributes = {
    ...(metadataDirective === "REPLACE" ? requested : {
      contentType: sourceHead.contentType,
      userMetadata: sourceHead.userMetadata,
      headers: sourceHead.headers,
      storageClass: requested.storageClass,
    }),
    tags: taggingDirective === "REPLACE" ? requested.tags : sourceHead.tags,
  };
  // A copy onto itself that stays in its tier keeps the data: it must name the version's own data, not the
  // restored copy an archived source is read from.
  const keepsData = ontoItself &&
    tierOfStorageClass(sourceHead.storageClass) === tierOfStorageClass(attributes.storageClass);
  const copied = await ctx.services.objects.copy({
    ...attributes,
    acl,
    bucket,
    key,
    sourceBucket: source.bucket,
    source: keepsData ? await originalHead(ctx, source, sourceHead) : sourceHead,
    condition,
  });
  const response = xmlResponse(renderXml("CopyObjectResult", {
    "@_xmlns": S3_XMLNS,
    ETag: `"${copied.etag}"`,
    LastModified: isoTimestamp(copied.lastModifiedMs),
  }));
  await setWriteHeaders(ctx, bucket, response.headers, copied);
  if ((await ctx.services.buckets.get(source.bucket)).versioning !== "Unversioned") {
    response.headers.set("x-amz-copy-source-version-id", sourceHead.versionId);
  }
  return response;
}

/**
 * UploadPartCopy: a part made of the source's bytes, or of `x-amz-copy-source-range` of them; with the
 * upload's checksum algorithm (if it names one) computed over them, as S3 does.
 */
export async function uploadPartCopy(ctx: Op<"UploadPart">, source: CopySource): Promise<Response> {
  const { bucket, key, uploadId, partNumber } = ctx.operation;
  await authorizeBucket(ctx, bucket, "write", "s3:PutObject", key);
  const algorithm = (await ctx.services.multipart.upload(bucket, key, uploadId)).checksumAlgorithm;
  const sourceHead = await readableSource(ctx, source);
  const range = parseCopySourceRange(ctx.request.headers, sourceHead.sizeBytes);
  const sizeBytes = range === null ? sourceHead.sizeBytes : range.end - range.start + 1;
  if (sizeBytes > MAX_PART_BYTES) {
    throw new S3Error(
      "InvalidRequest",
      `The specified copy range is larger than the maximum allowable size for a part: ${MAX_PART_BYTES}`,
    );
  }
  const sourceBytes = await ctx.services.objects.readStream(sourceHead, range ?? undefined);
  // An upload that names a checksum algorithm gets each copied part's checksum, computed as it streams.
  const running = algorithm === undefined ? null : checksummedStream(sourceBytes, algorithm);
  const body = running?.body ?? sourceBytes;
  try {
    const part = await ctx.services.multipart.uploadPart(
      { bucket, key, uploadId, partNumber },
      sizeBytes,
      body,
      running === null ? undefined : () => toBase64(running.digest()),
    );
    return xmlResponse(renderXml("CopyPartResult", {
      "@_xmlns": S3_XMLNS,
      ETag: `"${part.etag}"`,
      LastModified: isoTimestamp(part.lastModifiedMs),
      ...(part.checksum === undefined || algorithm === undefined
        ? {}
        : { [checksumElement(algorithm)]: part.checksum }),
    }));
  } catch (error) {
    await body.cancel().catch(() => {});
    throw error;
  }
}

/**
 * True when the copy reads the version it would replace: same bucket and key, and no source version id or
 * the id of the current version (a delete marker or no current version: false).
 */
async function copiesOntoItself(
  ctx: RequestContext,
  source: CopySource,
  bucket: string,
  key: string,
): Promise<boolean> {
  if (source.bucket !== bucket || source.key !== key) return false;
  if (source.versionId === null) return true;
  try {
    return (await ctx.services.objects.head(bucket, key)).versionId === source.versionId;
  } catch (error) {
    if (isStoreError(error, "object_not_found")) return false;
    throw error;
  }
}

/** The version's own head when `read` is the view of its restored copy (same version id, other data). */
async function originalHead(ctx: RequestContext, source: CopySource, read: ObjectHead): Promise<ObjectHead> {
  if (read.restore === undefined) return read;
  const current = await ctx.services.objects.head(source.bucket, source.key);
  return current.versionId === read.versionId ? current : read;
}

/** The source's head if the caller may read it and the copy-source conditions hold. */
async function readableSource(ctx: RequestContext, source: CopySource): Promise<ObjectHead> {
  const bucket = await ctx.services.buckets.get(source.bucket);
  let head: ObjectHead;
  if (source.versionId === null) head = await readableObjectHead(ctx, bucket, source.key);
  else {
    try {
      head = await readableVersion(ctx, bucket, source.key, source.versionId);
    } catch (error) {
      if (error instanceof S3Error && error.code === "MethodNotAllowed") {
        throw new S3Error(
          "InvalidRequest",
          "The source of a copy request may not specifically refer to a delete marker by version id.",
        );
      }
      throw error;
    }
  }
  checkCopySourceConditions(ctx.request.headers, { etag: head.etag, lastModifiedMs: head.lastModifiedMs });
  // An archived source is copied from its restored copy (or refused with InvalidObjectState).
  return readableData(ctx, head);
}

/** A COPY/REPLACE directive header (COPY when absent); anything else is InvalidArgument. */
function directive(headers: Headers, name: string): "COPY" | "REPLACE" {
  const value = headers.get(name);
  if (value === null) return "COPY";
  if (value === "COPY" || value === "REPLACE") return value;
  throw new S3Error(
    "InvalidArgument",
    `Unknown ${name} value ${JSON.stringify(value)}; expected COPY or REPLACE`,
    {
      ArgumentName: name,
      ArgumentValue: value,
    },
  );
}
