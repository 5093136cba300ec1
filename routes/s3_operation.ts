/**
 * Parse, then act: turns an HTTP request into a typed S3 operation named after the AWS operation.
 * Pure (no I/O), so it is table-tested. Addressing: virtual-host style when the Host is
 * `BUCKET.<base domain>`, else path style (`/BUCKET/KEY`).
 */
import { S3Error } from "./s3_errors.ts";
import { checkBucketName, checkObjectKey, decodePathPiece } from "./s3_names.ts";

/** Where a request points. */
export interface S3Target {
  readonly bucket: string | null;
  /** Object key, or null for service and bucket requests. */
  readonly key: string | null;
}

/** Every operation the gateway understands. */
export type S3Operation =
  | { readonly name: "ListBuckets" }
  | { readonly name: "CreateBucket"; readonly bucket: string }
  | { readonly name: "DeleteBucket"; readonly bucket: string }
  | { readonly name: "HeadBucket"; readonly bucket: string }
  | { readonly name: "GetBucketLocation"; readonly bucket: string }
  | { readonly name: "DeleteObjects"; readonly bucket: string }
  | { readonly name: "PostObject"; readonly bucket: string }
  | { readonly name: "GetBucketAcl"; readonly bucket: string }
  | { readonly name: "PutBucketAcl"; readonly bucket: string }
  | { readonly name: "GetBucketPolicy"; readonly bucket: string }
  | { readonly name: "PutBucketPolicy"; readonly bucket: string }
  | { readonly name: "DeleteBucketPolicy"; readonly bucket: string }
  | { readonly name: "GetBucketVersioning"; readonly bucket: string }
  | { readonly name: "PutBucketVersioning"; readonly bucket: string }
  | { readonly name: "ListObjectVersions"; readonly bucket: string }
  | { readonly name: "GetBucketCors"; readonly bucket: string }
  | { readonly name: "PutBucketCors"; readonly bucket: string }
  | { readonly name: "DeleteBucketCors"; readonly bucket: string }
  | { readonly name: "GetBucketLifecycleConfiguration"; readonly bucket: string }
  | { readonly name: "PutBucketLifecycleConfiguration"; readonly bucket: string }
  | { readonly name: "DeleteBucketLifecycle"; readonly bucket: string }
  | { readonly name: "GetBucketTagging"; readonly bucket: string }
  | { readonly name: "PutBucketTagging"; readonly bucket: string }
  | { readonly name: "DeleteBucketTagging"; readonly bucket: string }
  | VersionOperation<"GetObjectTagging">
  | VersionOperation<"GetObjectAttributes">
  | { readonly name: "RestoreObject"; readonly bucket: string; readonly key: string }
  | VersionOperation<"PutObjectTagging">
  | VersionOperation<"DeleteObjectTagging">
  | VersionOperation<"GetObjectAcl">
  | VersionOperation<"PutObjectAcl">
  | { readonly name: "ListObjects"; readonly bucket: string }
  | { readonly name: "ListObjectsV2"; readonly bucket: string }
  | { readonly name: "PutObject"; readonly bucket: string; readonly key: string }
  | { readonly name: "GetObject"; readonly bucket: string; readonly key: string }
  | { readonly name: "HeadObject"; readonly bucket: string; readonly key: string }
  | { readonly name: "DeleteObject"; readonly bucket: string; readonly key: string }
  | { readonly name: "CreateMultipartUpload"; readonly bucket: string; readonly key: string }
  | { readonly name: "ListMultipartUploads"; readonly bucket: string }
  | UploadOperation<"UploadPart"> & { readonly partNumber: number }
  | UploadOperation<"CompleteMultipartUpload">
  | UploadOperation<"AbortMultipartUpload">
  | UploadOperation<"ListParts">;

/** An operation on an object's sub-resource that may name one version (`?versionId=`; absent: the current one). */
export interface VersionOperation<N extends string> {
  readonly name: N;
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

/** An operation on one multipart upload. */
export interface UploadOperation<N extends string> {
  readonly name: N;
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
}

/** The name of any operation. */
export type S3OperationName = S3Operation["name"];

/**
 * Query parameters that name a sub-resource we do not implement yet (answered with NotImplemented).
 * Some are implemented for a few methods only (`acl`, `attributes`, `cors`, `lifecycle`, `policy`, `tagging`,
 * `uploads`, `versioning`, `versions`); any other method with them
 * must be refused here, never served as the plain operation (a DELETE ?policy is never a DeleteBucket).
 */
const UNSUPPORTED_SUBRESOURCES = [
  "accelerate",
  "acl",
  "analytics",
  "attributes",
  "cors",
  "delete",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "legal-hold",
  "lifecycle",
  "logging",
  "metrics",
  "notification",
  "object-lock",
  "ownershipControls",
  "policy",
  "policyStatus",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "restore",
  "retention",
  "select",
  "tagging",
  "torrent",
  "versioning",
  "versions",
  "website",
  "uploads",
];

/** Splits host + raw path into bucket and key, per the addressing style. */
export function parseTarget(host: string, rawPath: string, baseDomain: string): S3Target {
  const colon = host.lastIndexOf(":");
  const bare = colon !== -1 && host.indexOf("]", colon) === -1 ? host.slice(0, colon) : host;
  const hostname = bare.toLowerCase();
  const suffix = `.${baseDomain}`;
  let bucket: string | null = null;
  let rawKey: string;
  if (baseDomain !== "" && hostname.endsWith(suffix) && hostname.length > suffix.length) {
    bucket = hostname.slice(0, -suffix.length);
    rawKey = rawPath.slice(1);
  } else {
    const path = rawPath.slice(1);
    const slash = path.indexOf("/");
    const rawBucket = slash === -1 ? path : path.slice(0, slash);
    bucket = rawBucket === "" ? null : decodePathPiece(rawBucket);
    rawKey = slash === -1 ? "" : path.slice(slash + 1);
  }
  const key = rawKey === "" ? null : decodePathPiece(rawKey);
  return { bucket, key };
}

/** The operation of a request with `method`, `target` and query `params`. */
export function parseOperation(method: string, target: S3Target, params: URLSearchParams): S3Operation {
  const { bucket, key } = target;
  if (bucket === null) {
    if (method === "GET") return { name: "ListBuckets" };
    throw new S3Error("MethodNotAllowed", `${method} is not allowed on the service endpoint`);
  }
  checkBucketName(bucket);
  const uploadId = params.get("uploadId");
  if (key === null) return parseBucketOperation(method, bucket, params);
  checkObjectKey(key);
  if (uploadId !== null) return parseUploadOperation(method, bucket, key, uploadId, params);
  const version = versionOf(params);
  if (params.has("acl") && (method === "GET" || method === "PUT")) {
    return { name: method === "GET" ? "GetObjectAcl" : "PutObjectAcl", bucket, key, ...version };
  }
  if (params.has("attributes") && method === "GET") {
    return { name: "GetObjectAttributes", bucket, key, ...version };
  }
  if (params.has("restore") && method === "POST") return { name: "RestoreObject", bucket, key };
  if (params.has("tagging")) {
    if (method === "GET") return { name: "GetObjectTagging", bucket, key, ...version };
    if (method === "PUT") return { name: "PutObjectTagging", bucket, key, ...version };
    if (method === "DELETE") return { name: "DeleteObjectTagging", bucket, key, ...version };
  }
  rejectUnsupported(params, method);
  switch (method) {
    case "PUT":
      return { name: "PutObject", bucket, key };
    case "GET":
      return { name: "GetObject", bucket, key };
    case "HEAD":
      return { name: "HeadObject", bucket, key };
    case "DELETE":
      return { name: "DeleteObject", bucket, key };
    case "POST":
      if (params.has("uploads")) return { name: "CreateMultipartUpload", bucket, key };
  }
  throw new S3Error("MethodNotAllowed", `${method} is not allowed on an object`);
}

/** `{ versionId }` when the query names a version (even an empty one, which the tier refuses), else `{}`. */
function versionOf(params: URLSearchParams): { versionId?: string } {
  if (params.size === 0) return {};
  const versionId = params.get("versionId");
  return versionId === null ? {} : { versionId };
}

function parseBucketOperation(method: string, bucket: string, params: URLSearchParams): S3Operation {
  if (method === "GET" && params.has("location")) return { name: "GetBucketLocation", bucket };
  if (method === "POST" && params.has("delete")) return { name: "DeleteObjects", bucket };
  if (method === "GET" && params.has("uploads")) return { name: "ListMultipartUploads", bucket };
  if (params.has("acl") && (method === "GET" || method === "PUT")) {
    return { name: method === "GET" ? "GetBucketAcl" : "PutBucketAcl", bucket };
  }
  if (params.has("versioning")) {
    if (method === "GET") return { name: "GetBucketVersioning", bucket };
    if (method === "PUT") return { name: "PutBucketVersioning", bucket };
  }
  if (method === "GET" && params.has("versions")) return { name: "ListObjectVersions", bucket };
  if (params.has("cors")) {
    if (method === "GET") return { name: "GetBucketCors", bucket };
    if (method === "PUT") return { name: "PutBucketCors", bucket };
    if (method === "DELETE") return { name: "DeleteBucketCors", bucket };
  }
  if (params.has("lifecycle")) {
    if (method === "GET") return { name: "GetBucketLifecycleConfiguration", bucket };
    if (method === "PUT") return { name: "PutBucketLifecycleConfiguration", bucket };
    if (method === "DELETE") return { name: "DeleteBucketLifecycle", bucket };
  }
  if (params.has("tagging")) {
    if (method === "GET") return { name: "GetBucketTagging", bucket };
    if (method === "PUT") return { name: "PutBucketTagging", bucket };
    if (method === "DELETE") return { name: "DeleteBucketTagging", bucket };
  }
  if (params.has("policy")) {
    if (method === "GET") return { name: "GetBucketPolicy", bucket };
    if (method === "PUT") return { name: "PutBucketPolicy", bucket };
    if (method === "DELETE") return { name: "DeleteBucketPolicy", bucket };
  }
  rejectUnsupported(params, method);
  switch (method) {
    case "PUT":
      return { name: "CreateBucket", bucket };
    case "DELETE":
      return { name: "DeleteBucket", bucket };
    case "HEAD":
      return { name: "HeadBucket", bucket };
    case "POST":
      return { name: "PostObject", bucket };
    case "GET":
      return params.get("list-type") === "2"
        ? { name: "ListObjectsV2", bucket }
        : { name: "ListObjects", bucket };
  }
  throw new S3Error("MethodNotAllowed", `${method} is not allowed on a bucket`);
}

function parseUploadOperation(
  method: string,
  bucket: string,
  key: string,
  uploadId: string,
  params: URLSearchParams,
): S3Operation {
  switch (method) {
    case "PUT": {
      const rawPartNumber = params.get("partNumber") ?? "";
      const partNumber = /^\d{1,5}$/.test(rawPartNumber) ? Number(rawPartNumber) : NaN;
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
        throw new S3Error(
          "InvalidArgument",
          "Part number must be an integer between 1 and 10000, inclusive",
          {
            ArgumentName: "partNumber",
            ArgumentValue: params.get("partNumber") ?? "",
          },
        );
      }
      return { name: "UploadPart", bucket, key, uploadId, partNumber };
    }
    case "POST":
      return { name: "CompleteMultipartUpload", bucket, key, uploadId };
    case "DELETE":
      return { name: "AbortMultipartUpload", bucket, key, uploadId };
    case "GET":
      return { name: "ListParts", bucket, key, uploadId };
  }
  throw new S3Error("MethodNotAllowed", `${method} is not allowed on a multipart upload`);
}

function rejectUnsupported(params: URLSearchParams, method: string): void {
  // Walk the (usually empty) query rather than probing it for each of ~30 names: this runs on every request.
  if (params.size === 0) return;
  for (const name of params.keys()) {
    if (UNSUPPORTED.has(name) && !(name === "uploads" && method === "POST")) {
      throw new S3Error("NotImplemented", `The ${name} sub-resource is not implemented yet`);
    }
  }
}

const UNSUPPORTED: ReadonlySet<string> = new Set(UNSUPPORTED_SUBRESOURCES);
