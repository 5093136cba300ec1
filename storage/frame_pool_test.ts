import { assert, assertEquals } from "../tests/support/asserts.ts";
import { ExactReader } from "./core/mod.ts";
import { ReedSolomon } from "./erasure/mod.ts";
import { FramePool } from "./frame_pool.ts";
import { StripeLayout } from "./stripe_layout.ts";
import { readStripeFrames } from "./stripe_writer.ts";
import { FRAME_OVERHEAD_BYTES } from "./worker/mod.ts";

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

Deno.test("FramePool hands back given frames of its length, up to its bound, and drops the rest", () => {
  const pool = new FramePool(8, 2);
  const first = pool.take();
  assertEquals(first.length, 8);
  pool.give(first);
  pool.give(new Uint8Array(7));
  pool.give(new Uint8Array(16).subarray(0, 8));
  pool.give(new Uint8Array(8));
  pool.give(new Uint8Array(8));
  assertEquals(pool.freeCount, 2);
  pool.take();
  assert(pool.take() === first, "the first frame given back is reused");
  assertEquals(pool.freeCount, 0);
});

Deno.test("readStripeFrames() from a pool of dirty frames gives the bytes and parity of fresh frames", async () => {
  const blockSizeBytes = 16;
  const codec = new ReedSolomon(3, 2);
  // Two full stripes, then 46 bytes: still 16-byte blocks (pooled frames), the last one 2 bytes of padding.
  const size = 2 * 3 * blockSizeBytes + 46;
  const body = Uint8Array.from({ length: size }, (_, index) => (index * 7 + 3) % 251);
  const layout = new StripeLayout(size, 3, blockSizeBytes);
  const encodeAll = async (pool?: FramePool) => {
    const reader = new ExactReader(streamOf(body));
    const stripes: Uint8Array[][] = [];
    for (let stripe = 0; stripe < layout.stripeCount; stripe++) {
      const frames = await readStripeFrames(reader, layout, stripe, codec.totalShards, pool);
      const blockLength = layout.blockLength(stripe);
      codec.encode(frames.map((frame) => frame.subarray(0, blockLength)));
      stripes.push(frames.map((frame) => frame.slice(0, blockLength)));
      // Hand every frame back dirty, as the socket transport would once it has written them.
      for (const frame of frames) {
        frame.fill(0xee);
        pool?.give(frame);
      }
    }
    return stripes;
  };
  const want = await encodeAll();
  const pool = new FramePool(blockSizeBytes + FRAME_OVERHEAD_BYTES, 32);
  for (let index = 0; index < 10; index++) {
    pool.give(new Uint8Array(blockSizeBytes + FRAME_OVERHEAD_BYTES).fill(0xaa));
  }
  assertEquals(await encodeAll(pool), want);
  assertEquals(pool.freeCount, 10);
  assertEquals(want[2][2].subarray(14), new Uint8Array(2));
});
