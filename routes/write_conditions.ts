/**
 * The conditional-write headers of PutObject, CompleteMultipartUpload (`If-None-Match: *`, `If-Match`) and
 * DeleteObject (`If-Match`), parsed into the `WriteCondition` the object service checks in its commit.
 */
import type { WriteCondition } from "../tiers/mod.ts";
import { S3Error } from "./s3_errors.ts";

/**
 * The write condition of a request. `If-None-Match` is read only where S3 supports it (`put`), and there
 * only `*`; S3 answers any other value with NotImplemented.
 */
export function parseWriteCondition(headers: Headers, kind: "put" | "delete"): WriteCondition {
  const ifMatch = headers.get("if-match");
  const ifNoneMatch = kind === "put" ? headers.get("if-none-match") : null;
  if (ifMatch === null && ifNoneMatch === null) return {};
  if (ifNoneMatch !== null && ifNoneMatch.trim() !== "*") {
    throw new S3Error(
      "NotImplemented",
      "A header you provided implies functionality that is not implemented",
      {
        Header: "If-None-Match",
      },
    );
  }
  return {
    ...(ifMatch === null ? {} : { ifMatch: unquotedEtag(ifMatch) }),
    ...(ifNoneMatch === null ? {} : { ifNoneMatch: "*" as const }),
  };
}

/** An ETag as clients send it (`"abc"`, `abc` or `*`) without its quotes. */
export function unquotedEtag(value: string): string {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1)
    : trimmed;
}
