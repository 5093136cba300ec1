/**
 * S3 flexible checksums as stored and shown: the checksum an upload's body carried (kept with the object),
 * `x-amz-checksum-<algorithm>` and `x-amz-checksum-type` on GET and HEAD with `x-amz-checksum-mode:
 * ENABLED`, the algorithm and type a multipart upload names, and a part's checksum computed here when its
 * body carried none. (The object checksum made of the parts' is `tiers/multipart_checksum.ts`.)
 */
import { type StoredChecksum, type StoredChecksumAlgorithm, toBase64 } from "../storage/mod.ts";
import { type ChecksumAlgorithm, createChecksum } from "./auth/mod.ts";
import { S3Error } from "./s3_errors.ts";

/** The stored form of a verified body checksum. */
export function storedChecksum(
  verified: { algorithm: StoredChecksumAlgorithm; digest: Uint8Array } | null,
): StoredChecksum | undefined {
  return verified === null
    ? undefined
    : { algorithm: verified.algorithm, type: "FULL_OBJECT", value: toBase64(verified.digest) };
}

/** True when the request asks for checksums (`x-amz-checksum-mode: ENABLED`). */
export function checksumModeEnabled(headers: Headers): boolean {
  return headers.get("x-amz-checksum-mode")?.trim().toUpperCase() === "ENABLED";
}

/** The response headers that show `checksum`. */
export function checksumHeaders(checksum: StoredChecksum): Array<[string, string]> {
  return [[`x-amz-checksum-${checksum.algorithm}`, checksum.value], ["x-amz-checksum-type", checksum.type]];
}

/** The XML element name of an algorithm's value (`ChecksumCRC32`, `ChecksumCRC64NVME`, `ChecksumSHA256`). */
export function checksumElement(algorithm: StoredChecksumAlgorithm): string {
  return `Checksum${algorithm.toUpperCase()}`;
}

const ALGORITHMS: readonly StoredChecksumAlgorithm[] = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"];

/**
 * The checksum algorithm and type a CreateMultipartUpload names (`x-amz-checksum-algorithm`,
 * `x-amz-checksum-type`), checked as S3 does: CRC-64/NVME is only FULL_OBJECT, SHA-1 and SHA-256 only
 * COMPOSITE, CRC32 and CRC32C either (COMPOSITE by default). Undefined without an algorithm.
 */
export function multipartChecksumOf(
  headers: Headers,
): { algorithm: StoredChecksumAlgorithm; type: "FULL_OBJECT" | "COMPOSITE" } | undefined {
  const rawAlgorithm = headers.get("x-amz-checksum-algorithm");
  const rawType = headers.get("x-amz-checksum-type");
  if (rawAlgorithm === null) {
    if (rawType !== null) {
      throw new S3Error("InvalidRequest", "x-amz-checksum-type requires x-amz-checksum-algorithm");
    }
    return undefined;
  }
  const algorithm = ALGORITHMS.find((name) => name === rawAlgorithm.trim().toLowerCase());
  if (algorithm === undefined) {
    throw new S3Error("InvalidRequest", `Checksum algorithm ${rawAlgorithm} is not supported`, {
      ArgumentName: "x-amz-checksum-algorithm",
    });
  }
  const type = rawType === null
    ? (algorithm === "crc64nvme" ? "FULL_OBJECT" : "COMPOSITE")
    : rawType.trim().toUpperCase();
  if (type !== "FULL_OBJECT" && type !== "COMPOSITE") {
    throw new S3Error("InvalidRequest", `Value for x-amz-checksum-type header is invalid: ${rawType}`);
  }
  const allowed = algorithm === "crc64nvme"
    ? type === "FULL_OBJECT"
    : algorithm.startsWith("sha")
    ? type === "COMPOSITE"
    : true;
  if (!allowed) {
    throw new S3Error(
      "InvalidRequest",
      `The ${type} checksum type cannot be used with the ${algorithm} checksum algorithm.`,
    );
  }
  return { algorithm, type };
}

/**
 * `body` with a running `algorithm` checksum over it; `digest()` gives the checksum once the stream has
 * ended (for a part sent without one while its upload names an algorithm).
 */
export function checksummedStream(
  body: ReadableStream<Uint8Array>,
  algorithm: ChecksumAlgorithm,
): { body: ReadableStream<Uint8Array>; digest: () => Uint8Array } {
  const running = createChecksum(algorithm);
  let digest: Uint8Array | null = null;
  const piped = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        running.update(chunk);
        controller.enqueue(chunk);
      },
      flush() {
        digest = running.digest();
      },
    }),
  );
  return {
    body: piped,
    digest: () => {
      if (digest === null) throw new Error("The checksum is known once the body has ended");
      return digest;
    },
  };
}
