/**
 * Bounded memory: a 5 GiB PutObject and GetObject pass through the gateway while its resident memory
 * grows by less than 256 MiB, and the bytes come back identical (MD5 of the stream on both sides).
 * `OBJSTORE_TEST_LARGE_OBJECT_BYTES` may shrink the object for a quick local run.
 */
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals, randomBytes } from "../support/asserts.ts";
import { signedFetch } from "../support/signed_fetch.ts";
import { streamingPut } from "../support/streaming_put.ts";

const OBJECT_BYTES = Number(Deno.env.get("OBJSTORE_TEST_LARGE_OBJECT_BYTES") ?? 5 * 1024 ** 3);
const MAX_RSS_GROWTH_BYTES = 256 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

Deno.test(`a ${OBJECT_BYTES}-byte PUT and GET stream through the gateway in bounded memory`, async () => {
  await using cluster = await TestCluster.start();
  const created = await signedFetch(`${cluster.endpoint}/large`, { method: "PUT" });
  assertEquals(created.status, 200);
  await created.body?.cancel();
  const monitor = new RssMonitor(cluster.gatewayPid);
  const baselineBytes = await monitor.sample();

  // Seventeen distinct chunks, cycled: the pattern does not line up with 6 MiB stripes.
  const pool = Array.from({ length: 17 }, () => randomBytes(CHUNK_BYTES));
  const sentDigest = createHash("md5");
  async function* body(): AsyncIterable<Uint8Array> {
    for (let offset = 0, index = 0; offset < OBJECT_BYTES; offset += CHUNK_BYTES, index++) {
      const chunk = pool[index % pool.length].subarray(0, Math.min(CHUNK_BYTES, OBJECT_BYTES - offset));
      sentDigest.update(chunk);
      yield chunk;
    }
  }
  monitor.start();
  const put = await streamingPut(`${cluster.endpoint}/large/object`, OBJECT_BYTES, body());
  assertEquals(put.status, 200, put.body);
  const expected = sentDigest.digest("hex");
  assertEquals(put.headers.etag, `"${expected}"`);

  const got = await signedFetch(`${cluster.endpoint}/large/object`, { method: "GET" });
  assertEquals(got.status, 200);
  const receivedDigest = createHash("md5");
  let receivedBytes = 0;
  for await (const chunk of got.body!) {
    receivedDigest.update(chunk);
    receivedBytes += chunk.length;
  }
  const peakBytes = await monitor.stop();
  assertEquals(receivedBytes, OBJECT_BYTES);
  assertEquals(receivedDigest.digest("hex"), expected);
  const growth = peakBytes - baselineBytes;
  console.log(
    `gateway RSS: baseline ${mib(baselineBytes)} MiB, peak ${mib(peakBytes)} MiB, growth ${mib(growth)} MiB`,
  );
  assert(
    growth < MAX_RSS_GROWTH_BYTES,
    `gateway RSS grew by ${mib(growth)} MiB, limit ${mib(MAX_RSS_GROWTH_BYTES)}`,
  );
});

/** Samples a process's resident set size from /proc every 100 ms and keeps the peak. */
class RssMonitor {
  readonly #pid: number;
  #peakBytes = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(pid: number) {
    this.#pid = pid;
  }

  async sample(): Promise<number> {
    const status = await Deno.readTextFile(`/proc/${this.#pid}/status`);
    const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? "0");
    this.#peakBytes = Math.max(this.#peakBytes, kib * 1024);
    return kib * 1024;
  }

  start(): void {
    this.#timer = setInterval(() => this.sample().catch(() => {}), 100);
  }

  async stop(): Promise<number> {
    clearInterval(this.#timer);
    await this.sample();
    return this.#peakBytes;
  }
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
