/**
 * What the fault tests wait for and print: full redundancy seen from outside the gateway (shard files on the
 * workers' disks and the /metrics endpoint; the metadata KV file is the running gateway's own), the time it
 * took and the repair throughput, and the absence of orphaned shards once GC has run.
 */
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { TestCluster } from "../support/cluster.ts";
import { scrapeMetrics } from "../support/metrics_scrape.ts";
import { shardLocations, tempFiles } from "../support/shard_files.ts";

/** Gateway settings of the fault tests: fast background loops, short timeouts, no edge cache. */
export const FAULT_ENV = {
  OBJSTORE_REPAIR_INTERVAL_MS: "200",
  OBJSTORE_AUDIT_INTERVAL_MS: "300",
  OBJSTORE_HEALTH_INTERVAL_MS: "200",
  OBJSTORE_SCRUB_BYTES_PER_ROUND: "200000000",
  // Short outages are waited out rather than moved (moves leave stale copies on a worker that returns).
  OBJSTORE_WORKER_DOWN_AFTER_MS: "60000",
  OBJSTORE_WORKER_TIMEOUT_MS: "1500",
  OBJSTORE_EDGE_CACHE_BYTES: "0",
  OBJSTORE_GC_GRACE_MS: "1000",
  OBJSTORE_GC_INTERVAL_MS: "300",
} as const;

/** k + m of the default 6 + 3 code, and the most shards of one object a zone may hold (m). */
const SHARDS_PER_OBJECT = 9;
const MAX_SHARDS_PER_ZONE = 3;

/** The worker id of a test cluster's worker dir (`…/workers/<id>`). */
function workerIdOf(workerDir: string): string {
  return workerDir.slice(workerDir.lastIndexOf("/") + 1);
}

/**
 * Why the cluster is not fully redundant now ([] when it is): every data id on disk must have shards
 * 0 … k + m − 1 exactly once each, on k + m distinct workers, at most m of them in one zone; no repair
 * queued and no worker down.
 */
export async function redundancyProblems(cluster: TestCluster): Promise<string[]> {
  const locations = await shardLocations(cluster.workerIds.map((id) => cluster.workerDir(id)));
  const byData = new Map<string, { indexes: number[]; workers: string[] }>();
  for (const { dataId, shardIndex, workerDir } of locations) {
    const entry = byData.get(dataId) ?? { indexes: [], workers: [] };
    entry.indexes.push(shardIndex);
    entry.workers.push(workerIdOf(workerDir));
    byData.set(dataId, entry);
  }
  const problems: string[] = [];
  for (const [dataId, { indexes, workers }] of byData) {
    const sorted = [...indexes].sort((a, b) => a - b).join(",");
    const expected = Array.from({ length: SHARDS_PER_OBJECT }, (_, i) => i).join(",");
    if (sorted !== expected) problems.push(`${dataId}: shard files ${sorted}, expected ${expected}`);
    if (new Set(workers).size !== workers.length) {
      problems.push(`${dataId}: a worker holds two shards (${workers.sort().join(" ")})`);
    }
    const perZone = new Map<string, number>();
    for (const id of workers) perZone.set(id.split("-")[0], (perZone.get(id.split("-")[0]) ?? 0) + 1);
    if ([...perZone.values()].some((count) => count > MAX_SHARDS_PER_ZONE)) {
      problems.push(`${dataId}: over ${MAX_SHARDS_PER_ZONE} shards in a zone (${[...perZone]})`);
    }
  }
  const metrics = await scrapeMetrics(cluster.endpoint);
  const queued = metrics.get("objstore_repair_queue_depth");
  const down = metrics.get("objstore_workers_down");
  if (queued !== 0) problems.push(`repair queue depth ${queued}`);
  if (down !== 0) problems.push(`${down} workers down`);
  return problems;
}

/** Polls `redundancyProblems` until there are none; fails with the last ones after `timeoutMs`. */
export async function waitForFullRedundancy(
  cluster: TestCluster,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problems: string[] = [];
  while (Date.now() < deadline) {
    problems = await redundancyProblems(cluster);
    if (problems.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for full redundancy after ${what}; still:\n  ` +
      problems.slice(0, 12).join("\n  ") + (problems.length > 12 ? `\n  … ${problems.length - 12} more` : ""),
  );
}

/** Collects one line per fault: time to full redundancy and repair throughput; prints them at the end. */
export class RecoveryLog {
  readonly lines: string[] = [];

  /**
   * Marks the moment the fault is cleared (or injected, for faults repaired in place); `recovered` then
   * waits for full redundancy and records how long it took and what repair wrote meanwhile.
   */
  async start(cluster: TestCluster): Promise<{ recovered(fault: string): Promise<void> }> {
    const started = performance.now();
    const before = await scrapeMetrics(cluster.endpoint);
    return {
      recovered: async (fault: string) => {
        await waitForFullRedundancy(cluster, 45_000, fault);
        const seconds = (performance.now() - started) / 1000;
        const after = await scrapeMetrics(cluster.endpoint);
        const bytes = (after.get("objstore_repair_bytes_total") ?? 0) -
          (before.get("objstore_repair_bytes_total") ?? 0);
        const shards = (after.get("objstore_repair_shards_rebuilt_total") ?? 0) -
          (before.get("objstore_repair_shards_rebuilt_total") ?? 0);
        this.lines.push(
          `${fault}: full redundancy after ${seconds.toFixed(1)} s; repair wrote ${
            (bytes / 1e6).toFixed(2)
          } MB ` +
            `in ${shards} shards (${(bytes / 1e6 / seconds).toFixed(2)} MB/s over that time)`,
        );
      },
    };
  }

  /** Prints every line under `title`. */
  print(title: string): void {
    console.log(`${title}:\n  ${this.lines.join("\n  ")}`);
  }
}

/**
 * Waits until the shard files on disk are exactly those of the listed objects (k + m per object, so no
 * orphaned shard and no stale copy) and no temp file is left; returns the number of objects.
 */
export async function waitForNoOrphans(
  cluster: TestCluster,
  s3: S3Client,
  bucket: string,
  timeoutMs = 20_000,
): Promise<number> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const objects = listed.KeyCount ?? 0;
  if (listed.IsTruncated) throw new Error(`Expected one listing page for ${bucket}`);
  const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
  const deadline = Date.now() + timeoutMs;
  let seen = "";
  while (Date.now() < deadline) {
    const locations = await shardLocations(dirs);
    const dataIds = new Set(locations.map((location) => location.dataId)).size;
    const temps = (await tempFiles(dirs)).length;
    seen = `${locations.length} shard files of ${dataIds} data ids and ${temps} temp files`;
    if (dataIds === objects && locations.length === SHARDS_PER_OBJECT * objects && temps === 0) {
      return objects;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms: expected the ${SHARDS_PER_OBJECT} shards of each of ${objects} listed ` +
      `objects and nothing else, found ${seen}`,
  );
}
