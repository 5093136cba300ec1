/**
 * A timeout that runs only while a client is waiting on a worker, never while it is waiting on its
 * own data source or its caller. A worker request can legitimately last as long as a slow S3 client
 * takes to upload, so a fixed total timeout would be wrong; what must be bounded is each wait on the
 * worker (to connect, to take the next chunk, to answer, to send the next chunk). The timer is armed
 * around those waits only and is always disarmed at the end, so no timer outlives a request.
 */

import { StoreError } from "../core/mod.ts";

/** Aborts `signal` when a single wait on the worker exceeds `timeoutMs`. */
export class WaitDeadline {
  /** Aborted on timeout or when the caller's signal aborts; pass it to `fetch`. */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #timeoutMs: number;
  readonly #description: string;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(timeoutMs: number, description: string, callerSignal?: AbortSignal) {
    this.#timeoutMs = timeoutMs;
    this.#description = description;
    this.signal = callerSignal === undefined
      ? this.#controller.signal
      : AbortSignal.any([callerSignal, this.#controller.signal]);
  }

  /** True once the timer has fired. */
  get timedOut(): boolean {
    return this.#controller.signal.aborted;
  }

  /** The error describing the timeout. */
  timeoutError(): StoreError {
    return new StoreError("unavailable", `${this.#description} waited more than ${this.#timeoutMs} ms`);
  }

  /** Arms the timer (no-op when armed). */
  start(): void {
    if (this.#timer !== undefined || this.timedOut || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#controller.abort(this.timeoutError());
    }, this.#timeoutMs);
  }

  /** Disarms the timer for good: later `start()` calls do nothing. */
  close(): void {
    this.stop();
    this.#closed = true;
  }

  /** Disarms the timer. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Wraps an upload body: the timer is disarmed while the source produces a chunk and armed while the
   * chunk waits to be taken by `fetch`, and after the last one until `stop()` (the worker's answer).
   */
  watchUpload(source: ReadableStream<Uint8Array>): WatchedUpload {
    const reader = source.getReader();
    const watched: WatchedUpload = {
      stream: new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          this.stop();
          let result: ReadableStreamReadResult<Uint8Array>;
          try {
            result = await reader.read();
          } catch (error) {
            watched.sourceError = error;
            throw error;
          }
          if (result.done) controller.close();
          else controller.enqueue(result.value);
          this.start();
        },
        cancel: (reason) => reader.cancel(reason),
      }, { highWaterMark: 0 }),
      sourceError: undefined,
      // After a response `fetch` may keep pulling the body and never cancels it, so stop the source.
      stopSource: (reason) => reader.cancel(reason).catch(() => {}),
    };
    return watched;
  }

  /** Wraps a response body: the timer is armed while waiting for each chunk from the worker. */
  watchDownload(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const reader = source.getReader();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        this.start();
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          throw this.timedOut ? this.timeoutError() : error;
        } finally {
          this.stop();
        }
        if (result.done) {
          this.close();
          controller.close();
        } else {
          controller.enqueue(result.value);
        }
      },
      cancel: (reason) => {
        this.close();
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
  }
}

/** An upload body watched by a `WaitDeadline`. */
export interface WatchedUpload {
  /** The body to hand to `fetch`. */
  stream: ReadableStream<Uint8Array>;
  /** Set when the source itself failed, so the caller reports that rather than a network error. */
  sourceError: unknown;
  /** Cancels the source (once the worker has answered, nothing more must be read from it). */
  stopSource(reason: unknown): Promise<void>;
}
