/** Bodies for throughput runs: streams cut from one reused buffer, and a drain that only counts bytes. */

/** `sizeBytes` pseudo-random bytes (crypto.getRandomValues fills at most 64 KiB per call). */
export function randomBytes(sizeBytes: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(sizeBytes);
  const maxPerCall = 65536;
  for (let start = 0; start < sizeBytes; start += maxPerCall) {
    crypto.getRandomValues(bytes.subarray(start, Math.min(sizeBytes, start + maxPerCall)));
  }
  return bytes;
}

/**
 * A stream of exactly `totalBytes`, enqueuing views of `chunk` on demand (highWaterMark 0, so nothing is
 * produced ahead of the consumer). The bytes repeat; throughput runs do not care what they are.
 */
export function repeatedStream(
  totalBytes: number,
  chunk: Uint8Array<ArrayBuffer>,
): ReadableStream<Uint8Array> {
  let remaining = totalBytes;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (remaining === 0) {
        controller.close();
        return;
      }
      const length = Math.min(remaining, chunk.byteLength);
      remaining -= length;
      controller.enqueue(chunk.subarray(0, length));
    },
  }, { highWaterMark: 0 });
}

/** Reads `body` to its end and returns how many bytes it held. */
export async function drainBody(body: ReadableStream<Uint8Array> | null): Promise<number> {
  if (body === null) return 0;
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.byteLength;
  return bytes;
}
