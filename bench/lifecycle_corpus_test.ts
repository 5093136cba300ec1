import { assert, assertEquals } from "../tests/support/asserts.ts";
import { randomBytes } from "./byte_streams.ts";
import { CORPUS_KINDS, mixedCorpusObject, poolBytes, shardsPerDataId } from "./lifecycle_corpus.ts";

const MIB = 1024 * 1024;

/** Deflated size over original size, with the archive's format. */
async function deflateRatio(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const packed = await new Response(
    new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate-raw")),
  ).arrayBuffer();
  return packed.byteLength / bytes.byteLength;
}

Deno.test("mixedCorpusObject() cycles log, json, media and is exactly the size asked for", () => {
  for (const sizeBytes of [0, 1, 4095, MIB + 1]) {
    for (let index = 0; index < 6; index++) {
      const object = mixedCorpusObject(index, sizeBytes, randomBytes);
      assertEquals(object.kind, CORPUS_KINDS[index % 3]);
      assertEquals(object.bytes.byteLength, sizeBytes, `object ${index} of ${sizeBytes} bytes`);
    }
  }
});

Deno.test("mixedCorpusObject() text is deterministic for an index and differs between indexes", () => {
  const first = mixedCorpusObject(3, 10_000, randomBytes).bytes;
  assertEquals(mixedCorpusObject(3, 10_000, randomBytes).bytes, first);
  assert(mixedCorpusObject(6, 10_000, randomBytes).bytes.some((byte, at) => byte !== first[at]));
  assert(new TextDecoder().decode(first).startsWith("10."), "a log line starts with a client address");
  assert(new TextDecoder().decode(mixedCorpusObject(4, 1000, randomBytes).bytes).startsWith('{"id":'));
});

Deno.test("mixedCorpusObject() logs and JSON deflate well, media does not", async () => {
  const ratios = await Promise.all(
    [0, 1, 2].map(async (index) => await deflateRatio(mixedCorpusObject(index, MIB, randomBytes).bytes)),
  );
  assert(ratios[0] < 0.5 && ratios[1] < 0.5, `log ${ratios[0]}, JSON ${ratios[1]}`);
  assert(ratios[0] > 0.05 && ratios[1] > 0.05, `not one repeated line: log ${ratios[0]}, JSON ${ratios[1]}`);
  assert(ratios[2] > 0.99, `media ${ratios[2]}`);
});

Deno.test("mixedCorpusObject() rejects a negative or fractional size", () => {
  for (const [index, size] of [[0, -1], [0, 1.5], [-1, 10]]) {
    let threw = false;
    try {
      mixedCorpusObject(index, size, randomBytes);
    } catch {
      threw = true;
    }
    assert(threw, `index ${index}, size ${size}`);
  }
});

Deno.test("poolBytes() sums regional and archive shards apart and skips excluded data ids", () => {
  const shards = [
    { workerId: "z1-w1", dataId: "d1", sizeBytes: 100 },
    { workerId: "z2-w1", dataId: "d1", sizeBytes: 100 },
    { workerId: "a1-w1", dataId: "d2", sizeBytes: 70 },
    { workerId: "a2-w2", dataId: "d3", sizeBytes: 5 },
  ];
  const all = poolBytes(shards);
  assertEquals([all.regionalBytes, all.archiveBytes], [200, 75]);
  assertEquals([...all.regionalDataIds], ["d1"]);
  assertEquals([...all.archiveDataIds].sort(), ["d2", "d3"]);
  const later = poolBytes(shards, new Set(["d2"]));
  assertEquals([later.regionalBytes, later.archiveBytes], [200, 5]);
  assertEquals(shardsPerDataId(shards), new Map([["d1", 2], ["d2", 1], ["d3", 1]]));
});

Deno.test("poolBytes() rejects a worker of neither pool", () => {
  let message = "";
  try {
    poolBytes([{ workerId: "x1-w1", dataId: "d", sizeBytes: 1 }]);
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes("x1-w1"), message);
});
