/**
 * Decoder of `Content-Encoding: aws-chunked` bodies. Each frame is `hex-size[;extensions]\r\n` then
 * that many data bytes then `\r\n`; a zero-size frame ends the data and may be followed by trailer
 * lines (`x-amz-checksum-crc32:<base64>\r\n`, for signed bodies `x-amz-trailer-signature:<hex>\r\n`)
 * and a final `\r\n`. With a signing context every frame carries `;chunk-signature=<hex>`, chained
 * from the request signature, and is checked when its data ends. Data is handed on as views of the
 * input chunks; memory stays bounded by the line limits below whatever the body size.
 */
import { createHash, type Hash } from "node:crypto";
import { type ExactReader, MAX_PUT_OBJECT_BYTES } from "../../storage/core/mod.ts";
import { S3Error } from "../s3_errors.ts";
import type { ChunkSigningContext } from "./auth_types.ts";
import { EMPTY_SHA256_HEX, signaturesEqual, signHex } from "./request_signature.ts";

/** Longest chunk header line (`size;chunk-signature=…` is 91 bytes; extensions get the rest). */
export const MAX_CHUNK_HEADER_BYTES = 4096;
/** Longest trailer line. */
export const MAX_TRAILER_LINE_BYTES = 4096;
/** Most trailer lines after the final chunk. */
export const MAX_TRAILER_LINES = 16;
/** Name of the trailer line that signs the other trailers. */
export const TRAILER_SIGNATURE_NAME = "x-amz-trailer-signature";

/** How the decoder checks what it reads. */
export interface AwsChunkedOptions {
  /** Chunk-signature context; `null` for unsigned framing (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`). */
  signing: ChunkSigningContext | null;
  /** Whether trailer lines may follow the final chunk. */
  trailerAllowed: boolean;
  /** `x-amz-decoded-content-length`, which the chunk sizes must add up to, or `null` when absent. */
  declaredDecodedLength: number | null;
}

const SIGNED_HEADER = /^([0-9a-fA-F]{1,12});chunk-signature=([0-9a-fA-F]{64})$/;
const UNSIGNED_HEADER = /^([0-9a-fA-F]{1,12})(?:;[\x20-\x7e]*)?$/;

function incomplete(message: string): S3Error {
  return new S3Error("IncompleteBody", `Malformed aws-chunked body: ${message}`);
}

function badSignature(message: string): S3Error {
  return new S3Error("SignatureDoesNotMatch", message);
}

/** Pulls decoded data out of an aws-chunked body, verifying framing and signatures as it goes. */
export class AwsChunkedDecoder {
  readonly #reader: ExactReader;
  readonly #options: AwsChunkedOptions;
  /** Trailer headers by lower-case name, complete once `next()` has returned `null`. */
  readonly trailers: Map<string, string> = new Map();
  #chunkBytesLeft = 0;
  #inChunk = false;
  #done = false;
  #decodedBytes = 0;
  #chunkHash: Hash | null = null;
  #chunkSignature = "";
  #previousSignature: string;

  constructor(reader: ExactReader, options: AwsChunkedOptions) {
    this.#reader = reader;
    this.#options = options;
    this.#previousSignature = options.signing?.seedSignature ?? "";
  }

  /** Sum of the chunk sizes declared so far (the decoded length once `next()` has returned `null`). */
  get decodedBytes(): number {
    return this.#decodedBytes;
  }

  /** The next piece of data (a view, never empty), or `null` after the final chunk and trailers. */
  async next(): Promise<Uint8Array | null> {
    while (!this.#done) {
      if (!this.#inChunk) {
        await this.#readChunkHeader();
        continue;
      }
      if (this.#chunkBytesLeft > 0) {
        const piece = await this.#reader.readChunk(this.#chunkBytesLeft);
        if (piece === null) {
          throw incomplete(`the body ended with ${this.#chunkBytesLeft} bytes of a chunk missing`);
        }
        if (piece.length === 0) continue;
        this.#chunkBytesLeft -= piece.length;
        this.#chunkHash?.update(piece);
        return piece;
      }
      await this.#expectCrlf();
      this.#verifyChunkSignature(this.#chunkHash?.digest("hex") ?? EMPTY_SHA256_HEX);
      this.#inChunk = false;
    }
    return null;
  }

  async #readChunkHeader(): Promise<void> {
    const line = await this.#readLine(MAX_CHUNK_HEADER_BYTES, "chunk header");
    if (line === null) throw incomplete("the body ended before the final zero-size chunk");
    const match = (this.#options.signing === null ? UNSIGNED_HEADER : SIGNED_HEADER).exec(line);
    if (match === null) {
      throw incomplete(
        `expected a chunk header "hex-size${
          this.#options.signing === null ? "" : ";chunk-signature=<64 hex>"
        }", ` +
          `got ${JSON.stringify(line.slice(0, 120))}`,
      );
    }
    const size = parseInt(match[1], 16);
    this.#chunkSignature = match[2] ?? "";
    this.#decodedBytes += size;
    const declared = this.#options.declaredDecodedLength;
    if (declared !== null && this.#decodedBytes > declared) {
      throw new S3Error(
        "IncompleteBody",
        `The chunks add up to at least ${this.#decodedBytes} bytes, x-amz-decoded-content-length is ${declared}`,
      );
    }
    if (this.#decodedBytes > MAX_PUT_OBJECT_BYTES) {
      throw new S3Error(
        "EntityTooLarge",
        `The chunks add up to at least ${this.#decodedBytes} bytes, the limit is ${MAX_PUT_OBJECT_BYTES}`,
      );
    }
    if (size === 0) {
      this.#verifyChunkSignature(EMPTY_SHA256_HEX);
      await this.#readTrailers();
      this.#done = true;
      return;
    }
    this.#chunkBytesLeft = size;
    this.#chunkHash = this.#options.signing === null ? null : createHash("sha256");
    this.#inChunk = true;
  }

  #verifyChunkSignature(chunkSha256Hex: string): void {
    const signing = this.#options.signing;
    if (signing === null) return;
    const toSign =
      `AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${this.#previousSignature}\n` +
      `${EMPTY_SHA256_HEX}\n${chunkSha256Hex}`;
    const expected = signHex(signing.signingKey, toSign);
    if (!signaturesEqual(expected, this.#chunkSignature)) {
      throw badSignature(
        `The chunk signature we calculated does not match the one provided for the chunk ending at decoded ` +
          `byte ${this.#decodedBytes}. Check your key and signing method.`,
      );
    }
    this.#previousSignature = expected;
  }

  async #readTrailers(): Promise<void> {
    let trailerSignature: string | null = null;
    let signedText = "";
    for (let count = 0;; count++) {
      const line = await this.#readLine(MAX_TRAILER_LINE_BYTES, "trailer line");
      // A missing final CRLF after the trailers is tolerated: the body length is checked separately.
      if (line === null || line === "") break;
      if (count >= MAX_TRAILER_LINES || trailerSignature !== null) {
        throw incomplete(
          `more than ${MAX_TRAILER_LINES} trailer lines, or a line after ${TRAILER_SIGNATURE_NAME}`,
        );
      }
      const colon = line.indexOf(":");
      const name = line.slice(0, Math.max(colon, 0)).trim().toLowerCase();
      if (colon <= 0 || !/^[a-z0-9-]+$/.test(name)) {
        throw incomplete(`expected a trailer "name:value", got ${JSON.stringify(line.slice(0, 120))}`);
      }
      const value = line.slice(colon + 1).trim();
      if (!this.#options.trailerAllowed) {
        throw new S3Error(
          "InvalidRequest",
          `Trailer ${name} sent, but x-amz-content-sha256 allows no trailer`,
        );
      }
      if (name === TRAILER_SIGNATURE_NAME && this.#options.signing !== null) {
        trailerSignature = value;
      } else if (this.trailers.has(name) || name === TRAILER_SIGNATURE_NAME) {
        throw new S3Error("InvalidRequest", `Trailer ${name} is repeated or not allowed in an unsigned body`);
      } else {
        this.trailers.set(name, value);
        signedText += `${name}:${value}\n`;
      }
    }
    this.#verifyTrailerSignature(trailerSignature, signedText);
  }

  #verifyTrailerSignature(provided: string | null, signedText: string): void {
    const signing = this.#options.signing;
    if (signing === null || (provided === null && this.trailers.size === 0)) return;
    if (provided === null) throw badSignature(`The trailer has no ${TRAILER_SIGNATURE_NAME} line.`);
    const hash = createHash("sha256").update(signedText).digest("hex");
    const toSign =
      `AWS4-HMAC-SHA256-TRAILER\n${signing.amzDate}\n${signing.scope}\n${this.#previousSignature}\n` +
      hash;
    if (!signaturesEqual(signHex(signing.signingKey, toSign), provided)) {
      throw badSignature("The trailer signature we calculated does not match the one provided.");
    }
  }

  async #expectCrlf(): Promise<void> {
    const crlf = new Uint8Array(2);
    const read = await this.#reader.readInto(crlf);
    if (read < 2) throw incomplete("the body ended right after chunk data, before its CRLF");
    if (crlf[0] !== 0x0d || crlf[1] !== 0x0a) {
      throw incomplete(
        `chunk data is longer than its declared size (no CRLF after ending at byte ${this.#decodedBytes})`,
      );
    }
  }

  /** One CRLF-terminated line (latin-1), `null` at a clean end of the body. */
  async #readLine(maxBytes: number, what: string): Promise<string | null> {
    const one = new Uint8Array(1);
    let line = "";
    while (true) {
      if ((await this.#reader.readInto(one)) === 0) {
        if (line === "") return null;
        throw incomplete(`the body ended inside a ${what}`);
      }
      if (one[0] === 0x0a && line.endsWith("\r")) return line.slice(0, -1);
      if (line.length >= maxBytes) {
        throw new S3Error("InvalidRequest", `A ${what} is longer than ${maxBytes} bytes`);
      }
      line += String.fromCharCode(one[0]);
    }
  }
}
