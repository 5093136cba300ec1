/**
 * SigV4 in the `Authorization` header. S3 requires `host`, `x-amz-content-sha256` and the date header
 * to be signed, and `x-amz-content-sha256` to be present: it is the payload hash line of the canonical
 * request and decides how the body is checked afterwards.
 */
import { S3Error } from "../s3_errors.ts";
import { formatAmzDate, parseAmzDate, parseHttpDate } from "./amz_date.ts";
import type { AuthOptions, AuthResult } from "./auth_types.ts";
import { parseAuthorizationHeader } from "./authorization_header.ts";
import { parseContentSha256, payloadOfClaim } from "./content_sha256.ts";
import type { RawTarget } from "./raw_target.ts";
import { checkClockSkew, lookupSecret, signingKeyFor, verifySignature } from "./signature_check.ts";
import { requireSignedHeaders } from "./signed_headers.ts";
import { MAX_CLOCK_SKEW_MS } from "../../storage/core/mod.ts";

/** The request time: from `x-amz-date`, else from `Date`. */
interface RequestTime {
  /** Milliseconds since the epoch. */
  ms: number;
  /** ISO 8601 basic form, as it goes into strings to sign. */
  amzDate: string;
  /** Which header it came from (it must be signed). */
  headerName: "x-amz-date" | "date";
}

function requestTime(headers: Headers): RequestTime {
  const amzDate = headers.get("x-amz-date");
  if (amzDate !== null) {
    const ms = parseAmzDate(amzDate.trim());
    if (ms !== null) return { ms, amzDate: amzDate.trim(), headerName: "x-amz-date" };
  } else {
    const date = headers.get("date");
    const ms = date === null ? null : parseHttpDate(date);
    if (ms !== null) return { ms, amzDate: formatAmzDate(ms), headerName: "date" };
  }
  throw new S3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
}

/** Checks a request that carries `Authorization`; returns who signed it and how its body is protected. */
export async function authenticateWithHeader(
  request: Request,
  target: RawTarget,
  hostFallback: string,
  authorization: string,
  options: AuthOptions,
): Promise<AuthResult> {
  const parsed = parseAuthorizationHeader(authorization, options.region);
  const contentSha256 = request.headers.get("x-amz-content-sha256")?.trim();
  if (contentSha256 === undefined) {
    throw new S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  }
  const claim = parseContentSha256(contentSha256);
  const time = requestTime(request.headers);
  requireSignedHeaders(parsed.signedHeaders, ["host", "x-amz-content-sha256", time.headerName]);
  const { credential } = parsed;
  if (credential.date !== time.amzDate.slice(0, 8)) {
    throw new S3Error(
      "AuthorizationHeaderMalformed",
      `The authorization header is malformed; Invalid credential date "${credential.date}". ` +
        `This date is not the same as X-Amz-Date: "${time.amzDate}".`,
    );
  }
  const secret = await lookupSecret(options, credential.accessKeyId);
  checkClockSkew(time.ms, options.nowMs, options.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS);
  const signingKey = signingKeyFor(options, secret, credential);
  const signature = verifySignature({
    request,
    target,
    hostFallback,
    signedHeaders: parsed.signedHeaders,
    payloadHash: contentSha256,
    amzDate: time.amzDate,
    credential,
    signingKey,
    providedSignature: parsed.signature,
  });
  const payload = payloadOfClaim(claim, {
    signingKey,
    amzDate: time.amzDate,
    scope: credential.scope,
    seedSignature: signature,
  });
  return { accessKeyId: credential.accessKeyId, method: "header", payload };
}
