/**
 * The edge tier and the read path's economy, observed through /metrics on a real cluster: concurrent
 * misses merge into one read from the workers, hot objects come from memory, a range read fetches only
 * the stripes it covers, and the in-memory head cache never serves a head older than the last write.
 */
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals, randomBytes } from "../support/asserts.ts";
import { delta, scrapeMetrics } from "../support/metrics_scrape.ts";
import { signedFetch } from "../support/signed_fetch.ts";
import { streamingPut } from "../support/streaming_put.ts";

const STRIPE_BYTES = 6 * 1024 * 1024;

Deno.test("edge tier: merged misses, memory hits, stripe-bounded ranges, coherent heads", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "edge" }));

  await t.step("1000 concurrent GETs of one cold 1 MiB object read it from the workers once", async () => {
    const body = randomBytes(1024 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: "edge", Key: "cold", Body: body }));
    const before = await scrapeMetrics(cluster.endpoint);
    const digests = await Promise.all(Array.from({ length: 1000 }, async () => {
      const response = await signedFetch(`${cluster.endpoint}/edge/cold`, { method: "GET" });
      assertEquals(response.status, 200);
      return createHash("md5").update(new Uint8Array(await response.arrayBuffer())).digest("hex");
    }));
    const after = await scrapeMetrics(cluster.endpoint);
    const expected = createHash("md5").update(body).digest("hex");
    assert(digests.every((digest) => digest === expected), "every reader got the object's bytes");
    assertEquals(delta(before, after, "objstore_regional_reads_total"), 1);
    assertEquals(
      delta(before, after, "objstore_edge_cache_hits_total") +
        delta(before, after, "objstore_edge_cache_merged_misses_total"),
      999,
    );
  });

  await t.step("a hot object is served from memory without touching the workers", async () => {
    const before = await scrapeMetrics(cluster.endpoint);
    for (let i = 0; i < 20; i++) {
      const response = await signedFetch(`${cluster.endpoint}/edge/cold`, {
        method: "GET",
        headers: { range: "bytes=10-19" },
      });
      assertEquals(response.status, 206);
      assertEquals((await response.arrayBuffer()).byteLength, 10);
    }
    const after = await scrapeMetrics(cluster.endpoint);
    assertEquals(delta(before, after, "objstore_regional_reads_total"), 0);
    assertEquals(delta(before, after, "objstore_edge_cache_hits_total"), 20);
  });

  await t.step(
    "a 1 MiB range from the middle of a 1 GiB object reads at most 2 stripes from workers",
    async () => {
      const size = 1024 ** 3;
      const chunk = randomBytes(1024 * 1024);
      async function* body(): AsyncIterable<Uint8Array> {
        for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
      }
      const put = await streamingPut(`${cluster.endpoint}/edge/big`, size, body());
      assertEquals(put.status, 200, put.body);
      for (const start of [size / 2, size / 2 - 512 * 1024 + 7]) {
        const before = await scrapeMetrics(cluster.endpoint);
        const response = await signedFetch(`${cluster.endpoint}/edge/big`, {
          method: "GET",
          headers: { range: `bytes=${start}-${start + 1024 * 1024 - 1}` },
        });
        assertEquals(response.status, 206);
        const bytes = new Uint8Array(await response.arrayBuffer());
        assertEquals(bytes.length, 1024 * 1024);
        const offset = start % chunk.length;
        assertEquals(bytes.subarray(0, 16), chunk.subarray(offset, offset + 16));
        const after = await scrapeMetrics(cluster.endpoint);
        const readBytes = delta(before, after, "objstore_regional_read_bytes_total");
        assert(readBytes <= 2 * STRIPE_BYTES, `read ${readBytes} bytes from workers for a 1 MiB range`);
        assert(readBytes >= 1024 * 1024, `read only ${readBytes} bytes`);
      }
    },
  );

  await t.step(
    "reads right after overwrites and deletes always see the last acknowledged write",
    async () => {
      for (let round = 0; round < 30; round++) {
        const body = `version ${round}`;
        await s3.send(new PutObjectCommand({ Bucket: "edge", Key: "hot-key", Body: body }));
        const got = await signedFetch(`${cluster.endpoint}/edge/hot-key`, { method: "GET" });
        assertEquals(await got.text(), body);
      }
      await s3.send(new DeleteObjectCommand({ Bucket: "edge", Key: "hot-key" }));
      const gone = await signedFetch(`${cluster.endpoint}/edge/hot-key`, { method: "GET" });
      assertEquals(gone.status, 404);
      await gone.body?.cancel();
    },
  );

  await t.step("concurrent readers and writers of one key never go back in time", async () => {
    let acknowledged = -1;
    let violations = 0;
    const writer = (async () => {
      for (let version = 0; version < 40; version++) {
        await s3.send(new PutObjectCommand({ Bucket: "edge", Key: "race", Body: String(version) }));
        acknowledged = version;
      }
    })();
    const readers = Array.from({ length: 4 }, async () => {
      while (acknowledged < 39) {
        const floor = acknowledged;
        const response = await signedFetch(`${cluster.endpoint}/edge/race`, { method: "GET" });
        if (response.status === 404) {
          await response.body?.cancel();
          if (floor >= 0) violations++;
          continue;
        }
        if (Number(await response.text()) < floor) violations++;
      }
    });
    await Promise.all([writer, ...readers]);
    assertEquals(violations, 0);
  });

  await t.step("GET /metrics without credentials is Prometheus text with the edge counters", async () => {
    const response = await fetch(`${cluster.endpoint}/metrics`);
    assertEquals(response.status, 200);
    assert(response.headers.get("content-type")!.startsWith("text/plain"));
    const text = await response.text();
    for (
      const name of [
        "objstore_edge_cache_hits_total",
        "objstore_edge_cache_misses_total",
        "objstore_edge_cache_evictions_total",
        "objstore_edge_cache_bytes",
        "objstore_edge_cache_served_bytes_total",
      ]
    ) {
      assert(text.includes(`# TYPE ${name} `), `${name} is exported`);
    }
  });

  await t.step("objstore_edge_cache_served_bytes_total grows by the bytes served from memory", async () => {
    const before = await scrapeMetrics(cluster.endpoint);
    const ranged = await signedFetch(`${cluster.endpoint}/edge/cold`, {
      method: "GET",
      headers: { range: "bytes=100-1099" },
    });
    assertEquals(ranged.status, 206);
    assertEquals((await ranged.arrayBuffer()).byteLength, 1000);
    const whole = await signedFetch(`${cluster.endpoint}/edge/cold`, { method: "GET" });
    assertEquals(whole.status, 200);
    assertEquals((await whole.arrayBuffer()).byteLength, 1024 * 1024);
    const after = await scrapeMetrics(cluster.endpoint);
    assertEquals(delta(before, after, "objstore_edge_cache_served_bytes_total"), 1000 + 1024 * 1024);
    assertEquals(delta(before, after, "objstore_edge_cache_hits_total"), 2);
    assertEquals(delta(before, after, "objstore_regional_reads_total"), 0);
  });

  s3.destroy();
});
