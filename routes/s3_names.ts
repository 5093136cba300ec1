/**
 * S3 naming rules: bucket names (the general-purpose bucket rules) and object keys (non-empty, at most
 * 1024 bytes of valid UTF-8). Pure functions, table-tested.
 */
import { MAX_KEY_BYTES } from "../storage/mod.ts";
import { S3Error } from "./s3_errors.ts";

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
/** Names the gateway keeps for itself: an unsigned `GET /metrics` serves Prometheus metrics. */
const RESERVED_NAMES = ["metrics"];

/** The reason `name` is not a valid bucket name, or null when it is. */
export function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long, got ${name.length}`;
  if (!BUCKET_NAME.test(name)) {
    return "may hold only lower-case letters, digits, '.' and '-', and must begin and end with a letter or digit";
  }
  if (name.includes("..")) return "must not contain two adjacent periods";
  if (name.includes(".-") || name.includes("-.")) return "must not contain '.-' or '-.'";
  if (IP_ADDRESS.test(name)) return "must not be formatted as an IP address";
  if (RESERVED_NAMES.includes(name)) return "is reserved by this gateway (its metrics endpoint is /metrics)";
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `must not start with the reserved prefix ${prefix}`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) return `must not end with the reserved suffix ${suffix}`;
  return null;
}

/** Names that passed `checkBucketName` lately; cleared when full, so it stays small. */
const validNames = new Set<string>();
const MAX_REMEMBERED_NAMES = 4096;

/** Throws `InvalidBucketName` unless `name` is a valid bucket name (checked once per name while remembered). */
export function checkBucketName(name: string): void {
  if (validNames.has(name)) return;
  const problem = bucketNameProblem(name);
  if (problem === null) {
    if (validNames.size >= MAX_REMEMBERED_NAMES) validNames.clear();
    validNames.add(name);
    return;
  }
  throw new S3Error("InvalidBucketName", `The bucket name ${JSON.stringify(name)} ${problem}`, {
    BucketName: name,
  });
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * Decodes a percent-encoded path piece into text, requiring valid UTF-8. Throws `InvalidURI`-style
 * `InvalidArgument` on a broken escape or invalid UTF-8.
 */
export function decodePathPiece(raw: string): string {
  if (!raw.includes("%")) {
    return raw;
  }
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (ch === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new S3Error(
          "InvalidArgument",
          `The path holds a broken percent escape near ${JSON.stringify(raw.slice(i, i + 3))}`,
        );
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch < 0x80) {
      bytes.push(ch);
    } else {
      const codePoint = raw.codePointAt(i)!;
      bytes.push(...utf8Encoder.encode(String.fromCodePoint(codePoint)));
      if (codePoint > 0xffff) i++;
    }
  }
  try {
    return utf8Decoder.decode(new Uint8Array(bytes));
  } catch {
    throw new S3Error("InvalidArgument", "Object keys must be valid UTF-8");
  }
}

/** Throws unless `key` is a valid object key: non-empty, at most 1024 UTF-8 bytes. */
export function checkObjectKey(key: string): void {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short keys need no encoding to be measured.
  const byteLength = key.length * 3 <= MAX_KEY_BYTES ? key.length : utf8Encoder.encode(key).length;
  if (byteLength > MAX_KEY_BYTES) {
    throw new S3Error("KeyTooLongError", `Your key is ${byteLength} bytes; the limit is ${MAX_KEY_BYTES}`);
  }
  if (key.length === 0) throw new S3Error("InvalidArgument", "Object keys must not be empty");
}
