/**
 * Helpers for the servers the bench starts as child processes (nginx, s3rver, the raw server): a free
 * port to hand them, waiting until they accept connections, and stopping them.
 */

/** How often a starting peer's port is probed. */
const READY_POLL_MS = 20;
/** How long a stopping server gets after SIGTERM before SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;

/** A server running as a child process; `await using` stops it (SIGTERM, SIGKILL after 10 s) and waits. */
export class ChildServer implements AsyncDisposable {
  /** Base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly #child: Deno.ChildProcess;
  readonly #stderr: Promise<string>;

  protected constructor(url: string, child: Deno.ChildProcess, stderr: Promise<string>) {
    this.url = url;
    this.#child = child;
    this.#stderr = stderr;
  }

  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and waits for it and its stderr. */
  async [Symbol.asyncDispose](): Promise<void> {
    killQuietly(this.#child, "SIGTERM");
    const timer = setTimeout(() => killQuietly(this.#child, "SIGKILL"), STOP_TIMEOUT_MS);
    await this.#child.status;
    clearTimeout(timer);
    await this.#stderr;
  }
}

/** A port that was free a moment ago (for peers that cannot pick one and report it). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Resolves once 127.0.0.1:`port` accepts a connection; fails if `child` exits first or time runs out. */
export async function waitForPort(
  name: string,
  port: number,
  child: Deno.ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const exit: { status: Deno.CommandStatus | null } = { status: null };
  child.status.then((status) => exit.status = status);
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (exit.status !== null) {
      throw new Error(`${name} exited with ${exit.status.code} before listening on 127.0.0.1:${port}`);
    }
    try {
      const connection = await Deno.connect({ hostname: "127.0.0.1", port });
      connection.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
  }
  throw new Error(`${name} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Sends `signal` to `child`, ignoring a child that already exited. */
export function killQuietly(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch { /* already exited */ }
}
