/**
 * Compression of archived data "where it pays": a sample of the object is compressed first, and only data
 * that shrinks enough is stored compressed (already-compressed media is not). Raw DEFLATE from the platform's
 * `CompressionStream`; the erasure coder needs the stored length up front, so the caller measures it in a
 * first pass (the output is deterministic for the same input) and writes in a second one.
 */

/** The format stored in manifests. */
export const COMPRESSION_FORMAT = "deflate-raw" as const;
/** Bytes of an object sampled to decide. */
export const COMPRESSION_SAMPLE_BYTES = 1024 * 1024;
/** Data is stored compressed only when the sample shrinks to at most this fraction. */
export const COMPRESSION_WORTH_RATIO = 0.9;

/**
 * The compressor sees its input in blocks of this size whatever the chunks the stream brought, because its
 * output depends on the chunking it is fed (it flushes per write): this keeps the output, and so its length,
 * the same on every pass over the same bytes.
 */
const COMPRESSION_BLOCK_BYTES = 256 * 1024;

/** `stream` compressed (deterministically: see `COMPRESSION_BLOCK_BYTES`). */
export function compressed(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return stream.pipeThrough(fixedBlocks(COMPRESSION_BLOCK_BYTES))
    .pipeThrough(new CompressionStream(COMPRESSION_FORMAT) as TransformStream<Uint8Array, Uint8Array>);
}

/** Re-cuts a stream into blocks of exactly `size` bytes (the last one shorter). */
function fixedBlocks(size: number): TransformStream<Uint8Array, Uint8Array> {
  let block = new Uint8Array(size);
  let filled = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        const take = Math.min(size - filled, chunk.byteLength - offset);
        block.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === size) {
          controller.enqueue(block);
          block = new Uint8Array(size);
          filled = 0;
        }
      }
    },
    flush(controller) {
      if (filled > 0) controller.enqueue(block.subarray(0, filled));
    },
  });
}

/** `stream` decompressed. */
export function decompressed(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return stream.pipeThrough(
    new DecompressionStream(COMPRESSION_FORMAT) as TransformStream<Uint8Array, Uint8Array>,
  );
}

/** How many bytes `stream` holds (read to the end, nothing kept). */
export async function streamLength(stream: ReadableStream<Uint8Array>): Promise<number> {
  let length = 0;
  for await (const chunk of stream) length += chunk.byteLength;
  return length;
}

/** Compressed size over original size of `sample` (1 for an empty sample). */
export async function compressionRatio(sample: ReadableStream<Uint8Array>): Promise<number> {
  const [forLength, forCompression] = sample.tee();
  const [original, packed] = await Promise.all([
    streamLength(forLength),
    streamLength(compressed(forCompression)),
  ]);
  return original === 0 ? 1 : packed / original;
}

/**
 * Bytes `start` … `end` (inclusive) of `stream`, which must hold at least `end + 1` bytes; the rest is
 * cancelled. A stream that ends early fails.
 */
export function sliceStream(
  stream: ReadableStream<Uint8Array>,
  start: number,
  end: number,
): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (offset > end) {
          await reader.cancel().catch(() => {});
          return controller.close();
        }
        const { value, done } = await reader.read();
        if (done) {
          return controller.error(new RangeError(`The data ended at byte ${offset}, before byte ${end + 1}`));
        }
        const chunkStart = offset;
        offset += value.byteLength;
        const from = Math.max(start - chunkStart, 0);
        const to = Math.min(end + 1 - chunkStart, value.byteLength);
        if (to > from) return controller.enqueue(value.subarray(from, to));
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
