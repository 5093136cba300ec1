/** How much work each benchmark does: full figures by default, a small smoke run with `--quick`. */

/** Sizes, counts and time bounds of one bench run. */
export interface BenchSizes {
  /** Bytes of each large transfer (raw upload/download, gateway PUT/GET of one object). */
  readonly transferBytes: number;
  /** Human label of `transferBytes`, printed in the header. */
  readonly transferLabel: string;
  /** Small (4 KiB) requests per raw baseline rate. */
  readonly rawSmallRequests: number;
  /** Small (4 KiB) requests per gateway rate. */
  readonly gatewaySmallRequests: number;
  /** Requests in flight at once during a rate measurement. */
  readonly concurrency: number;
  /** Timed repetitions of each in-memory benchmark (memcpy, erasure); the best one counts. */
  readonly reps: number;
  /**
   * GETs of the large object from each server (s3rver, the gateway); the fastest counts, as for `reps`. A GET
   * changes nothing, so repeating it costs only time; the PUT is timed once.
   */
  readonly largeGets: number;
  /** Bound on one large transfer; a slower one fails the run instead of hanging it. */
  readonly transferTimeoutMs: number;
  /** Bound on one small request. */
  readonly requestTimeoutMs: number;
}

const MIB = 1024 * 1024;

/** Bytes of a small request body or response. */
export const SMALL_OBJECT_BYTES = 4096;

/** Bytes of the reused buffer that streamed bodies are cut from. */
export const STREAM_CHUNK_BYTES = MIB;

/** Sizes for a full run, or for a quick smoke run. */
export function benchSizes(quick: boolean): BenchSizes {
  return quick
    ? {
      transferBytes: 64 * MIB,
      transferLabel: "64 MiB",
      rawSmallRequests: 300,
      gatewaySmallRequests: 200,
      concurrency: 16,
      reps: 3,
      largeGets: 1,
      transferTimeoutMs: 60_000,
      requestTimeoutMs: 30_000,
    }
    : {
      transferBytes: 1024 * MIB,
      transferLabel: "1 GiB",
      rawSmallRequests: 3000,
      gatewaySmallRequests: 2000,
      concurrency: 16,
      reps: 8,
      largeGets: 3,
      transferTimeoutMs: 180_000,
      requestTimeoutMs: 30_000,
    };
}
