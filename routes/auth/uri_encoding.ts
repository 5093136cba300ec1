/**
 * Percent-decoding and RFC 3986 encoding as SigV4 canonical requests need them. Both work on bytes,
 * so a key whose escapes are not valid UTF-8 still round-trips exactly instead of turning into
 * replacement characters.
 */

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** `%XX` for every byte value, upper-case hex as SigV4 requires. */
const PERCENT_ENCODED: string[] = Array.from(
  { length: 256 },
  (_, byte) => "%" + byte.toString(16).toUpperCase().padStart(2, "0"),
);

/** True for the RFC 3986 unreserved characters `A-Z a-z 0-9 - . _ ~`, which are never encoded. */
function isUnreserved(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x2e || byte === 0x5f || byte === 0x7e;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/**
 * Bytes of `text` with each valid `%XX` escape decoded and every other character UTF-8 encoded. A `%`
 * not followed by two hex digits stays a literal `%` (as WHATWG URL parsing leaves it). With
 * `plusIsSpace`, `+` decodes to a space (query strings, form style).
 */
export function percentDecodeToBytes(text: string, plusIsSpace: boolean): Uint8Array {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, and an escape decodes to fewer bytes than its text.
  const out = new Uint8Array(text.length * 3);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25 && i + 2 < text.length) {
      const high = hexValue(text.charCodeAt(i + 1));
      const low = hexValue(text.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        out[length++] = high * 16 + low;
        i += 2;
        continue;
      }
    }
    if (code === 0x2b && plusIsSpace) {
      out[length++] = 0x20;
    } else if (code < 0x80) {
      out[length++] = code;
    } else {
      // A run of non-ASCII characters is encoded in one call (ASCII is copied above without one).
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) >= 0x80) end++;
      length += textEncoder.encodeInto(text.slice(i, end), out.subarray(length)).written;
      i = end - 1;
    }
  }
  return out.subarray(0, length);
}

/** RFC 3986 encoding of `bytes`: unreserved characters kept, every other byte as upper-case `%XX`. */
export function uriEncodeBytes(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += isUnreserved(byte) ? String.fromCharCode(byte) : PERCENT_ENCODED[byte];
  return out;
}

/** Canonical form of one path segment or query component: decoded as sent, then encoded per RFC 3986. */
export function reencodeComponent(text: string, plusIsSpace: boolean): string {
  // ASCII text (what URLs carry after parsing) is re-encoded straight from its characters: no byte buffer.
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return uriEncodeBytes(percentDecodeToBytes(text, plusIsSpace));
    if (code === 0x25 && i + 2 < text.length) {
      const high = hexValue(text.charCodeAt(i + 1));
      const low = hexValue(text.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        const byte = high * 16 + low;
        out += isUnreserved(byte) ? String.fromCharCode(byte) : PERCENT_ENCODED[byte];
        i += 2;
        continue;
      }
    }
    if (code === 0x2b && plusIsSpace) out += "%20";
    else out += isUnreserved(code) ? text[i] : PERCENT_ENCODED[code];
  }
  return out;
}

/** Text of one query component, decoded (`+` as space) and read as UTF-8. */
export function decodeQueryComponent(text: string): string {
  if (!text.includes("%") && !text.includes("+")) return text;
  return textDecoder.decode(percentDecodeToBytes(text, true));
}
