/**
 * A child process of the dev cluster: spawned from this same program (`main.ts ROLE`), with its
 * readiness line awaited on stdout and its later output forwarded to our stderr.
 */
import { serverV8FlagsArgument } from "./runtime_flags.ts";

/** A spawned role process. */
export class ChildProcess {
  readonly name: string;
  readonly #child: Deno.ChildProcess;
  readonly #lines: AsyncIterator<string>;

  private constructor(name: string, child: Deno.ChildProcess) {
    this.name = name;
    this.#child = child;
    this.#lines = readLines(child.stdout)[Symbol.asyncIterator]();
  }

  /** Spawns `main.ts` with `args` (role first) and extra environment. */
  static spawn(
    name: string,
    mainModule: string,
    configFile: string,
    args: string[],
    env: Record<string, string>,
  ) {
    const command = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", serverV8FlagsArgument(), "--config", configFile, mainModule, ...args],
      // With a stdin pipe held open by this process, the child stops by itself if we die (even by SIGKILL).
      env: { ...env, OBJSTORE_EXIT_WITH_PARENT: "true" },
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    });
    return new ChildProcess(name, command.spawn());
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Resolves with the exit status. */
  get status(): Promise<Deno.CommandStatus> {
    return this.#child.status;
  }

  /**
   * Waits for a stdout line starting with `prefix` and returns the rest of it; then keeps forwarding
   * output. Fails when the process exits first or `timeoutMs` passes.
   */
  async waitForLine(prefix: string, timeoutMs: number): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} did not print "${prefix}" within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.#findLine(prefix), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #findLine(prefix: string): Promise<string> {
    while (true) {
      const { value, done } = await this.#lines.next();
      if (done) throw new Error(`${this.name} exited before printing "${prefix}"`);
      if (value.startsWith(prefix)) {
        this.#forwardRest();
        return value.slice(prefix.length).trim();
      }
      console.error(`[${this.name}] ${value}`);
    }
  }

  #forwardRest(): void {
    (async () => {
      while (true) {
        const { value, done } = await this.#lines.next();
        if (done) return;
        console.error(`[${this.name}] ${value}`);
      }
    })().catch(() => {});
  }

  /** Sends `signal` (ignoring a process that already exited). */
  kill(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch {
      // Already exited.
    }
  }

  /** Asks the process to stop; escalates to SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.kill("SIGTERM");
    const timer = setTimeout(() => this.kill("SIGKILL"), graceMs);
    try {
      await this.#child.status;
    } finally {
      clearTimeout(timer);
      await this.#child.stdin.close().catch(() => {});
    }
  }
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncIterable<string> {
  let buffer = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffer += text;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) !== -1) {
      yield buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
    }
  }
  if (buffer !== "") yield buffer;
}
