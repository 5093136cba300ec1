/**
 * The body the gateway stores: decoded (aws-chunked framing removed) and verified while it streams.
 * Invariant: the returned stream closes normally only if every check passed; any failure (length,
 * digest, checksum, chunk signature, framing) errors the stream with an `S3Error` at or before its
 * end, so a caller that commits only after a clean end never stores an unverified object.
 */
import { ExactReader } from "../../storage/core/mod.ts";
import { S3Error } from "../s3_errors.ts";
import type { AuthResult } from "./auth_types.ts";
import type { ChecksumAlgorithm } from "./checksum_algorithms.ts";
import { AwsChunkedDecoder } from "./aws_chunked_decoder.ts";
import { lengthCheckedStream } from "./length_checked_stream.ts";
import { type PayloadCheckOptions, type PayloadChecks, payloadChecks } from "./payload_headers.ts";
import { PayloadVerifier } from "./payload_verifier.ts";

/** The verified body and its decoded length when the request declares one. */
export interface VerifiedBody {
  /** Decoded body; errors with an `S3Error` when verification fails. */
  body: ReadableStream<Uint8Array>;
  /** `x-amz-decoded-content-length` for aws-chunked bodies, else `Content-Length`, else `null`. */
  decodedLength: number | null;
  /**
   * The flexible checksum (`x-amz-checksum-*` header or trailer) the body matched: null without one.
   * Valid once `body` has closed normally; throws before.
   */
  checksum(): { algorithm: ChecksumAlgorithm; digest: Uint8Array } | null;
  /** The algorithm of that checksum, known before the body is read; null without one. */
  readonly checksumAlgorithm: ChecksumAlgorithm | null;
}

/**
 * Wraps `request.body` so that it is decoded and checked as `auth.payload` and the request headers
 * demand. Malformed body headers (`Content-MD5`, `x-amz-checksum-*`, `x-amz-trailer`, lengths) throw
 * here, before any byte is read.
 */
export function verifiedBody(
  request: Request,
  auth: AuthResult,
  options: PayloadCheckOptions = {},
): VerifiedBody {
  const checks = payloadChecks(request.headers, auth.payload, options);
  const raw = lengthCheckedStream(request.body ?? new Blob([]).stream(), checks.contentLength);
  const verifier = new PayloadVerifier(checks);
  const body = checks.chunked ? chunkedBody(raw, checks, auth, verifier) : plainBody(raw, verifier);
  return {
    body,
    decodedLength: checks.chunked ? checks.decodedContentLength : checks.contentLength,
    checksumAlgorithm: checks.checksum?.algorithm ?? null,
    checksum: () => {
      if (checks.checksum === null) return null;
      const verified = verifier.verifiedChecksum;
      if (verified === null) {
        throw new Error("The body's checksum is known only once the body has been verified");
      }
      return verified;
    },
  };
}

/** A body sent as is: every piece hashed on its way through. */
function plainBody(raw: ReadableStream<Uint8Array>, verifier: PayloadVerifier): ReadableStream<Uint8Array> {
  const reader = raw.getReader();
  return guardedStream(async () => {
    const { value, done } = await reader.read();
    if (done) {
      verifier.finish(null);
      return null;
    }
    verifier.update(value);
    return value;
  }, (reason) => reader.cancel(reason));
}

/** An aws-chunked body: frames decoded, chunk signatures checked, trailers verified at the end. */
function chunkedBody(
  raw: ReadableStream<Uint8Array>,
  checks: PayloadChecks,
  auth: AuthResult,
  verifier: PayloadVerifier,
): ReadableStream<Uint8Array> {
  const payload = auth.payload;
  const signing = payload.kind === "streaming-signed" ? payload.signing : null;
  const reader = new ExactReader(raw);
  const decoder = new AwsChunkedDecoder(reader, {
    signing,
    trailerAllowed: payload.kind === "streaming-unsigned-trailer" ||
      (payload.kind === "streaming-signed" && payload.trailer),
    declaredDecodedLength: checks.decodedContentLength,
  });
  return guardedStream(async () => {
    const piece = await decoder.next();
    if (piece !== null) {
      verifier.update(piece);
      return piece;
    }
    if (!(await reader.atEnd())) {
      throw new S3Error(
        "IncompleteBody",
        "Malformed aws-chunked body: bytes follow the final chunk and trailers",
      );
    }
    const declared = checks.decodedContentLength;
    if (declared !== null && verifier.bytes !== declared) {
      throw new S3Error(
        "IncompleteBody",
        `The chunks hold ${verifier.bytes} bytes, x-amz-decoded-content-length is ${declared}`,
      );
    }
    verifier.finish(decoder.trailers);
    return null;
  }, (reason) => reader.cancel(reason));
}

/**
 * A pull stream over `next` (`null` ends it). A failure errors the stream and cancels the source; the
 * high-water mark of 0 means nothing is read ahead of the consumer.
 */
function guardedStream(
  next: () => Promise<Uint8Array | null>,
  cancelSource: (reason: unknown) => Promise<void>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const piece = await next();
        if (piece === null) controller.close();
        else controller.enqueue(piece);
      } catch (error) {
        controller.error(error);
        await cancelSource(error).catch(() => {});
      }
    },
    cancel: cancelSource,
  }, { highWaterMark: 0 });
}
