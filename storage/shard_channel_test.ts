import { assert, assertEquals } from "../tests/support/asserts.ts";
import { ShardChannel } from "./shard_channel.ts";

function frame(...bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}

/** Lets every queued promise callback and timer of this turn run (no timing is asserted). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Tracks whether a promise has settled yet. */
function track(promise: Promise<unknown>): { readonly settled: boolean; readonly promise: Promise<unknown> } {
  const state = { settled: false, promise };
  promise.then(() => state.settled = true, () => state.settled = true);
  return state;
}

async function readAllFrames(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for await (const chunk of stream) frames.push(chunk);
  return frames;
}

Deno.test("ShardChannel delivers frames in the order they were pushed", async () => {
  const channel = new ShardChannel(2);
  const frames = Array.from({ length: 20 }, (_, i) => frame(i, i + 1));
  const producer = (async () => {
    for (const f of frames) await channel.push(f);
    channel.close();
  })();
  const received = await readAllFrames(channel.stream);
  await producer;
  assertEquals(received, frames);
});

Deno.test("ShardChannel hands a frame straight to a consumer that is already waiting", async () => {
  const channel = new ShardChannel(4);
  const reader = channel.stream.getReader();
  const read = reader.read();
  await settle();
  await channel.push(frame(7));
  assertEquals(await read, { done: false, value: frame(7) });
  channel.close();
  assertEquals((await reader.read()).done, true);
});

Deno.test("ShardChannel push() waits while maxQueuedFrames frames are queued", async () => {
  const channel = new ShardChannel(2);
  await channel.push(frame(1));
  const second = track(channel.push(frame(2)));
  await settle();
  assert(!second.settled, "push() returned while 2 of 2 frames were queued");
  channel.fail(new Error("test over"));
  await second.promise;
});

Deno.test("ShardChannel push() resumes once the consumer reads a frame", async () => {
  const channel = new ShardChannel(2);
  await channel.push(frame(1));
  const second = track(channel.push(frame(2)));
  await settle();
  const reader = channel.stream.getReader();
  assertEquals(await reader.read(), { done: false, value: frame(1) });
  await second.promise;
  channel.close();
  assertEquals(await reader.read(), { done: false, value: frame(2) });
  assertEquals((await reader.read()).done, true);
});

Deno.test("ShardChannel treats a bound below 1 as 1", async () => {
  const channel = new ShardChannel(0);
  const first = track(channel.push(frame(1)));
  await settle();
  assert(!first.settled, "push() returned with a full queue of 1");
  const reader = channel.stream.getReader();
  assertEquals(await reader.read(), { done: false, value: frame(1) });
  await first.promise;
  channel.close();
  assertEquals((await reader.read()).done, true);
});

Deno.test("ShardChannel close() ends the stream after the queued frames", async () => {
  const channel = new ShardChannel(4);
  await channel.push(frame(1));
  await channel.push(frame(2));
  await channel.push(frame(3));
  channel.close();
  assertEquals(await readAllFrames(channel.stream), [frame(1), frame(2), frame(3)]);
  assertEquals(channel.failed, false);
});

Deno.test("ShardChannel close() ends the stream for a consumer that is already waiting", async () => {
  const channel = new ShardChannel(4);
  const reader = channel.stream.getReader();
  const read = reader.read();
  await settle();
  channel.close();
  assertEquals((await read).done, true);
});

Deno.test("ShardChannel close() ends an empty stream", async () => {
  const channel = new ShardChannel(4);
  channel.close();
  assertEquals(await readAllFrames(channel.stream), []);
});

Deno.test("ShardChannel push() after close() drops the frame", async () => {
  const channel = new ShardChannel(4);
  await channel.push(frame(1));
  channel.close();
  await channel.push(frame(2));
  assertEquals(await readAllFrames(channel.stream), [frame(1)]);
});

Deno.test("ShardChannel fail() marks the channel failed with the reason", () => {
  const channel = new ShardChannel(4);
  const reason = new Error("worker refused");
  channel.fail(reason);
  assertEquals(channel.failed, true);
  assertEquals(channel.failure, reason);
});

Deno.test("ShardChannel fail() discards the queued frames", async () => {
  const channel = new ShardChannel(4);
  await channel.push(frame(1));
  await channel.push(frame(2));
  channel.fail(new Error("encoder failed"));
  channel.close();
  assertEquals(await readAllFrames(channel.stream), []);
});

Deno.test("ShardChannel fail() unblocks a waiting push()", async () => {
  const channel = new ShardChannel(1);
  const blocked = track(channel.push(frame(1)));
  await settle();
  assert(!blocked.settled, "push() returned with a full queue");
  channel.fail(new Error("gave up"));
  await blocked.promise;
  assertEquals(channel.failed, true);
});

Deno.test("ShardChannel push() returns at once after fail()", async () => {
  const channel = new ShardChannel(1);
  channel.fail(new Error("gave up"));
  for (let i = 0; i < 5; i++) await channel.push(frame(i));
  assertEquals(channel.failed, true);
});

Deno.test("ShardChannel fail() keeps the first reason", () => {
  const channel = new ShardChannel(1);
  const first = new Error("first");
  channel.fail(first);
  channel.fail(new Error("second"));
  assertEquals(channel.failure, first);
});

Deno.test("ShardChannel marks itself failed with the reason when the consumer cancels", async () => {
  const channel = new ShardChannel(2);
  await channel.push(frame(1));
  const reason = new Error("worker hung up");
  await channel.stream.cancel(reason);
  assertEquals(channel.failed, true);
  assertEquals(channel.failure, reason);
});

Deno.test("ShardChannel marks itself failed with an error when the consumer cancels without a reason", async () => {
  const channel = new ShardChannel(2);
  await channel.stream.cancel();
  assertEquals(channel.failed, true);
  assert(channel.failure instanceof Error, `failure is ${channel.failure}`);
});

Deno.test("ShardChannel cancel by the consumer unblocks a waiting push()", async () => {
  const channel = new ShardChannel(1);
  const reader = channel.stream.getReader();
  const blocked = track(channel.push(frame(1)));
  await settle();
  assert(!blocked.settled, "push() returned with a full queue");
  await reader.cancel(new Error("stop"));
  await blocked.promise;
  await channel.push(frame(2));
  assertEquals(channel.failed, true);
});

Deno.test("ShardChannel bounds queued frames while a slow consumer drains them", async () => {
  const maxQueuedFrames = 3;
  const channel = new ShardChannel(maxQueuedFrames);
  let pushed = 0;
  let read = 0;
  let maxAhead = 0;
  const producer = (async () => {
    for (let i = 0; i < 50; i++) {
      await channel.push(frame(i));
      pushed++;
      maxAhead = Math.max(maxAhead, pushed - read);
    }
    channel.close();
  })();
  const received: number[] = [];
  for await (const chunk of channel.stream) {
    received.push(chunk[0]);
    read++;
    await settle();
  }
  await producer;
  assertEquals(received, Array.from({ length: 50 }, (_, i) => i));
  assert(maxAhead <= maxQueuedFrames, `the producer ran ${maxAhead} frames ahead of the consumer`);
});
