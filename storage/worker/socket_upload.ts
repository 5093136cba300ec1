/**
 * Shard uploads with a `Content-Length`, written straight to a TCP connection of their own.
 *
 * Deno's `fetch` sends every stream body chunked, and a `Deno.serve` worker spends about five times the
 * CPU receiving a chunked body that it spends on the same bytes with a `Content-Length` (measured: 1.5–1.65
 * against 0.33–0.35 CPU-s per GiB). The gateway knows every shard's exact length before its first byte, so
 * it can write HTTP/1.1 itself: one request per connection (`connection: close`), the worker's answer read
 * while the body is still going out (an early error answer stops the upload), and every wait on the worker
 * bounded by the caller's `WaitDeadline`. Only plain `http:` endpoints are served here.
 */

import {
  closeAfterPeer,
  closeQuietly,
  connect,
  readResponse,
  requestHead,
  transferFailure,
  writeAll,
} from "./socket_http.ts";
import type { WaitDeadline } from "./wait_deadline.ts";

/** One upload. */
export interface SocketUploadRequest {
  /** The worker origin and path (an `http:` URL). */
  readonly url: URL;
  readonly method: string;
  /** Header names and values; `host`, `content-length` and `connection` are added. */
  readonly headers: Readonly<Record<string, string>>;
  /** Exact length of `body`; a body that ends early or runs long fails the upload. */
  readonly contentLength: number;
  readonly body: ReadableStream<Uint8Array>;
  /** Bounds each wait on the worker; its signal aborts the upload. */
  readonly deadline: WaitDeadline;
  /** Called with each chunk of `body` once all its bytes were written to the connection. */
  readonly onChunkWritten?: (chunk: Uint8Array) => void;
}

/** The source stream failed: the caller reports this error, not a network one. */
export class UploadSourceError extends Error {
  constructor(readonly source: unknown) {
    super(`The upload's source failed: ${source}`, { cause: source });
  }
}

/** The worker's answer to an upload. */
export interface SocketUploadAnswer {
  /** Status, headers and the whole (small) body. */
  readonly response: Response;
  /** Cancels the source with `reason`: after an early error answer it may still hold unsent chunks. */
  stopSource(reason: unknown): Promise<void>;
}

/**
 * Sends the request and resolves with the worker's answer, whatever its status. Rejects when the connection
 * fails, the deadline passes or its signal aborts (with the signal's reason), or the source fails
 * (`UploadSourceError`); the source is then cancelled. The connection is always closed.
 */
export async function socketUpload(request: SocketUploadRequest): Promise<SocketUploadAnswer> {
  const { deadline } = request;
  const signal = deadline.signal;
  if (signal.aborted) throw signal.reason;
  deadline.start();
  let conn: Deno.TcpConn | undefined;
  const closeOnAbort = () => conn !== undefined && closeQuietly(conn);
  signal.addEventListener("abort", closeOnAbort, { once: true });
  const source = request.body.getReader();
  // After a whole exchange the worker closes first (see `closeAfterPeer`); after anything else, we do.
  let finished = false;
  try {
    conn = await connect(request.url, signal);
    const answered = settle(readResponse(conn));
    const sent = settle(sendRequest(conn, request, source));
    const sendFailure = await Promise.race([
      sent.then((outcome) => outcome.ok ? null : outcome),
      answered.then(() => null),
    ]);
    if (sendFailure !== null && !sendFailure.ok) {
      // The source failing is reported as such; a broken connection is usually the worker closing after an
      // early answer (a 507 or a 403, say), which is the better report when there is one.
      if (sendFailure.error instanceof UploadSourceError) throw sendFailure.error;
      const early = await answered;
      if (!early.ok) throw sendFailure.error;
      return answer(early.value, source);
    }
    const response = await answered;
    if (!response.ok) throw response.error;
    if (response.value.ok) {
      // The worker answers success only once it holds every promised byte, so the send has finished too.
      const done = await sent;
      if (!done.ok) throw done.error;
      finished = true;
    }
    return answer(response.value, source);
  } catch (error) {
    await source.cancel(error).catch(() => {});
    if (error instanceof UploadSourceError) throw error;
    throw transferFailure(error, signal, `${request.method} ${request.url.pathname}`);
  } finally {
    signal.removeEventListener("abort", closeOnAbort);
    deadline.close();
    if (conn !== undefined) {
      if (finished) await closeAfterPeer(conn);
      else closeQuietly(conn);
    }
  }
}

function answer(response: Response, source: ReadableStreamDefaultReader<Uint8Array>): SocketUploadAnswer {
  return { response, stopSource: (reason) => source.cancel(reason).catch(() => {}) };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then((value) => ({ ok: true, value }), (error: unknown) => ({ ok: false, error }));
}

/** Writes the head, then the body, disarming the deadline while the source produces each chunk. */
async function sendRequest(
  conn: Deno.TcpConn,
  request: SocketUploadRequest,
  source: ReadableStreamDefaultReader<Uint8Array>,
): Promise<void> {
  const { deadline, contentLength } = request;
  await writeAll(conn, requestHead(request.method, request.url, request.headers, contentLength));
  let sent = 0;
  while (true) {
    deadline.stop();
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await source.read();
    } catch (error) {
      throw new UploadSourceError(error);
    }
    deadline.start();
    if (result.done) break;
    sent += result.value.length;
    if (sent > contentLength) {
      throw new UploadSourceError(new Error(`Body runs past its declared ${contentLength} bytes`));
    }
    await writeAll(conn, result.value);
    request.onChunkWritten?.(result.value);
  }
  if (sent < contentLength) {
    throw new UploadSourceError(new Error(`Body ended after ${sent} of its declared ${contentLength} bytes`));
  }
}
