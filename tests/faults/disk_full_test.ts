/**
 * A worker whose disk is full, on a real full file system: a 4 MiB tmpfs mounted on one worker's data dir
 * and then filled up. Under the mixed load writes still succeed (the quorum is met by the other workers),
 * nothing corrupt is served, and once the disk has space again repair restores full redundancy. Mounting
 * needs root (or CAP_SYS_ADMIN); where it is not permitted the test is reported as ignored, with the reason
 * printed, rather than faked. The tmpfs is unmounted on every path.
 */
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals } from "../support/asserts.ts";
import { shardLocations, tempFiles } from "../support/shard_files.ts";
import { mountTmpfs, tmpfsUnavailable, unmountTmpfs } from "../support/tmpfs.ts";
import { MixedLoad } from "./mixed_load.ts";
import { FAULT_ENV, RecoveryLog, waitForFullRedundancy, waitForNoOrphans } from "./recovery.ts";

const TMPFS_BYTES = 4 * 1024 * 1024;

/** Writes `path` until the file system is full; returns the bytes written. */
async function fillUp(path: string): Promise<number> {
  const chunk = new Uint8Array(64 * 1024).fill(0xa5);
  const file = await Deno.open(path, { write: true, createNew: true });
  let written = 0;
  try {
    while (written < 2 * TMPFS_BYTES) written += await file.write(chunk);
  } catch (error) {
    if (!/No space left on device|ENOSPC/i.test(String(error))) throw error;
    return written;
  } finally {
    file.close();
  }
  throw new Error(`Wrote ${written} bytes to a ${TMPFS_BYTES}-byte tmpfs without filling it`);
}

const mountFailure = await tmpfsUnavailable();
if (mountFailure !== null) {
  console.warn(`Skipping the full-disk fault test: cannot mount a tmpfs (${mountFailure})`);
}

Deno.test({
  name: "a worker whose disk is full: writes go on, nothing corrupt is served, repair refills it after",
  ignore: mountFailure !== null,
  fn: async () => {
    await using cluster = await TestCluster.start({ gatewayEnv: FAULT_ENV });
    const s3 = cluster.client();
    await s3.send(new CreateBucketCommand({ Bucket: "load" }));
    const load = new MixedLoad(s3);
    const log = new RecoveryLog();
    const full = "z2-w2";
    const fullDir = cluster.workerDir(full);
    const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
    // The worker restarts on a small disk of its own (the tmpfs covers its empty data dir).
    await cluster.stopWorker(full);
    assertEquals(await mountTmpfs(fullDir, TMPFS_BYTES), null, "mounting the tmpfs");
    try {
      await cluster.startWorker(full);
      await load.run(6);
      // The heartbeat may have seen the restart and placed shards elsewhere meanwhile: let that settle.
      await waitForFullRedundancy(cluster, 45_000, `${full} restarted on the tmpfs`);
      const before = new Set((await shardLocations(dirs)).map((shard) => shard.dataId));
      assertEquals((await shardLocations([fullDir])).length, before.size, "one shard of each object on it");

      const filler = `${fullDir}/filler`;
      const fillerBytes = await fillUp(filler);
      const during = await load.run(8);
      assertEquals(during.putsFailed, 0, "every write with one disk full is acknowledged");
      assertEquals(during.readsFailed, 0, "every read with one disk full is served");
      await load.checkAll();
      const written = (await shardLocations(dirs)).filter((shard) => !before.has(shard.dataId));
      assertEquals(new Set(written.map((shard) => shard.dataId)).size, 8, "one data id per write");
      assertEquals(written.length, 8 * 8, "each write stored k + m - 1 shards");
      assert(written.every((shard) => shard.workerDir !== fullDir), "the full disk took no shard");
      assertEquals(await tempFiles([fullDir]), [], "failed writes leave no temp file on the full disk");

      // Space again (the operator cleared the disk): repair puts the missing shards where they belong.
      await Deno.remove(filler);
      const recovery = await log.start(cluster);
      await recovery.recovered(`a full disk on ${full} (${(fillerBytes / 1e6).toFixed(1)} MB filler) freed`);
      assertEquals((await shardLocations([fullDir])).length, load.acknowledged.size, "refilled");
      await load.checkAll();
      const objects = await waitForNoOrphans(cluster, s3, "load");
      assertEquals(objects, load.acknowledged.size, "exactly the acknowledged writes are listed");
    } finally {
      // Nothing may hold the tmpfs open while it is unmounted.
      await cluster.stopWorker(full);
      await unmountTmpfs(fullDir);
    }
    log.print(`full disk, ${load.acknowledged.size} acknowledged objects`);
    s3.destroy();
  },
});
