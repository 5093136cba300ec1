/**
 * SigV4 in the query string (presigned URLs). The payload hash line is `UNSIGNED-PAYLOAD` unless the
 * URL carries `X-Amz-Content-Sha256` (the AWS SDK presigner hoists it there) or the request carries
 * an `x-amz-content-sha256` header; `X-Amz-Signature` itself is left out of the canonical query.
 */
import type { AuthOptions, AuthResult } from "./auth_types.ts";
import { parseContentSha256, payloadOfClaim, UNSIGNED_PAYLOAD } from "./content_sha256.ts";
import { checkPresignedTime, parsePresignedQuery } from "./presigned_query.ts";
import type { RawTarget } from "./raw_target.ts";
import { lookupSecret, signingKeyFor, verifySignature } from "./signature_check.ts";
import { requireSignedHeaders } from "./signed_headers.ts";
import { MAX_CLOCK_SKEW_MS } from "../../storage/core/mod.ts";

/** Checks a presigned request given its decoded query `pairs`; returns who signed it. */
export async function authenticateWithQuery(
  request: Request,
  target: RawTarget,
  hostFallback: string,
  pairs: readonly [string, string][],
  options: AuthOptions,
): Promise<AuthResult> {
  const query = parsePresignedQuery(pairs, options.region);
  requireSignedHeaders(query.signedHeaders, ["host"]);
  const payloadHash = (query.contentSha256 ?? request.headers.get("x-amz-content-sha256") ?? UNSIGNED_PAYLOAD)
    .trim();
  const claim = parseContentSha256(payloadHash);
  const secret = await lookupSecret(options, query.credential.accessKeyId);
  checkPresignedTime(query, options.nowMs, options.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS);
  verifySignature({
    request,
    target,
    hostFallback,
    signedHeaders: query.signedHeaders,
    payloadHash,
    amzDate: query.amzDate,
    credential: query.credential,
    signingKey: signingKeyFor(options, secret, query.credential),
    providedSignature: query.signature,
    excludedQueryName: "X-Amz-Signature",
  });
  return {
    accessKeyId: query.credential.accessKeyId,
    method: "presigned",
    payload: payloadOfClaim(claim, null),
  };
}
