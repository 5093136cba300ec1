/** A periodic background job (GC today; repair and lifecycle later). */
import type { Logger } from "../storage/mod.ts";

/** Runs `task` every `intervalMs`, never overlapping itself; `stop` waits for a running pass. */
export class BackgroundLoop {
  readonly #intervalMs: number;
  readonly #task: () => Promise<unknown>;
  readonly #logger: Logger;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(intervalMs: number, task: () => Promise<unknown>, logger: Logger) {
    this.#intervalMs = intervalMs;
    this.#task = task;
    this.#logger = logger;
  }

  /** Schedules the first pass: after one interval, or at once with `immediately`. */
  start(immediately = false): void {
    this.#schedule(immediately ? 0 : this.#intervalMs);
  }

  /** Stops scheduling and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delayMs = this.#intervalMs): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#task()
        .then(() => {}, (error) => this.#logger.error("background pass failed", { error }))
        .finally(() => {
          this.#running = null;
          this.#schedule();
        });
    }, delayMs);
  }
}
