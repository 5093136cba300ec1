/** Timing helpers for in-memory benchmarks: one untimed warm-up, then the best of a few repetitions. */

/** Seconds of the fastest of `reps` calls to `action`, after one warm-up call (JIT, caches). */
export function bestSeconds(reps: number, action: () => void): number {
  if (!(reps >= 1)) throw new Error(`Expected at least 1 repetition, got ${reps}`);
  action();
  let best = Infinity;
  for (let rep = 0; rep < reps; rep++) {
    const started = performance.now();
    action();
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
}

/** Decimal gigabytes per second. */
export function gigabytesPerSecond(bytes: number, seconds: number): number {
  return bytes / 1e9 / seconds;
}
