/** Handlers of multipart uploads: Create, UploadPart, Complete, Abort, ListParts, ListMultipartUploads. */
import { MAX_PART_BYTES, MAX_PART_NUMBER } from "../../storage/mod.ts";
import type { CompletedPart } from "../../tiers/mod.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { isoTimestamp, objectAttributesFrom } from "../object_headers.ts";
import { renderXml, S3_XMLNS } from "../xml.ts";
import { readXmlBody } from "./request_xml.ts";
import { authorizeBucket, requireCaller } from "../access_control.ts";
import { cannedAclFrom } from "../acl_xml.ts";
import { bodyWithLength, setWriteHeaders } from "./object_handlers.ts";
import { uploadPartCopy } from "./copy_handlers.ts";
import { parseCopySource } from "../copy_source.ts";
import { xmlResponse } from "./responses.ts";
import { nameEncoder, parseEncodingType } from "../list_encoding.ts";
import { parseWriteCondition } from "../write_conditions.ts";
import { checksumElement, checksummedStream, multipartChecksumOf } from "../object_checksums.ts";
import { CHECKSUM_ALGORITHMS } from "../auth/mod.ts";
import { toBase64 } from "../../storage/mod.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** CreateMultipartUpload. */
export async function createMultipartUpload(ctx: Op<"CreateMultipartUpload">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  const attributes = {
    ...objectAttributesFrom(ctx.request.headers),
    acl: cannedAclFrom(ctx.request.headers),
  };
  const checksum = multipartChecksumOf(ctx.request.headers);
  await authorizeBucket(ctx, bucket, "write", "s3:PutObject", key);
  const upload = await ctx.services.multipart.create(bucket, key, attributes, checksum);
  const response = xmlResponse(renderXml("InitiateMultipartUploadResult", {
    "@_xmlns": S3_XMLNS,
    Bucket: bucket,
    Key: key,
    UploadId: upload.uploadId,
  }));
  if (checksum !== undefined) {
    response.headers.set("x-amz-checksum-algorithm", checksum.algorithm.toUpperCase());
    response.headers.set("x-amz-checksum-type", checksum.type);
  }
  return response;
}

/**
 * UploadPart: streamed through the erasure coder; answers with the part's ETag. A part with
 * `x-amz-copy-source` is UploadPartCopy.
 */
export async function uploadPart(ctx: Op<"UploadPart">): Promise<Response> {
  const { bucket, key, uploadId, partNumber } = ctx.operation;
  const copySource = parseCopySource(ctx.request.headers);
  if (copySource !== null) return await uploadPartCopy(ctx, copySource);
  const sent = bodyWithLength(ctx, MAX_PART_BYTES);
  await authorizeBucket(ctx, bucket, "write", "s3:PutObject", key);
  const upload = await ctx.services.multipart.upload(bucket, key, uploadId);
  const wanted = upload.checksumAlgorithm;
  let body = sent.body;
  let checksum = () => sent.checksum()?.value;
  if (wanted !== undefined && sent.checksumAlgorithm !== wanted) {
    if (sent.checksumAlgorithm !== null) {
      await sent.body.cancel().catch(() => {});
      throw new S3Error(
        "InvalidRequest",
        `Checksum Type mismatch occurred, expected checksum Type: ${wanted}, actual checksum Type: ${sent.checksumAlgorithm}`,
      );
    }
    // The upload names an algorithm and the part came without it: computed here as it streams.
    const running = checksummedStream(sent.body, wanted);
    body = running.body;
    checksum = () => toBase64(running.digest());
  }
  const part = await ctx.services.multipart.uploadPart(
    { bucket, key, uploadId, partNumber },
    sent.sizeBytes,
    body,
    checksum,
  );
  const response = new Response(null, { status: 200, headers: { etag: `"${part.etag}"` } });
  if (part.checksum !== undefined && (wanted ?? sent.checksumAlgorithm) !== null) {
    response.headers.set(`x-amz-checksum-${wanted ?? sent.checksumAlgorithm}`, part.checksum);
  }
  return response;
}

/** CompleteMultipartUpload. */
export async function completeMultipartUpload(ctx: Op<"CompleteMultipartUpload">): Promise<Response> {
  const { bucket, key, uploadId } = ctx.operation;
  const condition = parseWriteCondition(ctx.request.headers, "put");
  await authorizeBucket(ctx, bucket, "write", "s3:PutObject", key);
  const parts = await completedParts(ctx);
  const head = await ctx.services.multipart.complete(
    bucket,
    key,
    uploadId,
    parts,
    condition,
    expectedObjectChecksum(ctx.request.headers),
  );
  const checksum = head.checksum;
  const response = xmlResponse(renderXml("CompleteMultipartUploadResult", {
    "@_xmlns": S3_XMLNS,
    Location: `${ctx.url.origin}/${bucket}/${encodeURIComponent(key)}`,
    Bucket: bucket,
    Key: key,
    ETag: `"${head.etag}"`,
    ...(checksum === undefined
      ? {}
      : { [checksumElement(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type }),
  }));
  await setWriteHeaders(ctx, bucket, response.headers, head);
  return response;
}

/** The whole object's checksum a CompleteMultipartUpload states in `x-amz-checksum-<algorithm>`, if any. */
function expectedObjectChecksum(headers: Headers): string | undefined {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = headers.get(`x-amz-checksum-${algorithm}`);
    if (value !== null) return value.trim();
  }
  return undefined;
}

/** AbortMultipartUpload. */
export async function abortMultipartUpload(ctx: Op<"AbortMultipartUpload">): Promise<Response> {
  const { bucket, key, uploadId } = ctx.operation;
  await authorizeBucket(ctx, bucket, "write", "s3:AbortMultipartUpload", key);
  await ctx.services.multipart.abort(bucket, key, uploadId);
  return new Response(null, { status: 204 });
}

/**
 * ListMultipartUploads with prefix, delimiter, key-marker, upload-id-marker, max-uploads and
 * encoding-type. Uploads belong to the bucket owner (the owner and initiator shown).
 */
export async function listMultipartUploads(ctx: Op<"ListMultipartUploads">): Promise<Response> {
  const { params } = ctx;
  const request = {
    prefix: params.get("prefix") ?? "",
    delimiter: params.get("delimiter") ?? "",
    keyMarker: params.get("key-marker") ?? "",
    uploadIdMarker: params.get("upload-id-marker") ?? "",
    maxUploads: integerParam(params, "max-uploads", 1000, 0, 1000),
  };
  const encodingType = parseEncodingType(params);
  const bucket = await authorizeBucket(ctx, ctx.operation.bucket, "list", "s3:ListBucketMultipartUploads");
  const page = await ctx.services.multipart.listUploads(bucket.name, request);
  const encode = nameEncoder(encodingType);
  const owner = {
    ID: bucket.ownerId,
    DisplayName: bucket.ownerId === ctx.owner?.id ? ctx.owner.displayName : undefined,
  };
  return xmlResponse(renderXml("ListMultipartUploadsResult", {
    "@_xmlns": S3_XMLNS,
    Bucket: bucket.name,
    KeyMarker: encode(request.keyMarker),
    UploadIdMarker: request.uploadIdMarker,
    NextKeyMarker: page.isTruncated ? encode(page.nextKeyMarker) : undefined,
    NextUploadIdMarker: page.isTruncated ? page.nextUploadIdMarker : undefined,
    Delimiter: request.delimiter === "" ? undefined : encode(request.delimiter),
    Prefix: encode(request.prefix),
    MaxUploads: request.maxUploads,
    EncodingType: encodingType ?? undefined,
    IsTruncated: page.isTruncated,
    Upload: page.uploads.map((upload) => ({
      Key: encode(upload.key),
      UploadId: upload.uploadId,
      Initiator: owner,
      Owner: owner,
      StorageClass: upload.storageClass,
      Initiated: isoTimestamp(upload.initiatedMs),
    })),
    CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: encode(prefix) })),
  }));
}

/** ListParts with part-number-marker and max-parts. */
export async function listParts(ctx: Op<"ListParts">): Promise<Response> {
  const { bucket, key, uploadId } = ctx.operation;
  const marker = integerParam(ctx.params, "part-number-marker", 0, 0, MAX_PART_NUMBER);
  const maxParts = integerParam(ctx.params, "max-parts", 1000, 0, 1000);
  await authorizeBucket(ctx, bucket, "write", "s3:ListMultipartUploadParts", key);
  const page = await ctx.services.multipart.listParts(bucket, key, uploadId, marker, maxParts);
  const caller = requireCaller(ctx);
  const owner = { ID: caller.id, DisplayName: caller.displayName };
  const last = page.parts.at(-1);
  return xmlResponse(renderXml("ListPartsResult", {
    "@_xmlns": S3_XMLNS,
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    Initiator: owner,
    Owner: owner,
    StorageClass: page.upload.storageClass,
    ChecksumAlgorithm: page.upload.checksumAlgorithm?.toUpperCase(),
    ChecksumType: page.upload.checksumType,
    PartNumberMarker: marker,
    NextPartNumberMarker: last?.partNumber ?? marker,
    MaxParts: maxParts,
    IsTruncated: page.isTruncated,
    Part: page.parts.map((part) => ({
      PartNumber: part.partNumber,
      LastModified: isoTimestamp(part.lastModifiedMs),
      ETag: `"${part.etag}"`,
      Size: part.sizeBytes,
      ...(part.checksum === undefined || page.upload.checksumAlgorithm === undefined
        ? {}
        : { [checksumElement(page.upload.checksumAlgorithm)]: part.checksum }),
    })),
  }));
}

async function completedParts(ctx: RequestContext): Promise<CompletedPart[]> {
  // Its x-amz-checksum-* header (if any) is the object's, not this XML's.
  const root = await readXmlBody(ctx, "CompleteMultipartUpload", { checksumHeadersDescribeObject: true });
  if (root === null) throw new S3Error("MalformedXML", "CompleteMultipartUpload needs a part list");
  const parts = Array.isArray(root.Part) ? root.Part : [];
  if (parts.length === 0) throw new S3Error("MalformedXML", "The part list must name at least one part");
  if (parts.length > MAX_PART_NUMBER) throw new S3Error("MalformedXML", `At most ${MAX_PART_NUMBER} parts`);
  return parts.map((part: unknown) => {
    const fields = (part ?? {}) as Record<string, unknown>;
    const partNumber = Number(fields.PartNumber);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new S3Error(
        "InvalidArgument",
        `Part number ${String(fields.PartNumber)} is not between 1 and 10000`,
      );
    }
    if (typeof fields.ETag !== "string") throw new S3Error("MalformedXML", `Part ${partNumber} has no ETag`);
    const listed = CHECKSUM_ALGORITHMS.map((algorithm) => fields[checksumElement(algorithm)]).find((value) =>
      value !== undefined
    );
    if (listed !== undefined && typeof listed !== "string") {
      throw new S3Error("MalformedXML", `Part ${partNumber} has a malformed checksum`);
    }
    return { partNumber, etag: fields.ETag, ...(listed === undefined ? {} : { checksum: listed.trim() }) };
  });
}

function integerParam(
  params: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min) {
    throw new S3Error("InvalidArgument", `${name} must be an integer >= ${min}`, {
      ArgumentName: name,
      ArgumentValue: raw,
    });
  }
  return Math.min(value, max);
}
