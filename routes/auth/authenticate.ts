/**
 * The gateway's one entry to SigV4: decides which mechanism a request uses (Authorization header,
 * presigned query or none) and checks it. The canonical path and query come from the raw request
 * target in `request.url` (see `raw_target.ts`), never from a re-parsed `URL`.
 */
import { S3Error } from "../s3_errors.ts";
import type { AuthOptions, AuthResult } from "./auth_types.ts";
import { decodeQuery } from "./canonical_request.ts";
import { parseContentSha256, payloadOfClaim } from "./content_sha256.ts";
import { authenticateWithHeader } from "./header_auth.ts";
import { authenticateWithQuery } from "./presigned_auth.ts";
import { isPresignedQuery } from "./presigned_query.ts";
import { rawRequestTarget } from "./raw_target.ts";
import { SIGV4_ALGORITHM } from "./request_signature.ts";

/**
 * Authenticates `request`: `method` "header" or "presigned" with the verified access key id, or
 * "anonymous" when it carries neither `Authorization` nor SigV4 query parameters. `url` is the parsed
 * request URL (or anything with its `host`, read only when needed); only its host is used, as the signed `host` of requests without a Host header. Throws
 * `S3Error` (InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed, AccessDenied,
 * AuthorizationHeaderMalformed, AuthorizationQueryParametersError, InvalidRequest, InvalidArgument).
 */
export async function authenticateRequest(
  request: Request,
  url: { readonly host: string },
  options: AuthOptions,
): Promise<AuthResult> {
  const plain = plainAnonymous(request);
  if (plain !== null) return plain;
  const authorization = request.headers.get("authorization");
  const target = rawRequestTarget(request.url);
  const pairs = decodeQuery(target.query);
  const presigned = isPresignedQuery(pairs);
  const signatureV2 = pairs.some(([name]) => name === "AWSAccessKeyId") &&
    pairs.some(([name]) => name === "Signature");
  if (authorization !== null && (presigned || signatureV2)) {
    throw new S3Error(
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string " +
        "parameter or the Authorization header should be specified",
      { ArgumentName: "Authorization" },
    );
  }
  if (authorization !== null) {
    return await authenticateWithHeader(request, target, url.host, authorization, options);
  }
  if (presigned) return await authenticateWithQuery(request, target, url.host, pairs, options);
  if (signatureV2) {
    throw new S3Error(
      "InvalidRequest",
      `The authorization mechanism you have provided (query string Signature Version 2) is not supported. ` +
        `Please use ${SIGV4_ALGORITHM}.`,
    );
  }
  return anonymous(request.headers);
}

/**
 * The result for the most common request of a CDN origin, synchronously: no `Authorization` header and
 * no query string at all (so no presigned credentials) means an anonymous request. Null otherwise.
 * Callers on a hot path use it to skip the asynchronous `authenticateRequest`.
 */
export function plainAnonymous(request: Request): AuthResult | null {
  if (request.url.includes("?") || request.headers.has("authorization")) return null;
  return anonymous(request.headers);
}

/** An anonymous request still gets its body checked against any `x-amz-content-sha256` it sends. */
function anonymous(headers: Headers): AuthResult {
  const contentSha256 = headers.get("x-amz-content-sha256")?.trim();
  const claim = contentSha256 === undefined
    ? { kind: "unsigned" as const }
    : parseContentSha256(contentSha256);
  return { accessKeyId: null, method: "anonymous", payload: payloadOfClaim(claim, null) };
}
