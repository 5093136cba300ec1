/**
 * The copy source of CopyObject and UploadPartCopy: the `x-amz-copy-source` header (`bucket/key`, URL-encoded,
 * optionally `?versionId=`), its conditions (`x-amz-copy-source-if-*`, evaluated like GET preconditions
 * but failing with 412 where a GET would answer 304) and UploadPartCopy's `x-amz-copy-source-range`.
 * Pure, table-tested.
 */
import type { ByteRange } from "../tiers/mod.ts";
import { evaluatePreconditions, type Validators } from "./preconditions.ts";
import { S3Error } from "./s3_errors.ts";
import { checkBucketName, checkObjectKey, decodePathPiece } from "./s3_names.ts";

/** Where a copy reads from. */
export interface CopySource {
  readonly bucket: string;
  readonly key: string;
  /** The version named by `?versionId=` (`null` included), or null for the current one. */
  readonly versionId: string | null;
}

/** The copy source named by `x-amz-copy-source`, or null when the request has none. */
export function parseCopySource(headers: Headers): CopySource | null {
  const raw = headers.get("x-amz-copy-source");
  if (raw === null) return null;
  const question = raw.indexOf("?");
  const path = question === -1 ? raw : raw.slice(0, question);
  const versionId = question === -1 ? null : sourceVersionId(raw.slice(question + 1));
  const trimmed = path.startsWith("/") ? path.slice(1) : path;
  const slash = trimmed.indexOf("/");
  if (slash <= 0 || slash === trimmed.length - 1) {
    throw new S3Error(
      "InvalidArgument",
      "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
      { ArgumentName: "x-amz-copy-source", ArgumentValue: raw },
    );
  }
  const bucket = decodePathPiece(trimmed.slice(0, slash));
  const key = decodePathPiece(trimmed.slice(slash + 1));
  checkBucketName(bucket);
  checkObjectKey(key);
  return { bucket, key, versionId };
}

/** The `versionId` of the copy source's query (its only allowed parameter). */
function sourceVersionId(query: string): string | null {
  let versionId: string | null = null;
  for (const [name, value] of new URLSearchParams(query)) {
    if (name !== "versionId" || value === "") {
      throw new S3Error("InvalidArgument", `Unexpected parameter ${name} in x-amz-copy-source`, {
        ArgumentName: "x-amz-copy-source",
      });
    }
    versionId = value;
  }
  return versionId;
}

const CONDITION_HEADERS = [
  ["x-amz-copy-source-if-match", "if-match"],
  ["x-amz-copy-source-if-none-match", "if-none-match"],
  ["x-amz-copy-source-if-modified-since", "if-modified-since"],
  ["x-amz-copy-source-if-unmodified-since", "if-unmodified-since"],
] as const;

/**
 * Throws `PreconditionFailed` unless the copy-source conditions hold for the source's `validators`. As
 * S3 documents: if-match true with if-unmodified-since false copies; if-none-match false with
 * if-modified-since true fails. That is RFC 9110's GET order with "not modified" turned into a failure.
 */
export function checkCopySourceConditions(headers: Headers, validators: Validators): void {
  const mapped = new Headers();
  for (const [copyName, plainName] of CONDITION_HEADERS) {
    const value = headers.get(copyName);
    if (value !== null) mapped.set(plainName, value);
  }
  if ([...mapped.keys()].length === 0) return;
  const outcome = evaluatePreconditions("GET", mapped, validators);
  if (outcome.kind === "proceed") return;
  const condition = outcome.kind === "failed"
    ? `x-amz-copy-source-${outcome.condition}`
    : mapped.has("if-none-match")
    ? "x-amz-copy-source-If-None-Match"
    : "x-amz-copy-source-If-Modified-Since";
  throw new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", {
    Condition: condition,
  });
}

const COPY_RANGE = /^bytes=(\d{1,20})-(\d{1,20})$/;

/**
 * UploadPartCopy's `x-amz-copy-source-range` (`bytes=first-last`, both required, zero-based, inclusive) for
 * a source of `sizeBytes`; null when absent (the whole source). A range past the end is `InvalidRange`.
 */
export function parseCopySourceRange(headers: Headers, sizeBytes: number): ByteRange | null {
  const raw = headers.get("x-amz-copy-source-range");
  if (raw === null) return null;
  const match = COPY_RANGE.exec(raw.trim());
  const first = match === null ? NaN : Number(match[1]);
  const last = match === null ? NaN : Number(match[2]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) {
    throw new S3Error(
      "InvalidArgument",
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are " +
        "the zero-based offsets of the first and last bytes to copy",
      { ArgumentName: "x-amz-copy-source-range", ArgumentValue: raw },
    );
  }
  if (last >= sizeBytes) {
    throw new S3Error("InvalidRange", "The requested range is not satisfiable", {
      ActualObjectSize: String(sizeBytes),
    });
  }
  return { start: first, end: last };
}
