/**
 * The CDN-origin figure of the issue "A CDN origin for media, with an edge tier": cached 4 KiB GETs
 * through the gateway with keep-alive connections, driven by Debian's wrk, of a public-read object (what
 * a CDN pulls) and of a private one through a presigned URL (every request verifies a SigV4 signature),
 * beside two peers loaded with the same wrk settings in the same run: nginx serving the same bytes
 * from a file, and a bare `Deno.serve` answering from memory (raw_server.ts). One more row loads the
 * gateway with first GETs of freshly PUT objects (cold). Starts a test cluster, an nginx and a raw
 * server, and stops them all and removes its temp dir before returning. Without wrk or nginx the
 * affected figures are NaN with the reason in the unit column (printed `-`), never a crash.
 *
 * CPU pinning (taskset, wrk on one core, server on the other) was measured on the 2-core dev machine
 * and not adopted: it gave nginx nothing steady and cut the gateway by ~30 % (its worker processes
 * and Deno's helper threads then fight over one core) while raising raw Deno.serve's p99. What
 * steadies the figures instead is interleaving: each round loads nginx, raw and gateway back to back,
 * and each row prints the median over rounds, so a burst of load from elsewhere hits all three alike.
 */
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { TEST_CREDENTIALS, TestCluster } from "../tests/support/cluster.ts";
import { scrapeMetrics } from "../tests/support/metrics_scrape.ts";
import { expectBytes } from "./baselines.ts";
import { type BenchRow, rowBeside } from "./bench_table.ts";
import { SMALL_OBJECT_BYTES } from "./bench_sizes.ts";
import { BenchSigner } from "./bench_signer.ts";
import { randomBytes } from "./byte_streams.ts";
import { putColdObjects } from "./cold_objects.ts";
import { missingRow } from "./missing_figure.ts";
import { findNginx, NginxServer } from "./nginx_server.ts";
import { RawServer } from "./raw_server.ts";
import { runWrk, wrkAvailable, type WrkResult, type WrkSettings } from "./wrk_load.ts";

/** Names of the rows this bench prints, in table order. */
export const CDN_ORIGIN_ROWS = {
  nginx: "nginx 4KiB GET (wrk)",
  raw: "raw 4KiB GET (wrk)",
  cached: "gateway 4KiB GET cached (wrk)",
  presigned: "gateway 4KiB GET presigned (wrk)",
  cold: "gateway 4KiB GET cold (wrk)",
} as const;

/** How hard and how long the CDN-origin bench loads each server. */
export interface CdnOriginSettings {
  /** The wrk settings of every cached run (nginx, raw and gateway alike). */
  readonly wrk: WrkSettings;
  /** Interleaved rounds of the three cached runs; each row is the median over rounds. */
  readonly rounds: number;
  /** Cold GETs measured, one per fresh object. */
  readonly coldRequests: number;
  /** Bound on the cold run, which normally stops after `coldRequests` responses. */
  readonly coldMaxSeconds: number;
}

/**
 * `-t1 -c32`: one wrk thread leaves the second core of a 2-core machine to the server and still sends
 * over 10× the gateway's rate, and 32 keep-alive connections keep every server busy. Full runs take
 * 3 interleaved rounds of 5 s (about a minute with the cold row); `--quick` runs each server once for 1 s.
 */
export function cdnOriginSettings(quick: boolean): CdnOriginSettings {
  return quick
    ? {
      wrk: { threads: 1, connections: 32, durationSeconds: 1 },
      rounds: 1,
      coldRequests: 300,
      coldMaxSeconds: 10,
    }
    : {
      wrk: { threads: 1, connections: 32, durationSeconds: 5 },
      rounds: 3,
      coldRequests: 5000,
      coldMaxSeconds: 30,
    };
}

const BUCKET = "cdn-origin";
const CACHED_KEY = "media/cached-4k.bin";
const PUBLIC_KEY = "media/public-4k.bin";
const COLD_PREFIX = "media/cold/";
const UNIT = "req/s";
/** The gateway's edge-cache hit counter, printed around the runs when its /metrics has it. */
const EDGE_CACHE_HITS_METRIC = "objstore_edge_cache_hits_total";

/** The CDN-origin rows: nginx, raw Deno.serve, gateway cached and gateway cold, all driven by wrk. */
export async function runCdnOriginBench(quick: boolean): Promise<BenchRow[]> {
  const settings = cdnOriginSettings(quick);
  if (!(await wrkAvailable())) {
    progress("wrk is not installed (apt-get install wrk); its rows print -");
    return Object.values(CDN_ORIGIN_ROWS).map((name) => missingRow(name, UNIT, "wrk not installed"));
  }
  const dir = await Deno.makeTempDir({ prefix: "objstore-cdn-bench-" });
  try {
    return await benchInDir(dir, settings);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function benchInDir(dir: string, settings: CdnOriginSettings): Promise<BenchRow[]> {
  const body = randomBytes(SMALL_OBJECT_BYTES);
  await using cluster = await TestCluster.start();
  const { publicUrl, presignedUrl } = await putCachedObjects(cluster, body);
  const nginxPath = await findNginx();
  if (nginxPath === null) progress("nginx is not installed (apt-get install nginx); its row prints -");
  await using nginx = nginxPath === null
    ? null
    : await NginxServer.start(nginxPath, `${dir}/nginx`, { "object.bin": body });
  await using raw = await RawServer.start();
  const targets: Target[] = [
    ...(nginx === null ? [] : [{ name: "nginx", url: new URL(`${nginx.url}/object.bin`), runs: [] }]),
    { name: "raw", url: new URL(`${raw.url}/small`), runs: [] },
    { name: "gateway", url: publicUrl, runs: [] },
    { name: "gateway-presigned", url: presignedUrl, runs: [] },
  ];
  for (const target of targets) await expectBytes(await fetch(target.url), body.length, `${target.name} GET`);
  const hitsBefore = await edgeCacheHits(cluster.endpoint);
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of targets) {
      const result = await runWrk(target.url, settings.wrk, dir);
      target.runs.push(result);
      progress(`round ${round}/${settings.rounds}, ${target.name}: ${describe(result)}`);
    }
  }
  await reportHits(cluster.endpoint, hitsBefore, "cached runs");
  const cold = await measureCold(cluster.endpoint, body, settings, dir);
  const figure = (name: string) => median(targets.find((target) => target.name === name)?.runs ?? []);
  const nginxRow: BenchRow = nginx === null
    ? missingRow(CDN_ORIGIN_ROWS.nginx, UNIT, "nginx not installed")
    : { name: CDN_ORIGIN_ROWS.nginx, figure: figure("nginx"), unit: UNIT };
  const rawFigure = figure("raw");
  const cachedFigure = figure("gateway");
  progress(`gateway cached / raw Deno.serve = ${(cachedFigure / rawFigure).toFixed(3)}`);
  // The unit is stated here, not taken from the nginx row, which carries the reason when it is missing.
  const beside = (name: string, value: number) => ({ ...rowBeside(name, value, nginxRow), unit: UNIT });
  return [
    nginxRow,
    beside(CDN_ORIGIN_ROWS.raw, rawFigure),
    beside(CDN_ORIGIN_ROWS.cached, cachedFigure),
    beside(CDN_ORIGIN_ROWS.presigned, figure("gateway-presigned")),
    beside(CDN_ORIGIN_ROWS.cold, cold),
  ];
}

interface Target {
  readonly name: string;
  readonly url: URL;
  readonly runs: WrkResult[];
}

/**
 * Creates the bucket and PUTs the same bytes twice with the AWS SDK: a public-read object (its plain
 * URL, read anonymously) and a private one (a presigned URL).
 */
async function putCachedObjects(
  cluster: TestCluster,
  body: Uint8Array<ArrayBuffer>,
): Promise<{ publicUrl: URL; presignedUrl: URL }> {
  const client = cluster.client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: PUBLIC_KEY, Body: body, ACL: "public-read" }),
    );
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: CACHED_KEY, Body: body }));
  } finally {
    client.destroy();
  }
  return {
    publicUrl: new URL(`${cluster.endpoint}/${BUCKET}/${PUBLIC_KEY}`),
    presignedUrl: await new BenchSigner(TEST_CREDENTIALS).presignedGetUrl(
      new URL(`${cluster.endpoint}/${BUCKET}/${CACHED_KEY}`),
    ),
  };
}

/** GETs per second when every request is the first GET of an object PUT just before. */
async function measureCold(
  endpoint: string,
  body: Uint8Array<ArrayBuffer>,
  settings: CdnOriginSettings,
  dir: string,
): Promise<number> {
  // One spare object per connection: requests wrk sends after the last counted one still find fresh objects.
  const count = settings.coldRequests + settings.wrk.connections;
  const objects = await putColdObjects(endpoint, TEST_CREDENTIALS, BUCKET, COLD_PREFIX, body, count);
  progress(`${count} cold objects PUT at ${objects.putsPerSecond.toFixed(0)} req/s`);
  const hitsBefore = await edgeCacheHits(endpoint);
  const result = await runWrk(
    new URL(endpoint),
    { ...settings.wrk, durationSeconds: settings.coldMaxSeconds },
    dir,
    objects.paths,
    settings.coldRequests,
  );
  progress(`cold, gateway: ${describe(result)}`);
  await reportHits(endpoint, hitsBefore, "cold run");
  return result.requestsPerSecond;
}

async function reportHits(endpoint: string, before: number | null, what: string): Promise<void> {
  const after = await edgeCacheHits(endpoint);
  if (before === null || after === null) {
    progress(`no ${EDGE_CACHE_HITS_METRIC} at ${endpoint}/metrics during the ${what}`);
  } else {
    progress(`${EDGE_CACHE_HITS_METRIC} ${before} → ${after} (+${after - before}) during the ${what}`);
  }
}

/** The edge-cache hit count, or null when the gateway has no /metrics or no such counter. */
async function edgeCacheHits(endpoint: string): Promise<number | null> {
  try {
    return (await scrapeMetrics(endpoint)).get(EDGE_CACHE_HITS_METRIC) ?? null;
  } catch {
    return null;
  }
}

function describe(result: WrkResult): string {
  return `${result.requestsPerSecond.toFixed(0)} req/s over ${result.requests} requests, ` +
    `latency p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`;
}

/** Median requests per second of `runs` (the lower middle one for an even count). */
function median(runs: readonly WrkResult[]): number {
  if (runs.length === 0) return NaN;
  const sorted = runs.map((run) => run.requestsPerSecond).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function progress(message: string): void {
  console.error(`cdn origin bench: ${message}`);
}
