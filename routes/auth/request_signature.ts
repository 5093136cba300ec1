/** The SigV4 string to sign, the signature over it, and a constant-time comparison of signatures. */
import { createHash } from "node:crypto";
import { timingSafeEqual, toHex } from "../../storage/core/mod.ts";
import { hmacSha256 } from "./signing_key.ts";

/** The only signing algorithm this gateway accepts. */
export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";

/** SHA-256 hex of the empty string (the payload hash of a request without a body). */
export const EMPTY_SHA256_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Lower-case hex SHA-256 of UTF-8 `text`. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** `AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{sha256(canonicalRequest)}`. */
export function stringToSign(amzDate: string, scope: string, canonicalRequestText: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequestText)}`;
}

/** Lower-case hex HMAC-SHA256 of `text` under the signing key: the signature. */
export function signHex(signingKey: Uint8Array, text: string): string {
  return toHex(hmacSha256(signingKey, text));
}

const textEncoder = new TextEncoder();

/** Compares two hex signatures in time that depends only on their lengths (case-insensitive). */
export function signaturesEqual(expectedHex: string, providedHex: string): boolean {
  return timingSafeEqual(textEncoder.encode(expectedHex), textEncoder.encode(providedHex.toLowerCase()));
}
