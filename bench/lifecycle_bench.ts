/**
 * The lifecycle figures of the issue "transition throughput and the archive tier's bytes on disk": a test
 * cluster with an archive pool (tests/support/cluster.ts: 9 regional workers, 6 + 3; 8 archive workers in
 * 4 zones, 6 + 2) and a 1-second lifecycle day. It PUTs a mixed corpus (access logs and JSON, which the
 * archive stores deflated, and random bytes standing for already-compressed media, which it stores as they
 * are) into STANDARD, copies it once with CopyObject into GLACIER_IR (the request path moving the same bytes:
 * the baseline), then applies rules that move the originals to GLACIER_IR, media first and the text after,
 * and times the lifecycle executor until `objstore_lifecycle_transitioned_objects_total` counts each batch.
 * Requests go one at a time, as the executor moves one version at a time. It also sums the shard files on
 * each pool's disks: regional bytes per logical byte before the transition, archive bytes per logical byte
 * for the copies (never compressed) and for what the transitions wrote. The cluster and its temp dir are
 * gone when this returns.
 */
import {
  CreateBucketCommand,
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { TEST_CREDENTIALS, TestCluster } from "../tests/support/cluster.ts";
import { delta, scrapeMetrics } from "../tests/support/metrics_scrape.ts";
import { shardLocations } from "../tests/support/shard_files.ts";
import { expectBytes } from "./baselines.ts";
import { type BenchRow, formatTable, rowBeside } from "./bench_table.ts";
import { BenchSigner } from "./bench_signer.ts";
import { randomBytes } from "./byte_streams.ts";
import {
  type CorpusObject,
  mixedCorpusObject,
  type PoolBytes,
  poolBytes,
  type ShardFile,
  shardsPerDataId,
} from "./lifecycle_corpus.ts";

/** Names of the rows this bench prints, in table order. */
export const LIFECYCLE_ROWS = {
  rate: "lifecycle transition to GLACIER_IR",
  bytes: "lifecycle transition to GLACIER_IR (bytes)",
  media: "lifecycle transition, media (as is)",
  text: "lifecycle transition, logs+JSON (deflated)",
  versusPut: "lifecycle transition vs PUT",
  regionalDisk: "regional 6+3 disk per logical byte",
  copyDisk: "archive 6+2 disk per logical byte (copy)",
  textDisk: "archive disk per logical byte, logs+JSON",
  archiveDisk: "archive disk per logical byte (transition)",
} as const;

const BUCKET = "lifecycle-bench";
const OBJECT_BYTES = 1024 * 1024;
const DAY_MS = 1000;
/** The codes of the two pools (the defaults of OBJSTORE_DATA_SHARDS, OBJSTORE_ARCHIVE_DATA_SHARDS, …). */
const REGIONAL_CODE: ErasureCode = { dataShards: 6, parityShards: 3 };
const ARCHIVE_CODE: ErasureCode = { dataShards: 6, parityShards: 2 };
const REQUEST_TIMEOUT_MS = 30_000;
/** Bounds on the waits: one batch of transitions, and the collection of the regional data they leave. */
const TRANSITION_TIMEOUT_MS = 30_000;
const COLLECTION_TIMEOUT_MS = 10_000;
const POLL_MS = 25;
const TRANSITIONED = "objstore_lifecycle_transitioned_objects_total";
const TRANSITIONED_BYTES = "objstore_lifecycle_transitioned_bytes_total";
const MEDIA_RULE: LifecycleRule = {
  ID: "media",
  Status: "Enabled",
  Filter: { Prefix: "data/media/" },
  Transitions: [{ Days: 1, StorageClass: "GLACIER_IR" }],
};
/** Every original: by then the media is in GLACIER_IR already, so this moves the text. */
const DATA_RULE: LifecycleRule = { ...MEDIA_RULE, ID: "data", Filter: { Prefix: "data/" } };

interface ErasureCode {
  readonly dataShards: number;
  readonly parityShards: number;
}

/** One timed batch of transitions and the archive shards it wrote. */
interface TransitionBatch {
  readonly count: number;
  readonly seconds: number;
  readonly archiveBytes: number;
  readonly archiveDataIds: ReadonlySet<string>;
}

/** What one run measured; bytes are logical unless named `…DiskBytes`. */
interface Measured {
  readonly count: number;
  readonly putSeconds: number;
  readonly copySeconds: number;
  readonly regionalDiskBytes: number;
  readonly copyDiskBytes: number;
  readonly media: TransitionBatch;
  readonly text: TransitionBatch;
}

/** Objects per run: 40 × 1 MiB (12 with `--quick`), the kinds in turn. */
export function lifecycleObjectCount(quick: boolean): number {
  return quick ? 12 : 40;
}

/** Runs the lifecycle bench; every process it starts is stopped before it returns. */
export async function runLifecycleBench(quick: boolean): Promise<BenchRow[]> {
  const count = lifecycleObjectCount(quick);
  const corpus = Array.from(
    { length: count },
    (_, index) => mixedCorpusObject(index, OBJECT_BYTES, randomBytes),
  );
  const keys = corpus.map((object, index) => `data/${object.kind}/${index}`);
  await using cluster = await TestCluster.start({
    archiveZones: 4,
    archiveWorkersPerZone: 2,
    gatewayEnv: {
      OBJSTORE_LIFECYCLE_DAY_SECONDS: String(DAY_MS / 1000),
      OBJSTORE_LIFECYCLE_INTERVAL_MS: "100",
      OBJSTORE_GC_GRACE_MS: "500",
      OBJSTORE_GC_INTERVAL_MS: "200",
      OBJSTORE_EDGE_CACHE_BYTES: "0",
    },
  });
  const client = cluster.client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const signer = new BenchSigner(TEST_CREDENTIALS);
    const endpoint = cluster.endpoint;
    const putSeconds = await timeEach(
      count,
      (index) => putObject(endpoint, signer, keys[index], corpus[index]),
    );
    const lastPutMs = Date.now();
    const stored = await pools(cluster, REGIONAL_CODE, "regional");
    progress(`${count} PUTs in ${seconds(putSeconds)}; regional shards hold ${stored.regionalBytes} bytes`);
    const copySeconds = await timeEach(count, (index) => copyObject(endpoint, signer, keys[index]));
    const copied = await pools(cluster, ARCHIVE_CODE, "archive");
    progress(`${count} copies in ${seconds(copySeconds)}; archive shards hold ${copied.archiveBytes} bytes`);
    // The originals are a day old (past a day boundary) before a rule exists, so the timers measure the
    // executor, not the calendar.
    await sleepUntil(Math.ceil((lastPutMs + DAY_MS) / DAY_MS) * DAY_MS + POLL_MS);
    const mediaCount = corpus.filter((object) => object.kind === "media").length;
    const media = await transitionBatch(cluster, client, [MEDIA_RULE], mediaCount, copied.archiveDataIds);
    const text = await transitionBatch(cluster, client, [MEDIA_RULE, DATA_RULE], count - mediaCount, [
      ...copied.archiveDataIds,
      ...media.archiveDataIds,
    ]);
    await regionalCollected(cluster, copied.archiveDataIds);
    return lifecycleRows({
      count,
      putSeconds,
      copySeconds,
      regionalDiskBytes: stored.regionalBytes,
      copyDiskBytes: copied.archiveBytes,
      media,
      text,
    });
  } finally {
    client.destroy();
  }
}

/** The rows of one run: rates beside the request path's, bytes on disk beside the code or the other pool. */
function lifecycleRows(measured: Measured): BenchRow[] {
  const { count, media, text } = measured;
  const megabytes = (objects: number) => objects * OBJECT_BYTES / 1e6;
  const transitionSeconds = media.seconds + text.seconds;
  const copyName = "CopyObject to GLACIER_IR (1 in flight)";
  const copyRate = { name: copyName, figure: count / measured.copySeconds, unit: "objects/s" };
  const copyBytes = { name: copyName, figure: megabytes(count) / measured.copySeconds, unit: "MB/s" };
  const put = {
    name: "PUT STANDARD (1 in flight)",
    figure: megabytes(count) / measured.putSeconds,
    unit: "MB/s",
  };
  const perLogicalByte = (name: string, diskBytes: number, objects: number) => ({
    name,
    figure: diskBytes / (objects * OBJECT_BYTES),
    unit: "B/B",
  });
  const regional = perLogicalByte("regional disk per logical byte", measured.regionalDiskBytes, count);
  const copy = perLogicalByte("archive, copies", measured.copyDiskBytes, count);
  const width = (code: ErasureCode) => ({
    name: `code ${code.dataShards}+${code.parityShards}, no framing`,
    figure: (code.dataShards + code.parityShards) / code.dataShards,
    unit: "B/B",
  });
  return [
    rowBeside(LIFECYCLE_ROWS.rate, count / transitionSeconds, copyRate),
    rowBeside(LIFECYCLE_ROWS.bytes, megabytes(count) / transitionSeconds, copyBytes),
    rowBeside(LIFECYCLE_ROWS.media, megabytes(media.count) / media.seconds, copyBytes),
    rowBeside(LIFECYCLE_ROWS.text, megabytes(text.count) / text.seconds, copyBytes),
    rowBeside(LIFECYCLE_ROWS.versusPut, megabytes(count) / transitionSeconds, put),
    rowBeside(LIFECYCLE_ROWS.regionalDisk, regional.figure, width(REGIONAL_CODE)),
    rowBeside(LIFECYCLE_ROWS.copyDisk, copy.figure, width(ARCHIVE_CODE)),
    rowBeside(LIFECYCLE_ROWS.textDisk, perLogicalByte("", text.archiveBytes, text.count).figure, copy),
    rowBeside(
      LIFECYCLE_ROWS.archiveDisk,
      perLogicalByte("", media.archiveBytes + text.archiveBytes, count).figure,
      regional,
    ),
  ];
}

/** Seconds to run `action(0..count-1)` one after another. */
async function timeEach(count: number, action: (index: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < count; index++) await action(index);
  return (performance.now() - started) / 1000;
}

async function putObject(endpoint: string, signer: BenchSigner, key: string, object: CorpusObject) {
  const url = new URL(`${endpoint}/${BUCKET}/${key}`);
  const response = await fetch(url, {
    method: "PUT",
    headers: await signer.headers("PUT", url),
    body: object.bytes,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await expectBytes(response, 0, `PUT of ${key}`);
}

/** CopyObject of `key` to `copies/…` in GLACIER_IR (a 200 may still carry an error: the body says). */
async function copyObject(endpoint: string, signer: BenchSigner, key: string) {
  const url = new URL(`${endpoint}/${BUCKET}/copies/${key}`);
  const headers = { "x-amz-copy-source": `/${BUCKET}/${key}`, "x-amz-storage-class": "GLACIER_IR" };
  const response = await fetch(url, {
    method: "PUT",
    headers: await signer.headers("PUT", url, headers),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== 200 || !text.includes("<CopyObjectResult")) {
    throw new Error(
      `CopyObject of ${key}: expected 200 and a CopyObjectResult, got ${response.status}: ${text}`,
    );
  }
}

/**
 * Applies `rules` and returns the seconds until the executor has moved `count` more objects (polling its
 * metrics; the time includes up to one executor interval before its first round) with the archive shards
 * written meanwhile (data ids not in `before`). Checks the moved bytes too.
 */
async function transitionBatch(
  cluster: TestCluster,
  client: S3Client,
  rules: LifecycleRule[],
  count: number,
  before: Iterable<string>,
): Promise<TransitionBatch> {
  const start = await scrapeMetrics(cluster.endpoint);
  const started = performance.now();
  await client.send(
    new PutBucketLifecycleConfigurationCommand({ Bucket: BUCKET, LifecycleConfiguration: { Rules: rules } }),
  );
  let metrics = start;
  while (delta(start, metrics, TRANSITIONED) < count) {
    if (performance.now() - started > TRANSITION_TIMEOUT_MS) {
      const done = delta(start, metrics, TRANSITIONED);
      throw new Error(`Expected ${count} transitions within ${TRANSITION_TIMEOUT_MS} ms, got ${done}`);
    }
    await sleep(POLL_MS);
    metrics = await scrapeMetrics(cluster.endpoint);
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  const moved = delta(start, metrics, TRANSITIONED_BYTES);
  if (moved !== count * OBJECT_BYTES) {
    throw new Error(`Expected ${count * OBJECT_BYTES} bytes moved, got ${moved}`);
  }
  const written = poolBytes(await shardFiles(cluster), new Set(before));
  progress(
    `rules ${rules.map((rule) => rule.ID).join(", ")}: ${count} transitions in ${seconds(elapsedSeconds)}`,
  );
  return { count, seconds: elapsedSeconds, ...written };
}

/** Every shard file of the cluster with its worker and size (a file GC deletes meanwhile is left out). */
async function shardFiles(cluster: TestCluster): Promise<ShardFile[]> {
  const byDir = new Map(cluster.workerIds.map((id) => [cluster.workerDir(id), id]));
  const locations = await shardLocations([...byDir.keys()]);
  const files = await Promise.all(locations.map(async ({ path, workerDir, dataId }) => {
    try {
      return { workerId: byDir.get(workerDir)!, dataId, sizeBytes: (await Deno.stat(path)).size };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }));
  return files.filter((file) => file !== null);
}

/** Shard bytes per pool, checking that each data id of `pool` has one shard per worker of its `code`. */
async function pools(
  cluster: TestCluster,
  code: ErasureCode,
  pool: "regional" | "archive",
): Promise<PoolBytes> {
  const shards = await shardFiles(cluster);
  const sums = poolBytes(shards);
  const width = shardsPerDataId(shards);
  const expected = code.dataShards + code.parityShards;
  for (const dataId of pool === "regional" ? sums.regionalDataIds : sums.archiveDataIds) {
    if (width.get(dataId) !== expected) {
      throw new Error(`Expected ${expected} shards of ${pool} data ${dataId}, found ${width.get(dataId)}`);
    }
  }
  return sums;
}

/**
 * Waits (bounded) until GC has collected the regional data the transitions left, and says whether it did.
 * The figures do not depend on it: the archive sums never counted that data.
 */
async function regionalCollected(cluster: TestCluster, exclude: ReadonlySet<string>): Promise<void> {
  const deadline = performance.now() + COLLECTION_TIMEOUT_MS;
  let left = poolBytes(await shardFiles(cluster), exclude).regionalBytes;
  while (left > 0 && performance.now() < deadline) {
    await sleep(100);
    left = poolBytes(await shardFiles(cluster), exclude).regionalBytes;
  }
  progress(
    left === 0
      ? "GC collected the regional data the transitions left"
      : `${left} regional bytes not yet collected after ${COLLECTION_TIMEOUT_MS} ms`,
  );
}

function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function sleepUntil(epochMs: number): Promise<void> {
  const wait = epochMs - Date.now();
  if (wait > 0) await sleep(wait);
}

function progress(message: string): void {
  console.error(`lifecycle bench: ${message}`);
}

if (import.meta.main) {
  console.log(formatTable(await runLifecycleBench(Deno.args.includes("--quick"))));
  // TestCluster.start leaves its readiness timers armed (see run_all.ts): do not wait a minute for them.
  Deno.exit(0);
}
