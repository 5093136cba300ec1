/**
 * S3 operations through the real AWS SDK v3 against a real cluster (9 worker processes, one gateway,
 * a Deno KV file): buckets, objects of many sizes, metadata round trips, listings, multipart basics
 * and the errors bad input gets.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { assertEquals, assertRejectsS3, randomBytes } from "../support/asserts.ts";

Deno.test("S3 operations through @aws-sdk/client-s3 against a real cluster", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();

  await t.step("CreateBucket then ListBuckets shows it with owner id and display name", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "alpha" }));
    const listed = await s3.send(new ListBucketsCommand({}));
    assertEquals(listed.Buckets?.map((b) => b.Name), ["alpha"]);
    assertEquals(listed.Owner?.ID?.length, 64);
    assertEquals(listed.Owner?.DisplayName, "root");
  });

  await t.step("CreateBucket of an existing own bucket is BucketAlreadyOwnedByYou", async () => {
    await assertRejectsS3(
      () => s3.send(new CreateBucketCommand({ Bucket: "alpha" })),
      "BucketAlreadyOwnedByYou",
      409,
    );
  });

  await t.step("CreateBucket rejects invalid names and a foreign LocationConstraint", async () => {
    for (const name of ["ab", "Upper", "a..b", "192.168.1.1", "-dash", "xn--idn", "ends-s3alias"]) {
      await assertRejectsS3(
        () => s3.send(new CreateBucketCommand({ Bucket: name })),
        "InvalidBucketName",
        400,
      );
    }
    await assertRejectsS3(
      () =>
        s3.send(
          new CreateBucketCommand({
            Bucket: "beta",
            CreateBucketConfiguration: { LocationConstraint: "eu-west-1" },
          }),
        ),
      "IllegalLocationConstraintException",
      400,
    );
    const listed = await s3.send(new ListBucketsCommand({}));
    assertEquals(listed.Buckets?.map((b) => b.Name), ["alpha"]);
  });

  await t.step("HeadBucket and GetBucketLocation answer for existing buckets only", async () => {
    await s3.send(new HeadBucketCommand({ Bucket: "alpha" }));
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: "alpha" }));
    assertEquals(location.LocationConstraint ?? "", "");
    await assertRejectsS3(
      () => s3.send(new HeadBucketCommand({ Bucket: "missing-bucket" })),
      "NotFound",
      404,
    );
  });

  await t.step("objects of 0 B to a stripe plus one byte round trip byte-identical", async () => {
    const stripe = 6 * 1024 * 1024;
    for (const size of [0, 1, 4096, 65_536, 65_537, 1_000_003, stripe, stripe + 1]) {
      const body = randomBytes(size);
      const put = await s3.send(new PutObjectCommand({ Bucket: "alpha", Key: `sizes/${size}`, Body: body }));
      assertEquals(put.ETag, `"${md5Hex(body)}"`);
      const got = await getBytes(s3, "alpha", `sizes/${size}`);
      assertEquals(got.length, size);
      assertEquals(md5Hex(got), md5Hex(body), `object of ${size} bytes`);
    }
  });

  await t.step("Content-Type, user metadata, Cache-Control and ETag round trip on GET and HEAD", async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: "alpha",
        Key: "meta.txt",
        Body: "hello",
        ContentType: "text/plain; charset=utf-8",
        CacheControl: "max-age=60",
        Metadata: { colour: "blue", "multi-word": "a b c" },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: "alpha", Key: "meta.txt" }));
    assertEquals(head.ContentType, "text/plain; charset=utf-8");
    assertEquals(head.ContentLength, 5);
    assertEquals(head.CacheControl, "max-age=60");
    assertEquals(head.Metadata, { colour: "blue", "multi-word": "a b c" });
    assertEquals(head.ETag, `"${md5Hex(new TextEncoder().encode("hello"))}"`);
    const get = await s3.send(new GetObjectCommand({ Bucket: "alpha", Key: "meta.txt" }));
    assertEquals(await get.Body?.transformToString(), "hello");
    assertEquals(get.Metadata?.colour, "blue");
    assertEquals(get.LastModified instanceof Date, true);
  });

  await t.step("hostile keys round trip: unicode, 4-byte UTF-8, control characters, 1024 bytes", async () => {
    const keys = ["a b+c~d=e&f?g#h", "ünïcødé/日本語/😀", "dot/../seg", "ctrl\u0001\u007f", "k".repeat(1024)];
    for (const key of keys) {
      await s3.send(new PutObjectCommand({ Bucket: "alpha", Key: key, Body: key }));
      assertEquals(
        await (await s3.send(new GetObjectCommand({ Bucket: "alpha", Key: key }))).Body?.transformToString(),
        key,
      );
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "alpha", Prefix: "ctrl" }));
    assertEquals(listed.Contents?.map((o) => o.Key), ["ctrl\u0001\u007f"]);
    const unicode = await s3.send(new ListObjectsV2Command({ Bucket: "alpha", Prefix: "ünï" }));
    assertEquals(unicode.Contents?.map((o) => o.Key), ["ünïcødé/日本語/😀"]);
    await assertRejectsS3(
      () => s3.send(new PutObjectCommand({ Bucket: "alpha", Key: "k".repeat(1025), Body: "x" })),
      "KeyTooLongError",
      400,
    );
  });

  await t.step("GetObject with a Range returns 206 and only those bytes", async () => {
    const body = randomBytes(7 * 1024 * 1024 + 5);
    await s3.send(new PutObjectCommand({ Bucket: "alpha", Key: "ranged", Body: body }));
    const cases: [string, number, number][] = [
      ["bytes=0-0", 0, 0],
      ["bytes=6291455-6291457", 6291455, 6291457],
      ["bytes=-10", body.length - 10, body.length - 1],
      ["bytes=7000000-", 7000000, body.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const got = await s3.send(new GetObjectCommand({ Bucket: "alpha", Key: "ranged", Range: range }));
      assertEquals(got.ContentRange, `bytes ${start}-${end}/${body.length}`);
      const bytes = await got.Body!.transformToByteArray();
      assertEquals(md5Hex(bytes), md5Hex(body.subarray(start, end + 1)), range);
    }
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "alpha", Key: "ranged", Range: `bytes=${body.length}-` })),
      "InvalidRange",
      416,
    );
  });

  await t.step("missing keys and buckets get NoSuchKey and NoSuchBucket", async () => {
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "alpha", Key: "nope" })),
      "NoSuchKey",
      404,
    );
    await assertRejectsS3(
      () => s3.send(new GetObjectCommand({ Bucket: "nobucket", Key: "x" })),
      "NoSuchBucket",
      404,
    );
    await assertRejectsS3(
      () => s3.send(new PutObjectCommand({ Bucket: "nobucket", Key: "x", Body: "x" })),
      "NoSuchBucket",
      404,
    );
  });

  await t.step("DeleteObject removes the object and is idempotent", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "alpha", Key: "to-delete", Body: randomBytes(200_000) }));
    await s3.send(new DeleteObjectCommand({ Bucket: "alpha", Key: "to-delete" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "alpha", Key: "to-delete" }));
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "alpha", Key: "to-delete" })),
      "NotFound",
      404,
    );
  });

  await t.step("overwriting a key replaces its bytes and ETag", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "alpha", Key: "over", Body: randomBytes(300_000) }));
    const second = randomBytes(100);
    await s3.send(new PutObjectCommand({ Bucket: "alpha", Key: "over", Body: second }));
    assertEquals(md5Hex(await getBytes(s3, "alpha", "over")), md5Hex(second));
  });

  await t.step(
    "listing stays correct past 1000 keys with V2 continuation tokens and V1 markers",
    async () => {
      await s3.send(new CreateBucketCommand({ Bucket: "many" }));
      const keys: string[] = [];
      for (let i = 0; i < 1100; i++) keys.push(`k/${String(i).padStart(5, "0")}`);
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(
          keys.slice(i, i + 50).map((key) =>
            s3.send(new PutObjectCommand({ Bucket: "many", Key: key, Body: new Uint8Array(0) }))
          ),
        );
      }
      const seenV2: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: "many", ContinuationToken: token, MaxKeys: 400 }),
        );
        seenV2.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      assertEquals(seenV2, keys);
      const seenV1: string[] = [];
      let marker: string | undefined;
      while (true) {
        const page = await s3.send(new ListObjectsCommand({ Bucket: "many", Marker: marker }));
        seenV1.push(...(page.Contents ?? []).map((o) => o.Key!));
        if (!page.IsTruncated) break;
        marker = page.NextMarker ?? page.Contents!.at(-1)!.Key;
      }
      assertEquals(seenV1, keys);
    },
  );

  await t.step("prefix, delimiter, start-after and encoding-type=url shape the listing", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "tree" }));
    for (const key of ["a/1", "a/2", "a/b/3", "b/4", "c", "d e/5"]) {
      await s3.send(new PutObjectCommand({ Bucket: "tree", Key: key, Body: new Uint8Array(0) }));
    }
    const top = await s3.send(new ListObjectsV2Command({ Bucket: "tree", Delimiter: "/" }));
    assertEquals(top.CommonPrefixes?.map((p) => p.Prefix), ["a/", "b/", "d e/"]);
    assertEquals(top.Contents?.map((o) => o.Key), ["c"]);
    assertEquals(top.KeyCount, 4);
    const inA = await s3.send(new ListObjectsV2Command({ Bucket: "tree", Prefix: "a/", Delimiter: "/" }));
    assertEquals(inA.Contents?.map((o) => o.Key), ["a/1", "a/2"]);
    assertEquals(inA.CommonPrefixes?.map((p) => p.Prefix), ["a/b/"]);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: "tree", StartAfter: "a/2" }));
    assertEquals(after.Contents?.map((o) => o.Key), ["a/b/3", "b/4", "c", "d e/5"]);
    const paged = await s3.send(new ListObjectsV2Command({ Bucket: "tree", Delimiter: "/", MaxKeys: 1 }));
    assertEquals(paged.CommonPrefixes?.map((p) => p.Prefix), ["a/"]);
    const next = await s3.send(
      new ListObjectsV2Command({
        Bucket: "tree",
        Delimiter: "/",
        MaxKeys: 10,
        ContinuationToken: paged.NextContinuationToken,
      }),
    );
    assertEquals(next.CommonPrefixes?.map((p) => p.Prefix), ["b/", "d e/"]);
    const encoded = await fetchListing(cluster, s3, "tree", "encoding-type=url&prefix=d%20");
    assertEquals(encoded.includes("<Key>d+e/5</Key>"), true, encoded);
    await assertRejectsS3(
      () => s3.send(new ListObjectsV2Command({ Bucket: "tree", ContinuationToken: "!!" })),
      "InvalidArgument",
      400,
    );
  });

  await t.step("multipart upload: parts stream through the coder and complete into one object", async () => {
    const part1 = randomBytes(5 * 1024 * 1024);
    const part2 = randomBytes(1234);
    const created = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: "alpha", Key: "mp", ContentType: "video/mp4" }),
    );
    const uploadId = created.UploadId!;
    const e1 = await s3.send(
      new UploadPartCommand({ Bucket: "alpha", Key: "mp", UploadId: uploadId, PartNumber: 1, Body: part1 }),
    );
    const e2 = await s3.send(
      new UploadPartCommand({ Bucket: "alpha", Key: "mp", UploadId: uploadId, PartNumber: 2, Body: part2 }),
    );
    const parts = await s3.send(new ListPartsCommand({ Bucket: "alpha", Key: "mp", UploadId: uploadId }));
    assertEquals(parts.Parts?.map((p) => [p.PartNumber, p.Size]), [[1, part1.length], [2, part2.length]]);
    await assertRejectsS3(
      () =>
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: "alpha",
            Key: "mp",
            UploadId: uploadId,
            MultipartUpload: { Parts: [{ PartNumber: 2, ETag: e2.ETag }, { PartNumber: 1, ETag: e1.ETag }] },
          }),
        ),
      "InvalidPartOrder",
      400,
    );
    await assertRejectsS3(
      () =>
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: "alpha",
            Key: "mp",
            UploadId: uploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0123"' }] },
          }),
        ),
      "InvalidPart",
      400,
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "alpha",
        Key: "mp",
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] },
      }),
    );
    const md5s = createHash("md5").update(Buffer.from(md5Hex(part1), "hex")).update(
      Buffer.from(md5Hex(part2), "hex"),
    );
    assertEquals(done.ETag, `"${md5s.digest("hex")}-2"`);
    const whole = await getBytes(s3, "alpha", "mp");
    assertEquals(md5Hex(whole), md5Hex(new Uint8Array([...part1, ...part2])));
    const head = await s3.send(new HeadObjectCommand({ Bucket: "alpha", Key: "mp" }));
    assertEquals(head.ContentType, "video/mp4");
    await assertRejectsS3(
      () => s3.send(new ListPartsCommand({ Bucket: "alpha", Key: "mp", UploadId: uploadId })),
      "NoSuchUpload",
      404,
    );
  });

  await t.step("multipart: a small non-last part is EntityTooSmall; abort forgets the upload", async () => {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: "alpha", Key: "small-mp" }));
    const uploadId = created.UploadId!;
    const e1 = await s3.send(
      new UploadPartCommand({
        Bucket: "alpha",
        Key: "small-mp",
        UploadId: uploadId,
        PartNumber: 1,
        Body: "tiny",
      }),
    );
    const e2 = await s3.send(
      new UploadPartCommand({
        Bucket: "alpha",
        Key: "small-mp",
        UploadId: uploadId,
        PartNumber: 2,
        Body: "end",
      }),
    );
    await assertRejectsS3(
      () =>
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: "alpha",
            Key: "small-mp",
            UploadId: uploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] },
          }),
        ),
      "EntityTooSmall",
      400,
    );
    await s3.send(new AbortMultipartUploadCommand({ Bucket: "alpha", Key: "small-mp", UploadId: uploadId }));
    await assertRejectsS3(
      () =>
        s3.send(
          new UploadPartCommand({
            Bucket: "alpha",
            Key: "small-mp",
            UploadId: uploadId,
            PartNumber: 3,
            Body: "x",
          }),
        ),
      "NoSuchUpload",
      404,
    );
    await assertRejectsS3(
      () => s3.send(new HeadObjectCommand({ Bucket: "alpha", Key: "small-mp" })),
      "NotFound",
      404,
    );
  });

  await t.step("DeleteObjects deletes many keys, reports each, and honours Quiet", async () => {
    const { DeleteObjectsCommand } = await import("@aws-sdk/client-s3");
    for (const key of ["batch/1", "batch/2", "batch/3"]) {
      await s3.send(new PutObjectCommand({ Bucket: "alpha", Key: key, Body: randomBytes(100_000) }));
    }
    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: "alpha",
        Delete: { Objects: [{ Key: "batch/1" }, { Key: "batch/2" }, { Key: "batch/never-existed" }] },
      }),
    );
    assertEquals(result.Deleted?.map((d) => d.Key).sort(), ["batch/1", "batch/2", "batch/never-existed"]);
    assertEquals(result.Errors ?? [], []);
    const quiet = await s3.send(
      new DeleteObjectsCommand({
        Bucket: "alpha",
        Delete: { Objects: [{ Key: "batch/3" }, { Key: "k".repeat(1025) }], Quiet: true },
      }),
    );
    assertEquals(quiet.Deleted ?? [], []);
    assertEquals(quiet.Errors?.map((e) => [e.Key?.length, e.Code]), [[1025, "KeyTooLongError"]]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: "alpha", Prefix: "batch/" }));
    assertEquals(left.KeyCount, 0);
    const { signedFetch } = await import("../support/signed_fetch.ts");
    const noDigest = await signedFetch(`${cluster.endpoint}/alpha?delete`, {
      method: "POST",
      body: "<Delete><Object><Key>meta.txt</Key></Object></Delete>",
    });
    assertEquals(noDigest.status, 400);
    await noDigest.body?.cancel();
    await s3.send(new HeadObjectCommand({ Bucket: "alpha", Key: "meta.txt" }));
  });

  await t.step("DeleteBucket refuses a non-empty bucket and deletes an empty one", async () => {
    await assertRejectsS3(() => s3.send(new DeleteBucketCommand({ Bucket: "tree" })), "BucketNotEmpty", 409);
    await s3.send(new CreateBucketCommand({ Bucket: "empty-one" }));
    await s3.send(new DeleteBucketCommand({ Bucket: "empty-one" }));
    await assertRejectsS3(() => s3.send(new HeadBucketCommand({ Bucket: "empty-one" })), "NotFound", 404);
  });

  await t.step("virtual-host style requests (BUCKET.localhost) reach the same objects", async () => {
    const port = new URL(cluster.endpoint).port;
    const put = await virtualHostRequest(
      cluster,
      "PUT",
      `alpha.localhost:${port}`,
      "/vhost/key.txt",
      "via host",
    );
    assertEquals(put.status, 200, put.head);
    const got = await virtualHostRequest(cluster, "GET", `alpha.localhost:${port}`, "/vhost/key.txt");
    assertEquals(got.status, 200, got.head);
    assertEquals(got.body, "via host");
    assertEquals(
      await (await s3.send(new GetObjectCommand({ Bucket: "alpha", Key: "vhost/key.txt" }))).Body
        ?.transformToString(),
      "via host",
    );
  });

  await t.step(
    "anonymous virtual-host GET reads a public-read object and one a bucket policy opens",
    async () => {
      const port = new URL(cluster.endpoint).port;
      const { rawRequest } = await import("../support/raw_http.ts");
      /** An unsigned request whose Host names the bucket, as a CDN pulling from the origin sends it. */
      const anonymous = (method: string, bucket: string, path: string) =>
        rawRequest(cluster.endpoint, `${method} ${path} HTTP/1.1\r\nhost: ${bucket}.localhost:${port}`);
      await s3.send(new CreateBucketCommand({ Bucket: "open-acl" }));
      await s3.send(
        new PutObjectCommand({ Bucket: "open-acl", Key: "pub.txt", Body: "public", ACL: "public-read" }),
      );
      await s3.send(new PutObjectCommand({ Bucket: "open-acl", Key: "priv.txt", Body: "private" }));
      await s3.send(new CreateBucketCommand({ Bucket: "open-policy" }));
      await s3.send(
        new PutObjectCommand({ Bucket: "open-policy", Key: "media/clip.txt", Body: "by policy" }),
      );
      await s3.send(new PutObjectCommand({ Bucket: "open-policy", Key: "drafts/x.txt", Body: "closed" }));
      const Policy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::open-policy/media/*",
        }],
      });
      await s3.send(new PutBucketPolicyCommand({ Bucket: "open-policy", Policy }));
      const acl = await anonymous("GET", "open-acl", "/pub.txt");
      assertEquals([acl.status, acl.body], [200, "public"], acl.head);
      const policy = await anonymous("GET", "open-policy", "/media/clip.txt");
      assertEquals([policy.status, policy.body], [200, "by policy"], policy.head);
      assertEquals((await anonymous("HEAD", "open-acl", "/pub.txt")).status, 200);
      assertEquals((await anonymous("HEAD", "open-policy", "/media/clip.txt")).status, 200);
      // Neither opens anything else: a private object, a key outside the policy, the bucket listing.
      for (
        const [bucket, path] of [["open-acl", "/priv.txt"], ["open-policy", "/drafts/x.txt"], [
          "open-acl",
          "/",
        ]]
      ) {
        assertEquals((await anonymous("GET", bucket, path)).status, 403, `${bucket}${path}`);
      }
    },
  );

  await t.step(
    "a wrong secret key gets SignatureDoesNotMatch and an unknown key InvalidAccessKeyId",
    async () => {
      const { S3Client } = await import("@aws-sdk/client-s3");
      const wrongSecret = new S3Client({
        endpoint: cluster.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "TESTROOTACCESSKEY01", secretAccessKey: "wrong-secret-key" },
        maxAttempts: 1,
      });
      await assertRejectsS3(
        () => wrongSecret.send(new PutObjectCommand({ Bucket: "alpha", Key: "evil", Body: "x" })),
        "SignatureDoesNotMatch",
        403,
      );
      const unknown = new S3Client({
        endpoint: cluster.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "UNKNOWNKEY", secretAccessKey: "whatever-secret" },
        maxAttempts: 1,
      });
      await assertRejectsS3(() => unknown.send(new ListBucketsCommand({})), "InvalidAccessKeyId", 403);
      await assertRejectsS3(
        () => s3.send(new HeadObjectCommand({ Bucket: "alpha", Key: "evil" })),
        "NotFound",
        404,
      );
    },
  );

  s3.destroy();
});

async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return await got.Body!.transformToByteArray();
}

function md5Hex(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** A raw signed listing request (the SDK decodes encoding-type=url itself, hiding the wire form). */
async function fetchListing(
  cluster: TestCluster,
  s3: S3Client,
  bucket: string,
  query: string,
): Promise<string> {
  const { signedFetch } = await import("../support/signed_fetch.ts");
  void s3;
  const response = await signedFetch(`${cluster.endpoint}/${bucket}?${query}`, { method: "GET" });
  return await response.text();
}

/** A signed request whose Host names the bucket (virtual-host style), sent to 127.0.0.1. */
async function virtualHostRequest(
  cluster: TestCluster,
  method: string,
  host: string,
  path: string,
  body = "",
) {
  const { signedHeaders } = await import("../support/signed_fetch.ts");
  const { rawRequest } = await import("../support/raw_http.ts");
  const headers = await signedHeaders(`http://${host}${path}`, {
    method,
    headers: method === "PUT" ? { "content-length": String(new TextEncoder().encode(body).length) } : {},
  });
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join("\r\n");
  return await rawRequest(cluster.endpoint, `${method} ${path} HTTP/1.1\r\n${lines}`, body);
}

export { S3ServiceException };
