/**
 * Conditional writes through @aws-sdk/client-s3 against a real cluster: `If-None-Match: *` and `If-Match`
 * on PutObject and CompleteMultipartUpload, `If-Match` on DeleteObject and DeleteObjects' `<ETag>`.
 * Racing conditional writers (PutObject and CompleteMultipartUpload): exactly one wins, and the losers'
 * shards are collected. DeleteObjects' limit of 1000 keys.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";
import { shardFiles, waitFor } from "../support/shard_files.ts";

const GC_ENV = { OBJSTORE_GC_GRACE_MS: "1000", OBJSTORE_GC_INTERVAL_MS: "300" };

async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return await got.Body!.transformToString();
}

Deno.test("conditional writes decide in the metadata commit", async (t) => {
  await using cluster = await TestCluster.start({ gatewayEnv: GC_ENV });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "cond" }));

  await t.step("PutObject If-None-Match: * creates once, then is 412 and changes nothing", async () => {
    const first = await s3.send(
      new PutObjectCommand({ Bucket: "cond", Key: "once", Body: "v1", IfNoneMatch: "*" }),
    );
    assert(first.ETag !== undefined);
    await assertRejectsS3(
      () => s3.send(new PutObjectCommand({ Bucket: "cond", Key: "once", Body: "v2", IfNoneMatch: "*" })),
      "PreconditionFailed",
      412,
    );
    assertEquals(await getText(s3, "cond", "once"), "v1");
  });

  await t.step("If-None-Match with anything but * is NotImplemented", async () => {
    await assertRejectsS3(
      () => s3.send(new PutObjectCommand({ Bucket: "cond", Key: "other", Body: "x", IfNoneMatch: '"abc"' })),
      "NotImplemented",
      501,
    );
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "cond", Key: "other" })),
      "NotFound",
      404,
    );
  });

  await t.step("PutObject If-Match replaces only the version it names", async () => {
    const { ETag: v1 } = await s3.send(new PutObjectCommand({ Bucket: "cond", Key: "cas", Body: "one" }));
    const { ETag: v2 } = await s3.send(
      new PutObjectCommand({ Bucket: "cond", Key: "cas", Body: "two", IfMatch: v1 }),
    );
    assertEquals(await getText(s3, "cond", "cas"), "two");
    await assertRejectsS3(
      () => s3.send(new PutObjectCommand({ Bucket: "cond", Key: "cas", Body: "three", IfMatch: v1 })),
      "PreconditionFailed",
      412,
    );
    assertEquals(await getText(s3, "cond", "cas"), "two");
    // Unquoted ETags and `*` (any current version) are accepted too.
    await s3.send(
      new PutObjectCommand({ Bucket: "cond", Key: "cas", Body: "four", IfMatch: v2!.slice(1, -1) }),
    );
    await s3.send(new PutObjectCommand({ Bucket: "cond", Key: "cas", Body: "five", IfMatch: "*" }));
    assertEquals(await getText(s3, "cond", "cas"), "five");
  });

  await t.step("PutObject If-Match on a missing key is NoSuchKey and stores nothing", async () => {
    await assertRejectsS3(
      () => s3.send(new PutObjectCommand({ Bucket: "cond", Key: "absent", Body: "x", IfMatch: "*" })),
      "NoSuchKey",
      404,
    );
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "cond", Key: "absent" })),
      "NotFound",
      404,
    );
  });

  await t.step("DeleteObject If-Match: wrong ETag is 412, missing key 404, right ETag deletes", async () => {
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket: "cond", Key: "doomed", Body: "bye" }));
    await assertRejectsS3(
      () => s3.send(new DeleteObjectCommand({ Bucket: "cond", Key: "doomed", IfMatch: '"0123"' })),
      "PreconditionFailed",
      412,
    );
    assertEquals(await getText(s3, "cond", "doomed"), "bye");
    await s3.send(new DeleteObjectCommand({ Bucket: "cond", Key: "doomed", IfMatch: ETag }));
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "cond", Key: "doomed" })),
      "NotFound",
      404,
    );
    await assertRejectsS3(
      () => s3.send(new DeleteObjectCommand({ Bucket: "cond", Key: "doomed", IfMatch: "*" })),
      "NoSuchKey",
      404,
    );
    // Without a condition, deleting a missing key is still a quiet 204.
    await s3.send(new DeleteObjectCommand({ Bucket: "cond", Key: "doomed" }));
  });

  await t.step("DeleteObjects: an <ETag> per key makes that key's delete conditional", async () => {
    const { ETag: keepTag } = await s3.send(new PutObjectCommand({ Bucket: "cond", Key: "keep", Body: "k" }));
    const { ETag: goTag } = await s3.send(new PutObjectCommand({ Bucket: "cond", Key: "go", Body: "g" }));
    assert(keepTag !== goTag);
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: "cond",
        Delete: { Objects: [{ Key: "keep", ETag: goTag }, { Key: "go", ETag: goTag }] },
      }),
    );
    assertEquals(result.Deleted?.map((d) => d.Key), ["go"]);
    assertEquals(result.Errors?.map((e) => [e.Key, e.Code]), [["keep", "PreconditionFailed"]]);
    assertEquals(await getText(s3, "cond", "keep"), "k");
  });

  await t.step(
    "CompleteMultipartUpload If-None-Match: * refuses an existing key and keeps the upload",
    async () => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "cond", Key: "once" }));
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: "cond",
          Key: "once",
          UploadId,
          PartNumber: 1,
          Body: randomBytes(300_000),
        }),
      );
      const complete = (condition: { IfNoneMatch?: string; IfMatch?: string }) =>
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: "cond",
            Key: "once",
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
            ...condition,
          }),
        );
      await assertRejectsS3(() => complete({ IfNoneMatch: "*" }), "PreconditionFailed", 412);
      assertEquals(await getText(s3, "cond", "once"), "v1");
      const parts = await s3.send(new ListPartsCommand({ Bucket: "cond", Key: "once", UploadId }));
      assertEquals(parts.Parts?.length, 1);
      const current = await s3.send(new HeadObjectCommand({ Bucket: "cond", Key: "once" }));
      const done = await complete({ IfMatch: current.ETag });
      assert(done.ETag?.endsWith('-1"'), `composite ETag, got ${done.ETag}`);
    },
  );

  await t.step("racing If-None-Match: * writers: exactly one wins, the losers leave no shard", async () => {
    const racers = 6;
    const bodies = Array.from({ length: racers }, () => randomBytes(700_000));
    const outcomes = await Promise.allSettled(
      bodies.map((body) =>
        s3.send(new PutObjectCommand({ Bucket: "cond", Key: "race", Body: body, IfNoneMatch: "*" }))
      ),
    );
    const winners = outcomes.flatMap((outcome, index) => outcome.status === "fulfilled" ? [index] : []);
    assertEquals(winners.length, 1, `exactly one writer wins, got ${winners.length}`);
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") {
        const error = outcome.reason;
        assert(error instanceof S3ServiceException, `an S3 error, got ${error}`);
        assertEquals(error.$metadata.httpStatusCode, 412);
      }
    }
    const got = await s3.send(new GetObjectCommand({ Bucket: "cond", Key: "race" }));
    const bytes = await got.Body!.transformToByteArray();
    assertEquals(bytes.length, bodies[winners[0]].length);
    assert(bytes.every((byte, i) => byte === bodies[winners[0]][i]), "the winner's bytes are stored");
    // Every regional object left has 9 shards; the losers' shards (if any were written) are collected.
    const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
    await waitFor(
      async () => (await shardFiles(dirs)).length === 9 * 2,
      15_000,
      "only the shards of 'race' and of the multipart part of 'once' remain",
    );
  });

  await t.step(
    "racing CompleteMultipartUpload with If-None-Match: *: one wins, the other is 412",
    async () => {
      const uploads = await Promise.all([0, 1].map(async () => {
        const { UploadId } = await s3.send(
          new CreateMultipartUploadCommand({ Bucket: "cond", Key: "mp-race" }),
        );
        const body = randomBytes(200_000);
        const { ETag } = await s3.send(
          new UploadPartCommand({ Bucket: "cond", Key: "mp-race", UploadId, PartNumber: 1, Body: body }),
        );
        return { UploadId, ETag, body };
      }));
      const outcomes = await Promise.allSettled(uploads.map(({ UploadId, ETag }) =>
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: "cond",
            Key: "mp-race",
            UploadId,
            IfNoneMatch: "*",
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
          }),
        )
      ));
      const winner = assertOneWinner(outcomes);
      const got = await s3.send(new GetObjectCommand({ Bucket: "cond", Key: "mp-race" }));
      const bytes = await got.Body!.transformToByteArray();
      assertEquals(got.ETag, (outcomes[winner] as PromiseFulfilledResult<{ ETag?: string }>).value.ETag);
      assert(bytes.every((byte, i) => byte === uploads[winner].body[i]), "the winner's part is the object");
      // The loser's upload stays in place (a failed condition retires nothing) until it is aborted.
      const loser = uploads[1 - winner];
      const parts = await s3.send(
        new ListPartsCommand({ Bucket: "cond", Key: "mp-race", UploadId: loser.UploadId }),
      );
      assertEquals(parts.Parts?.map((part) => part.ETag), [loser.ETag]);
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: "cond", Key: "mp-race", UploadId: loser.UploadId }),
      );
    },
  );

  await t.step("racing PutObject with If-Match of the same ETag: one wins, the other is 412", async () => {
    // Regional bodies, so both writes are under way (shards streaming) when the first one commits.
    for (let round = 0; round < 3; round++) {
      const { ETag: base } = await s3.send(
        new PutObjectCommand({ Bucket: "cond", Key: "cas-race", Body: `base ${round}` }),
      );
      const bodies = [randomBytes(300_000), randomBytes(300_000)];
      const outcomes = await Promise.allSettled(
        bodies.map((body) =>
          s3.send(new PutObjectCommand({ Bucket: "cond", Key: "cas-race", Body: body, IfMatch: base }))
        ),
      );
      const winner = assertOneWinner(outcomes);
      const got = await s3.send(new GetObjectCommand({ Bucket: "cond", Key: "cas-race" }));
      const bytes = await got.Body!.transformToByteArray();
      assert(bytes.every((byte, i) => byte === bodies[winner][i]), "the winner's bytes are stored");
    }
  });

  await t.step("DeleteObjects takes 1000 keys; 1001 is MalformedXML and deletes nothing", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "many" }));
    const keys = Array.from({ length: 1001 }, (_, i) => `k${String(i).padStart(4, "0")}`);
    let next = 0;
    const putter = async () => {
      while (next < keys.length) {
        const key = keys[next++];
        await s3.send(new PutObjectCommand({ Bucket: "many", Key: key, Body: key }));
      }
    };
    await Promise.all(Array.from({ length: 16 }, putter));
    const count = async () => {
      let total = 0;
      let ContinuationToken: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: "many", ContinuationToken }));
        total += page.KeyCount ?? 0;
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken !== undefined);
      return total;
    };
    const deleteKeys = (names: string[]) =>
      s3.send(
        new DeleteObjectsCommand({
          Bucket: "many",
          Delete: { Objects: names.map((Key) => ({ Key })), Quiet: false },
        }),
      );
    await assertRejectsS3(() => deleteKeys(keys), "MalformedXML", 400);
    assertEquals(await count(), 1001);
    const result = await deleteKeys(keys.slice(0, 1000));
    assertEquals(result.Deleted?.length, 1000);
    assertEquals(result.Errors ?? [], []);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: "many" }));
    assertEquals(left.Contents?.map((object) => object.Key), [keys[1000]]);
  });
  s3.destroy();
});

/** Index of the one fulfilled outcome; every other must be a 412 PreconditionFailed. */
function assertOneWinner(outcomes: PromiseSettledResult<unknown>[]): number {
  const winners = outcomes.flatMap((outcome, index) => outcome.status === "fulfilled" ? [index] : []);
  assertEquals(winners.length, 1, `exactly one writer wins, got ${winners.length}`);
  for (const outcome of outcomes) {
    if (outcome.status === "rejected") {
      const error = outcome.reason;
      assert(error instanceof S3ServiceException, `an S3 error, got ${error}`);
      assertEquals([error.name, error.$metadata.httpStatusCode], ["PreconditionFailed", 412]);
    }
  }
  return winners[0];
}
