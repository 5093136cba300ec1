/**
 * The `multipart/form-data` body of a browser form upload (POST Object), read as a stream: the fields
 * before the file are parsed in bounded memory (S3 allows 20 KiB of them), and the file part becomes a
 * stream of exactly its bytes. Its length must be known before the store takes the first byte: a body whose
 * rest (from the file on) is at most `SMALL_FILE_BYTES` is read whole (bounded) and measured, so any closing
 * is accepted and parts after the file are ignored, as S3 ignores them; a larger one is never buffered, and
 * the file's length follows from Content-Length, since the file is the last part (as S3 requires) and only
 * the closing delimiter with the CRLF every browser, curl, Go and Python send follows it. That stream fails,
 * instead of ending, unless the delimiter is exactly there and nowhere inside (a part after a large file
 * cannot be ignored: the file's length would be unknown until its last byte).
 */
import { Buffer } from "node:buffer";
import { S3Error } from "./s3_errors.ts";

/** Files up to this size (with what follows them) are read whole to find where they end. */
export const SMALL_FILE_BYTES = 8 * 1024 * 1024;

/** Most bytes of fields (and part headers) before the file, as S3 allows. */
export const MAX_FORM_FIELDS_BYTES = 20 * 1024;

/** The file part of a form upload. */
export interface FormFile {
  /** The `filename` of its Content-Disposition (the browser's name for the file). */
  readonly filename: string;
  /** Its own Content-Type header, if any. */
  readonly contentType: string | null;
  readonly sizeBytes: number;
  /** Exactly `sizeBytes` bytes; errors if the body does not end with the closing delimiter. */
  readonly body: ReadableStream<Uint8Array>;
}

/** The fields (lower-case names, in form order, first value kept) and the file of a form upload. */
export interface FormUpload {
  readonly fields: Map<string, string>;
  readonly file: FormFile;
}

/** The boundary of a `multipart/form-data` Content-Type; MalformedPOSTRequest otherwise. */
export function formBoundary(contentType: string | null): string {
  const match = contentType === null
    ? null
    : /^\s*multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  if (match === null) {
    throw new S3Error(
      "PreconditionFailed",
      "Bucket POST must be of the enclosure-type multipart/form-data",
      { Condition: "Bucket POST must be of the enclosure-type multipart/form-data" },
    );
  }
  return match[1] ?? match[2];
}

function malformed(detail: string): S3Error {
  return new S3Error(
    "MalformedPOSTRequest",
    `The body of your POST request is not well-formed multipart/form-data: ${detail}`,
  );
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Reads the fields of a form upload of `contentLength` bytes up to its file part; the file's bytes are
 * left in `body` for the returned stream. Parts after a small file are ignored; after a large one they
 * fail the stream.
 */
export async function readFormUpload(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  contentLength: number,
): Promise<FormUpload> {
  const reader = body.getReader();
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  let buffer: Uint8Array = new Uint8Array(0);
  let consumed = 0; // bytes of the body before `buffer`
  const fields = new Map<string, string>();
  const fill = async (): Promise<void> => {
    const { value, done } = await reader.read();
    if (done) throw malformed("the body ended before the file part");
    const next = new Uint8Array(buffer.length + value.length);
    next.set(buffer);
    next.set(value, buffer.length);
    buffer = next;
  };
  /** The index of `needle` in the buffer, reading more as needed, within the limit on fields. */
  const find = async (needle: Uint8Array): Promise<number> => {
    while (true) {
      const index = indexOf(buffer, needle);
      if (index !== -1) return index;
      if (consumed + buffer.length > MAX_FORM_FIELDS_BYTES + needle.length) throw tooLarge();
      await fill();
    }
  };
  const take = (length: number) => {
    const taken = buffer.subarray(0, length);
    buffer = buffer.subarray(length);
    consumed += length;
    if (consumed > MAX_FORM_FIELDS_BYTES) throw tooLarge();
    return taken;
  };
  try {
    // The body starts with the first delimiter (without its leading CRLF); a preamble is not expected.
    const first = delimiter.subarray(2);
    while (buffer.length < first.length + 2) await fill();
    if (!startsWith(buffer, first)) throw malformed("it does not start with the boundary");
    take(first.length);
    while (true) {
      while (buffer.length < 2) await fill();
      if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
        throw new S3Error("InvalidArgument", "POST requires exactly one file upload per request.", {
          ArgumentName: "file",
        });
      }
      if (buffer[0] !== 0x0d || buffer[1] !== 0x0a) throw malformed("a boundary is not followed by CRLF");
      take(2);
      const part = parsePartHeaders(decoder.decode(take(await find(HEADER_END))));
      take(HEADER_END.length);
      if (part.name === "file") {
        const remaining = contentLength - consumed;
        if (remaining <= SMALL_FILE_BYTES) {
          const bytes = await readSmallFile(reader, buffer, remaining, delimiter);
          const file: FormFile = {
            filename: part.filename ?? "",
            contentType: part.contentType,
            sizeBytes: bytes.length,
            body: new ReadableStream({
              start(controller) {
                if (bytes.length > 0) controller.enqueue(bytes);
                controller.close();
              },
            }),
          };
          return { fields, file };
        }
        const sizeBytes = remaining - delimiter.length - CLOSING_SUFFIX.length;
        if (sizeBytes < 0) throw malformed("Content-Length is too short for the file part");
        const file: FormFile = {
          filename: part.filename ?? "",
          contentType: part.contentType,
          sizeBytes,
          body: fileStream(reader, buffer, sizeBytes, delimiter),
        };
        return { fields, file };
      }
      const value = decoder.decode(take(await find(delimiter)));
      take(delimiter.length);
      if (!fields.has(part.name)) fields.set(part.name, value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
}

/**
 * The rest of a small body (`remaining` bytes, `first` of them already read): the file is what comes before
 * the first delimiter. Parts after it are ignored, as S3 ignores them, but the body must still end with a
 * closing delimiter (`delimiter--`).
 */
async function readSmallFile(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array,
  remaining: number,
  delimiter: Uint8Array,
): Promise<Uint8Array> {
  const whole = new Uint8Array(remaining);
  let length = Math.min(first.length, remaining);
  whole.set(first.subarray(0, length));
  while (length < remaining) {
    const { value, done } = await reader.read();
    if (done) throw malformed("the body is shorter than its Content-Length");
    if (length + value.length > remaining) throw malformed("the body is longer than its Content-Length");
    whole.set(value, length);
    length += value.length;
  }
  if (!(await reader.read()).done) throw malformed("the body is longer than its Content-Length");
  const end = indexOf(whole, delimiter);
  if (end === -1) throw malformed("the file part is not followed by a boundary");
  const after = end + delimiter.length;
  if (!isClosing(whole, after)) {
    if (whole[after] !== 0x0d || whole[after + 1] !== 0x0a) {
      throw malformed("a boundary is not followed by CRLF");
    }
    if (!hasClosingDelimiter(whole.subarray(after), delimiter)) {
      throw malformed("the parts after the file do not end with the closing boundary");
    }
  }
  return whole.subarray(0, end);
}

/** Whether `bytes` at `offset` hold the `--` that makes a delimiter the closing one. */
function isClosing(bytes: Uint8Array, offset: number): boolean {
  return bytes[offset] === 0x2d && bytes[offset + 1] === 0x2d;
}

/** Whether some delimiter in `bytes` is the closing one. */
function hasClosingDelimiter(bytes: Uint8Array, delimiter: Uint8Array): boolean {
  for (let from = 0;;) {
    const index = indexOf(bytes.subarray(from), delimiter);
    if (index === -1) return false;
    from += index + delimiter.length;
    if (isClosing(bytes, from)) return true;
  }
}

const HEADER_END = encoder.encode("\r\n\r\n");
/** Why a part after a large file cannot be ignored. */
const LARGE_FILE_LAST =
  `a file of more than ${SMALL_FILE_BYTES} bytes must be the last part: its length is taken from Content-Length`;
/** What follows the last delimiter: `--` and the CRLF every common client sends. */
const CLOSING_SUFFIX = encoder.encode("--\r\n");

function tooLarge(): S3Error {
  return new S3Error(
    "MaxPostPreDataLengthExceeded",
    `Your POST request fields preceding the upload file were too large (at most ${MAX_FORM_FIELDS_BYTES} bytes).`,
  );
}

/** The name, filename and Content-Type of one part, from its header block. */
function parsePartHeaders(
  block: string,
): { name: string; filename: string | null; contentType: string | null } {
  let name: string | null = null;
  let filename: string | null = null;
  let contentType: string | null = null;
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon === -1) throw malformed(`a part header has no colon: ${JSON.stringify(line.slice(0, 80))}`);
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === "content-type") contentType = value;
    if (header !== "content-disposition") continue;
    if (!/^form-data\s*(;|$)/i.test(value)) throw malformed("a part is not form-data");
    // Browsers do not escape backslashes in quoted names (they percent-encode `"`, CR and LF instead).
    for (const match of value.matchAll(/;\s*(name|filename)\s*=\s*(?:"([^"]*)"|([^;\s]*))/gi)) {
      const text = match[2] ?? match[3];
      if (match[1].toLowerCase() === "name") name = text;
      else filename = text;
    }
  }
  if (name === null) throw malformed("a part has no Content-Disposition name");
  return { name: name.toLowerCase(), filename, contentType };
}

/**
 * `sizeBytes` bytes of the file: `first` (already read) then the rest of `reader`. Errors if the closing
 * delimiter appears inside them (a field after the file, or a length that does not fit) or does not come
 * right after them.
 */
function fileStream(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array,
  sizeBytes: number,
  delimiter: Uint8Array,
): ReadableStream<Uint8Array> {
  const closing = new Uint8Array(delimiter.length + CLOSING_SUFFIX.length);
  closing.set(delimiter);
  closing.set(CLOSING_SUFFIX, delimiter.length);
  const needle = Buffer.from(delimiter);
  let emitted = 0;
  let pending: Uint8Array | null = first.length > 0 ? first : null;
  let tail: Uint8Array = new Uint8Array(0); // the last bytes emitted, to find a delimiter split across chunks
  let rest: Uint8Array = new Uint8Array(0); // bytes after the file: must become exactly `closing`
  const fail = (detail: string) => malformed(detail);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        while (true) {
          let chunk = pending;
          pending = null;
          if (chunk === null) {
            const { value, done } = await reader.read();
            if (done) {
              if (emitted < sizeBytes || !equalBytes(rest, closing)) {
                throw fail("the body does not end with the closing boundary right after the file");
              }
              controller.close();
              return;
            }
            chunk = value;
          }
          if (emitted === sizeBytes) {
            rest = concat(rest, chunk);
            if (rest.length > closing.length) throw fail(LARGE_FILE_LAST);
            continue;
          }
          const room = sizeBytes - emitted;
          const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
          if (chunk.length > room) pending = chunk.subarray(room);
          if (containsAcross(tail, part, delimiter, needle)) {
            throw fail(`the boundary appears inside the file (${LARGE_FILE_LAST})`);
          }
          tail = keepTail(tail, part, delimiter.length - 1);
          emitted += part.length;
          if (part.length > 0) {
            controller.enqueue(part);
            return;
          }
        }
      } catch (error) {
        await reader.cancel().catch(() => {});
        controller.error(error);
      }
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
}

function containsAcross(tail: Uint8Array, part: Uint8Array, delimiter: Uint8Array, needle: Buffer): boolean {
  if (Buffer.from(part.buffer, part.byteOffset, part.byteLength).indexOf(needle) !== -1) return true;
  if (tail.length === 0) return false;
  const seam = concat(tail, part.subarray(0, delimiter.length - 1));
  return indexOf(seam, delimiter) !== -1;
}

function keepTail(tail: Uint8Array, part: Uint8Array, length: number): Uint8Array {
  if (part.length >= length) return part.slice(part.length - length);
  return concat(tail, part).slice(-length);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && startsWith(a, b);
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle));
}
