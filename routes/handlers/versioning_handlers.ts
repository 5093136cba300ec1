/**
 * Bucket versioning: Get/PutBucketVersioning (owner only; `Enabled` or `Suspended`, never back to
 * unversioned, as in S3) and ListObjectVersions (prefix, delimiter, key-marker, version-id-marker, max-keys,
 * encoding-type), with versions and delete markers as S3 lists them.
 */
import { MAX_LIST_KEYS } from "../../storage/mod.ts";
import { authorizeBucket } from "../access_control.ts";
import { nameEncoder, parseEncodingType } from "../list_encoding.ts";
import { isoTimestamp } from "../object_headers.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { renderXml, S3_XMLNS } from "../xml.ts";
import { readXmlBody } from "./request_xml.ts";
import { xmlResponse } from "./responses.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** GetBucketVersioning: `Status` once versioning was ever enabled, an empty configuration before. */
export async function getBucketVersioning(ctx: Op<"GetBucketVersioning">): Promise<Response> {
  const bucket = await authorizeBucket(ctx, ctx.operation.bucket, "owner", "s3:GetBucketVersioning");
  return xmlResponse(renderXml("VersioningConfiguration", {
    "@_xmlns": S3_XMLNS,
    Status: bucket.versioning === "Unversioned" ? undefined : bucket.versioning,
  }));
}

/**
 * PutBucketVersioning: `Enabled` or `Suspended`. Enabling for the first time records every existing object
 * as its key's `null` version before answering.
 */
export async function putBucketVersioning(ctx: Op<"PutBucketVersioning">): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:PutBucketVersioning");
  const root = await readXmlBody(ctx, "VersioningConfiguration");
  if (root === null) {
    throw new S3Error("MalformedXML", "The request needs a <VersioningConfiguration> document");
  }
  const status = root.Status;
  if (status !== "Enabled" && status !== "Suspended") {
    throw new S3Error("MalformedXML", "Status must be Enabled or Suspended");
  }
  if (root.MfaDelete === "Enabled") {
    throw new S3Error("NotImplemented", "MFA Delete is not supported");
  }
  const previous = await ctx.services.buckets.setVersioning(bucket, status);
  if (previous === "Unversioned") await ctx.services.objects.versions.recordNullVersions(bucket);
  return new Response(null, { status: 200 });
}

/** ListObjectVersions. */
export async function listObjectVersions(ctx: Op<"ListObjectVersions">): Promise<Response> {
  const { params } = ctx;
  const rawMaxKeys = params.get("max-keys");
  if (rawMaxKeys !== null && !/^\d{1,9}$/.test(rawMaxKeys)) {
    throw new S3Error("InvalidArgument", "Provided max-keys not an integer or within integer range", {
      ArgumentName: "max-keys",
      ArgumentValue: rawMaxKeys,
    });
  }
  const request = {
    prefix: params.get("prefix") ?? "",
    delimiter: params.get("delimiter") ?? "",
    keyMarker: params.get("key-marker") ?? "",
    versionIdMarker: params.get("version-id-marker") ?? "",
    maxKeys: Math.min(rawMaxKeys === null ? MAX_LIST_KEYS : Number(rawMaxKeys), MAX_LIST_KEYS),
  };
  if (request.versionIdMarker !== "" && request.keyMarker === "") {
    throw new S3Error("InvalidArgument", "A version-id marker cannot be specified without a key marker.", {
      ArgumentName: "version-id-marker",
    });
  }
  const encodingType = parseEncodingType(params);
  const bucket = await authorizeBucket(ctx, ctx.operation.bucket, "list", "s3:ListBucketVersions");
  const page = await ctx.services.objects.versions.listVersions(bucket.name, request);
  const encode = nameEncoder(encodingType);
  const owner = { ID: bucket.ownerId };
  const versions = page.versions.filter((entry) => entry.head.deleteMarker !== true);
  const markers = page.versions.filter((entry) => entry.head.deleteMarker === true);
  return xmlResponse(renderXml("ListVersionsResult", {
    "@_xmlns": S3_XMLNS,
    Name: bucket.name,
    Prefix: encode(request.prefix),
    KeyMarker: encode(request.keyMarker),
    VersionIdMarker: request.versionIdMarker,
    NextKeyMarker: page.isTruncated ? encode(page.nextKeyMarker) : undefined,
    NextVersionIdMarker: page.isTruncated && page.nextVersionIdMarker !== ""
      ? page.nextVersionIdMarker
      : undefined,
    MaxKeys: request.maxKeys,
    Delimiter: request.delimiter === "" ? undefined : encode(request.delimiter),
    EncodingType: encodingType ?? undefined,
    IsTruncated: page.isTruncated,
    Version: versions.map(({ head, isLatest }) => ({
      Key: encode(head.key),
      VersionId: head.versionId,
      IsLatest: isLatest,
      LastModified: isoTimestamp(head.lastModifiedMs),
      ETag: `"${head.etag}"`,
      Size: head.sizeBytes,
      Owner: owner,
      StorageClass: head.storageClass,
    })),
    DeleteMarker: markers.map(({ head, isLatest }) => ({
      Key: encode(head.key),
      VersionId: head.versionId,
      IsLatest: isLatest,
      LastModified: isoTimestamp(head.lastModifiedMs),
      Owner: owner,
    })),
    CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: encode(prefix) })),
  }));
}
