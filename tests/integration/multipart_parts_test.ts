/**
 * Multipart parts through @aws-sdk/client-s3 against a real cluster: a part uploaded again replaces the
 * first; UploadPartCopy computes the part checksum of an upload that names an algorithm, checks the
 * source's conditions and the caller's right to read it; an upload of more parts than one composite-manifest
 * page (300) reads back whole, by part and by a range across the page boundary; Abort and Complete leave no
 * `["upload_epoch", uploadId]` key behind.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  type GetObjectCommandInput,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { KvMetaStore, metaKeys } from "../../storage/mod.ts";
import { TestCluster } from "../support/cluster.ts";
import { signedFetch } from "../support/signed_fetch.ts";
import { assert, assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";

const MIB = 1024 * 1024;
const PART_BYTES = 5 * MIB;

function md5(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

function crc32Base64(bytes: Uint8Array): string {
  const value = crc32(bytes) >>> 0;
  return Buffer.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff])
    .toString("base64");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

async function getBytes(s3: S3Client, input: GetObjectCommandInput): Promise<Uint8Array> {
  const got = await s3.send(new GetObjectCommand(input));
  return await got.Body!.transformToByteArray();
}

/** Every `["upload_epoch", …]` key in the gateway's metadata file (the gateway must be stopped). */
async function uploadEpochKeys(cluster: TestCluster): Promise<unknown[][]> {
  const store = await KvMetaStore.open(`${cluster.gatewayDir}/metadata.kv`);
  try {
    const keys: unknown[][] = [];
    const prefix = metaKeys.uploadEpoch("x").slice(0, 1);
    for await (const entry of store.list({ prefix }, { limit: 1000 })) keys.push([...entry.key]);
    return keys;
  } finally {
    store.close();
  }
}

Deno.test("multipart parts: replacement, part copies, and no counter left behind", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "parts" }));
  const source = randomBytes(PART_BYTES + 4321);
  const { ETag: sourceTag } = await s3.send(
    new PutObjectCommand({ Bucket: "parts", Key: "source", Body: source }),
  );

  await t.step("a part uploaded again replaces the first, in ListParts and in the object", async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "parts", Key: "again" }));
    const upload = (PartNumber: number, Body: Uint8Array) =>
      s3.send(new UploadPartCommand({ Bucket: "parts", Key: "again", UploadId, PartNumber, Body }));
    const first = randomBytes(PART_BYTES);
    const second = randomBytes(PART_BYTES);
    const tail = randomBytes(1000);
    const { ETag: firstTag } = await upload(1, first);
    const { ETag: tailTag } = await upload(2, tail);
    const { ETag: secondTag } = await upload(1, second);
    assertEquals([firstTag, secondTag], [`"${md5(first)}"`, `"${md5(second)}"`]);
    const listed = await s3.send(new ListPartsCommand({ Bucket: "parts", Key: "again", UploadId }));
    assertEquals(listed.Parts?.map((part) => [part.PartNumber, part.ETag, part.Size]), [
      [1, secondTag, PART_BYTES],
      [2, tailTag, 1000],
    ]);
    const complete = (etag: string | undefined) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "parts",
          Key: "again",
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag }, { PartNumber: 2, ETag: tailTag }] },
        }),
      );
    await assertRejectsS3(() => complete(firstTag), "InvalidPart", 400);
    await complete(secondTag);
    const got = await getBytes(s3, { Bucket: "parts", Key: "again" });
    assertEquals(got.length, PART_BYTES + 1000);
    assert(sameBytes(got.subarray(0, PART_BYTES), second), "part 1 holds the second upload's bytes");
    assert(sameBytes(got.subarray(PART_BYTES), tail), "part 2 follows");
  });

  await t.step("UploadPartCopy into an upload with CRC32 gets the copied bytes' checksum", async () => {
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: "parts", Key: "summed", ChecksumAlgorithm: "CRC32" }),
    );
    const copied = await s3.send(
      new UploadPartCopyCommand({
        Bucket: "parts",
        Key: "summed",
        UploadId,
        PartNumber: 1,
        CopySource: "parts/source",
        CopySourceRange: `bytes=0-${PART_BYTES - 1}`,
      }),
    );
    const head = source.subarray(0, PART_BYTES);
    assertEquals(copied.CopyPartResult?.ETag, `"${md5(head)}"`);
    assertEquals(copied.CopyPartResult?.ChecksumCRC32, crc32Base64(head));
    const tail = randomBytes(2000);
    const uploaded = await s3.send(
      new UploadPartCommand({
        Bucket: "parts",
        Key: "summed",
        UploadId,
        PartNumber: 2,
        Body: tail,
        ChecksumAlgorithm: "CRC32",
      }),
    );
    const listed = await s3.send(new ListPartsCommand({ Bucket: "parts", Key: "summed", UploadId }));
    assertEquals(listed.ChecksumAlgorithm, "CRC32");
    assertEquals(listed.Parts?.map((part) => [part.PartNumber, part.ChecksumCRC32]), [
      [1, crc32Base64(head)],
      [2, crc32Base64(tail)],
    ]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "parts",
        Key: "summed",
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: copied.CopyPartResult?.ETag, ChecksumCRC32: crc32Base64(head) },
            { PartNumber: 2, ETag: uploaded.ETag, ChecksumCRC32: uploaded.ChecksumCRC32 },
          ],
        },
      }),
    );
    assertEquals(done.ChecksumType, "COMPOSITE");
    assert(done.ChecksumCRC32?.endsWith("-2"), `a composite checksum of 2 parts, got ${done.ChecksumCRC32}`);
    const got = await getBytes(s3, { Bucket: "parts", Key: "summed" });
    assert(sameBytes(got, Buffer.concat([head, tail])), "the object is the copied range and the part");
  });

  await t.step("UploadPartCopy with a failing copy-source condition is 412 and stores no part", async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "parts", Key: "cond" }));
    const copy = (conditions: Record<string, unknown>) =>
      s3.send(
        new UploadPartCopyCommand({
          Bucket: "parts",
          Key: "cond",
          UploadId,
          PartNumber: 1,
          CopySource: "parts/source",
          ...conditions,
        }),
      );
    await assertRejectsS3(() => copy({ CopySourceIfMatch: '"0123456789abcdef"' }), "PreconditionFailed", 412);
    await assertRejectsS3(() => copy({ CopySourceIfNoneMatch: sourceTag }), "PreconditionFailed", 412);
    await assertRejectsS3(
      () => copy({ CopySourceIfModifiedSince: new Date(Date.now() + 3_600_000) }),
      "PreconditionFailed",
      412,
    );
    const listed = await s3.send(new ListPartsCommand({ Bucket: "parts", Key: "cond", UploadId }));
    assertEquals(listed.Parts ?? [], []);
    const copied = await copy({ CopySourceIfMatch: sourceTag });
    assertEquals(copied.CopyPartResult?.ETag, sourceTag);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: "parts", Key: "cond", UploadId }));
  });

  await t.step("UploadPartCopy from a source the caller may not read is AccessDenied", async () => {
    const created = await cluster.admin("create-key", "--user", "alice");
    assertEquals(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { accessKeyId: string; secretKey: string };
    const alice = new S3Client({
      endpoint: cluster.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey },
      maxAttempts: 1,
    });
    try {
      await alice.send(new CreateBucketCommand({ Bucket: "alice-parts" }));
      const { UploadId } = await alice.send(
        new CreateMultipartUploadCommand({ Bucket: "alice-parts", Key: "stolen" }),
      );
      await assertRejectsS3(
        () =>
          alice.send(
            new UploadPartCopyCommand({
              Bucket: "alice-parts",
              Key: "stolen",
              UploadId,
              PartNumber: 1,
              CopySource: "parts/source",
            }),
          ),
        "AccessDenied",
        403,
      );
      const listed = await alice.send(
        new ListPartsCommand({ Bucket: "alice-parts", Key: "stolen", UploadId }),
      );
      assertEquals(listed.Parts ?? [], []);
      await alice.send(new AbortMultipartUploadCommand({ Bucket: "alice-parts", Key: "stolen", UploadId }));
    } finally {
      alice.destroy();
    }
  });

  await t.step("Abort and Complete delete the upload's part counter in their commit", async () => {
    for (const key of ["aborted", "completed"]) {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "parts", Key: key }));
      const part = await s3.send(
        new UploadPartCommand({ Bucket: "parts", Key: key, UploadId, PartNumber: 1, Body: randomBytes(100) }),
      );
      if (key === "aborted") {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: "parts", Key: key, UploadId }));
      } else {
        await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: "parts",
            Key: key,
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          }),
        );
      }
    }
    s3.destroy();
    // Every upload of this test has been completed or aborted: no counter may remain.
    await cluster.stopGateway();
    assertEquals(await uploadEpochKeys(cluster), []);
  });
});

/** 301 parts: part n is 5 MiB of `source` from (n - 1) × STEP on, so every part differs; the last is short. */
const PAGE_PARTS = 300;
const PART_COUNT = PAGE_PARTS + 1;
const STEP = 4096;
const LAST_PART_BYTES = MIB + 7;

function partSize(partNumber: number): number {
  return partNumber === PART_COUNT ? LAST_PART_BYTES : PART_BYTES;
}

Deno.test("an upload of more parts than one manifest page reads back whole, by part and across pages", async (t) => {
  // 1.5 GB go through the erasure coder: a narrower code on three workers keeps that quick.
  await using cluster = await TestCluster.start({
    zones: 3,
    workersPerZone: 1,
    gatewayEnv: { OBJSTORE_DATA_SHARDS: "2", OBJSTORE_PARITY_SHARDS: "1" },
  });
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "pages" }));
  // Under the edge tier's 8 MiB object limit: every part copy reads it from gateway memory.
  const source = randomBytes(PART_BYTES + (PART_COUNT - 1) * STEP);
  await s3.send(new PutObjectCommand({ Bucket: "pages", Key: "source", Body: source }));
  const partBytes = (partNumber: number) =>
    source.subarray((partNumber - 1) * STEP, (partNumber - 1) * STEP + partSize(partNumber));
  const totalBytes = PAGE_PARTS * PART_BYTES + LAST_PART_BYTES;
  /** True when `bytes` are the object's bytes from `offset` on (compared part piece by part piece). */
  const matches = (offset: number, bytes: Uint8Array) => {
    for (let done = 0; done < bytes.length;) {
      const at = offset + done;
      const partNumber = Math.floor(at / PART_BYTES) + 1;
      const inner = at - (partNumber - 1) * PART_BYTES;
      const piece = partBytes(partNumber).subarray(inner, inner + bytes.length - done);
      if (piece.length === 0 || !sameBytes(bytes.subarray(done, done + piece.length), piece)) return false;
      done += piece.length;
    }
    return true;
  };

  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "pages", Key: "big" }));
  const etags: string[] = new Array(PART_COUNT);
  await t.step("301 parts by UploadPartCopy (no client bytes move)", async () => {
    let next = 1;
    const copier = async () => {
      while (next <= PART_COUNT) {
        const partNumber = next++;
        const start = (partNumber - 1) * STEP;
        const copied = await s3.send(
          new UploadPartCopyCommand({
            Bucket: "pages",
            Key: "big",
            UploadId,
            PartNumber: partNumber,
            CopySource: "pages/source",
            CopySourceRange: `bytes=${start}-${start + partSize(partNumber) - 1}`,
          }),
        );
        etags[partNumber - 1] = copied.CopyPartResult!.ETag!;
      }
    };
    await Promise.all(Array.from({ length: 4 }, copier));
    for (const partNumber of [1, PAGE_PARTS, PART_COUNT]) {
      assertEquals(etags[partNumber - 1], `"${md5(partBytes(partNumber))}"`);
    }
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: "pages", Key: "big", UploadId, PartNumberMarker: "299", MaxParts: 5 }),
    );
    assertEquals(listed.Parts?.map((part) => [part.PartNumber, part.Size]), [
      [PAGE_PARTS, PART_BYTES],
      [PART_COUNT, LAST_PART_BYTES],
    ]);
    assertEquals(listed.IsTruncated, false);
  });

  await t.step("Complete makes one object of them, with the composite ETag", async () => {
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "pages",
        Key: "big",
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ PartNumber: index + 1, ETag })) },
      }),
    );
    const md5OfMd5s = createHash("md5");
    for (const etag of etags) md5OfMd5s.update(Buffer.from(etag.replaceAll('"', ""), "hex"));
    assertEquals(done.ETag, `"${md5OfMd5s.digest("hex")}-${PART_COUNT}"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "pages", Key: "big" }));
    assertEquals([head.ContentLength, head.ETag], [totalBytes, done.ETag]);
  });

  await t.step("ranges across the page boundary, and the parts on either side of it", async () => {
    const boundary = PAGE_PARTS * PART_BYTES;
    for (const [start, end] of [[boundary - 70_000, boundary + 70_000], [boundary - 1, boundary]]) {
      const got = await getBytes(s3, { Bucket: "pages", Key: "big", Range: `bytes=${start}-${end}` });
      assertEquals(got.length, end - start + 1);
      assert(matches(start, got), `bytes ${start}-${end}`);
    }
    // A suffix range lies wholly in the second page; a range across parts 1 and 2 wholly in the first.
    const suffix = await getBytes(s3, { Bucket: "pages", Key: "big", Range: "bytes=-1000" });
    assertEquals(suffix.length, 1000);
    assert(matches(totalBytes - 1000, suffix), "the last 1000 bytes");
    const early = await getBytes(s3, {
      Bucket: "pages",
      Key: "big",
      Range: `bytes=${PART_BYTES - 5}-${PART_BYTES + 4}`,
    });
    assertEquals(early.length, 10);
    assert(matches(PART_BYTES - 5, early), "across parts 1 and 2");
    for (const partNumber of [PAGE_PARTS, PART_COUNT]) {
      const part = await s3.send(
        new GetObjectCommand({ Bucket: "pages", Key: "big", PartNumber: partNumber }),
      );
      assertEquals(part.PartsCount, PART_COUNT);
      const bytes = await part.Body!.transformToByteArray();
      assert(sameBytes(bytes, partBytes(partNumber)), `part ${partNumber}`);
    }
  });

  await t.step("a whole GET streams every part in order", async () => {
    // Deno's fetch rather than the SDK's Node stream: 1.5 GB come back quicker.
    const got = await signedFetch(`${cluster.endpoint}/pages/big`, { method: "GET" });
    assertEquals(got.status, 200);
    assertEquals(got.headers.get("content-length"), String(totalBytes));
    let offset = 0;
    for await (const chunk of got.body!) {
      if (!matches(offset, chunk)) throw new Error(`The ${chunk.length} bytes at ${offset} differ`);
      offset += chunk.length;
    }
    assertEquals(offset, totalBytes);
  });
  s3.destroy();
});
