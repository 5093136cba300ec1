/**
 * A bounded, pull-driven stream of frames for one shard upload. The encoder pushes frames; the HTTP
 * request body pulls them. `push` waits while `maxQueuedFrames` frames are waiting, which bounds the
 * memory of an upload to a few stripes whatever the object size.
 */

/** One shard's outgoing frame stream with backpressure. */
export class ShardChannel {
  /** The request body to hand to the worker client. */
  readonly stream: ReadableStream<Uint8Array>;
  readonly #maxQueuedFrames: number;
  readonly #queue: Uint8Array[] = [];
  #pendingPull: (() => void) | null = null;
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  // Set in `start`; kept so `push` and `close` can enqueue while a pull waits.
  #roomWaiter: (() => void) | null = null;
  #closed = false;
  #failure: unknown = null;

  constructor(maxQueuedFrames: number) {
    this.#maxQueuedFrames = Math.max(1, maxQueuedFrames);
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: (controller) => this.#pull(controller),
      cancel: (reason) => this.#markFailed(reason ?? new Error("shard stream cancelled")),
    }, { highWaterMark: 0 });
  }

  /** True once the consumer cancelled or `fail` was called: further frames are dropped. */
  get failed(): boolean {
    return this.#failure !== null;
  }

  /** Why the channel failed, if it did. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Queues `frame`; resolves when there is room for another (immediately if the channel failed). */
  async push(frame: Uint8Array): Promise<void> {
    if (this.#failure !== null || this.#closed) return;
    if (this.#pendingPull !== null) {
      this.#controller!.enqueue(frame);
      const resolve = this.#pendingPull;
      this.#pendingPull = null;
      resolve();
      return;
    }
    this.#queue.push(frame);
    while (this.#queue.length >= this.#maxQueuedFrames && this.#failure === null) {
      await new Promise<void>((resolve) => this.#roomWaiter = resolve);
    }
  }

  /** Ends the stream after the queued frames. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#queue.length === 0 && this.#pendingPull !== null && this.#failure === null) {
      this.#controller!.close();
      const resolve = this.#pendingPull;
      this.#pendingPull = null;
      resolve();
    }
  }

  /**
   * Drops the channel: queued frames are discarded and later pushes are ignored. The caller must also
   * abort the request (its AbortSignal), which makes the worker discard the partial shard. The stream
   * itself is deliberately NOT errored: erroring a request body that Deno's `fetch` is still pumping
   * can surface inside fetch as an unhandled rejection and crash the process (seen with a Content-MD5
   * mismatch found at the very end of an upload).
   */
  fail(reason: unknown): void {
    if (this.#failure !== null) return;
    this.#markFailed(reason);
  }

  #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> | void {
    const frame = this.#queue.shift();
    if (frame !== undefined) {
      controller.enqueue(frame);
      this.#wakeProducer();
      return;
    }
    if (this.#closed) {
      controller.close();
      return;
    }
    return new Promise<void>((resolve) => this.#pendingPull = resolve);
  }

  #markFailed(reason: unknown): void {
    if (this.#failure === null) this.#failure = reason;
    this.#queue.length = 0;
    this.#wakeProducer();
  }

  #wakeProducer(): void {
    const resolve = this.#roomWaiter;
    this.#roomWaiter = null;
    resolve?.();
  }
}
