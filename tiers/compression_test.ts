import { assert, assertEquals } from "../tests/support/asserts.ts";
import { compressed, compressionRatio, decompressed, sliceStream, streamLength } from "./compression.ts";

function chunks(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.slice(i, i + size));
  return ReadableStream.from(parts);
}

Deno.test("compression: round trip, a deterministic length, and ratios that tell text from random bytes", async () => {
  const text = new TextEncoder().encode("2026-11-25T20:00:00Z GET /bucket/key 200 1234\n".repeat(20_000));
  const random = crypto.getRandomValues(new Uint8Array(65_536));
  const packed = await new Response(compressed(chunks(text, 7_777))).bytes();
  assertEquals(
    await streamLength(compressed(chunks(text, 100_000))),
    packed.length,
    "same bytes, same length",
  );
  assertEquals(await new Response(decompressed(chunks(packed, 333))).bytes(), text);
  assert(await compressionRatio(chunks(text, 4096)) < 0.1);
  assert(await compressionRatio(chunks(random, 4096)) > 0.99);
  assertEquals(await compressionRatio(ReadableStream.from([])), 1);
});

Deno.test("sliceStream: any range across chunk boundaries, and a short stream fails", async () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
  for (const [start, end] of [[0, 999], [0, 0], [999, 999], [10, 20], [95, 105], [300, 799]]) {
    const sliced = await new Response(sliceStream(chunks(bytes, 100), start, end)).bytes();
    assertEquals(sliced, bytes.slice(start, end + 1), `${start}-${end}`);
  }
  let failed = false;
  await new Response(sliceStream(chunks(bytes, 100), 900, 1099)).bytes().catch(() => failed = true);
  assert(failed);
});
