/** The `SignedHeaders` list: lower-case header names separated by `;`, each listed once. */
import { S3Error } from "../s3_errors.ts";

/** Most names one `SignedHeaders` list may hold (a bound on work per request). */
export const MAX_SIGNED_HEADERS = 128;

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** The names of `text`, or `null` when it is empty, has an invalid or duplicate name, or is too long. */
export function parseSignedHeaders(text: string): string[] | null {
  const names = text.split(";");
  if (names.length > MAX_SIGNED_HEADERS) return null;
  const seen = new Set<string>();
  for (const name of names) {
    if (!HEADER_NAME.test(name) || seen.has(name)) return null;
    seen.add(name);
  }
  return names;
}

/**
 * Throws `AccessDenied` (as S3 does for headers it requires to be signed) when any of `required` is
 * missing from `signedHeaders`.
 */
export function requireSignedHeaders(signedHeaders: readonly string[], required: readonly string[]): void {
  const missing = required.filter((name) => !signedHeaders.includes(name));
  if (missing.length > 0) {
    throw new S3Error(
      "AccessDenied",
      `There were headers present in the request which were not signed: ${missing.join(", ")} must be ` +
        `in SignedHeaders, which lists ${signedHeaders.join(";")}`,
      { HeadersNotSigned: missing.join(", ") },
    );
  }
}
