/**
 * The MD5 Web Workers of one gateway process, shared by all its uploads: a body large enough hands
 * its bytes to a worker (`ParallelDigest`) so the ETag is hashed on another core instead of taking the
 * event loop's time. Workers start lazily (the first large body pays a few ms, later ones nothing),
 * serve concurrent bodies by digest id, and are terminated by `close()`. A worker that dies fails the
 * digests it held (their streams error) and is replaced on the next large body. Small bodies are
 * hashed on the calling thread (`DigestStream`): cheaper than a round trip.
 */
import { type BodyDigest, DigestStream } from "./digest_stream.ts";
import { StoreError } from "./errors.ts";
import type { Md5Reply } from "./md5_worker.ts";
import { type Md5Channel, type Md5Listener, ParallelDigest } from "./parallel_digest.ts";

/** One mebibyte. */
const MIB = 1024 * 1024;

/** Options of an MD5 pool; every field has a default. */
export interface Md5PoolOptions {
  /** Workers to spread bodies over (default 1: one body's MD5 is serial, and one other core is plenty). */
  readonly workerCount?: number;
  /** Bodies of fewer bytes are hashed on the calling thread (default 1 MiB). */
  readonly minWorkerBytes?: number;
  /** Bytes per buffer sent to a worker (default 1 MiB: few messages, little memory). */
  readonly batchBytes?: number;
  /** Most bytes of one body copied but not yet hashed before the body waits (default 8 MiB). */
  readonly maxPendingBytes?: number;
  /** The module each worker runs (default `./md5_worker.ts`; tests swap in a failing one). */
  readonly workerUrl?: string;
}

/** One worker and the digests it serves, by id. */
interface WorkerSlot {
  readonly worker: Worker;
  readonly listeners: Map<number, Md5Listener>;
}

/** Hands out body digests, hashing large bodies in lazily started Web Workers; `close()` stops them. */
export class Md5Pool implements Disposable {
  readonly #minWorkerBytes: number;
  readonly #batchBytes: number;
  readonly #maxPendingBytes: number;
  readonly #workerUrl: string;
  readonly #slots: (WorkerSlot | null)[];
  #nextId = 1;
  #closed = false;

  constructor(options: Md5PoolOptions = {}) {
    const workerCount = options.workerCount ?? 1;
    if (!(Number.isInteger(workerCount) && workerCount >= 1 && workerCount <= 64)) {
      throw new RangeError(`workerCount must be an integer from 1 to 64, got ${workerCount}`);
    }
    this.#minWorkerBytes = options.minWorkerBytes ?? MIB;
    this.#batchBytes = options.batchBytes ?? MIB;
    this.#maxPendingBytes = options.maxPendingBytes ?? 8 * MIB;
    this.#workerUrl = options.workerUrl ?? new URL("./md5_worker.ts", import.meta.url).href;
    this.#slots = Array.from({ length: workerCount }, () => null);
    if (!(Number.isInteger(this.#batchBytes) && this.#batchBytes > 0)) {
      throw new RangeError(`batchBytes must be a positive integer, got ${this.#batchBytes}`);
    }
    if (!(this.#maxPendingBytes >= this.#batchBytes)) {
      throw new RangeError(
        `maxPendingBytes (${this.#maxPendingBytes}) must be at least batchBytes (${this.#batchBytes})`,
      );
    }
  }

  /** A digest for a body of `sizeBytes` (declared): in a worker when large, else on this thread. */
  digest(sizeBytes: number): BodyDigest {
    if (sizeBytes < this.#minWorkerBytes) return new DigestStream();
    return new ParallelDigest((listener) => this.#open(listener), this.#digestOptions());
  }

  /** Workers running now (started lazily, so 0 until the first large body). */
  get runningWorkers(): number {
    return this.#slots.filter((slot) => slot !== null).length;
  }

  /** Terminates every worker; digests still running fail. Later large bodies fail. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#slots.forEach((slot, index) => {
      if (slot === null) return;
      const error = new StoreError(
        "unavailable",
        `The MD5 pool was closed while ${slot.listeners.size} digests were running`,
      );
      this.#retire(index, slot, error);
    });
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #digestOptions(): { batchBytes: number; maxPendingBytes: number } {
    return { batchBytes: this.#batchBytes, maxPendingBytes: this.#maxPendingBytes };
  }

  /** Registers `listener` with the least busy worker (starting one if needed). */
  #open(listener: Md5Listener): Md5Channel {
    if (this.#closed) throw new StoreError("unavailable", "The MD5 pool is closed");
    const index = this.#leastBusy();
    const slot = this.#slots[index] ?? this.#spawn(index);
    const id = this.#nextId++;
    slot.listeners.set(id, listener);
    return {
      id,
      send: (request, transfer = []) => slot.worker.postMessage(request, transfer),
      close: () => slot.listeners.delete(id),
    };
  }

  /** Index of the slot with the fewest digests; a running worker wins a tie with an empty slot. */
  #leastBusy(): number {
    let best = 0;
    let bestLoad = Infinity;
    this.#slots.forEach((slot, index) => {
      const load = slot === null ? 0.5 : slot.listeners.size;
      if (load < bestLoad) {
        best = index;
        bestLoad = load;
      }
    });
    return best;
  }

  #spawn(index: number): WorkerSlot {
    const worker = new Worker(this.#workerUrl, { type: "module" });
    const slot: WorkerSlot = { worker, listeners: new Map() };
    worker.onmessage = (event: MessageEvent<Md5Reply>) => {
      slot.listeners.get(event.data.id)?.onReply(event.data);
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault(); // Handled here: the digests fail, the process keeps serving.
      this.#retire(index, slot, new StoreError("unavailable", `The MD5 worker failed: ${event.message}`));
    };
    worker.onmessageerror = () => {
      this.#retire(
        index,
        slot,
        new StoreError("unavailable", "The MD5 worker sent a message that could not be read"),
      );
    };
    this.#slots[index] = slot;
    return slot;
  }

  /** Terminates `slot`'s worker and fails its digests with `error`. */
  #retire(index: number, slot: WorkerSlot, error: Error): void {
    if (this.#slots[index] !== slot) return;
    this.#slots[index] = null;
    slot.worker.terminate();
    const listeners = [...slot.listeners.values()];
    slot.listeners.clear();
    for (const listener of listeners) listener.onFailure(error);
  }
}
