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
  const out: number[] = [];
  let literalStart = 0;
  const flushLiteral = (end: number) => {
    if (end > literalStart) {
      for (const byte of textEncoder.encode(text.slice(literalStart, end))) out.push(byte);
    }
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25 && i + 2 < text.length) {
      const high = hexValue(text.charCodeAt(i + 1));
      const low = hexValue(text.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        flushLiteral(i);
        out.push(high * 16 + low);
        i += 2;
        literalStart = i + 1;
      }
    } else if (code === 0x2b && plusIsSpace) {
      flushLiteral(i);
      out.push(0x20);
      literalStart = i + 1;
    }
  }
  flushLiteral(text.length);
  return Uint8Array.from(out);
}

/** RFC 3986 encoding of `bytes`: unreserved characters kept, every other byte as upper-case `%XX`. */
export function uriEncodeBytes(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += isUnreserved(byte) ? String.fromCharCode(byte) : PERCENT_ENCODED[byte];
  return out;
}

/** Canonical form of one path segment or query component: decoded as sent, then encoded per RFC 3986. */
export function reencodeComponent(text: string, plusIsSpace: boolean): string {
  return uriEncodeBytes(percentDecodeToBytes(text, plusIsSpace));
}

/** Text of one query component, decoded (`+` as space) and read as UTF-8. */
export function decodeQueryComponent(text: string): string {
  return textDecoder.decode(percentDecodeToBytes(text, true));
}
