/**
 * Disk-full behaviour on a real full file system: a 1 MiB tmpfs mounted for the test. Mounting needs
 * root (or CAP_SYS_ADMIN); where it is not permitted the test is reported as ignored, with the reason
 * printed, rather than faked.
 */

import { assertEquals, assertRejects } from "./test_assert.ts";
import { StoreError } from "../core/mod.ts";
import { mountTmpfs, tmpfsUnavailable, unmountTmpfs } from "../../tests/support/tmpfs.ts";
import {
  chunkedStream,
  encodeFrames,
  listFiles,
  patternBytes,
  randomDataId,
  startTestWorker,
} from "./test_support.ts";

const TMPFS_BYTES = 1024 * 1024;

const mountFailure = await tmpfsUnavailable();
if (mountFailure !== null) {
  console.warn(`Skipping the disk-full test: cannot mount a tmpfs (${mountFailure})`);
}

Deno.test({
  name: "PUT on a full disk answers 507 disk_full, leaves no temp file and keeps existing shards",
  ignore: mountFailure !== null,
  fn: async () => {
    const mountDir = await Deno.makeTempDir();
    try {
      assertEquals(await mountTmpfs(mountDir, TMPFS_BYTES), null);
      await using worker = await startTestWorker({ dataDir: `${mountDir}/data` });
      const blockSizeBytes = 64 * 1024;
      const small = { dataId: randomDataId(), shardIndex: 0, blockSizeBytes, dataLength: 1000 };
      await worker.client.putShard({
        ...small,
        body: chunkedStream(encodeFrames(patternBytes(1000), blockSizeBytes)),
      });

      const dataLength = 2 * TMPFS_BYTES;
      const frames = encodeFrames(patternBytes(dataLength), blockSizeBytes);
      const big = { dataId: randomDataId(), shardIndex: 0, blockSizeBytes, dataLength };
      const error = await assertRejects(
        () => worker.client.putShard({ ...big, body: chunkedStream(frames, 256 * 1024) }),
        StoreError,
        "507",
      );
      assertEquals(error.kind, "disk_full");
      assertEquals(await listFiles(`${worker.dataDir}/tmp`), []);
      assertEquals(await worker.client.headShard(big), null);
      assertEquals(await worker.client.headShard(small), { blockSizeBytes, dataLength: 1000, blocks: 1 });
    } finally {
      await unmountTmpfs(mountDir);
      await Deno.remove(mountDir, { recursive: true }).catch(() => {});
    }
  },
});
