/**
 * Pacing for background reads: `BytePacer` lets a reader start each read only once the bytes before it fit
 * the rate, so over any span the reader has started at most `rate × span + one read` bytes. Time the reader
 * spends idle or slower than the rate is not saved up as credit, so there is never a burst after a pause.
 * Waits shorter than a few milliseconds are skipped (timers are not that precise, and many tiny files
 * would otherwise each pay a timer's overshoot); the schedule keeps counting, so the next wait makes up
 * for them.
 */

import { abortableSleep, assert, type Sleep } from "../core/mod.ts";

/** Waits shorter than this are skipped; the debt carries over to the next read. */
export const PACER_SLACK_MS = 5;

/** Options of a `BytePacer`; the clock and the sleep are for tests. */
export interface BytePacerOptions {
  /** Monotonic time in milliseconds; `performance.now()` by default. */
  nowMs?: () => number;
  /** How to wait; `abortableSleep` by default. */
  sleep?: Sleep;
}

/** Spaces reads out so that they start at no more than `bytesPerSecond` on average. */
export class BytePacer {
  /** The bound, in bytes per second (> 0). */
  readonly bytesPerSecond: number;
  readonly #nowMs: () => number;
  readonly #sleep: Sleep;
  #nextStartMs = Number.NEGATIVE_INFINITY;

  constructor(bytesPerSecond: number, options: BytePacerOptions = {}) {
    assert(
      Number.isFinite(bytesPerSecond) && bytesPerSecond > 0,
      `bytesPerSecond must be > 0, got ${bytesPerSecond}`,
    );
    this.bytesPerSecond = bytesPerSecond;
    this.#nowMs = options.nowMs ?? (() => performance.now());
    this.#sleep = options.sleep ?? abortableSleep;
  }

  /**
   * Resolves when a read of `bytes` may start. Rejects with the abort reason when `signal` is (or becomes)
   * aborted, without charging the bytes.
   */
  async pace(bytes: number, signal?: AbortSignal): Promise<void> {
    assert(Number.isSafeInteger(bytes) && bytes >= 0, `bytes must be a whole number >= 0, got ${bytes}`);
    signal?.throwIfAborted();
    const nowMs = this.#nowMs();
    const startMs = Math.max(nowMs, this.#nextStartMs);
    const waitMs = startMs - nowMs;
    if (waitMs >= PACER_SLACK_MS) await this.#sleep(waitMs, signal);
    this.#nextStartMs = startMs + (bytes * 1000) / this.bytesPerSecond;
  }
}
