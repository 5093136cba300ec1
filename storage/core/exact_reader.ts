/**
 * Reads a byte stream in pieces of exactly the size the caller asks for, whatever chunk sizes the
 * stream delivers. Framed formats (shard blocks, aws-chunked bodies, stripes) are built on it.
 */

/** Pulls exact-size pieces out of a `ReadableStream<Uint8Array>`. */
export class ExactReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending: Uint8Array = new Uint8Array(0);
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /**
   * Fills `target` completely unless the stream ends first; returns how many bytes were written.
   * A result shorter than `target.length` means the stream has ended.
   */
  async readInto(target: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < target.length) {
      if (this.#pending.length === 0) {
        if (this.#done) break;
        const { value, done } = await this.#reader.read();
        if (done) {
          this.#done = true;
          break;
        }
        this.#pending = value;
        continue;
      }
      const take = Math.min(this.#pending.length, target.length - filled);
      target.set(this.#pending.subarray(0, take), filled);
      this.#pending = this.#pending.subarray(take);
      filled += take;
    }
    return filled;
  }

  /**
   * Returns the next chunk of at most `maxBytes` without copying, or `null` at the end of the stream.
   * Useful to pass bytes through when the frame boundary does not matter.
   */
  async readChunk(maxBytes: number): Promise<Uint8Array | null> {
    if (this.#pending.length === 0) {
      if (this.#done) return null;
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#done = true;
        return null;
      }
      this.#pending = value;
    }
    const take = Math.min(this.#pending.length, maxBytes);
    const chunk = this.#pending.subarray(0, take);
    this.#pending = this.#pending.subarray(take);
    return chunk;
  }

  /** Reads one line ending in CRLF (without it), failing past `maxBytes`; `null` at a clean end. */
  async readLine(maxBytes: number): Promise<string | null> {
    const bytes: number[] = [];
    const one = new Uint8Array(1);
    while (true) {
      const n = await this.readInto(one);
      if (n === 0) {
        if (bytes.length === 0) return null;
        throw new RangeError("Stream ended inside a line");
      }
      if (one[0] === 0x0a && bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) {
        bytes.pop();
        return String.fromCharCode(...bytes);
      }
      bytes.push(one[0]);
      if (bytes.length > maxBytes) throw new RangeError(`Line is longer than ${maxBytes} bytes`);
    }
  }

  /** True once the underlying stream has ended and no bytes are pending. */
  async atEnd(): Promise<boolean> {
    if (this.#pending.length > 0) return false;
    if (this.#done) return true;
    const { value, done } = await this.#reader.read();
    if (done) {
      this.#done = true;
      return true;
    }
    this.#pending = value;
    return value.length === 0 ? this.atEnd() : false;
  }

  /** Cancels the underlying stream (for example after an error). */
  async cancel(reason?: unknown): Promise<void> {
    this.#done = true;
    this.#pending = new Uint8Array(0);
    await this.#reader.cancel(reason).catch(() => {});
  }

  /** Releases the reader lock without cancelling. */
  release(): void {
    this.#reader.releaseLock();
  }
}
