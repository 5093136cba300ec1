/**
 * SigV4 signing keys: the HMAC-SHA256 chain `AWS4`+secret → date → region → service → `aws4_request`.
 * A key is valid for a whole day, so a bounded cache saves four HMACs per request for busy keys.
 */
import { createHmac } from "node:crypto";

/** The fixed terminator of every SigV4 credential scope. */
export const SCOPE_TERMINATOR = "aws4_request";

/** HMAC-SHA256 of `data` under `key`. */
export function hmacSha256(key: Uint8Array | string, data: string): Uint8Array {
  return createHmac("sha256", key).update(data).digest();
}

/** Derives the signing key of `secretAccessKey` for one day (`YYYYMMDD`), region and service. */
export function deriveSigningKey(
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
): Uint8Array {
  const dateKey = hmacSha256("AWS4" + secretAccessKey, date);
  const regionKey = hmacSha256(dateKey, region);
  const serviceKey = hmacSha256(regionKey, service);
  return hmacSha256(serviceKey, SCOPE_TERMINATOR);
}

/** Default number of signing keys one `SigningKeyCache` keeps. */
export const DEFAULT_SIGNING_KEY_CACHE_ENTRIES = 1024;

/**
 * Derived signing keys per (secret, date, region, service), at most `maxEntries` of them; the least
 * recently used one is dropped first. Owned by whoever creates it (the gateway, once), never global.
 */
export class SigningKeyCache {
  readonly #maxEntries: number;
  readonly #keys = new Map<string, Uint8Array>();

  constructor(maxEntries = DEFAULT_SIGNING_KEY_CACHE_ENTRIES) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`Expected a positive whole number of cache entries, got ${maxEntries}`);
    }
    this.#maxEntries = maxEntries;
  }

  /** Number of keys held now. */
  get size(): number {
    return this.#keys.size;
  }

  /** The signing key for this scope, derived on a miss. */
  get(secretAccessKey: string, date: string, region: string, service: string): Uint8Array {
    const cacheKey = `${date}\n${region}\n${service}\n${secretAccessKey}`;
    const cached = this.#keys.get(cacheKey);
    if (cached !== undefined) {
      // Re-insert so that the Map's insertion order doubles as recency order.
      this.#keys.delete(cacheKey);
      this.#keys.set(cacheKey, cached);
      return cached;
    }
    const key = deriveSigningKey(secretAccessKey, date, region, service);
    if (this.#keys.size >= this.#maxEntries) {
      const oldest = this.#keys.keys().next();
      if (!oldest.done) this.#keys.delete(oldest.value);
    }
    this.#keys.set(cacheKey, key);
    return key;
  }
}
