/**
 * The raw request body, passed through unchanged but held to its declared `Content-Length`: more
 * bytes, fewer bytes, or a failing connection all become `IncompleteBody`, so a short or long body
 * can never be stored as if it were complete.
 */
import { S3Error } from "../s3_errors.ts";

/** `source` with its byte count checked against `declaredBytes` (`null`: only failures are mapped). */
export function lengthCheckedStream(
  source: ReadableStream<Uint8Array>,
  declaredBytes: number | null,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let seenBytes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (cause) {
        throw new S3Error(
          "IncompleteBody",
          `The request body failed after ${seenBytes} bytes: ${cause}`,
          {},
          {
            cause,
          },
        );
      }
      if (result.done) {
        if (declaredBytes !== null && seenBytes !== declaredBytes) {
          throw new S3Error(
            "IncompleteBody",
            `You did not provide the number of bytes specified by the Content-Length HTTP header: ` +
              `got ${seenBytes} of ${declaredBytes}.`,
          );
        }
        controller.close();
        return;
      }
      seenBytes += result.value.length;
      if (declaredBytes !== null && seenBytes > declaredBytes) {
        await reader.cancel().catch(() => {});
        throw new S3Error(
          "IncompleteBody",
          `The request body is longer than its Content-Length: at least ${seenBytes} bytes, ` +
            `Content-Length is ${declaredBytes}.`,
        );
      }
      controller.enqueue(result.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
