/**
 * Shard downloads read straight from a TCP connection of their own, into the caller's buffers.
 *
 * Receiving a body through `fetch` costs the gateway about 0.5 CPU-s per GiB on this machine's cores, reading
 * the same bytes from a socket into a reused buffer about 0.15 (measured against a bare `Deno.serve`). A read
 * of a large object moves every data byte this way, so the gateway reads big shard ranges itself: one
 * `connection: close` request, the response head parsed, then the body read with `readInto` straight into
 * the frame reader's block buffers. Every wait on the worker is bounded by the caller's `WaitDeadline`.
 */

import { StoreError } from "../core/mod.ts";
import {
  closeAfterPeer,
  closeQuietly,
  connect,
  ConnInput,
  parseLength,
  readFinalHead,
  readSmallBody,
  requestHead,
  transferFailure,
  writeAll,
} from "./socket_http.ts";
import type { ExactByteSource } from "./shard_frames.ts";
import type { WaitDeadline } from "./wait_deadline.ts";

/** The worker's answer: a successful head with its body to read, or a whole (error) response. */
export type SocketDownloadAnswer =
  | { readonly ok: true; readonly headers: Headers; readonly body: ExactByteSource }
  | { readonly ok: false; readonly response: Response };

/**
 * Sends a GET and reads the answer's head. A 2xx answer with a `Content-Length` comes back with its body to
 * read; anything else comes back whole, its (small) body read. Rejects like `fetch` would, with
 * `unavailable`, or with the signal's reason when the deadline passes or the caller aborts.
 */
export async function socketDownload(
  url: URL,
  headers: Readonly<Record<string, string>>,
  deadline: WaitDeadline,
): Promise<SocketDownloadAnswer> {
  const signal = deadline.signal;
  if (signal.aborted) throw signal.reason;
  deadline.start();
  let conn: Deno.TcpConn | undefined;
  const closeOnAbort = () => conn !== undefined && closeQuietly(conn);
  signal.addEventListener("abort", closeOnAbort, { once: true });
  try {
    conn = await connect(url, signal);
    await writeAll(conn, requestHead("GET", url, headers));
    const input = new ConnInput(conn);
    const head = await readFinalHead(input);
    const length = head.headers.get("content-length");
    if (head.status >= 200 && head.status < 300 && length !== null) {
      deadline.stop();
      const body = new SocketBody(conn, input, parseLength(length, Number.MAX_SAFE_INTEGER), deadline);
      signal.removeEventListener("abort", closeOnAbort);
      return { ok: true, headers: head.headers, body };
    }
    const small = await readSmallBody(input, head.status, head.headers);
    signal.removeEventListener("abort", closeOnAbort);
    deadline.close();
    closeQuietly(conn);
    return { ok: false, response: new Response(small, { status: head.status, headers: head.headers }) };
  } catch (error) {
    signal.removeEventListener("abort", closeOnAbort);
    deadline.close();
    if (conn !== undefined) closeQuietly(conn);
    throw transferFailure(error, signal, `GET ${url.pathname}`);
  }
}

/** A `Content-Length` body on a connection; the deadline is armed only while a read waits on the worker. */
class SocketBody implements ExactByteSource {
  readonly #conn: Deno.TcpConn;
  readonly #input: ConnInput;
  readonly #deadline: WaitDeadline;
  readonly #closeOnAbort = () => this.#release();
  #remaining: number;
  #released = false;

  constructor(conn: Deno.TcpConn, input: ConnInput, length: number, deadline: WaitDeadline) {
    this.#conn = conn;
    this.#input = input;
    this.#remaining = length;
    this.#deadline = deadline;
    deadline.signal.addEventListener("abort", this.#closeOnAbort, { once: true });
  }

  async readInto(target: Uint8Array): Promise<number> {
    const want = Math.min(target.length, this.#remaining);
    if (want === 0) return 0;
    if (this.#released) throw new StoreError("unavailable", "Shard download was cancelled");
    this.#deadline.start();
    let got: number;
    try {
      got = await this.#input.readInto(target.subarray(0, want));
    } catch (error) {
      this.#release();
      throw transferFailure(error, this.#deadline.signal, "Shard download");
    } finally {
      this.#deadline.stop();
    }
    this.#remaining -= got;
    if (got < want) this.#release();
    else if (this.#remaining === 0) await this.#finish();
    return got;
  }

  atEnd(): Promise<boolean> {
    return Promise.resolve(this.#remaining === 0);
  }

  cancel(): Promise<void> {
    this.#release();
    return Promise.resolve();
  }

  async #finish(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#detach();
    await closeAfterPeer(this.#conn);
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#detach();
    closeQuietly(this.#conn);
  }

  #detach(): void {
    this.#deadline.signal.removeEventListener("abort", this.#closeOnAbort);
    this.#deadline.close();
  }
}
