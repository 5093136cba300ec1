/**
 * The SigV4 canonical request, built the way S3 builds it: the path is NOT double-encoded (each
 * segment is decoded as sent and re-encoded once per RFC 3986, so `%2B`, `+` and `%2b` in a path all
 * become `%2B`), the query is sorted by encoded name then encoded value, and header values are
 * trimmed with runs of spaces collapsed.
 */
import { decodeQueryComponent, reencodeComponent } from "./uri_encoding.ts";

/** Everything a canonical request covers. */
export interface CanonicalRequestInput {
  /** HTTP method, e.g. `PUT`. */
  method: string;
  /** Raw path as sent (see `rawRequestTarget`). */
  rawPath: string;
  /** Raw query as sent, without `?`. */
  rawQuery: string;
  /** Request headers. */
  headers: Headers;
  /** Host to sign when the request carries no `host` header (requests built in-process). */
  hostFallback: string;
  /** Lower-case names of the signed headers, in the order the client listed them. */
  signedHeaders: readonly string[];
  /** The payload hash line: a hex digest, `UNSIGNED-PAYLOAD` or a `STREAMING-…` value. */
  payloadHash: string;
  /** Query parameter left out of the canonical query (`X-Amz-Signature` for presigned URLs). */
  excludedQueryName?: string;
}

/** Canonical URI of a raw path: every `/`-separated segment decoded and re-encoded per RFC 3986. */
export function canonicalUri(rawPath: string): string {
  if (rawPath === "") return "/";
  return rawPath.split("/").map((segment) => reencodeComponent(segment, false)).join("/");
}

/** One query parameter as sent: raw name and raw value (empty when there was no `=`). */
export interface RawQueryParameter {
  /** Name as sent (still percent-encoded). */
  rawName: string;
  /** Value as sent (still percent-encoded). */
  rawValue: string;
}

/** Splits a raw query into its parameters, in order; empty pieces (`a&&b`) are skipped. */
export function splitRawQuery(rawQuery: string): RawQueryParameter[] {
  const parameters: RawQueryParameter[] = [];
  if (rawQuery === "") return parameters;
  for (const piece of rawQuery.split("&")) {
    if (piece === "") continue;
    const equals = piece.indexOf("=");
    parameters.push(
      equals < 0
        ? { rawName: piece, rawValue: "" }
        : { rawName: piece.slice(0, equals), rawValue: piece.slice(equals + 1) },
    );
  }
  return parameters;
}

/** Decoded `[name, value]` pairs of a raw query (`+` read as a space). */
export function decodeQuery(rawQuery: string): [string, string][] {
  return splitRawQuery(rawQuery).map((
    p,
  ) => [decodeQueryComponent(p.rawName), decodeQueryComponent(p.rawValue)]);
}

/**
 * Canonical query string: each name and value re-encoded per RFC 3986 (`+` as sent means a space),
 * sorted by encoded name then encoded value, joined as `name=value` with `&`. Repeated names and
 * empty values are kept; `excludedName` (compared after decoding) is dropped.
 */
export function canonicalQueryString(rawQuery: string, excludedName?: string): string {
  const pairs: [string, string][] = [];
  for (const { rawName, rawValue } of splitRawQuery(rawQuery)) {
    if (excludedName !== undefined && decodeQueryComponent(rawName) === excludedName) continue;
    pairs.push([reencodeComponent(rawName, true), reencodeComponent(rawValue, true)]);
  }
  pairs.sort((a, b) => compareStrings(a[0], b[0]) || compareStrings(a[1], b[1]));
  return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

/** Code-unit order; encoded components are ASCII, so this is byte order. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical header value: surrounding whitespace trimmed, inner runs of spaces and tabs collapsed. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/[ \t]+/g, " ");
}

/** The canonical headers block: one `name:value\n` line per signed header. */
export function canonicalHeaders(
  headers: Headers,
  signedHeaders: readonly string[],
  hostFallback: string,
): string {
  let block = "";
  for (const name of signedHeaders) {
    const value = headers.get(name) ?? (name === "host" ? hostFallback : "");
    block += `${name}:${canonicalHeaderValue(value)}\n`;
  }
  return block;
}

/** The full canonical request text whose SHA-256 goes into the string to sign. */
export function canonicalRequest(input: CanonicalRequestInput): string {
  return [
    input.method,
    canonicalUri(input.rawPath),
    canonicalQueryString(input.rawQuery, input.excludedQueryName),
    canonicalHeaders(input.headers, input.signedHeaders, input.hostFallback),
    input.signedHeaders.join(";"),
    input.payloadHash,
  ].join("\n");
}
