import { assert, assertEquals } from "../tests/support/asserts.ts";
import { Logger } from "../storage/mod.ts";
import { BackgroundLoop } from "./background_loop.ts";

const logger = new Logger("loop-test", "error");

/** Resolves once `condition` holds, polling every 5 ms, or rejects after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number): Promise<number> {
  const startedMs = performance.now();
  while (!condition()) {
    if (performance.now() - startedMs > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - startedMs;
}

Deno.test("BackgroundLoop.start(true) runs the first pass at once; start() waits one interval", async () => {
  let eager = 0;
  let lazy = 0;
  const first = new BackgroundLoop(60_000, () => Promise.resolve(eager++), logger);
  const second = new BackgroundLoop(60_000, () => Promise.resolve(lazy++), logger);
  first.start(true);
  second.start();
  try {
    await until(() => eager === 1, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assertEquals(
      [eager, lazy],
      [1, 0],
      "only the eager loop ran, and once: the next pass is an interval away",
    );
  } finally {
    await first.stop();
    await second.stop();
  }
});

Deno.test("BackgroundLoop never overlaps its passes, keeps going after a failed one, and stop() waits for a pass", async () => {
  let running = 0;
  let most = 0;
  let passes = 0;
  let finished = false;
  const loop = new BackgroundLoop(1, async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 10));
    running--;
    passes++;
    if (passes === 1) throw new Error("the first pass fails");
    finished = passes >= 3;
  }, logger);
  loop.start(true);
  await until(() => finished, 5_000);
  await loop.stop();
  assertEquals(running, 0, "stop() returned with no pass running");
  assertEquals(most, 1);
  assert(passes >= 3);
});
