/**
 * Reused frame buffers for the stripe writer. A frame goes back to the pool only when the transport says it
 * is done with it (the socket upload has handed every byte to the kernel); frames sent through `fetch`, which
 * may hold a chunk after taking the next one, never come back and are left to the garbage collector. So a
 * pooled frame is never written while anything still reads it, and a 1 GiB PUT no longer allocates (and
 * page-faults in) 1.5 GiB of fresh frames.
 */

/** Free frames of one exact length, at most `maxFree` of them kept. */
export class FramePool {
  /** Length of every frame this pool holds. */
  readonly frameBytes: number;
  readonly #maxFree: number;
  readonly #free: Uint8Array[] = [];

  constructor(frameBytes: number, maxFree: number) {
    this.frameBytes = frameBytes;
    this.#maxFree = maxFree;
  }

  /** Free frames held now. */
  get freeCount(): number {
    return this.#free.length;
  }

  /** A frame of `frameBytes` with unspecified contents: a returned one, or a new (zeroed) one. */
  take(): Uint8Array {
    return this.#free.pop() ?? new Uint8Array(this.frameBytes);
  }

  /** Returns `frame` for reuse; frames of another length, or past `maxFree`, are dropped. */
  give(frame: Uint8Array): void {
    const whole = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength;
    if (frame.length !== this.frameBytes || !whole || this.#free.length >= this.#maxFree) return;
    this.#free.push(frame);
  }
}
