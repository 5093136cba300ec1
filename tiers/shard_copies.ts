/**
 * Deleting shard copies safely while the repairer and the rebalancer work side by side. Both write new
 * copies and then delete copies they consider unreferenced: the old copy after a committed move, or their own
 * new copy when their commit lost to another change. Two of them may have written the very same copy (same
 * shard index on the same worker, chosen by the same rendezvous rank), so a copy is deleted only when the
 * manifest as it stands now does not name it.
 */
import type { MetadataCatalog, WorkerPool } from "../storage/mod.ts";

/** One shard copy on one worker. */
export interface ShardCopy {
  readonly shardIndex: number;
  readonly workerId: string;
}

/**
 * Deletes those of `copies` (of `dataId`) that the current manifest does not name; best effort (a worker that
 * does not answer keeps its copy, which the orphan sweeper collects later). Returns how many it asked to delete.
 */
export async function deleteUnnamedCopies(
  catalog: MetadataCatalog,
  pool: WorkerPool,
  dataId: string,
  copies: readonly ShardCopy[],
): Promise<number> {
  if (copies.length === 0) return 0;
  const manifest = await catalog.getErasureManifestEntry(dataId).catch(() => undefined);
  // Unreadable metadata: keep everything rather than guess.
  if (manifest === undefined) return 0;
  const unnamed = copies.filter(({ shardIndex, workerId }) =>
    manifest === null || manifest.record.shards[shardIndex]?.workerId !== workerId
  );
  await Promise.all(
    unnamed.map(({ shardIndex, workerId }) =>
      pool.client(workerId)?.deleteShard({ dataId, shardIndex }).catch(() => {})
    ),
  );
  return unnamed.length;
}
