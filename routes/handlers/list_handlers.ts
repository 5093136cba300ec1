/**
 * ListObjects (V1) and ListObjectsV2: prefix, delimiter, max-keys, marker / start-after,
 * continuation-token (an opaque encoding of the last key returned, never an offset), encoding-type=url.
 */
import { z } from "zod";
import { type BucketRecord, fromUtf8, MAX_LIST_KEYS, type ObjectHead, utf8 } from "../../storage/mod.ts";
import type { ListPage } from "../../tiers/mod.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import { nameEncoder, parseEncodingType } from "../list_encoding.ts";
import type { S3Operation } from "../s3_operation.ts";
import { isoTimestamp } from "../object_headers.ts";
import { renderXml, S3_XMLNS, type XmlElement } from "../xml.ts";
import { authorizeBucket } from "../access_control.ts";
import { xmlResponse } from "./responses.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

const maxKeysSchema = z.string().regex(/^\d+$/, "must be a non-negative integer");

/** ListObjectsV2. */
export async function listObjectsV2(ctx: Op<"ListObjectsV2">): Promise<Response> {
  const { params } = ctx;
  const common = commonListParams(params);
  const token = params.get("continuation-token");
  const startAfter = params.get("start-after") ?? "";
  const after = token !== null ? decodeContinuationToken(token) : startAfter;
  const bucket = await authorizeBucket(ctx, ctx.operation.bucket, "list", "s3:ListBucket");
  const page = await ctx.services.objects.list(ctx.operation.bucket, { ...common, startAfter: after });
  const encode = nameEncoder(common.encodingType);
  const fetchOwner = params.get("fetch-owner") === "true";
  return xmlResponse(renderXml("ListBucketResult", {
    "@_xmlns": S3_XMLNS,
    Name: ctx.operation.bucket,
    Prefix: encode(common.prefix),
    Delimiter: common.delimiter === "" ? undefined : encode(common.delimiter),
    MaxKeys: common.maxKeys,
    EncodingType: common.encodingType ?? undefined,
    KeyCount: page.objects.length + page.commonPrefixes.length,
    IsTruncated: page.isTruncated,
    ContinuationToken: token ?? undefined,
    NextContinuationToken: page.isTruncated && page.lastReturned !== null
      ? encodeContinuationToken(page.lastReturned)
      : undefined,
    StartAfter: params.has("start-after") ? encode(startAfter) : undefined,
    ...listEntries(bucket, page, encode, fetchOwner),
  }));
}

/** ListObjects (V1). */
export async function listObjects(ctx: Op<"ListObjects">): Promise<Response> {
  const { params } = ctx;
  const common = commonListParams(params);
  const marker = params.get("marker") ?? "";
  const bucket = await authorizeBucket(ctx, ctx.operation.bucket, "list", "s3:ListBucket");
  const page = await ctx.services.objects.list(ctx.operation.bucket, { ...common, startAfter: marker });
  const encode = nameEncoder(common.encodingType);
  return xmlResponse(renderXml("ListBucketResult", {
    "@_xmlns": S3_XMLNS,
    Name: ctx.operation.bucket,
    Prefix: encode(common.prefix),
    Marker: encode(marker),
    Delimiter: common.delimiter === "" ? undefined : encode(common.delimiter),
    MaxKeys: common.maxKeys,
    EncodingType: common.encodingType ?? undefined,
    IsTruncated: page.isTruncated,
    NextMarker: page.isTruncated && page.lastReturned !== null ? encode(page.lastReturned) : undefined,
    ...listEntries(bucket, page, encode, true),
  }));
}

function commonListParams(params: URLSearchParams) {
  const rawMaxKeys = params.get("max-keys");
  let maxKeys = MAX_LIST_KEYS;
  if (rawMaxKeys !== null) {
    if (!maxKeysSchema.safeParse(rawMaxKeys).success) {
      throw new S3Error("InvalidArgument", "Provided max-keys not an integer or within integer range", {
        ArgumentName: "max-keys",
        ArgumentValue: rawMaxKeys,
      });
    }
    maxKeys = Math.min(Number(rawMaxKeys), MAX_LIST_KEYS);
  }
  const encodingType = parseEncodingType(params);
  return {
    prefix: params.get("prefix") ?? "",
    delimiter: params.get("delimiter") ?? "",
    maxKeys,
    encodingType,
  };
}

function listEntries(
  bucket: BucketRecord,
  page: ListPage,
  encode: (text: string) => string,
  withOwner: boolean,
): XmlElement {
  // Objects belong to the bucket owner (ACL-free ownership, as S3's default "bucket owner enforced").
  const owner = withOwner ? { ID: bucket.ownerId } : undefined;
  return {
    Contents: page.objects.map((head: ObjectHead) => ({
      Key: encode(head.key),
      LastModified: isoTimestamp(head.lastModifiedMs),
      ETag: `"${head.etag}"`,
      Size: head.sizeBytes,
      Owner: owner,
      StorageClass: head.storageClass,
    })),
    CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: encode(prefix) })),
  };
}

/** An opaque continuation token for the last key or common prefix returned. */
export function encodeContinuationToken(lastReturned: string): string {
  const bytes = utf8(lastReturned);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** The key a continuation token stands for; `InvalidArgument` for a token we did not issue. */
export function decodeContinuationToken(token: string): string {
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(token)) throw new Error("bad alphabet");
    const binary = atob(token.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    if (fromUtf8(utf8(text)) !== text) throw new Error("not round-trippable");
    return text;
  } catch {
    throw new S3Error("InvalidArgument", "The continuation token provided is incorrect", {
      ArgumentName: "continuation-token",
    });
  }
}
