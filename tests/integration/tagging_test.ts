/**
 * Object and bucket tagging through @aws-sdk/client-s3 against a real cluster: `x-amz-tagging` on uploads,
 * Put/Get/DeleteObjectTagging, the tagging directive of CopyObject, `x-amz-tagging-count`, S3's limits (a
 * refused tag set changes nothing) and bucket tagging.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectTaggingCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type Tag,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { TestCluster } from "../support/cluster.ts";
import { assertEquals, assertRejectsS3 } from "../support/asserts.ts";

async function tagsOf(s3: S3Client, key: string): Promise<Tag[]> {
  return (await s3.send(new GetObjectTaggingCommand({ Bucket: "tags", Key: key }))).TagSet ?? [];
}

Deno.test("object and bucket tagging through real processes", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "tags" }));

  await t.step(
    "x-amz-tagging on PutObject is stored, counted on GET (x-amz-tagging-count), listed in order",
    async () => {
      await s3.send(
        new PutObjectCommand({
          Bucket: "tags",
          Key: "photo",
          Body: "jpeg",
          Tagging: "team=media&note=two%20words",
        }),
      );
      assertEquals(await tagsOf(s3, "photo"), [{ Key: "team", Value: "media" }, {
        Key: "note",
        Value: "two words",
      }]);
      const got = await s3.send(new GetObjectCommand({ Bucket: "tags", Key: "photo" }));
      assertEquals(got.TagCount, 2);
      await got.Body?.transformToString();
      const head = await s3.send(new HeadObjectCommand({ Bucket: "tags", Key: "photo" }));
      assertEquals(head.$metadata.httpStatusCode, 200);
    },
  );

  await t.step("PutObjectTagging replaces the set, DeleteObjectTagging empties it", async () => {
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: "tags",
        Key: "photo",
        Tagging: { TagSet: [{ Key: "k", Value: "" }] },
      }),
    );
    assertEquals(await tagsOf(s3, "photo"), [{ Key: "k", Value: "" }]);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: "tags", Key: "photo" }));
    assertEquals(await tagsOf(s3, "photo"), []);
    const got = await s3.send(new GetObjectCommand({ Bucket: "tags", Key: "photo" }));
    assertEquals(got.TagCount, undefined);
    assertEquals(await got.Body?.transformToString(), "jpeg");
  });

  await t.step("tag sets that break S3's limits are refused and change nothing", async () => {
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: "tags",
        Key: "photo",
        Tagging: { TagSet: [{ Key: "keep", Value: "me" }] },
      }),
    );
    const bad: Array<[Tag[], string]> = [
      [Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: "v" })), "BadRequest"],
      [[{ Key: "dup", Value: "1" }, { Key: "dup", Value: "2" }], "InvalidTag"],
      [[{ Key: "x".repeat(129), Value: "v" }], "InvalidTag"],
      [[{ Key: "k", Value: "v".repeat(257) }], "InvalidTag"],
      [[{ Key: "aws:reserved", Value: "v" }], "InvalidTag"],
      [[{ Key: "semi;colon", Value: "v" }], "InvalidTag"],
    ];
    for (const [TagSet, code] of bad) {
      await assertRejectsS3(
        () => s3.send(new PutObjectTaggingCommand({ Bucket: "tags", Key: "photo", Tagging: { TagSet } })),
        code,
        400,
      );
    }
    assertEquals(await tagsOf(s3, "photo"), [{ Key: "keep", Value: "me" }]);
    await assertRejectsS3(
      () => s3.send(new PutObjectCommand({ Bucket: "tags", Key: "never", Body: "x", Tagging: "a=1&a=2" })),
      "InvalidTag",
      400,
    );
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "tags", Key: "never" })),
      "NotFound",
      404,
    );
    await assertRejectsS3(
      () => s3.send(new GetObjectTaggingCommand({ Bucket: "tags", Key: "never" })),
      "NoSuchKey",
      404,
    );
  });

  await t.step("multipart uploads carry their tags to the completed object", async () => {
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: "tags", Key: "video", Tagging: "kind=video" }),
    );
    const part = await s3.send(
      new UploadPartCommand({ Bucket: "tags", Key: "video", UploadId, PartNumber: 1, Body: "frames" }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "tags",
        Key: "video",
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    assertEquals(await tagsOf(s3, "video"), [{ Key: "kind", Value: "video" }]);
  });

  await t.step("CopyObject copies tags unless the tagging directive is REPLACE", async () => {
    await s3.send(new CopyObjectCommand({ Bucket: "tags", Key: "video-copy", CopySource: "tags/video" }));
    assertEquals(await tagsOf(s3, "video-copy"), [{ Key: "kind", Value: "video" }]);
    await s3.send(
      new CopyObjectCommand({
        Bucket: "tags",
        Key: "video-retagged",
        CopySource: "tags/video",
        TaggingDirective: "REPLACE",
        Tagging: "kind=archive",
      }),
    );
    assertEquals(await tagsOf(s3, "video-retagged"), [{ Key: "kind", Value: "archive" }]);
  });

  await t.step(
    "only the owner (or a policy) may read tags: an anonymous GET ?tagging is denied",
    async () => {
      await s3.send(
        new PutObjectCommand({
          Bucket: "tags",
          Key: "public",
          Body: "p",
          ACL: "public-read",
          Tagging: "a=b",
        }),
      );
      const plain = await fetch(`${cluster.endpoint}/tags/public`);
      assertEquals(await plain.text(), "p");
      const tagging = await fetch(`${cluster.endpoint}/tags/public?tagging`);
      assertEquals(tagging.status, 403);
      await tagging.body?.cancel();
    },
  );

  await t.step("bucket tagging: NoSuchTagSet until set, up to 50 tags, deleted with 204", async () => {
    await assertRejectsS3(
      () => s3.send(new GetBucketTaggingCommand({ Bucket: "tags" })),
      "NoSuchTagSet",
      404,
    );
    const TagSet = [{ Key: "cost-center", Value: "cdn" }, { Key: "env", Value: "prod" }];
    await s3.send(new PutBucketTaggingCommand({ Bucket: "tags", Tagging: { TagSet } }));
    assertEquals((await s3.send(new GetBucketTaggingCommand({ Bucket: "tags" }))).TagSet, TagSet);
    await assertRejectsS3(
      () =>
        s3.send(
          new PutBucketTaggingCommand({
            Bucket: "tags",
            Tagging: { TagSet: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) },
          }),
        ),
      "BadRequest",
      400,
    );
    assertEquals((await s3.send(new GetBucketTaggingCommand({ Bucket: "tags" }))).TagSet, TagSet);
    const deleted = await s3.send(new DeleteBucketTaggingCommand({ Bucket: "tags" }));
    assertEquals(deleted.$metadata.httpStatusCode, 204);
    await assertRejectsS3(
      () => s3.send(new GetBucketTaggingCommand({ Bucket: "tags" })),
      "NoSuchTagSet",
      404,
    );
  });
  s3.destroy();
});
