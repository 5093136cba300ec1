import { assert, assertEquals } from "../../tests/support/asserts.ts";
import { ByteRateLimiter } from "./byte_rate_limiter.ts";

/** A clock that only moves when the limiter sleeps, recording every sleep. */
function fakeTime() {
  let nowMs = 0;
  const sleeps: number[] = [];
  return {
    now: () => nowMs,
    sleep: (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
      return Promise.resolve();
    },
    sleeps,
    elapsed: () => nowMs,
  };
}

Deno.test("ByteRateLimiter: one second's burst is free, then bytes cost 1/rate each", async () => {
  const time = fakeTime();
  const limiter = new ByteRateLimiter(1000, time.now, time.sleep);
  await limiter.take(1000);
  assertEquals(time.sleeps, []);
  await limiter.take(500);
  assertEquals(time.sleeps, [500]);
  for (let i = 0; i < 10; i++) await limiter.take(1000);
  assertEquals(time.elapsed(), 10_500, "10.5 s for 11 500 bytes at 1000 B/s after a 1000-byte burst");
});

Deno.test("ByteRateLimiter: concurrent takers queue behind each other", async () => {
  // Both overdraw before either sleeps: the second waits for the first's share as well.
  const sleeps: number[] = [];
  const recordSleep = (ms: number) => (sleeps.push(ms), Promise.resolve());
  const shared = new ByteRateLimiter(100, () => 0, recordSleep);
  await shared.take(100);
  await Promise.all([shared.take(50), shared.take(50)]);
  assertEquals(sleeps, [500, 1000]);
});

Deno.test("ByteRateLimiter: the bucket never holds more than one second", async () => {
  const time = fakeTime();
  const limiter = new ByteRateLimiter(1000, time.now, time.sleep);
  await time.sleep(60_000); // a long quiet spell
  time.sleeps.length = 0;
  await limiter.take(3000);
  assertEquals(time.sleeps, [2000]);
});

Deno.test("ByteRateLimiter: rate 0 is unlimited and throttle() passes bytes through unchanged", async () => {
  const time = fakeTime();
  const unlimited = new ByteRateLimiter(0, time.now, time.sleep);
  await unlimited.take(1e12);
  assertEquals(time.sleeps, []);
  const limiter = new ByteRateLimiter(10, time.now, time.sleep);
  const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array(20).fill(7)];
  const out = await new Response(limiter.throttle(ReadableStream.from(chunks))).bytes();
  assertEquals([...out], [1, 2, 3, ...new Array(20).fill(7)]);
  assertEquals(time.elapsed(), 1300, "23 bytes at 10 B/s after a 10-byte burst");
});

Deno.test("ByteRateLimiter: a real wait can be aborted", async () => {
  const limiter = new ByteRateLimiter(1);
  await limiter.take(1);
  const abort = new AbortController();
  const waiting = limiter.take(1_000_000, abort.signal);
  abort.abort(new Error("stop"));
  let stopped = false;
  await waiting.catch((error: Error) => stopped = error.message === "stop");
  assert(stopped);
});
