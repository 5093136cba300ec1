/**
 * The whole S3 path through a real cluster (9 worker processes, one gateway; see tests/support/cluster.ts):
 * a streamed PUT and GET of one large object, each beside the s3rver peer's figure and again beside the
 * raw `Deno.serve` figure from the same run, then 4 KiB PUT and GET rates beside raw `Deno.serve`. The gateway
 * reads the shards of its (same-host) workers from their files, as it does by default; a second cluster
 * with `OBJSTORE_LOCAL_SHARD_READS=false` then measures the large GET with every shard over HTTP, the path of
 * workers on other hosts. The clusters and their temp dirs are gone when this returns.
 */
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { TEST_CREDENTIALS, TestCluster } from "../tests/support/cluster.ts";
import { type Baselines, expectBytes } from "./baselines.ts";
import { type BenchRow, rowBeside } from "./bench_table.ts";
import { type BenchSizes, SMALL_OBJECT_BYTES } from "./bench_sizes.ts";
import { BenchSigner } from "./bench_signer.ts";
import { randomBytes } from "./byte_streams.ts";
import { getLargeObject, putLargeObject } from "./large_transfer.ts";
import { requestsPerSecond } from "./request_rate.ts";
import type { S3rverRows } from "./s3rver_bench.ts";

const BUCKET = "bench";
const LARGE_KEY = "large/object";

/**
 * Gateway PUT and GET rows beside `peer` (s3rver) and beside raw, then 4 KiB PUT and GET beside raw.
 * A missing peer figure leaves its ratio NaN (printed `-`); the unit is stated, not taken from that row.
 */
export async function runGatewayBench(
  baselines: Baselines,
  sizes: BenchSizes,
  peer: S3rverRows,
): Promise<BenchRow[]> {
  const { put, get, smallPut, smallGet } = await measureDefaultCluster(sizes);
  const remoteGet = await measureRemoteGet(new BenchSigner(TEST_CREDENTIALS), sizes);
  return [
    { ...rowBeside("gateway PUT stream", put, peer.put), unit: "GB/s" },
    { ...rowBeside("gateway GET stream", get, peer.get), unit: "GB/s" },
    { ...rowBeside("gateway GET, shards over HTTP", remoteGet, peer.get), unit: "GB/s" },
    rowBeside("gateway PUT stream vs raw", put, baselines.upload),
    rowBeside("gateway GET stream vs raw", get, baselines.download),
    rowBeside("gateway 4KiB PUT", smallPut, baselines.smallPut),
    rowBeside("gateway 4KiB GET", smallGet, baselines.smallGet),
  ];
}

/** The large PUT and GET and the 4 KiB rates of a cluster as `deno task dev` runs it. */
async function measureDefaultCluster(
  sizes: BenchSizes,
): Promise<{ put: number; get: number; smallPut: number; smallGet: number }> {
  const startedMs = performance.now();
  await using cluster = await TestCluster.start();
  progress(`cluster started in ${seconds(startedMs)} s`);
  await createBucket(cluster);
  const signer = new BenchSigner(TEST_CREDENTIALS);
  const largeUrl = new URL(`${cluster.endpoint}/${BUCKET}/${LARGE_KEY}`);
  const put = await putLargeObject("Gateway", largeUrl, signer, sizes);
  progress(`PUT ${sizes.transferLabel} at ${put.toFixed(3)} GB/s`);
  const get = await getLargeObject("Gateway", largeUrl, signer, sizes);
  progress(`GET ${sizes.transferLabel} at ${get.toFixed(3)} GB/s (best of ${sizes.largeGets})`);
  const smallPut = await measureSmallPuts(cluster.endpoint, signer, sizes);
  const smallGet = await measureSmallGets(cluster.endpoint, signer, sizes);
  return { put, get, smallPut, smallGet };
}

/** The large GET from a cluster whose gateway reads every shard over HTTP (as from workers on other hosts). */
async function measureRemoteGet(signer: BenchSigner, sizes: BenchSizes): Promise<number> {
  await using cluster = await TestCluster.start({ gatewayEnv: { OBJSTORE_LOCAL_SHARD_READS: "false" } });
  await createBucket(cluster);
  const largeUrl = new URL(`${cluster.endpoint}/${BUCKET}/${LARGE_KEY}`);
  await putLargeObject("Gateway (shards over HTTP)", largeUrl, signer, sizes);
  const get = await getLargeObject("Gateway (shards over HTTP)", largeUrl, signer, sizes);
  progress(
    `GET ${sizes.transferLabel} with every shard over HTTP at ${
      get.toFixed(3)
    } GB/s (best of ${sizes.largeGets})`,
  );
  return get;
}

/** Creates the bucket the large and small objects go into. */
async function createBucket(cluster: TestCluster): Promise<void> {
  const client = cluster.client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } finally {
    client.destroy();
  }
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
