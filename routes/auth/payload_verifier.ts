/**
 * Incremental verification of a decoded body against its `PayloadChecks`: SHA-256 (signed payloads),
 * MD5 (`Content-MD5`) and one flexible checksum, all fed the same pieces as they stream past, then
 * compared once at the end. Nothing is buffered: each hash keeps only its running state.
 */
import { createHash, type Hash } from "node:crypto";
import { timingSafeEqual, toBase64 } from "../../storage/core/mod.ts";
import { S3Error } from "../s3_errors.ts";
import {
  CHECKSUM_HEADER_PREFIX,
  type ChecksumAlgorithm,
  checksumHeaderName,
  createChecksum,
  decodeChecksumValue,
  type RunningChecksum,
} from "./checksum_algorithms.ts";
import type { PayloadChecks } from "./payload_headers.ts";

/** Hashes a body as it streams and says, at its end, whether it is what the headers promised. */
export class PayloadVerifier {
  readonly #checks: PayloadChecks;
  readonly #sha256: Hash | null;
  readonly #md5: Hash | null;
  readonly #checksum: RunningChecksum | null;
  #bytes = 0;
  #verifiedChecksum: { algorithm: ChecksumAlgorithm; digest: Uint8Array } | null = null;

  constructor(checks: PayloadChecks) {
    this.#checks = checks;
    this.#sha256 = checks.sha256Hex === null ? null : createHash("sha256");
    this.#md5 = checks.contentMd5 === null ? null : createHash("md5");
    this.#checksum = checks.checksum === null ? null : createChecksum(checks.checksum.algorithm);
  }

  /** The flexible checksum the body carried and matched, once `finish` passed; null without one. */
  get verifiedChecksum(): { algorithm: ChecksumAlgorithm; digest: Uint8Array } | null {
    return this.#verifiedChecksum;
  }

  /** Decoded bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Feeds the next piece of decoded data. */
  update(piece: Uint8Array): void {
    this.#bytes += piece.length;
    this.#sha256?.update(piece);
    this.#md5?.update(piece);
    this.#checksum?.update(piece);
  }

  /**
   * Compares every digest with its expected value; `trailers` are the aws-chunked trailers (`null`
   * for a plain body). Throws XAmzContentSHA256Mismatch, BadDigest, IncompleteBody or InvalidRequest.
   */
  finish(trailers: ReadonlyMap<string, string> | null): void {
    const checks = this.#checks;
    if (this.#sha256 !== null && checks.sha256Hex !== null) {
      const computed = this.#sha256.digest("hex");
      if (computed !== checks.sha256Hex) {
        throw new S3Error(
          "XAmzContentSHA256Mismatch",
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          { ClientComputedContentSHA256: checks.sha256Hex, S3ComputedContentSHA256: computed },
        );
      }
    }
    if (this.#md5 !== null && checks.contentMd5 !== null) {
      const computed = new Uint8Array(this.#md5.digest());
      if (!timingSafeEqual(computed, checks.contentMd5)) {
        throw new S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.", {
          ExpectedDigest: toBase64(checks.contentMd5),
          CalculatedDigest: toBase64(computed),
        });
      }
    }
    this.#finishChecksum(trailers);
  }

  #finishChecksum(trailers: ReadonlyMap<string, string> | null): void {
    const declared = this.#checks.checksum;
    const declaredName = declared === null ? null : checksumHeaderName(declared.algorithm);
    for (const name of trailers?.keys() ?? []) {
      if (name !== declaredName || declared?.expected !== null) {
        throw new S3Error(
          "InvalidRequest",
          `The body has a ${name} trailer that x-amz-trailer does not declare.`,
        );
      }
    }
    if (declared === null || this.#checksum === null || declaredName === null) return;
    let expected = declared.expected;
    if (expected === null) {
      const value = trailers?.get(declaredName);
      if (value === undefined) {
        throw new S3Error(
          "IncompleteBody",
          `x-amz-trailer declares ${declaredName}, but the body has no such trailer.`,
        );
      }
      expected = decodeChecksumValue(declared.algorithm, value);
      if (expected === null) {
        throw new S3Error("InvalidRequest", `Value for ${declaredName} trailer is invalid.`);
      }
    }
    const computed = this.#checksum.digest();
    this.#verifiedChecksum = { algorithm: declared.algorithm, digest: computed };
    if (!timingSafeEqual(computed, expected)) {
      this.#verifiedChecksum = null;
      const label = declaredName.slice(CHECKSUM_HEADER_PREFIX.length).toUpperCase();
      throw new S3Error("BadDigest", `The ${label} you specified did not match the calculated checksum.`, {
        [`Client${label}`]: toBase64(expected),
        [`Computed${label}`]: toBase64(computed),
      });
    }
  }
}
