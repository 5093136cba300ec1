/**
 * The SigV4 credential `AKID/YYYYMMDD/region/s3/aws4_request`, shared by the Authorization header and
 * presigned URLs. Each form reports errors with its own S3 code and message prefix, as S3 does.
 */
import { S3Error } from "../s3_errors.ts";
import { SCOPE_TERMINATOR } from "./signing_key.ts";

/** Where the credential came from: decides the error code and wording. */
export type CredentialSource = "header" | "query";

/** The service every credential scope must name. */
export const SERVICE = "s3";

/** A parsed and checked credential. */
export interface Credential {
  /** The access key id the client claims. */
  accessKeyId: string;
  /** Scope date, `YYYYMMDD`. */
  date: string;
  /** Scope region (equal to the gateway's region once parsed). */
  region: string;
  /** Scope service (`s3`). */
  service: string;
  /** `date/region/service/aws4_request`, as it appears in strings to sign. */
  scope: string;
}

const ACCESS_KEY_ID = /^[\x21-\x2e\x30-\x7e]{1,128}$/;
const SCOPE_DATE = /^\d{8}$/;

/** An error of the given source: `AuthorizationHeaderMalformed` or `AuthorizationQueryParametersError`. */
export function credentialError(
  source: CredentialSource,
  problem: string,
  details: Record<string, string> = {},
): S3Error {
  return source === "header"
    ? new S3Error(
      "AuthorizationHeaderMalformed",
      `The authorization header is malformed; ${problem}`,
      details,
    )
    : new S3Error(
      "AuthorizationQueryParametersError",
      `Error parsing the X-Amz-Credential parameter; ${problem}`,
      details,
    );
}

/** Parses `text` and checks its date syntax, region, service and terminator. */
export function parseCredential(text: string, expectedRegion: string, source: CredentialSource): Credential {
  const parts = text.split("/");
  if (parts.length !== 5 || !ACCESS_KEY_ID.test(parts[0]) || !SCOPE_DATE.test(parts[1]) || parts[2] === "") {
    throw credentialError(
      source,
      `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request", got ` +
        JSON.stringify(text.slice(0, 200)) + ".",
    );
  }
  const [accessKeyId, date, region, service, terminator] = parts;
  if (region !== expectedRegion) {
    throw credentialError(source, `the region '${region}' is wrong; expecting '${expectedRegion}'`, {
      Region: expectedRegion,
    });
  }
  if (service !== SERVICE) {
    throw credentialError(source, `incorrect service "${service}". This endpoint belongs to "${SERVICE}".`);
  }
  if (terminator !== SCOPE_TERMINATOR) {
    throw credentialError(
      source,
      `incorrect terminal "${terminator}". This endpoint uses "${SCOPE_TERMINATOR}".`,
    );
  }
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/${SCOPE_TERMINATOR}` };
}
