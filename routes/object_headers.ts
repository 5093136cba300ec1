/**
 * Object attributes in HTTP headers: parses Content-Type, the standard stored headers and
 * `x-amz-meta-*` user metadata from a request, and renders them (with ETag, Last-Modified and length)
 * on GET and HEAD responses.
 */
import { MAX_USER_METADATA_BYTES, type ObjectHead, type StoredHeaders } from "../storage/mod.ts";
import { isStorageClass, type ObjectAttributes } from "../tiers/mod.ts";
import { S3Error } from "./s3_errors.ts";
import { tagsFromHeader } from "./tagging.ts";

/** S3's default content type for objects uploaded without one. */
export const DEFAULT_CONTENT_TYPE = "binary/octet-stream";
const USER_METADATA_PREFIX = "x-amz-meta-";

/** The attributes a PutObject or CreateMultipartUpload request sets. */
export function objectAttributesFrom(headers: Headers): ObjectAttributes {
  const userMetadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const [name, value] of headers) {
    if (!name.startsWith(USER_METADATA_PREFIX)) continue;
    const metaName = name.slice(USER_METADATA_PREFIX.length);
    userMetadata[metaName] = value;
    metadataBytes += metaName.length + new TextEncoder().encode(value).length;
  }
  if (metadataBytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error(
      "MetadataTooLarge",
      `Your metadata headers are ${metadataBytes} bytes; the limit is ${MAX_USER_METADATA_BYTES}`,
    );
  }
  const storageClass = headers.get("x-amz-storage-class") ?? "STANDARD";
  if (!isStorageClass(storageClass)) {
    throw new S3Error("InvalidStorageClass", `The storage class you specified is not valid: ${storageClass}`);
  }
  const stored: StoredHeaders = {};
  const copy = (name: string, field: keyof StoredHeaders) => {
    const value = headers.get(name);
    if (value !== null) stored[field] = value;
  };
  copy("cache-control", "cacheControl");
  copy("content-disposition", "contentDisposition");
  // aws-chunked is transfer framing (removed by the body decoder), never the stored encoding.
  const encoding = (headers.get("content-encoding") ?? "").split(",").map((token) => token.trim())
    .filter((token) => token !== "" && token.toLowerCase() !== "aws-chunked").join(", ");
  if (encoding !== "") stored.contentEncoding = encoding;
  copy("content-language", "contentLanguage");
  copy("expires", "expires");
  return {
    contentType: headers.get("content-type") ?? DEFAULT_CONTENT_TYPE,
    userMetadata,
    headers: stored,
    storageClass,
    tags: tagsFromHeader(headers),
  };
}

/**
 * Response headers of an object reply, by lower-case name. A plain Map rather than `Headers`: Deno's
 * `Response` constructor converts an init `headers` argument slowly (measured ~5 µs for six headers),
 * while setting them on `response.headers` afterwards costs a fraction of that, so the hot GET path
 * collects them here and applies them with `applyResponseHeaders`.
 */
export type ResponseHeaderMap = Map<string, string>;

/**
 * The rendered headers of each head still in use. Heads are immutable records (a write makes a new one), so
 * the rendering never goes stale; keyed weakly, it goes when the head cache lets the head go. Saves the
 * date formatting and string building on every cached GET.
 */
const renderedHeads = new WeakMap<ObjectHead, ReadonlyArray<readonly [string, string]>>();

/** Response headers describing `head` (everything but the length and range), a fresh map per call. */
export function objectResponseHeaders(head: ObjectHead): ResponseHeaderMap {
  let rendered = renderedHeads.get(head);
  if (rendered === undefined) {
    rendered = renderHeadHeaders(head);
    renderedHeads.set(head, rendered);
  }
  return new Map(rendered);
}

function renderHeadHeaders(head: ObjectHead): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ["content-type", head.contentType],
    ["etag", `"${head.etag}"`],
    ["last-modified", new Date(head.lastModifiedMs).toUTCString()],
    ["accept-ranges", "bytes"],
  ];
  const stored = head.headers;
  if (stored.cacheControl !== undefined) headers.push(["cache-control", stored.cacheControl]);
  if (stored.contentDisposition !== undefined) {
    headers.push(["content-disposition", stored.contentDisposition]);
  }
  if (stored.contentEncoding !== undefined) headers.push(["content-encoding", stored.contentEncoding]);
  if (stored.contentLanguage !== undefined) headers.push(["content-language", stored.contentLanguage]);
  if (stored.expires !== undefined) headers.push(["expires", stored.expires]);
  if (head.storageClass !== "STANDARD") headers.push(["x-amz-storage-class", head.storageClass]);
  for (const name in head.userMetadata) headers.push([USER_METADATA_PREFIX + name, head.userMetadata[name]]);
  if (head.tags.length > 0) headers.push(["x-amz-tagging-count", String(head.tags.length)]);
  return headers;
}

/** A response with `body`, `status` and `headers` (set after construction; see `ResponseHeaderMap`). */
export function responseWithHeaders(
  body: BodyInit | null,
  status: number,
  headers: ResponseHeaderMap,
): Response {
  const response = new Response(body, { status });
  // Deno derives Content-Length from a buffer body itself; setting it again costs a header validation.
  const derivedLength = body instanceof Uint8Array;
  for (const [name, value] of headers) {
    if (derivedLength && name === "content-length") continue;
    response.headers.set(name, value);
  }
  return response;
}

/**
 * Headers a 304 Not Modified keeps; it has no body. RFC 9110 §15.4.5 requires those of the 200 among
 * Content-Location, Date, ETag, Vary, Cache-Control and Expires (we send no Content-Location, and the
 * server adds Date itself); Last-Modified is kept too, as S3 does and as §15.4.5 allows for cache updates.
 * Vary (`Origin` on a bucket with CORS rules) tells a cache which requests the revalidated response may
 * answer (RFC 9111 §4.1).
 */
const NOT_MODIFIED_HEADERS = ["etag", "last-modified", "cache-control", "expires", "vary"];

/** The subset of a 200 response's `headers` that its 304 Not Modified carries. */
export function notModifiedHeaders(headers: ResponseHeaderMap): ResponseHeaderMap {
  const kept: ResponseHeaderMap = new Map();
  for (const name of NOT_MODIFIED_HEADERS) {
    const value = headers.get(name);
    if (value !== undefined) kept.set(name, value);
  }
  return kept;
}

/** S3's ISO 8601 timestamp with milliseconds (`2026-11-25T15:00:00.000Z`). */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
