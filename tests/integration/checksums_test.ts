/**
 * Flexible checksums through @aws-sdk/client-s3 against a real cluster: each algorithm verified on upload,
 * stored and returned with `x-amz-checksum-mode: ENABLED` (the SDK then checks the bytes it reads against
 * it), multipart COMPOSITE and FULL_OBJECT checksums (parts computed by the server when sent without one),
 * and GetObjectAttributes. Expected values are computed here with node:crypto and node:zlib.
 */
import {
  type ChecksumAlgorithm,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { TestCluster } from "../support/cluster.ts";
import { signedFetch } from "../support/signed_fetch.ts";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";

const MIB = 1024 * 1024;

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function crc32Base64(bytes: Uint8Array): string {
  const value = crc32(bytes) >>> 0;
  return base64(Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff));
}

Deno.test("flexible checksums are verified, stored and returned", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "sums" }));

  await t.step(
    "each algorithm on PutObject comes back with checksum mode, and the SDK checks the bytes",
    async () => {
      const body = randomBytes(300_000);
      const algorithms: ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];
      for (const algorithm of algorithms) {
        const key = `put-${algorithm}`;
        const put = await s3.send(
          new PutObjectCommand({ Bucket: "sums", Key: key, Body: body, ChecksumAlgorithm: algorithm }),
        );
        const field = `Checksum${algorithm}` as const;
        const sent = put[field];
        assert(typeof sent === "string" && sent.length > 0, `${algorithm}: PutObject answers the checksum`);
        const head = await s3.send(
          new HeadObjectCommand({ Bucket: "sums", Key: key, ChecksumMode: "ENABLED" }),
        );
        assertEquals([head[field], head.ChecksumType], [sent, "FULL_OBJECT"], algorithm);
        const got = await s3.send(
          new GetObjectCommand({ Bucket: "sums", Key: key, ChecksumMode: "ENABLED" }),
        );
        assertEquals(got[field], sent, algorithm);
        assertEquals((await got.Body!.transformToByteArray()).length, body.length);
        const plain = await s3.send(new HeadObjectCommand({ Bucket: "sums", Key: key }));
        assertEquals(plain[field], undefined, `${algorithm}: not shown without checksum mode`);
      }
      const sha256 = createHash("sha256").update(body).digest("base64");
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: "sums", Key: "put-SHA256", ChecksumMode: "ENABLED" }),
      );
      assertEquals(head.ChecksumSHA256, sha256);
      const crc = await s3.send(
        new HeadObjectCommand({ Bucket: "sums", Key: "put-CRC32", ChecksumMode: "ENABLED" }),
      );
      assertEquals(crc.ChecksumCRC32, crc32Base64(body));
    },
  );

  await t.step("a wrong checksum stores nothing", async () => {
    await assertRejectsS3(
      () =>
        s3.send(
          new PutObjectCommand({
            Bucket: "sums",
            Key: "bad",
            Body: "abc",
            ChecksumSHA256: base64(new Uint8Array(32)),
          }),
        ),
      "BadDigest",
      400,
    );
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "sums", Key: "bad" })),
      "NotFound",
      404,
    );
  });

  const parts = [randomBytes(5 * MIB), randomBytes(MIB + 17)];

  await t.step(
    "a COMPOSITE SHA-256 multipart checksum is the checksum of the part checksums, -N",
    async () => {
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: "sums", Key: "composite", ChecksumAlgorithm: "SHA256" }),
      );
      const uploaded: CompletedPart[] = [];
      for (const [index, bytes] of parts.entries()) {
        const part = await s3.send(
          new UploadPartCommand({
            Bucket: "sums",
            Key: "composite",
            UploadId,
            PartNumber: index + 1,
            Body: bytes,
            ChecksumAlgorithm: "SHA256",
          }),
        );
        assertEquals(part.ChecksumSHA256, createHash("sha256").update(bytes).digest("base64"));
        uploaded.push({ PartNumber: index + 1, ETag: part.ETag, ChecksumSHA256: part.ChecksumSHA256 });
      }
      const listed = await s3.send(new ListPartsCommand({ Bucket: "sums", Key: "composite", UploadId }));
      assertEquals(
        listed.Parts?.map((part) => part.ChecksumSHA256),
        uploaded.map((part) => part.ChecksumSHA256),
      );
      await assertRejectsS3(
        () =>
          s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: "sums",
              Key: "composite",
              UploadId,
              MultipartUpload: {
                Parts: [uploaded[0], { ...uploaded[1], ChecksumSHA256: uploaded[0].ChecksumSHA256 }],
              },
            }),
          ),
        "InvalidPart",
        400,
      );
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "sums",
          Key: "composite",
          UploadId,
          MultipartUpload: { Parts: uploaded },
        }),
      );
      const digests = parts.map((bytes) => createHash("sha256").update(bytes).digest());
      const expected = `${createHash("sha256").update(Buffer.concat(digests)).digest("base64")}-2`;
      assertEquals([done.ChecksumSHA256, done.ChecksumType], [expected, "COMPOSITE"]);
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: "sums", Key: "composite", ChecksumMode: "ENABLED" }),
      );
      assertEquals([head.ChecksumSHA256, head.ChecksumType], [expected, "COMPOSITE"]);
    },
  );

  await t.step(
    "a FULL_OBJECT CRC32 multipart checksum is the CRC of every byte, even for parts sent without one",
    async () => {
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket: "sums",
          Key: "full",
          ChecksumAlgorithm: "CRC32",
          ChecksumType: "FULL_OBJECT",
        }),
      );
      const uploaded: CompletedPart[] = [];
      for (const [index, bytes] of parts.entries()) {
        // Raw signed requests without any checksum header: the server computes the part's CRC32.
        const response = await signedFetch(
          `${cluster.endpoint}/sums/full?partNumber=${index + 1}&uploadId=${UploadId}`,
          {
            method: "PUT",
            body: bytes,
          },
        );
        await response.body?.cancel();
        assertEquals(response.status, 200);
        assertEquals(response.headers.get("x-amz-checksum-crc32"), crc32Base64(bytes));
        uploaded.push({ PartNumber: index + 1, ETag: response.headers.get("etag")! });
      }
      await assertRejectsS3(
        () =>
          s3.send(
            new UploadPartCommand({
              Bucket: "sums",
              Key: "full",
              UploadId,
              PartNumber: 3,
              Body: "x",
              ChecksumAlgorithm: "SHA1",
            }),
          ),
        "InvalidRequest",
        400,
      );
      const whole = Buffer.concat(parts);
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "sums",
          Key: "full",
          UploadId,
          MultipartUpload: { Parts: uploaded },
        }),
      );
      assertEquals([done.ChecksumCRC32, done.ChecksumType], [crc32Base64(whole), "FULL_OBJECT"]);
      const got = await s3.send(
        new GetObjectCommand({ Bucket: "sums", Key: "full", ChecksumMode: "ENABLED" }),
      );
      assertEquals(got.ChecksumCRC32, crc32Base64(whole));
      assertEquals((await got.Body!.transformToByteArray()).length, whole.length);
    },
  );

  await t.step("GetObjectAttributes reports ETag, checksum, size, storage class and parts", async () => {
    const attributes = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: "sums",
        Key: "composite",
        ObjectAttributes: ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"],
      }),
    );
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: "sums", Key: "composite", ChecksumMode: "ENABLED" }),
    );
    assertEquals(attributes.ETag, head.ETag?.replaceAll('"', ""));
    assertEquals(attributes.ObjectSize, parts[0].length + parts[1].length);
    assertEquals(attributes.StorageClass, "STANDARD");
    assertEquals([attributes.Checksum?.ChecksumSHA256, attributes.Checksum?.ChecksumType], [
      head.ChecksumSHA256,
      "COMPOSITE",
    ]);
    assertEquals(attributes.ObjectParts?.TotalPartsCount, 2);
    assertEquals(
      attributes.ObjectParts?.Parts?.map((part) => [part.PartNumber, part.Size, part.ChecksumSHA256]),
      parts.map((
        bytes,
        index,
      ) => [index + 1, bytes.length, createHash("sha256").update(bytes).digest("base64")]),
    );
    const paged = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: "sums",
        Key: "composite",
        ObjectAttributes: ["ObjectParts"],
        MaxParts: 1,
      }),
    );
    assertEquals([
      paged.ObjectParts?.IsTruncated,
      paged.ObjectParts?.NextPartNumberMarker,
      paged.ObjectParts?.Parts?.length,
    ], [true, "1", 1]);
    const single = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: "sums",
        Key: "put-CRC32",
        ObjectAttributes: ["Checksum", "ObjectSize"],
      }),
    );
    assertEquals([single.Checksum?.ChecksumCRC32, single.ObjectSize, single.ObjectParts], [
      (await s3.send(new HeadObjectCommand({ Bucket: "sums", Key: "put-CRC32", ChecksumMode: "ENABLED" })))
        .ChecksumCRC32,
      300_000,
      undefined,
    ]);
    await assertRejectsS3(
      () =>
        s3.send(new GetObjectAttributesCommand({ Bucket: "sums", Key: "nope", ObjectAttributes: ["ETag"] })),
      "NoSuchKey",
      404,
    );
  });
  s3.destroy();
});
