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
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
      throw new S3Error(
        "InvalidArgument",
        `${parameter} must not contain control characters`,
        { ArgumentName: parameter, ArgumentValue: value.replace(/[\u0000-\u001f\u007f]/g, "?") },
      );
    }
    overrides.set(header, asByteString(value.trim()));
  }
  return overrides;
}

/** Sets each override on `headers`, replacing the stored value. */
export function applyResponseOverrides(headers: Headers, overrides: ResponseOverrides): void {
  for (const [name, value] of overrides) headers.set(name, value);
}

/**
 * HTTP header values are bytes; `Headers` takes them as a string of code units 0–255. Encoding the
 * text as UTF-8 first puts its UTF-8 bytes on the wire, the same way stored metadata round-trips.
 */
function asByteString(text: string): string {
  if (!/[^\u0000-\u007f]/.test(text)) return text;
  let bytes = "";
  for (const byte of new TextEncoder().encode(text)) bytes += String.fromCharCode(byte);
  return bytes;
}
