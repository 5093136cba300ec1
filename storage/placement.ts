/**
 * Weighted rendezvous hashing with a zone rule: each worker gets a score from hash(dataId, workerId) and
 * its weight; shards go to the best-scoring workers, skipping a worker whose zone already holds
 * `maxShardsPerZone` shards of this data id. Adding a worker moves only the shards it now wins.
 */
import { StoreError } from "./core/mod.ts";
import { Topology, type WorkerInfo, type WorkerPoolName } from "./topology.ts";

/**
 * Chooses `shardCount` distinct workers of `pool` for `dataId`; shard i goes to the i-th returned worker.
 */
export function placeShards(
  dataId: string,
  topology: Topology,
  shardCount: number,
  maxShardsPerZone: number,
  pool: WorkerPoolName = "regional",
): WorkerInfo[] {
  const candidates = topology.poolWorkers(pool);
  const ranked = candidates
    .map((worker) => ({ worker, score: rendezvousScore(dataId, worker) }))
    .sort((a, b) => b.score - a.score || (a.worker.id < b.worker.id ? -1 : 1));
  const perZone = new Map<string, number>();
  const chosen: WorkerInfo[] = [];
  for (const { worker } of ranked) {
    if (chosen.length === shardCount) break;
    const zone = Topology.zoneOf(worker);
    const used = perZone.get(zone) ?? 0;
    if (used >= maxShardsPerZone) continue;
    perZone.set(zone, used + 1);
    chosen.push(worker);
  }
  if (chosen.length < shardCount) {
    throw new StoreError(
      "unavailable",
      `Cannot place ${shardCount} shards: only ${chosen.length} workers fit with at most ` +
        `${maxShardsPerZone} per zone among ${candidates.length} ${pool} workers`,
    );
  }
  return chosen;
}

/** Score of `worker` for `dataId`: -weight / ln(u) with u uniform in (0, 1), highest wins. */
export function rendezvousScore(dataId: string, worker: WorkerInfo): number {
  const unit = hashToUnitInterval(`${dataId}\u0000${worker.id}`);
  return -worker.weight / Math.log(unit);
}

/** Maps `text` to a number uniformly spread over the open interval (0, 1), using 52 hash bits. */
export function hashToUnitInterval(text: string): number {
  const high = mix32(text, 0x9e3779b9) >>> 6; // 26 bits
  const low = mix32(text, 0x85ebca6b) >>> 6; // 26 bits
  return (high * 2 ** 26 + low + 0.5) / 2 ** 52;
}

function mix32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  // Final avalanche (murmur3 fmix32) so that similar inputs give unrelated outputs.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
