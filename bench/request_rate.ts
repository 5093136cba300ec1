/** Requests per second of a request function run `count` times with a fixed number in flight. */

/** Runs `send(0..count-1)` with `concurrency` in flight and returns completed requests per second. */
export async function requestsPerSecond(
  count: number,
  concurrency: number,
  send: (index: number) => Promise<void>,
): Promise<number> {
  if (!(count > 0 && concurrency > 0)) {
    throw new Error(`Expected count and concurrency > 0, got ${count}, ${concurrency}`);
  }
  let next = 0;
  const lane = async () => {
    while (next < count) await send(next++);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return count / ((performance.now() - started) / 1000);
}
