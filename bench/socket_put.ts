/**
 * An HTTP/1.1 PUT written straight to a TCP socket: a fixed Content-Length and a body streamed from a
 * reused buffer. Deno's `fetch` sends stream bodies chunked and drops Content-Length (which S3 requires),
 * and buffering 1 GiB in a Blob would measure memory, not the server, so the bench writes the wire itself.
 * The connection is closed when the call ends; `timeoutMs` bounds the whole exchange.
 */

/** Status line code and raw text (head and body) of the response. */
export interface SocketPutResult {
  readonly status: number;
  readonly response: string;
}

/** At most this much response is kept; PUT responses are a few headers and an error XML at most. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** PUTs `totalBytes` (views of `chunk`, repeated) to `url` with `headers` plus Content-Length. */
export async function socketPut(
  url: URL,
  headers: Record<string, string>,
  totalBytes: number,
  chunk: Uint8Array<ArrayBuffer>,
  timeoutMs: number,
): Promise<SocketPutResult> {
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    closeQuietly(conn);
  }, timeoutMs);
  try {
    // Read concurrently: a server that rejects early (403, 400) answers before the body is sent.
    const response = readToEnd(conn);
    response.catch(() => {});
    try {
      await writeAll(conn, new TextEncoder().encode(requestHead(url, headers, totalBytes)));
      for (let sent = 0; sent < totalBytes;) {
        const length = Math.min(chunk.byteLength, totalBytes - sent);
        await writeAll(conn, chunk.subarray(0, length));
        sent += length;
      }
    } catch (error) {
      if (timedOut) throw error;
      // The server closed early; its response (below) says why.
    }
    const text = await response;
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? NaN);
    if (!Number.isInteger(status)) {
      throw new Error(`Expected an HTTP/1.1 status line, got ${JSON.stringify(text.slice(0, 80))}`);
    }
    return { status, response: text };
  } catch (error) {
    if (timedOut) throw new Error(`PUT ${url} of ${totalBytes} bytes took longer than ${timeoutMs} ms`);
    throw error;
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}

function requestHead(url: URL, headers: Record<string, string>, totalBytes: number): string {
  const lines = [`PUT ${url.pathname}${url.search} HTTP/1.1`];
  const all: Record<string, string> = {
    ...headers,
    "content-length": String(totalBytes),
    connection: "close",
  };
  for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
  return lines.join("\r\n") + "\r\n\r\n";
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.byteLength;) {
    written += await conn.write(bytes.subarray(written));
  }
}

/** Reads until the server closes the connection (the request said `connection: close`). */
async function readToEnd(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(MAX_RESPONSE_BYTES);
  let length = 0;
  while (length < buffer.byteLength) {
    const read = await conn.read(buffer.subarray(length));
    if (read === null) break;
    length += read;
  }
  return new TextDecoder().decode(buffer.subarray(0, length));
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}
