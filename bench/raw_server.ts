/**
 * The machine limit for HTTP: a bare `Deno.serve` with no routing framework, auth or storage, run as its
 * own process (like the gateway) so client and server each get a core. Run as a program it serves
 * `PUT /upload` (drains the body), `GET /download?bytes=N` (streams N bytes of a reused buffer),
 * `GET /small` (4 KiB) and `PUT /small` (drains); `RawServer.start()` spawns it and stops it on dispose.
 */
import { drainBody, randomBytes, repeatedStream } from "./byte_streams.ts";
import { SMALL_OBJECT_BYTES, STREAM_CHUNK_BYTES } from "./bench_sizes.ts";
import { ChildServer, killQuietly } from "./peer_process.ts";

const READY_PREFIX = "raw server: ";
const READY_TIMEOUT_MS = 30_000;

/** A running raw server process. */
export class RawServer extends ChildServer {
  /** Spawns the server on a free port and resolves once it listens. */
  static async start(): Promise<RawServer> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", new URL(import.meta.url).pathname],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const timer = setTimeout(() => killQuietly(child, "SIGKILL"), READY_TIMEOUT_MS);
    let output = "";
    while (!output.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      output += value;
    }
    clearTimeout(timer);
    const line = output.split("\n").find((text) => text.startsWith(READY_PREFIX));
    if (line === undefined) {
      killQuietly(child, "SIGKILL");
      await child.status;
      throw new Error(
        `Raw server did not print "${READY_PREFIX}URL" within ${READY_TIMEOUT_MS} ms:\n${await stderr}`,
      );
    }
    // Keep draining stdout so the child can never block on a full pipe.
    (async () => {
      while (!(await reader.read()).done) { /* drain */ }
    })().catch(() => {});
    return new RawServer(line.slice(READY_PREFIX.length).trim(), child, stderr);
  }
}

/** The request handler of the raw server process. */
function rawHandler(chunk: Uint8Array<ArrayBuffer>, small: Uint8Array<ArrayBuffer>) {
  return async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "PUT" && (url.pathname === "/upload" || url.pathname === "/small")) {
      const bytes = await drainBody(request.body);
      return new Response(url.pathname === "/upload" ? String(bytes) : null);
    }
    if (request.method === "GET" && url.pathname === "/download") {
      const bytes = Number(url.searchParams.get("bytes"));
      if (!Number.isSafeInteger(bytes) || bytes < 0) return new Response("bad bytes", { status: 400 });
      return new Response(repeatedStream(bytes, chunk), { headers: { "content-length": String(bytes) } });
    }
    if (request.method === "GET" && url.pathname === "/small") return new Response(small);
    return new Response("not found", { status: 404 });
  };
}

if (import.meta.main) {
  const handler = rawHandler(randomBytes(STREAM_CHUNK_BYTES), randomBytes(SMALL_OBJECT_BYTES));
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(`${READY_PREFIX}http://127.0.0.1:${port}`),
  }, handler);
  Deno.addSignalListener("SIGTERM", () => server.shutdown());
  await server.finished;
}
