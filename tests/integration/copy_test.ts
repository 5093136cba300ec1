/**
 * CopyObject and UploadPartCopy through @aws-sdk/client-s3 against a real cluster: metadata directives,
 * copies within and across buckets, onto itself, of multipart sources, copy-source conditions, the read
 * check on the source, part copies with ranges, and an older version restored by a copy onto its key.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";
import { shardFiles } from "../support/shard_files.ts";

const MIB = 1024 * 1024;

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return await got.Body!.transformToByteArray();
}

Deno.test("CopyObject and UploadPartCopy through real processes", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  for (const bucket of ["src", "dst"]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const big = randomBytes(2 * MIB + 12345);
  const small = new TextEncoder().encode("small object body");
  const { ETag: bigTag } = await s3.send(
    new PutObjectCommand({
      Bucket: "src",
      Key: "dir/big file.bin",
      Body: big,
      ContentType: "video/mp4",
      CacheControl: "max-age=60",
      Metadata: { origin: "camera" },
    }),
  );
  const { ETag: smallTag } = await s3.send(
    new PutObjectCommand({ Bucket: "src", Key: "small", Body: small }),
  );

  await t.step("COPY (the default) carries bytes, content type, stored headers and metadata", async () => {
    const copied = await s3.send(
      new CopyObjectCommand({ Bucket: "dst", Key: "copy.bin", CopySource: "src/dir/big%20file.bin" }),
    );
    assertEquals(copied.CopyObjectResult?.ETag, bigTag);
    assert(copied.CopyObjectResult?.LastModified instanceof Date);
    assertEquals(md5(await getBytes(s3, "dst", "copy.bin")), md5(big));
    const head = await s3.send(new HeadObjectCommand({ Bucket: "dst", Key: "copy.bin" }));
    assertEquals(head.ContentType, "video/mp4");
    assertEquals(head.CacheControl, "max-age=60");
    assertEquals(head.Metadata, { origin: "camera" });
    const inline = await s3.send(
      new CopyObjectCommand({ Bucket: "src", Key: "small-copy", CopySource: "/src/small" }),
    );
    assertEquals(inline.CopyObjectResult?.ETag, smallTag);
    assertEquals(new TextDecoder().decode(await getBytes(s3, "src", "small-copy")), "small object body");
  });

  await t.step("REPLACE takes content type and metadata from the request", async () => {
    await s3.send(
      new CopyObjectCommand({
        Bucket: "dst",
        Key: "replaced.bin",
        CopySource: "src/dir/big%20file.bin",
        MetadataDirective: "REPLACE",
        ContentType: "application/octet-stream",
        Metadata: { stage: "two" },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: "dst", Key: "replaced.bin" }));
    assertEquals(head.ContentType, "application/octet-stream");
    assertEquals(head.Metadata, { stage: "two" });
    assertEquals(head.CacheControl, undefined);
    assertEquals(head.ETag, bigTag);
  });

  await t.step("a copy onto itself needs REPLACE, and then rewrites no data", async () => {
    await assertRejectsS3(
      () =>
        s3.send(
          new CopyObjectCommand({
            Bucket: "src",
            Key: "dir/big file.bin",
            CopySource: "src/dir/big%20file.bin",
          }),
        ),
      "InvalidRequest",
      400,
    );
    const dirs = cluster.workerIds.map((id) => cluster.workerDir(id));
    const shardsBefore = (await shardFiles(dirs)).sort();
    await s3.send(
      new CopyObjectCommand({
        Bucket: "src",
        Key: "dir/big file.bin",
        CopySource: "src/dir/big%20file.bin",
        MetadataDirective: "REPLACE",
        ContentType: "video/webm",
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: "src", Key: "dir/big file.bin" }));
    assertEquals(head.ContentType, "video/webm");
    assertEquals(head.ETag, bigTag);
    assertEquals((await shardFiles(dirs)).sort(), shardsBefore);
    assertEquals(md5(await getBytes(s3, "src", "dir/big file.bin")), md5(big));
  });

  await t.step("copy-source conditions are checked before any byte moves", async () => {
    const copy = (conditions: Record<string, unknown>) =>
      s3.send(new CopyObjectCommand({ Bucket: "dst", Key: "cond", CopySource: "src/small", ...conditions }));
    await assertRejectsS3(() => copy({ CopySourceIfMatch: '"0000"' }), "PreconditionFailed", 412);
    await assertRejectsS3(() => copy({ CopySourceIfNoneMatch: smallTag }), "PreconditionFailed", 412);
    await assertRejectsS3(
      () => copy({ CopySourceIfUnmodifiedSince: new Date(Date.now() - 3_600_000) }),
      "PreconditionFailed",
      412,
    );
    await assertRejectsS3(
      () => copy({ CopySourceIfModifiedSince: new Date(Date.now() + 3_600_000) }),
      "PreconditionFailed",
      412,
    );
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "dst", Key: "cond" })),
      "NotFound",
      404,
    );
    // If-Match true beside If-Unmodified-Since false copies (S3's documented rule).
    await copy({
      CopySourceIfMatch: smallTag,
      CopySourceIfUnmodifiedSince: new Date(Date.now() - 3_600_000),
    });
    assertEquals(new TextDecoder().decode(await getBytes(s3, "dst", "cond")), "small object body");
  });

  await t.step("a missing source, a missing bucket or a malformed header change nothing", async () => {
    await assertRejectsS3(
      () => s3.send(new CopyObjectCommand({ Bucket: "dst", Key: "x", CopySource: "src/nope" })),
      "NoSuchKey",
      404,
    );
    await assertRejectsS3(
      () => s3.send(new CopyObjectCommand({ Bucket: "dst", Key: "x", CopySource: "nobucket/nope" })),
      "NoSuchBucket",
      404,
    );
    await assertRejectsS3(
      () => s3.send(new CopyObjectCommand({ Bucket: "dst", Key: "x", CopySource: "srconly" })),
      "InvalidArgument",
      400,
    );
    await assertRejectsS3(
      () =>
        s3.send(new CopyObjectCommand({ Bucket: "dst", Key: "x", CopySource: "src/small?versionId=abc" })),
      "InvalidArgument",
      400,
    );
    await assertRejectsS3(() => s3.send(new HeadObjectCommand({ Bucket: "dst", Key: "x" })), "NotFound", 404);
  });

  await t.step("the caller must be allowed to read the source", async () => {
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: "src",
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{
            Effect: "Deny",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::src/small",
          }],
        }),
      }),
    );
    await assertRejectsS3(
      () => s3.send(new CopyObjectCommand({ Bucket: "dst", Key: "denied", CopySource: "src/small" })),
      "AccessDenied",
      403,
    );
    // An anonymous writer of a public-read-write bucket still cannot copy a private object into it.
    await s3.send(new CreateBucketCommand({ Bucket: "open" }));
    await s3.send(new PutBucketAclCommand({ Bucket: "open", ACL: "public-read-write" }));
    const anonymous = await fetch(`${cluster.endpoint}/open/stolen`, {
      method: "PUT",
      headers: { "x-amz-copy-source": "/src/small-copy" },
    });
    assertEquals(anonymous.status, 403);
    await anonymous.body?.cancel();
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "open", Key: "stolen" })),
      "NotFound",
      404,
    );
  });

  await t.step("a multipart object copies whole, and UploadPartCopy assembles ranges", async () => {
    const source = randomBytes(6 * MIB + 777);
    const { UploadId: firstId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: "src", Key: "mp" }),
    );
    const p1 = await s3.send(
      new UploadPartCommand({
        Bucket: "src",
        Key: "mp",
        UploadId: firstId,
        PartNumber: 1,
        Body: source.slice(0, 5 * MIB),
      }),
    );
    const p2 = await s3.send(
      new UploadPartCommand({
        Bucket: "src",
        Key: "mp",
        UploadId: firstId,
        PartNumber: 2,
        Body: source.slice(5 * MIB),
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "src",
        Key: "mp",
        UploadId: firstId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
      }),
    );
    const whole = await s3.send(
      new CopyObjectCommand({ Bucket: "dst", Key: "mp-copy", CopySource: "src/mp" }),
    );
    assertEquals(whole.CopyObjectResult?.ETag, `"${md5(source)}"`);
    assertEquals(md5(await getBytes(s3, "dst", "mp-copy")), md5(source));

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "dst", Key: "assembled" }));
    const copyPart = (PartNumber: number, CopySourceRange?: string) =>
      s3.send(
        new UploadPartCopyCommand({
          Bucket: "dst",
          Key: "assembled",
          UploadId,
          PartNumber,
          CopySource: "src/mp",
          CopySourceRange,
        }),
      );
    await assertRejectsS3(() => copyPart(1, "bytes=10-5"), "InvalidArgument", 400);
    await assertRejectsS3(() => copyPart(1, `bytes=0-${source.length}`), "InvalidRange", 416);
    const first = await copyPart(1, `bytes=0-${5 * MIB - 1}`);
    const second = await copyPart(2, `bytes=${5 * MIB}-${source.length - 1}`);
    assertEquals(first.CopyPartResult?.ETag, `"${md5(source.slice(0, 5 * MIB))}"`);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "dst",
        Key: "assembled",
        UploadId,
        MultipartUpload: {
          Parts: [{ PartNumber: 1, ETag: first.CopyPartResult?.ETag }, {
            PartNumber: 2,
            ETag: second.CopyPartResult?.ETag,
          }],
        },
      }),
    );
    assertEquals(md5(await getBytes(s3, "dst", "assembled")), md5(source));
  });

  await t.step("an older version copied onto its own key restores it as a new version", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "hist" }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: "hist", VersioningConfiguration: { Status: "Enabled" } }),
    );
    const v1 = await s3.send(new PutObjectCommand({ Bucket: "hist", Key: "doc", Body: "version one" }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: "hist", Key: "doc", Body: "version two" }));
    // Naming the current version is still a copy onto itself.
    await assertRejectsS3(
      () =>
        s3.send(
          new CopyObjectCommand({
            Bucket: "hist",
            Key: "doc",
            CopySource: `hist/doc?versionId=${v2.VersionId}`,
          }),
        ),
      "InvalidRequest",
      400,
    );
    const restored = await s3.send(
      new CopyObjectCommand({ Bucket: "hist", Key: "doc", CopySource: `hist/doc?versionId=${v1.VersionId}` }),
    );
    assertEquals(restored.CopySourceVersionId, v1.VersionId);
    assertEquals(restored.CopyObjectResult?.ETag, v1.ETag);
    assert(restored.VersionId !== undefined && ![v1.VersionId, v2.VersionId].includes(restored.VersionId));
    assertEquals(new TextDecoder().decode(await getBytes(s3, "hist", "doc")), "version one");
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: "hist", Prefix: "doc" }));
    assertEquals(listed.Versions?.map((version) => [version.VersionId, version.IsLatest]), [
      [restored.VersionId, true],
      [v2.VersionId, false],
      [v1.VersionId, false],
    ]);
    // Under a delete marker there is no current version: restoring needs no directive either.
    await s3.send(new DeleteObjectCommand({ Bucket: "hist", Key: "doc" }));
    await s3.send(
      new CopyObjectCommand({ Bucket: "hist", Key: "doc", CopySource: `hist/doc?versionId=${v2.VersionId}` }),
    );
    assertEquals(new TextDecoder().decode(await getBytes(s3, "hist", "doc")), "version two");
  });
  s3.destroy();
});
