/**
 * Turns any error into the S3 error a client expects: the one exhaustive map from `StoreError` kinds
 * to S3 codes, and the XML error body. Unknown errors become `InternalError`, details only in the log.
 */
import { isStoreError, type StoreErrorKind } from "../storage/mod.ts";
import { S3Error, type S3ErrorCode } from "./s3_errors.ts";
import { renderXml } from "./xml.ts";

const KIND_TO_CODE: Record<StoreErrorKind, S3ErrorCode> = {
  bucket_not_found: "NoSuchBucket",
  bucket_exists: "BucketAlreadyExists",
  bucket_not_empty: "BucketNotEmpty",
  object_not_found: "NoSuchKey",
  version_not_found: "NoSuchVersion",
  upload_not_found: "NoSuchUpload",
  invalid_part: "InvalidPart",
  invalid_part_order: "InvalidPartOrder",
  entity_too_small: "EntityTooSmall",
  entity_too_large: "EntityTooLarge",
  precondition_failed: "PreconditionFailed",
  invalid_argument: "InvalidArgument",
  invalid_storage_class: "InvalidStorageClass",
  invalid_object_state: "InvalidObjectState",
  restore_in_progress: "RestoreAlreadyInProgress",
  bad_digest: "BadDigest",
  incomplete_body: "IncompleteBody",
  quorum_not_met: "ServiceUnavailable",
  not_enough_shards: "ServiceUnavailable",
  corrupt_block: "ServiceUnavailable",
  corrupt_record: "InternalError",
  disk_full: "ServiceUnavailable",
  shard_not_found: "ServiceUnavailable",
  unauthorized: "InternalError",
  conflict: "SlowDown",
  unavailable: "ServiceUnavailable",
};

/** Kinds whose message is safe and useful to show the client. */
const CLIENT_VISIBLE: ReadonlySet<StoreErrorKind> = new Set<StoreErrorKind>([
  "bucket_not_found",
  "bucket_exists",
  "bucket_not_empty",
  "object_not_found",
  "version_not_found",
  "upload_not_found",
  "invalid_part",
  "invalid_part_order",
  "entity_too_small",
  "entity_too_large",
  "precondition_failed",
  "invalid_argument",
  "invalid_storage_class",
  "invalid_object_state",
  "restore_in_progress",
  "bad_digest",
  "incomplete_body",
]);

/** The S3 error for `error`, and whether it is an internal fault worth logging as an error. */
export function toS3Error(error: unknown): { s3: S3Error; internal: boolean } {
  if (error instanceof S3Error) return { s3: error, internal: error.status >= 500 };
  if (isStoreError(error)) {
    const code = KIND_TO_CODE[error.kind];
    const message = CLIENT_VISIBLE.has(error.kind) ? error.message : defaultMessage(code);
    return {
      s3: new S3Error(code, message, {}, { cause: error }),
      internal: !CLIENT_VISIBLE.has(error.kind),
    };
  }
  return {
    s3: new S3Error("InternalError", defaultMessage("InternalError"), {}, { cause: error }),
    internal: true,
  };
}

/** The XML body of an S3 error response. */
export function renderErrorXml(error: S3Error, resource: string, requestId: string): string {
  return renderXml("Error", {
    Code: error.code,
    Message: error.message,
    ...error.details,
    Resource: resource,
    RequestId: requestId,
  });
}

function defaultMessage(code: S3ErrorCode): string {
  switch (code) {
    case "ServiceUnavailable":
      return "Not enough storage workers are reachable to serve the request; please retry.";
    case "SlowDown":
      return "Too many concurrent changes to the same key; please retry.";
    default:
      return "We encountered an internal error. Please try again.";
  }
}
