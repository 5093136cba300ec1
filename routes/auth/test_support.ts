/**
 * Test support for `routes/auth`: requests signed and presigned by `@smithy/signature-v4` (an
 * independent SigV4 implementation, the one the AWS SDK uses), aws-chunked encoders written from the
 * protocol description, and small stream helpers. Not imported by production code.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac } from "node:crypto";
import assert from "node:assert/strict";
import { S3Error } from "../s3_errors.ts";
import type { AuthOptions } from "./auth_types.ts";

/** Region of every test gateway. */
export const REGION = "us-east-1";
/** Access key id the test gateway knows. */
export const ACCESS_KEY_ID = "AKIDEXAMPLE";
/** Its secret (the AWS documentation example secret). */
export const SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/** The fixed "now" of the tests: 2026-11-25T08:30:00Z. */
export const NOW_MS = Date.UTC(2026, 10, 25, 8, 30, 0);
/** Origin the signed requests are addressed to. */
export const ORIGIN = "http://127.0.0.1:9000";

/** Options of a gateway that knows `ACCESS_KEY_ID` only. */
export function authOptions(overrides: Partial<AuthOptions> = {}): AuthOptions {
  return {
    region: REGION,
    nowMs: NOW_MS,
    lookupSecretKey: (id) => Promise.resolve(id === ACCESS_KEY_ID ? SECRET_ACCESS_KEY : null),
    ...overrides,
  };
}

/** Encodes an object key the way the AWS SDK puts it in a path: RFC 3986, `/` kept. */
export function encodeKey(key: string): string {
  return key.split("/").map((part) =>
    encodeURIComponent(part).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
  ).join("/");
}

/** Query object in the form smithy signs (arrays for repeated names). */
export type QueryObject = Record<string, string | string[]>;

/** Serialises `query` as a raw query string, RFC 3986 encoded (empty values as `name=`). */
export function queryString(query: QueryObject): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      parts.push(`${encodeKey(name)}=${encodeKey(one)}`);
    }
  }
  return parts.join("&");
}

/** A request to sign. */
export interface SignInput {
  /** HTTP method. */
  method: string;
  /** Encoded path, e.g. `/bucket/a%20b`. */
  path: string;
  /** Query parameters. */
  query?: QueryObject;
  /** Extra headers (signed). */
  headers?: Record<string, string>;
  /** Body, sent as given (smithy signs a stream body as UNSIGNED-PAYLOAD). */
  body?: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;
  /** Signing time (default `NOW_MS`). */
  signingMs?: number;
  /** Secret to sign with (default `SECRET_ACCESS_KEY`). */
  secret?: string;
  /** Region to sign for (default `REGION`). */
  region?: string;
}

function signer(input: SignInput): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: input.secret ?? SECRET_ACCESS_KEY },
    region: input.region ?? REGION,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
  });
}

function smithyRequest(input: SignInput) {
  return {
    method: input.method,
    protocol: "http:",
    hostname: "127.0.0.1",
    port: 9000,
    path: input.path,
    query: { ...input.query },
    headers: { host: "127.0.0.1:9000", ...input.headers },
    body: input.body,
  };
}

/** A `Request` signed in the Authorization header by smithy. */
export async function signedRequest(input: SignInput): Promise<Request> {
  const signed = await signer(input).sign(smithyRequest(input), {
    signingDate: new Date(input.signingMs ?? NOW_MS),
  });
  const query = queryString(signed.query as QueryObject);
  return new Request(`${ORIGIN}${input.path}${query === "" ? "" : "?" + query}`, {
    method: input.method,
    headers: signed.headers,
    body: input.body,
  });
}

/** The URL of a request presigned by smithy (`x-amz-*` headers hoisted into the query, as the SDK does). */
export async function presignedUrl(input: SignInput & { expiresIn: number }): Promise<string> {
  const signed = await signer(input).presign(smithyRequest(input), {
    signingDate: new Date(input.signingMs ?? NOW_MS),
    expiresIn: input.expiresIn,
  });
  return `${ORIGIN}${input.path}?${queryString(signed.query as QueryObject)}`;
}

/** SHA-256 hex of `bytes`. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The SigV4 signing key, derived here independently of `signing_key.ts`. */
export function testSigningKey(secret: string, date: string): Uint8Array {
  let key: Uint8Array = new TextEncoder().encode("AWS4" + secret);
  for (const part of [date, REGION, "s3", "aws4_request"]) {
    key = createHmac("sha256", key).update(part).digest();
  }
  return key;
}

const CRLF = "\r\n";
const EMPTY_SHA256 = sha256Hex("");

/** Chunk-signing state: key, date, scope and the signature the next chunk chains from. */
export interface ChunkSigner {
  /** Signing key of the request. */
  signingKey: Uint8Array;
  /** `x-amz-date` of the request. */
  amzDate: string;
  /** Credential scope of the request. */
  scope: string;
  /** Signature of the request (then of each chunk in turn). */
  previousSignature: string;
}

function hmacHex(key: Uint8Array, text: string): string {
  return createHmac("sha256", key).update(text).digest("hex");
}

/**
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]` body: one signed frame per chunk, the final zero
 * frame, then optional signed trailers. `tamper` replaces the signature of frame `index`.
 */
export function encodeSignedChunks(
  chunks: Uint8Array[],
  state: ChunkSigner,
  options: { trailer?: [string, string]; tamperChunk?: number; tamperTrailer?: boolean } = {},
): Uint8Array<ArrayBuffer> {
  const parts: (string | Uint8Array)[] = [];
  [...chunks, new Uint8Array(0)].forEach((chunk, index) => {
    const toSign =
      `AWS4-HMAC-SHA256-PAYLOAD\n${state.amzDate}\n${state.scope}\n${state.previousSignature}\n` +
      `${EMPTY_SHA256}\n${sha256Hex(chunk)}`;
    state.previousSignature = hmacHex(state.signingKey, toSign);
    const sent = options.tamperChunk === index ? "0".repeat(64) : state.previousSignature;
    parts.push(`${chunk.length.toString(16)};chunk-signature=${sent}${CRLF}`, chunk);
    if (chunk.length > 0) parts.push(CRLF);
  });
  if (options.trailer !== undefined) {
    const [name, value] = options.trailer;
    const toSign =
      `AWS4-HMAC-SHA256-TRAILER\n${state.amzDate}\n${state.scope}\n${state.previousSignature}\n` +
      sha256Hex(`${name}:${value}\n`);
    const signature = options.tamperTrailer ? "1".repeat(64) : hmacHex(state.signingKey, toSign);
    parts.push(`${name}:${value}${CRLF}x-amz-trailer-signature:${signature}${CRLF}`);
  }
  parts.push(CRLF);
  return joinParts(parts);
}

/** `STREAMING-UNSIGNED-PAYLOAD-TRAILER` body, framed as the AWS SDK v3 frames it. */
export function encodeUnsignedChunks(
  chunks: Uint8Array[],
  trailer?: [string, string],
): Uint8Array<ArrayBuffer> {
  const parts: (string | Uint8Array)[] = [];
  for (const chunk of chunks) parts.push(`${chunk.length.toString(16)}${CRLF}`, chunk, CRLF);
  parts.push(`0${CRLF}`);
  if (trailer !== undefined) parts.push(`${trailer[0]}:${trailer[1]}${CRLF}`);
  parts.push(CRLF);
  return joinParts(parts);
}

function joinParts(parts: (string | Uint8Array)[]): Uint8Array<ArrayBuffer> {
  const bytes = parts.map((part) => typeof part === "string" ? new TextEncoder().encode(part) : part);
  const out = new Uint8Array(bytes.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of bytes) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A stream that delivers `bytes` in pieces of `pieceBytes` (to cross frame boundaries). */
export function streamOf(bytes: Uint8Array, pieceBytes = bytes.length || 1): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + pieceBytes));
      offset += pieceBytes;
    },
  });
}

/** All bytes of `stream`. */
export async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Asserts that `promise` rejects with an `S3Error` of `code`; returns it. */
export async function assertS3Error(promise: Promise<unknown>, code: string): Promise<S3Error> {
  const error = await promise.then(() => null, (e: unknown) => e);
  assert.ok(error instanceof S3Error, `expected S3Error ${code}, got ${error}`);
  assert.equal(error.code, code, error.message);
  return error;
}
