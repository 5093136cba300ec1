/**
 * The machine's limits, measured in the same run as the figures they divide: memcpy, and a bare
 * `Deno.serve` peer process (see raw_server.ts) for large uploads and downloads and 4 KiB request rates.
 * Starts and stops one raw server process.
 */
import { type BenchRow, rowBeside } from "./bench_table.ts";
import { type BenchSizes, SMALL_OBJECT_BYTES, STREAM_CHUNK_BYTES } from "./bench_sizes.ts";
import { drainBody, randomBytes, repeatedStream } from "./byte_streams.ts";
import { RawServer } from "./raw_server.ts";
import { requestsPerSecond } from "./request_rate.ts";
import { socketPut } from "./socket_put.ts";
import { bestSeconds, gigabytesPerSecond } from "./timing.ts";

/** The limits the other benchmarks are divided by. */
export interface Baselines {
  readonly memcpy: BenchRow;
  /** Socket PUT with Content-Length to bare Deno.serve: the same client as the gateway PUT. */
  readonly upload: BenchRow;
  /** The same upload through `fetch` with a ReadableStream body (sent chunked), for comparison. */
  readonly fetchUpload: BenchRow;
  readonly download: BenchRow;
  readonly smallGet: BenchRow;
  readonly smallPut: BenchRow;
}

const MEMCPY_BYTES = 64 * 1024 * 1024;

/** Every baseline row in table order. */
export function baselineRows(baselines: Baselines): BenchRow[] {
  const { memcpy, upload, fetchUpload, download, smallGet, smallPut } = baselines;
  return [memcpy, upload, fetchUpload, download, smallGet, smallPut];
}

/** Measures every baseline; the raw server process is stopped before this returns. */
export async function runBaselines(sizes: BenchSizes): Promise<Baselines> {
  const memcpy = measureMemcpy(sizes.reps);
  await using server = await RawServer.start();
  const chunk = randomBytes(STREAM_CHUNK_BYTES);
  const upload = await measureSocketUpload(server.url, sizes, chunk);
  const fetchUpload = rowBeside(
    "raw upload (fetch, chunked)",
    await measureFetchUpload(server.url, sizes, chunk),
    upload,
  );
  const download = await measureDownload(server.url, sizes);
  const timeout = () => AbortSignal.timeout(sizes.requestTimeoutMs);
  const getRate = await requestsPerSecond(sizes.rawSmallRequests, sizes.concurrency, async () => {
    const response = await fetch(`${server.url}/small`, { signal: timeout() });
    await expectBytes(response, SMALL_OBJECT_BYTES, "raw 4 KiB GET");
  });
  const body = randomBytes(SMALL_OBJECT_BYTES);
  const putRate = await requestsPerSecond(sizes.rawSmallRequests, sizes.concurrency, async () => {
    const response = await fetch(`${server.url}/small`, { method: "PUT", body, signal: timeout() });
    await expectBytes(response, 0, "raw 4 KiB PUT");
  });
  return {
    memcpy,
    upload,
    fetchUpload,
    download,
    smallGet: { name: "raw 4KiB GET", figure: getRate, unit: "req/s" },
    smallPut: { name: "raw 4KiB PUT", figure: putRate, unit: "req/s" },
  };
}

function measureMemcpy(reps: number): BenchRow {
  const source = randomBytes(MEMCPY_BYTES);
  const target = new Uint8Array(MEMCPY_BYTES);
  const seconds = bestSeconds(reps, () => target.set(source));
  return { name: "memcpy", figure: gigabytesPerSecond(MEMCPY_BYTES, seconds), unit: "GB/s" };
}

async function measureSocketUpload(
  base: string,
  sizes: BenchSizes,
  chunk: Uint8Array<ArrayBuffer>,
): Promise<BenchRow> {
  const url = new URL(`${base}/upload`);
  const started = performance.now();
  const result = await socketPut(
    url,
    { host: url.host },
    sizes.transferBytes,
    chunk,
    sizes.transferTimeoutMs,
  );
  const seconds = (performance.now() - started) / 1000;
  const received = Number(result.response.slice(result.response.indexOf("\r\n\r\n") + 4).trim());
  if (result.status !== 200 || received !== sizes.transferBytes) {
    throw new Error(
      `Raw upload: expected 200 and ${sizes.transferBytes} bytes received, got:\n${result.response}`,
    );
  }
  return { name: "raw upload", figure: gigabytesPerSecond(sizes.transferBytes, seconds), unit: "GB/s" };
}

async function measureFetchUpload(
  base: string,
  sizes: BenchSizes,
  chunk: Uint8Array<ArrayBuffer>,
): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}/upload`, {
    method: "PUT",
    body: repeatedStream(sizes.transferBytes, chunk),
    signal: AbortSignal.timeout(sizes.transferTimeoutMs),
  });
  const received = Number(await response.text());
  const seconds = (performance.now() - started) / 1000;
  if (response.status !== 200 || received !== sizes.transferBytes) {
    throw new Error(
      `Raw fetch upload: expected 200 and ${sizes.transferBytes} bytes, got ${response.status}, ${received}`,
    );
  }
  return gigabytesPerSecond(sizes.transferBytes, seconds);
}

async function measureDownload(base: string, sizes: BenchSizes): Promise<BenchRow> {
  const started = performance.now();
  const response = await fetch(`${base}/download?bytes=${sizes.transferBytes}`, {
    signal: AbortSignal.timeout(sizes.transferTimeoutMs),
  });
  await expectBytes(response, sizes.transferBytes, "raw download");
  const seconds = (performance.now() - started) / 1000;
  return { name: "raw download", figure: gigabytesPerSecond(sizes.transferBytes, seconds), unit: "GB/s" };
}

/** Drains `response` and fails unless it is a 200 holding exactly `expectedBytes`. */
export async function expectBytes(response: Response, expectedBytes: number, what: string): Promise<void> {
  if (response.status !== 200) {
    throw new Error(`${what}: expected status 200, got ${response.status}: ${await response.text()}`);
  }
  const bytes = await drainBody(response.body);
  if (bytes !== expectedBytes) throw new Error(`${what}: expected ${expectedBytes} bytes, got ${bytes}`);
}
