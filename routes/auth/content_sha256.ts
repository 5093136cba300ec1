/** The values `x-amz-content-sha256` may take, sorted into what they mean for the body. */
import { S3Error } from "../s3_errors.ts";
import type { ChunkSigningContext, PayloadMode } from "./auth_types.ts";

/** `x-amz-content-sha256` for a body that is not hashed. */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
/** aws-chunked body, each chunk signed. */
export const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/** aws-chunked body, each chunk signed, then a signed trailer. */
export const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/** aws-chunked body without signatures, then a checksum trailer (the AWS SDK v3 default for streams). */
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/** What an `x-amz-content-sha256` value claims. */
export type ContentSha256Claim =
  | { kind: "hash"; sha256Hex: string }
  | { kind: "unsigned" }
  | { kind: "streaming-signed"; trailer: boolean }
  | { kind: "streaming-unsigned-trailer" };

/** Classifies an `x-amz-content-sha256` value; anything unknown is `InvalidArgument`, as in S3. */
export function parseContentSha256(value: string): ContentSha256Claim {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { kind: "hash", sha256Hex: value.toLowerCase() };
  switch (value) {
    case UNSIGNED_PAYLOAD:
      return { kind: "unsigned" };
    case STREAMING_SIGNED:
      return { kind: "streaming-signed", trailer: false };
    case STREAMING_SIGNED_TRAILER:
      return { kind: "streaming-signed", trailer: true };
    case STREAMING_UNSIGNED_TRAILER:
      return { kind: "streaming-unsigned-trailer" };
  }
  throw new S3Error(
    "InvalidArgument",
    `x-amz-content-sha256 must be ${UNSIGNED_PAYLOAD}, ${STREAMING_SIGNED}, ${STREAMING_SIGNED_TRAILER}, ` +
      `${STREAMING_UNSIGNED_TRAILER} or a SHA-256 hex digest, got ${JSON.stringify(value.slice(0, 80))}`,
    { ArgumentName: "x-amz-content-sha256", ArgumentValue: value.slice(0, 80) },
  );
}

/**
 * The payload mode of a claim whose request was verified. `signing` is the chunk-signature context of
 * a header-signed request; without one a streaming-signed claim cannot be checked and is rejected.
 */
export function payloadOfClaim(claim: ContentSha256Claim, signing: ChunkSigningContext | null): PayloadMode {
  switch (claim.kind) {
    case "hash":
      return { kind: "signed", sha256Hex: claim.sha256Hex };
    case "unsigned":
      return { kind: "unsigned" };
    case "streaming-unsigned-trailer":
      return { kind: "streaming-unsigned-trailer" };
    case "streaming-signed":
      if (signing === null) {
        throw new S3Error(
          "InvalidRequest",
          `x-amz-content-sha256 ${
            claim.trailer ? STREAMING_SIGNED_TRAILER : STREAMING_SIGNED
          } needs a request ` +
            "signed in the Authorization header, whose signature seeds the chunk signatures",
        );
      }
      return { kind: "streaming-signed", trailer: claim.trailer, signing };
  }
}
