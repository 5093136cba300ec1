/**
 * Which bytes GetObject and HeadObject serve: the `Range` request header (RFC 9110 §14: `bytes=a-b`,
 * `bytes=a-`, `bytes=-n`) or the `partNumber` query parameter. Malformed or multi-range headers are
 * ignored (the whole object is served with 200, as S3 does); a range that cannot be satisfied is
 * `InvalidRange` (416). Pure, so table-tested.
 */
import { S3Error } from "./s3_errors.ts";

/** A satisfiable byte range, first and last byte inclusive. */
export interface SatisfiableRange {
  readonly start: number;
  readonly end: number;
}

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/** The range to serve of an object of `sizeBytes`, or null to serve the whole object. */
export function parseRangeHeader(header: string | null, sizeBytes: number): SatisfiableRange | null {
  if (header === null) return null;
  const match = SINGLE_RANGE.exec(header.trim());
  if (match === null) return null;
  const [, first, last] = match;
  if (first === "" && last === "") return null;
  if (first === "") {
    const suffixLength = Number(last);
    if (suffixLength === 0) throw unsatisfiable(sizeBytes);
    if (sizeBytes === 0) throw unsatisfiable(sizeBytes);
    return { start: Math.max(0, sizeBytes - suffixLength), end: sizeBytes - 1 };
  }
  const start = Number(first);
  const end = last === "" ? sizeBytes - 1 : Math.min(Number(last), sizeBytes - 1);
  if (last !== "" && Number(last) < start) return null;
  if (start >= sizeBytes) throw unsatisfiable(sizeBytes);
  return { start, end };
}

function unsatisfiable(sizeBytes: number): S3Error {
  return new S3Error("InvalidRange", "The requested range is not satisfiable", {
    ActualObjectSize: String(sizeBytes),
  });
}

/** Largest part number S3 accepts. */
const MAX_PART_NUMBER = 10_000;

/**
 * The `partNumber` query parameter of GetObject and HeadObject, or null when absent. S3 accepts an
 * integer 1–10000 (`InvalidArgument` otherwise) and refuses it together with a `Range` header
 * (`InvalidRequest`), since both select the bytes to serve.
 */
export function parsePartNumber(params: URLSearchParams, rangeHeader: string | null): number | null {
  const raw = params.get("partNumber");
  if (raw === null) return null;
  const partNumber = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(partNumber >= 1 && partNumber <= MAX_PART_NUMBER)) {
    throw new S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", {
      ArgumentName: "partNumber",
      ArgumentValue: raw,
    });
  }
  if (rangeHeader !== null) {
    throw new S3Error("InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
  }
  return partNumber;
}

/**
 * The error for a `partNumber` the object does not have: 416 `InvalidPartNumber`, with S3's message and
 * details. It carries no `ActualObjectSize`, so the error path adds no `Content-Range`.
 */
export function partNumberNotSatisfiable(partNumber: number, partCount: number): S3Error {
  return new S3Error("InvalidPartNumber", "The requested partnumber is not satisfiable", {
    PartNumberRequested: String(partNumber),
    ActualPartCount: String(partCount),
  });
}
