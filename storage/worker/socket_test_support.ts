/** Servers for the socket transport tests: a `Deno.serve` and a raw TCP listener on run-time ports. */

/** A `Deno.serve` on a run-time port that records what it received. */
export async function withServer(
  handler: (request: Request) => Promise<Response>,
  run: (url: URL) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  try {
    await run(new URL(`http://127.0.0.1:${server.addr.port}/v1/upload?x=1`));
  } finally {
    await server.shutdown();
  }
}

/** A raw TCP server on a run-time port whose connections `onConnection` handles. */
export async function withRawServer(
  onConnection: (conn: Deno.TcpConn) => Promise<void>,
  run: (url: URL) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const handled: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      handled.push(onConnection(conn).catch(() => {}).finally(() => close(conn)));
    }
  })();
  try {
    await run(new URL(`http://127.0.0.1:${listener.addr.port}/v1/upload`));
  } finally {
    listener.close();
    await accepting.catch(() => {});
    await Promise.all(handled);
  }
}

function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // closed already
  }
}
