/**
 * The request headers that say what the body must be: lengths, `Content-MD5`, one `x-amz-checksum-*`
 * header or a checksum trailer named by `x-amz-trailer`. Parsed before the body is read, so a
 * malformed header fails the request before any byte is stored.
 */
import { fromBase64 } from "../../storage/core/mod.ts";
import { S3Error } from "../s3_errors.ts";
import type { PayloadMode } from "./auth_types.ts";
import {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_HEADER_PREFIX,
  type ChecksumAlgorithm,
  checksumAlgorithmOf,
  checksumHeaderName,
  decodeChecksumValue,
} from "./checksum_algorithms.ts";

/** What the body will be checked against. */
export interface PayloadChecks {
  /** `Content-Length`: exact size of the body as sent, or `null`. */
  contentLength: number | null;
  /** Whether the body is aws-chunked (a `STREAMING-…` payload mode). */
  chunked: boolean;
  /** `x-amz-decoded-content-length` of an aws-chunked body, or `null`. */
  decodedContentLength: number | null;
  /** SHA-256 the decoded body must have (signed payloads), or `null`. */
  sha256Hex: string | null;
  /** MD5 from `Content-MD5`, or `null`. */
  contentMd5: Uint8Array | null;
  /** The flexible checksum to verify; `expected` is `null` when it comes in the trailer. */
  checksum: { algorithm: ChecksumAlgorithm; expected: Uint8Array | null } | null;
}

/** `x-amz-checksum-*` headers that name a mode or an algorithm rather than carry a value. */
const NON_VALUE_CHECKSUM_HEADERS = ["x-amz-checksum-algorithm", "x-amz-checksum-type", "x-amz-checksum-mode"];

function parseLength(headers: Headers, name: string): number | null {
  const text = headers.get(name)?.trim();
  if (text === undefined) return null;
  if (!/^\d{1,15}$/.test(text)) {
    throw new S3Error("InvalidRequest", `${name} must be a byte count, got "${text}"`);
  }
  return Number(text);
}

function parseContentMd5(headers: Headers): Uint8Array | null {
  const text = headers.get("content-md5")?.trim();
  if (text === undefined) return null;
  let digest: Uint8Array | null = null;
  try {
    if (/^[A-Za-z0-9+/]{22}==$/.test(text)) digest = fromBase64(text);
  } catch {
    digest = null;
  }
  if (digest === null || digest.length !== 16) {
    throw new S3Error(
      "InvalidDigest",
      "The Content-MD5 you specified was invalid: expected base64 of 16 bytes.",
      {
        "Content-MD5": text.slice(0, 64),
      },
    );
  }
  return digest;
}

function unsupportedChecksum(name: string): S3Error {
  return new S3Error(
    "NotImplemented",
    `${name} is not supported here; use one of ${CHECKSUM_ALGORITHMS.map(checksumHeaderName).join(", ")}`,
  );
}

/** The one `x-amz-checksum-<algorithm>` header with its decoded value, or `null`. */
function parseChecksumHeader(headers: Headers): PayloadChecks["checksum"] {
  const found: PayloadChecks["checksum"][] = [];
  for (const [name, value] of headers) {
    if (!name.startsWith(CHECKSUM_HEADER_PREFIX) || NON_VALUE_CHECKSUM_HEADERS.includes(name)) continue;
    const algorithm = checksumAlgorithmOf(name);
    if (algorithm === null) throw unsupportedChecksum(name);
    const expected = decodeChecksumValue(algorithm, value.trim());
    if (expected === null) throw new S3Error("InvalidRequest", `Value for ${name} header is invalid.`);
    found.push({ algorithm, expected });
  }
  if (found.length > 1) {
    throw new S3Error(
      "InvalidRequest",
      `Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed (got ${found.length}).`,
    );
  }
  return found[0] ?? null;
}

/** The checksum named by `x-amz-trailer`, checked against the payload mode. */
function parseTrailerDeclaration(headers: Headers, payload: PayloadMode): ChecksumAlgorithm | null {
  const name = headers.get("x-amz-trailer")?.trim().toLowerCase();
  if (name === undefined || name === "") return null;
  const trailerAllowed = payload.kind === "streaming-unsigned-trailer" ||
    (payload.kind === "streaming-signed" && payload.trailer);
  if (!trailerAllowed) {
    throw new S3Error(
      "InvalidRequest",
      `x-amz-trailer needs x-amz-content-sha256 STREAMING-UNSIGNED-PAYLOAD-TRAILER or ` +
        `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER (payload mode is ${payload.kind})`,
    );
  }
  const algorithm = checksumAlgorithmOf(name);
  if (algorithm === null) {
    if (name.startsWith(CHECKSUM_HEADER_PREFIX)) throw unsupportedChecksum(name);
    throw new S3Error("InvalidRequest", `x-amz-trailer must name an x-amz-checksum- trailer, got "${name}"`);
  }
  return algorithm;
}

/** How to read the body headers of a request. */
export interface PayloadCheckOptions {
  /**
   * The request's `x-amz-checksum-*` header describes the object being made, not this body (as on
   * CompleteMultipartUpload): the body is not checked against it.
   */
  readonly checksumHeadersDescribeObject?: boolean;
}

/** Reads the body-describing headers of a request authenticated with `payload`; throws on malformed ones. */
export function payloadChecks(
  headers: Headers,
  payload: PayloadMode,
  options: PayloadCheckOptions = {},
): PayloadChecks {
  const chunked = payload.kind === "streaming-signed" || payload.kind === "streaming-unsigned-trailer";
  const headerChecksum = options.checksumHeadersDescribeObject ? null : parseChecksumHeader(headers);
  const trailerAlgorithm = parseTrailerDeclaration(headers, payload);
  if (headerChecksum !== null && trailerAlgorithm !== null) {
    throw new S3Error(
      "InvalidRequest",
      "Expecting a single x-amz-checksum- header or trailer. Multiple checksum Types are not allowed.",
    );
  }
  return {
    contentLength: parseLength(headers, "content-length"),
    chunked,
    decodedContentLength: chunked ? parseLength(headers, "x-amz-decoded-content-length") : null,
    sha256Hex: payload.kind === "signed" ? payload.sha256Hex : null,
    contentMd5: parseContentMd5(headers),
    checksum: trailerAlgorithm !== null ? { algorithm: trailerAlgorithm, expected: null } : headerChecksum,
  };
}
