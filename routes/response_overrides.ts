/**
 * The `response-*` query parameters of GetObject and HeadObject, which replace stored response headers
 * for one request (for example a download name for a presigned link). S3 honours them only on signed
 * requests (Authorization header or presigned URL); an anonymous request using them is `InvalidRequest`.
 */
import type { AuthResult } from "./auth/mod.ts";
import { S3Error } from "./s3_errors.ts";

/** Each override query parameter and the response header it sets. */
const OVERRIDE_HEADERS = {
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
  "response-content-language": "content-language",
  "response-content-type": "content-type",
  "response-expires": "expires",
} as const;

/** Response headers to set instead of the stored ones: lower-case header name → wire value. */
export type ResponseOverrides = ReadonlyMap<string, string>;

/**
 * The overrides a request asks for. Values are UTF-8 on the wire (as S3 sends them); a value with a
 * control character cannot be a header and is `InvalidArgument`.
 */
export function parseResponseOverrides(
  params: URLSearchParams,
  authMethod: AuthResult["method"],
): ResponseOverrides {
  if (params.size === 0) return NO_OVERRIDES;
  const overrides = new Map<string, string>();
  for (const [parameter, header] of Object.entries(OVERRIDE_HEADERS)) {
    const value = params.get(parameter);
    if (value === null) continue;
    if (authMethod === "anonymous") {
      throw new S3Error(
        "InvalidRequest",
        "Request specific response headers cannot be used for anonymous GET requests.",
      );
    }
    if (hasControlCharacter(value)) {
      throw new S3Error(
        "InvalidArgument",
        `${parameter} must not contain control characters (other than tab)`,
        { ArgumentName: parameter, ArgumentValue: [...value].map((c) => isControl(c) ? "?" : c).join("") },
      );
    }
    overrides.set(header, asByteString(value.trim()));
  }
  return overrides;
}

/** The overrides of a request without a query (most of them): shared, never modified. */
const NO_OVERRIDES: ResponseOverrides = new Map();

/** Sets each override on `headers`, replacing the stored value. */
export function applyResponseOverrides(headers: Map<string, string>, overrides: ResponseOverrides): void {
  for (const [name, value] of overrides) headers.set(name, value);
}

/**
 * HTTP header values are bytes; `Headers` takes them as a string of code units 0–255. Encoding the
 * text as UTF-8 first puts its UTF-8 bytes on the wire, the same way stored metadata round-trips.
 */
function asByteString(text: string): string {
  if (![...text].some((char) => char.charCodeAt(0) > 0x7f)) return text;
  let bytes = "";
  for (const byte of new TextEncoder().encode(text)) bytes += String.fromCharCode(byte);
  return bytes;
}

/** C0 controls and DEL, which no header value may hold; tab is allowed (RFC 9110 §5.5). */
function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return (code < 0x20 && char !== "\t") || code === 0x7f;
}

function hasControlCharacter(text: string): boolean {
  return [...text].some(isControl);
}
