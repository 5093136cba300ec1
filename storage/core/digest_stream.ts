/**
 * A pass-through stream that counts bytes and computes an MD5 (for the S3 ETag) as data flows, so
 * the body is hashed without being buffered.
 */
import { createHash, type Hash } from "node:crypto";

/** Counts and MD5-hashes the bytes passing through `readable`. */
export class DigestStream {
  readonly #hash: Hash = createHash("md5");
  #byteCount = 0;
  /** Bytes seen so far. */
  get byteCount(): number {
    return this.#byteCount;
  }

  /** Wraps `source`; read the returned stream to drive the digest. */
  wrap(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    return source.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          this.#hash.update(chunk);
          this.#byteCount += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
  }

  /** The MD5 digest; call once, after the stream ended. */
  md5(): Uint8Array {
    return new Uint8Array(this.#hash.digest());
  }
}
