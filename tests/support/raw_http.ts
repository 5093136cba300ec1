/**
 * Raw HTTP/1.1 over a TCP socket, for requests no well-behaved client sends: bodies shorter or longer
 * than their Content-Length, `Expect: 100-continue` handshakes, invalid bytes in the path.
 */

/** What came back: status line, headers and whatever body arrived before the connection closed. */
export interface RawResponse {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/** Sends `head` (request line + headers, without the blank line) and `body`, then reads the reply. */
export async function rawRequest(
  endpoint: string,
  head: string,
  body: Uint8Array | string = "",
  options: { closeWriteAfterBody?: boolean; waitForContinue?: boolean; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const url = new URL(endpoint);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  const encoder = new TextEncoder();
  const reader = conn.readable.getReader();
  const decoder = new TextDecoder();
  let received = "";
  const timer = setTimeout(() => conn.close(), options.timeoutMs ?? 10_000);
  try {
    await writeAll(conn, encoder.encode(`${head}\r\nconnection: close\r\n\r\n`));
    if (options.waitForContinue) {
      while (!received.includes("\r\n\r\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        received += decoder.decode(value, { stream: true });
      }
      if (!received.startsWith("HTTP/1.1 100")) return parse(received);
      received = received.slice(received.indexOf("\r\n\r\n") + 4);
    }
    await writeAll(conn, typeof body === "string" ? encoder.encode(body) : body);
    if (options.closeWriteAfterBody) await conn.closeWrite();
    while (true) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    return parse(received);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
}

function parse(text: string): RawResponse {
  const split = text.indexOf("\r\n\r\n");
  const head = split === -1 ? text : text.slice(0, split);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? "0");
  return { status, head, body: split === -1 ? "" : text.slice(split + 4) };
}
