/** Steps both SigV4 forms share: secret look-up, signing key, and the constant-time signature check. */
import { S3Error } from "../s3_errors.ts";
import type { AuthOptions } from "./auth_types.ts";
import { canonicalRequest } from "./canonical_request.ts";
import type { Credential } from "./credential_scope.ts";
import type { RawTarget } from "./raw_target.ts";
import { signaturesEqual, signHex, stringToSign } from "./request_signature.ts";
import { deriveSigningKey } from "./signing_key.ts";

/** Everything needed to recompute a request's signature. */
export interface SignatureCheck {
  /** The request (method and headers are signed). */
  request: Request;
  /** Raw path and query as sent. */
  target: RawTarget;
  /** Host signed when the request has no `host` header. */
  hostFallback: string;
  /** Signed header names, in the client's order. */
  signedHeaders: readonly string[];
  /** Payload hash line of the canonical request. */
  payloadHash: string;
  /** Request time in ISO 8601 basic form. */
  amzDate: string;
  /** The checked credential. */
  credential: Credential;
  /** The signing key of the credential's secret and scope. */
  signingKey: Uint8Array;
  /** The signature the client sent. */
  providedSignature: string;
  /** Query parameter left out of the canonical query (`X-Amz-Signature` for presigned URLs). */
  excludedQueryName?: string;
}

/** The secret of `accessKeyId`; `InvalidAccessKeyId` when the gateway does not know the key. */
export async function lookupSecret(options: AuthOptions, accessKeyId: string): Promise<string> {
  const secret = await options.lookupSecretKey(accessKeyId);
  if (secret === null) {
    throw new S3Error(
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
      {
        AWSAccessKeyId: accessKeyId,
      },
    );
  }
  return secret;
}

/** The signing key of `secret` for the credential's scope, from the cache when the options hold one. */
export function signingKeyFor(options: AuthOptions, secret: string, credential: Credential): Uint8Array {
  const { date, region, service } = credential;
  return options.signingKeys?.get(secret, date, region, service) ??
    deriveSigningKey(secret, date, region, service);
}

/** Throws `RequestTimeTooSkewed` when `requestMs` is further than `maxClockSkewMs` from `nowMs`. */
export function checkClockSkew(requestMs: number, nowMs: number, maxClockSkewMs: number): void {
  if (Math.abs(requestMs - nowMs) > maxClockSkewMs) {
    throw new S3Error(
      "RequestTimeTooSkewed",
      `The difference between the request time and the server's time is too large: ` +
        `${Math.round(Math.abs(requestMs - nowMs) / 1000)} s, the limit is ${maxClockSkewMs / 1000} s.`,
      {
        RequestTime: new Date(requestMs).toISOString(),
        ServerTime: new Date(nowMs).toISOString(),
        MaxAllowedSkewMilliseconds: String(maxClockSkewMs),
      },
    );
  }
}

/** Recomputes the signature and compares it in constant time; `SignatureDoesNotMatch` when it differs. */
export function verifySignature(check: SignatureCheck): string {
  const canonical = canonicalRequest({
    method: check.request.method,
    rawPath: check.target.path,
    rawQuery: check.target.query,
    headers: check.request.headers,
    hostFallback: check.hostFallback,
    signedHeaders: check.signedHeaders,
    payloadHash: check.payloadHash,
    excludedQueryName: check.excludedQueryName,
  });
  const toSign = stringToSign(check.amzDate, check.credential.scope, canonical);
  const expected = signHex(check.signingKey, toSign);
  if (!signaturesEqual(expected, check.providedSignature)) {
    throw new S3Error(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. " +
        "Check your key and signing method.",
      {
        AWSAccessKeyId: check.credential.accessKeyId,
        StringToSign: toSign,
        SignatureProvided: check.providedSignature,
        CanonicalRequest: canonical,
      },
    );
  }
  return expected;
}
