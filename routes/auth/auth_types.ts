/** The types `authenticateRequest` takes and returns, shared by the header and presigned paths. */
import type { SigningKeyCache } from "./signing_key.ts";

/** What authentication needs from the gateway. */
export interface AuthOptions {
  /** The region this gateway signs for; a credential scope naming another is rejected. */
  region: string;
  /** The secret of `accessKeyId`, or `null` when the key is unknown. */
  lookupSecretKey(accessKeyId: string): Promise<string | null>;
  /** The server's time, in milliseconds since the epoch. */
  nowMs: number;
  /** Largest accepted difference between request time and `nowMs` (default 15 minutes, as S3). */
  maxClockSkewMs?: number;
  /** Cache of derived signing keys; without one every request derives its key (four HMACs). */
  signingKeys?: SigningKeyCache;
}

/** What the chunk decoder needs to check `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` chunk signatures. */
export interface ChunkSigningContext {
  /** The request's derived signing key. */
  signingKey: Uint8Array;
  /** The request's `x-amz-date` (ISO 8601 basic). */
  amzDate: string;
  /** The credential scope, `date/region/s3/aws4_request`. */
  scope: string;
  /** The request signature, which the first chunk signature chains from. */
  seedSignature: string;
}

/** How the body is protected, from `x-amz-content-sha256` (or the presigned/anonymous default). */
export type PayloadMode =
  /** `x-amz-content-sha256` is a hex digest: the body must hash to it. */
  | { kind: "signed"; sha256Hex: string }
  /** `UNSIGNED-PAYLOAD`, or no claim at all (anonymous and presigned requests). */
  | { kind: "unsigned" }
  /** aws-chunked body with a signature per chunk (and, with `trailer`, a signed trailer). */
  | { kind: "streaming-signed"; trailer: boolean; signing: ChunkSigningContext }
  /** aws-chunked body without chunk signatures, ending in a checksum trailer. */
  | { kind: "streaming-unsigned-trailer" };

/** Who sent the request and how its body must be checked. */
export interface AuthResult {
  /** The verified access key id, or `null` for an anonymous request. */
  accessKeyId: string | null;
  /** How the request was authenticated. */
  method: "header" | "presigned" | "anonymous";
  /** How `verifiedBody` must check the body. */
  payload: PayloadMode;
}
