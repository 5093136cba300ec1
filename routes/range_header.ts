/**
 * The `Range` request header for GetObject (RFC 9110 §14): `bytes=a-b`, `bytes=a-`, `bytes=-n`.
 * Malformed or multi-range headers are ignored (the whole object is served, as S3 does); a range that
 * cannot be satisfied is `InvalidRange` (416).
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
