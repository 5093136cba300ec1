/**
 * The access trace of the edge cache's admission comparison: most requests follow a Zipf-like law over
 * a fixed set of objects, the rest are a scan of objects asked for once. Shared by the hit-ratio test of
 * tiers/edge_cache_test.ts and the admission row of the bench, so the two see the same trace.
 */

/** Shape of a Zipf + scan trace. */
export interface ZipfScanTraceOptions {
  /** Requests in the trace. */
  readonly requests: number;
  /** Distinct objects of the skewed part (named `z-0` … `z-(n-1)`, `z-0` the hottest). */
  readonly zipfObjects: number;
  /** Share of requests that go to the skewed part; the rest are unique `scan-N` objects. */
  readonly zipfShare: number;
  /** Seed of the linear congruential generator, so every run sees the same trace. */
  readonly seed: number;
}

/** 20,000 requests, 70 % Zipf-like over 2,000 objects, 30 % scan, seed 42. */
export const ZIPF_SCAN_TRACE: ZipfScanTraceOptions = {
  requests: 20_000,
  zipfObjects: 2000,
  zipfShare: 0.7,
  seed: 42,
};

/**
 * The object ids of the trace, in request order. A skewed request picks `z-(floor(n ** u) - 1)` for a
 * uniform u in [0, 1), which makes low ids far more likely (probability falling roughly as 1 / id).
 */
export function zipfScanTrace(options: ZipfScanTraceOptions = ZIPF_SCAN_TRACE): string[] {
  let seed = options.seed;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let scan = 0;
  const ids: string[] = [];
  for (let i = 0; i < options.requests; i++) {
    ids.push(
      random() < options.zipfShare
        ? `z-${Math.floor(options.zipfObjects ** random()) - 1}`
        : `scan-${scan++}`,
    );
  }
  return ids;
}
