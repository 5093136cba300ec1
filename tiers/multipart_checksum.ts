/**
 * The checksum of a multipart object made of its parts' checksums, as S3 defines it: `COMPOSITE` is the
 * checksum of the concatenated part digests followed by `-N`; `FULL_OBJECT` combines the parts' CRCs into
 * the CRC of all the object's bytes (the parts' bytes are never read again).
 */
import { createHash } from "node:crypto";
import {
  bigIntToDigest,
  combineCrc,
  crc32,
  CRC32_SPEC,
  crc32c,
  CRC32C_SPEC,
  crc64nvme,
  CRC64NVME_SPEC,
  type CrcSpec,
  digestToBigInt,
  fromBase64,
  type StoredChecksum,
  type StoredChecksumAlgorithm,
  toBase64,
} from "../storage/mod.ts";

const CRC_SPECS: Partial<Record<StoredChecksumAlgorithm, CrcSpec>> = {
  crc32: CRC32_SPEC,
  crc32c: CRC32C_SPEC,
  crc64nvme: CRC64NVME_SPEC,
};

/** The digest of `bytes` under `algorithm`. */
export function digestOf(algorithm: StoredChecksumAlgorithm, bytes: Uint8Array): Uint8Array {
  switch (algorithm) {
    case "crc32":
    case "crc32c": {
      const value = algorithm === "crc32" ? crc32(bytes) : crc32c(bytes);
      return bigIntToDigest(BigInt(value >>> 0), 4);
    }
    case "crc64nvme":
      return crc64nvme(bytes);
    case "sha1":
    case "sha256":
      return new Uint8Array(createHash(algorithm).update(bytes).digest());
  }
}

/**
 * The object checksum of a multipart upload from its parts' checksums (base64) and sizes: COMPOSITE is
 * the checksum of the concatenated part digests with `-N`; FULL_OBJECT combines the part CRCs into the CRC
 * of the whole object.
 */
export function multipartObjectChecksum(
  algorithm: StoredChecksumAlgorithm,
  type: "FULL_OBJECT" | "COMPOSITE",
  parts: ReadonlyArray<{ checksum: string; sizeBytes: number }>,
): StoredChecksum {
  const digests = parts.map((part) => fromBase64(part.checksum));
  if (type === "COMPOSITE") {
    const joined = new Uint8Array(digests.reduce((sum, digest) => sum + digest.length, 0));
    let offset = 0;
    for (const digest of digests) {
      joined.set(digest, offset);
      offset += digest.length;
    }
    return { algorithm, type, value: `${toBase64(digestOf(algorithm, joined))}-${parts.length}` };
  }
  const spec = CRC_SPECS[algorithm];
  if (spec === undefined) throw new Error(`A FULL_OBJECT checksum needs a CRC, not ${algorithm}`);
  let crc = digests.length === 0 ? 0n : digestToBigInt(digests[0]);
  for (let i = 1; i < digests.length; i++) {
    crc = combineCrc(spec, crc, digestToBigInt(digests[i]), parts[i].sizeBytes);
  }
  return { algorithm, type, value: toBase64(bigIntToDigest(crc, spec.width / 8)) };
}
