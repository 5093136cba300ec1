import { assert, assertEquals } from "./test_assert.ts";
import { Logger } from "../core/mod.ts";
import { SHARD_HEADER_BYTES } from "./shard_header.ts";
import { ShardScrubber } from "./shard_scrubber.ts";
import { ShardStore } from "./shard_store.ts";
import { chunkedStream, encodeFrames, listFiles, patternBytes, randomDataId } from "./test_support.ts";

const KIB = 1024;
const MIB = 1024 * KIB;
const logger = new Logger("scrub-test", "error");

/** A fresh store in a temp directory that `await using` deletes. */
async function tempStore(): Promise<{ store: ShardStore; dataDir: string } & AsyncDisposable> {
  const dataDir = await Deno.makeTempDir({ prefix: "objstore_scrub_test_" });
  const store = await ShardStore.open({ dataDir, logger });
  return {
    store,
    dataDir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

interface Stored {
  dataId: string;
  shardIndex: number;
  path: string;
  fileBytes: number;
}

async function putShard(
  store: ShardStore,
  dataDir: string,
  dataLength: number,
  blockSizeBytes: number,
  shardIndex = 0,
): Promise<Stored> {
  const dataId = randomDataId();
  const frames = encodeFrames(patternBytes(dataLength, shardIndex), blockSizeBytes);
  await store.writeShard(
    { dataId, shardIndex, blockSizeBytes, dataLength },
    chunkedStream(frames, 256 * KIB),
  );
  return {
    dataId,
    shardIndex,
    path: `${dataDir}/shards/${dataId.slice(0, 2)}/${dataId}.${shardIndex}`,
    fileBytes: SHARD_HEADER_BYTES + frames.length,
  };
}

async function flipByte(path: string, offset: number): Promise<void> {
  using file = await Deno.open(path, { read: true, write: true });
  const one = new Uint8Array(1);
  await file.seek(offset, Deno.SeekMode.Start);
  await file.read(one);
  one[0] ^= 0x10;
  await file.seek(offset, Deno.SeekMode.Start);
  await file.write(one);
}

/** A clock that moves only when the scrubber sleeps; `onSleep` runs before each sleep returns. */
function fakeTime(onSleep: (call: number) => Promise<void> = () => Promise.resolve()) {
  let nowMs = 0;
  let calls = 0;
  return {
    nowMs: () => nowMs,
    sleep: async (ms: number) => {
      nowMs += ms;
      await onSleep(++calls);
    },
  };
}

Deno.test("ShardScrubber.runPass() reads every byte of every shard file once", async () => {
  await using temp = await tempStore();
  const stored = [
    await putShard(temp.store, temp.dataDir, 0, 16),
    await putShard(temp.store, temp.dataDir, 10, 16, 3),
    await putShard(temp.store, temp.dataDir, 100_000, 64 * KIB),
    await putShard(temp.store, temp.dataDir, 3 * MIB + 5, MIB, 7), // frames larger than the read buffer
    await putShard(temp.store, temp.dataDir, 40 * 4096, 4096, 255),
  ];
  const scrubber = new ShardScrubber({
    store: temp.store,
    bytesPerSecond: 1,
    logger,
    ...fakeTime(),
    readBufferBytes: 64 * KIB,
  });
  await scrubber.runPass(new AbortController().signal);
  const stats = scrubber.stats();
  const totalBytes = stored.reduce((sum, shard) => sum + shard.fileBytes, 0);
  assertEquals(stats.passesCompleted, 1);
  assertEquals(stats.filesVerified, stored.length);
  assertEquals(stats.bytesVerified, totalBytes);
  assertEquals([stats.corruptShards, stats.readErrors], [0, 0]);
  for (const shard of stored) assertEquals((await Deno.stat(shard.path)).size, shard.fileBytes);
});

Deno.test("ShardScrubber finds a flip in the last checksum byte of the last block", async () => {
  await using temp = await tempStore();
  const good = await putShard(temp.store, temp.dataDir, 5 * 4096 + 17, 4096);
  const bad = await putShard(temp.store, temp.dataDir, 5 * 4096 + 17, 4096);
  await flipByte(bad.path, bad.fileBytes - 1);
  const scrubber = new ShardScrubber({ store: temp.store, bytesPerSecond: 1, logger, ...fakeTime() });
  await scrubber.runPass(new AbortController().signal);
  assertEquals(scrubber.stats().filesVerified, 1);
  assertEquals(scrubber.stats().corruptShards, 1);
  assertEquals((await Deno.stat(good.path)).isFile, true);
  assertEquals(
    temp.store.quarantined.list().map((entry) => [entry.dataId, entry.shardIndex]),
    [[bad.dataId, 0]],
  );
});

Deno.test("ShardScrubber skips a shard deleted or rewritten while it is scrubbed, without an error", async () => {
  await using temp = await tempStore();
  const blockSizeBytes = 4096;
  const shards = [];
  for (let index = 0; index < 3; index++) {
    shards.push(await putShard(temp.store, temp.dataDir, 8 * blockSizeBytes, blockSizeBytes));
  }
  shards.sort((a, b) => a.path < b.path ? -1 : 1);
  const [first, rewritten, deleted] = shards;
  // The rewritten shard is corrupt when the scrubber opens it, and good again before it is read.
  await flipByte(rewritten.path, SHARD_HEADER_BYTES + 5 * (blockSizeBytes + 4) + 1);
  const rewrite = async () => {
    const frames = encodeFrames(patternBytes(8 * blockSizeBytes, 1), blockSizeBytes);
    const header = {
      dataId: rewritten.dataId,
      shardIndex: 0,
      blockSizeBytes,
      dataLength: 8 * blockSizeBytes,
    };
    await temp.store.writeShard(header, chunkedStream(frames, 64 * KIB));
    await Deno.remove(deleted.path);
  };
  // At 1 byte/s every read but the first waits: the frames of `first` (sleep 1), the header of
  // `rewritten` (2), then its frames (3): by then it is open, so the rewrite happens under it.
  const scrubber = new ShardScrubber({
    store: temp.store,
    bytesPerSecond: 1,
    logger,
    ...fakeTime((call) => call === 3 ? rewrite() : Promise.resolve()),
  });
  await scrubber.runPass(new AbortController().signal);
  const stats = scrubber.stats();
  assertEquals([stats.filesVerified, stats.corruptShards, stats.readErrors], [1, 0, 0]);
  assertEquals(stats.bytesVerified, first.fileBytes);
  assertEquals(await listFiles(`${temp.dataDir}/quarantine`), []);
  assertEquals(temp.store.quarantined.total, 0);
  // The rewritten shard was kept, and reads whole.
  const check = await temp.store.verifyShard(rewritten, {
    buffer: (minBytes) => new Uint8Array(minBytes),
    beforeRead: () => Promise.resolve(),
  });
  assertEquals(check, { kind: "verified", bytes: rewritten.fileBytes });
});

Deno.test("ShardScrubber keeps its reads at the configured rate", async () => {
  await using temp = await tempStore();
  for (let index = 0; index < 4; index++) await putShard(temp.store, temp.dataDir, 512 * KIB, 64 * KIB);
  const bytesPerSecond = MIB;
  const readBufferBytes = 128 * KIB;
  const scrubber = new ShardScrubber({ store: temp.store, bytesPerSecond, logger, readBufferBytes });
  const startMs = performance.now();
  await scrubber.runPass(new AbortController().signal);
  const elapsedMs = performance.now() - startMs;
  const bytes = scrubber.stats().bytesVerified;
  assert(bytes >= 2 * MIB, `${bytes} bytes`);
  // The last read may start as early as the rate allows, and reads below the pacer's slack do not wait.
  const burstBytes = readBufferBytes + SHARD_HEADER_BYTES + bytesPerSecond * 0.005;
  const minimumMs = ((bytes - burstBytes) / bytesPerSecond) * 1000;
  assert(elapsedMs >= minimumMs, `${bytes} bytes took ${elapsedMs.toFixed(0)} ms, expected >= ${minimumMs}`);
});

Deno.test("ShardScrubber.run() returns at once when the rate is 0", async () => {
  await using temp = await tempStore();
  const shard = await putShard(temp.store, temp.dataDir, 100, 16);
  await flipByte(shard.path, SHARD_HEADER_BYTES + 3);
  const scrubber = new ShardScrubber({ store: temp.store, bytesPerSecond: 0, logger });
  await scrubber.run(new AbortController().signal);
  assertEquals(scrubber.stats(), {
    bytesPerSecond: 0,
    passesCompleted: 0,
    filesVerified: 0,
    bytesVerified: 0,
    corruptShards: 0,
    readErrors: 0,
  });
  assertEquals((await Deno.stat(shard.path)).isFile, true);
});

Deno.test("ShardScrubber.run() passes again and again until aborted, then resolves", async () => {
  await using temp = await tempStore();
  await putShard(temp.store, temp.dataDir, 100, 16);
  const stop = new AbortController();
  const scrubber = new ShardScrubber({
    store: temp.store,
    bytesPerSecond: 64 * MIB,
    logger,
    passIntervalMs: 1,
  });
  const running = scrubber.run(stop.signal);
  while (scrubber.stats().passesCompleted < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  stop.abort();
  await running;
  assert(scrubber.stats().filesVerified >= 3);
});
