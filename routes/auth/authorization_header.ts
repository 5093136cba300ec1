/**
 * Strict parser of the SigV4 `Authorization` header:
 * `AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=<64 hex>`.
 * Anything else is `AuthorizationHeaderMalformed`, except another known scheme (SigV2 `AWS AKID:sig`,
 * SigV4a, bearer tokens), which is `InvalidRequest` naming the one mechanism accepted.
 */
import { S3Error } from "../s3_errors.ts";
import { type Credential, parseCredential } from "./credential_scope.ts";
import { SIGV4_ALGORITHM } from "./request_signature.ts";
import { parseSignedHeaders } from "./signed_headers.ts";

/** Longest Authorization header looked at (a bound on parsing work). */
export const MAX_AUTHORIZATION_HEADER_BYTES = 8192;

/** A parsed SigV4 Authorization header. */
export interface AuthorizationHeader {
  /** The credential, with its region already checked. */
  credential: Credential;
  /** Lower-case signed header names, in the client's order. */
  signedHeaders: string[];
  /** Lower-case hex signature. */
  signature: string;
}

const SIGNATURE = /^[0-9a-fA-F]{64}$/;
const COMPONENTS = ["Credential", "SignedHeaders", "Signature"] as const;
type Component = typeof COMPONENTS[number];

function malformed(problem: string): S3Error {
  return new S3Error("AuthorizationHeaderMalformed", `The authorization header is malformed; ${problem}`);
}

/** Parses `value` strictly and checks the credential's region against `expectedRegion`. */
export function parseAuthorizationHeader(value: string, expectedRegion: string): AuthorizationHeader {
  if (value.length > MAX_AUTHORIZATION_HEADER_BYTES) {
    throw malformed(`it is ${value.length} bytes long, the limit is ${MAX_AUTHORIZATION_HEADER_BYTES}.`);
  }
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    if (space > 0 && /^[A-Za-z0-9-]+$/.test(algorithm)) {
      throw new S3Error(
        "InvalidRequest",
        `The authorization mechanism you have provided (${algorithm.slice(0, 40)}) is not supported. ` +
          `Please use ${SIGV4_ALGORITHM}.`,
      );
    }
    throw malformed(`expecting "${SIGV4_ALGORITHM} Credential=..., SignedHeaders=..., Signature=...".`);
  }
  if (space < 0) throw malformed("it has no Credential, SignedHeaders or Signature.");
  const components = parseComponents(trimmed.slice(space + 1));
  const credential = parseCredential(components.Credential, expectedRegion, "header");
  const signedHeaders = parseSignedHeaders(components.SignedHeaders);
  if (signedHeaders === null) {
    throw malformed(
      `SignedHeaders must be lower-case header names separated by ";", got ${
        JSON.stringify(components.SignedHeaders.slice(0, 200))
      }.`,
    );
  }
  if (!SIGNATURE.test(components.Signature)) {
    throw malformed(`Signature must be 64 hex digits, got ${components.Signature.length} characters.`);
  }
  return { credential, signedHeaders, signature: components.Signature.toLowerCase() };
}

/** `Name=value` components separated by commas (spaces allowed around them), each exactly once. */
function parseComponents(text: string): Record<Component, string> {
  const found = new Map<Component, string>();
  for (const piece of text.split(",")) {
    const part = piece.trim();
    const equals = part.indexOf("=");
    const name = equals < 0 ? part : part.slice(0, equals);
    if (!(COMPONENTS as readonly string[]).includes(name)) {
      throw malformed(
        `unexpected component ${JSON.stringify(name.slice(0, 40))}; expecting Credential, ` +
          `SignedHeaders and Signature.`,
      );
    }
    const component = name as Component;
    if (equals < 0 || found.has(component)) {
      throw malformed(`${component} must appear once as ${component}=value.`);
    }
    found.set(component, part.slice(equals + 1));
  }
  const missing = COMPONENTS.filter((name) => !found.has(name));
  if (missing.length > 0) throw malformed(`missing ${missing.join(", ")}.`);
  return Object.fromEntries(found) as Record<Component, string>;
}
