/**
 * The S3 flexible checksums this gateway verifies: CRC32, CRC32C, CRC-64/NVME, SHA-1 and SHA-256, each sent as
 * base64 of its big-endian digest in `x-amz-checksum-<name>` (a header or an aws-chunked trailer).
 */
import { createHash, type Hash } from "node:crypto";
import { crc32, crc32c, Crc64Nvme, fromBase64 } from "../../storage/core/mod.ts";

/** A checksum algorithm S3 clients may ask for. */
export type ChecksumAlgorithm = "crc32" | "crc32c" | "crc64nvme" | "sha1" | "sha256";

/** Every supported algorithm, in the order S3 documents them. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = [
  "crc32",
  "crc32c",
  "crc64nvme",
  "sha1",
  "sha256",
];

/** Digest size of each algorithm in bytes. */
export const CHECKSUM_DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  crc32: 4,
  crc32c: 4,
  crc64nvme: 8,
  sha1: 20,
  sha256: 32,
};

/** Prefix of every checksum header and trailer name. */
export const CHECKSUM_HEADER_PREFIX = "x-amz-checksum-";

/** A checksum fed piece by piece. */
export interface RunningChecksum {
  /** Adds `bytes` to the checksum. */
  update(bytes: Uint8Array): void;
  /** The big-endian digest of everything added; call once. */
  digest(): Uint8Array;
}

/** Header (and trailer) name of `algorithm`, e.g. `x-amz-checksum-crc32`. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return CHECKSUM_HEADER_PREFIX + algorithm;
}

/** The algorithm a checksum header name stands for, or `null` for one this gateway does not know. */
export function checksumAlgorithmOf(headerName: string): ChecksumAlgorithm | null {
  const name = headerName.toLowerCase();
  return CHECKSUM_ALGORITHMS.find((algorithm) => checksumHeaderName(algorithm) === name) ?? null;
}

/** Digest bytes of a base64 checksum value, or `null` when it is not base64 of the right size. */
export function decodeChecksumValue(algorithm: ChecksumAlgorithm, base64: string): Uint8Array | null {
  const size = CHECKSUM_DIGEST_BYTES[algorithm];
  // Exact canonical length, so `AAAAAA==x` or padding tricks never decode to a valid-looking digest.
  if (base64.length !== 4 * Math.ceil(size / 3) || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  try {
    const bytes = fromBase64(base64);
    return bytes.length === size ? bytes : null;
  } catch {
    return null;
  }
}

class CrcChecksum implements RunningChecksum {
  #value = 0;
  constructor(readonly step: (bytes: Uint8Array, previous: number) => number) {}
  update(bytes: Uint8Array): void {
    this.#value = this.step(bytes, this.#value);
  }
  digest(): Uint8Array {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, this.#value >>> 0);
    return out;
  }
}

class HashChecksum implements RunningChecksum {
  readonly #hash: Hash;
  constructor(name: "sha1" | "sha256") {
    this.#hash = createHash(name);
  }
  update(bytes: Uint8Array): void {
    this.#hash.update(bytes);
  }
  digest(): Uint8Array {
    return new Uint8Array(this.#hash.digest());
  }
}

/** A fresh running checksum of `algorithm`. */
export function createChecksum(algorithm: ChecksumAlgorithm): RunningChecksum {
  switch (algorithm) {
    case "crc32":
      return new CrcChecksum(crc32);
    case "crc32c":
      return new CrcChecksum(crc32c);
    case "crc64nvme":
      return new Crc64Nvme();
    case "sha1":
    case "sha256":
      return new HashChecksum(algorithm);
  }
}
