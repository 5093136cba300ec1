/**
 * Bandwidth bounds for background work (repair, rebalancing): a token bucket that refills at
 * `bytesPerSecond` and holds at most one second's worth, so a burst after a quiet spell is bounded too.
 * Takers may overdraw it; each then waits until its share is paid back, which keeps concurrent takers in
 * order and the long-run rate at the bound. (A worker paces its own scrubbing with `BytePacer`, which
 * keeps no credit at all; this bucket serves several concurrent takers sharing one budget.)
 */
import { abortableSleep, type Sleep } from "./sleep.ts";

/** A shared byte budget per second; a rate of 0 means unlimited. */
export class ByteRateLimiter {
  readonly bytesPerSecond: number;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  #tokens: number;
  #refilledAtMs: number;

  constructor(
    bytesPerSecond: number,
    now: () => number = () => performance.now(),
    sleep: Sleep = abortableSleep,
  ) {
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
