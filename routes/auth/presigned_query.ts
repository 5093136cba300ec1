/**
 * Query-string (presigned URL) SigV4 parameters: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
 * `X-Amz-Expires` (at most a week), `X-Amz-SignedHeaders`, `X-Amz-Signature` and the optional
 * `X-Amz-Content-Sha256`. Malformed parameters are `AuthorizationQueryParametersError`; a URL used
 * outside its validity window is `AccessDenied`, as S3 answers.
 */
import { S3Error } from "../s3_errors.ts";
import { parseAmzDate } from "./amz_date.ts";
import { type Credential, parseCredential } from "./credential_scope.ts";
import { SIGV4_ALGORITHM } from "./request_signature.ts";
import { parseSignedHeaders } from "./signed_headers.ts";

/** Longest validity of a presigned URL S3 allows: 7 days. */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;

/** The query parameters whose presence marks a request as presigned. */
export const PRESIGNED_MARKERS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"] as const;

/** A parsed presigned URL. */
export interface PresignedQuery {
  /** The credential, with its region already checked. */
  credential: Credential;
  /** `X-Amz-Date` as sent. */
  amzDate: string;
  /** `X-Amz-Date` in milliseconds since the epoch. */
  dateMs: number;
  /** `X-Amz-Expires` in seconds. */
  expiresSeconds: number;
  /** Lower-case signed header names, in the client's order. */
  signedHeaders: string[];
  /** Lower-case hex signature. */
  signature: string;
  /** `X-Amz-Content-Sha256` when the URL carries one. */
  contentSha256: string | null;
}

function queryError(message: string): S3Error {
  return new S3Error("AuthorizationQueryParametersError", message);
}

/** True when any of the SigV4 query parameters is present. */
export function isPresignedQuery(pairs: readonly [string, string][]): boolean {
  return pairs.some(([name]) => (PRESIGNED_MARKERS as readonly string[]).includes(name));
}

/** The one value of `name`; throws when it appears more than once. */
function single(pairs: readonly [string, string][], name: string): string | null {
  const values = pairs.filter(([n]) => n === name);
  if (values.length > 1) throw queryError(`${name} must appear once, it appears ${values.length} times.`);
  return values.length === 1 ? values[0][1] : null;
}

/** Parses and checks the SigV4 parameters of decoded query `pairs`. */
export function parsePresignedQuery(
  pairs: readonly [string, string][],
  expectedRegion: string,
): PresignedQuery {
  const algorithm = single(pairs, "X-Amz-Algorithm");
  const credentialText = single(pairs, "X-Amz-Credential");
  const amzDate = single(pairs, "X-Amz-Date");
  const expiresText = single(pairs, "X-Amz-Expires");
  const signedHeadersText = single(pairs, "X-Amz-SignedHeaders");
  const signature = single(pairs, "X-Amz-Signature");
  if (
    algorithm === null || credentialText === null || amzDate === null || expiresText === null ||
    signedHeadersText === null || signature === null
  ) {
    throw queryError(
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, " +
        "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  if (algorithm !== SIGV4_ALGORITHM) {
    throw queryError(`X-Amz-Algorithm only supports "${SIGV4_ALGORITHM}", got ${JSON.stringify(algorithm)}.`);
  }
  const dateMs = parseAmzDate(amzDate);
  if (dateMs === null) {
    throw queryError(
      `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'", got "${amzDate}".`,
    );
  }
  const credential = parseCredential(credentialText, expectedRegion, "query");
  if (credential.date !== amzDate.slice(0, 8)) {
    throw queryError(
      `Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${amzDate}".`,
    );
  }
  const expiresSeconds = parseExpires(expiresText);
  const signedHeaders = parseSignedHeaders(signedHeadersText);
  if (signedHeaders === null) {
    throw queryError(`X-Amz-SignedHeaders must be lower-case header names separated by ";".`);
  }
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) {
    throw queryError(`X-Amz-Signature must be 64 hex digits, got ${signature.length} characters.`);
  }
  // Case-insensitive: a signer that hoists the `x-amz-content-sha256` header keeps the header's case.
  const contentSha256 = single(
    pairs.filter(([name]) => name.toLowerCase() === "x-amz-content-sha256"),
    pairs.find(([name]) => name.toLowerCase() === "x-amz-content-sha256")?.[0] ?? "X-Amz-Content-Sha256",
  );
  return {
    credential,
    amzDate,
    dateMs,
    expiresSeconds,
    signedHeaders,
    signature: signature.toLowerCase(),
    contentSha256,
  };
}

function parseExpires(text: string): number {
  if (!/^-?\d{1,12}$/.test(text)) {
    throw queryError(`X-Amz-Expires should be a number, got "${text.slice(0, 40)}".`);
  }
  const seconds = Number(text);
  if (seconds < 0) throw queryError(`X-Amz-Expires must be non-negative, got ${seconds}.`);
  if (seconds > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw queryError(
      `X-Amz-Expires must be less than a week (in seconds) that is; the maximum expires is ` +
        `${MAX_PRESIGNED_EXPIRES_SECONDS}, got ${seconds}.`,
    );
  }
  return seconds;
}

/**
 * Throws `AccessDenied` when the URL is used before `X-Amz-Date` (beyond the allowed skew) or after
 * `X-Amz-Date + X-Amz-Expires`.
 */
export function checkPresignedTime(query: PresignedQuery, nowMs: number, maxClockSkewMs: number): void {
  if (query.dateMs - maxClockSkewMs > nowMs) {
    throw new S3Error("AccessDenied", "Request is not valid yet", {
      "X-Amz-Date": query.amzDate,
      ServerTime: new Date(nowMs).toISOString(),
    });
  }
  const expiresMs = query.dateMs + query.expiresSeconds * 1000;
  if (nowMs > expiresMs) {
    throw new S3Error("AccessDenied", "Request has expired", {
      "X-Amz-Expires": String(query.expiresSeconds),
      Expires: new Date(expiresMs).toISOString(),
      ServerTime: new Date(nowMs).toISOString(),
    });
  }
}
