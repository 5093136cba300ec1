/**
 * The read path's economy, measured on a real test cluster through the gateway's /metrics (the same
 * counters tests/integration/edge_tier_test.ts asserts on), each figure beside its limit:
 * - 1000 concurrent GETs of one cold 1 MiB object: reads of erasure-coded data from the workers
 *   (`objstore_regional_reads_total`), limit 1: concurrent misses merge into one load;
 * - a 1 MiB range from the middle of a large object (1 GiB; 64 MiB with `--quick`): shard bytes
 *   received from the workers (`objstore_regional_read_bytes_total`), limit 2 stripes of k × block
 *   bytes, the most a 1 MiB range can straddle. Three ranges are read (at the middle, across a MiB
 *   boundary, across the stripe boundary nearest the middle) and the largest figure is printed.
 * Then the edge cache's admission row (edge_admission_bench.ts). Stops the cluster before returning.
 * Run alone: `deno run -A bench/edge_tier_bench.ts [--quick]`.
 */
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { TEST_CREDENTIALS, TestCluster } from "../tests/support/cluster.ts";
import { delta, scrapeMetrics } from "../tests/support/metrics_scrape.ts";
import { STREAM_CHUNK_BYTES } from "./bench_sizes.ts";
import { BenchSigner } from "./bench_signer.ts";
import { type BenchRow, formatTable, rowBeside } from "./bench_table.ts";
import { drainBody, randomBytes } from "./byte_streams.ts";
import { runEdgeAdmissionBench } from "./edge_admission_bench.ts";
import { socketPut } from "./socket_put.ts";

/** Names of the cluster rows this bench prints (the admission row is in EDGE_ADMISSION_ROWS). */
export const EDGE_TIER_ROWS = {
  coldReads: "cold 1 MiB, 1000 concurrent GETs: worker reads",
  rangeBytes: "1 MiB range of 1 GiB: bytes from workers",
} as const;

const MIB = 1024 * 1024;
const BUCKET = "edge-bench";
const COLD_KEY = "cold-1m";
const BIG_KEY = "big";
const CONCURRENT_GETS = 1000;
const RANGE_BYTES = MIB;
/** The code the cluster is started with, so the stripe limit is the one in force in this run. */
const DATA_SHARDS = 6;
const BLOCK_BYTES = MIB;
const STRIPE_BYTES = DATA_SHARDS * BLOCK_BYTES;

/** The two cluster rows (worker reads, range bytes) and the admission row. */
export async function runEdgeTierBench(quick: boolean): Promise<BenchRow[]> {
  const bigBytes = quick ? 64 * MIB : 1024 * MIB;
  await using cluster = await TestCluster.start({
    gatewayEnv: { OBJSTORE_DATA_SHARDS: String(DATA_SHARDS), OBJSTORE_BLOCK_SIZE_BYTES: String(BLOCK_BYTES) },
  });
  const client = cluster.client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: COLD_KEY, Body: randomBytes(MIB) }));
  } finally {
    client.destroy();
  }
  const signer = new BenchSigner(TEST_CREDENTIALS);
  const reads = await coldReads(cluster.endpoint, signer);
  const rangeBytes = await rangeReadBytes(cluster.endpoint, signer, bigBytes, quick ? 60_000 : 300_000);
  const readLimit: BenchRow = { name: "limit", figure: 1, unit: "reads" };
  const stripeLimit: BenchRow = {
    name: `2 stripes (2 × ${DATA_SHARDS} × ${BLOCK_BYTES / MIB} MiB)`,
    figure: (2 * STRIPE_BYTES) / MIB,
    unit: "MiB",
  };
  return [
    rowBeside(EDGE_TIER_ROWS.coldReads, reads, readLimit),
    rowBeside(EDGE_TIER_ROWS.rangeBytes, rangeBytes / MIB, stripeLimit),
    await runEdgeAdmissionBench(),
  ];
}

/** Regional reads caused by `CONCURRENT_GETS` simultaneous GETs of the cold object (each checked whole). */
async function coldReads(endpoint: string, signer: BenchSigner): Promise<number> {
  const url = new URL(`${endpoint}/${BUCKET}/${COLD_KEY}`);
  // One signature serves every request: SigV4 has no nonce, and the date stays valid for 15 minutes.
  const headers = await signer.headers("GET", url);
  const before = await scrapeMetrics(endpoint);
  const startedMs = performance.now();
  const sizes = await Promise.all(Array.from({ length: CONCURRENT_GETS }, async () => {
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw new Error(`cold GET answered ${response.status}`);
    return await drainBody(response.body);
  }));
  const seconds = (performance.now() - startedMs) / 1000;
  const after = await scrapeMetrics(endpoint);
  const wrong = sizes.filter((size) => size !== MIB).length;
  if (wrong > 0) throw new Error(`${wrong} of ${CONCURRENT_GETS} cold GETs did not return 1 MiB`);
  const reads = delta(before, after, "objstore_regional_reads_total");
  const fromMemory = delta(before, after, "objstore_edge_cache_hits_total") +
    delta(before, after, "objstore_edge_cache_merged_misses_total");
  progress(
    `${CONCURRENT_GETS} concurrent GETs of a cold 1 MiB object in ${seconds.toFixed(2)} s: ` +
      `${reads} worker read(s), ${fromMemory} hits or merged misses ${verdict(reads <= 1)}`,
  );
  return reads;
}

/**
 * PUTs a `bigBytes` object (1 MiB of random bytes, repeated) and returns the most shard bytes the
 * workers sent for one 1 MiB range of it, over ranges at the middle, across a MiB boundary and across
 * a stripe boundary.
 */
async function rangeReadBytes(
  endpoint: string,
  signer: BenchSigner,
  bigBytes: number,
  timeoutMs: number,
): Promise<number> {
  const url = new URL(`${endpoint}/${BUCKET}/${BIG_KEY}`);
  const chunk = randomBytes(STREAM_CHUNK_BYTES);
  const putStartedMs = performance.now();
  const headers = await signer.headers("PUT", url, { "content-length": String(bigBytes) });
  const put = await socketPut(url, headers, bigBytes, chunk, timeoutMs);
  if (put.status !== 200) throw new Error(`PUT of ${bigBytes} bytes: expected 200, got:\n${put.response}`);
  progress(`${bigBytes / MIB} MiB object PUT in ${((performance.now() - putStartedMs) / 1000).toFixed(1)} s`);
  let most = 0;
  const stripeBoundary = Math.round(bigBytes / 2 / STRIPE_BYTES) * STRIPE_BYTES;
  for (const start of [bigBytes / 2, bigBytes / 2 - MIB / 2 + 7, stripeBoundary - MIB / 2 + 7]) {
    const end = start + RANGE_BYTES - 1;
    const before = await scrapeMetrics(endpoint);
    const response = await fetch(url, {
      headers: await signer.headers("GET", url, { range: `bytes=${start}-${end}` }),
    });
    if (response.status !== 206) throw new Error(`range GET answered ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const offset = start % chunk.length;
    if (
      bytes.length !== RANGE_BYTES || bytes.some((byte, i) => byte !== chunk[(offset + i) % chunk.length])
    ) {
      throw new Error(`range ${start}-${end} came back wrong (${bytes.length} bytes)`);
    }
    const after = await scrapeMetrics(endpoint);
    const read = delta(before, after, "objstore_regional_read_bytes_total");
    progress(
      `range ${start}-${end} of ${bigBytes / MIB} MiB: ${(read / MIB).toFixed(2)} MiB from workers ` +
        verdict(read <= 2 * STRIPE_BYTES && read >= RANGE_BYTES),
    );
    most = Math.max(most, read);
  }
  return most;
}

function verdict(ok: boolean): string {
  return ok ? "(within the limit)" : "(OUTSIDE THE LIMIT)";
}

function progress(message: string): void {
  console.error(`edge tier bench: ${message}`);
}

if (import.meta.main) {
  const unknown = Deno.args.filter((arg) => arg !== "--quick");
  if (unknown.length > 0) {
    console.error(`Unknown argument ${JSON.stringify(unknown[0])}; usage: edge_tier_bench.ts [--quick]`);
    Deno.exit(2);
  }
  console.log(formatTable(await runEdgeTierBench(Deno.args.includes("--quick"))));
  // TestCluster.start leaves its readiness timers armed (see run_all.ts); do not wait for them.
  Deno.exit(0);
}
