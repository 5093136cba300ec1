/**
 * The whole S3 path through a real cluster (9 worker processes, one gateway; see tests/support/cluster.ts):
 * a streamed PUT and GET of one large object, then 4 KiB PUT and GET rates, each beside the raw
 * `Deno.serve` figure from the same run. The cluster and its temp dir are gone when this returns.
 */
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { TEST_CREDENTIALS, TestCluster } from "../tests/support/cluster.ts";
import { type Baselines, expectBytes } from "./baselines.ts";
import { type BenchRow, rowBeside } from "./bench_table.ts";
import { type BenchSizes, SMALL_OBJECT_BYTES, STREAM_CHUNK_BYTES } from "./bench_sizes.ts";
import { BenchSigner } from "./bench_signer.ts";
import { randomBytes } from "./byte_streams.ts";
import { requestsPerSecond } from "./request_rate.ts";
import { socketPut } from "./socket_put.ts";
import { gigabytesPerSecond } from "./timing.ts";

const BUCKET = "bench";
const LARGE_KEY = "large/object";

/** Gateway PUT, GET, 4 KiB PUT and 4 KiB GET rows, each beside its raw baseline. */
export async function runGatewayBench(baselines: Baselines, sizes: BenchSizes): Promise<BenchRow[]> {
  const startedMs = performance.now();
  await using cluster = await TestCluster.start();
  progress(`cluster started in ${seconds(startedMs)} s`);
  const client = cluster.client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } finally {
    client.destroy();
  }
  const signer = new BenchSigner(TEST_CREDENTIALS);
  const put = await measureLargePut(cluster.endpoint, signer, sizes);
  const get = await measureLargeGet(cluster.endpoint, signer, sizes);
  const smallPut = await measureSmallPuts(cluster.endpoint, signer, sizes);
  const smallGet = await measureSmallGets(cluster.endpoint, signer, sizes);
  return [
    rowBeside("gateway PUT stream", put, baselines.upload),
    rowBeside("gateway GET stream", get, baselines.download),
    rowBeside("gateway 4KiB PUT", smallPut, baselines.smallPut),
    rowBeside("gateway 4KiB GET", smallGet, baselines.smallGet),
  ];
}

async function measureLargePut(endpoint: string, signer: BenchSigner, sizes: BenchSizes): Promise<number> {
  const url = new URL(`${endpoint}/${BUCKET}/${LARGE_KEY}`);
  const chunk = randomBytes(STREAM_CHUNK_BYTES);
  const startedMs = performance.now();
  const headers = await signer.headers("PUT", url, { "content-length": String(sizes.transferBytes) });
  const result = await socketPut(url, headers, sizes.transferBytes, chunk, sizes.transferTimeoutMs);
  if (result.status !== 200) {
    throw new Error(`Gateway PUT of ${sizes.transferBytes} bytes: expected 200, got:\n${result.response}`);
  }
  progress(`PUT ${sizes.transferLabel} in ${seconds(startedMs)} s`);
  return gigabytesPerSecond(sizes.transferBytes, (performance.now() - startedMs) / 1000);
}

async function measureLargeGet(endpoint: string, signer: BenchSigner, sizes: BenchSizes): Promise<number> {
  const url = new URL(`${endpoint}/${BUCKET}/${LARGE_KEY}`);
  const startedMs = performance.now();
  const response = await fetch(url, {
    headers: await signer.headers("GET", url),
    signal: AbortSignal.timeout(sizes.transferTimeoutMs),
  });
  await expectBytes(response, sizes.transferBytes, `Gateway GET of ${sizes.transferLabel}`);
  progress(`GET ${sizes.transferLabel} in ${seconds(startedMs)} s`);
  return gigabytesPerSecond(sizes.transferBytes, (performance.now() - startedMs) / 1000);
}

async function measureSmallPuts(endpoint: string, signer: BenchSigner, sizes: BenchSizes): Promise<number> {
  const body = randomBytes(SMALL_OBJECT_BYTES);
  const rate = await requestsPerSecond(sizes.gatewaySmallRequests, sizes.concurrency, async (index) => {
    const url = new URL(`${endpoint}/${BUCKET}/small/${index}`);
    const response = await fetch(url, {
      method: "PUT",
      headers: await signer.headers("PUT", url),
      body,
      signal: AbortSignal.timeout(sizes.requestTimeoutMs),
    });
    await expectBytes(response, 0, `Gateway 4 KiB PUT of small/${index}`);
  });
  progress(`${sizes.gatewaySmallRequests} small PUTs at ${rate.toFixed(0)} req/s`);
  return rate;
}

async function measureSmallGets(endpoint: string, signer: BenchSigner, sizes: BenchSizes): Promise<number> {
  const rate = await requestsPerSecond(sizes.gatewaySmallRequests, sizes.concurrency, async (index) => {
    const url = new URL(`${endpoint}/${BUCKET}/small/${index}`);
    const response = await fetch(url, {
      headers: await signer.headers("GET", url),
      signal: AbortSignal.timeout(sizes.requestTimeoutMs),
    });
    await expectBytes(response, SMALL_OBJECT_BYTES, `Gateway 4 KiB GET of small/${index}`);
  });
  progress(`${sizes.gatewaySmallRequests} small GETs at ${rate.toFixed(0)} req/s`);
  return rate;
}

function progress(message: string): void {
  console.error(`gateway bench: ${message}`);
}

function seconds(startedMs: number): string {
  return ((performance.now() - startedMs) / 1000).toFixed(1);
}
