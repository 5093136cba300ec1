/**
 * The cluster credential on gateway-to-worker requests. A request carries
 *
 *   x-objstore-date: <milliseconds since the epoch>
 *   x-objstore-auth: <lower-case hex HMAC-SHA256(clusterSecret, METHOD "\n" pathAndQuery "\n" date)>
 *
 * where pathAndQuery is the URL's path plus query exactly as the WHATWG URL parser gives them (what
 * both `fetch` and `Deno.serve` see). A worker refuses a request whose signature is missing or wrong
 * or whose date is further than the allowed skew from its clock, which bounds replays. Signatures are
 * compared in constant time. Import the key once (`importClusterKey`) and reuse it: importing costs
 * more than signing.
 */

import { assert, timingSafeEqual, toHex, utf8 } from "../core/mod.ts";

/** Header carrying the request time in milliseconds since the epoch. */
export const CLUSTER_DATE_HEADER = "x-objstore-date";
/** Header carrying the hex HMAC-SHA256 signature. */
export const CLUSTER_AUTH_HEADER = "x-objstore-auth";
/** Default allowed distance between a request's date and the worker's clock. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The shared cluster secret, as text or as a key from `importClusterKey`. */
export type ClusterSecret = string | CryptoKey;

/** Imports the cluster secret as an HMAC-SHA256 key, to be cached by its user. */
export function importClusterKey(secret: string): Promise<CryptoKey> {
  assert(secret.length > 0, "the cluster secret must not be empty");
  return crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** Returns the two headers that authenticate `method pathAndQuery` at `nowMs`. */
export async function signClusterRequest(
  secret: ClusterSecret,
  method: string,
  pathAndQuery: string,
  nowMs: number,
): Promise<Record<string, string>> {
  assert(Number.isSafeInteger(nowMs) && nowMs >= 0, `nowMs must be a whole number >= 0, got ${nowMs}`);
  const date = String(nowMs);
  return {
    [CLUSTER_DATE_HEADER]: date,
    [CLUSTER_AUTH_HEADER]: await signature(secret, method, pathAndQuery, date),
  };
}

/** The parts of an incoming request the credential covers. */
export interface ClusterRequest {
  /** HTTP method as received. */
  method: string;
  /** URL path plus query (`url.pathname + url.search`). */
  pathAndQuery: string;
  /** Request headers. */
  headers: Headers;
}

/** Whether a request is authentic, and why not when it is not (for the log only). */
export type ClusterVerdict = { ok: true } | { ok: false; reason: string };

/** Checks a request's cluster credential against the secret and the clock. */
export async function verifyClusterRequest(
  secret: ClusterSecret,
  request: ClusterRequest,
  nowMs: number,
  maxClockSkewMs: number = DEFAULT_MAX_CLOCK_SKEW_MS,
): Promise<ClusterVerdict> {
  const date = request.headers.get(CLUSTER_DATE_HEADER);
  const given = request.headers.get(CLUSTER_AUTH_HEADER);
  if (date === null || given === null) {
    return { ok: false, reason: `missing ${date === null ? CLUSTER_DATE_HEADER : CLUSTER_AUTH_HEADER}` };
  }
  if (!/^[0-9]{1,15}$/.test(date)) return { ok: false, reason: "date is not a whole number of ms" };
  const skewMs = Math.abs(nowMs - Number(date));
  if (skewMs > maxClockSkewMs) {
    return { ok: false, reason: `date is ${skewMs} ms from the worker clock, allowed ${maxClockSkewMs} ms` };
  }
  if (!/^[0-9a-f]{64}$/.test(given)) {
    return { ok: false, reason: "signature is not 64 lower-case hex digits" };
  }
  const expected = await signature(secret, request.method, request.pathAndQuery, date);
  if (!timingSafeEqual(utf8(expected), utf8(given))) return { ok: false, reason: "signature does not match" };
  return { ok: true };
}

async function signature(
  secret: ClusterSecret,
  method: string,
  pathAndQuery: string,
  date: string,
): Promise<string> {
  const key = typeof secret === "string" ? await importClusterKey(secret) : secret;
  const message = utf8(`${method.toUpperCase()}\n${pathAndQuery}\n${date}`);
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, message)));
}
