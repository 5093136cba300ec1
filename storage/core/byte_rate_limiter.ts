/**
 * Bandwidth bounds for background work (repair, rebalancing): a token bucket that refills at
 * `bytesPerSecond` and holds at most one second's worth, so a burst after a quiet spell is bounded too.
 * Takers may overdraw it; each then waits until its share is paid back, which keeps concurrent takers in
 * order and the long-run rate at the bound.
 */

/** Sleeps `ms` milliseconds, or rejects when `signal` aborts first. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** A shared byte budget per second; a rate of 0 means unlimited. */
export class ByteRateLimiter {
  readonly bytesPerSecond: number;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  #tokens: number;
  #refilledAtMs: number;

  constructor(bytesPerSecond: number, now: () => number = () => performance.now(), sleep: Sleep = realSleep) {
    this.bytesPerSecond = bytesPerSecond;
    this.#now = now;
    this.#sleep = sleep;
    this.#tokens = bytesPerSecond;
    this.#refilledAtMs = now();
  }

  /** Takes `bytes` from the budget, waiting as long as the rate requires. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.bytesPerSecond <= 0 || bytes <= 0) return;
    const now = this.#now();
    const refill = ((now - this.#refilledAtMs) / 1000) * this.bytesPerSecond;
    this.#tokens = Math.min(this.bytesPerSecond, this.#tokens + refill);
    this.#refilledAtMs = now;
    this.#tokens -= bytes;
    if (this.#tokens < 0) await this.#sleep((-this.#tokens / this.bytesPerSecond) * 1000, signal);
  }

  /** `stream` passed through unchanged, each chunk taken from the budget before it moves on. */
  throttle(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    if (this.bytesPerSecond <= 0) return stream;
    return stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: async (chunk, controller) => {
          await this.take(chunk.byteLength);
          controller.enqueue(chunk);
        },
      }),
    );
  }
}
