/**
 * The body of an MD5 Web Worker (started by `Md5Pool`): keeps one node:crypto MD5 per digest id and
 * hashes the buffers the main thread transfers to it, so ETag hashing runs on another core. Every
 * buffer goes back to the sender by transfer once hashed, which both acknowledges it (the sender's
 * backpressure) and lets the sender reuse it. Requests of one id arrive in order (one port, FIFO).
 * Run only as a worker; the main thread imports nothing but the message types below.
 */
import { createHash, type Hash } from "node:crypto";

/** A message from the main thread to an MD5 worker. */
export type Md5Request =
  /** Hash the first `length` bytes of `bytes` into digest `id` (creating it on first use). */
  | {
    readonly kind: "update";
    readonly id: number;
    readonly bytes: Uint8Array<ArrayBuffer>;
    readonly length: number;
  }
  /** Finish digest `id` and reply with its MD5. */
  | { readonly kind: "finish"; readonly id: number }
  /** Forget digest `id` (its body failed or was cancelled); no reply. */
  | { readonly kind: "discard"; readonly id: number };

/** A message from an MD5 worker to the main thread. */
export type Md5Reply =
  /** `bytes` (transferred back) were hashed into digest `id`. */
  | { readonly kind: "ack"; readonly id: number; readonly bytes: Uint8Array<ArrayBuffer> }
  /** The MD5 of digest `id`, which the worker has now forgotten. */
  | { readonly kind: "digest"; readonly id: number; readonly md5: Uint8Array<ArrayBuffer> }
  /** Digest `id` failed; the worker has forgotten it. */
  | { readonly kind: "error"; readonly id: number; readonly message: string };

/** The part of a worker's global scope this file uses (typed here: the project checks with window types). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<Md5Request>) => void) | null;
  postMessage(message: Md5Reply, transfer?: Transferable[]): void;
}

/** Answers one request, updating `hashes` (digest id → running MD5). */
function handle(request: Md5Request, hashes: Map<number, Hash>, scope: WorkerScope): void {
  switch (request.kind) {
    case "update": {
      let hash = hashes.get(request.id);
      if (hash === undefined) {
        hash = createHash("md5");
        hashes.set(request.id, hash);
      }
      hash.update(request.bytes.subarray(0, request.length));
      scope.postMessage({ kind: "ack", id: request.id, bytes: request.bytes }, [request.bytes.buffer]);
      return;
    }
    case "finish": {
      const hash = hashes.get(request.id) ?? createHash("md5");
      hashes.delete(request.id);
      const md5 = new Uint8Array(hash.digest());
      scope.postMessage({ kind: "digest", id: request.id, md5 }, [md5.buffer]);
      return;
    }
    case "discard":
      hashes.delete(request.id);
      return;
  }
}

/** Starts answering requests; called when this module runs as a worker. */
function serve(scope: WorkerScope): void {
  const hashes = new Map<number, Hash>();
  scope.onmessage = (event) => {
    try {
      handle(event.data, hashes, scope);
    } catch (error) {
      hashes.delete(event.data.id);
      const message = error instanceof Error ? error.message : String(error);
      scope.postMessage({ kind: "error", id: event.data.id, message });
    }
  };
}

// The main thread never evaluates this module (it imports types only); the guard makes sure of it.
if ("WorkerGlobalScope" in globalThis) {
  serve(globalThis as unknown as WorkerScope);
}
