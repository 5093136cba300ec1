import { assert, assertEquals } from "./test_assert.ts";
import { concatBytes, fromUtf8, utf8 } from "../core/mod.ts";
import { signClusterRequest } from "./cluster_auth.ts";
import { SHARD_HEADER_BYTES } from "./shard_header.ts";
import {
  encodeFrames,
  listFiles,
  patternBytes,
  randomDataId,
  signedFetch,
  startTestWorker,
  TEST_SECRET,
  waitFor,
} from "./test_support.ts";

function shardPath(dataId: string, shardIndex = 0): string {
  return `/v1/shards/${dataId}/${shardIndex}`;
}

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  return await response.json();
}

Deno.test("PUT stores the frames after a 64-byte header at shards/<2 hex>/<dataId>.<index>", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  const frames = encodeFrames(patternBytes(40), 16);
  const put = await signedFetch(worker.baseUrl, "PUT", `${shardPath(dataId, 3)}?blockSize=16&dataLength=40`, {
    body: frames,
  });
  assertEquals(put.status, 201);
  assertEquals((await jsonOf(put)).blocks, 3);
  const file = await Deno.readFile(`${worker.dataDir}/shards/${dataId.slice(0, 2)}/${dataId}.3`);
  assertEquals(file.subarray(SHARD_HEADER_BYTES), frames);
  const get = await signedFetch(worker.baseUrl, "GET", shardPath(dataId, 3));
  assertEquals(get.status, 200);
  assertEquals(get.headers.get("x-objstore-block-size"), "16");
  assertEquals(get.headers.get("x-objstore-data-length"), "40");
  assertEquals(get.headers.get("x-objstore-first-block"), "0");
  assertEquals(new Uint8Array(await get.arrayBuffer()), frames);
});

Deno.test("PUT with a bad block checksum answers 400 corrupt_block and stores nothing", async () => {
  await using worker = await startTestWorker();
  const frames = encodeFrames(patternBytes(40), 16);
  frames[20 + 5] ^= 1;
  const response = await signedFetch(
    worker.baseUrl,
    "PUT",
    `${shardPath(randomDataId())}?blockSize=16&dataLength=40`,
    {
      body: frames,
    },
  );
  assertEquals(response.status, 400);
  assertEquals((await jsonOf(response)).error, "corrupt_block");
  assertEquals(await listFiles(worker.dataDir), []);
});

Deno.test("PUT with a body shorter or longer than dataLength implies answers 400 incomplete_body", async () => {
  await using worker = await startTestWorker();
  const frames = encodeFrames(patternBytes(40), 16);
  for (const body of [frames.subarray(0, frames.length - 1), concatBytes([frames, new Uint8Array(1)])]) {
    // A stream body has no content-length, so the worker finds out while reading.
    const response = await signedFetch(
      worker.baseUrl,
      "PUT",
      `${shardPath(randomDataId())}?blockSize=16&dataLength=40`,
      {
        body: new Blob([body]).stream(),
      },
    );
    assertEquals(response.status, 400);
    assertEquals((await jsonOf(response)).error, "incomplete_body");
  }
  assertEquals(await listFiles(worker.dataDir), []);
});

Deno.test("PUT aborted by the client mid-body leaves no shard and no temp file", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  const frames = encodeFrames(patternBytes(4000), 16);
  const abort = new AbortController();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(frames.subarray(0, 1000));
    },
  });
  const path = `${shardPath(dataId)}?blockSize=16&dataLength=4000`;
  const url = new URL(path, worker.baseUrl);
  const headers = await signClusterRequest(TEST_SECRET, "PUT", url.pathname + url.search, Date.now());
  const upload = fetch(
    url,
    { method: "PUT", body, headers, signal: abort.signal, duplex: "half" } as RequestInit,
  );
  await waitFor(async () => (await listFiles(`${worker.dataDir}/tmp`)).length === 1);
  abort.abort();
  await upload.catch(() => {});
  await waitFor(async () => (await listFiles(worker.dataDir)).length === 0);
});

Deno.test("PUT replaces an existing shard only when the new upload completes", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  const good = encodeFrames(patternBytes(40), 16);
  const path = `${shardPath(dataId)}?blockSize=16&dataLength=40`;
  assertEquals((await signedFetch(worker.baseUrl, "PUT", path, { body: good })).status, 201);
  const bad = good.slice();
  bad[0] ^= 1;
  const refused = await signedFetch(worker.baseUrl, "PUT", path, { body: bad });
  assertEquals(refused.status, 400);
  await refused.body?.cancel();
  const get = await signedFetch(worker.baseUrl, "GET", shardPath(dataId));
  assertEquals(new Uint8Array(await get.arrayBuffer()), good);
});

Deno.test("Requests that try to escape the data directory are refused and write nothing", async () => {
  await using worker = await startTestWorker();
  const frames = encodeFrames(patternBytes(10), 16);
  const dataId = randomDataId();
  const cases: [path: string, status: number][] = [
    ["/v1/shards/../../../escaped/0", 404],
    ["/v1/shards/%2e%2e/%2e%2e/escaped", 404],
    [`/v1/shards/%2e%2e%2f%2e%2e%2f${dataId.slice(18)}/0`, 400],
    [`/v1/shards/..%2f..%2f${dataId.slice(10)}/0`, 400],
    [`/v1/shards/${dataId.toUpperCase()}/0`, 400],
    [`/v1/shards/${dataId}/256`, 400],
    [`/v1/shards/${dataId}/..%2f1`, 400],
  ];
  for (const [path, status] of cases) {
    const response = await signedFetch(worker.baseUrl, "PUT", `${path}?blockSize=16&dataLength=10`, {
      body: frames,
    });
    assertEquals(response.status, status, path);
    await response.body?.cancel();
  }
  assertEquals(await listFiles(worker.rootDir), []);
});

Deno.test("A raw request line with dot segments never reaches the file system", async () => {
  await using worker = await startTestWorker();
  const target = "/v1/shards/../../../../tmp/escaped/0?blockSize=16&dataLength=0";
  const auth = await signClusterRequest(TEST_SECRET, "PUT", target, Date.now());
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(worker.baseUrl).port) });
  const head = [`PUT ${target} HTTP/1.1`, "host: x", "connection: close", "content-length: 0"]
    .concat(Object.entries(auth).map(([name, value]) => `${name}: ${value}`));
  await conn.write(utf8(head.join("\r\n") + "\r\n\r\n"));
  const chunks: Uint8Array[] = [];
  for await (const chunk of conn.readable) chunks.push(chunk);
  const statusLine = fromUtf8(concatBytes(chunks)).split("\r\n")[0];
  assert(/^HTTP\/1\.1 (403|404)/.test(statusLine), statusLine);
  assertEquals(await listFiles(worker.rootDir), []);
});

Deno.test("Requests without a valid cluster credential get 403 unauthorized", async () => {
  await using worker = await startTestWorker();
  const put = `${shardPath(randomDataId())}?blockSize=16&dataLength=10`;
  const frames = encodeFrames(patternBytes(10), 16);
  const unsigned = await fetch(new URL("/v1/health", worker.baseUrl));
  assertEquals(unsigned.status, 403);
  assertEquals(await jsonOf(unsigned), {
    error: "unauthorized",
    message: "Missing or invalid cluster credential",
  });
  const attempts = [
    signedFetch(worker.baseUrl, "PUT", put, { body: frames, secret: "not-the-secret" }),
    signedFetch(worker.baseUrl, "PUT", put, { body: frames, nowMs: Date.now() - 6 * 60 * 1000 }),
    signedFetch(worker.baseUrl, "PUT", put, { body: frames, nowMs: Date.now() + 6 * 60 * 1000 }),
    signedFetch(worker.baseUrl, "GET", "/v1/health", { secret: "not-the-secret" }),
  ];
  for (const response of await Promise.all(attempts)) {
    assertEquals(response.status, 403);
    assertEquals((await jsonOf(response)).error, "unauthorized");
  }
  assertEquals(await listFiles(worker.dataDir), []);
});

Deno.test("GET with firstBlock past the end answers 416; a missing shard 404 shard_not_found", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  const path = `${shardPath(dataId)}?blockSize=16&dataLength=40`;
  await (await signedFetch(worker.baseUrl, "PUT", path, { body: encodeFrames(patternBytes(40), 16) })).body
    ?.cancel();
  const past = await signedFetch(worker.baseUrl, "GET", `${shardPath(dataId)}?firstBlock=3`);
  assertEquals(past.status, 416);
  assertEquals((await jsonOf(past)).error, "invalid_range");
  const missing = await signedFetch(worker.baseUrl, "GET", shardPath(randomDataId()));
  assertEquals(missing.status, 404);
  assertEquals((await jsonOf(missing)).error, "shard_not_found");
  const head = await signedFetch(worker.baseUrl, "HEAD", shardPath(randomDataId()));
  assertEquals(head.status, 404);
});

Deno.test("DELETE answers 204 whether or not the shard existed", async () => {
  await using worker = await startTestWorker();
  const dataId = randomDataId();
  const put = await signedFetch(worker.baseUrl, "PUT", `${shardPath(dataId)}?blockSize=16&dataLength=0`, {
    body: new Uint8Array(0),
  });
  assertEquals(put.status, 201);
  await put.body?.cancel();
  for (let i = 0; i < 2; i++) {
    const response = await signedFetch(worker.baseUrl, "DELETE", shardPath(dataId));
    assertEquals(response.status, 204);
  }
  assertEquals(await listFiles(worker.dataDir), []);
});

Deno.test("A worker beyond maxConcurrentRequests answers 503 unavailable", async () => {
  await using worker = await startTestWorker({ maxConcurrentRequests: 1 });
  const abort = new AbortController();
  const stalled = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(5));
    },
  });
  const path = `${shardPath(randomDataId())}?blockSize=16&dataLength=100`;
  const url = new URL(path, worker.baseUrl);
  const headers = await signClusterRequest(TEST_SECRET, "PUT", url.pathname + url.search, Date.now());
  const upload = fetch(
    url,
    { method: "PUT", body: stalled, headers, signal: abort.signal, duplex: "half" } as RequestInit,
  );
  await waitFor(async () => (await listFiles(`${worker.dataDir}/tmp`)).length === 1);
  const busy = await signedFetch(worker.baseUrl, "GET", "/v1/health");
  assertEquals(busy.status, 503);
  assertEquals((await jsonOf(busy)).error, "unavailable");
  abort.abort();
  await upload.catch(() => {});
  await waitFor(async () => (await listFiles(worker.dataDir)).length === 0);
});
