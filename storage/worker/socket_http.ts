/**
 * The little HTTP/1.1 the gateway speaks to workers over plain TCP when `fetch` would cost too much (see
 * `socket_upload.ts` and `socket_download.ts`): one request per connection (`connection: close`), the request
 * head written by hand, the response head parsed, and bodies read with a `Content-Length`, chunked or to the
 * connection's end. Response heads and small bodies are bounded by `MAX_RESPONSE_BYTES`.
 */

import { concatBytes, StoreError } from "../core/mod.ts";

/** Largest response head, or small response body, accepted from a worker. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const HEAD_END = new Uint8Array([13, 10, 13, 10]);

/**
 * Opens a TCP connection to an `http:` URL's host. `Deno.connect` takes no signal, and a connect to a host
 * that drops packets waits for the kernel's timeout (minutes), so the wait ends as soon as `signal` aborts
 * (the deadline); a connection that arrives after that is closed.
 */
export async function connect(url: URL, signal: AbortSignal): Promise<Deno.TcpConn> {
  if (url.protocol !== "http:") {
    throw new StoreError("invalid_argument", `Socket requests need an http: URL, got ${url.origin}`);
  }
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const conn = await untilAborted(
    Deno.connect({ hostname, port: Number(url.port || 80) }),
    signal,
    closeQuietly,
  );
  conn.setNoDelay(true);
  return conn;
}

/**
 * Resolves with `work`'s value, or rejects with `signal`'s reason as soon as it aborts; a value that arrives
 * after that is handed to `discard`.
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal,
  discard: (late: T) => void,
): Promise<T> {
  if (signal.aborted) {
    work.then(discard, () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (settled) discard(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (!settled) reject(error);
      },
    );
  });
}

/** The request head: request line, host, the given headers, `connection: close`, an optional length. */
export function requestHead(
  method: string,
  url: URL,
  headers: Readonly<Record<string, string>>,
  contentLength?: number,
): Uint8Array {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, "connection: close"];
  if (contentLength !== undefined) lines.push(`content-length: ${contentLength}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`);
}

/** Writes every byte of `bytes`. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** Status and headers of a response. */
export interface ResponseHead {
  readonly status: number;
  readonly headers: Headers;
}

/** Reads response heads until one that is not 1xx. */
export async function readFinalHead(input: ConnInput): Promise<ResponseHead> {
  while (true) {
    const head = parseHead(await input.readHead());
    if (head.status < 100 || head.status >= 200) return head;
  }
}

/** Reads one whole HTTP/1.1 response (skipping 1xx answers) with a small body. */
export async function readResponse(conn: Deno.Conn): Promise<Response> {
  const input = new ConnInput(conn);
  const { status, headers } = await readFinalHead(input);
  return new Response(await readSmallBody(input, status, headers), { status, headers });
}

/** The rest of a response with a small body: `Content-Length`, chunked, or to the connection's end. */
export async function readSmallBody(
  input: ConnInput,
  status: number,
  headers: Headers,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const length = headers.get("content-length");
  let body: Uint8Array<ArrayBuffer>;
  if (headers.get("transfer-encoding")?.toLowerCase().includes("chunked")) body = await input.readChunked();
  else if (length !== null) body = await input.readExactly(parseLength(length, MAX_RESPONSE_BYTES));
  else body = await input.readToEnd();
  return status === 204 || status === 304 ? null : body;
}

function parseHead(head: string): { status: number; headers: Headers } {
  const [statusLine, ...fieldLines] = head.split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (match === null) throw new StoreError("unavailable", `Bad status line from worker: ${statusLine}`);
  const headers = new Headers();
  for (const line of fieldLines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new StoreError("unavailable", `Bad header line from worker: ${line}`);
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status: Number(match[1]), headers };
}

/** A `Content-Length` value of at most `maxBytes`, or an `unavailable` error. */
export function parseLength(text: string, maxBytes: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value > maxBytes) {
    throw new StoreError("unavailable", `Worker answered with a body of ${text} bytes`);
  }
  return value;
}

/** Buffered reads from a connection: heads and small bodies (bounded by `MAX_RESPONSE_BYTES`), then bulk reads. */
export class ConnInput {
  readonly #conn: Deno.Conn;
  #buffer = new Uint8Array(4096);
  #start = 0;
  #end = 0;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** The response head up to (without) the blank line. */
  async readHead(): Promise<string> {
    while (true) {
      const at = indexOf(this.#buffer.subarray(this.#start, this.#end), HEAD_END);
      if (at >= 0) {
        const head = new TextDecoder().decode(this.#buffer.subarray(this.#start, this.#start + at));
        this.#start += at + HEAD_END.length;
        return head;
      }
      if (!(await this.#fill())) throw new StoreError("unavailable", "Worker closed before answering");
    }
  }

  /** Exactly `length` bytes. */
  async readExactly(length: number): Promise<Uint8Array<ArrayBuffer>> {
    while (this.#end - this.#start < length) {
      if (!(await this.#fill())) throw new StoreError("unavailable", "Worker closed inside its answer");
    }
    const bytes = this.#buffer.slice(this.#start, this.#start + length);
    this.#start += length;
    return bytes;
  }

  /** Everything until the worker closes. */
  async readToEnd(): Promise<Uint8Array<ArrayBuffer>> {
    while (await this.#fill());
    const bytes = this.#buffer.slice(this.#start, this.#end);
    this.#start = this.#end;
    return bytes;
  }

  /** A chunked body, decoded. */
  async readChunked(): Promise<Uint8Array<ArrayBuffer>> {
    const parts: Uint8Array<ArrayBuffer>[] = [];
    let total = 0;
    while (true) {
      const sizeLine = await this.#readLine();
      const size = parseInt(sizeLine.split(";")[0].trim(), 16);
      if (!Number.isSafeInteger(size) || size < 0 || total + size > MAX_RESPONSE_BYTES) {
        throw new StoreError("unavailable", `Bad chunk size from worker: ${sizeLine}`);
      }
      if (size === 0) {
        while ((await this.#readLine()) !== "");
        break;
      }
      parts.push(await this.readExactly(size));
      total += size;
      if ((await this.#readLine()) !== "") throw new StoreError("unavailable", "Bad chunk end from worker");
    }
    return concatBytes(parts);
  }

  async #readLine(): Promise<string> {
    while (true) {
      const view = this.#buffer.subarray(this.#start, this.#end);
      const at = indexOf(view, HEAD_END.subarray(0, 2));
      if (at >= 0) {
        const line = new TextDecoder().decode(view.subarray(0, at));
        this.#start += at + 2;
        return line;
      }
      if (!(await this.#fill())) throw new StoreError("unavailable", "Worker closed inside its answer");
    }
  }

  /**
   * Fills `target` from what is buffered, then straight from the connection (no copy through the buffer);
   * returns how many bytes it got, fewer only when the connection ended.
   */
  async readInto(target: Uint8Array): Promise<number> {
    const buffered = Math.min(this.#end - this.#start, target.length);
    target.set(this.#buffer.subarray(this.#start, this.#start + buffered));
    this.#start += buffered;
    let filled = buffered;
    while (filled < target.length) {
      const read = await this.#conn.read(target.subarray(filled));
      if (read === null) break;
      filled += read;
    }
    return filled;
  }

  /** Reads more bytes; false at the end of the connection. */
  async #fill(): Promise<boolean> {
    if (this.#start > 0) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buffer.length) {
      if (this.#buffer.length >= MAX_RESPONSE_BYTES) {
        throw new StoreError("unavailable", `Worker's answer is longer than ${MAX_RESPONSE_BYTES} bytes`);
      }
      const larger = new Uint8Array(this.#buffer.length * 2);
      larger.set(this.#buffer.subarray(0, this.#end));
      this.#buffer = larger;
    }
    const read = await this.#conn.read(this.#buffer.subarray(this.#end));
    if (read === null) return false;
    this.#end += read;
    return true;
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let index = 0; index + needle.length <= haystack.length; index++) {
    for (let offset = 0; offset < needle.length; offset++) {
      if (haystack[index + offset] !== needle[offset]) continue outer;
    }
    return index;
  }
  return -1;
}

/**
 * What a failed socket transfer rejects with: the signal's reason once it aborted (the deadline or the
 * caller), a `StoreError` as it is, anything else (a broken connection) as `unavailable`.
 */
export function transferFailure(error: unknown, signal: AbortSignal, what: string): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof StoreError) return error;
  return new StoreError("unavailable", `${what} failed: ${error}`, { cause: error });
}

/** How long `closeAfterPeer` waits for the worker to close first. */
const PEER_CLOSE_WAIT_MS = 1000;

/**
 * Closes `conn` once the worker has closed its side (it does right after answering a `connection: close`
 * request), waiting at most a second. The side that closes first keeps the connection in TIME_WAIT; leaving
 * that to the worker keeps the gateway's ephemeral ports free however many shards it moves.
 */
export async function closeAfterPeer(conn: Deno.Conn): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => timer = setTimeout(resolve, PEER_CLOSE_WAIT_MS));
  try {
    await Promise.race([conn.read(new Uint8Array(256)).catch(() => null), waited]);
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}

/** Closes `conn`, ignoring a connection closed already. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
