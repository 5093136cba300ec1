import { assert, assertEquals, assertRejects } from "./test_assert.ts";
import { abortableSleep } from "../core/mod.ts";
import { BytePacer, PACER_SLACK_MS } from "./byte_pacer.ts";

/** A clock that moves only when the pacer sleeps, recording each sleep. */
function fakeTime(): { nowMs: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  let nowMs = 1000;
  const sleeps: number[] = [];
  return {
    nowMs: () => nowMs,
    sleep: (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
      return Promise.resolve();
    },
    sleeps,
  };
}

Deno.test("BytePacer.pace() starts each read once the bytes before it fit the rate", async () => {
  const time = fakeTime();
  const pacer = new BytePacer(1000, time);
  await pacer.pace(500);
  await pacer.pace(250);
  await pacer.pace(250);
  await pacer.pace(1);
  assertEquals(time.sleeps, [500, 250, 250]);
});

Deno.test("BytePacer.pace() saves no credit while the reader is slower than the rate", async () => {
  let nowMs = 0;
  const sleeps: number[] = [];
  const pacer = new BytePacer(1000, {
    nowMs: () => nowMs,
    sleep: (ms) => {
      sleeps.push(ms);
      nowMs += ms;
      return Promise.resolve();
    },
  });
  await pacer.pace(100);
  nowMs += 10_000; // an idle spell
  await pacer.pace(1000);
  await pacer.pace(1000);
  assertEquals(sleeps, [1000]);
});

Deno.test("BytePacer.pace() skips waits under the slack and makes them up later", async () => {
  const time = fakeTime();
  const pacer = new BytePacer(1000, time);
  const small = PACER_SLACK_MS - 1;
  await pacer.pace(small);
  await pacer.pace(small);
  await pacer.pace(0);
  assertEquals(time.sleeps, [2 * small]);
});

Deno.test("BytePacer.pace() rejects with the abort reason, at once and while waiting", async () => {
  const pacer = new BytePacer(1);
  const aborted = new AbortController();
  aborted.abort(new Error("stopped before"));
  await assertRejects(() => pacer.pace(10, aborted.signal), Error, "stopped before");
  const later = new AbortController();
  await pacer.pace(10, later.signal); // the first read starts at once and books 10 s
  const waiting = pacer.pace(10, later.signal);
  later.abort(new Error("stopped while waiting"));
  await assertRejects(() => waiting, Error, "stopped while waiting");
});

Deno.test("abortableSleep() resolves after its delay when not aborted", async () => {
  const startMs = performance.now();
  await abortableSleep(20, new AbortController().signal);
  assert(performance.now() - startMs >= 15);
});
