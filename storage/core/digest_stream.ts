/**
 * A pass-through stream that counts bytes and computes an MD5 (for the S3 ETag) as data flows, so
 * the body is hashed without being buffered. This one hashes on the calling thread; `Md5Pool` hands
 * out the same interface hashing in a Web Worker for bodies large enough to pay for the round trips.
 */
import { createHash, type Hash } from "node:crypto";

/** Counts and MD5-hashes a body as it streams: `wrap` it, read the result to its end, then `md5()`. */
export interface BodyDigest {
  /** Bytes seen so far. */
  readonly byteCount: number;
  /** Wraps `source` (once); read the returned stream to drive the digest. */
  wrap(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array>;
  /** The MD5 digest; call once, after the stream ended. */
  md5(): Promise<Uint8Array>;
}

/** Counts and MD5-hashes the bytes passing through `readable` on the calling thread. */
export class DigestStream implements BodyDigest {
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
  md5(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}
